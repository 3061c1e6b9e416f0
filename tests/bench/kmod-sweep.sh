#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark, in the VM (tests/bench/run starts it): on one conntrack table,
#  - eviction: the module's sweep (CTF_CMD_EVICT) of the entries of one of
#    ten backends (10% of the table, made stale by a bump) against
#    `conntrack -D --reply-src` deleting another backend's 10% (the
#    userspace baseline, the way a daemon without the module must do it),
#    three rounds, each delete on the table refilled to the same size;
#  - failover: time from `bump` to the first re-steered reply of a pinned
#    flow, which should not grow with the table (the packet path re-steers;
#    the background sweep is held off);
# at TABLE_SMALL and TABLE_LARGE entries. Prints "BENCH key value" lines.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../vm/lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../vm/lib/kmod.sh"

TABLE_SMALL=${1:-10000}
TABLE_LARGE=${2:-1000000}
NBACKENDS=10
fake() { echo "10.0.11.$((10 + $1))"; }

now_us() { echo "${EPOCHREALTIME/./}"; }	# bash: seconds.microseconds
bench() { echo "BENCH $*"; }
ct_count() { ns_lb conntrack -C; }

# flood_to TOTAL [BACKEND]: add flows from fresh source addresses until
# the lb's table holds about TOTAL entries; with BACKEND, all DNATed to it
# (a rule for their sources, first, while they are made), so that what a
# delete took from a backend, that backend gets back.
next_src=100
flood_to() {
	local want=$1 to=${2:-} have n naddrs ports last handle
	have=$(ct_count)
	n=$((want - have))
	((n > 0)) || return 0
	naddrs=$(((n + 59999) / 60000))
	ports=$(((n + naddrs - 1) / naddrs))
	last=$((next_src + naddrs - 1))
	((last < 255)) || fail "flood_to: out of source addresses"
	if [[ -n $to ]]; then
		handle=$(ns_lb nft --echo --handle insert rule inet ctf_lb prerouting \
			ip saddr "10.0.1.$next_src-10.0.1.$last" ip daddr "$VIP4" udp dport 5060 \
			dnat ip to "$to" | sed -n 's/.*# handle \([0-9]*\)$/\1/p')
		[[ -n $handle ]] || fail "flood_to: no handle for the rule to $to"
	fi
	ns_client ctf-flood -s "10.0.1.$next_src" -a "$naddrs" -p 2000 \
		-P $((2000 + ports - 1)) "$VIP4" 5060
	next_src=$((last + 1))
	[[ -z $to ]] || ns_lb nft delete rule inet ctf_lb prerouting handle "$handle"
	info "table: $(ct_count) entries"
}

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

failover_latency() {
	local i t0 t1 out
	for i in 1 2 3 4 5; do
		t0=$(now_us)
		ctl bump "${BACKEND4[1]}" >/dev/null
		out=$(ns_client ctf-udp send -s 40000 -n 1 -w 2000 "$VIP4" 5060 2>/dev/null)
		t1=$(now_us)
		[[ $out == backend1 ]] || fail "no reply after the bump"
		echo $((t1 - t0))
	done | median
}

rtt() {
	local i t0 t1
	for i in 1 2 3 4 5; do
		t0=$(now_us)
		ns_client ctf-udp send -s 40000 -n 1 -w 2000 "$VIP4" 5060 >/dev/null 2>&1
		t1=$(now_us)
		echo $((t1 - t0))
	done | median
}

# measure LABEL: both evictions and the failover latency on the table now.
round=0
measure() {
	local label=$1 entries out mod_us ct_us hits
	entries=$(ct_count)
	bench "$label.entries $entries"

	hits=$(ctl stats | kv stale_hits)
	bench "$label.rtt_us $(rtt)"
	bench "$label.bump_to_reply_us $(failover_latency)"
	[[ $(ctl stats | kv stale_hits) -ge $((hits + 5)) ]] ||
		fail "the re-steers were not done by the packet path"

	# Three rounds, each deleting one backend's entries both ways, each
	# way on the same table: refilled after each delete, to the backend
	# the delete took them from.
	local k t0 t1 mods=() cts=() mod_n=() ct_n=() scanned=() a b
	a=$(fake $((round * 2)))
	b=$(fake $((round * 2 + 1)))
	for ((k = 0; k < 3; k++)); do
		# Module: one backend's entries go stale, the sweep deletes them.
		ctl bump "$a" >/dev/null
		out=$(ctl evict)
		mods+=("$(kv usec <<<"$out")")
		mod_n+=("$(kv evicted <<<"$out")")
		scanned+=("$(kv scanned <<<"$out")")
		flood_to "$entries" "$a"

		# Baseline: conntrack(8) deletes another backend's entries.
		t0=$(now_us)
		out=$(ns_lb conntrack -D -p udp --reply-src "$b" 2>&1 >/dev/null)
		t1=$(now_us)
		cts+=("$((t1 - t0))")
		ct_n+=("$(sed -n 's/.*: \([0-9]*\) flow entries have been deleted.*/\1/p' <<<"$out")")
		flood_to "$entries" "$b"
	done
	round=$((round + 1))
	bench "$label.module_rounds_us ${mods[*]}"
	bench "$label.conntrack_rounds_us ${cts[*]}"
	mod_us=$(printf '%s\n' "${mods[@]}" | median)
	ct_us=$(printf '%s\n' "${cts[@]}" | median)
	bench "$label.module_evicted $(printf '%s\n' "${mod_n[@]}" | median)"
	bench "$label.module_scanned $(printf '%s\n' "${scanned[@]}" | median)"
	bench "$label.module_us $mod_us"
	bench "$label.conntrack_deleted $(printf '%s\n' "${ct_n[@]}" | median)"
	bench "$label.conntrack_us $ct_us"
	bench "$label.ratio_conntrack_over_module $(awk -v a="$ct_us" -v b="$mod_us" 'BEGIN { printf "%.1f", a / b }')"
}

modprobe ctfailover
sysctl -qw net.netfilter.nf_conntrack_max=$((TABLE_LARGE * 2))
echo $((TABLE_LARGE / 2)) >/sys/module/nf_conntrack/parameters/hashsize
sysctl -qw net.core.netdev_max_backlog=100000
netns_setup 1
ns_lb sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600
ns_lb sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=3600
udp_serve 1

# Ten backends that exist only as neighbour entries pointing at backend1's
# interface (which drops what is not for it), plus backend1 for the pinned
# flow whose replies time the failover.
mac=$(ns_backend 1 cat /sys/class/net/eth0/address)
map=
for i in $(seq 0 $((NBACKENDS - 1))); do
	ns_lb ip neigh replace "$(fake "$i")" lladdr "$mac" dev be1 nud permanent
	map+="${map:+, }$i : $(fake "$i")"
done
ns_lb nft -f - <<EOF
table inet ctf_lb {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip saddr $CLIENT4 udp sport 40000 ip daddr $VIP4 udp dport 5060 dnat ip to ${BACKEND4[1]}
		ip daddr $VIP4 udp dport 5060 dnat ip to jhash ip saddr . udp sport mod $NBACKENDS map { $map }
	}
}
EOF
ctl set "${BACKEND4[1]}" name pinned >/dev/null
for i in $(seq 0 $((NBACKENDS - 1))); do
	ctl set "$(fake "$i")" >/dev/null
done
ctl sweep-delay 3600000

bench "kernel $(uname -r)"
bench "cpus $(nproc)"
bench "buckets $(cat /sys/module/nf_conntrack/parameters/hashsize)"
flood_to "$TABLE_SMALL"
measure small
flood_to "$TABLE_LARGE"
measure large
