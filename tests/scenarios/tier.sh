#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The load-balancer tier survives two of its three hosts failing hard, with
# real SIP calls; run in a VM guest (tests/vm/tests/tier.sh for make check,
# tests/scenarios/run for make demo):
#
#   tier.sh [--short] [--check] MODE...     MODE: conntrackd nosync partition
#
# Three load balancers, lb-a, lb-b, lb-c (keepalived priorities 150, 100,
# 50, nopreempt), each with ctfailover.ko, ctfailoverd, keepalived and, in
# mode conntrackd, one conntrackd per peer, all configured from examples/
# as shipped (lib/tier.sh). Two providers call the VIP at RATE calls/s
# each (pinned: one source port; fresh: a port per call); the SIP servers
# ring for RING ms before they answer, so calls are in flight at every
# failure, and accept nothing but from the VIP (a provider's trunk: a reply
# that left a load balancer un-NATed is dropped, and counted). Events:
#   f1crash   lb-a, the master, crashes: every process SIGKILLed, then its
#             links down; lb-b takes over and commits lb-a's copy
#   cycle     in the degraded tier, backend2's instance is replaced by one
#             at the same address with a new MAC, which announces itself:
#             lb-b and lb-c must derive the same epoch
#   f2off     lb-b, the master now, is powered off (namespace deleted);
#             lb-c takes over alone and commits lb-b's copy
#   back_a    lb-a comes back (links up, processes started): backup
#   back_b    lb-b comes back in a new namespace (a reboot): backup
#   f3crash   lb-c crashes; lb-a takes over, having missed the cycle: the
#             entries it commits carry the epoch lb-c had, and
#             `ctfailoverctl synced` makes lb-a adopt it
# Mode nosync is the same tier without conntrackd: in-flight calls must be
# lost there (the comparison that shows what conntrackd and the epochs'
# agreement buy, and that this scenario can fail).
#
# Mode partition is the conntrackd tier with other events, 24 s apart at
# least, measured:
#   split     VRRP between lb-a, the master, and the others is cut (its
#             packets dropped both ways on lb-a; the service traffic and
#             conntrackd's link stay): lb-b claims MASTER beside lb-a
#   heal      VRRP flows again: one master is left
# Asserted: both claimed MASTER during the split, one holds the VIP after
# the heal, and calls placed once it is over are answered; the calls of
# the split itself are reported (docs/architecture.md, "Two masters").
#
# Output: "SCN ..." lines (report(); tests/scenarios/tier-panel makes make
# demo's tables and timeline of them), "PASS:"/"ERROR:" lines for the
# expectations; --check makes an unmet one fail the script.
set -euo pipefail
# shellcheck source=tests/scenarios/lib/topology.sh
. "$(dirname "$0")/lib/topology.sh"
# shellcheck source=tests/scenarios/lib/sip.sh
. "$(dirname "$0")/lib/sip.sh"
# shellcheck source=tests/scenarios/lib/tier.sh
. "$(dirname "$0")/lib/tier.sh"
CALLS_AWK=$(cd "$(dirname "$0")" && pwd)/lib/calls.awk

short=0
check=0
while [[ ${1:-} == --* ]]; do
	case $1 in
	--short) short=1 ;;
	--check) check=1 ;;
	*) fail "unknown option $1" ;;
	esac
	shift
