#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's edges (issue 12, "Correctness" and the one grace period):
#  - a flow addressed to a backend's own address, which no rule NATed, is
#    not the module's: never stamped, and a bump does not delete its entry;
#  - a sweep that conntrack's table is resized under starts again, so no
#    stale entry is skipped (the restart is counted: sweep_restarts), and
#    one that gives up leaves the rest to the next; also while it passes
#    buckets without their lock (those with no entry of a changed backend);
#  - bump-all gives every backend a new epoch with one wait for packets in
#    flight: with 42 backends it takes under 3x one bump.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

modprobe ctfailover
netns_setup 2
udp_serve 1
ctl set "${BACKEND4[1]}" name backend1 >/dev/null
ctl set "${BACKEND4[2]}" name backend2 >/dev/null
ctl sweep-delay 600000
lb_dnat "${BACKEND4[1]}"
ns_lb sysctl -qw net.netfilter.nf_conntrack_acct=1

# --- a flow to a backend's own address is not ours -----------------------------
sport=43000
tagged=$(mstat tagged)
hits=$(mstat stale_hits)
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "${BACKEND4[1]}" 5060)
replies_from backend1 3 "$out"
assert_eq "$tagged" "$(mstat tagged)" "entries stamped for a flow nothing NATed"
ctl bump "${BACKEND4[1]}" >/dev/null
out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "${BACKEND4[1]}" 5060)
replies_from backend1 3 "$out"
assert_eq "$hits" "$(mstat stale_hits)" "stale hits of a flow nothing NATed"
assert_eq 6 "$(ct_packets 4 "$sport")" "datagrams on its one entry (a deleted entry counts from 0)"
# The same 4-tuple shape through the VIP is ours: stamped, and re-steered.
out=$(udp_send "$NS_CLIENT" -s $((sport + 1)) -n 2 -w 2000 "$VIP4" 5060)
replies_from backend1 2 "$out"
assert_eq $((tagged + 1)) "$(mstat tagged)" "the NATed flow's entry stamped"
ctl bump "${BACKEND4[1]}" >/dev/null
out=$(udp_send "$NS_CLIENT" -s $((sport + 1)) -n 2 -w 2000 "$VIP4" 5060)
replies_from backend1 2 "$out"
assert_eq $((hits + 1)) "$(mstat stale_hits)" "stale hits of the NATed flow"
pass "a flow to a backend's own address is neither stamped nor churned by a bump; the NATed one is both"

# --- a resize of the table during a sweep --------------------------------------
# Entries that outlive the test (unreplied UDP would expire in 30 s).
ns_lb sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600
# Global: writable only from the initial namespace.
sysctl -qw net.netfilter.nf_conntrack_max=100000
buckets=/proc/sys/net/netfilter/nf_conntrack_buckets
size0=$(cat "$buckets")
# evict_resized: bump backend1 and sweep while the table is resized back
# and forth (a bounded count); $out is the sweep's result, $resized its
# restarts.
evict_resized() {
	local r0 resizer i
	ctl bump "${BACKEND4[1]}" >/dev/null
	r0=$(mstat sweep_restarts)
	(for i in $(seq 60); do
		echo 1024 >"$buckets"
		echo 131072 >"$buckets"
	done) &
	resizer=$!
	sleep 0.1
	out=$(ctl evict)
	wait "$resizer"
	echo "$size0" >"$buckets"
	resized=$(($(mstat sweep_restarts) - r0))
}
resized=0 evicted=0 tries=0
while ((resized == 0 && tries++ < 5)); do
	ns_client ctf-flood -s 10.0.1.100 -a 1 -p 2000 -P 21999 "$VIP4" 5060
	assert_ge 20000 "$(ns_lb conntrack -C)" "entries in the lb's namespace"
	evict_resized
	evicted=$(kv evicted <<<"$out")
	info "try $tries: $out; restarts $resized"
