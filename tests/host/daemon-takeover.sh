#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Taking over the VIP evicts nothing; giving it up evicts everything (no
# module on the host kernel, so this is ctnetlink mode). The lb
# starts as keepalived's backup, without the VIP; calls are already
# forwarded through it (the nft DNAT needs no local VIP), as the calls that
# move with the VIP are by the time the daemon hears of the move:
#  - a daemon (re)started while the VIP is elsewhere says so and leaves the
#    live entry alone;
#  - the VIP is added and keepalived writes MASTER: the daemon logs each
#    as a takeover that evicts nothing because the entries are live, and
#    counts it; a call's conntrack entry is the same one (same id) and keeps
#    counting packets, and every answer reaches the client from the VIP;
#    and a ringing call (an INVITE answered at once, then again 3 s later,
#    with the VIP moving in between) gets its late answer from the VIP.
#    Before, each event deleted every entry, and that late answer left the
#    lb un-NATed, from the backend's own address (what failed a SIP call in
#    the end-to-end scenario; this is what can fail here);
#  - keepalived writes BACKUP: every entry of the backends is gone;
#  - with a new entry, the VIP is removed: gone again.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

SPORT=43210
RINGING_SPORT=43211

netns_setup 2
# Packet counts in conntrack -L: the live entry's counter must keep rising.
ns_lb sysctl -qw net.netfilter.nf_conntrack_acct=1
# This lb is the backup: the VIP is on the other one.
ip -n "$NS_LB" addr del "$VIP4/32" dev lo
daemon_conf backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}"

# Each backend answers every datagram with its name, and an INVITE a
# second time 3 s later (a 200 OK after ringing): the provider sends
# nothing in between, so until then the entry is all that un-NATs.
cat >"$NETNS_TMP/backend.py" <<'PY'
import socket, sys, threading
name = sys.argv[1].encode()
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5060))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(name, peer)
    if data.startswith(b"INVITE"):
        threading.Timer(3.0, s.sendto, (name + b" 200 OK", peer)).start()
PY
# The ringing call's client: one INVITE from a fixed port, then the two
# answers, "SOURCE PAYLOAD" a line, whoever sent them (an unconnected
# socket: a connected one would drop an answer from elsewhere).
cat >"$NETNS_TMP/invite.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(6.0)
s.sendto(b"INVITE", (sys.argv[2], 5060))
try:
    for _ in range(2):
        data, peer = s.recvfrom(2048)
        print(peer[0], data.decode(), flush=True)
except socket.timeout:
    pass
PY
for i in 1 2; do
	ns_bg "${NS_BACKEND[i]}" "$NETNS_TMP/backend$i.log" \
		python3 "$NETNS_TMP/backend.py" "backend$i"
	wait_for 5 grep -q '^ready' "$NETNS_TMP/backend$i.log"
done
daemon_start
assert_match "vips at start: $VIP4 not on this host; conntrack left as it is" \
	"$(daemon_log)" "start-up log"

# entry SPORT: "ID PACKETS" of the conntrack entry of the client's SPORT
# (the original direction's packets); empty if there is none.
entry() {
	ct_list "$NS_LB" -f ipv4 -p udp --sport "$1" -o id |
		awk '{
			p = ""; id = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^packets=/ && p == "") p = substr($i, 9)
				if ($i ~ /^id=/) id = substr($i, 4)
			}
			print id, p
		}'
}
entry_id() { entry "$1" | awk '{ print $1 }'; }
entry_packets() { entry "$1" | awk '{ print $2 }'; }
backend_entries() { ct_list "$NS_LB" -f ipv4 --reply-src "$1" | wc -l; }
# For wait_for, which runs its command again, not its arguments' $(...).
has_entry() { [[ -n $(entry_id "$1") ]]; }
no_entries() { (($(backend_entries "$1") == 0)); }
lost_above() { (($(metric ctfailover_vip_losses_total) > $1)); }
logged() { daemon_log | grep -q -- "$1"; }

# A call: a datagram every 100 ms for 12 s from a fixed port, each
# answered (ctf-udp's connected socket drops an answer from anywhere but
# the VIP, so "replies 120" means that every answer was un-NATed).
ns_bg "$NS_CLIENT" "$NETNS_TMP/call.log" "$CTF_UDP" send -s "$SPORT" -n 120 -i 100 \
	-w 1000 "$VIP4" 5060
