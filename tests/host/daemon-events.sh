#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# HA events in, epochs out (ctnetlink mode: no module on the host kernel):
#  - a backend's neighbour entry changes link-layer address (its address
#    moved to a new instance, announced by gratuitous ARP): its epoch is
#    the one the new lladdr names (tests/lib/epoch.py: the same on every
#    load balancer) and its conntrack entries are kept, and the log says
#    why: they
#    lead to the same address, where the new instance answers. The next
#    datagram of the pinned 4-tuple reaches the new instance through the
#    same entry (same id, its packet count going on). Evicted, as they were
#    before, a call the new instance already carried lost its entry and
#    the backend's next reply left the lb un-NATed (what failed SIP calls
#    in the end-to-end scenario; this is what can fail here);
#  - a neighbour notification with the same lladdr bumps nothing;
#  - the backend's link goes down: it is down, its slots go to the others,
#    its entries are evicted (they lead to a backend out of service), its
#    epoch its instance's down twin; up again: active with its instance's
#    epoch again;
#  - the VIP leaves this host: every entry is evicted, no epoch changes
#    (they name the instances); it comes back: nothing is evicted (see
#    daemon-takeover.sh for the entries);
#  - keepalived's notify_fifo says BACKUP: the same as the VIP leaving;
#    MASTER: nothing, and the log says why; a malformed line is counted and
#    ignored; a line left without its newline is dropped alone, not glued
#    to the next writer's; with keepalived.instances, another instance's
#    lines are ignored; a FIFO made again under the daemon is noticed and
#    read.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

netns_setup 2
# Packet counts in conntrack -L: a kept entry's count goes on.
ns_lb sysctl -qw net.netfilter.nf_conntrack_acct=1
daemon_conf -i backend1=be1 -i backend2=be2 \
	backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}"
udp_serve 1
udp_serve 2
daemon_start

# A source port whose flows go to backend1.
sport=
for ((p = 42000; p < 42100; p++)); do
	if [[ $(where 4 "$p") == backend1 ]]; then
		sport=$p
		break
	fi
done
[[ -n $sport ]] || fail "no port of 100 maps to backend1"
assert_eq backend1 "$(flow 4 "$sport")" "pinned flow"
flow 4 $((sport + 1000)) >/dev/null
e1=$(backend_field backend1 epoch)
e2=$(backend_field backend2 epoch)
entry=$(ct_entry 4 "$sport")
[[ $entry == *" 1" ]] || fail "the pinned flow's entry: '$entry' (id, 1 packet)"
evicted=$(metric 'ctfailover_evictions_total{by="ctnetlink"}')

# The lb learnt backend1's MAC when it forwarded; a new instance takes the
# address (new MAC) and announces it, which replaces the neighbour entry.
ns_backend 1 ip link set eth0 address 02:00:00:c7:0f:01
ns_lb ip neigh replace "${BACKEND4[1]}" dev be1 lladdr 02:00:00:c7:0f:01 nud reachable
assert_eq "$(derived "${BACKEND4[1]}")" "$e1" "backend1's epoch (no instance in the config)"
wait_for 5 field_isnt backend1 epoch "$e1"
e1=$(derived "${BACKEND4[1]}" "lladdr 02:00:00:c7:0f:01")
assert_eq "$e1" "$(backend_field backend1 epoch)" "backend1's epoch"
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2's epoch"
assert_match 'source=neigh cause="neighbour' "$(daemon_log)" "log line of the bump"
assert_match "ctnetlink: entries of ${BACKEND4[1]} kept \(same address: the next packet reaches the new instance\)" \
	"$(daemon_log)" "log line of the entries kept"
assert_eq "$entry" "$(ct_entry 4 "$sport")" "the pinned flow's entry after the bump"
assert_eq "$evicted" "$(metric 'ctfailover_evictions_total{by="ctnetlink"}')" "entries evicted"
assert_eq backend1 "$(flow 4 "$sport")" "the pinned flow, on the new instance"
assert_eq "${entry% *} 2" "$(ct_entry 4 "$sport")" \
	"the pinned flow's entry after its next datagram (same id, 2 packets)"
