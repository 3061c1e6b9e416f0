#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark, in the VM (tests/bench/run starts it): what ctfailover.ko costs
# each packet that crosses the lb. Its hooks see every IPv4 and IPv6 packet
# of the namespace; a packet that is not UDP to a SIP port must leave after
# a protocol and a port check. In the standard topology (client -> lb with
# nft DNAT of UDP 5060 and 5070 to backend1 -> backend1), one UDP flow
# (fixed 4-tuple, so conntrack finds its entry) is pushed through the lb as
# fast as it goes, and the datagrams delivered to backend1 are counted:
#
#   nonsip          UDP 5070, ctfailover.ko not loaded
#   nonsip_mod      UDP 5070, the module loaded, backend1 configured, SIP
#                   ports 5060: the figure this benchmark is for
#   sip_mod         UDP 5060 with the module, in steady state (a complete
#                   sweep since the last change: the re-steer hook looks
#                   nothing up)
#   sip_mod_dirty   the same during a change (one made, its sweep pending):
#                   the hook looks the entry up and reads its stamp
#   new_nonsip,     one datagram per new flow (source ports cycling over
#   new_nonsip_mod, 1024..65535 on four addresses), UDP 5070 without and
#   new_sip_mod     with the module, and UDP 5060 with it (entry stamped):
#                   the module makes conntrack give every new entry a label
#                   area, whatever its port
#   sink            the same sender, its datagrams dropped at the lb's
#                   ingress: what the sender and the client veth cost
#
# Where the time goes, in one TCG guest. QEMU runs the guest's vCPUs on one
# host thread, in turn (tests/vm/README.md): a second vCPU adds no
# parallelism, so whatever the sender spends the lb cannot. And veth hands
# a packet to its peer with netif_rx() on the sending CPU, whose softirq
# runs as soon as the sender's transmit re-enables bottom halves: client,
# lb and backend all process a datagram inside the sender's system call.
# So the rate is 1 / (sender + lb + backend cost per datagram), no queue
# hides work (every run checks that every datagram sent reached the sink,
# before the sender returned), and the sender cannot starve the lb: it can
# only dilute the lb's share of the total. Hence:
#  - the sender is as cheap as a sender gets: ctf-flood crafts the packets
#    on a raw socket and hands the kernel 64 per sendmmsg() call;
#  - backend1 drops the datagrams at its ingress hook (nft netdev, counted
#    there): no socket, no ICMP port unreachable, no reply to track;
#  - the sink run measures the sender's and the client veth's share, so
#    the module's cost is also given against the lb's own work per packet:
#    lb = 1/nonsip - 1/sink, module = 1/nonsip_mod - 1/nonsip;
#  - the lb's conntrack table is flushed before each run, so each flow's
#    entry is created under the configuration being measured.
# The clock. With wall-clock time, other work on the host (a 2-core machine
# shared with builds and other guests) moved the rates of identical runs by
# up to 40%. tests/bench/run therefore boots this guest with `--icount 0
# --smp 1` (QEMU's icount wants a single vCPU): the guest's clock advances
# 1 ns per instruction executed, so rates are in instructions and repeat
# to the packet. Instructions are not cycles (a cache miss counts as one),
# but under TCG neither is wall time: the ratios are the figures. The runs
# are still interleaved (the unloaded and the loaded halves of a round in
# alternating order, the module unloaded and loaded again each round),
# each round's ratios are taken between its own runs, and the medians over
# the rounds are reported with their quartiles. Everything runs pinned to
# CPU 0 (taskset), which matters only on a guest with more vCPUs.
# Prints "BENCH pps.KEY value" lines; per-datagram costs are in ns of guest
# time (= instructions under --icount 0, said by pps.icount_shift).
#
#   kmod-pps.sh [ROUNDS [SECONDS]]      default 5 rounds of 1 s runs
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../vm/lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../vm/lib/kmod.sh"

ROUNDS=${1:-5}
SECS=${2:-1}
SIP=5060
NONSIP=5070

bench() { echo "BENCH pps.$*"; }

