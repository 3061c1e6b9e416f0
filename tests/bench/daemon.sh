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
#    (ctfailover_last_event_seconds); medians;
#  - an event with hostile clients: a keepalived BACKUP line (every
#    backend bumped) from its write to its work done (ctfailover_last_
#    event_timestamp_seconds), median of FLAPS, with no client, then with
#    500 hostile ones on the control socket (tests/host/lib/clients.py,
#    half idle, half dripping), then with 50 of them on the metrics port.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
flaps=${1:-7}
build=${CTF_BUILD:-$top/build}
make -s -C "$top" BUILD="$build" userspace bench-tools >&2
export PATH=$build/userspace:$PATH

echo "BENCH daemon.date $(date -u '+%Y-%m-%d %H:%M')"
"$build/bench/maglev" | grep '^BENCH '
"$build/bench/nft-commit" | grep '^BENCH '

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
	wait_for 10 field_is backend3 state down >&2
	down+=("$(last)")
	ns_lb ip link set be3 up
	wait_for 10 field_is backend3 state active >&2
	up+=("$(last)")
	e=$(backend_field backend4 epoch)
	ns_lb ip neigh replace "${BACKEND4[4]}" dev be4 nud reachable \
		lladdr "$(printf '02:00:00:be:00:%02x' $((k + 1)))"
	wait_for 10 field_isnt backend4 epoch "$e" >&2
	neigh+=("$(last)")
done
echo "BENCH daemon.slots $TABLE_SIZE"
echo "BENCH daemon.backends 10"
echo "BENCH daemon.link_down_ms $(printf '%s\n' "${down[@]}" | median)"
echo "BENCH daemon.link_up_ms $(printf '%s\n' "${up[@]}" | median)"
echo "BENCH daemon.neigh_bump_ms $(printf '%s\n' "${neigh[@]}" | median)"
echo "BENCH daemon.flaps $flaps"

# --- an event with 500 hostile clients vs none ---------------------------------
CLIENTS=$top/tests/host/lib/clients.py
# fifo_latency N: N keepalived BACKUP lines (every backend bumped), each
# after a MASTER; for each, "WRITE_TO_DONE READ_TO_DONE" in ms: from the
# write to the work done, and the daemon's own from reading it.
fifo_latency() {
	local k t0 at
	for ((k = 0; k < $1; k++)); do
		echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
		sleep 0.2
		t0=$EPOCHREALTIME
		echo 'INSTANCE "VI_1" BACKUP 100' >"$FIFO"
		wait_for 20 done_after "$t0" >&2
		at=$(event_done)
		awk -v a="$t0" -v b="$at" -v w="$(last)" 'BEGIN { printf "%.2f %.2f\n", (b - a) * 1e3, w }'
	done
}
col() { awk -v c="$1" '{ print $c }' "$2" | median; }
fifo_latency "$flaps" >"$NETNS_TMP/lat-idle"
ct_idle=$(ns_lb conntrack -C)
# The hostile clients: a member of the control socket's group (not root:
# root's ctfailoverctl has places kept for it), and any local user on the
# metrics port.
chmod 0711 "$NETNS_TMP"
hostile() { setpriv --reuid 65534 --regid 0 --clear-groups /usr/bin/python3 "$CLIENTS" "$@" >/dev/null; }
# phase NAME METRICS_CLIENTS: 500 hostile clients, METRICS_CLIENTS of
# them dripping on the metrics port and the others idle and dripping on
# the control socket, while fifo_latency runs.
phase() {
	local secs=$((flaps * 2 + 10)) m=$2 pids=() p
	hostile "$SOCK" idle $(((500 - m) / 2)) "$secs" &
	pids+=($!)
	hostile "$SOCK" drip $((500 - m - (500 - m) / 2)) "$secs" &
	pids+=($!)
	if ((m)); then
		ns_lb setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/python3 "$CLIENTS" \
			"127.0.0.1:$METRICS_PORT" drip "$m" "$secs" >/dev/null &
		pids+=($!)
	fi
	sleep 2
	fifo_latency "$flaps" >"$NETNS_TMP/lat-$1"
	ns_lb conntrack -C >"$NETNS_TMP/ct-$1"
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || echo "WARNING: a hostile client group ended early" >&2
	done
	wait "${pids[@]}"
}
phase control 0
phase mixed 50
echo "BENCH daemon.hostile_clients 500"
echo "BENCH daemon.event_idle_ms $(col 1 "$NETNS_TMP/lat-idle")"
echo "BENCH daemon.event_idle_read_ms $(col 2 "$NETNS_TMP/lat-idle")"
echo "BENCH daemon.event_idle_ct $ct_idle"
for ph in control mixed; do
	echo "BENCH daemon.event_${ph}_ms $(col 1 "$NETNS_TMP/lat-$ph")"
	echo "BENCH daemon.event_${ph}_read_ms $(col 2 "$NETNS_TMP/lat-$ph")"
	echo "BENCH daemon.event_${ph}_ct $(cat "$NETNS_TMP/ct-$ph")"
done