done
((resized > 0)) || fail "no resize hit a sweep in 5 tries: the check proves nothing"
# A walk cut short starts again; after SWEEP_MAX_RESTARTS (4) the sweep
# leaves the rest to the next one, forgetting nothing. Either way, once the
# resizes stop, one more sweep finds every stale entry left, and then none.
out=$(ctl evict)
rest=$(kv evicted <<<"$out")
((resized >= 4 || rest == 0)) ||
	fail "a sweep that completed after $resized restarts left $rest stale entries to the next"
assert_ge 20000 $((evicted + rest)) "stale entries the two sweeps deleted"
assert_eq 0 "$(ctl evict | kv evicted)" "stale entries a third sweep found"
pass "a sweep the table was resized under starts again: $evicted stale entries deleted ($resized restarts), $rest by the next"
ns_lb conntrack -F 2>/dev/null

# --- the same, while the walk passes buckets without their lock ------------------
# Half the entries (odd source ports: no map, whose set walk the debug
# kernel reports, nf_tables' own) to backend2, which no change touches:
# the walk locks only the buckets that hold one of backend1's
# (ctf_bucket_quiet()), and a resize while it passes the others must
# still be seen. After every sweep that did not give up, no entry of
# backend1 is left, and every one of backend2's is.
ns_lb nft -f - <<EOF
table inet ctf_lb
delete table inet ctf_lb
table inet ctf_lb {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $VIP4 udp dport 5060 udp sport & 1 == 0 dnat ip to ${BACKEND4[1]}
		ip daddr $VIP4 udp dport 5060 dnat ip to ${BACKEND4[2]}
	}
}
EOF
of() { ns_lb conntrack -L -p udp --reply-src "$1" 2>/dev/null | grep -c . || true; }
resized=0 tries=0
while ((resized == 0 && tries++ < 5)); do
	ns_client ctf-flood -s "10.0.1.$((100 + tries))" -a 1 -p 2000 -P 21999 "$VIP4" 5060
	n2=$(of "${BACKEND4[2]}")
	assert_ge 9000 "$(of "${BACKEND4[1]}")" "entries of backend1"
	assert_ge 9000 "$n2" "entries of backend2"
	evict_resized
	info "try $tries, half to backend2: $out; restarts $resized"
	((resized >= 4)) ||
		assert_eq 0 "$(of "${BACKEND4[1]}")" "entries of backend1 left by a sweep that restarted $resized times"
	assert_eq "$n2" "$(of "${BACKEND4[2]}")" "entries of backend2 (not stale) after the sweep"
done
((resized > 0)) || fail "no resize hit a sweep in 5 tries (half to backend2): the check proves nothing"
ctl evict >/dev/null
assert_eq 0 "$(of "${BACKEND4[1]}")" "entries of backend1 after one more sweep"
pass "a sweep the table was resized under while it passed buckets without their lock starts again: backend1's stale entries all deleted, backend2's $n2 all kept ($resized restarts)"
ns_lb conntrack -F 2>/dev/null
lb_dnat "${BACKEND4[1]}"

# --- bump-all: one wait for all --------------------------------------------------
for i in $(seq 40); do
	ctl set "192.0.2.$i" >/dev/null
done
one=() all=()
for i in 1 2 3 4 5; do
	t0=$(now_us)
	ctl bump "${BACKEND4[2]}" >/dev/null
	one+=($(($(now_us) - t0)))
	e0=$(mstat last_epoch)
	t0=$(now_us)
	out=$(ctl bump-all)
	all+=($(($(now_us) - t0)))
	assert_eq $((e0 + 42)) "$(mstat last_epoch)" "epochs bump-all gave out (42 backends)"
	assert_eq 42 "$(grep -c ' epoch ' <<<"$out")" "backends bump-all listed"
done
o=$(printf '%s\n' "${one[@]}" | median)
a=$(printf '%s\n' "${all[@]}" | median)
info "one bump $o us, bump-all of 42 backends $a us (medians of 5)"
((a < 3 * o)) || fail "bump-all of 42 backends took $a us, over 3x one bump's $o us: a wait each?"
pass "bump-all of 42 backends waits once: $a us against $o us for one bump"
