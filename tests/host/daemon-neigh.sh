#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `cycle` flushes the backend's neighbour entries (ctnetlink mode: no module
# on the host kernel). A new instance takes backend1's address with a new
# MAC and sends no gratuitous ARP (arp_notify and ndisc_notify are 0, the
# default), as a cloud VNIC moved with its IP does:
#  - before the cycle, the pinned flow is black-holed: the lb still sends
#    to the old MAC (this is what the flush is for, and why this test can
#    fail);
#  - `cycle backend1` deletes backend1's IPv4 neighbour entries on every
#    link except an operator's permanent one, and keeps its conntrack
#    entries (same address: they lead to the new instance), which the log
#    says; the next datagram of the same pinned 4-tuple resolves the
#    address afresh and is answered by the new instance through the same
#    conntrack entry (same id, its packet count going on); the lb's
#    neighbour entry holds the new MAC; the log, the reply and the metrics
#    say so;
#  - the IPv6 address, not cycled yet, is still black-holed; `cycle
#    backend1-v6` heals it the same way;
#  - the entry comes back with the new MAC: the daemon's neighbour watch
#    takes that as the new instance's first sight, not a second change
#    (the cycle bumped already): no second bump in the log. (With the
#    module a second bump would let the sweep delete the entry of a call
#    the new instance carries; without it, a bump at the same address
#    evicts nothing.) Whatever the daemon does, a reply the backend sends
#    later (a SIP 180 after its 100) must reach the client from the VIP:
#    backend1 answers each datagram twice, at once and 300 ms later, and
#    both answers of the first datagram after each cycle must come from
#    the VIP. An entry evicted between the two (as cycle did before)
#    would let the second leave un-NATed.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

OLD_MAC=02:00:00:c7:0e:01
NEW_MAC=02:00:00:c7:0f:01
STATIC_MAC=02:00:00:c7:5a:01

netns_setup 2
# Packet counts in conntrack -L: a kept entry's count goes on.
ns_lb sysctl -qw net.netfilter.nf_conntrack_acct=1
# The lb's entries stay REACHABLE for 10 minutes, not 15-45 s: the black
# hole must not heal by itself while the test looks at it.
for f in ipv4 ipv6; do
	ns_lb sysctl -qw "net.$f.neigh.be1.base_reachable_time_ms=600000"
done
ns_backend 1 ip link set eth0 address "$OLD_MAC"
daemon_conf -6 -i backend1=be1 -i backend2=be2 -i backend1-v6=be1 -i backend2-v6=be2 \
	backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" \
	backend1-v6 "${BACKEND6[1]}" backend2-v6 "${BACKEND6[2]}"
# backend1 answers "backend1" at once and "backend1 later" 300 ms later,
# on IPv4 and IPv6.
cat >"$NETNS_TMP/twice.py" <<'EOF'
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5060))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(b"backend1", peer)
    time.sleep(0.3)
    s.sendto(b"backend1 later", peer)
EOF
ns_bg "${NS_BACKEND[1]}" "$NETNS_TMP/backend1.log" python3 "$NETNS_TMP/twice.py"
wait_for 5 grep -q '^ready' "$NETNS_TMP/backend1.log"
udp_serve 2
daemon_start

# answers V SPORT: every answer to one datagram from the client's SPORT to
# the VIP within a second, "SOURCE PAYLOAD" a line, whoever sent it (an
# unconnected socket: a connected one would drop an answer from elsewhere).
cat >"$NETNS_TMP/answers.py" <<'EOF'
import socket, sys
v6 = sys.argv[1] == "6"
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if v6 else "0.0.0.0", int(sys.argv[2])))
s.settimeout(1.0)
s.sendto(b"ctf", (sys.argv[3], 5060))
try:
    while True:
        data, peer = s.recvfrom(2048)
        print(peer[0], data.decode())
except socket.timeout:
    pass
EOF
answers() { ns_client python3 "$NETNS_TMP/answers.py" "$1" "$2" "$(vip "$1")"; }
vip() { if [[ $1 == 4 ]]; then echo "$VIP4"; else echo "$VIP6"; fi; }

# lb_neigh V ADDR DEV: the lb's neighbour entry of ADDR on DEV, one line.
lb_neigh() { ns_lb ip "-$1" neigh show "$2" dev "$3" nud all; }

# Source ports whose flows go to backend1 (IPv4) and backend1-v6.
declare -A sport baddr=([4]=${BACKEND4[1]} [6]=${BACKEND6[1]})
for v in 4 6; do
	want=backend1
	[[ $v == 4 ]] || want=backend1-v6
	for ((p = 42000; p < 42100; p++)); do
		if [[ $(where "$v" "$p") == "$want" ]]; then
			sport[$v]=$p
			break
		fi
	done
	[[ -n ${sport[$v]:-} ]] || fail "no port of 100 maps to $want"
	# Both answers now: one sent after the MAC change below would make
	# backend1 resolve the lb's address anew, and its ARP request or
	# neighbour solicitation would teach the lb the new MAC.
	assert_eq "$(vip "$v") backend1
$(vip "$v") backend1 later" "$(answers "$v" "${sport[$v]}")" "IPv$v pinned flow"
	assert_match "lladdr $OLD_MAC" "$(lb_neigh "$v" "${baddr[$v]}" be1)" \
		"the lb's IPv$v entry of backend1"