call=$NETNS_LAST_PID
wait_for 5 has_entry "$SPORT"
id=$(entry_id "$SPORT")
name=$(head -n 1 "$NETNS_TMP/call.log")
[[ $name == backend[12] ]] || fail "the call's first answer: '$name'"
be=${BACKEND4[${name#backend}]}
info "the call goes to $name ($be), conntrack id $id"

# The daemon restarts while this host does not hold the VIP: nothing moves.
daemon_kill TERM
daemon_start
assert_eq "$id" "$(entry_id "$SPORT")" "the call's entry after a restart without the VIP"
assert_eq 2 "$(grep -c "vips at start: $VIP4 not on this host; conntrack left as it is" \
	<(daemon_log))" "start-up log lines"
pass "start without the VIP: the log says where it is, nothing evicted"

# The VIP moves here while a second call rings: keepalived adds it, then
# writes MASTER.
evicted=$(metric 'ctfailover_evictions_total{by="ctnetlink"}')
e1=$(backend_field backend1 epoch)
e2=$(backend_field backend2 epoch)
ns_bg "$NS_CLIENT" "$NETNS_TMP/invite.log" python3 "$NETNS_TMP/invite.py" \
	"$RINGING_SPORT" "$VIP4"
ringing=$NETNS_LAST_PID
wait_for 2 grep -q . "$NETNS_TMP/invite.log"
packets=$(entry_packets "$SPORT")
ns_lb ip addr add "$VIP4/32" dev lo
echo 'INSTANCE "x" MASTER 100' >"$FIFO"
# Both acted on, whatever they did.
wait_for 5 logged 'event source=addr'
wait_for 5 logged 'event source=keepalived'
sleep 1
assert_eq "$id" "$(entry_id "$SPORT")" "the call's entry after the takeover"
assert_ge $((packets + 5)) "$(entry_packets "$SPORT")" \
	"the entry's packets a second after the takeover"
assert_eq "$evicted" "$(metric 'ctfailover_evictions_total{by="ctnetlink"}')" "entries evicted"
log=$(daemon_log)
assert_match "event source=addr: takeover, nothing evicted \(entries are live\): vip $VIP4 added on lo: this host took over" \
	"$log" "log of the VIP added"
assert_match 'event source=keepalived: takeover, nothing evicted \(entries are live\): keepalived INSTANCE x MASTER' \
	"$log" "log of keepalived's MASTER"
assert_eq 2 "$(metric ctfailover_takeovers_total)" "takeovers"
assert_eq 2 "$(dctl -j stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["takeovers"])')" \
	"stats -j takeovers"
assert_eq 0 "$(metric ctfailover_epoch_bumps_total)" "epoch bumps"
assert_eq "$e1" "$(backend_field backend1 epoch)" "backend1's epoch"
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2's epoch"
wait "$ringing" || fail "the ringing call's client failed"
ringing_be=$(awk 'NR == 1 { print $2 }' "$NETNS_TMP/invite.log")
assert_eq "$VIP4 $ringing_be
$VIP4 $ringing_be 200 OK" "$(cat "$NETNS_TMP/invite.log")" "the ringing call's answers"
wait "$call" || fail "the call lost answers: $(tail -n 1 "$NETNS_TMP/call.log")"
assert_eq "sent 120 replies 120" "$(tail -n 1 "$NETNS_TMP/call.log")" "the call"
assert_eq "$id" "$(entry_id "$SPORT")" "the call's entry at its end"
pass "VIP added, keepalived MASTER: nothing evicted, live entries stay, every answer from the VIP"

# keepalived gives the VIP up: everything goes.
assert_ge 1 "$(backend_entries "$be")" "$name's entries before BACKUP"
echo 'INSTANCE "x" BACKUP 100' >"$FIFO"
wait_for 5 lost_above 0
wait_for 5 no_entries "$be"
assert_eq "" "$(entry_id "$SPORT")" "the call's entry after BACKUP"
assert_eq "" "$(entry_id "$RINGING_SPORT")" "the ringing call's entry after BACKUP"
assert_ge $((evicted + 1)) "$(metric 'ctfailover_evictions_total{by="ctnetlink"}')" "entries evicted"
assert_match 'event source=keepalived: evicting the entries of all 2 backends \(epochs kept\): keepalived INSTANCE x MASTER -> BACKUP' \
	"$(daemon_log)" "log of keepalived's BACKUP"
assert_eq "$e1" "$(backend_field backend1 epoch)" "backend1's epoch after BACKUP"
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2's epoch after BACKUP"
pass "keepalived BACKUP: every entry evicted, the epochs kept"

# A new entry, then the VIP leaves this host: gone too.
assert_eq "$name" "$(flow 4 "$SPORT")" "the call's next datagram"
assert_eq 1 "$(backend_entries "$be")" "$name's entries before the VIP goes"
ns_lb ip addr del "$VIP4/32" dev lo
wait_for 5 lost_above 1
wait_for 5 no_entries "$be"
assert_match "event source=addr: evicting the entries of all 2 backends \(epochs kept\): vip $VIP4 removed from lo: this host gave it up" \
	"$(daemon_log)" "log of the VIP removed"
assert_eq 2 "$(metric ctfailover_takeovers_total)" "takeovers after the loss"
pass "VIP removed: every entry evicted"
