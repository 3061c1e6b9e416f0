#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailoverd with ctfailover.ko on a stock kernel: the epochs live in the
# module and the daemon drives it.
#  - on start the daemon gives the module its backends (names) and ports;
#  - `cycle NAME NEWADDR` (new instance, new address): the pinned 4-tuple's
#    next datagram reaches the new instance, none lost, none to the old
#    address, re-steered by the module (a stale hit), no ctnetlink;
#  - cycled 4 times while its pinned flow sends: the flow follows every time
#    (the new address is in the module before the nft map names it);
#  - a neighbour lladdr change (same address, new instance) gives the
#    module the epoch the new lladdr names, and the pinned flow's next
#    datagram is re-steered;
#  - rmmod and modprobe under the daemon: ctnetlink meanwhile, then the
#    module gets its backends back with their epochs, and the daemon warns
#    of the flowtable added meanwhile;
#  - entries at an epoch this host does not have (a peer's, committed by
#    conntrackd): `ctfailoverctl synced` has the daemon adopt it, the flow
#    keeps its entry;
#  - the VIP given up: every entry evicted, the epochs kept;
#  - kill -9: the module keeps its backends, the flow keeps going.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/../../host/lib/daemon.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

modprobe ctfailover
netns_setup 3
for b in 1 2 3; do
	rx_counters "$b"
	udp_serve "$b"
done
daemon_conf backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}"
daemon_start
assert_match 'eviction module' "$(dctl status)" "eviction mode"
assert_match "name backend1" "$(ctl backend "${BACKEND4[1]}")" "backend1 in the module"
assert_match "name backend2" "$(ctl backend "${BACKEND4[2]}")" "backend2 in the module"
assert_match "5060" "$(ctl ports)" "SIP ports in the module"
# Steady state: the sweep that the first backend scheduled has run, and
# the module no longer looks up every SIP datagram's entry.
settled() { [[ $(mstat may_be_stale) == 0 ]]; }
wait_for 10 settled
pass "the daemon gave the module its backends and ports"

# Stale entries the module deleted: a datagram's re-steer (stale_hits), or
# the sweep's if it came first (evicted; at the debug kernel's pace the
# sweep a second after a change can beat the next datagram).
moved_entries() { echo $(($(mstat stale_hits) + $(mstat evicted))); }

# port_of NAME: a client source port whose new flows go to NAME.
port_of() {
	local p
	for ((p = 44000; p < 44200; p++)); do
		[[ $(where 4 "$p") != "$1" ]] || { echo "$p"; return; }
	done
	fail "no port maps to $1"
}