# sink NS IF: count and drop the IPv4 UDP datagrams arriving on IF, at the
# netdev ingress hook (ARP and the rest still pass).
sink() {
	ip netns exec "$1" nft -f - <<-EOF
		table netdev ctf_sink {
			counter rx {}
			chain ingress {
				type filter hook ingress device $2 priority 0; policy accept;
				ip protocol udp counter name rx drop
			}
		}
	EOF
}
sink_count() { nft_counter "$1" netdev ctf_sink rx; }

# flood NS PORT ARGS...: push datagrams to VIP4:PORT for SECS seconds and
# print "RATE" (datagrams per second counted by the sink in NS); every
# datagram sent must be there once the sender is done.
flood() {
	local ns=$1 port=$2 before out sent secs got
	shift 2
	ns_lb conntrack -F >/dev/null 2>&1 || true
	before=$(sink_count "$ns")
	out=$(ns_client taskset -c 0 ctf-flood -s "$CLIENT4" "$@" -t "$SECS" "$VIP4" "$port")
	read -r _ sent _ secs _ <<<"$out"
	got=$(($(sink_count "$ns") - before))
	[[ $got == "$sent" ]] || fail "port $port: sent $sent, $got at the sink"
	awk -v n="$got" -v s="$secs" 'BEGIN { printf "%.0f\n", n / s }'
}

RESULTS= # "ROUND KIND RATE" lines, in $NETNS_TMP
run() { # KIND NS PORT ARGS...
	local kind=$1 rate
	shift
	rate=$(flood "$@")
	info "round $round: $kind $rate/s"
	echo "$round $kind $rate" >>"$RESULTS"
}

one_flow=(-p 40000 -P 40000)
new_flows=(-a 4 -p 1024 -P 65535)

unloaded() {
	sink "$NS_LB" cl0
	run sink "$NS_LB" "$NONSIP" "${one_flow[@]}"
	ns_lb nft delete table netdev ctf_sink
	run nonsip "${NS_BACKEND[1]}" "$NONSIP" "${one_flow[@]}"
	run new_nonsip "${NS_BACKEND[1]}" "$NONSIP" "${new_flows[@]}"
}

loaded() {
	local tagged
	modprobe ctfailover
	# No background sweep during a run (one walks the whole table).
	ctl sweep-delay 3600000 >/dev/null
	ctl set "${BACKEND4[1]}" name backend1 >/dev/null
	ctl ports "$SIP" >/dev/null
	# Steady state: a complete sweep since the last change.
	ctl evict >/dev/null
	assert_eq 0 "$(mstat may_be_stale)" "the module's may_be_stale after an evict"
	run nonsip_mod "${NS_BACKEND[1]}" "$NONSIP" "${one_flow[@]}"
	assert_eq 0 "$(mstat tagged)" "entries stamped by non-SIP traffic"
	run sip_mod "${NS_BACKEND[1]}" "$SIP" "${one_flow[@]}"
	assert_eq 1 "$(mstat tagged)" "entries stamped by the SIP flow"
	assert_eq 0 "$(mstat may_be_stale)" "the module's may_be_stale after the SIP run"
	# During a change: another backend added, its sweep an hour away, so
	# the re-steer hook looks up every SIP datagram's entry.
	ctl set 192.0.2.99 >/dev/null
	assert_eq 1 "$(mstat may_be_stale)" "the module's may_be_stale after a change"
	run sip_mod_dirty "${NS_BACKEND[1]}" "$SIP" "${one_flow[@]}"
	assert_eq 2 "$(mstat tagged)" "entries stamped by the SIP flows"
	run new_nonsip_mod "${NS_BACKEND[1]}" "$NONSIP" "${new_flows[@]}"
	assert_eq 2 "$(mstat tagged)" "entries stamped by non-SIP flows"
	run new_sip_mod "${NS_BACKEND[1]}" "$SIP" "${new_flows[@]}"
	tagged=$(mstat tagged)
	assert_ge 1000 "$tagged" "entries stamped by new SIP flows"
	ns_lb conntrack -F >/dev/null 2>&1 || true
	rmmod ctfailover
}

