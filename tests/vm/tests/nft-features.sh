#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The nft features the load spreading is built from work on this kernel, each
# autoloaded on first use: a jhash of the provider's address and port into a
# map of backends (IPv4 and IPv6), numgen round-robin, ct label set and match
# (where the module stamps epochs), named counters. Runs in the VM or on a
# host with netns support.
# vm-debug: no (no module: the debug kernel checks ctfailover.ko)
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"

VIP4_RR=10.0.0.2
flows=16

netns_setup 2
ip -n "$NS_LB" addr add "$VIP4_RR/32" dev lo
serve_backends
ns_lb nft -f - <<-NFT
	table inet ctf_lb {
		counter labelled {}
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			ip daddr $VIP4 udp dport 5060 dnat ip to jhash ip saddr . udp sport mod 2 map {
				0 : ${BACKEND4[1]}, 1 : ${BACKEND4[2]} }
			ip6 daddr $VIP6 udp dport 5060 dnat ip6 to jhash ip6 saddr . udp sport mod 2 map {
				0 : ${BACKEND6[1]}, 1 : ${BACKEND6[2]} }
			ip daddr $VIP4_RR udp dport 5060 dnat ip to numgen inc mod 2 map {
				0 : ${BACKEND4[1]}, 1 : ${BACKEND4[2]} }
		}
		chain forward {
			type filter hook forward priority 0; policy accept;
			udp dport 5060 ct label set 3
			ct direction original ct label 3 counter name labelled
		}
	}
NFT

# spread V VIP: one datagram from each of $flows source ports; the hash
# must use both backends, and each flow must stay where it went.
spread() {
	local v=$1 vip=$2 p out first='' b1 b2
	for ((p = 41000; p < 41000 + flows; p++)); do
		out=$(udp_send "$NS_CLIENT" -s "$p" -n 1 -w 2000 "$vip" 5060 2>/dev/null)
		[[ $out == backend[12] ]] || fail "IPv$v port $p: no reply ('$out')"
		[[ -n $first ]] || first=$p:$out
	done
	b1=$(backend_rx 1 "$v")
	b2=$(backend_rx 2 "$v")
	assert_eq "$flows" "$((b1 + b2))" "IPv$v datagrams at the backends"
	((b1 > 0 && b2 > 0)) || fail "IPv$v jhash used one backend only ($b1/$b2)"
	# The first flow again: same 4-tuple, same backend.
	out=$(udp_send "$NS_CLIENT" -s "${first%%:*}" -n 3 -w 2000 "$vip" 5060 2>/dev/null | sort -u)
	assert_eq "${first#*:}" "$out" "IPv$v flow ${first%%:*} after repeats"
	pass "IPv$v: jhash map spreads $flows flows over both backends ($b1/$b2), flows stay put"
}

spread 4 "$VIP4"
spread 6 "$VIP6"

# numgen inc alternates: 6 new flows, 3 each.
before1=$(backend_rx 1 4)
before2=$(backend_rx 2 4)
for ((p = 42000; p < 42006; p++)); do
	udp_send "$NS_CLIENT" -s "$p" -n 1 -w 2000 "$VIP4_RR" 5060 >/dev/null 2>&1
done
assert_eq 3 "$(($(backend_rx 1 4) - before1))" "numgen flows at backend1"
assert_eq 3 "$(($(backend_rx 2 4) - before2))" "numgen flows at backend2"
pass "numgen inc mod 2 alternates new flows"

# Every datagram forwarded so far had its entry labelled, then matched.
sent=$((2 * (flows + 3) + 6))
assert_eq "$sent" "$(nft_counter "$NS_LB" inet ctf_lb labelled)" "packets matching ct label 3"
pass "ct label set/match on every flow ($sent packets)"
