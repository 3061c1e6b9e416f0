#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon's command line and the CLI's daemon commands, with their
# documented exit codes (0 ok, 1 failed, 2 usage): `ctfailoverd --check`
# names file, line and field and touches nothing; the CLI says clearly when
# the daemon is not there; every bad argument is exit 2 naming it; -j
# output is JSON; the systemd unit in the tree is valid.
set -euo pipefail

# shellcheck source=tests/lib/expect.sh
. "$(dirname "$0")/../lib/expect.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect 0 'Usage: ctfailoverd' -- ctfailoverd --help
expect 0 '^ctfailoverd [0-9]' -- ctfailoverd --version
expect 2 'Usage: ctfailoverd' -- ctfailoverd --bogus
expect 2 "unexpected argument 'x'" -- ctfailoverd x

# --check: the example config, then errors with file, line and field.
expect 0 'ok: 3 backends, 2 VIPs' -- ctfailoverd --check -c "$top/userspace/daemon/ctfailover.conf"
expect 1 "$tmp/none.conf: cannot read" -- ctfailoverd --check -c "$tmp/none.conf"
printf 'vips = [ "203.0.113.10" ];\nbackends = (\n  { name = "a"; address = "10.0.1.300"; }\n);\n' >"$tmp/bad.conf"
expect 1 "$tmp/bad.conf:3: backends\[0\] (a).address: bad address '10.0.1.300'" -- \
	ctfailoverd --check -c "$tmp/bad.conf"
: >"$tmp/empty.conf"
expect 1 'never means' -- ctfailoverd --check -c "$tmp/empty.conf"
# What the start would refuse, --check says too: a NUL byte on standard
# input as in a file; paths where another kind of file is.
printf 'vips = [ "203.0.113.10" ];\nbackends = ( { name = "a"; address = "10.0.1.1"; } );\n\0x' >"$tmp/nul.conf"
expect 1 "^ctfailoverd: -:3: a NUL byte: not a text file" -- sh -c "ctfailoverd --check -c - <'$tmp/nul.conf'"
expect 1 ":3: a NUL byte: not a text file" -- ctfailoverd --check -c "$tmp/nul.conf"
printf 'vips = [ "203.0.113.10" ];\nbackends = ( { name = "a"; address = "10.0.1.1"; } );\ncontrol_socket = "%s";\n' "$tmp/nul.conf" >"$tmp/sock.conf"
expect 1 "control_socket: $tmp/nul.conf exists and is not a socket" -- ctfailoverd --check -c "$tmp/sock.conf"
printf 'vips = [ "203.0.113.10" ];\nbackends = ( { name = "a"; address = "10.0.1.1"; } );\nkeepalived = { notify_fifo = "/dev/null"; };\n' >"$tmp/fifo.conf"
expect 1 "keepalived.notify_fifo: /dev/null exists and is not a FIFO" -- ctfailoverd --check -c "$tmp/fifo.conf"
# --print-nft is nft input for the whole table.
expect 0 '^table inet ctfailover {' -- ctfailoverd --print-nft -c "$top/userspace/daemon/ctfailover.conf"

# The CLI without a daemon: exit 1 and where it looked.
export CTFAILOVER_CONTROL=$tmp/control.sock
for cmd in status backends stats plan apply; do
	expect 1 "cannot reach ctfailoverd at $tmp/control.sock" -- ctfailoverctl "$cmd"
done
expect 1 "cannot reach ctfailoverd at $tmp/other.sock" -- ctfailoverctl -s "$tmp/other.sock" status
expect 2 "bad argument 'a b'" -- ctfailoverctl cycle 'a b'
expect 0 'cycle  *NAME \[ADDRESS\]' -- ctfailoverctl --help

# The unit file, with this build's binary in place of /usr/sbin's.
sed "s|/usr/sbin/ctfailoverd|$(command -v ctfailoverd)|" \
	"$top/systemd/ctfailoverd.service" >"$tmp/ctfailoverd.service"
if command -v systemd-analyze >/dev/null; then
	# Its man pages are not installed here (tests/pkg.sh verifies with them).
	systemd-analyze verify --man=no "$tmp/ctfailoverd.service"
	pass "the unit file passes systemd-analyze verify"
else
	skip "the unit file passes systemd-analyze verify" "no systemd-analyze (scripts/setup installs it)"
fi
grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN' "$tmp/ctfailoverd.service"
pass "the unit keeps CAP_NET_ADMIN only"
