#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailoverd's pinned canary (userspace/daemon/canary.h) on the host
# kernel, against real SIP servers (sipp answering OPTIONS) in network
# namespaces; ctnetlink mode (no module here):
#  - OPTIONS through each VIP (IPv4, IPv6) from the lb itself, from port
#    5099, DNATed by the data plane's output chain to the backend the hash
#    picks: verdict ok, the entry's backend named, `canary` exits 0;
#  - the pinned path broken while the backends answer their own probes
#    (the canary's backend drops what comes from port 5099, as a dead
#    pinned entry would lose it): the alarm (exit 3, metric, log), and off
#    again when the path works;
#  - the daemon restarted without the canary's backend: the entry evicted,
#    the canary ok on a backend of the config;
#  - every backend dead: failing, but the backends' outage, not the alarm;
#  - the canary's port taken: the canary is off and says why, the daemon
#    runs; canary_port = 0: off.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

command -v sipp >/dev/null || fail "no sipp (scripts/setup installs sip-tester)"
command -v conntrack >/dev/null || fail "no conntrack (scripts/setup installs it)"
netns_setup 3
CANARY='canary_interval_ms = 200; canary_fall = 3;'
HEALTH_CONF="interval_ms = 200; timeout_ms = 150; jitter_percent = 0; rise = 2; fall = 2; passive_ms = 0; $CANARY"
conf() {
	daemon_conf -6 backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" \
		backend3 "${BACKEND4[3]}" backend1-v6 "${BACKEND6[1]}"
}
conf

# sip_up I [6]: a SIP server (sipp, answering OPTIONS) on backend I.
declare -A SIPP=()
sip_up() {
	local a=${BACKEND4[$1]} cp=8888 mp=6000
	[[ ${2:-} != 6 ]] || a=${BACKEND6[$1]} cp=8889 mp=6100
	ns_bg "${NS_BACKEND[$1]}" "$NETNS_TMP/sipp-$1-${2:-4}.log" \
		sipp -sn uas -aa -i "$a" -p 5060 -cp "$cp" -mp "$mp" -nostdin
	SIPP[$1.${2:-4}]=$NETNS_LAST_PID
	wait_for 10 ns_backend "$1" ss -Hlun "src $a:5060"
}
sip_kill() {
	kill -KILL "${SIPP[$1.${2:-4}]}"
	wait "${SIPP[$1.${2:-4}]}" 2>/dev/null || true
}
state_is() { [[ $(backend_field "$1" state) == "$2" ]]; }
health_is() { [[ $(backend_field "$1" health) == "$2" ]]; }
# canary_field VIP FIELD: a field of `ctfailoverctl -j canary` for VIP.
canary_field() {
	dctl -j canary | python3 -c '
import json, sys
for v in json.load(sys.stdin)["vips"]:
    if v["vip"] == sys.argv[1]:
        print(v[sys.argv[2]])' "$1" "$2"
}
canary_is() { [[ $(canary_field "$1" "$2") == "$3" ]]; }
canary_rc() {
	local rc=0
	dctl canary >/dev/null 2>&1 || rc=$?
	echo "$rc"
}
rc_is() { [[ $(canary_rc) == "$1" ]]; }
alarm_metric() {
	metric "ctfailover_canary_alarm{vip=\"$1\",port=\"5060\"}"
}

cd "$NETNS_TMP" # sipp writes files into its working directory
for i in 1 2 3; do sip_up "$i"; done
sip_up 1 6
daemon_start
for b in backend1 backend2 backend3 backend1-v6; do
	wait_for 10 health_is "$b" up
done

# --- the canary through each VIP -------------------------------------------
wait_for 10 canary_is "$VIP4" verdict ok
wait_for 10 canary_is "$VIP6" verdict ok
out=$(dctl canary)
assert_match 'SIP OPTIONS through each VIP from port 5099 every 200 ms; alarm after 3 bad in a row' "$out" "canary header"
assert_eq 0 "$(canary_rc)" "canary's exit status, all ok"
# The backend it names is the one the data plane's hash picks for a flow
# from the VIP's own address and port 5099 (the canary's source), and the
# one its conntrack entry goes to.
b4=$(canary_field "$VIP4" backend)
assert_eq "$(dctl where "$VIP4" 5099 | awk '{ print $4 }')" "$b4" "the IPv4 canary's backend, as the hash says"
assert_match '^backend[123]$' "$b4" "the IPv4 canary's backend"
assert_eq backend1-v6 "$(canary_field "$VIP6" backend)" "the IPv6 canary's backend"
to=$(ct_list "$NS_LB" -f ipv4 -p udp --sport 5099 --dport 5060 | ct_reply_src)
assert_eq "$(canary_field "$VIP4" to)" "$to" "the canary's entry, as conntrack lists it"
assert_eq 1 "$(metric "ctfailover_canary_ok{vip=\"$VIP4\",port=\"5060\"}")" "canary ok metric"
assert_eq 0 "$(alarm_metric "$VIP4")" "canary alarm metric"
assert_eq 1 "$(metric ctfailover_canary_enabled)" "canary enabled metric"
ns_lb nft list chain inet ctfailover output >/dev/null || fail "no output chain in the data plane"
pass "the canary through each VIP from the lb (IPv4 and IPv6): ok, by the backend the hash picks ($b4)"

