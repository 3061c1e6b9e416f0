#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon's benchmarks, on the host kernel (real nft and conntrack, in
# namespaces of their own): "BENCH key value" lines on stdout.
#
#   tests/bench/daemon.sh [FLAPS]       FLAPS link down/up cycles (default 7)
#
#  - Maglev build time for 10, 100, 1000 backends (build/bench/maglev);
#  - nft commit of a one-backend removal vs `nft -f` of the whole table
#    (build/bench/nft-commit);
#  - event -> commit: ctfailoverd with 10 backends and the default 65537
#    slots; a backend's link goes down (nft batch moving its slots, then
#    ctnetlink eviction) and up, and an lladdr change (a bump; without
#    the module the entries at an unchanged address are kept),
#    each timed by the daemon from reading the event to its work done
#    (ctfailover_last_event_seconds); medians.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
flaps=${1:-7}
make -s -C "$top" userspace bench-tools >&2
export PATH=$top/build/userspace:$PATH

"$top/build/bench/maglev" | grep '^BENCH '
"$top/build/bench/nft-commit" | grep '^BENCH '

# shellcheck source=tests/host/lib/daemon.sh
. "$top/tests/host/lib/daemon.sh"
netns_setup 10 >&2
TABLE_SIZE=65537
args=()
for i in {1..10}; do
	args+=("backend$i" "${BACKEND4[i]}")
	ifs+=(-i "backend$i=be$i")
done
daemon_conf "${ifs[@]}" "${args[@]}"
daemon_start
last() { dctl stats | awk '$1 == "ctfailover_last_event_seconds" { print $2 * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The first lladdr of a neighbour is only recorded; each later one bumps.
ns_lb ip neigh replace "${BACKEND4[4]}" dev be4 nud reachable lladdr 02:00:00:be:00:00
down=() up=() neigh=()
for ((k = 0; k < flaps; k++)); do
	ns_lb ip link set be3 down
	wait_for 10 test "$(backend_field backend3 state)" = down >&2
	down+=("$(last)")
	ns_lb ip link set be3 up
	wait_for 10 test "$(backend_field backend3 state)" = active >&2
	up+=("$(last)")
	e=$(backend_field backend4 epoch)
	ns_lb ip neigh replace "${BACKEND4[4]}" dev be4 nud reachable \
		lladdr "$(printf '02:00:00:be:00:%02x' $((k + 1)))"
	wait_for 10 test "$(backend_field backend4 epoch)" -gt "$e" >&2
	neigh+=("$(last)")
done
echo "BENCH daemon.slots $TABLE_SIZE"
echo "BENCH daemon.backends 10"
echo "BENCH daemon.link_down_ms $(printf '%s\n' "${down[@]}" | median)"
echo "BENCH daemon.link_up_ms $(printf '%s\n' "${up[@]}" | median)"
echo "BENCH daemon.neigh_bump_ms $(printf '%s\n' "${neigh[@]}" | median)"
echo "BENCH daemon.flaps $flaps"
