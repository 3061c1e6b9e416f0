#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The plumbing every module scenario builds on, on this kernel: veth, nft
# DNAT of the VIP, conntrack, ctnetlink, and nft expressions autoloaded
# through /sbin/modprobe. Then the incident itself, with stock conntrack: a
# client that keeps its source port stays pinned to the old backend after
# the DNAT rule moves, until its entry is deleted.
#
# Runs in the VM (tests/vm/run SERIES -- tests/vm/tests/netns-nat.sh) or on
# a host with netns support. IPv4 and IPv6.
# vm-debug: no (no module: the debug kernel checks ctfailover.ko)
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"

# dnat_to FAMILY ADDR: replace the lb's rules in one transaction.
dnat_to() {
	local v4=$1 v6=$2
	ns_lb nft -f - <<-EOF
		table inet ctf_lb
		delete table inet ctf_lb
		table inet ctf_lb {
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				ip daddr $VIP4 udp dport 5060 dnat ip to $v4
				ip6 daddr $VIP6 udp dport 5060 dnat ip6 to $v6
			}
		}
	EOF
}

# replies_from NAME COUNT OUTPUT: every reply came from backend NAME.
replies_from() {
	local want=$1 n=$2 out=$3
	assert_eq "$n" "$(grep -c . <<<"$out" || true)" "replies"
	assert_eq "" "$(grep -v -x "$want" <<<"$out" || true)" "replies not from $want"
}

# family V VIP CLIENT B1 B2
family() {
	local v=$1 vip=$2 client=$3 b1=$4 b2=$5 sport=$((40000 + $1)) out src
	info "IPv$v: $client:$sport -> $vip:5060"

	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 5 -w 2000 "$vip" 5060)
	replies_from backend1 5 "$out"
	assert_eq 5 "$(backend_rx 1 "$v")" "IPv$v datagrams counted at backend1"
	assert_eq 0 "$(backend_rx 2 "$v")" "IPv$v datagrams counted at backend2"
	grep -q "^from $client $sport: " "$NETNS_TMP/backend1.log" ||
		fail "backend1 did not see the client's own address and port"
	pass "IPv$v: DNAT of the VIP to backend1"

	src=$(ct_list "$NS_LB" -f "ipv$v" -p udp --sport "$sport" | ct_reply_src)
	assert_eq "$b1" "$src" "IPv$v conntrack entry's reply source"
	pass "IPv$v: conntrack -L shows the flow NATed to backend1"
}

# stale V VIP B1 B2: the incident. The rule now says backend2, but the
# established 4-tuple keeps going to backend1; a fresh source port does not.
stale() {
	local v=$1 vip=$2 b1=$3 b2=$4 sport=$((40000 + $1)) out
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$vip" 5060)
	replies_from backend1 3 "$out"
	out=$(udp_send "$NS_CLIENT" -s $((sport + 100)) -n 1 -w 2000 "$vip" 5060)
	replies_from backend2 1 "$out"
	pass "IPv$v: stock conntrack pins the old 4-tuple to backend1 after the rule change"

	ns_lb conntrack -D -f "ipv$v" -p udp --sport "$sport" >/dev/null 2>&1 ||
		fail "IPv$v: conntrack -D found no entry"
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$vip" 5060)
	replies_from backend2 2 "$out"
	assert_eq "$b2" "$(ct_list "$NS_LB" -f "ipv$v" -p udp --sport "$sport" | ct_reply_src)" \
		"IPv$v entry after re-steering"
	pass "IPv$v: deleting the entry re-steers the 4-tuple to backend2"
}

netns_setup 2
serve_backends

dnat_to "${BACKEND4[1]}" "${BACKEND6[1]}"
family 4 "$VIP4" "$CLIENT4" "${BACKEND4[1]}" "${BACKEND4[2]}"
family 6 "$VIP6" "$CLIENT6" "${BACKEND6[1]}" "${BACKEND6[2]}"

dnat_to "${BACKEND4[2]}" "${BACKEND6[2]}"
stale 4 "$VIP4" "${BACKEND4[1]}" "${BACKEND4[2]}"
stale 6 "$VIP6" "${BACKEND6[1]}" "${BACKEND6[2]}"