done
(($#)) || fail "usage: tier.sh [--short] [--check] conntrackd|nosync|partition..."
for m in "$@"; do
	[[ $m == conntrackd || $m == nosync || $m == partition ]] || fail "unknown mode '$m'"
done

RATE=10           # calls/s, each provider
MIN_CALLS=$RATE   # INVITEs of each provider an event's window must hold
RING=2000         # ms a SIP server rings before it answers
# ms a provider waits for an answer: its INVITE is retransmitted at 0.5,
# 1.5, 3.5, 7.5 s and a ringing call's 200 at 0.5, 1.5, 3.5, 7.5 s after
# the first, so a call survives a takeover of a few seconds (a provider's
# real INVITE transaction lasts 32 s).
RECV_TIMEOUT=12000
# s before a crash in which a call's entry may not have left the host yet
# (conntrackd sends it within milliseconds; a guest under TCG is slower):
# such a call is placed during the event, not in flight at it.
SYNC_LAG=0.3
EVENTS=() # the mode's (run_mode)
if ((short)); then
	GAP=6 # s between events, at least (pace waits for the calls too)
else
	GAP=15
fi
UNMET=0
SCN_VIPS=("$VIP")
SCN_BACKENDS=(backend1 backend2 backend3)
TOPO_LBS=(a b c)
TOPO_SYNC=1

rel() { awk -v a="$T0" -v b="$1" 'BEGIN { printf "%.2f", b - a }'; }

# A provider's trunk takes SIP from the VIP alone; what else comes is
# dropped and counted (unnated NS).
trunk_acl() {
	ip netns exec "$1" nft -f - <<-EOF
		table inet trunk {
			counter unnated {}
			chain input {
				type filter hook input priority 0; policy accept;
				udp sport 5060 ip saddr != $VIP counter name unnated drop
			}
		}
	EOF
}
unnated() { echo $(($(nft_counter "$NS_PINNED" inet trunk unnated) + $(nft_counter "$NS_FRESH" inet trunk unnated))); }

# after_takeover X: lb-X is master; say how long it took and what it
# committed, and check every SIP entry it holds is current.
declare -A T=() TS=() S=()
after_takeover() {
	local a=$1 ev=$2 x i
	for ((i = 0; i < 200; i++)); do
		! is_master "$a" || break
		sleep 0.1
	done
	if ! is_master "$a"; then
		for x in a b c; do
			info "lb-$x: $(ip -n "${NS_LBS[$x]}" -br addr show 2>&1 | tr '\n' ' ')"
		done
		grep -E 'Entering|VRRP_Instance|Keepalived_vrrp\[[0-9]+\]: \(sip\)' "$TOPO_TMP/syslog.log" | grep -v 'gratuitous\|Neighbour' | tail -n 30 | sed 's/^/#   /'
		fail "$MODE $ev: lb-$a did not take the VIP over within 20 s (master: $(master))"
	fi
	T[$ev]=$EPOCHREALTIME
	info "$MODE $ev: lb-$a master $(since "${TS[$ev]}") s after the failure;" \
		"its SIP entries: $(tier_sip_entries "$a"), the pinned flow's: $(ct_list "${NS_LBS[$a]}" -p udp --src "$PINNED4" --sport "$PORT" | ct_reply_src)"
	# What the notify script did (its syslog lines), once it is done.
	((SYNC)) || return 0
	for ((i = 0; i < 100; i++)); do
		(($(notify_done) > NOTIFY0)) && break
		sleep 0.1
	done
	grep -E 'ctfailover-notify' "$TOPO_TMP/syslog.log" 2>/dev/null | tail -n 9 | sed 's/^/#   /' || true
	tail -n 5 "$TOPO_TMP/notify-$a.log" 2>/dev/null | sed 's/^/#   notify: /' || true
	grep -h 'ommit' "$TOPO_TMP/ctd-$a"-*.log 2>/dev/null | tail -n 4 | sed 's/^/#   /' || true
}

# flows_current X EV: after the calls of EV's window, every SIP entry of
# the master lb-X current.
flows_current() {
	S[stale.$2]=$(tier_stale "$1")
	S[entries.$2]=$(tier_sip_entries "$1")
	echo "SCN flows $MODE $2 ${S[entries.$2]} ${S[stale.$2]}"
}

active() { [[ $(dctlx "$1" backends | awk -v b="$2" '$1 == b { print $4 }') == active ]]; }
# notify_done: the takeovers whose notify script has run to its end.
notify_done() { notified 'MASTER: adopt the synced epochs'; }

# For wait_for, which runs its command again, not its arguments' $(...).
changed() { [[ $(epoch_of "$1" backend2) != "$2" ]]; }
adopted() { grep -q "adopt backend=backend2 " "$TOPO_TMP/daemon-a.log"; }

event_f1crash() {
	NOTIFY0=$(notify_done)
	tier_crash a
	after_takeover b f1crash
}

event_cycle() {
	local old=${NS_INST[backend2]}
	instance_kill "$old"
	instance_up backend2 "${ADDR[backend2]}" garp
	wait_for 10 changed b "$E2"
	wait_for 10 changed c "$E2"
	# Compared in service on both: a backend down stamps its twin, and the
	# master's passive checks may take it down for a moment meanwhile.
	wait_for 20 active b backend2
	wait_for 20 active c backend2
	# Complete when both have it in service (the master's passive checks
	# may take the new instance down for a moment: its calls then move).
	T[cycle]=$EPOCHREALTIME
	S[cycle.b]=$(epoch_of b backend2)
	S[cycle.c]=$(epoch_of c backend2)
	info "$MODE cycle: backend2's epoch $E2 -> lb-b ${S[cycle.b]}, lb-c ${S[cycle.c]}"
	grep -h 'backend=backend2' "$TOPO_TMP/daemon-b.log" "$TOPO_TMP/daemon-c.log" | tail -n 8 | sed 's/^/#   /' || true
}

event_f2off() {
	NOTIFY0=$(notify_done)
	tier_poweroff b
	after_takeover c f2off
}

event_back_a() {
	tier_return a
	T[back_a]=$EPOCHREALTIME
	sleep 2
	S[back_a.master]=$(holders)
}

event_back_b() {
	tier_rebuild b
	T[back_b]=$EPOCHREALTIME
	sleep 2
	S[back_b.master]=$(holders)
}

event_f3crash() {
	S[f3.a.before]=$(epoch_of a backend2)
	NOTIFY0=$(notify_done)
	tier_crash c
	after_takeover a f3crash
	local i
	for ((i = 0; i < 100; i++)); do
		! adopted || break
		sleep 0.1
	done
	S[f3.a.after]=$(epoch_of a backend2)
	info "$MODE f3crash: lb-a's backend2 epoch ${S[f3.a.before]} before, ${S[f3.a.after]} after the takeover (lb-c had ${S[cycle.c]})"
	grep -h 'ctfailover-notify' "$TOPO_TMP/syslog.log" 2>/dev/null | tail -n 8 | sed 's/^/#   /' || true
}

# holders: the load balancers holding the service VIP on a link that is up
# (two in a partition).
holders() {
	local a h=()
	for a in a b c; do
		if ip -n "${NS_LBS[$a]}" -br addr show dev front up 2>/dev/null | grep -qw "$VIP/24"; then
			h+=("$a")
		fi
	done
	echo "${h[*]}"
}

# vip_here: how many daemons say the VIP is on their host (the metric
# ctfailover_vip_here, summed over the tier as an alert would).
vip_here() {
	local a n=0 v
	for a in a b c; do
		v=$(dctlx "$a" stats 2>/dev/null | awk -v m="ctfailover_vip_here{vip=\"$VIP\"}" '$1 == m { print $2 }')
		n=$((n + ${v:-0}))
	done
	echo "$n"
}

# vip_settles EV UNTIL N WHAT NOTIFIED: EV is complete when UNTIL (a
# command) holds (20 s at most) and the notify script has said NOTIFIED
# once more than it had at EV's start (10 s at most: the new master, or
# the one that stayed, has committed and taken the gateway); then, 2 s at
# most, until N daemons say the VIP is on their host. S[EV.holders],
# S[EV.vip_here].
notified() { grep -c -- "$1" "$TOPO_TMP/syslog.log" 2>/dev/null || true; }
vip_settles() {
	local i
	for ((i = 0; i < 200; i++)); do
		! "$2" || break
		sleep 0.1
	done
	for ((i = 0; i < 100; i++)); do
		(($(notified "$5") > N0)) && break
		sleep 0.1
	done
	((i < 100)) || info "$MODE $1: the notify script did not say '$5' within 10 s"
	T[$1]=$EPOCHREALTIME
	S[$1.holders]=$(holders)
	for ((i = 0; i < 20; i++)); do
		S[$1.vip_here]=$(vip_here)
		[[ ${S[$1.vip_here]} != "$3" ]] || break
		sleep 0.1
	done
	info "$MODE $1: the VIP held by: ${S[$1.holders]} $(since "${TS[$1]}") s after $4"
	grep -E 'Entering|ctfailover-notify' "$TOPO_TMP/syslog.log" 2>/dev/null | tail -n 12 | sed 's/^/#   /' || true
}
two_masters() { [[ $(holders) == "a b" ]]; }
one_master() { [[ $(holders) != *" "* ]]; }

# VRRP between lb-a and its peers dropped both ways on lb-a (the service's
# traffic and conntrackd's link are untouched).
event_split() {
	N0=$(notified "MASTER: adopt the synced epochs")
	ip netns exec "${NS_LBS[a]}" nft -f - <<-EOF
		table inet partition {
			chain input { type filter hook input priority -300; meta l4proto vrrp drop; }
			chain output { type filter hook output priority -300; meta l4proto vrrp drop; }
		}
	EOF
	vip_settles split two_masters 2 "the cut" "MASTER: adopt the synced epochs"
}

event_heal() {
	N0=$(notified "MASTER_RX_LOWER_PRI: adopt the synced epochs")
	ip netns exec "${NS_LBS[a]}" nft delete table inet partition
	vip_settles heal one_master 1 "VRRP flowed again" "MASTER_RX_LOWER_PRI: adopt the synced epochs"
}

# at SECONDS: sleep until SECONDS after the first call.
at() {
	local d
	d=$(awk -v t0="$T0" -v s="$1" -v now="$EPOCHREALTIME" 'BEGIN { d = t0 + s - now; printf "%.3f", (d > 0 ? d : 0) }')
	sleep "$d"
}

run_mode() {
	MODE=$1
	info "=== $MODE ==="
	SYNC=1
	[[ $MODE != nosync ]] || SYNC=0
	# Two masters for a while, even on the short timeline: the split's
	# window holds the calls placed from lb-b's takeover until the
	# caller's timer before the heal.
	local GAP=$GAP
	[[ $MODE != partition ]] || ((GAP >= 24)) || GAP=24
	EVENTS=(f1crash cycle f2off back_a back_b f3crash)
	FAILURES=(f1crash f2off f3crash) # the events calls ring through
	if [[ $MODE == partition ]]; then
		EVENTS=(split heal)
		FAILURES=(split heal)
	fi
	modprobe ctfailover
	topo_setup
	TIER_RUN=$(mktemp -d /run/ctf-tier.XXXXXX)
	chmod 0755 "$TIER_RUN"
	KA_CONF='instances = [ "sip" ];'
	((!SYNC)) || KA_CONF+=' conntrackd = true;'
	# sipp's own UAS, with a pause between its 180 and its 200 (which it
	# retransmits until the ACK). sipp -sd exits 99 after the dump.
	{ sipp -sd uas || (($? == 99)); } >"$TOPO_TMP/uas.xml"
	awk -v ring="$RING" '{ print } /<\/send>/ && !done { print "<pause milliseconds=\"" ring "\"/>"; done = 1 }' \
		"$TOPO_TMP/uas.xml" >"$TOPO_TMP/uas-ring.xml"
	grep -q "<pause milliseconds=\"$RING\"/>" "$TOPO_TMP/uas-ring.xml" || fail "no pause in the UAS scenario"
	UAS_ARGS=(-sf "$TOPO_TMP/uas-ring.xml")
	local b a
	for b in backend1 backend2 backend3; do instance_up "$b" "${ADDR[$b]}"; done
	trunk_acl "$NS_PINNED"
	trunk_acl "$NS_FRESH"
	TIER_SYNC=$SYNC
	for a in a b c; do
		daemon_conf "$a"
		tier_start "$a"
	done
	daemon_clock
	wait_for 20 is_master a
	PORT=40000
	E2=$(epoch_of a backend2)
	info "$MODE: lb-a master; provider-pinned calls from $PINNED4:$PORT; SIP servers ring $RING ms"

	T0=$EPOCHREALTIME
	PROVIDERS=()
	uac "$NS_PINNED" pinned "$PINNED4" "$VIP:5060" $((GAP * 8)) -p "$PORT" -t u1
	local pinned=$NETNS_LAST_PID
	uac "$NS_FRESH" fresh "$FRESH4" "$VIP:5060" $((GAP * 8)) -t un -max_socket 512
	local fresh=$NETNS_LAST_PID
	pace --flowing
	local ev n=0
	for ev in "${EVENTS[@]}"; do
		n=$((n + 1))
		at $((n * GAP))
		TS[$ev]=$EPOCHREALTIME
		"event_$ev"
		pace
		case $ev in
		f1crash) flows_current b "$ev" ;;
		cycle) flows_current b "$ev" ;;
		f2off | back_a | back_b) flows_current c "$ev" ;;
		f3crash) flows_current a "$ev" ;;
		split) flows_current b "$ev" ;;
		heal) flows_current "${S[heal.holders]}" "$ev" ;;
		esac
	done
	at $(((n + 1) * GAP))
	uac_stop "$MODE" "$pinned" "$fresh"
	report
	expectations
	if [[ -f $TOPO_TMP/syslog.log ]]; then
		info "$MODE: keepalived's state changes:"
		grep -E 'Entering' "$TOPO_TMP/syslog.log" | sed 's/^/#   /'
	fi
	for a in a b c; do
		[[ -z ${D_PID[$a]:-} ]] || kill -TERM "${D_PID[$a]}" 2>/dev/null || true
	done
	netns_cleanup
	daemon_clock_stop
	rm -rf "$TIER_RUN"
	expect "((${#NETNS_KILLED[@]} == 0))" \
		"every process stopped within 10 s of SIGTERM (killed: ${NETNS_KILLED[*]:-none})"
	rmmod ctfailover
}

