#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness must see failures, or every green VM test means nothing:
#
#   tests/vm/selftest.sh [SERIES [CASE...]]   (default 6.1, every case;
#                                              tests/vm/check runs it)
#
# Each case boots one guest without the module and checks tests/vm/run's
# exit status and message: the script's exit status (and its arguments and
# environment) come through, a hung script is stopped by the guest's watchdog
# (what each process waited on printed) or, without it, times out on the
# host, a kernel crash is a failure without a result, a W taint fails a
# script that returned 0, and a passing script passes. On the debug kernel (SERIES debug) three more: a
# sanitizer's report in the kernel log fails a script that returned 0 (123),
# a clean run passes with its kmemleak scan said, and a module that leaks
# (tests/vm/debug/leak/, built here) fails a script that returned 0 (123)
# with kmemleak's report naming it.
# Reported as vm/harness/<case> through tests/lib/results.sh, on the debug
# kernel as vm/debug/selftest-<case> (tests/vm/check runs the three cases of
# its own there). CASE...: only these.
# Guest scripts are single-quoted on purpose: they expand in the guest.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"
# shellcheck source=tests/lib/results.sh
. "$CTF_TOP/tests/lib/results.sh"

series=${1:-6.1}
(($# == 0)) || shift
only=" $* "
prefix=vm/harness/
[[ $series != debug ]] || prefix=vm/debug/selftest-
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctf-vm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

# harness_case NAME WANT_RC PATTERN SCRIPT [--no-args] [RUN OPTIONS...]: run
# SCRIPT (its text) in the guest with the arguments "one arg" two (none with
# --no-args); tests/vm/run must exit WANT_RC and print PATTERN (each of its
# lines, if several).
harness_case() {
	local name=$1 want=$2 pattern=$3 body=$4 rc=0 start secs p ok=1
	shift 4
	want_case "$name" || return 0
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
	((rc == want)) || ok=0
	while IFS= read -r p; do
		grep -qF -- "$p" "$tmp/$name.out" || ok=0
	done <<<"$pattern"
	if ((ok)); then
		ctf_result PASS "$prefix$name" "run exited $rc; $secs s"
	else
		sed 's/^/  | /' "$tmp/$name.out" | tail -n 30
		ctf_result FAIL "$prefix$name" "run exited $rc, want $want and '${pattern//$'\n'/' and '}'"
		failed=1
	fi
}
want_case() { [[ $only == "  " || $only == *" $1 "* ]]; }

# The script's status, arguments, environment and working directory.
harness_case exit-code 3 "script exited with 3" '
set -eu
[[ $# == 2 && $1 == "one arg" && $2 == two ]] || { echo "bad args: $*"; exit 7; }
[[ $CTF_IN_VM == 1 && $CTF_SERIES == '"$series"' && $CTF_KVER == "$(uname -r)" ]] || exit 8
[[ $CTF_SELFTEST == "a b" && $PWD == /ctf && -f tests/lib/results.sh ]] || exit 9
exit 3' --env "CTF_SELFTEST=a b"

# A script that never ends: the guest's watchdog stops it before the
# host's timeout, and says what each process waited on.
harness_case watchdog 124 "timed out: the guest's watchdog stopped the script after
wchan hrtimer_nanosleep: sleep 100000" 'sleep 100000' --timeout 20
# Without the watchdog (or with a guest too stuck to run it), the host's
# timeout ends it. tests/vm/run scales the debug kernel's timeouts by its
# slowdown.
scaled=20
[[ $series != debug ]] || scaled=$((20 * ${CTF_VM_DEBUG_SLOWDOWN:-10}))
harness_case timeout 124 "timed out after $scaled s" 'sleep 100000' --timeout 20 \
	--env CTF_VM_WATCHDOG=0

# A kernel crash: no result line, whatever the script would have said.
harness_case panic 125 "guest died without a result" \
	'echo c >/proc/sysrq-trigger; sleep 30; exit 0'

# A passing script without arguments gets none (not one empty one).
harness_case no-args 0 "PASS: $series/no-args" '[[ $# == 0 ]]' --no-args

# TAINT_WARN (bit 9) with a happy script: still a failure. Writing the mask
# sets the bit without a real WARN, which panic_on_warn would turn into the
# panic case above.
harness_case taint 126 "tainted 512 (W)" 'echo 512 >/proc/sys/kernel/tainted; exit 0'

if [[ $series == debug ]]; then
	# A lockdep-style line in the kernel log, without the lockdep bug.
	harness_case sanitizer 123 "debug kernel report: WARNING: suspicious RCU usage" \
		'echo "<4>WARNING: suspicious RCU usage (harness selftest)" >/dev/kmsg; exit 0'
	harness_case kmemleak-clean 0 "kmemleak: no leak" '[[ -e /sys/kernel/debug/kmemleak ]]'
	# A real leak: a module named ctfailover (so the init unloads it before
	# its scan, as it does the real one) that forgets an object at unload.
	# Exactly one unreferenced object, allocated by modprobe (the module's
	# init; its symbols are gone with it by the time kmemleak prints): a
	# leak of the kernel's own would make it two and fail this case too.
	if want_case kmemleak-leak; then
		mkdir -p "$tmp/leak"
		cp "$CTF_TOP/tests/vm/debug/leak/Kbuild" "$CTF_TOP/tests/vm/debug/leak/leak.c" "$tmp/leak/"
		if kdir=$("$CTF_TOP/scripts/kernels" kdir debug) &&
			make -C "$kdir" M="$tmp/leak" modules >"$tmp/leak/build.log" 2>&1; then
			harness_case kmemleak-leak 123 "kmemleak: 1 unreferenced objects after the run
comm \"modprobe\"" 'modprobe ctfailover && grep -q "^ctfailover " /proc/modules' \
				--module "$tmp/leak/ctfailover.ko"
		else
			sed 's/^/  | /' "$tmp/leak/build.log" | tail -n 20
			ctf_result FAIL "${prefix}kmemleak-leak" "could not build tests/vm/debug/leak/"
			failed=1
		fi
	fi
fi

exit "$failed"
