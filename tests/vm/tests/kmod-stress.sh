#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything at once, bounded (issue 12, "Fuzz and stress"): while UDP SIP
# traffic flows from the client through the lb (four pinned flows and
# bursts of a thousand new ones), concurrently
#  - bump storms (bump of either backend, bump-all),
#  - SIP port-set changes,
#  - backends added and removed (the real backend2 too) and sweep-delay
#    changes (0 to 1 s),
#  - network namespaces created with the module enabled in them and a
#    stamped conntrack entry, a sweep queued, and deleted (every other one
#    only at the end, so that unloads meet them),
#  - rmmod and modprobe cycles (the module unloads with namespaces holding
#    state and traffic flowing, or refuses cleanly while a request holds
#    it; its family's autoload may bring it back first),
# each worker bounded by its count of iterations and all by a time cap.
# Then, the lb configured again: the pinned flows' entries go stale with a
# bump and their next datagrams reach the backend the rules now name (none
# the old one), a new flow does too, two sweeps leave nothing stale, the
# counters agree with each other, and the module unloads. The harness fails
# the run on any WARN or oops, and on the debug kernel on KASAN, lockdep
# and kmemleak reports. Counts are scaled down on the debug kernel.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

# Iterations of each worker, and the time cap of them all (seconds).
# The pinned flows send a datagram every $gap ms each.
n_bump=300 n_ports=100 n_backend=100 n_ns=24 n_reload=5 n_flood=8 cap=30 gap=10
if [[ ${CTF_SERIES:-} == debug ]]; then
	n_bump=60 n_ports=20 n_backend=20 n_ns=6 n_reload=2 n_flood=2 cap=90 gap=100