# report: "SCN" lines, and S[...] for the expectations:
#   SCN event MODE EVENT BEGAN DONE   seconds from T0
#   SCN sum MODE PROVIDER ATTEMPTED ANSWERED FAILED GAP LOST LATE DURING
#   SCN inflight MODE EVENT PROVIDER N ANSWERED
#                                    calls whose INVITE went out in the RING
#                                    ms before the failure (less SYNC_LAG):
#                                    ringing at it
#   SCN first MODE EVENT PROVIDER MS ms from the failure (its start) to the
#                                    first 200 to an INVITE first sent after
#                                    it, "never" if none
#   SCN sec MODE PROVIDER S ATTEMPTED ANSWERED FAILED
#                                    calls placed in second S after T0
#   SCN window MODE PROVIDER EVENT ATTEMPTED FAILED FIRST_MS|never LOST
#                                    calls placed from EVENT's completion
#                                    until the caller's timer before the
#                                    next (calls.awk)
#   SCN flows MODE EVENT ENTRIES STALE
#                                    the master's SIP entries after the event
#   SCN unnated MODE N               replies the providers' trunks dropped
report() {
	local ev evs=() p k rest start
	for ev in "${EVENTS[@]}"; do
		# The calls the replaced instance was ringing when it was killed
		# die with it: placed during the cycle. So are those a crash may
		# have taken before their entry left the host (SYNC_LAG).
		case $ev in
		cycle) start=$(awk -v t="${TS[$ev]}" -v r="$RING" 'BEGIN { printf "%.6f", t - r / 1000 - 0.5 }') ;;
		f1crash | f2off | f3crash | split) start=$(awk -v t="${TS[$ev]}" -v l="$SYNC_LAG" 'BEGIN { printf "%.6f", t - l }') ;;
		*) start=${TS[$ev]} ;;
		esac
		evs+=("$ev=$start:${T[$ev]}")
		echo "SCN event $MODE $ev $(rel "${TS[$ev]}") $(rel "${T[$ev]}")"
	done
	for p in pinned fresh; do
		awk -F'\t' -v t0="$T0" -v events="${evs[*]}" -v margin=$((RECV_TIMEOUT / 1000)) \
			-v timer=$((RECV_TIMEOUT / 1000)) -f "$CALLS_AWK" \
			"$TOPO_TMP/$p.csv" "$TOPO_TMP"/*.uas.csv "$TOPO_TMP/$p.err" >"$TOPO_TMP/$p.calls"
		while read -r k rest; do
			case $k in
			sec) echo "SCN sec $MODE $p $rest" ;;
			window) echo "SCN window $MODE $p $rest" ;;
			sum)
				echo "SCN sum $MODE $p $rest"
				read -r S[$p.attempted] S[$p.answered] S[$p.failed] _ S[$p.lost] S[$p.late] S[$p.during] <<<"$rest"
				;;
			esac
		done <"$TOPO_TMP/$p.calls"
		info "$MODE $p: attempted ${S[$p.attempted]} answered ${S[$p.answered]} failed ${S[$p.failed]}" \
			"(lost ${S[$p.lost]}, late ${S[$p.late]}; placed during an event: ${S[$p.during]})"
		for ev in "${FAILURES[@]}"; do
			read -r "S[$p.$ev.inflight]" "S[$p.$ev.inflight_ok]" <<<"$(inflight "$p" "$(awk -v t="${TS[$ev]}" -v l="$SYNC_LAG" 'BEGIN { printf "%.6f", t - l }')")"
			echo "SCN inflight $MODE $ev $p ${S[$p.$ev.inflight]} ${S[$p.$ev.inflight_ok]}"
			echo "SCN first $MODE $ev $p $(first_answer "$p" "${TS[$ev]}")"
		done
		# The first 5 failed calls placed outside the events, then 2 placed
		# during one.
		awk '$1 == "bad" && $4 != "during" && n++ < 5 { print $2, $3 }
			$1 == "bad" && $4 == "during" && d++ < 2 { dur[d] = $2 " " $3 " during" }
			END { for (i = 1; i <= d && i <= 2; i++) print dur[i] }' "$TOPO_TMP/$p.calls" |
			while read -r k why; do
				info "$MODE $p: failed call $k ($why)"
				call_evidence "$p" "$k"
				daemon_evidence "$(awk -F'\t' -v id="$k" '$5 == id { print $3; exit }' "$TOPO_TMP/$p.csv")" \
					$((RECV_TIMEOUT / 1000))
			done
	done
	S[unnated]=$(unnated)
	echo "SCN unnated $MODE ${S[unnated]}"
}

# inflight PROVIDER EPOCH: the calls whose first INVITE went out in the RING
# ms before EPOCH (a failure less SYNC_LAG: ringing when it happened, their
# entry copied), and how many were answered.
inflight() {
	awk -F'\t' -v t="$2" -v ring="$RING" '
		$4 == "S" && $7 ~ /^INVITE / && !($5 in inv) { inv[$5] = $3 }
		$4 == "R" && $7 ~ /^SIP\/2\.0 200 / && $6 ~ /INVITE/ { ok[$5] = 1 }
		END {
			for (c in inv)
				if (inv[c] >= t - ring / 1000 && inv[c] < t) {
					n++
					a += (c in ok)
				}
			print n + 0, a + 0
		}' "$TOPO_TMP/$1.csv"
}

# The split is measured, not judged: what it cost is in the SCN lines.
partition_expectations() {
	local p failed attempted
	expect "[[ \${S[split.holders]} == 'a b' ]]" "lb-a and lb-b both held the VIP during the split (${S[split.holders]})"
	expect "[[ \${S[heal.holders]} == [abc] ]]" "one host held the VIP after the heal (${S[heal.holders]})"
	expect "((S[split.vip_here] == 2 && S[heal.vip_here] == 1))" \
		"ctfailover_vip_here summed over the tier: ${S[split.vip_here]} during the split, ${S[heal.vip_here]} after the heal"
	for p in pinned fresh; do
		read -r _ _ attempted failed _ <<<"$(grep '^window heal ' "$TOPO_TMP/$p.calls")"
		expect "((attempted > 0 && failed == 0))" "every $p call placed after the heal answered ($failed of $attempted not)"
		info "$MODE $p: calls ringing at the split answered ${S[$p.split.inflight_ok]} of ${S[$p.split.inflight]}," \
			"at the heal ${S[$p.heal.inflight_ok]} of ${S[$p.heal.inflight]};" \
			"placed during the split: $(awk '$1 == "window" && $2 == "split" { print $4 " of " $3 " failed" }' "$TOPO_TMP/$p.calls")"
	done
	info "$MODE: replies the trunks dropped (un-NATed): ${S[unnated]}"
}

# first_answer PROVIDER EPOCH: ms from EPOCH to the first 200 to an INVITE
# first sent after it, "never" if none came.
first_answer() {
	awk -F'\t' -v t="$2" '
		$4 == "S" && $7 ~ /^INVITE / && !($5 in inv) { inv[$5] = $3 }
		$4 == "R" && $7 ~ /^SIP\/2\.0 200 / && $6 ~ /INVITE/ && ($5 in inv) && inv[$5] >= t &&
			(first == "" || $3 + 0 < first) { first = $3 + 0 }
		END { print first == "" ? "never" : sprintf("%.0f", (first - t) * 1000) }' "$TOPO_TMP/$1.csv"
}

expectations() {
	local p ev
	for p in pinned fresh; do
		expect "((S[$p.attempted] >= RATE * GAP * ${#EVENTS[@]}))" "the $p provider placed its calls (${S[$p.attempted]})"
	done
	for ev in "${EVENTS[@]}"; do
		expect "((S[entries.$ev] > 0 && S[stale.$ev] == 0))" \
			"after $ev every SIP entry of the master is current (${S[stale.$ev]} of ${S[entries.$ev]} not)"
	done
	if [[ $MODE == partition ]]; then
		partition_expectations
		return
	fi
	expect "[[ \${S[cycle.b]} == \"\${S[cycle.c]}\" ]]" \
		"the degraded tier agrees on backend2's new epoch (lb-b ${S[cycle.b]}, lb-c ${S[cycle.c]})"
	expect "[[ \${S[back_a.master]} == c && \${S[back_b.master]} == c ]]" \
		"the hosts that came back stayed backup (master after lb-a's return: ${S[back_a.master]}, lb-b's: ${S[back_b.master]})"
	if [[ $MODE == conntrackd ]]; then
		for p in pinned fresh; do
			# Routing: none lost. Timing, as incident.sh judges it: a
			# late call had its 180 back; at most 1 in 100 here (one
			# in 1,160 seen once right after the cycle, its 200s
			# never back: not explained yet, see the evidence lines).
			expect "((S[$p.lost] == 0))" \
				"routing: no $p call placed outside the events lost (${S[$p.lost]} of ${S[$p.attempted]})"
			expect "((S[$p.late] * 100 <= S[$p.attempted]))" \
				"timing: at most 1 in 100 $p calls placed outside the events late (${S[$p.late]} of ${S[$p.attempted]})"
			for ev in f1crash f2off f3crash; do
				expect "((S[$p.$ev.inflight] > 0 && S[$p.$ev.inflight_ok] == S[$p.$ev.inflight]))" \
					"every $p call ringing at $ev answered (${S[$p.$ev.inflight_ok]} of ${S[$p.$ev.inflight]})"
			done
			info "$MODE $p: placed while an event ran: ${S[$p.during]}, of which failed $((S[$p.failed] - S[$p.lost] - S[$p.late]))"
		done
		expect "[[ \${S[f3.a.before]} != \"\${S[cycle.c]}\" && \${S[f3.a.after]} == \"\${S[cycle.c]}\" ]]" \
			"lb-a missed the cycle (${S[f3.a.before]}) and adopted the tier's epoch at its takeover (${S[f3.a.after]} = lb-c's ${S[cycle.c]})"
	else
		# Without conntrackd a ringing call's 200 finds no entry on the
		# new master, leaves it from the backend's address, and the
		# provider's trunk drops it: the calls in flight are lost.
		expect "((S[unnated] > 0))" "replies left the new master un-NATed (${S[unnated]})"
		local ringing=0 lost=0
		for p in pinned fresh; do
			ringing=$((ringing + ${S[$p.f1crash.inflight]}))
			lost=$((lost + ${S[$p.f1crash.inflight]} - ${S[$p.f1crash.inflight_ok]}))
		done
		expect "((lost > 0))" "calls ringing at f1crash lost without conntrackd ($lost of $ringing)"
	fi
}

for m in "$@"; do
	run_mode "$m"
done
((UNMET == 0)) || fail "$UNMET expectation(s) unmet"