pass "lladdr change: the epoch the new lladdr names, entries kept, flow continues on the same entry"

# The same lladdr again (a state change only): nothing happens.
ns_lb ip neigh replace "${BACKEND4[1]}" dev be1 lladdr 02:00:00:c7:0f:01 nud stale
sleep 0.5
assert_eq "$e1" "$(backend_field backend1 epoch)" "epoch after a same-lladdr update"
pass "same lladdr: no bump"

# backend2's link down, then up. A flow that goes to backend2 first: its
# entry must go with the link.
sport2=
for ((p = 42000; p < 42100; p++)); do
	if [[ $(where 4 "$p") == backend2 ]]; then
		sport2=$p
		break
	fi
done
[[ -n $sport2 ]] || fail "no port of 100 maps to backend2"
assert_eq backend2 "$(flow 4 "$sport2")" "a flow to backend2"
assert_ge 1 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[2]}" | wc -l)" \
	"backend2's entries before its link goes down"
entry=$(ct_entry 4 "$sport")
e2=$(backend_field backend2 epoch)
ns_lb ip link set be2 down
wait_for 5 field_is backend2 state down
assert_eq $((0xffffff - e2)) "$(backend_field backend2 epoch)" "backend2's epoch while down (its down twin)"
assert_eq 0 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[2]}" | wc -l)" \
	"backend2's entries while down"
assert_eq "$entry" "$(ct_entry 4 "$sport")" "backend1's pinned entry while backend2 is down"
assert_match "ctnetlink: evicted [1-9][0-9]* of [0-9]+ entries with reply source ${BACKEND4[2]} \(backend down\)" \
	"$(daemon_log)" "log line of the eviction"
assert_eq 0 "$(backend_field backend2 slots)" "backend2's slots while down"
assert_eq "$TABLE_SIZE" "$(backend_field backend1 slots)" "backend1's slots while backend2 is down"
ns_lb ip link set be2 up
wait_for 5 field_is backend2 state active
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2's epoch after down and up (its instance's)"
assert_ge 1 "$(backend_field backend2 slots)" "backend2's slots after up"
assert_match "ctnetlink: entries of ${BACKEND4[2]} kept \(back in service at the same address\)" \
	"$(daemon_log)" "log line of the way back"
pass "link down/up: state follows, the down twin and back, entries evicted when down"

# For wait_for, which runs its command again, not its arguments' $(...).
lost_above() { (($(metric ctfailover_vip_losses_total) > $1)); }
logged() { daemon_log | grep -q -- "$1"; }
ignored_above() { (($(metric ctfailover_ignored_input_total) > $1)); }

# The VIP leaves this host: every entry goes, no epoch changes. It comes
# back: nothing goes, and the log says why.
e1=$(backend_field backend1 epoch)
e2=$(backend_field backend2 epoch)
assert_eq 1 "$(metric "ctfailover_vip_here{vip=\"$VIP4\"}")" "the VIP here, in the metrics"
ns_lb ip addr del "$VIP4/32" dev lo
wait_for 5 lost_above 0
assert_eq 0 "$(metric "ctfailover_vip_here{vip=\"$VIP4\"}")" "the VIP gone, in the metrics"
assert_eq 0 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[1]}" | wc -l)" \
	"backend1's entries after the VIP left"
assert_match "event source=addr: evicting the entries of all 2 backends \(epochs kept\): vip $VIP4 removed" \
	"$(daemon_log)" "log line of the VIP's loss"
ns_lb ip addr add "$VIP4/32" dev lo
wait_for 5 logged "event source=addr: takeover, nothing evicted (entries are live): vip $VIP4 added"
assert_eq "$e1" "$(backend_field backend1 epoch)" "backend1 after the VIP moved away and back"
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2 after the VIP moved away and back"
assert_eq 1 "$(metric ctfailover_takeovers_total)" "takeovers"
assert_eq 1 "$(metric ctfailover_vip_losses_total)" "VIP losses"
assert_eq 1 "$(metric "ctfailover_vip_here{vip=\"$VIP4\"}")" "the VIP back, in the metrics"
pass "VIP away: every entry evicted, epochs kept; back: nothing; ctfailover_vip_here follows"

