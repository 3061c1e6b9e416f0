#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A randomized soak of the promise (docs/architecture.md, "Every entry can
# be moved"), with real SIP calls, reproducible from its seed; run in a VM
# guest (tests/soak/run for make soak, tests/vm/tests/soak.sh for make
# check):
#
#   soak.sh SEED EVENTS
#
# The incident's network (tests/scenarios/lib/topology.sh): two load
# balancers, lb-a and lb-b, with keepalived, ctfailoverd and ctfailover.ko;
# five backends running sipp UAS, three IPv4 (10.0.10.21-23) and two IPv6
# (fd00:10::24-25); two VIPs of each family. Four providers, RATE calls/s
# each: pinned (one source port) calls 10.0.1.10, fresh (a new port per
# call) 10.0.1.20, pinned6 [fd00:1::10], fresh6 [fd00:1::20]. EVENTS events
# are drawn with bash's RANDOM seeded by SEED, each on a backend drawn the
# same way (half the time the one a pinned provider's flow is on):
#   cycle-new     a new instance at a new address; `cycle NAME ADDR` on both
#                 load balancers; the old instance killed a second later
#   cycle-garp    the instance replaced at the same address (new MAC) with a
#                 gratuitous ARP (IPv6: an unsolicited NA); `cycle NAME`
#   cycle-silent  the same, without the gratuitous ARP
#   cycle-twice   cycle-new twice within two seconds
#   drain         drain, 2 s, activate
#   remove-add    remove (--force), 2 s, add again at the same address
#   probe         probe down, 2 s, probe up
#   sighup        the config file moves the backend to a new instance at a
#                 new address; SIGHUP; the old instance killed
#   apply         the same through `ctfailoverctl apply --force`
#   vip           the VIPs to lb-b (keepalived stopped on lb-a) and back
#   daemon-kill   kill -9 of one daemon, started again from its config
#   rmmod         rmmod and modprobe of ctfailover.ko under traffic
# After each event completes, once every provider has placed calls since
# (pace):
#   - every SIP entry to a VIP on either load balancer is current
#     (ctfailoverctl flows: current, or unstamped by the first-epoch rule);
# and the caller's timer later:
#   - no datagram reached an instance that died (counted at its MAC);
# and at the end, in each event's window (from its completion to the next
# event): no call lost (routing: nothing came back to its INVITE), and at
# most 1 in 10 calls of each provider answered late (timing).
# A violation prints "ERROR: soak seed SEED event N (KIND): ..." with the
# evidence and fails.
set -euo pipefail
# shellcheck source=tests/scenarios/lib/topology.sh
. "$(dirname "$0")/../scenarios/lib/topology.sh"
# shellcheck source=tests/scenarios/lib/sip.sh
. "$(dirname "$0")/../scenarios/lib/sip.sh"
CALLS_AWK=$(cd "$(dirname "$0")/../scenarios/lib" && pwd)/calls.awk

[[ ${1:-} =~ ^[0-9]+$ && ${2:-} =~ ^[0-9]+$ ]] || fail "usage: soak.sh SEED EVENTS"
SEED=$1
EVENTS=$2
RANDOM=$SEED

RATE=5
MIN_CALLS=$RATE
RECV_TIMEOUT=4000
VIP2=10.0.1.20
VIP6_2=fd00:1::20
KA_EXTRA_VIPS=("$VIP2" "$VIP6_2")
SCN_VIPS=("$VIP" "$VIP2" "$VIP6" "$VIP6_2")
SCN_BACKENDS=()
ADDR=()
# Five: every sipp costs the guest about a thousand wakeups a second idle,
# and a loaded host must not starve the calls.
for i in 1 2 3 4 5; do
	SCN_BACKENDS+=("backend$i")
	if ((i <= 3)); then ADDR[backend$i]=10.0.10.$((20 + i)); else ADDR[backend$i]=fd00:10::$((20 + i)); fi
done
KINDS=(cycle-new cycle-garp cycle-silent cycle-twice drain remove-add probe
	sighup apply vip daemon-kill rmmod)

