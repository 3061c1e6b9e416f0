# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# expect STATUS PATTERN -- CMD...: CMD exits with STATUS and prints (stdout
# or stderr) a line matching the grep PATTERN; else the test ends with the
# output shown. For the CLI tests. Sourced, not run.
#
# Each claim a script proves is one "PASS: CLAIM" line on stdout, each one
# it cannot check one "SKIP: CLAIM (WHY)" line; tests/check counts them
# (tests/lib/results.sh). pass and skip are those of tests/vm/lib/netns.sh.

pass() { echo "PASS: $*"; }
skip() { echo "SKIP: $1 ($2)"; }

expect() {
	local want=$1 pattern=$2 rc=0 out
	shift 3
	out=$(mktemp)
	"$@" >"$out" 2>&1 || rc=$?
	if [[ $rc != "$want" ]] || ! grep -q -- "$pattern" "$out"; then
		echo "ERROR: '$*' exited $rc (want $want), output:" >&2
		sed 's/^/  | /' "$out" >&2
		echo "  (wanted a line matching '$pattern')" >&2
		rm -f "$out"
		exit 1
	fi
	rm -f "$out"
	pass "$* -> $rc"
}
