#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness must see failures, or every green VM test means nothing:
#
#   tests/vm/selftest.sh [SERIES]      (default 6.1; tests/vm/check runs it)
#
# Each case boots one guest without the module and checks tests/vm/run's
# exit status and message: the script's exit status (and its arguments and
# environment) come through, a hung script times out, a kernel crash is a
# failure without a result, a W taint fails a script that returned 0, and a
# passing script passes.
# Reported as vm/harness/<case> through tests/lib/results.sh.
# Guest scripts are single-quoted on purpose: they expand in the guest.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
# shellcheck source=tests/lib/results.sh
. "$CTF_TOP/tests/lib/results.sh"

series=${1:-6.1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctf-vm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

# harness_case NAME WANT_RC PATTERN SCRIPT [--no-args] [RUN OPTIONS...]: run
# SCRIPT (its text) in the guest with the arguments "one arg" two (none with
# --no-args); tests/vm/run must exit WANT_RC and print PATTERN.
harness_case() {
	local name=$1 want=$2 pattern=$3 body=$4 rc=0 start secs
	shift 4
	printf '%s\n' "$body" >"$tmp/$name.sh"
	start=$EPOCHREALTIME
	local args=("one arg" two)
	if [[ ${1:-} == --no-args ]]; then
		args=()
		shift
	fi
	"$CTF_TOP/tests/vm/run" "$series" --no-module --quiet --log-dir "$tmp/log" "$@" \
		-- "$tmp/$name.sh" "${args[@]}" >"$tmp/$name.out" 2>&1 || rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if ((rc == want)) && grep -qF -- "$pattern" "$tmp/$name.out"; then
		ctf_result PASS "vm/harness/$name" "run exited $rc; $secs s"
	else
		sed 's/^/  | /' "$tmp/$name.out" | tail -n 30
		ctf_result FAIL "vm/harness/$name" "run exited $rc, want $want and '$pattern'"
		failed=1
	fi
}

# The script's status, arguments, environment and working directory.
harness_case exit-code 3 "script exited with 3" '
set -eu
[[ $# == 2 && $1 == "one arg" && $2 == two ]] || { echo "bad args: $*"; exit 7; }
[[ $CTF_IN_VM == 1 && $CTF_SERIES == '"$series"' && $CTF_KVER == "$(uname -r)" ]] || exit 8
[[ $CTF_SELFTEST == "a b" && $PWD == /ctf && -f tests/lib/results.sh ]] || exit 9
exit 3' --env "CTF_SELFTEST=a b"

# A script that never ends: the host's timeout, not the guest, ends it.
harness_case timeout 124 "timed out after 20 s" 'sleep 100000' --timeout 20

# A kernel crash: no result line, whatever the script would have said.
harness_case panic 125 "guest died without a result" \
	'echo c >/proc/sysrq-trigger; sleep 30; exit 0'

# A passing script without arguments gets none (not one empty one).
harness_case no-args 0 "PASS: $series/no-args" '[[ $# == 0 ]]' --no-args

# TAINT_WARN (bit 9) with a happy script: still a failure. Writing the mask
# sets the bit without a real WARN, which panic_on_warn would turn into the
# panic case above.
harness_case taint 126 "tainted 512 (W)" 'echo 512 >/proc/sys/kernel/tainted; exit 0'

exit "$failed"
