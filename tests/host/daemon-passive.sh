#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailoverd's passive health checks on the host kernel: a provider's
# INVITEs (sipp) through the VIP, SIP servers (sipp) behind it, and active
# probes too slow to matter (every 3 s), so that what takes a backend down
# is the traffic:
#  - the health counters table counts INVITEs forwarded to each backend
#    and datagrams back from it;
#  - a SIP server that hangs (stopped: its address and MAC stay, nothing
#    answers) while calls reach it: suspect, probed at once, down, with the
#    cause in the log, and the calls go on on another backend;
#  - a SIP server that answers OPTIONS but never an INVITE: down, by the
#    passive side alone (its probes pass);
#  - a provider that sends only ACKs and keepalives is no reason, and a
#    backend's UDP that is not a SIP response is no answer;
#  - after a takeover, calls whose replies go elsewhere are no reason
#    either, until a reply reaches this host;
#  - probes that fail while the backend answers calls are no reason.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

command -v sipp >/dev/null || fail "no sipp (scripts/setup installs sip-tester)"
netns_setup 3
HEALTH_CONF='interval_ms = 3000; timeout_ms = 300; jitter_percent = 0; rise = 1; fall = 3; passive_ms = 500;'
daemon_conf backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" backend3 "${BACKEND4[3]}"

declare -A SIPP=()
sip_up() { # I [SCENARIO_XML]
	local sc=(-sn uas)
	[[ -z ${2:-} ]] || sc=(-sf "$2")
	ns_bg "${NS_BACKEND[$1]}" "$NETNS_TMP/sipp-$1.log" \
		sipp "${sc[@]}" -aa -i "${BACKEND4[$1]}" -p 5060 -nostdin
	SIPP[$1]=$NETNS_LAST_PID
	wait_for 10 ns_backend "$1" ss -Hlun "src ${BACKEND4[$1]}:5060"
}
sip_kill() {
	kill -KILL "${SIPP[$1]}"
	wait "${SIPP[$1]}" 2>/dev/null || true
}
state_is() { [[ $(backend_field "$1" state) == "$2" ]]; }
health_is() { [[ $(backend_field "$1" health) == "$2" ]]; }
counter() { # tx|rx ADDR: its packets in the health counters table
	ns_lb nft list counter inet ctfailover_health "$1-$2" |
		awk '$1 == "packets" { print $2 }'
}
at_least() { (($("${@:2}") >= $1)); } # MIN CMD...: for wait_for
# port_on NAME: a client source port whose new flow goes to NAME.
port_on() {
	local p
	for ((p = 41000; p < 41200; p++)); do
		[[ $(where 4 "$p") != "$1" ]] || { echo "$p"; return; }
	done
	fail "no port of 41000..41199 goes to $1"
}

cd "$NETNS_TMP" # sipp writes files into its working directory
for i in 1 2 3; do sip_up "$i"; done
daemon_start
for i in 1 2 3; do wait_for 15 health_is "backend$i" up; done

