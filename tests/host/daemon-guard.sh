#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The first reference incident: automation pushed a generated config that
# deleted the SIP load balancers. Here nothing like it gets through:
#  - `plan` shows the diff and the guard's verdict, changing nothing;
#  - `apply` of a config that removes 3 of 4 backends is refused (exit 4),
#    the ruleset byte-identical; so is SIGHUP with it;
#  - an empty, a missing and a malformed config never mean "delete": each
#    is an error naming the file (and line), the ruleset unchanged;
#  - `apply --force` does it; a change within the guard applies.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

netns_setup 4
all=(b1 "${BACKEND4[1]}" b2 "${BACKEND4[2]}" b3 "${BACKEND4[3]}" b4 "${BACKEND4[4]}")
daemon_conf "${all[@]}"
daemon_start
rules=$(ruleset)

# unchanged CODE CMD...: CMD must fail with exit CODE (4: the guard
# refused; 1: it failed) and leave the ruleset alone.
unchanged() {
	local rc=0 code=$1
	shift
	"$@" >"$NETNS_TMP/out" 2>&1 || rc=$?
	assert_eq "$code" "$rc" "exit status of $*"
	assert_eq "$rules" "$(ruleset)" "ruleset after $*"
}

daemon_conf b1 "${BACKEND4[1]}"
rc=0
out=$(dctl plan) || rc=$?
assert_eq 4 "$rc" "plan's exit status when the guard would refuse"
assert_match '^- backend b2 ' "$out" "plan lists b2's removal"
assert_match 'guard: REFUSED: would remove 3 of 4 active backends \(75% > guard 50%\)' \
	"$out" "plan's guard verdict"
assert_eq "$rules" "$(ruleset)" "ruleset after plan"
pass "plan shows the diff and the refusal (exit 4), changes nothing"

unchanged 4 dctl apply
assert_match 'refused: would remove 3 of 4' "$(cat "$NETNS_TMP/out")" "apply's refusal"
ns_lb kill -HUP "$DAEMON_PID" 2>/dev/null || kill -HUP "$DAEMON_PID"
wait_for 5 grep -q 'apply: refused' "$NETNS_TMP/daemon.out"
assert_eq "$rules" "$(ruleset)" "ruleset after SIGHUP"
assert_eq 2 "$(metric 'ctfailover_applies_total{outcome="refused"}')" "refusals counted"
pass "guard refuses removing 3 of 4 (apply, SIGHUP)"

printf 'vips = [ "%s" ];\nbackends = ( );\n' "$VIP4" >"$CONF"
unchanged 1 dctl apply
assert_match 'never means' "$(cat "$NETNS_TMP/out")" "empty config's error"
: >"$CONF"
unchanged 1 dctl apply
rm -f "$CONF"
unchanged 1 dctl apply
assert_match "$CONF" "$(cat "$NETNS_TMP/out")" "missing config's error names the file"
printf 'vips = [ "%s" ];\nbackends = (\n  { name = "b1"; address = "10.0.11.2" }\n  oops\n);\n' \
	"$VIP4" >"$CONF"
unchanged 1 dctl apply
assert_match "$CONF:4" "$(cat "$NETNS_TMP/out")" "syntax error names file and line"
printf 'vips = [ "%s" ];\nbackends = ( { name = "b1"; adress = "10.0.11.2"; } );\n' \
	"$VIP4" >"$CONF"
unchanged 1 dctl apply
assert_match "$CONF:2.*adress" "$(cat "$NETNS_TMP/out")" "unknown key named"
pass "empty, missing and malformed configs change nothing"

# Within the guard: 2 of 4 is 50%, not more.
daemon_conf "${all[@]:0:4}"
dctl apply >"$NETNS_TMP/out"
assert_match 'applied' "$(cat "$NETNS_TMP/out")" "apply of 2 of 4"
assert_eq "" "$(backend_field b3 name)" "b3 after apply"
assert_eq 0 "$(ns_lb nft list map inet ctfailover slots4 | grep -c "${BACKEND4[3]}")" \
	"b3's address in the slot map"
pass "removing 2 of 4 (50%) applies"

# The budget over guard.window_s (an hour): 4 -> 2 -> 1 within it is 3
# of 4 out, refused although 1 of 2 alone would pass; --force overrides,
# and the log says so.
rules=$(ruleset)
unchanged 4 dctl remove b2
assert_match 'refused: would take 3 of 4 active backends out of service within guard.window_s 3600: 2 by earlier changes, 1 by this one \(75% > guard 50%\)' \
	"$(cat "$NETNS_TMP/out")" "the budget's refusal"
