# SPDX-License-Identifier: GPL-2.0
# The one way every test layer reports a test: `ctf_result STATUS NAME [WHY]`
# prints "PASS: NAME" (or FAIL/SKIP) for people and, when $CTF_RESULTS names
# a file, appends "STATUS NAME" to it for tests/check, which counts those
# lines into the final "N passed, N failed, N skipped". Sourced, not run.

ctf_result() {
	local status=$1 name=$2 why=${3:-}
	case "$status" in
	PASS | FAIL | SKIP) ;;
	*) echo "ctf_result: bad status '$status'" >&2; return 2 ;;
	esac
	printf '%s: %s%s\n' "$status" "$name" "${why:+ ($why)}"
	if [[ -n ${CTF_RESULTS:-} ]]; then
		printf '%s %s\n' "$status" "$name" >>"$CTF_RESULTS"
	fi
}