# Room for the new-flow runs' entries, and no backlog drop.
modprobe nf_conntrack
sysctl -qw net.netfilter.nf_conntrack_max=1000000
echo 262144 >/sys/module/nf_conntrack/parameters/hashsize
sysctl -qw net.core.netdev_max_backlog=100000
netns_setup 1
RESULTS=$NETNS_TMP/rates
lb_dnat "${BACKEND4[1]}"
sink "${NS_BACKEND[1]}" eth0

bench "kernel $(uname -r)"
bench "kernel_version $(sed -n 's/.* Debian \([^ ]*\) .*/\1/p' /proc/version)"
bench "cpus $(nproc)"
bench "icount_shift ${CTF_BENCH_ICOUNT:-none}"
bench "rounds $ROUNDS"
bench "seconds $SECS"
for ((round = 1; round <= ROUNDS; round++)); do
	if ((round % 2)); then
		unloaded
		loaded
	else
		loaded
		unloaded
	fi
done

# stats: "median q1 q3" of the numbers on stdin (nearest rank).
stats() {
	sort -g | awk '{ v[NR] = $1 }
		function q(p) { return v[int((NR - 1) * p + 1.5)] }
		END { print q(0.5), q(0.25), q(0.75) }'
}
# per_round EXPR: the awk expression EXPR for each round, over that round's
# rates (named by their kind) and ns(RATE) = nanoseconds per datagram.
per_round() {
	awk '{ r[$1, $2] = $3; n = $1 > n ? $1 : n }
		function ns(v) { return 1e9 / v }
		END {
			for (i = 1; i <= n; i++) {
				sink = r[i, "sink"]; nonsip = r[i, "nonsip"]
				nonsip_mod = r[i, "nonsip_mod"]; sip_mod = r[i, "sip_mod"]
				sip_mod_dirty = r[i, "sip_mod_dirty"]
				new_nonsip = r[i, "new_nonsip"]
				new_nonsip_mod = r[i, "new_nonsip_mod"]
				new_sip_mod = r[i, "new_sip_mod"]
				print '"$1"'
			}
		}' "$RESULTS"
}
# report KEY DECIMALS: the median of the numbers on stdin, and its quartiles
# as KEY.q1 and KEY.q3.
report() {
	local m q1 q3
	read -r m q1 q3 <<<"$(stats)"
	bench "$1 $(printf '%.*f' "$2" "$m")"
	bench "$1.q1 $(printf '%.*f' "$2" "$q1")"
	bench "$1.q3 $(printf '%.*f' "$2" "$q3")"
}

for k in sink nonsip nonsip_mod sip_mod sip_mod_dirty new_nonsip new_nonsip_mod new_sip_mod; do
	awk -v k="$k" '$2 == k { print $3 }' "$RESULTS" | report "$k.rate" 0
done
# Throughput with the module over without, each round against itself.
per_round 'nonsip_mod / nonsip' | report ratio.nonsip_mod 3
per_round 'sip_mod / nonsip' | report ratio.sip_mod 3
per_round 'sip_mod_dirty / nonsip' | report ratio.sip_mod_dirty 3
per_round 'new_nonsip_mod / new_nonsip' | report ratio.new_nonsip_mod 3
per_round 'new_sip_mod / new_nonsip' | report ratio.new_sip_mod 3
# Nanoseconds (of TCG time) per datagram: the sender's share, the lb's, and
# what the module adds to the lb's.
lb='(ns(nonsip) - ns(sink))'
per_round 'ns(sink)' | report sender_ns 0
per_round "$lb" | report lb_ns 0
per_round 'ns(nonsip_mod) - ns(nonsip)' | report mod_ns 0
per_round 'ns(sip_mod) - ns(nonsip)' | report sip_ns 0
per_round 'ns(sip_mod_dirty) - ns(nonsip)' | report sip_dirty_ns 0
per_round 'ns(new_nonsip_mod) - ns(new_nonsip)' | report new_mod_ns 0
per_round 'ns(new_sip_mod) - ns(new_nonsip)' | report new_sip_ns 0
per_round "100 * (ns(nonsip_mod) - ns(nonsip)) / $lb" | report mod_pct_of_lb 1
per_round "100 * (ns(sip_mod) - ns(nonsip)) / $lb" | report sip_pct_of_lb 1
