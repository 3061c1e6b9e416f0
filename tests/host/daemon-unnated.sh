#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A flow that reaches a VIP while no backend of its family is in service is
# not NATed: its conntrack entry goes to the lb itself, and the nat chain
# never sees the flow again, so a provider that keeps sending from the same
# port would stay black-holed after the backends are back (found by the
# canary, daemon-canary.sh). The daemon deletes such entries when the VIP is
# served again (userspace/daemon/core.c, evict_unnated):
#  - a fixed-port flow to each VIP (IPv4, IPv6) while no backend serves it
#    gets no answer and an entry that is not NATed;
#  - a backend back in service: the same flow's next datagram is answered
#    by it, its entry NATed.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

netns_setup 2
daemon_conf -6 backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" \
	backend1-v6 "${BACKEND6[1]}"
# Every backend draining: no slot holds one.
sed -i '/^  { name = /s/ }/ state = "draining"; }/' "$CONF"
for i in 1 2; do udp_serve "$i"; done
daemon_start
for v in 4 6; do
	assert_eq "" "$(flow "$v" 40000)" "IPv$v: an answer with no backend in service"
	vip=$VIP4
	[[ $v == 4 ]] || vip=$VIP6
	to=$(ct_list "$NS_LB" -f "ipv$v" -p udp --sport 40000 --dport 5060 | ct_reply_src)
	assert_eq "$vip" "$to" "IPv$v: the entry of a flow with no backend (not NATed)"
done
pass "no backend in service: a flow gets no answer and an entry to the lb itself"

dctl activate backend1 >/dev/null
dctl activate backend1-v6 >/dev/null
assert_eq backend1 "$(flow 4 40000)" "IPv4: the same flow, a backend back"
assert_eq backend1 "$(flow 6 40000)" "IPv6: the same flow, a backend back"
assert_match "ctnetlink: evicted 1 of [0-9]+ entries with reply source $VIP4 \(not NATed: made while the VIP had no backend\)" \
	"$(daemon_log)" "the daemon's log (IPv4)"
assert_match "ctnetlink: evicted 1 of [0-9]+ entries with reply source $VIP6 \(not NATed" \
	"$(daemon_log)" "the daemon's log (IPv6)"
pass "a backend back in service: the same flows are answered by it"