EV_N=0
EV_KIND=start
declare -A DEAD_BASE=() # a dead instance's namespace: its count when checked from
EV_LIST=()              # NAME=START:END for calls.awk
declare -A EV_KIND_OF=()
declare -A COUNT=()

violation() {
	echo "ERROR: soak seed $SEED event $EV_N ($EV_KIND): $*"
	exit 1
}

# new_addr NAME: NEW_ADDR, a new address of NAME's family (not in a
# subshell: the count must survive): 10.0.10.30 to .250 or fd00:10::30 to
# ::250, in turn, and round again past the last, skipping those in use: a
# long run reuses the addresses of instances long dead, as a cloud does (and
# a load balancer may still hold a neighbour entry for one).
NEXT4=30
NEXT6=30
new_addr() {
	local fam=4 n i a
	[[ ${ADDR[$1]} != *:* ]] || fam=6
	for ((i = 0; i < 221; i++)); do
		if ((fam == 4)); then
			n=$NEXT4 NEXT4=$((NEXT4 >= 250 ? 30 : NEXT4 + 1)) a=10.0.10.$n
		else
			n=$NEXT6 NEXT6=$((NEXT6 >= 250 ? 30 : NEXT6 + 1)) a=fd00:10::$n
		fi
		in_use "$a" || { NEW_ADDR=$a; return; }
	done
	fail "soak: no free address for a new instance"
}
in_use() {
	local b
	for b in "${!ADDR[@]}"; do [[ ${ADDR[$b]} != "$1" ]] || return 0; done
	for b in "${PREP_ADDR[@]}"; do [[ $b != "$1" ]] || return 0; done
	return 1
}

# pick_backend R: by R (drawn by the caller: a subshell's RANDOM is seeded
# anew), the backend of the pinned provider's flow (R % 4 == 1) or of the
# IPv6 one's (R % 4 == 3) half the time, else any.
pick_backend() {
	local src b r=$1 f=ipv4 from=$PINNED4 port=$PORT
	if ((r % 2)); then
		((r % 4 == 1)) || { f=ipv6 from=$PINNED6 port=$PORT6; }
		src=$(ct_list "${NS_LBS[$(master)]}" -f "$f" -p udp --src "$from" --sport "$port" | ct_reply_src | head -n 1)
		for b in "${SCN_BACKENDS[@]}"; do
			[[ ${ADDR[$b]} != "$src" ]] || { echo "$b"; return; }
		done
	fi
	echo "${SCN_BACKENDS[(r / 2) % ${#SCN_BACKENDS[@]}]}"
}

both() { # ARGS...: the same ctfailoverctl command on both load balancers
	local a
	for a in a b; do dctlx "$a" "$@" >/dev/null || violation "lb-$a: ctfailoverctl $* failed"; done
}

# dies NS: the instance in NS is killed; what reaches it is judged from the
# event's completion on (its successor up, the load balancers told).
DYING=()
dies() {
	instance_kill "$1"
	DYING+=("$1")
}

# --- the events -------------------------------------------------------------------

# An event that brings up a new instance at a new address has it made
# before it starts, while the previous event's calls are still being
# judged (prepare): nothing sends to an address no load balancer knows, so
# the event itself is only what the load balancers see. PREP_ADDR holds
# the addresses made ready, PREP_NS their namespaces, in the order the
# event uses them; prepared() hands out the next.
PREP_ADDR=()
PREP_NS=()
prepare() { # KIND NAME
	local n=0 i old
	case $1 in
	cycle-new | sighup | apply) n=1 ;;
	cycle-twice) n=2 ;;
	esac
	old=${NS_INST[$2]}
	for ((i = 0; i < n; i++)); do
		new_addr "$2"
		instance_up "$2" "$NEW_ADDR"
		PREP_ADDR+=("$NEW_ADDR")
		PREP_NS+=("${NS_INST[$2]}")
	done
	NS_INST[$2]=$old # until the event moves it
}
prepared() { # NAME: NEW_ADDR and NS_INST[NAME], the next prepared instance
	NEW_ADDR=${PREP_ADDR[0]}
	NS_INST[$1]=${PREP_NS[0]}
	PREP_ADDR=("${PREP_ADDR[@]:1}")
	PREP_NS=("${PREP_NS[@]:1}")
}

