#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A backend that dies with nothing said, with real SIP calls, in a VM guest
# (tests/vm/tests/health.sh for make check):
#
#   health.sh MODE[:HOW]...     MODE: ctnetlink module; HOW: crash (default),
#                               hang, mute or all
#   health.sh --bench MODE:HOW:CHECKS...
#                               CHECKS: defaults, active (OPTIONS alone,
#                               as Kamailio's dispatcher: every 10 s,
#                               down after 3 failures) or none; prints
#                               "BENCH health.CHECKS.KEY VALUE" lines for
#                               make bench instead of judging
#
# The incident's network (tests/scenarios/lib/topology.sh): two load
# balancers with keepalived and ctfailoverd with its default health checks,
# three backends running sipp. Two providers call the VIP at RATE calls/s:
# pinned (one source port, on backend1) and fresh (a new port per call).
# Once every backend is seen up, backend1 fails, and nobody says a word (no
# cycle, no config change, no keepalived event):
#   crash  its SIP server killed and its address removed;
#   hang   its SIP server stopped (SIGSTOP): address and MAC stay, nothing
#          answers;
#   mute   it drops every INVITE but answers OPTIONS (the passive side's
#          case: down after 3 x passive_ms; back when OPTIONS pass, then
#          down again, each time for longer: flap damping); the calls it
#          gets each time it is back may be lost: at most 1 in 20 (5 of
#          392 fresh on 6.12; 0 of 390 on 6.1 once its first comeback
#          needed twice the answers).
# Expected, asserted: the master takes backend1 down by itself; no call
# whose first INVITE was sent after the failure is lost (routing: nothing
# came back), pinned or fresh; at most 1 in 10 answered late (timing, as in
# the incident: tests/scenarios/README.md).
#   all    every backend crashes at once: the guard keeps its share in
#          service (panic, said by `probes` and the log), never fewer;
#          new instances at the same addresses: every backend up and
#          active again, the panic over, and no call placed once they
#          answer is lost.
set -euo pipefail
# shellcheck source=tests/scenarios/lib/topology.sh
. "$(dirname "$0")/lib/topology.sh"
# shellcheck source=tests/scenarios/lib/sip.sh
. "$(dirname "$0")/lib/sip.sh"
CALLS_AWK=$(cd "$(dirname "$0")" && pwd)/lib/calls.awk

BENCH=0
if [[ ${1:-} == --bench ]]; then
	BENCH=1
	shift