done
# Two more entries of backend1's IPv4 address: a dynamic one on another
# link, flushed with the rest, and an operator's permanent one, kept.
ns_lb ip neigh replace "${BACKEND4[1]}" dev cl0 lladdr 02:00:00:c7:0d:01 nud stale
ns_lb ip neigh replace "${BACKEND4[1]}" dev be2 lladdr "$STATIC_MAC" nud permanent
pass "pinned flows reach backend1; its entries hold the old MAC"

# The new instance: same addresses, new MAC, no announcement.
ns_backend 1 ip link set eth0 address "$NEW_MAC"
for v in 4 6; do
	assert_eq "" "$(flow "$v" "${sport[$v]}")" "IPv$v pinned flow, new instance unannounced"
done
for v in 4 6; do
	assert_match "lladdr $OLD_MAC" "$(lb_neigh "$v" "${baddr[$v]}" be1)" \
		"the lb's IPv$v entry in the black hole"
done
pass "new MAC without gratuitous ARP: the pinned flows are black-holed"

# next_packet ENTRY: the same entry, one packet later.
next_packet() { echo "${1% *} $((${1#* } + 1))"; }

e1=$(backend_field backend1 epoch)
flushed=$(metric ctfailover_neigh_flushed_total)
entry=$(ct_entry 4 "${sport[4]}")
[[ -n $entry ]] || fail "no conntrack entry of the IPv4 pinned flow"
out=$(dctl cycle backend1)
# The instance after the one of e1 (tests/lib/epoch.py): the same on every
# load balancer that was given the same cycles.
e1=$(derived "${BACKEND4[1]}" "after $e1")
assert_match "backend1 epoch $e1" "$out" "cycle's reply"
assert_eq "$entry" "$(ct_entry 4 "${sport[4]}")" "the IPv4 pinned flow's conntrack entry after the cycle"
assert_match "ctnetlink: entries of ${BACKEND4[1]} kept \(same address: the next packet reaches the new instance\)" \
	"$(daemon_log)" "log line of the entries kept"
assert_match "neighbour entries of ${BACKEND4[1]}: 2 deleted, 1 static left in place" "$out" \
	"cycle's reply on the flush"
assert_match "neigh flush address=${BACKEND4[1]} deleted=2 skipped_permanent=1" "$(daemon_log)" \
	"log line of the flush"
assert_eq $((flushed + 2)) "$(metric ctfailover_neigh_flushed_total)" "ctfailover_neigh_flushed_total"
assert_eq 0 "$(metric ctfailover_neigh_flush_errors_total)" "ctfailover_neigh_flush_errors_total"
assert_eq "" "$(lb_neigh 4 "${BACKEND4[1]}" cl0)" "the dynamic entry on cl0 after the flush"
assert_match "lladdr $STATIC_MAC PERMANENT" "$(lb_neigh 4 "${BACKEND4[1]}" be2)" \
	"the permanent entry after the flush"
assert_eq "$VIP4 backend1
$VIP4 backend1 later" "$(answers 4 "${sport[4]}")" "IPv4 pinned flow after the cycle: both answers, from the VIP"
assert_eq "$(next_packet "$entry")" "$(ct_entry 4 "${sport[4]}")" \
	"the IPv4 pinned flow's conntrack entry after its next datagram"
assert_match "lladdr $NEW_MAC" "$(lb_neigh 4 "${BACKEND4[1]}" be1)" "the lb's IPv4 entry after the cycle"
assert_eq "$e1" "$(backend_field backend1 epoch)" "backend1's epoch after the re-resolution"
# The IPv6 address was not cycled: its entry still has the old MAC.
assert_eq "" "$(flow 6 "${sport[6]}")" "IPv6 pinned flow, its address not cycled yet"
pass "cycle backend1: its neighbour entries flushed but the static one, its conntrack entry kept, the pinned flow answered"

e6=$(backend_field backend1-v6 epoch)
entry=$(ct_entry 6 "${sport[6]}")
[[ -n $entry ]] || fail "no conntrack entry of the IPv6 pinned flow"
out=$(dctl cycle backend1-v6)
assert_eq "$entry" "$(ct_entry 6 "${sport[6]}")" "the IPv6 pinned flow's conntrack entry after the cycle"
assert_match "neighbour entries of ${BACKEND6[1]}: 1 deleted, 0 static left in place" "$out" \
	"cycle's reply on the IPv6 flush"
assert_eq "$VIP6 backend1
$VIP6 backend1 later" "$(answers 6 "${sport[6]}")" "IPv6 pinned flow after the cycle: both answers, from the VIP"
assert_eq "$(next_packet "$entry")" "$(ct_entry 6 "${sport[6]}")" \
	"the IPv6 pinned flow's conntrack entry after its next datagram"
assert_match "lladdr $NEW_MAC" "$(lb_neigh 6 "${BACKEND6[1]}" be1)" "the lb's IPv6 entry after the cycle"
assert_eq "$(derived "${BACKEND6[1]}" "after $e6")" "$(backend_field backend1-v6 epoch)" "backend1-v6's epoch after the re-resolution"
pass "cycle backend1-v6: its neighbour entry flushed, its conntrack entry kept, the pinned flow answered"

# The re-created entries were first sights: no bump came from them.
if daemon_log | grep 'bump backend=backend1.* source=neigh'; then
	fail "the re-created neighbour entries bumped backend1 again"
fi
for v in 4 6; do
	assert_eq backend1 "$(flow "$v" "${sport[$v]}")" "IPv$v pinned flow, later"
done
pass "the re-resolved MAC is the new instance's first sight: no second bump, no un-NATed answer"