# keepalived: leaving MASTER bumps all, entering it does not; a repeat and
# a bad line do nothing.
lost=$(metric ctfailover_vip_losses_total)
ignored=$(metric ctfailover_ignored_input_total)
echo 'INSTANCE "VI_1" BACKUP 100' >"$FIFO"
wait_for 5 lost_above "$lost"
echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
wait_for 5 logged 'event source=keepalived: takeover, nothing evicted (entries are live): keepalived INSTANCE VI_1 BACKUP -> MASTER'
echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
echo 'this is not keepalived' >"$FIFO"
wait_for 5 ignored_above "$ignored"
assert_eq $((lost + 1)) "$(metric ctfailover_vip_losses_total)" "VIP losses after BACKUP, MASTER, MASTER again, junk"
assert_eq "$e1" "$(backend_field backend1 epoch)" "epoch after BACKUP, MASTER, MASTER again, junk"
assert_eq 2 "$(metric ctfailover_takeovers_total)" "takeovers"
assert_match 'keepalived fifo: ignored line' "$(daemon_log)" "log of the bad line"
assert_ge 2 "$(metric 'ctfailover_events_total{source="keepalived"}')" "keepalived events metric"
assert_ge 1 "$(metric 'ctfailover_events_total{source="neigh"}')" "neighbour events metric"
pass "keepalived BACKUP evicts all, MASTER nothing; repeats and junk nothing"

# A writer that leaves a line without its newline: dropped, said, and the
# next writer's line stands alone (it used to be glued to it and lost).
lost=$(metric ctfailover_vip_losses_total)
printf 'INSTANCE "VI_1" BACK' >"$FIFO"
wait_for 5 logged 'keepalived fifo: dropped a line: no newline at its end'
echo 'INSTANCE "VI_1" BACKUP 100' >"$FIFO"
wait_for 5 lost_above "$lost"
pass "a line without its newline is dropped alone; the next writer's BACKUP acts"

# keepalived.instances names the VIPs' instance: another instance's BACKUP
# is logged and ignored (it used to evict every SIP entry); the named one
# still acts. Applied live.
sed -i "s|^keepalived = { notify_fifo = \"\(.*\)\"; };|keepalived = { notify_fifo = \"\1\"; instances = [ \"VI_SIP\" ]; };|" "$CONF"
grep -q 'instances = \[ "VI_SIP" \]' "$CONF" || fail "the config edit"
dctl apply >/dev/null
lost=$(metric ctfailover_vip_losses_total)
echo 'INSTANCE "VI_MGMT" BACKUP 100' >"$FIFO"
wait_for 5 logged 'keepalived fifo: ignored line: INSTANCE VI_MGMT BACKUP: not one of keepalived.instances'
assert_eq "$lost" "$(metric ctfailover_vip_losses_total)" "VIP losses after another instance's BACKUP"
echo 'INSTANCE "VI_SIP" BACKUP 100' >"$FIFO"
wait_for 5 lost_above "$lost"
pass "keepalived.instances: another instance's BACKUP is ignored (logged), the SIP one's acts"

# The FIFO made again under the daemon (as a recreated RuntimeDirectory=
# does): noticed within seconds, said with what keepalived needs, and the
# new one read.
rm -f "$FIFO"
mkfifo -m 0600 "$FIFO"
wait_for 10 logged 'keepalived fifo .*: replaced under this daemon; reading the new one. a keepalived that opened the one before keeps writing there'
assert_eq 1 "$(metric ctfailover_keepalived_fifo_replaced_total)" "the replaced-FIFO metric"
lost=$(metric ctfailover_vip_losses_total)
echo 'INSTANCE "VI_SIP" MASTER 100' >"$FIFO"
echo 'INSTANCE "VI_SIP" BACKUP 100' >"$FIFO"
wait_for 5 lost_above "$lost"
pass "the FIFO replaced under the daemon: noticed, said (reload keepalived), the new one read"