fi
(($#)) || fail "usage: health.sh [--bench] ctnetlink|module[:crash|:hang[:defaults|:active|:none]]..."
RATE=10
MIN_CALLS=$RATE
RECV_TIMEOUT=4000 # ms: INVITE retransmitted at 0.5, 1.5, 3.5 s, then the call fails
RUN=30            # s of calls after the failure
((!BENCH)) || RUN=45 # the active-only checks take 30 s or more
SCN_VIPS=("$VIP")
SCN_BACKENDS=(backend1 backend2 backend3)
UNMET=0

expect() { # CONDITION WHAT
	((!BENCH)) || return 0
	if eval "$1"; then
		pass "$MODE/$HOW: $2"
	else
		echo "ERROR: $MODE/$HOW: $2"
		UNMET=$((UNMET + 1))
	fi
}

health_of() { # a|b NAME
	dctlx "$1" backends | awk -v b="$2" '$1 == b { print $NF }'
}
state_of() { # a|b NAME
	dctlx "$1" backends | awk -v b="$2" '$1 == b { print $4 }'
}
all_up() { # a|b (with the checks off: "off")
	[[ $(dctlx "$1" backends | awk 'NR > 1 && ($NF == "up" || $NF == "off")' | wc -l) == 3 ]]
}
is_down() { [[ $(state_of "$1" "$2") == down ]]; }

# pinned_port: a source port whose new flow lb-a sends to backend1.
pinned_port() {
	local p
	for ((p = 40000; p < 40200; p++)); do
		[[ $(dctlx a where "$PINNED4" "$p" | awk '{ print $4 }') != backend1 ]] ||
			{ echo "$p"; return; }
	done
	fail "no port maps to backend1"
}

run() {
	local how_checks
	MODE=${1%%:*}
	HOW=crash
	CHECKS=defaults
	[[ $1 != *:* ]] || how_checks=${1#*:}
	[[ -z ${how_checks:-} ]] || HOW=${how_checks%%:*}
	[[ ${how_checks:-} != *:* ]] || CHECKS=${how_checks#*:}
	case $CHECKS in
	defaults) HEALTH_CONF='' ;;
	active) HEALTH_CONF='passive_ms = 0; interval_ms = 10000; timeout_ms = 1000; fall = 3; rise = 2;' ;;
	none) HEALTH_CONF='enabled = false;' ;;
	*) fail "unknown checks '$CHECKS' (defaults, active, none)" ;;
	esac
	[[ $MODE == ctnetlink || $MODE == module ]] || fail "unknown mode '$MODE'"
	[[ $HOW == crash || $HOW == hang || $HOW == mute || $HOW == all ]] ||
		fail "unknown failure '$HOW'"
	info "=== $MODE, backend1: $HOW, health checks: $CHECKS ==="
	[[ $MODE != module ]] || modprobe ctfailover
	ADDR[backend1]=10.0.10.21
	topo_setup
	local b a args=()
	for b in backend1 backend2 backend3; do instance_up "$b" "${ADDR[$b]}"; done
	[[ $MODE != ctnetlink ]] || args=(--no-module)
	for a in a b; do daemon_up "$a" "${args[@]}"; done
	keepalived_start a 150
	keepalived_start b 100
	wait_for 15 is_master a
	for a in a b; do wait_for 40 all_up "$a"; done
	PORT=$(pinned_port)

	T0=$EPOCHREALTIME
	PROVIDERS=()
	uac "$NS_PINNED" pinned "$PINNED4" "$VIP:5060" "$((RUN + 20))" -p "$PORT" -t u1
	local pinned=$NETNS_LAST_PID
	uac "$NS_FRESH" fresh "$FRESH4" "$VIP:5060" "$((RUN + 20))" -t un -max_socket 512
	local fresh=$NETNS_LAST_PID
	pace --flowing
	settle

	if [[ $HOW == all ]]; then
		all_fail "$pinned" "$fresh"
		return
	fi
	local ns=${NS_INST[backend1]} pid tf td
	pid=$(cat "$TOPO_TMP/$ns.pid")
	tf=$EPOCHREALTIME
	case $HOW in
	crash) instance_kill "$ns" ;;
	hang) kill -STOP "$pid" ;;
	mute) mute "$ns" ;;
	esac
	local down_ms=never i
	if ((BENCH)); then
		i=$((SECONDS + RUN))
		while ((SECONDS < i)); do
			is_down a backend1 && break
			sleep 0.1
		done
	else
		wait_for 20 is_down a backend1
	fi
	td=$EPOCHREALTIME
	! is_down a backend1 || down_ms=$(awk -v a="$tf" -v b="$td" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
	info "$MODE/$HOW/$CHECKS: lb-a took backend1 down: $down_ms ms after it failed"
	((!BENCH)) || echo "BENCH health.$CHECKS.down_ms $down_ms"
	grep -E 'health|state backend=backend1' "$TOPO_TMP/daemon-a.log" | tail -n 4 | sed 's/^/#   /' || true
	if ((BENCH)); then
		sleep "$(awk -v a="$tf" -v now="$EPOCHREALTIME" -v r="$RUN" 'BEGIN { d = a + r - now; printf "%.2f", (d > 0 ? d : 0) }')"
	else
		pace --flowing
		settle
		sleep "$RUN"
	fi
	uac_stop "$MODE" "$pinned" "$fresh"
	if [[ $HOW == mute ]]; then
		expect "grep -q 'state backend=backend1 active->down source=probe cause=\"health: it answers probes but left' '$TOPO_TMP/daemon-a.log'" \
			"lb-a took backend1 down for its unanswered INVITEs"
		expect "(($(dctlx a -j probes | rise_needed backend1) > 2))" "backend1's flapping damped (rise needed grew)"
	else
		expect "[[ \$(health_of a backend1) == down ]]" "lb-a says backend1's health is down"
	fi
	if [[ $HOW == hang && $CHECKS != none ]]; then
		# Answering again, it is a new instance: back, bumped.
		kill -CONT "$pid" 2>/dev/null || true
		wait_for 20 all_up a
		expect "[[ \$(state_of a backend1) == active ]]" "backend1 back in service once it answers again"
	fi

	local p att lost late w
	for p in pinned fresh; do
		awk -F'\t' -v t0="$T0" -v events="failure=$tf:$tf" -v margin=0 \
			-v timer=$((RECV_TIMEOUT / 1000)) -f "$CALLS_AWK" \
			"$TOPO_TMP/$p.csv" "$TOPO_TMP"/*.uas.csv "$TOPO_TMP/$p.err" >"$TOPO_TMP/$p.calls"
		read -r _ _ att _ _ lost <<<"$(grep '^window failure ' "$TOPO_TMP/$p.calls")"
		late=$(awk '$1 == "bad" && $3 == "late" && $4 == "" { n++ } END { print n + 0 }' "$TOPO_TMP/$p.calls")
		w=$(grep '^window failure ' "$TOPO_TMP/$p.calls")
		info "$MODE/$HOW/$CHECKS $p: after the failure $att calls placed, $lost lost, $late late ($w)"
		if ((BENCH)); then
			echo "BENCH health.$CHECKS.$p.attempted $att"
			echo "BENCH health.$CHECKS.$p.failed $(awk '{ print $4 }' <<<"$w")"
		fi
		expect "((att >= RATE * RUN * 9 / 10))" "the $p provider placed its calls after the failure ($att)"
		if [[ $HOW == mute ]]; then
			# Each time OPTIONS bring it back, the calls it gets
			# lose INVITEs until the passive side sees it again:
			# damped (fewer comebacks), not prevented.
			expect "((lost * 20 <= att))" "routing: at most 1 in 20 $p calls placed after the failure lost ($lost of $att)"
		else
			expect "((lost == 0))" "routing: no $p call placed after the failure lost ($lost of $att)"
		fi
		expect "((late * 10 <= att))" "timing: at most 1 in 10 $p calls answered late ($late of $att)"
	done
	stop
}

stop() {
	local a
	for a in a b; do kill -TERM "${D_PID[$a]}"; done
	netns_cleanup
	[[ $MODE != module ]] || rmmod ctfailover
}

# mute NS: the instance drops every INVITE that reaches it.
mute() {
	ip netns exec "$1" nft -f - <<-EOF
		table inet mute {
			chain input {
				type filter hook input priority 0; policy accept;
				udp dport 5060 @th,64,48 0x494e56495445 counter drop
			}
		}
	EOF
}

rise_needed() { # NAME < probes -j (the guest has no python)
	tr '{' '\n' | grep -E "\"name\": *\"$1\"" | sed -E 's/.*"rise_needed": *([0-9]+).*/\1/'
}

