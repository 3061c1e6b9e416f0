#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# No client delays an event (userspace/daemon/conn.h): hostile and slow
# clients of the control socket and the metrics endpoint, and a burst on
# keepalived's FIFO. Each case asserts an order, not a time: the event is
# done while the hostile clients are still at it.
#
#  - one client drips a byte every 0.3 s and never ends its line: a
#    keepalived BACKUP written meanwhile is acted on before the drip ends,
#    and the daemon closes the dripping connection at its deadline (it
#    used to wait for each byte, holding the loop as long as it dripped);
#  - 500 idle control connections from a member of the socket's group (not
#    root), reconnecting as soon as they are closed: root's `status`
#    answers every time meanwhile (places are kept for it), and an event
#    is done; the idle ones were displaced or turned away (counted);
#  - 200 idle and dripping connections to the metrics endpoint: a scrape
#    answers meanwhile (turned away now and then: a retry gets in);
#  - 1,000 keepalived lines at once (MASTER and BACKUP alternating, as a
#    flapping keepalived or a backlog writes them): acted on once for the
#    last of each kind, not 500 times.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"
CLIENTS=$(cd "$(dirname "$0")" && pwd)/lib/clients.py
PY=/usr/bin/python3

netns_setup 2
daemon_conf backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}"
daemon_start
logged() { daemon_log | grep -q -- "$1"; }
clients_total() { metric "ctfailover_clients_total{socket=\"$1\",outcome=\"$2\"}"; }

# fifo_event: the VIP leaves (MASTER, then BACKUP: the BACKUP bumps every
# backend); prints when it was written.
fifo_event() {
	echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
	local t=$EPOCHREALTIME
	echo 'INSTANCE "VI_1" BACKUP 100' >"$FIFO"
	echo "$t"
}

# --- a dripping client -------------------------------------------------------
"$PY" "$CLIENTS" "$SOCK" drip 1 6 --every 0.3 >"$NETNS_TMP/drip.out" &
drip=$!
sleep 0.5
t0=$(fifo_event)
wait_for 10 done_after "$t0"
done_at=$(event_done)
kill -0 "$drip" 2>/dev/null ||
	fail "the dripping client ended before the event was done: the order is not shown"
wait "$drip"
read -r _ _ _ connects _ closed _ held <"$NETNS_TMP/drip.out"
info "drip: event done $(awk -v a="$t0" -v b="$done_at" 'BEGIN { printf "%.1f", (b - a) * 1e3 }') ms after the line; client: $connects connects, $closed closed by the daemon, held at most $held s"
assert_ge 2 "$closed" "the dripping connections the daemon closed at the deadline"
pass "a client dripping a byte every 0.3 s delays no event, and is closed at its deadline"

# --- 500 idle control connections, not root's ---------------------------------
# A member of the socket's group (root's, here): uid nobody, gid 0.
chmod 0711 "$NETNS_TMP"
turned0=$(($(clients_total control displaced) + $(clients_total control busy)))
setpriv --reuid 65534 --regid 0 --clear-groups "$PY" "$CLIENTS" "$SOCK" idle 500 10 >"$NETNS_TMP/idle.out" &
idle=$!
sleep 1
for ((i = 0; i < 20; i++)); do
	out=$(dctl status) || fail "root's status, try $i, not answered beside 500 idle connections"
	assert_match 'backends' "$out" "status beside 500 idle connections"
done
t0=$(fifo_event)
wait_for 10 done_after "$t0"
kill -0 "$idle" 2>/dev/null ||
	fail "the idle clients ended before status and the event: the order is not shown"
turned=$(($(clients_total control displaced) + $(clients_total control busy) - turned0))
assert_ge 400 "$turned" "idle control connections displaced or turned away"
wait "$idle"
info "idle: $(cat "$NETNS_TMP/idle.out"); displaced or turned away: $turned"
pass "500 idle control connections of a group member: root's status (20 of 20) and an event answered meanwhile"

# --- the metrics endpoint -------------------------------------------------------
ns_lb "$PY" "$CLIENTS" "127.0.0.1:$METRICS_PORT" idle 100 6 >"$NETNS_TMP/midle.out" &
midle=$!
ns_lb "$PY" "$CLIENTS" "127.0.0.1:$METRICS_PORT" drip 100 6 >"$NETNS_TMP/mdrip.out" &
mdrip=$!
sleep 1
for ((i = 0; i < 10; i++)); do
	scrape=$(ns_lb curl -s -f --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics") && break
	sleep 0.2
done
((i < 10)) || fail "no scrape in 10 tries beside 200 hostile metrics connections"
info "metrics: a scrape answered at try $((i + 1))"
assert_match 'ctfailover_clients_total\{socket="metrics",outcome="displaced"\} [1-9]' "$scrape" \
	"the scrape, with the displaced metrics connections counted"
kill -0 "$midle" 2>/dev/null || fail "the metrics clients ended before the scrape"
wait "$midle" "$mdrip"
pass "200 idle and dripping metrics connections: a scrape answered meanwhile"

# --- a burst on the FIFO ------------------------------------------------------------
lost0=$(metric ctfailover_vip_losses_total)
echo 'INSTANCE "VI_1" MASTER 100' >"$FIFO"
for ((i = 0; i < 500; i++)); do
	echo 'INSTANCE "VI_1" BACKUP 100'
	echo 'INSTANCE "VI_1" MASTER 100'
done | sed '$d' >"$FIFO" # 999 lines, the last a BACKUP
wait_for 10 logged 'keepalived fifo: [0-9]* state lines at once: acting on the last of each kind'
lost=$(($(metric ctfailover_vip_losses_total) - lost0))
# One EVICT_ALL a read of the FIFO: a few reads at most.
assert_ge 1 "$lost" "VIP losses acted on after the burst ending with BACKUP"
((lost <= 4)) || fail "VIP losses acted on for 499 BACKUP lines at once: $lost, not the few of one a read"
info "burst: $(daemon_log | grep -c 'state lines at once') reads, $lost losses acted on"
pass "1,000 keepalived lines at once: acted on once for the last of each kind"