# --- the pinned path broken, the backends alive -------------------------------
i=${b4#backend}
ns_backend "$i" nft -f - <<-EOF
	table inet canary_drop {
		chain input {
			type filter hook input priority 0; policy accept;
			udp sport 5099 counter drop
		}
	}
EOF
wait_for 10 rc_is 3
assert_eq failing "$(canary_field "$VIP4" verdict)" "the IPv4 canary's verdict"
assert_eq True "$(canary_field "$VIP4" alarm)" "the IPv4 canary's alarm"
assert_eq 1 "$(alarm_metric "$VIP4")" "canary alarm metric"
assert_eq 0 "$(alarm_metric "$VIP6")" "the IPv6 canary's alarm metric"
assert_eq up "$(backend_field "$b4" health)" "$b4's own probes"
assert_eq active "$(backend_field "$b4" state)" "$b4's state"
out=$(dctl canary) && fail "canary exits 0 in alarm"
assert_match "ALARM +[0-9]+ +$b4 " "$out" "canary's table in alarm"
assert_match "canary: ALARM: the pinned path through $VIP4:5060 is broken: 3 bad in a row; last: no answer within 200 ms; its entry goes to $b4 \\(${BACKEND4[$i]}\\), which answers its own probes" \
	"$(daemon_log)" "the daemon's log"
pass "the pinned path broken while $b4 answers its own probes: the alarm (exit 3, metric, log)"

ns_backend "$i" nft delete table inet canary_drop
wait_for 10 rc_is 0
assert_eq ok "$(canary_field "$VIP4" verdict)" "the IPv4 canary's verdict"
assert_eq 0 "$(alarm_metric "$VIP4")" "canary alarm metric"
assert_match "canary: the pinned path through $VIP4:5060 works again after [0-9]+ ms: answered 200 by $b4" \
	"$(daemon_log)" "the daemon's log"
pass "the path works again: the alarm off, said"

# --- restarted without the canary's backend ----------------------------------
# The start's plan removes it and evicts its entries: the canary's next
# entry goes to a backend of the config, and says so.
daemon_kill TERM
keep=()
for b in 1 2 3; do
	[[ backend$b == "$b4" ]] || keep+=("backend$b" "${BACKEND4[b]}")
done
daemon_conf -6 "${keep[@]}" backend1-v6 "${BACKEND6[1]}"
daemon_start
assert_match "ctnetlink: evicted [1-9][0-9]* of [0-9]+ entries with reply source ${BACKEND4[$i]} \\(backend removed\\)" \
	"$(daemon_log)" "the start's eviction"
wait_for 10 canary_is "$VIP4" verdict ok
b=$(canary_field "$VIP4" backend)
[[ $b != "$b4" && $b == backend[123] ]] || fail "the canary's backend after the restart: '$b'"
assert_eq "$(dctl where "$VIP4" 5099 | awk '{ print $4 }')" "$b" "the canary's backend, as the hash now says"
assert_eq 0 "$(canary_rc)" "canary's exit status"
pass "restarted without the canary's backend ($b4): its entry evicted, the canary ok on $b"
daemon_kill TERM
conf
daemon_start
wait_for 10 rc_is 0

# --- every backend dead: their outage, not the canary's alarm ----------------
for i in 1 2 3; do sip_kill "$i"; done
sip_kill 1 6
wait_for 15 canary_is "$VIP4" verdict failing
wait_for 15 bash -c "ctfailoverctl -s '$SOCK' probes | grep -q PANIC"
f0=$(canary_field "$VIP4" failures)
more_failures() { (($(canary_field "$VIP4" failures) >= f0 + 10)); }
wait_for 10 more_failures
# Its backend kept in service (panic) fails too, or, all of its family
# down, its entry is not NATed.
assert_match 'which fails its own probes too|is not NATed' "$(canary_field "$VIP4" last)" "the failing verdict's reason"
assert_eq False "$(canary_field "$VIP4" alarm)" "the IPv4 canary's alarm"
assert_eq 0 "$(canary_rc)" "canary's exit status"
pass "every backend dead: the canary fails, but that is the backends' outage, not its alarm"

# --- back: every pinned path works again -------------------------------------
# The IPv6 VIP had no backend in service for a while: the canary's entry
# made then is not NATed, and stays so while the canary keeps it alive (as
# a provider's would) unless something deletes it.
for i in 1 2 3; do sip_up "$i"; done
sip_up 1 6
for b in backend1 backend2 backend3 backend1-v6; do
	wait_for 15 state_is "$b" active
done
wait_for 15 rc_is 0
assert_eq ok "$(canary_field "$VIP4" verdict)" "the IPv4 canary's verdict"
assert_eq ok "$(canary_field "$VIP6" verdict)" "the IPv6 canary's verdict"
pass "the servers back: both pinned paths work again, no alarm"

# --- a canary of its own, from a monitoring host ------------------------------
# ctfailoverctl canary --to, from the client namespace: pinned through the
# VIP from port 5099, and each backend directly from a new port.
mon() {
	ns_client ctfailoverctl canary --to "$VIP4" --interval 200 --fall 3 \
		--direct "${BACKEND4[1]}" --direct "${BACKEND4[2]}:5060" --direct "${BACKEND4[3]}" "$@"
}
rc=0
out=$(mon --count 3) || rc=$?
assert_eq 0 "$rc" "a monitoring host's canary, all answered: exit status"
assert_match "round 3: pinned from port 5099: $VIP4:5060 200 in [0-9.]+ ms; direct: ${BACKEND4[1]}:5060 200 in" "$out" "its rounds"
bm=$(dctl where "$CLIENT4" 5099 | awk '{ print $4 }')
i=${bm#backend}
ns_backend "$i" nft -f - <<-EOF
	table inet canary_drop {
		chain input {
			type filter hook input priority 0; policy accept;
			ip saddr $CLIENT4 udp sport 5099 counter drop
		}
	}
EOF
rc=0
out=$(mon --count 4) || rc=$?
assert_eq 3 "$rc" "a monitoring host's canary, its path broken: exit status"
assert_match "round 3: pinned from port 5099: $VIP4:5060 no answer; direct: .*; ALARM" "$out" "its third round"
assert_match 'ALARM: the pinned path is broken: 4 rounds in a row unanswered while a backend answered directly' "$out" "its verdict"
out=$(ns_client ctfailoverctl -j canary --to "$VIP4" --interval 200 --count 3 --direct "${BACKEND4[$i]}") && fail "exit 0 in alarm"
assert_match '"alarm": *true' "$out" "its JSON"
ns_backend "$i" nft delete table inet canary_drop
out=$(mon --count 2) || fail "a monitoring host's canary after the path is back: $out"
rc=0
ns_client ctfailoverctl canary --to "$VIP4:0" >/dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "a bad --to: exit status"
pass "a monitoring host's canary (--to): ok, the alarm (exit 3) while $bm answers directly but not pinned, ok again"

# --- off: its port taken, or none ----------------------------------------------
daemon_kill TERM
ns_bg "$NS_LB" "$NETNS_TMP/squatter.log" "$CTF_UDP" serve -N squatter 5099
wait_for 10 ns_lb ss -Hlun "sport = :5099"
daemon_start
rc=0
out=$(dctl canary 2>&1) || rc=$?
assert_eq 1 "$rc" "canary's exit status, its port taken"
assert_match 'the canary is off: binding IPv4 port 5099: Address already in use' "$out" "canary, its port taken"
assert_eq 0 "$(metric ctfailover_canary_enabled)" "canary enabled metric"
wait_for 10 health_is backend1 up
pass "the canary's port taken: the canary is off and says why; the health checks run"
daemon_kill TERM
HEALTH_CONF="$HEALTH_CONF canary_port = 0;"
conf
daemon_start
out=$(dctl canary 2>&1) && fail "canary exits 0 when off"
assert_match 'the canary is off \(health.canary_port = 0\)' "$out" "canary with canary_port = 0"
pass "canary_port = 0: no canary, said"