# A provider on one source port: its flow's backend is the one to break.
port=40000
b=$(where 4 "$port")
i=${b#backend}
[[ $i =~ ^[1-3]$ ]] || fail "where: '$b'"
ns_bg "$NS_CLIENT" "$NETNS_TMP/uac.log" sipp -sn uac "$VIP4:5060" -i "$CLIENT4" \
	-p "$port" -r 5 -m 2000 -recv_timeout 4000 -nostdin
UAC=$NETNS_LAST_PID
wait_for 10 at_least 5 counter tx "${BACKEND4[$i]}"
assert_ge 5 "$(counter rx "${BACKEND4[$i]}")" "datagrams from $b"
pass "the health counters count INVITEs to $b and its answers"

# Someone deletes the table (nft flush ruleset, a firewall reload): it comes back.
ns_lb nft delete table inet ctfailover_health
wait_for 10 ns_lb nft list counter inet ctfailover_health "tx-${BACKEND4[$i]}"
wait_for 10 at_least 5 counter tx "${BACKEND4[$i]}"
assert_match 'health: .*; the table is made again in 5 s' "$(daemon_log)" "the daemon's log"
pass "the counters' table, deleted by hand, is made again and counts"

# Hang: stopped, it keeps its address and MAC and answers nothing.
kill -STOP "${SIPP[$i]}"
wait_for 15 state_is "$b" down
assert_match "state backend=$b active->down source=probe cause=\"health: calls unanswered for [0-9]+ ms, then a probe failed \(timeout\)\"" \
	"$(daemon_log)" "the daemon's log"
assert_match "health: backend=$b suspect: [0-9]+ datagrams forwarded to it unanswered" \
	"$(daemon_log)" "the daemon's log"
pass "a SIP server that hangs under calls: suspect, probed at once, down by the traffic"

# The provider's calls go on, on another backend.
others_rx() {
	local j n=0
	for j in 1 2 3; do
		((j == i)) || n=$((n + $(counter rx "${BACKEND4[$j]}")))
	done
	echo "$n"
}
n=$(others_rx)
wait_for 10 at_least $((n + 5)) others_rx
pass "the provider's calls are answered by the other backends"
kill -CONT "${SIPP[$i]}"
wait_for 15 state_is "$b" active
kill -USR1 "$UAC"
wait "$UAC" 2>/dev/null || true

# ACKs and keepalives, never answered by a SIP server, are not counted.
port=$(port_on "$b")
t0=$(counter tx "${BACKEND4[$i]}")
log0=$(daemon_log | wc -l)
udp_send "$NS_CLIENT" -s "$port" -n 30 -i 100 -m $'ACK sip:x@y SIP/2.0\r\n\r\n' "$VIP4" 5060 || true
udp_send "$NS_CLIENT" -s "$port" -n 10 -i 100 -m $'\r\n\r\n' "$VIP4" 5060 || true
assert_eq "$t0" "$(counter tx "${BACKEND4[$i]}")" "INVITEs counted to $b"
assert_eq active "$(backend_field "$b" state)" "$b's state"
! daemon_log | tail -n +"$((log0 + 1))" | grep "backend=$b suspect" >/dev/null ||
	fail "$b was suspected for ACKs and keepalives"
pass "4 s of ACKs and keepalives only: not counted, no suspicion"

# Its answers are SIP responses: other UDP it sends back on a flow (a
# server on its SIP port that is not SIP) is not counted.
sip_kill "$i"
ns_bg "${NS_BACKEND[$i]}" "$NETNS_TMP/other.log" "$CTF_UDP" serve -N 'not SIP' 5060
OTHER=$NETNS_LAST_PID
wait_for 10 ns_backend "$i" ss -Hlun "src ${BACKEND4[$i]}:5060"
r0=$(counter rx "${BACKEND4[$i]}")
out=$(udp_send "$NS_CLIENT" -s "$(port_on "$b")" -n 5 -i 100 -w 1000 -m 'hello' "$VIP4" 5060 2>&1 || true)
[[ $out == *"replies 5"* ]] || fail "the server on $b's SIP port did not answer: $out"
assert_eq "$r0" "$(counter rx "${BACKEND4[$i]}")" "responses counted from $b after 5 replies that are not SIP"
kill "$OTHER"
wait "$OTHER" 2>/dev/null || true
sip_up "$i"
pass "only SIP responses count as a backend's answers"

# A takeover (the VIP leaves this host and comes back) while the calls'
# replies go elsewhere (dropped before the counters: as if the backends'
# gateway were still another host): no verdict, however long, while the
# probes, answered to this host's own address, pass. The first reply that
# gets here ends the wait.
replies_elsewhere() {
	ns_lb nft -f - <<-EOF
		table inet elsewhere {
			chain pre {
				type filter hook prerouting priority -400; policy accept;
				ip daddr $CLIENT4 udp sport 5060 drop
			}
		}
	EOF
}
log0=$(daemon_log | wc -l)
ns_lb ip addr del "$VIP4/32" dev lo
ns_lb ip addr add "$VIP4/32" dev lo
replies_elsewhere
logged_since() { daemon_log | tail -n +"$((log0 + 1))" | grep -q -- "$1"; }
wait_for 5 logged_since "health: a takeover: passive checks wait"
port=$(port_on "$b")
t0=$(counter tx "${BACKEND4[$i]}")
ns_bg "$NS_CLIENT" "$NETNS_TMP/uac-takeover.log" sipp -sn uac "$VIP4:5060" -i "$CLIENT4" \
	-p "$port" -r 5 -m 2000 -recv_timeout 4000 -nostdin
UAC=$NETNS_LAST_PID
wait_for 10 at_least $((t0 + 20)) counter tx "${BACKEND4[$i]}"
sleep 2 # 4 x passive_ms since the first INVITE, at least
assert_eq active "$(backend_field "$b" state)" "$b's state, its calls' replies going elsewhere after a takeover"
! logged_since "backend=$b suspect" || fail "$b was suspected while its replies went elsewhere after a takeover"
ns_lb nft delete table inet elsewhere
wait_for 10 logged_since "health: responses from .* reach this host again [0-9]* ms after the takeover: passive checks resume"
assert_eq active "$(backend_field "$b" state)" "$b's state once its replies came here"
kill -USR1 "$UAC"
kill -KILL "$UAC" 2>/dev/null || true
wait "$UAC" 2>/dev/null || true
pass "after a takeover, calls unanswered here (their replies elsewhere) are no verdict until a reply comes"

# Its probes are lost (dropped on the way in; the calls, from the
# provider's address, pass) while it answers calls: kept in service, and
# said. Once its calls stop, the failed probes take it down.
log0=$(daemon_log | wc -l)
ns_backend "$i" nft -f - <<-EOF
	table inet noprobes {
		chain in {
			type filter hook input priority -400; policy accept;
			udp dport 5060 ip saddr != $CLIENT4 drop
		}
	}
EOF
port=$(port_on "$b")
ns_bg "$NS_CLIENT" "$NETNS_TMP/uac-noprobes.log" sipp -sn uac "$VIP4:5060" -i "$CLIENT4" \
	-p "$port" -r 5 -m 2000 -recv_timeout 4000 -nostdin
UAC=$NETNS_LAST_PID
wait_for 20 logged_since "health: backend=$b: 3 probes failed in a row (last: timeout), but it answered calls [0-9]* ms ago: kept in service"
sleep 4 # a further probe or two, failed
assert_eq active "$(backend_field "$b" state)" "$b's state, its probes lost, its calls answered"
kill -USR1 "$UAC"
kill -KILL "$UAC" 2>/dev/null || true
wait "$UAC" 2>/dev/null || true
wait_for 20 state_is "$b" down
assert_match "state backend=$b active->down source=probe cause=\"health: [0-9]+ probes failed in a row \(last: timeout\)\"" \
	"$(daemon_log | tail -n +"$((log0 + 1))")" "the daemon's log once the calls stopped"
ns_backend "$i" nft delete table inet noprobes
wait_for 20 state_is "$b" active
pass "probes lost while it answers calls: kept in service; the calls stopped, down; probes back, up"

# Answers OPTIONS, never an INVITE.
cat >"$NETNS_TMP/mute.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answers nothing to an INVITE">
  <recv request="INVITE" />
  <pause milliseconds="600000" />
</scenario>
EOF
sip_kill "$i"
sip_up "$i" "$NETNS_TMP/mute.xml"
wait_for 15 health_is "$b" up
# A fresh source port whose flow goes to it (the first one's entry stays
# on the backend that took it over).
port=$(port_on "$b")
ns_bg "$NS_CLIENT" "$NETNS_TMP/uac2.log" sipp -sn uac "$VIP4:5060" -i "$CLIENT4" \
	-p "$port" -r 5 -m 2000 -recv_timeout 4000 -nostdin
UAC=$NETNS_LAST_PID
wait_for 15 state_is "$b" down
assert_match "state backend=$b active->down source=probe cause=\"health: it answers probes but left [0-9]+ datagrams unanswered for [0-9]+ ms\"" \
	"$(daemon_log)" "the daemon's log"
pass "a SIP server that answers OPTIONS but no INVITE: down by the passive side"
kill -USR1 "$UAC"
kill -KILL "$UAC" 2>/dev/null || true
wait "$UAC" 2>/dev/null || true
daemon_kill TERM
# Stopped, it takes its counters table with it (the data plane stays).
! ns_lb nft list table inet ctfailover_health >/dev/null 2>&1 ||
	fail "the health counters' table outlived the daemon"
ns_lb nft list table inet ctfailover >/dev/null
pass "stopped, the daemon removes its counters table and leaves the data plane"
