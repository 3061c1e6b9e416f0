#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailoverd's active health checks on the host kernel, against real SIP
# servers (sipp answering OPTIONS) in network namespaces:
#  - every backend, IPv4 and IPv6, answers: health up, nothing changes;
#  - a SIP server killed with nothing said: its backend goes down by itself
#    (slots gone, epoch bumped), and comes back when a server answers again;
#  - a reload (SIGHUP) keeps a backend its checks hold down, down;
#  - a responder that answers garbage is no SIP server: down, the garbage
#    counted as malformed;
#  - every server dead: the guard keeps the last backends in service (panic,
#    said by `probes` and the log), and all come back.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

command -v sipp >/dev/null || fail "no sipp (scripts/setup installs sip-tester)"
netns_setup 3
HEALTH_CONF='interval_ms = 200; timeout_ms = 150; jitter_percent = 0; rise = 2; fall = 2; passive_ms = 0;'
daemon_conf -6 backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" \
	backend3 "${BACKEND4[3]}" backend1-v6 "${BACKEND6[1]}"

# sip_up I [6]: a SIP server (sipp, answering OPTIONS) on backend I.
declare -A SIPP=()
sip_up() {
	local a=${BACKEND4[$1]} cp=8888 mp=6000
	[[ ${2:-} != 6 ]] || a=${BACKEND6[$1]} cp=8889 mp=6100
	ns_bg "${NS_BACKEND[$1]}" "$NETNS_TMP/sipp-$1-${2:-4}.log" \
		sipp -sn uas -aa -i "$a" -p 5060 -cp "$cp" -mp "$mp" -nostdin
	SIPP[$1.${2:-4}]=$NETNS_LAST_PID
	wait_for 10 ns_backend "$1" ss -Hlun "src $a:5060"
}
sip_kill() {
	kill -KILL "${SIPP[$1.${2:-4}]}"
	wait "${SIPP[$1.${2:-4}]}" 2>/dev/null || true
}
health() { backend_field "$1" health; }
state() { backend_field "$1" state; }
# For wait_for, which runs its command again each time.
health_is() { [[ $(health "$1") == "$2" ]]; }
state_is() { [[ $(state "$1") == "$2" ]]; }
test_gt() { (($("$1") > $2)); } # CMD N: CMD's output is above N
at_least() { (($("${@:2}") >= $1)); } # MIN CMD...: for wait_for

cd "$NETNS_TMP" # sipp writes files into its working directory
for i in 1 2 3; do sip_up "$i"; done
sip_up 1 6
daemon_start
for b in backend1 backend2 backend3 backend1-v6; do
	wait_for 10 health_is "$b" up
done
out=$(dctl probes)
assert_match 'SIP OPTIONS to port 5060 every 200 ms' "$out" "probes header"
assert_match 'backend1-v6 +up ' "$out" "probes: the IPv6 backend"
for b in backend1 backend2 backend3 backend1-v6; do
	assert_eq active "$(state "$b")" "$b's state"
done
assert_eq 1 "$(metric 'ctfailover_backend_health{backend="backend1-v6"}')" "health metric"
assert_eq 0 "$(metric ctfailover_health_panic)" "panic metric"
pass "every backend answers OPTIONS (IPv4 and IPv6): health up, all active"

# The whole host starved, as a loaded one is: the servers stop answering,
# then the daemon stops with probes in flight, and runs again 1.5 s later,
# a moment before the servers do. Timeouts it judges that late are no
# verdict (before: a failure each): no failure counted, none down.
servers=("${SIPP[1.4]}" "${SIPP[2.4]}" "${SIPP[3.4]}" "${SIPP[1.6]}")
failures() { dctl -j probes | sed 's/[{,]/\n/g' | awk -F: '$1 == "\"failures\"" { n += $2 } END { print n + 0 }'; }
f0=$(failures)
for i in 1 2 3 4 5; do
	kill -STOP "${servers[@]}"
	sleep 0.1
	kill -STOP "$DAEMON_PID"
	sleep 1.5
	kill -CONT "$DAEMON_PID"
	sleep 0.02
	kill -CONT "${servers[@]}"
	sleep 0.5
done
sleep 1
for b in backend1 backend2 backend3 backend1-v6; do
	assert_eq active "$(state "$b")" "$b's state after the host was starved"
	assert_eq up "$(health "$b")" "$b's health after the host was starved"
done
late=$(metric ctfailover_health_late_total)
assert_ge 1 "$late" "timeouts judged late"
assert_eq "$f0" "$(failures)" "probe failures counted while starved"
assert_match "health: this daemon ran [0-9]+ ms late: no verdict on backend=" "$(daemon_log)" "the daemon's log"
pass "the host starved 5 times for 1.5 s: no verdict from it ($late late), no failure counted, every backend up"