not_down() { # a|b: how many backends are not down
	dctlx "$1" backends | awk 'NR > 1 && $4 != "down"' | wc -l
}
in_panic() { dctlx a probes | grep -q PANIC; }
no_panic() { ! in_panic; }

# all_fail PINNED_PID FRESH_PID: every backend crashes at once, then comes
# back at its address.
all_fail() {
	local b tf tr p att lost w
	tf=$EPOCHREALTIME
	for b in backend1 backend2 backend3; do instance_kill "${NS_INST[$b]}"; done
	wait_for 20 in_panic
	info "$MODE/all: lb-a in panic $(awk -v a="$tf" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s after every backend failed"
	sleep 5
	# guard.max_remove_percent 50: one of three out, never two.
	expect "(($(not_down a) == 2))" "the guard kept 2 of 3 backends in service ($(not_down a))"
	expect "grep -q 'health: PANIC: backend=' '$TOPO_TMP/daemon-a.log'" "lb-a says PANIC in its log"
	for b in backend1 backend2 backend3; do instance_up "$b" "${ADDR[$b]}"; done
	wait_for 40 all_up a
	for b in backend1 backend2 backend3; do wait_for 20 is_active a "$b"; done
	wait_for 20 no_panic
	tr=$EPOCHREALTIME
	info "$MODE/all: every backend up and active $(awk -v a="$tf" -v b="$tr" 'BEGIN { printf "%.1f", b - a }') s after the failure"
	pace --flowing
	settle
	sleep 10
	uac_stop "$MODE" "$1" "$2"
	for p in pinned fresh; do
		awk -F'\t' -v t0="$T0" -v events="recovered=$tr:$tr" -v margin=0 \
			-v timer=$((RECV_TIMEOUT / 1000)) -f "$CALLS_AWK" \
			"$TOPO_TMP/$p.csv" "$TOPO_TMP"/*.uas.csv "$TOPO_TMP/$p.err" >"$TOPO_TMP/$p.calls"
		w=$(grep '^window recovered ' "$TOPO_TMP/$p.calls")
		read -r _ _ att _ _ lost <<<"$w"
		info "$MODE/all $p: after the recovery $att calls placed, $lost lost ($w)"
		expect "((att >= RATE * 10))" "the $p provider placed its calls after the recovery ($att)"
		expect "((lost == 0))" "routing: no $p call placed after the recovery lost ($lost of $att)"
	done
	stop
}
is_active() { [[ $(state_of "$1" "$2") == active ]]; }

for m in "$@"; do
	run "$m"
done
((UNMET == 0)) || fail "$UNMET expectation(s) unmet"
