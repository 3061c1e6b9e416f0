#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon is not in the data path:
#  - kill -9 leaves the rules in place, and new flows are still spread;
#  - a restart adopts the kernel's table and commits only what differs
#    (nothing when the config is unchanged; one backend's slots when it
#    was drained meanwhile);
#  - a start whose config would remove most backends from the kernel is
#    refused and the table left alone, unless --force;
#  - a table from before the canary (no output chain) is upgraded at start;
#  - a second daemon in the same network namespace refuses to start;
#  - a foreign `table inet ctfailover` is never taken over.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

netns_setup 3
TABLE_SIZE=65537 # the default: under 1% of the others' slots move
all=(b1 "${BACKEND4[1]}" b2 "${BACKEND4[2]}" b3 "${BACKEND4[3]}")
daemon_conf "${all[@]}"
for i in 1 2 3; do udp_serve "$i"; done
daemon_start
rules=$(ruleset)
slots2=$(backend_field b2 slots)

daemon_kill KILL
assert_eq "$rules" "$(ruleset)" "ruleset after kill -9"
got=$(flow 4 43000)
assert_match '^backend[123]$' "$got" "a new flow with the daemon dead"
pass "kill -9 leaves the data plane working"

daemon_start
assert_match 'committed 0 element deletions and 0 additions' \
	"$(cat "$NETNS_TMP/daemon.out")" "restart with the same config"
assert_eq "$rules" "$(ruleset)" "ruleset after the restart"
pass "restart adopts the table, changes nothing"

# A table from before the canary (no output chain) is upgraded in place at
# start: the chain added, nothing else moved.
daemon_kill
ns_lb nft 'flush chain inet ctfailover output; delete chain inet ctfailover output'
daemon_start
assert_match 'nft: table inet ctfailover upgraded: its output chain added' \
	"$(cat "$NETNS_TMP/daemon.out")" "the upgrade's log"
assert_match 'committed 0 element deletions and 0 additions' \
	"$(cat "$NETNS_TMP/daemon.out")" "the start after the upgrade"
assert_eq "$rules" "$(ruleset)" "ruleset after the upgrade"
pass "a table without the output chain (before the canary) is upgraded at start, nothing else moved"

daemon_kill
assert_match 'stopping on signal 15; the data plane stays' "$(daemon_log)" "SIGTERM log"
assert_eq "$rules" "$(ruleset)" "ruleset after SIGTERM"
python3 - "$CONF" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace('name = "b2"; address', 'name = "b2"; state = "draining"; address')
open(p, "w").write(s)
PY
daemon_start
# b2's slots, and (Maglev) under 1% of the others'.
moved=$(sed -n 's/.*slots moved: \([0-9]*\) of.*/\1/p' "$NETNS_TMP/daemon.out")
assert_match "committed $moved element deletions and $moved additions" \
	"$(cat "$NETNS_TMP/daemon.out")" "restart after draining b2"
assert_ge "$slots2" "$moved" "slots rewritten"
((moved - slots2 <= (TABLE_SIZE - slots2) / 100)) ||
	fail "$((moved - slots2)) of the other backends' slots rewritten: over 1%"
assert_eq draining "$(backend_field b2 state)" "b2's state"
assert_eq 0 "$(backend_field b2 slots)" "b2's slots"
pass "restart reconciles: b2's $slots2 slots and $((moved - slots2)) others rewritten"

# The kernel spreads over b1 and b3 (b2 drains); a config of b2 alone
# would take both out of service.
daemon_kill
daemon_conf b2 "${BACKEND4[2]}"
rules=$(ruleset)
rc=0
timeout 20 ip netns exec "$NS_LB" ctfailoverd -c "$CONF" >"$NETNS_TMP/start.out" 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status of a start the guard refuses"
assert_match 'refusing to start: would remove 2 of 2 active backends' \
	"$(cat "$NETNS_TMP/start.out")" "refusal"
assert_eq "$rules" "$(ruleset)" "ruleset after the refused start"
DAEMON_ARGS=(--force)
daemon_start
DAEMON_ARGS=()
assert_eq "$TABLE_SIZE" "$(backend_field b2 slots)" "b2's slots after --force"
pass "a start that would remove most backends needs --force"

# One daemon per network namespace: a second, with its own socket and
# metrics port, refuses before it touches anything; the first still
# answers and the table is as it was.
sed -e "s|/control\\.sock|/control2.sock|" -e "s|:$METRICS_PORT|:$((METRICS_PORT + 1))|" "$CONF" >"$NETNS_TMP/second.conf"
rules=$(ruleset)
rc=0
timeout 20 ip netns exec "$NS_LB" ctfailoverd -c "$NETNS_TMP/second.conf" >"$NETNS_TMP/second.out" 2>&1 || rc=$?
ctfailoverd --check -c "$NETNS_TMP/second.conf" >/dev/null || fail "the second config is bad"
assert_eq 1 "$rc" "exit status of a second daemon"
assert_match 'another ctfailoverd runs in this network namespace \(it holds the abstract socket @ctfailoverd\): refusing to start, nothing touched' \
	"$(cat "$NETNS_TMP/second.out")" "the second daemon's refusal"
[[ ! -e $NETNS_TMP/control2.sock ]] || fail "the second daemon made its socket"
dctl status >/dev/null || fail "the first daemon no longer answers"
assert_eq "$rules" "$(ruleset)" "ruleset after the second daemon"
pass "a second daemon in the same network namespace refuses to start, touching nothing"

daemon_kill
ns_lb nft delete table inet ctfailover
ns_lb nft add table inet ctfailover
ns_lb nft add chain inet ctfailover mine
rules=$(ruleset)
rc=0
timeout 20 ip netns exec "$NS_LB" ctfailoverd -c "$CONF" >"$NETNS_TMP/start.out" 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status with a foreign table"
assert_eq "$rules" "$(ruleset)" "the foreign table"
pass "a foreign table of the same name is left alone: $(tail -n 1 "$NETNS_TMP/start.out")"
