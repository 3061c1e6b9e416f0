#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The first reference incident: automation pushed a generated config that
# deleted the SIP load balancers. Here nothing like it gets through:
#  - `plan` shows the diff and the guard's verdict, changing nothing;
#  - `apply` of a config that removes 3 of 4 backends is refused (exit 1),
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

# unchanged CMD...: CMD must fail with exit 1 and leave the ruleset alone.
unchanged() {
	local rc=0
	"$@" >"$NETNS_TMP/out" 2>&1 || rc=$?
	assert_eq 1 "$rc" "exit status of $*"
	assert_eq "$rules" "$(ruleset)" "ruleset after $*"
}

daemon_conf b1 "${BACKEND4[1]}"
out=$(dctl plan)
assert_match '^- backend b2 ' "$out" "plan lists b2's removal"
assert_match 'guard: REFUSED: would remove 3 of 4 active backends \(75% > guard 50%\)' \
	"$out" "plan's guard verdict"
assert_eq "$rules" "$(ruleset)" "ruleset after plan"
pass "plan shows the diff and the refusal, changes nothing"

unchanged dctl apply
assert_match 'refused: would remove 3 of 4' "$(cat "$NETNS_TMP/out")" "apply's refusal"
ns_lb kill -HUP "$DAEMON_PID" 2>/dev/null || kill -HUP "$DAEMON_PID"
wait_for 5 grep -q 'apply: refused' "$NETNS_TMP/daemon.out"
assert_eq "$rules" "$(ruleset)" "ruleset after SIGHUP"
assert_eq 2 "$(metric 'ctfailover_applies_total{outcome="refused"}')" "refusals counted"
pass "guard refuses removing 3 of 4 (apply, SIGHUP)"

printf 'vips = [ "%s" ];\nbackends = ( );\n' "$VIP4" >"$CONF"
unchanged dctl apply
assert_match 'never means' "$(cat "$NETNS_TMP/out")" "empty config's error"
: >"$CONF"
unchanged dctl apply
rm -f "$CONF"
unchanged dctl apply
assert_match "$CONF" "$(cat "$NETNS_TMP/out")" "missing config's error names the file"
printf 'vips = [ "%s" ];\nbackends = (\n  { name = "b1"; address = "10.0.11.2" }\n  oops\n);\n' \
	"$VIP4" >"$CONF"
unchanged dctl apply
assert_match "$CONF:4" "$(cat "$NETNS_TMP/out")" "syntax error names file and line"
printf 'vips = [ "%s" ];\nbackends = ( { name = "b1"; adress = "10.0.11.2"; } );\n' \
	"$VIP4" >"$CONF"
unchanged dctl apply
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

dctl remove b2 >/dev/null
assert_eq "" "$(backend_field b2 name)" "b2 after removing 1 of 2"
rules=$(ruleset)
unchanged dctl remove b1
assert_match 'refused: would remove the only active backend' "$(cat "$NETNS_TMP/out")" \
	"removing the last backend"
daemon_conf b3 "${BACKEND4[3]}"
unchanged dctl apply
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
out=$(dctl plan)
assert_match '~ control_socket, metrics.listen: needs a restart' "$out" "plan"
assert_match 'guard: REFUSED: control_socket, metrics.listen changed: needs a restart of ctfailoverd \(--force does not apply it\)' "$out" "plan's verdict"
unchanged dctl apply
unchanged dctl apply --force
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
