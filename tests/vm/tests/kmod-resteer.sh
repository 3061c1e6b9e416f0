#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailover.ko re-steers a pinned SIP 4-tuple on its very next datagram,
# losing none and sending none to the old instance, in both failure shapes:
#
#  (a) new instance, new address: the DNAT rule moves from backend1 to
#      backend2. Without an epoch bump the 4-tuple stays pinned to backend1
#      (the incident, module loaded or not); after `bump backend1` the next
#      datagram reaches backend2, backend1's counter does not move.
#  (b) same address, new instance: backend1's epoch is bumped while the
#      rule still selects it. The next datagram gets a fresh entry (new
#      conntrack id), still backend1, none lost.
#
# Then: the background sweep deletes stale entries no packet touches; a
# non-SIP UDP flow and a TCP connection are neither stamped nor deleted;
# IPv4 and IPv6.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

# ct_id V SPORT / ct_src V SPORT: the id and NAT target of the entry.
ct_id() {
	ct_list "$NS_LB" -f "ipv$1" -p udp --sport "$2" -o id |
		sed -n 's/.*id=\([0-9]*\).*/\1/p'
}
ct_src() { ct_list "$NS_LB" -f "ipv$1" -p udp --sport "$2" | ct_reply_src; }

new_address() {
	local v=$1 vip=$2 b1=$3 b2=$4 sport=$((41000 + $1)) out rx1 hits
	info "IPv$v (a): new instance at a new address"
	lb_dnat "${BACKEND4[1]}" "${BACKEND6[1]}"
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$vip" 5060)
	replies_from backend1 3 "$out"
	assert_eq "$b1" "$(ct_src "$v" "$sport")" "entry's NAT target"

	lb_dnat "${BACKEND4[2]}" "${BACKEND6[2]}"
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$vip" 5060)
	replies_from backend1 2 "$out"
	pass "IPv$v: without a bump the 4-tuple stays pinned to backend1"

	hits=$(mstat stale_hits)
	local e0 e1
	e0=$(ctl backend "$b1" | kv epoch)
	e1=$(ctl bump "$b1" | kv epoch)
	((e1 > e0)) || fail "bump reported epoch $e1 after $e0"
	rx1=$(backend_rx 1 "$v")
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 5 -w 2000 "$vip" 5060)
	replies_from backend2 5 "$out"
	assert_eq "$rx1" "$(backend_rx 1 "$v")" "datagrams to the old instance after the bump"
	assert_eq "$b2" "$(ct_src "$v" "$sport")" "entry's NAT target after the bump"
	assert_eq $((hits + 1)) "$(mstat stale_hits)" "stale hits"
	pass "IPv$v: after the bump the next datagram reaches backend2, none lost, none to backend1"
}

same_address() {
	local v=$1 vip=$2 b1=$3 sport=$((42000 + $1)) out rx1 hits
	info "IPv$v (b): new instance at the same address"
	lb_dnat "${BACKEND4[1]}" "${BACKEND6[1]}"
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$vip" 5060)
	replies_from backend1 2 "$out"
	assert_eq 2 "$(ct_packets "$v" "$sport")" "packets of the entry"

	hits=$(mstat stale_hits)
	ctl bump "$b1" >/dev/null
	rx1=$(backend_rx 1 "$v")
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$vip" 5060)
	replies_from backend1 3 "$out"
	assert_eq $((rx1 + 3)) "$(backend_rx 1 "$v")" "datagrams at backend1"
	assert_eq $((hits + 1)) "$(mstat stale_hits)" "stale hits"
	assert_eq 3 "$(ct_packets "$v" "$sport")" "packets of the renewed entry"
	pass "IPv$v: a bump on the same address renews the entry (its count restarts), none lost"
}