sport=$(port_of backend1)
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$VIP4" 5060)
replies_from backend1 3 "$out"
rx1=$(backend_rx 1 4)
moved=$(moved_entries)
dctl cycle backend1 "${BACKEND4[3]}" >/dev/null
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$VIP4" 5060)
replies_from backend3 3 "$out"
assert_eq "$rx1" "$(backend_rx 1 4)" "datagrams to the old address after the cycle"
assert_ge $((moved + 1)) "$(moved_entries)" "entries the module moved"
assert_eq 0 "$(dctl stats | awk '$1 == "ctfailover_evictions_total{by=\"ctnetlink\"}" { print $2 }')" \
	"ctnetlink evictions"
pass "cycle to a new address: next datagram on the new instance, none lost, none to the old"

# Cycled again and again to a new address while its pinned flow sends
# every 2 ms, so datagrams arrive while the daemon moves it: each time the
# flow's next datagram is on the new instance and none reach the old. The
# daemon adds the new address to the module before the nft map names it;
# were it added after the old one's removal, a datagram in between would
# make an entry to the new address that nothing stamps, and the next cycle
# would leave the flow on the instance it leaves.
old=3
for round in 1 2 3 4; do
	new=$((old == 3 ? 1 : 3))
	ns_client "$CTF_UDP" send -s "$sport" -n 500 -i 2 "$VIP4" 5060 >/dev/null 2>&1 &
	sender=$!
	sleep 0.3
	dctl cycle backend1 "${BACKEND4[$new]}" >/dev/null
	wait "$sender" || true
	rx_old=$(backend_rx "$old" 4)
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$VIP4" 5060)
	replies_from "backend$new" 3 "$out"
	assert_eq "$rx_old" "$(backend_rx "$old" 4)" "round $round: datagrams to the old address after the cycle"
	old=$new
done
pass "4 cycles under traffic: each time the pinned flow follows, none to the old instance"

sport=$(port_of backend2)
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
epoch=$(ctl backend "${BACKEND4[2]}" | kv epoch)
moved=$(moved_entries)
ns_backend 2 ip link set eth0 address 02:00:00:c7:0f:02
ns_lb ip neigh replace "${BACKEND4[2]}" dev be2 lladdr 02:00:00:c7:0f:02 nud reachable
epoch_changed() { [[ $(ctl backend "$1" | kv epoch) != "$2" ]]; }
wait_for 5 epoch_changed "${BACKEND4[2]}" "$epoch"
# The module has the epoch the daemon derived (the same on every host).
assert_eq "$(dctl backends | awk '$1 == "backend2" { print $5 }')" "$(ctl backend "${BACKEND4[2]}" | kv epoch)" \
	"backend2's epoch: the daemon's and the module's"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
assert_ge $((moved + 1)) "$(moved_entries)" "entries the module moved"
pass "lladdr change: the module given the epoch the new lladdr names, the pinned flow re-steered on its next datagram"

# rmmod under the daemon: it says so and evicts over ctnetlink meanwhile;
# modprobe: it gives the module its backends back with the epochs they
# had, so the pinned flow's entry, stamped before the rmmod, stays current
# (no stale hit), and the module moves it at the next change.
epoch=$(ctl backend "${BACKEND4[2]}" | kv epoch)
rmmod ctfailover
wait_for 5 bash -c "[[ \$(ctfailoverctl -s $SOCK status | awk '\$1 == \"eviction\" { print \$2 }') == ctnetlink ]]"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
daemon_log | grep -q 'flowtable' && fail "a flowtable warning without a flowtable"
# A flowtable meanwhile: the module, attached again, is told it is there.
ns_lb nft add table inet ctf_ft
ns_lb nft add flowtable inet ctf_ft ft '{ hook ingress priority 0; devices = { cl0 }; }'
modprobe ctfailover
wait_for 5 ctl backend "${BACKEND4[2]}"
ft_warned() { daemon_log | grep -q 'WARNING: nft: 1 flowtable(s) (inet ctf_ft ft): a SIP flow they offload skips'; }
wait_for 5 ft_warned
ns_lb nft delete table inet ctf_ft
wait_for 5 bash -c "[[ \$(ctfailoverctl -s $SOCK status | awk '\$1 == \"eviction\" { print \$2 }') == module ]]"
assert_eq "$epoch" "$(ctl backend "${BACKEND4[2]}" | kv epoch)" "backend2's epoch given back to the module"
assert_match "name backend1" "$(ctl backend "${BACKEND4[$old]}")" "backend1 given back to the module"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
assert_eq 0 "$(mstat stale_hits)" "stale hits after the modprobe"
daemon_log | grep -q 'module: ctfailover.ko unloaded' || fail "the daemon did not log the rmmod"
daemon_log | grep -q 'module: ctfailover.ko loaded: 2 of 2 backends given to it' ||
	fail "the daemon did not log the modprobe"
moved0=$(moved_entries)
dctl cycle backend2 >/dev/null
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
# Its entry deleted once: by the datagram, or by the sweep that the
# modprobe scheduled if that ran first.
assert_eq $((moved0 + 1)) "$(moved_entries)" "entries moved by the cycle"
pass "rmmod and modprobe under the daemon: ctnetlink meanwhile, then the module again with the same epochs"

# Entries whose stamp is not this host's epoch, as after conntrackd
# committed a peer's entries here and the peer saw a change this host did
# not: `ctfailoverctl synced` finds them all at one epoch and the daemon
# adopts it, so the flow keeps its entry. (Here this host alone is given a
# cycle; the sweep it schedules is kept away.)
ctl sweep-delay 600000
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
peer=$(ctl backend "${BACKEND4[2]}" | kv epoch)
dctl cycle backend2 >/dev/null
[[ $(ctl backend "${BACKEND4[2]}" | kv epoch) != "$peer" ]] || fail "the cycle left backend2's epoch"
moved=$(moved_entries)
out=$(ns_lb ctfailoverctl -s "$SOCK" synced)
assert_match "backend2 ${BACKEND4[2]}: [1-9][0-9]* stamped, 0 at epoch [0-9]+, [1-9][0-9]* at epoch $peer: adopted" \
	"$out" "synced's report"
assert_eq "$peer" "$(ctl backend "${BACKEND4[2]}" | kv epoch)" "the module's epoch after synced"
assert_eq "$peer" "$(dctl backends | awk '$1 == "backend2" { print $5 }')" "the daemon's epoch after synced"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
assert_eq "$moved" "$(moved_entries)" "entries moved after the adoption"
assert_match "adopt backend=backend2 address=${BACKEND4[2]} epoch=[0-9]+->$peer" "$(daemon_log)" "the adoption's log line"
assert_eq 1 "$(dctl stats | awk '$1 == "ctfailover_epoch_adoptions_total" { print $2 }')" "adoptions counted"
assert_match "backend2 ${BACKEND4[2]}: [1-9][0-9]* stamped, [1-9][0-9]* at epoch $peer: agree" \
	"$(ns_lb ctfailoverctl -s "$SOCK" synced)" "synced again"
ctl sweep-delay 1000
pass "synced: the epoch a backend's entries all carry adopted, the flow kept its entry"

# The VIP given up: every backend's entries evicted over ctnetlink, every
# epoch kept (they name the instances, which did not change).
epochs=$(ctl backends | awk '{ print $1, $5 }')
assert_ge 1 "$(ns_lb conntrack -L -p udp --reply-src "${BACKEND4[2]}" 2>/dev/null | wc -l)" \
	"backend2's entries before the VIP goes"
ip -n "$NS_LB" addr del "$VIP4/32" dev lo
vip_lost() { daemon_log | grep -q 'evicting the entries of all 2 backends (epochs kept): vip'; }
wait_for 5 vip_lost
assert_eq 0 "$(ns_lb conntrack -L -p udp --reply-src "${BACKEND4[2]}" 2>/dev/null | wc -l)" \
	"backend2's entries after the VIP went"
assert_eq "$epochs" "$(ctl backends | awk '{ print $1, $5 }')" "the module's epochs after the VIP went"
ip -n "$NS_LB" addr add "$VIP4/32" dev lo
pass "VIP given up: every entry evicted, the epochs kept"

daemon_kill KILL
assert_eq 2 "$(mstat backends)" "module backends with the daemon dead"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
pass "kill -9: the module and the rules keep working"