# Silent death: nothing said, the checks notice.
e2=$(backend_field backend2 epoch)
sip_kill 2
wait_for 10 state_is backend2 down
assert_eq down "$(health backend2)" "backend2's health"
assert_eq 0 "$(backend_field backend2 slots)" "backend2's slots"
assert_eq $((0xffffff - e2)) "$(backend_field backend2 epoch)" "backend2's epoch (its instance's down twin)"
assert_match 'state backend=backend2 active->down source=probe cause="health: 2 probes failed in a row \(last: timeout\)"' \
	"$(daemon_log)" "the daemon's log"
assert_eq 0 "$(metric 'ctfailover_backend_health{backend="backend2"}')" "backend2's health metric"
assert_eq 1 "$(metric 'ctfailover_health_downs_total{backend="backend2"}')" "backend2's downs metric"
pass "a SIP server killed with nothing said: its backend goes down by its checks"

sip_up 2
wait_for 10 state_is backend2 active
assert_eq up "$(health backend2)" "backend2's health"
assert_eq "$e2" "$(backend_field backend2 epoch)" "backend2's epoch (its instance's again)"
pass "it comes back when a SIP server answers again, its instance's epoch again"

# A reload keeps it down.
sip_kill 2
wait_for 10 state_is backend2 down
applies() { grep -c 'apply: ok' "$NETNS_TMP/daemon.out" || true; }
n0=$(applies)
kill -HUP "$DAEMON_PID"
wait_for 10 test_gt applies "$n0"
assert_eq down "$(state backend2)" "backend2 after SIGHUP"
assert_eq active "$(state backend1)" "backend1 after SIGHUP"
pass "a reload keeps a backend its checks hold down, down"

# Put back in service by hand while still dead: judged afresh, down again.
d0=$(metric 'ctfailover_health_downs_total{backend="backend2"}')
dctl activate backend2 >/dev/null
assert_match 'state backend=backend2 down->active source=control' "$(daemon_log)" "the daemon's log"
wait_for 10 at_least $((d0 + 1)) metric 'ctfailover_health_downs_total{backend="backend2"}'
wait_for 10 state_is backend2 down
pass "activated by hand while still dead, it goes down again by its checks"
# Back, so that the next one down is 1 of 3 (the share: health.h).
sip_up 2
wait_for 10 state_is backend2 active

# Garbage back: no SIP server.
sip_kill 3
ns_bg "${NS_BACKEND[3]}" "$NETNS_TMP/garbage.log" "$CTF_UDP" serve -N 'not SIP' 5060
wait_for 10 state_is backend3 down
malformed=$(dctl -j probes | python3 -c 'import json, sys; print(json.load(sys.stdin)["malformed"])')
assert_ge 1 "$malformed" "malformed responses counted"
pass "a responder that answers garbage is no SIP server: down, counted malformed"

# Every server dead: the guard keeps the rest in service.
sip_kill 1
sip_kill 1 6
wait_for 15 bash -c "ctfailoverctl -s '$SOCK' probes | grep -q PANIC"
n=0
for b in backend1 backend2 backend3 backend1-v6; do
	[[ $(state "$b") == down ]] || n=$((n + 1))
done
# guard.max_remove_percent 50 of each family's configured backends, one
# after the other or at once: 1 of the 3 IPv4 ones out, not the only IPv6.
assert_eq 3 "$n" "backends kept in service"
assert_eq active "$(state backend1-v6)" "the only IPv6 backend"
assert_match 'health: PANIC: backend=' "$(daemon_log)" "the daemon's log"
assert_eq 1 "$(metric ctfailover_health_panic)" "panic metric"
pass "every server dead: the guard keeps $n backends in service (panic, said)"

sip_up 1
sip_up 1 6
sip_up 2
for b in backend1 backend2 backend1-v6; do
	wait_for 15 state_is "$b" active
	wait_for 15 health_is "$b" up
done
out=$(dctl probes)
[[ $out != *PANIC* ]] || fail "still in panic: $out"
pass "the servers back: their backends active, the panic over"

# With the checks off there is no counters table, `probes` says why, and
# the backends' health reads "off".
daemon_kill TERM
HEALTH_CONF='enabled = false;'
daemon_conf -6 backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" \
	backend3 "${BACKEND4[3]}" backend1-v6 "${BACKEND6[1]}"
daemon_start
rc=0
out=$(dctl probes 2>&1) || rc=$?
assert_eq 1 "$rc" "probes' exit status with the checks off"
assert_match 'health checks are off \(health.enabled in the config\)' "$out" "probes with the checks off"
assert_eq off "$(health backend1)" "backend1's health with the checks off"
! ns_lb nft list table inet ctfailover_health >/dev/null 2>&1 ||
	fail "a health counters' table with the checks off"
pass "checks off: no counters table, probes says why, health reads off"
daemon_kill TERM