ev_cycle_new() {
	local b=$1 old=${NS_INST[$1]} addr
	prepared "$b"
	addr=$NEW_ADDR
	ADDR[$b]=$addr
	both cycle "$b" "$addr"
	sleep 1
	dies "$old"
}

ev_cycle_same() { # NAME garp|""
	local old=${NS_INST[$1]}
	dies "$old"
	instance_up "$1" "${ADDR[$1]}" "$2"
	both cycle "$1"
}
ev_cycle_garp() { ev_cycle_same "$1" garp; }
ev_cycle_silent() { ev_cycle_same "$1" ""; }

ev_cycle_twice() {
	ev_cycle_new "$1"
	sleep 1
	ev_cycle_new "$1"
}

ev_drain() {
	both drain "$1"
	sleep 2
	both activate "$1"
}

ev_remove_add() {
	both remove "$1" --force
	sleep 2
	both add "$1" "${ADDR[$1]}"
}

ev_probe() {
	both probe "$1" down
	sleep 2
	both probe "$1" up
}

# config_move NAME HOW: the config file moves NAME to a new instance at a
# new address; HOW is sighup or apply.
config_move() {
	local b=$1 old=${NS_INST[$1]} addr a
	prepared "$b"
	addr=$NEW_ADDR
	ADDR[$b]=$addr
	for a in a b; do
		daemon_conf "$a"
		if [[ $2 == sighup ]]; then
			kill -HUP "${D_PID[$a]}"
		else
			dctlx "$a" apply --force >/dev/null || violation "lb-$a: apply failed"
		fi
	done
	for a in a b; do
		wait_for 10 bash -c "ctfailoverctl -s $TOPO_TMP/control-$a.sock backends | grep -qw $addr"
	done
	sleep 1
	dies "$old"
}
ev_sighup() { config_move "$1" sighup; }
ev_apply() { config_move "$1" apply; }

ev_vip() {
	keepalived_stop a
	wait_for 10 is_master b
	sleep 1
	keepalived_start a 150
	wait_for 15 is_master a
}

ev_daemon_kill() {
	local a=a
	((RANDOM % 2)) || a=b
	kill -KILL "${D_PID[$a]}"
	{ wait "${D_PID[$a]}"; } 2>/dev/null || true
	reaped "${D_PID[$a]}"
	daemon_up "$a"
}

eviction() { dctlx "$1" status | awk '$1 == "eviction" { print $2 }'; }
evicting_by() { [[ $(eviction "$1") == "$2" ]]; }
ev_rmmod() {
	local a
	rmmod ctfailover
	for a in a b; do wait_for 10 evicting_by "$a" ctnetlink; done
	sleep 1
	modprobe ctfailover
	for a in a b; do wait_for 10 evicting_by "$a" module; done
}

# --- the checks after each event ------------------------------------------------

check_dead() {
	local ns n
	for ns in "${!DEAD_BASE[@]}"; do
		n=$(($(dead_rx "$ns") - DEAD_BASE[$ns]))
		((n == 0)) || violation "$n datagrams reached the dead instance $ns after it died" \
			"(lb-a: $(ip -n "${NS_LBS[a]}" neigh show | tr '\n' ';'))"
		# Judged once after its death: it goes, with its counter.
		ip netns del "$ns"
		unset "DEAD_BASE[$ns]"
	done
}

# VIPS_RE: " -> VIP:5060 " in flows' output, for every VIP.
VIPS_RE=$(for v in "${SCN_VIPS[@]}"; do
	[[ $v != *:* ]] || v="[$v]"
	printf '%s\n' "$v:5060" | sed 's/[].[]/\\&/g'
done | paste -sd'|' -)
VIPS_RE=" -> ($VIPS_RE) "

