#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Real SIP through the load balancer: a sipp UAS on backend1, a sipp UAC on
# the client placing 10 calls to the VIP from one fixed source port, the lb
# DNATing them. All 10 calls must succeed (sipp's exit status and its own
# statistics), and conntrack must show the one 4-tuple NATed to backend1.
# Runs in the VM or on a host with netns support and sipp.
# vm-debug: no (no module: the debug kernel checks ctfailover.ko)
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"

calls=10
sport=40010

# successful_calls LOG: the cumulative "Successful call" count of sipp's
# last statistics screen.
successful_calls() {
	awk -F'|' '/Successful call/ { n = $3 } END { gsub(/ /, "", n); print n }' "$1"
}

netns_setup 1
ns_lb nft -f - <<-NFT
	table inet ctf_lb {
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			ip daddr $VIP4 udp dport 5060 dnat ip to ${BACKEND4[1]}
		}
	}
NFT

# sipp writes its logs into the working directory.
cd "$NETNS_TMP"
ns_bg "${NS_BACKEND[1]}" uas.log sipp -sn uas -i "${BACKEND4[1]}" -p 5060 \
	-m "$calls" -nostdin -timeout 60 -timeout_error
uas=$NETNS_LAST_PID
wait_for 10 ns_backend 1 ss -Hlun "sport = :5060"

rc=0
ns_client sipp -sn uac "$VIP4:5060" -i "$CLIENT4" -p "$sport" \
	-m "$calls" -r 10 -l "$calls" -nostdin -timeout 60 -timeout_error \
	>uac.log 2>&1 || rc=$?
if ((rc != 0)); then
	tail -n 40 uac.log
	fail "sipp UAC exited with $rc"
fi
assert_eq "$calls" "$(successful_calls uac.log)" "UAC successful calls"
pass "sipp UAC: $calls calls through the VIP succeeded"

rc=0
wait "$uas" || rc=$?
if ((rc != 0)); then
	tail -n 40 uas.log
	fail "sipp UAS exited with $rc"
fi
assert_eq "$calls" "$(successful_calls uas.log)" "UAS successful calls"
pass "sipp UAS on backend1 completed $calls calls"

src=$(ct_list "$NS_LB" -f ipv4 -p udp --sport "$sport" | ct_reply_src)
assert_eq "${BACKEND4[1]}" "$src" "conntrack entry of the UAC's 4-tuple"
pass "conntrack: the UAC's 4-tuple is NATed to backend1"
