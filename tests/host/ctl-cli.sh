#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailoverctl's command-line contract on the host: the documented exit
# codes (0 ok, 1 failed, 2 usage; 3, the canary's alarm, in
# daemon-canary.sh) and a clear error when the module is not
# loaded, which on this host (no module loading) is always the case.
set -euo pipefail

# shellcheck source=tests/lib/expect.sh
. "$(dirname "$0")/../lib/expect.sh"

expect 0 'Commands:' -- ctfailoverctl --help
expect 2 'Usage:' -- ctfailoverctl
expect 2 "unknown command 'frobnicate'" -- ctfailoverctl frobnicate
expect 2 "unknown option '--bogus'" -- ctfailoverctl --bogus version
expect 2 "unexpected argument 'extra'" -- ctfailoverctl version extra
expect 2 "ctfailoverctl: -s wants a path" -- ctfailoverctl -s
expect 2 "ctfailoverctl: --socket wants a path" -- ctfailoverctl --socket '' status
expect 2 "bad --to '10.0.0.1:0'" -- ctfailoverctl canary --to 10.0.0.1:0
expect 2 "--to VIP is needed" -- ctfailoverctl canary --count 1
expect 2 "unknown option '--bogus'" -- ctfailoverctl canary --to 10.0.0.1 --bogus 1
# A usage error is one with no daemon to ask (exit 2, not "cannot reach").
nosock=(-s /nonexistent/ctfailover.sock)
expect 2 'add: usage: add NAME ADDRESS \[INTERFACE\]' -- ctfailoverctl "${nosock[@]}" add x
expect 2 "probe: 'sideways' is not up\|down" -- ctfailoverctl "${nosock[@]}" probe b1 sideways
expect 2 "remove: '--now' is not --force" -- ctfailoverctl "${nosock[@]}" remove b1 --now
expect 2 'status: usage: status$' -- ctfailoverctl "${nosock[@]}" status now
expect 1 'cannot reach ctfailoverd' -- ctfailoverctl "${nosock[@]}" status

if [[ -d /sys/module/ctfailover ]]; then
	skip "ctfailoverctl version says clearly that the module is absent" \
		"ctfailover.ko is loaded on this host"
	exit 0
fi
expect 1 'ctfailover.ko is not loaded' -- ctfailoverctl version
expect 1 'ctfailover.ko is not loaded' -- ctfailoverctl -j version
# The tool's own version is still printed before the failure.
expect 1 '^ctfailoverctl [0-9]' -- ctfailoverctl version