# settled a|b: lb-X has every backend active and its health checks say up:
# what every event leaves once the checks have judged it. The checks act on
# their own time (a backend that died in a cycle's gap goes down, and comes
# back as a new instance a couple of probes after its successor answers),
# so their last bump may follow the event's completion.
settled() {
	dctlx "$1" backends | awk 'NR > 1 && ($4 != "active" || ($NF != "up" && $NF != "off")) { bad = 1 }
		END { exit bad }'
}

# not_current a|b: the SIP entries to a VIP on lb-X that are not current.
not_current() {
	grep -E "$VIPS_RE" <<<"$(ns_lbx "$1" ctfailoverctl flows)" | grep -vE ' verdict (current|unstamped) ' || true
}

# check_flows: once both load balancers are settled, every SIP entry to a
# VIP is current on both, or is a sweep delay (1 s) later (the last bump may
# have just made it stale: its next packet re-steers it, and the sweep
# deletes it if none comes); and the view is not empty: the master shows
# both pinned flows.
check_flows() {
	local a flows bad m pin i
	for a in a b; do
		for ((i = 0; i < 60; i++)); do
			settled "$a" && break
			sleep 0.5
		done
		settled "$a" || violation "lb-$a: not settled 30 s after the event:" $'\n'"$(dctlx "$a" backends)"
	done
	m=$(master)
	for a in a b; do
		bad=$(not_current "$a")
		[[ -z $bad ]] || { sleep 1.5 && bad=$(not_current "$a"); }
		[[ -z $bad ]] || violation "lb-$a has SIP entries to a VIP that are not current:" \
			$'\n'"$bad"$'\n'"module: $(ns_lbx "$a" ctfailoverctl module backends | tr '\n' ';')"
		flows=$(ns_lbx "$a" ctfailoverctl flows)
		[[ $a == "$m" ]] || continue
		for pin in "udp $PINNED4:$PORT -> $VIP:5060 " "udp [$PINNED6]:$PORT6 -> [$VIP6]:5060 "; do
			grep -qF "$pin" <<<"$flows" ||
				violation "lb-$a, the master, shows no entry '$pin' (ctfailoverctl flows)"
		done
	done
}

# lost_calls PROVIDER WHAT: the violation, with the evidence of the first
# three calls lost (call_evidence).
lost_calls() {
	local id
	awk '$1 == "bad" && $3 == "lost" && $4 == "" && n++ < 3 { print $2 }' "$TOPO_TMP/$1.calls" |
		while read -r id; do
			info "$1 call $id lost:"
			call_evidence "$1" "$id"
		done
	drops_report
	violation "$2"
}

# --- the run ----------------------------------------------------------------------

modprobe ctfailover
topo_setup
for b in "${SCN_BACKENDS[@]}"; do instance_up "$b" "${ADDR[$b]}"; done
for a in a b; do
	daemon_up "$a"
	ct_trace "$a"
done
keepalived_start a 150
keepalived_start b 100
wait_for 15 is_master a
PORT=$((40000 + RANDOM % 10000))
PORT6=$((40000 + RANDOM % 10000))
info "soak seed $SEED, $EVENTS events; pinned providers $PINNED4:$PORT -> $VIP," \
	"[$PINNED6]:$PORT6 -> [$VIP6]; fresh $FRESH4 -> $VIP2, $FRESH6 -> [$VIP6_2]"

T0=$EPOCHREALTIME
secs=$((EVENTS * 30))
uac "$NS_PINNED" pinned "$PINNED4" "$VIP:5060" "$secs" -p "$PORT" -t u1
uacs=("$NETNS_LAST_PID")
uac "$NS_FRESH" fresh "$FRESH4" "$VIP2:5060" "$secs" -t un -max_socket 512
uacs+=("$NETNS_LAST_PID")
uac "$NS_PINNED" pinned6 "$PINNED6" "[$VIP6]:5060" "$secs" -p "$PORT6" -t u1
uacs+=("$NETNS_LAST_PID")
uac "$NS_FRESH" fresh6 "$FRESH6" "[$VIP6_2]:5060" "$secs" -t un -max_socket 512
uacs+=("$NETNS_LAST_PID")
pace --flowing

