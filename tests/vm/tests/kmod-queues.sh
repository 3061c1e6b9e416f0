#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Packets that wait in a queue across a bump: what the acknowledgment does
# and does not cover (docs/architecture.md, "After an acknowledgment").
#  - netem: a datagram NATed to the old instance before the bump and held
#    in the lb's qdisc (3 s; 30 on the debug kernel) reaches the old
#    instance after the acknowledgment (not covered); the flow's next
#    datagram, sent after it, reaches the new instance, and nothing more
#    reaches the old one.
#  - NFQUEUE: the first datagram of a flow, NATed and stamped, waits in
#    the queue, its entry unconfirmed, while the bump is acknowledged and
#    its sweep completes. Released, it goes to the old instance (not
#    covered); its entry, confirmed stale, is seen by the confirm hook
#    (late), and the sweep that follows deletes it with no further packet
#    of the flow; the next datagram reaches the new instance.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

modprobe ctfailover
modprobe nfnetlink_queue
netns_setup 2
serve_backends
name_backends

rx_is() { [[ $(backend_rx "$1" 4) == "$2" ]]; }
swept_since() { (($(mstat sweeps) > $1)); }
settled() { [[ $(mstat may_be_stale) == 0 ]]; }
no_entry() { [[ -z $(ct_list "$NS_LB" -p udp --sport "$1") ]]; }

# --- netem: a datagram queued on the way out ---------------------------------
sport=46000
ctl sweep-delay 0
lb_dnat "${BACKEND4[1]}"
# backend1's address resolved first: the delay is the qdisc's alone.
udp_send "$NS_CLIENT" -s "$sport" -n 1 -w 2000 "$VIP4" 5070 >/dev/null
# Long enough to outlast the steps up to the acknowledgment.
delay=$((3 * CTF_VM_SLOWDOWN))
ns_lb tc qdisc add dev be1 root netem delay "${delay}s"
rx0=$(backend_rx 1 4)
udp_send "$NS_CLIENT" -s "$sport" -n 1 "$VIP4" 5060 >/dev/null
wait_for 5 ct_list "$NS_LB" -p udp --sport "$sport" --reply-src "${BACKEND4[1]}"
lb_dnat "${BACKEND4[2]}"
ctl bump "${BACKEND4[1]}" >/dev/null
ack_us=$(now_us)
assert_eq "$rx0" "$(backend_rx 1 4)" "datagrams at backend1 when the bump was acknowledged (one still in netem)"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 1 -w 3000 "$VIP4" 5060)
replies_from backend2 1 "$out"
wait_for $((delay + 10)) rx_is 1 $((rx0 + 1))
info "the queued datagram reached backend1 $((($(now_us) - ack_us) / 1000)) ms after the acknowledgment (documented)"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 3000 "$VIP4" 5060)
replies_from backend2 3 "$out"
assert_eq $((rx0 + 1)) "$(backend_rx 1 4)" "datagrams at backend1 (only the queued one)"
ns_lb tc qdisc del dev be1 root
pass "netem: the datagram queued before the ack reaches the old instance; every one sent after it, the new one"

# --- NFQUEUE: a flow's first datagram held, its entry unconfirmed ---------------
sport=46001
lb_dnat "${BACKEND4[1]}"
ns_lb nft -f - <<EOF
table inet ctf_q {
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp dport 5060 ct state new queue num 7
	}
}
EOF
mkfifo "$NETNS_TMP/nfq.in"
ns_bg "$NS_LB" "$NETNS_TMP/nfq.log" sh -c "exec ctf-nfq 7 <'$NETNS_TMP/nfq.in'"
exec 7>"$NETNS_TMP/nfq.in"
wait_for 5 grep -q '^ready' "$NETNS_TMP/nfq.log"

rx0=$(backend_rx 1 4)
late=$(mstat late)
udp_send "$NS_CLIENT" -s "$sport" -n 1 "$VIP4" 5060 >/dev/null
wait_for 5 grep -q '^held' "$NETNS_TMP/nfq.log"
# Unconfirmed: not in the table, so no sweep can see it.
no_entry "$sport" || fail "the held datagram's entry is in the table before its verdict"
lb_dnat "${BACKEND4[2]}"
s0=$(mstat sweeps)
ctl bump "${BACKEND4[1]}" >/dev/null
wait_for 10 swept_since "$s0"
wait_for 10 settled
info "the bump's sweep completed with the datagram still held"
s0=$(mstat sweeps)
echo release >&7
wait_for 5 grep -q '^released 1' "$NETNS_TMP/nfq.log"
wait_for 10 rx_is 1 $((rx0 + 1))
info "the held datagram reached backend1 after the acknowledgment (documented)"
assert_eq $((late + 1)) "$(mstat late)" "entries confirmed stale (late)"
wait_for 10 swept_since "$s0"
wait_for 10 no_entry "$sport"
info "the late entry was deleted by a sweep, no further datagram of the flow needed"
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 3000 "$VIP4" 5060)
replies_from backend2 3 "$out"
assert_eq $((rx0 + 1)) "$(backend_rx 1 4)" "datagrams at backend1 (only the held one)"
exec 7>&-
pass "NFQUEUE: the held datagram reaches the old instance, its late entry is swept, the flow's next datagram the new one"
