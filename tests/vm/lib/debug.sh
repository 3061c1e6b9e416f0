# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by a scenario of real-time SIP calls (tests/vm/tests/incident.sh,
# health.sh) when it runs on the debug kernel (tests/vm/run debug).
#
# There the kernel runs 9-10x slower than Debian's (KASAN, lockdep,
# kmemleak; tests/vm/README.md, "The debug kernel"), and calls paced in real
# time are answered late or lost: the scenario's expectations cannot hold,
# and they are asserted on every stock kernel anyway. What the debug kernel
# adds is its checkers over the module's paths that the scenario drives, so
# there it runs for them: its expectations are printed as "not asserted"
# (one SKIP result says so), and it passes if it reached the expectations
# of its last mode. The run's verdict is then the debug kernel's:
# tests/vm/run fails it with 123 on a KASAN, lockdep, UBSAN, ODEBUG or
# kmemleak report, 125 on a panic.

# debug_checkers_only WHAT CMD...: run CMD, a scenario without --check.
debug_checkers_only() {
	local what=$1 out rc
	shift
	echo "SKIP: $what: its expectations on the debug kernel (real-time SIP calls on a kernel 9-10x slower: calls answered late or lost; asserted on the stock kernels)"
	out=$(mktemp)
	set +e
	"$@" 2>&1 | tee "$out" | sed -E 's/^(PASS|ERROR|FAIL|SKIP): /not asserted, \1: /'
	rc=${PIPESTATUS[0]}
	set -e
	# An expectation line after the last "# === MODE ===" header: the last
	# mode ran to its end.
	if awk '/^# === /{ seen = 0 } /^(PASS|ERROR): /{ seen = 1 } END { exit !seen }' "$out"; then
		echo "# $what: its own verdict, not asserted: exit $rc"
		echo "PASS: $what ran to its end under KASAN, lockdep, kmemleak and UBSAN"
		rm -f "$out"
		return 0
	fi
	echo "ERROR: $what stopped before its last mode's expectations (exit $rc)"
	rm -f "$out"
	return 1
}