sweep() {
	local v=$1 vip=$2 b1=$3 p evicted
	info "IPv$v: background sweep"
	lb_dnat "${BACKEND4[1]}" "${BACKEND6[1]}"
	for p in 1 2 3 4; do
		udp_send "$NS_CLIENT" -s $((43000 + v * 10 + p)) -n 1 "$vip" 5060
	done
	# A non-SIP flow to the same backend: never stamped, never deleted.
	udp_send "$NS_CLIENT" -s $((44000 + v)) -n 1 "$vip" 5070
	local other_id
	other_id=$(ct_id "$v" $((44000 + v)))
	[[ -n $other_id ]] || fail "no entry for the non-SIP flow"
	for p in 1 2 3 4; do
		[[ -n $(ct_id "$v" $((43000 + v * 10 + p))) ]] || fail "no entry for flow $p"
	done

	# And, for IPv4, a TCP connection to the same backend and port.
	local tcp_id=
	if [[ $v == 4 ]]; then
		# Both ends keep their stdin open: nc closes the connection at EOF.
		ns_bg "${NS_BACKEND[1]}" "$NETNS_TMP/tcp-server.log" sh -c "sleep 30 | nc -l -p 5060"
		sleep 0.5
		ns_bg "$NS_CLIENT" "$NETNS_TMP/tcp-client.log" sh -c "sleep 30 | nc $VIP4 5060"
		wait_for 5 bash -c "ip netns exec $NS_LB conntrack -L -p tcp --dport 5060 2>/dev/null | grep -q ESTABLISHED"
		tcp_id=$(ct_list "$NS_LB" -p tcp --dport 5060 -o id | sed -n 's/.*id=\([0-9]*\).*/\1/p')
	fi

	evicted=$(mstat evicted)
	ctl sweep-delay 100
	ctl bump "$b1" >/dev/null
	# Nothing is sent on these flows again: only the sweep can remove them.
	wait_for 10 bash -c "! ip netns exec $NS_LB conntrack -L -f ipv$v -p udp --dport 5060 2>/dev/null | grep -q 'sport=430${v}[1-4] '"
	assert_ge $((evicted + 4)) "$(mstat evicted)" "entries evicted by the sweep"
	assert_eq "$other_id" "$(ct_id "$v" $((44000 + v)))" "the non-SIP entry"
	if [[ -n $tcp_id ]]; then
		assert_eq "$tcp_id" "$(ct_list "$NS_LB" -p tcp --dport 5060 -o id | sed -n 's/.*id=\([0-9]*\).*/\1/p')" \
			"the TCP entry to the same backend and port"
		pass "IPv4: the TCP connection's entry stayed"
	fi
	pass "IPv$v: the sweep evicted the 4 stale entries, the non-SIP entry stayed"
	ctl sweep-delay 600000
}

modprobe ctfailover
netns_setup 2
ns_lb sysctl -qw net.netfilter.nf_conntrack_acct=1
serve_backends
lb_dnat "${BACKEND4[1]}" "${BACKEND6[1]}"
for b in 1 2; do
	ctl set "${BACKEND4[b]}" name "backend$b" >/dev/null
	ctl set "${BACKEND6[b]}" name "backend$b-v6" >/dev/null
done
assert_eq 4 "$(mstat backends)" "backends"
# Keep the background sweep out of the way while the packet path is tested:
# a re-steer counted in stale_hits was done by the datagram itself.
ctl sweep-delay 600000

new_address 4 "$VIP4" "${BACKEND4[1]}" "${BACKEND4[2]}"
new_address 6 "$VIP6" "${BACKEND6[1]}" "${BACKEND6[2]}"
same_address 4 "$VIP4" "${BACKEND4[1]}"
same_address 6 "$VIP6" "${BACKEND6[1]}"
sweep 4 "$VIP4" "${BACKEND4[1]}"
sweep 6 "$VIP6" "${BACKEND6[1]}"

assert_ge 1 "$(mstat tagged)" "entries stamped"
assert_eq 0 "$(mstat untaggable)" "entries without a label area"
ctl backends
ctl stats