# draw: the next event (NEXT_KIND on NEXT_B), its instances prepared.
draw() {
	local r
	NEXT_KIND=${KINDS[RANDOM % ${#KINDS[@]}]}
	r=$RANDOM
	NEXT_B=$(pick_backend "$r")
	prepare "$NEXT_KIND" "$NEXT_B"
}

draw
for ((EV_N = 1; EV_N <= EVENTS; EV_N++)); do
	EV_KIND=$NEXT_KIND
	b=$NEXT_B
	ts=$EPOCHREALTIME
	"ev_${EV_KIND//-/_}" "$b"
	te=$EPOCHREALTIME
	EV_LIST+=("ev$EV_N=$ts:$te")
	EV_KIND_OF[ev$EV_N]=$EV_KIND
	COUNT[$EV_KIND]=$((${COUNT[$EV_KIND]:-0} + 1))
	for ns in "${DYING[@]}"; do DEAD_BASE[$ns]=$(dead_rx "$ns"); done
	DYING=()
	for a in a b; do daemon_conf "$a"; done
	pace --flowing
	tf=$EPOCHREALTIME
	check_flows
	tc=$EPOCHREALTIME
	# The next event drawn and made ready while the caller's timer runs.
	((EV_N == EVENTS)) || draw
	tp=$EPOCHREALTIME
	settle
	check_dead
	info "event $EV_N: $EV_KIND $b ($(awk -v s="$ts" -v e="$te" -v f="$tf" -v c="$tc" -v p="$tp" -v n="$EPOCHREALTIME" \
		'BEGIN { printf "%.1f s; calls flowing %.1f s later, flows checked in %.1f s, the next prepared in %.1f s; %.1f s in all", e - s, f - e, c - f, p - c, n - s }'))"
done

uac_stop soak "${uacs[@]}"

EV_KIND=calls
for p in "${PROVIDERS[@]}"; do
	awk -F'\t' -v t0="$T0" -v events="${EV_LIST[*]}" -v margin=$((RECV_TIMEOUT / 1000)) \
		-v timer=$((RECV_TIMEOUT / 1000)) \
		-f "$CALLS_AWK" "$TOPO_TMP/$p.csv" "$TOPO_TMP"/*.uas.csv "$TOPO_TMP/$p.err" >"$TOPO_TMP/$p.calls"
	read -r att ans failed _ lost late during <<<"$(awk '$1 == "sum" { $1 = ""; print }' "$TOPO_TMP/$p.calls")"
	# A file, not a process substitution: the guest has no /dev/fd.
	grep '^window ' "$TOPO_TMP/$p.calls" >"$TOPO_TMP/$p.windows" || true
	info "$p: attempted $att answered $ans failed $failed (lost $lost, late $late; placed during an event: $during)"
	while read -r _ ev wa _ _ wl; do
		EV_N=${ev#ev}
		EV_KIND=${EV_KIND_OF[$ev]}
		((wl == 0)) || lost_calls "$p" "$wl of $wa $p calls placed after the event completed were lost"
	done <"$TOPO_TMP/$p.windows"
	EV_N=all
	EV_KIND=calls
	((att >= EVENTS * MIN_CALLS)) || violation "$p placed $att calls, fewer than $((EVENTS * MIN_CALLS))"
	((late * 10 <= att)) || violation "timing: $late of $att $p calls answered late"
done
kinds=$(for k in "${!COUNT[@]}"; do echo "$k ${COUNT[$k]}"; done | sort | tr '\n' ',' | sed 's/,$//; s/,/, /g')
info "soak: $(du -sm "$TOPO_TMP" | cut -f1) MB of messages and conntrack events"
pass "soak seed $SEED: $EVENTS events ($kinds) in $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s: no datagram to a dead instance, every entry current, no call lost"
