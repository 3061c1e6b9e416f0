#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# HA events in, epochs out (ctnetlink mode: no module on the host kernel):
#  - a backend's neighbour entry changes link-layer address (its address
#    moved to a new instance, announced by gratuitous ARP): its epoch is
#    bumped and its conntrack entries are evicted; the next datagram of the
#    pinned 4-tuple gets a fresh entry to the same address;
#  - a neighbour notification with the same lladdr bumps nothing;
#  - the backend's link goes down: it is down, its slots go to the others;
#    up again: active with a new epoch;
#  - the VIP leaves this host: every epoch is bumped; it comes back: no
#    epoch is (a takeover evicts nothing; see daemon-takeover.sh for the
#    entries);
#  - keepalived's notify_fifo says BACKUP: every epoch is bumped; MASTER:
#    none is, and the log says why; a malformed line is counted and
#    ignored.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

netns_setup 2
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

# The lb learnt backend1's MAC when it forwarded; a new instance takes the
# address (new MAC) and announces it, which replaces the neighbour entry.
ns_backend 1 ip link set eth0 address 02:00:00:c7:0f:01
ns_lb ip neigh replace "${BACKEND4[1]}" dev be1 lladdr 02:00:00:c7:0f:01 nud reachable
wait_for 5 test "$(backend_field backend1 epoch)" -gt "$e1"
assert_eq $((e1 + 1)) "$(backend_field backend1 epoch)" "backend1's epoch"
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2's epoch"
assert_eq 0 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[1]}" | wc -l)" \
	"backend1's entries after the bump"
assert_match 'source=neigh cause="neighbour' "$(daemon_log)" "log line of the bump"
assert_eq backend1 "$(flow 4 "$sport")" "the pinned flow, on the new instance"
assert_eq 1 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[1]}" | wc -l)" \
	"a fresh entry to backend1"
pass "lladdr change: epoch bumped, stale entries evicted, flow continues"

# The same lladdr again (a state change only): nothing happens.
ns_lb ip neigh replace "${BACKEND4[1]}" dev be1 lladdr 02:00:00:c7:0f:01 nud stale
sleep 0.5
assert_eq $((e1 + 1)) "$(backend_field backend1 epoch)" "epoch after a same-lladdr update"
pass "same lladdr: no bump"

# backend2's link down, then up.
e2=$(backend_field backend2 epoch)
ns_lb ip link set be2 down
wait_for 5 test "$(backend_field backend2 state)" = down
assert_eq 0 "$(backend_field backend2 slots)" "backend2's slots while down"
assert_eq "$TABLE_SIZE" "$(backend_field backend1 slots)" "backend1's slots while backend2 is down"
ns_lb ip link set be2 up
wait_for 5 test "$(backend_field backend2 state)" = active
assert_ge $((e2 + 2)) "$(backend_field backend2 epoch)" "backend2's epoch after down and up"
assert_ge 1 "$(backend_field backend2 slots)" "backend2's slots after up"
pass "link down/up: state follows, epochs bumped"

# For wait_for, which runs its command again, not its arguments' $(...).
epoch_above() { (($(backend_field "$1" epoch) > $2)); }
logged() { daemon_log | grep -q -- "$1"; }
ignored_above() { (($(metric ctfailover_ignored_input_total) > $1)); }

# The VIP leaves this host: every backend is bumped. It comes back: none
# is, and the log says why.
e1=$(backend_field backend1 epoch)
e2=$(backend_field backend2 epoch)
ns_lb ip addr del "$VIP4/32" dev lo
wait_for 5 epoch_above backend2 "$e2"
wait_for 5 epoch_above backend1 "$e1"
ns_lb ip addr add "$VIP4/32" dev lo
wait_for 5 logged "event source=addr: takeover, nothing evicted (entries are live): vip $VIP4 added"
assert_eq $((e1 + 1)) "$(backend_field backend1 epoch)" "backend1 after the VIP moved away and back"
assert_eq $((e2 + 1)) "$(backend_field backend2 epoch)" "backend2 after the VIP moved away and back"
assert_eq 1 "$(metric ctfailover_takeovers_total)" "takeovers"
pass "VIP away: every epoch bumped; back: none"

# keepalived: leaving MASTER bumps all, entering it does not; a repeat and
# a bad line do nothing.
e1=$(backend_field backend1 epoch)
ignored=$(metric ctfailover_ignored_input_total)
echo 'INSTANCE "VI_1" BACKUP 100' >"$FIFO"
wait_for 5 epoch_above backend1 "$e1"
echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
wait_for 5 logged 'event source=keepalived: takeover, nothing evicted (entries are live): keepalived INSTANCE VI_1 BACKUP -> MASTER'
echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
echo 'this is not keepalived' >"$FIFO"
wait_for 5 ignored_above "$ignored"
assert_eq $((e1 + 1)) "$(backend_field backend1 epoch)" "epoch after BACKUP, MASTER, MASTER again, junk"
assert_eq 2 "$(metric ctfailover_takeovers_total)" "takeovers"
assert_match 'keepalived fifo: ignored line' "$(daemon_log)" "log of the bad line"
assert_ge 2 "$(metric 'ctfailover_events_total{source="keepalived"}')" "keepalived events metric"
assert_ge 1 "$(metric 'ctfailover_events_total{source="neigh"}')" "neighbour events metric"
pass "keepalived BACKUP bumps all, MASTER none; repeats and junk nothing"