dctl remove b2 --force >/dev/null
assert_eq "" "$(backend_field b2 name)" "b2 after remove --force"
wait_for 5 grep -q 'guard: overridden by remove --force: would take 3 of 4' "$NETNS_TMP/daemon.out"
pass "the guard's budget: 4 -> 2 -> 1 within the hour is refused; --force overrides, logged"

rules=$(ruleset)
unchanged 4 dctl remove b1
assert_match 'refused: would remove the only active backend' "$(cat "$NETNS_TMP/out")" \
	"removing the last backend"
daemon_conf b3 "${BACKEND4[3]}"
unchanged 4 dctl apply
dctl apply --force >/dev/null
assert_eq "" "$(backend_field b1 name)" "b1 after apply --force"
assert_eq "$TABLE_SIZE" "$(backend_field b3 slots)" "b3 takes every slot"
pass "the last backend is never removed without --force; --force applies"

# Addresses nobody else reaches, and bad interface names, are refused where
# they enter (add, cycle, the config), with what is accepted; nothing moves.
rules=$(ruleset)
for a in 127.0.0.1 0.0.0.0 255.255.255.255 224.0.0.1 240.0.0.1 "$VIP4" ::1 :: fe80::1 ff02::1; do
	rc=0
	out=$(dctl add bad "$a" 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status of add bad $a"
	assert_match 'a unicast address another host reaches is needed|is a VIP: a backend is another host' \
		"$out" "add bad $a"
	rc=0
	out=$(dctl cycle b3 "$a" 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status of cycle b3 $a"
done
for i in 'eth0:1' '..x/y' 'a-name-far-too-long-for-linux'; do
	rc=0
	out=$(dctl add bad "${BACKEND4[2]}" "$i" 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status of add with interface $i"
	assert_match "bad interface name '$i' \(1..15 characters, no '/', ':' or spaces\)" "$out" "add with interface $i"
done
assert_eq "$rules" "$(ruleset)" "ruleset after the refused adds and cycles"
daemon_conf b3 "${BACKEND4[3]}" lo 127.0.0.1
rc=0
out=$(ctfailoverd --check -c "$CONF" 2>&1) || rc=$?
assert_eq 1 "$rc" "exit status of --check with a loopback backend"
assert_match 'backends\[1\] \(lo\).address: 127.0.0.1 is loopback \(127.0.0.0/8\)' "$out" "--check with a loopback backend"
pass "nonsense addresses (loopback, any, broadcast, multicast, reserved, link-local, the VIP) and bad interface names are refused by add, cycle and the config"

# Settings only a restart changes (the control socket, the metrics
# listener, the fifo): plan names them, apply refuses them, --force too;
# and at stop the daemon removes its own socket, nothing at the new path,
# not even when that path is its config file.
daemon_conf b3 "${BACKEND4[3]}"
dctl apply >/dev/null
old_sock=$SOCK
sed -i -e "s|^control_socket = .*|control_socket = \"$CONF\";|" \
	-e "s|:$METRICS_PORT\"|:$((METRICS_PORT + 1))\"|" "$CONF"
rules=$(ruleset)
rc=0
out=$(dctl plan) || rc=$?
assert_eq 4 "$rc" "plan's exit status with a setting that needs a restart"
assert_match '~ control_socket, metrics.listen: needs a restart' "$out" "plan"
assert_match 'guard: REFUSED: control_socket, metrics.listen changed: needs a restart of ctfailoverd \(--force does not apply it\)' "$out" "plan's verdict"
unchanged 4 dctl apply
unchanged 4 dctl apply --force
assert_match 'needs a restart' "$(cat "$NETNS_TMP/out")" "apply --force"
assert_eq 'ctfailoverctl apply: refused, nothing changed:' "$(head -n 1 "$NETNS_TMP/out")" "a refused apply's first line"
kill -HUP "$DAEMON_PID"
wait_for 10 bash -c "grep -q 'apply: refused: control_socket, metrics.listen changed' '$NETNS_TMP/daemon.out'"
assert_eq "$rules" "$(ruleset)" "ruleset after SIGHUP"
dctl status >/dev/null || fail "the daemon no longer answers on its socket"
daemon_kill TERM
[[ -f $CONF ]] || fail "the daemon removed its config file (the new control_socket path)"
[[ ! -e $old_sock ]] || fail "the daemon left its own socket"
pass "control_socket and metrics.listen changed: plan and apply (even --force, and SIGHUP) say they need a restart; at stop only its own socket is removed"

# A backend is its address: renaming two of four at unchanged addresses
# keeps their conntrack entries (their calls go on); moving every backend
# to a new address at once, or a table size the file lost (the default
# again: every slot reshuffled), is refused: exit 4, nothing changed.
daemon_conf "${all[@]}"
daemon_start
ct_put() { # BACKEND SPORT: an entry of a flow to the VIP that DNAT sent there
	ns_lb conntrack -I -p udp -s 198.51.100.7 -d "$VIP4" --sport "$2" --dport 5060 \
		--reply-src "$1" --reply-dst 198.51.100.7 --reply-port-src 5060 \
		--reply-port-dst "$2" -t 120 >/dev/null 2>&1
}
ct_of() { ns_lb conntrack -L -p udp --reply-src "$1" 2>/dev/null | grep -c . || true; }
ct_put "${BACKEND4[1]}" 41001
ct_put "${BACKEND4[2]}" 41002
assert_eq 1 "$(ct_of "${BACKEND4[1]}")" "b1's entry before the rename"
daemon_conf n1 "${BACKEND4[1]}" n2 "${BACKEND4[2]}" b3 "${BACKEND4[3]}" b4 "${BACKEND4[4]}"
out=$(dctl plan)
assert_match '~ backend b1 renamed n1 \(same address ' "$out" "plan of the rename"
assert_match 'guard: ok' "$out" "the rename's verdict"
dctl apply >/dev/null
assert_eq 1 "$(ct_of "${BACKEND4[1]}")" "b1's entry after its rename to n1"
assert_eq 1 "$(ct_of "${BACKEND4[2]}")" "b2's entry after its rename to n2"
pass "renaming 2 of 4 at unchanged addresses: a rename, their entries kept"

rules=$(ruleset)
daemon_conf n1 10.0.11.3 n2 10.0.12.3 b3 10.0.13.3 b4 10.0.14.3
unchanged 4 dctl apply
assert_match 'would take 4 of 4 active backends out of service \(0\) or to a new address \(4\)' \
	"$(cat "$NETNS_TMP/out")" "moving every backend at once"
daemon_conf n1 "${BACKEND4[1]}" n2 "${BACKEND4[2]}" b3 "${BACKEND4[3]}" b4 "${BACKEND4[4]}"
sed -i '/^maglev = /d' "$CONF"
unchanged 4 dctl apply
assert_match 'would send 1009 of 1009 slots to another backend that was serving already' \
	"$(cat "$NETNS_TMP/out")" "a table size lost from the file"
pass "moving every backend at once, and a lost table size, are refused (exit 4), nothing changed"

# An outside check's `probe NAME down` goes through the guard too, each
# verdict on its own: the last active backend's is refused as apply's
# would be (exit 4), nothing changed.
daemon_conf n1 "${BACKEND4[1]}" n2 "${BACKEND4[2]}" b3 "${BACKEND4[3]}" b4 "${BACKEND4[4]}"
dctl apply >/dev/null
for b in n1 n2 b3; do dctl probe "$b" down >/dev/null; done
rules=$(ruleset)
unchanged 4 dctl probe b4 down
assert_match 'probe: refused: ' "$(cat "$NETNS_TMP/out")" "probe down's refusal"
assert_eq active "$(dctl backends | awk '$1 == "b4" { print $4 }')" "b4's state"
pass "probe down of the last active backend is refused (exit 4), nothing changed"

# -j: a state change answers with one JSON object, done or not.
json_state() { /usr/bin/python3 -c 'import json, sys
o = json.load(sys.stdin)
print(o["backend"], o["state"], o["changed"], int(o["epoch"]) > 0)'; }
assert_eq "b3 down False True" "$(dctl -j probe b3 down | json_state)" "probe down of a down backend, -j"
assert_eq "b3 active True True" "$(dctl -j probe b3 up | json_state)" "probe up, -j"
assert_eq "b3 active False True" "$(dctl -j activate b3 | json_state)" "activate of an active backend, -j"
assert_eq "n1 active True True" "$(dctl -j activate n1 | json_state)" "activate of a down backend, -j"
assert_eq "b3 is already active" "$(dctl activate b3)" "the same, as text"
pass "probe and activate answer -j with one JSON object (backend, state, epoch, changed)"
