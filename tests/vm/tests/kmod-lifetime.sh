#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload and namespace teardown are first-class paths: with SIP traffic
# flowing through stamped entries, a sweep queued and events listened to,
#  - a namespace with the module enabled is deleted;
#  - rmmod runs mid-traffic, the traffic keeps flowing (stock conntrack
#    takes over), and the module loads again and resumes re-steering.
# The harness fails the run on any WARN, oops or taint W/D (panic_on_warn).
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

configure() {
	ctl set "${BACKEND4[1]}" name backend1 >/dev/null
	ctl set "${BACKEND4[2]}" name backend2 >/dev/null
}

modprobe ctfailover
netns_setup 2
serve_backends
lb_dnat "${BACKEND4[1]}"
configure

# A namespace of its own with the module enabled, a queued sweep and a
# stamped entry, deleted while the sweep is pending.
scratch=ctf-scratch-$$
ip netns add "$scratch"
ip netns exec "$scratch" ip link set lo up
ip netns exec "$scratch" ctfailoverctl module set 127.0.0.1 >/dev/null
ip netns exec "$scratch" ctfailoverctl module sweep-delay 200 >/dev/null
ip netns exec "$scratch" ctfailoverctl module bump 127.0.0.1 >/dev/null
ip netns del "$scratch"
pass "a namespace with the module enabled and a sweep queued is deleted"

# Traffic through the module for the rest of the test: one datagram every
# 10 ms from many source ports, with a monitor listening to events.
ns_bg "$NS_LB" "$NETNS_TMP/monitor.log" ctfailoverctl module monitor --timeout 60
for p in 1 2 3 4; do
	ns_bg "$NS_CLIENT" "$NETNS_TMP/send$p.log" \
		"$CTF_UDP" send -s $((46000 + p)) -n 400 -i 10 -w 200 "$VIP4" 5060
done
sleep 1
ctl sweep-delay 50
ctl bump "${BACKEND4[1]}" >/dev/null
sleep 0.5

# Unload mid-traffic, with the sweep scheduled by the bump.
ctl bump "${BACKEND4[1]}" >/dev/null
rmmod ctfailover
[[ ! -d /sys/module/ctfailover ]] || fail "ctfailover still loaded after rmmod"
pass "rmmod with traffic flowing, a sweep queued and a listener joined"

# Stock conntrack carries the traffic on; the module comes back.
before=$(backend_rx 1 4)
wait_for 5 bash -c "(( \$(ip netns exec ${NS_BACKEND[1]} nft list counter inet ctf_rx rx4 | grep -o 'packets [0-9]*' | cut -d' ' -f2) > $before ))"
pass "traffic keeps flowing without the module"

for p in 1 2 3 4; do
	wait_for 20 grep -q '^sent ' "$NETNS_TMP/send$p.log"
done
modprobe ctfailover
configure
# Entries stamped by the old module carry its epochs; after a bump on the
# new one, the pinned flow must move like any other.
lb_dnat "${BACKEND4[2]}"
ctl bump "${BACKEND4[1]}" >/dev/null
out=$(udp_send "$NS_CLIENT" -s 46001 -n 3 -w 2000 "$VIP4" 5060 2>/dev/null)
assert_eq "backend2 backend2 backend2" "$(tr '\n' ' ' <<<"$out" | sed 's/ $//')" \
	"replies after reload and bump"
pass "after reload the module re-steers again"