fi
churn=ctf-churn-$$
cleanup() {
	local ns
	for ns in $(ip netns list | awk -v p="$churn-" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$ns" 2>/dev/null || true
	done
	netns_cleanup
}

configure() {
	ctl sweep-delay 50 &&
		ctl set "${BACKEND4[1]}" name backend1 >/dev/null &&
		ctl set "${BACKEND4[2]}" name backend2 >/dev/null
}

modprobe ctfailover
netns_setup 2
trap cleanup EXIT
serve_backends
lb_dnat "${BACKEND4[1]}"
configure
ns_lb sysctl -qw net.netfilter.nf_conntrack_udp_timeout=120
ns_client ping -q -c 1 -W 5 "$LB4" >/dev/null
deadline=$((SECONDS + cap))
log=$NETNS_TMP

# --- the workers -------------------------------------------------------------
# Each prints one "# NAME: ..." line. Commands may fail while the module
# is unloaded (or its lb state not yet configured again): that is counted,
# never fatal; the kernel's health is the harness's to judge.

bumps() {
	local i ok=0 failed=0
	for ((i = 0; i < n_bump && SECONDS < deadline; i++)); do
		if ((i % 10 == 9)); then
			ctl bump-all >/dev/null 2>&1 && ok=$((ok + 1)) || failed=$((failed + 1))
		elif ctl bump "${BACKEND4[i % 2 + 1]}" >/dev/null 2>&1; then
			ok=$((ok + 1))
		else
			failed=$((failed + 1))
		fi
	done
	info "bumps: $i ($ok done, $failed refused)"
}

ports() {
	local sets=("5060" "5060,5070" "5061,5062,5060" "5070" "5060,5061") i ok=0
	for ((i = 0; i < n_ports && SECONDS < deadline; i++)); do
		ctl ports "${sets[i % ${#sets[@]}]}" 2>/dev/null && ok=$((ok + 1))
		sleep 0.05
	done
	info "port sets: $i ($ok done)"
}

backends() {
	local delays=(0 5 50 1000) i ok=0
	for ((i = 0; i < n_backend && SECONDS < deadline; i++)); do
		ctl set "192.0.2.$((i % 20 + 1))" state "$([[ $((i % 3)) == 0 ]] && echo draining || echo active)" >/dev/null 2>&1 && ok=$((ok + 1))
		ctl del "192.0.2.$(((i + 10) % 20 + 1))" 2>/dev/null && ok=$((ok + 1))
		ctl sweep-delay "${delays[i % ${#delays[@]}]}" 2>/dev/null && ok=$((ok + 1))
		if ((i % 10 == 5)); then
			ctl del "${BACKEND4[2]}" 2>/dev/null && ok=$((ok + 1))
			ctl set "${BACKEND4[2]}" name backend2 >/dev/null 2>&1 && ok=$((ok + 1))
		fi
	done
	info "backend changes: $i rounds ($ok commands done)"
}

# A namespace with its own stamped entry: nft DNATs 127.0.0.2 to the
# backend 127.0.0.1 on output.
namespaces() {
	local i s t ns_ctl kept=0 stamped=0
	for ((i = 0; i < n_ns && SECONDS < deadline; i++)); do
		s=$churn-$i
		ip netns add "$s"
		ip -n "$s" link set lo up
		ip netns exec "$s" nft -f - <<-EOF
			table ip nat {
				chain out {
					type nat hook output priority -100; policy accept;
					ip daddr 127.0.0.2 udp dport 5060 dnat to 127.0.0.1
				}
			}
		EOF
		ns_ctl=(ip netns exec "$s" ctfailoverctl module)
		"${ns_ctl[@]}" sweep-delay $((i % 3 * 100)) 2>/dev/null || true
		"${ns_ctl[@]}" set 127.0.0.1 >/dev/null 2>&1 || true
		ip netns exec "$s" "$CTF_UDP" send -s 40000 -n 2 127.0.0.2 5060 2>/dev/null || true
		# No stats while the reload worker has the module out (pipefail).
		t=$("${ns_ctl[@]}" stats 2>/dev/null | kv tagged) || t=0
		((${t:-0} > 0)) && stamped=$((stamped + 1))
		"${ns_ctl[@]}" bump 127.0.0.1 >/dev/null 2>&1 || true
		if ((i % 2)); then
			kept=$((kept + 1))
		else
			ip netns del "$s"
		fi
	done
	info "namespaces: $i created ($stamped with a stamped entry), $kept left for the unloads to meet"
}

reloads() {
	local i unloaded=0 refused=0
	for ((i = 0; i < n_reload && SECONDS < deadline; i++)); do
		sleep $((cap / (n_reload + 1)))
		if rmmod ctfailover 2>"$log/rmmod.err"; then
			unloaded=$((unloaded + 1))
		else
			refused=$((refused + 1))
			info "rmmod refused: $(cat "$log/rmmod.err")"
		fi
		sleep 0.5
		modprobe ctfailover
		configure 2>/dev/null || true
	done
	info "reloads: $i ($unloaded unloaded, $refused refused)"
	echo "$unloaded" >"$log/unloaded"
}

floods() {
	local i
	for ((i = 0; i < n_flood && SECONDS < deadline; i++)); do
		ns_client ctf-flood -s 10.0.1.100 -a 1 -p $((2000 + i * 1000)) \
			-P $((2999 + i * 1000)) "$VIP4" 5060 >/dev/null
		sleep 1
	done
	info "floods: $i bursts of 1000 new flows"
}

ns_bg "$NS_LB" "$log/monitor.log" ctfailoverctl module monitor --timeout $((cap + 60))
senders=()
for p in 1 2 3 4; do
	ns_bg "$NS_CLIENT" "$log/send$p.log" \
		"$CTF_UDP" send -s $((41000 + p)) -n 100000 -i "$gap" "$VIP4" 5060
	senders+=("$NETNS_LAST_PID")
done
t0=$SECONDS
workers=()
for w in bumps ports backends namespaces reloads floods; do
	# A command that ends a worker (errexit) says which, in its output.
	(
		set -E
		trap 'echo "ERROR: worker $w: line $LINENO: $BASH_COMMAND (exit $?)"' ERR
		"$w"
	) >"$log/$w.out" 2>&1 &
	workers+=("$!")
done
rc=0
for pid in "${workers[@]}"; do
	wait "$pid" || rc=1
done
cat "$log"/{bumps,ports,backends,namespaces,reloads,floods}.out
((rc == 0)) || fail "a stress worker failed (its output is above)"
kill "${senders[@]}" 2>/dev/null || true
wait "${senders[@]}" 2>/dev/null || true
info "stress: $((SECONDS - t0)) s (cap $cap s), $(ns_lb conntrack -C) entries in the lb's namespace"
assert_ge 1 "$(cat "$log/unloaded")" "unloads during the stress"
pass "the stress ran to its bounds; the module unloaded $(cat "$log/unloaded") times under it"

# --- after: the invariant, and counters that agree ----------------------------
[[ -d /sys/module/ctfailover ]] || modprobe ctfailover
ctl ports 5060
ctl sweep-delay 600000
configure
ctl sweep-delay 600000
for a in $(ctl backends | awk '$1 ~ /^192\.0\.2\./ { print $1 }'); do
	ctl del "$a" >/dev/null
done
# The stress may have left 5060 out of the port set: entries made then
# carry no stamp, and with 5060 back they are judged stale (by the
# backend's first epoch); a sweep may be walking. An evict settles both
# (it waits for a walking sweep: one at a time), then each pinned flow
# reaches backend1, the rules' choice, on an entry of the current epoch.
ctl evict >/dev/null
rx1=$(backend_rx 1 4)
for p in 1 2 3 4; do
	out=$(udp_send "$NS_CLIENT" -s $((41000 + p)) -n 2 -w 2000 "$VIP4" 5060)
	replies_from backend1 2 "$out"
done
assert_eq $((rx1 + 8)) "$(backend_rx 1 4)" "datagrams at backend1 from the pinned flows"
# The rules now say backend2 and backend1 gets a new instance: each pinned
# entry is stale, and its next datagram goes to backend2, as a new flow's.
lb_dnat "${BACKEND4[2]}"
ctl bump "${BACKEND4[1]}" >/dev/null
rx1=$(backend_rx 1 4)
rx2=$(backend_rx 2 4)
hits=$(mstat stale_hits)
for p in 1 2 3 4; do
	out=$(udp_send "$NS_CLIENT" -s $((41000 + p)) -n 2 -w 2000 "$VIP4" 5060)
	replies_from backend2 2 "$out"
done
out=$(udp_send "$NS_CLIENT" -s 43000 -n 2 -w 2000 "$VIP4" 5060)
replies_from backend2 2 "$out"
assert_eq "$rx1" "$(backend_rx 1 4)" "datagrams at backend1 after its bump"
assert_eq $((rx2 + 10)) "$(backend_rx 2 4)" "datagrams at backend2 after backend1's bump"
assert_eq $((hits + 4)) "$(mstat stale_hits)" "stale hits of the four pinned flows"
pass "after the stress the four pinned flows reach backend1, then after its bump backend2 (4 stale hits), as a new flow does, and none backend1"

ctl evict >/dev/null
out=$(ctl evict)
assert_match '^scanned [0-9]+ evicted 0 ' "$out" "a second sweep after the first"
assert_eq 0 "$(mstat may_be_stale)" "may_be_stale after a complete sweep with no change since"
list=$(ctl backends)
stats=$(ctl stats)
info "$stats"
assert_eq "$(grep -c . <<<"$list")" "$(kv backends <<<"$stats")" "backends counted and listed"
sum() { kv "$1" <<<"$list" | awk '{ s += $1 } END { print s + 0 }'; }
max_epoch=$(kv epoch <<<"$list" | sort -n | tail -1)
assert_ge "$max_epoch" "$(kv last_epoch <<<"$stats")" "last epoch given vs the backends' epochs"
for k in tagged stale_hits evicted; do
	assert_ge "$(sum "$k")" "$(kv "$k" <<<"$stats")" "the namespace's $k vs its backends' sum"
done
pass "two sweeps leave nothing stale; the namespace's counters cover its backends'"

cleanup
rmmod ctfailover
[[ ! -d /sys/module/ctfailover ]] || fail "ctfailover still loaded after rmmod"
pass "rmmod after the stress"
