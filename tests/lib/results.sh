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

# ctf_script NAME RC OUTPUT [WHY]: the results of one test script that ran and
# exited RC, its output in the file OUTPUT. Each "PASS: CLAIM" or
# "SKIP: CLAIM (WHY)" line it printed is a test "NAME: CLAIM", so a failure
# names the claim, not only the script; a script that failed is a FAIL
# "NAME" with WHY, else its last "ERROR:" or "FAIL:" line, as the reason; one that
# exited 0 having proved no claim is a FAIL too (it asserted nothing).
ctf_script() {
	local name=$1 rc=$2 out=$3 line status reason claims=0 why=${4:-}
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		"PASS: "* | "SKIP: "*) ;;
		*) continue ;;
		esac
		status=${line%%: *}
		line=${line#*: }
		reason=
		if [[ $status == SKIP && $line =~ ^(.*)\ \((.*)\)$ ]]; then
			line=${BASH_REMATCH[1]}
			reason=${BASH_REMATCH[2]}
		fi
		ctf_result "$status" "$name: $line" "$reason" >/dev/null
		claims=$((claims + 1))
	done < <(grep -a -E '^(PASS|SKIP): ' "$out")
	if ((rc != 0)); then
		[[ -n $why ]] ||
			why=$(grep -a -E '^(ERROR|FAIL): ' "$out" | tail -n 1 | sed -E 's/^(ERROR|FAIL): //; s/\r$//')
		ctf_result FAIL "$name" "${why:-exit status $rc}"
		return 1
	fi
	if ((claims == 0)); then
		ctf_result FAIL "$name" "exited 0 but reported no PASS or SKIP line"
		return 1
	fi
	printf 'ok: %s (%d results)\n' "$name" "$claims"
}
