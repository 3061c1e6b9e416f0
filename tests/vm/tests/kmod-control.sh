#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailover.ko's control plane, as a user meets it:
#  - state is per network namespace: another namespace sees none of the
#    lb's backends, and its changes do not touch the lb's;
#  - permissions: a process in a user namespace without CAP_NET_ADMIN over
#    the lb's namespace is refused (EPERM) for every command but version,
#    and for the events group; root of a user namespace that owns a new
#    network namespace may configure that one;
#  - a backend marked down, or removed, re-steers its pinned flows on their
#    next datagram, like a bump;
#  - the events group reports sweeps; refusals carry the kernel's reason.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

# expect_fail ERRNO-TEXT CMD...: exits 1 and says why.
expect_fail() {
	local want=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	assert_eq 1 "$rc" "exit status of '$*'"
	assert_match "$want" "$out" "error of '$*'"
}

# re-steer SPORT ACTION...: a flow pinned to backend1 moves to backend2 on
# its next datagram once ACTION has run (the rule already says backend2).
resteer_after() {
	local sport=$1 out hits rx1
	shift
	lb_dnat "${BACKEND4[1]}"
	ctl set "${BACKEND4[1]}" state active >/dev/null
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 2 -w 2000 "$VIP4" 5060)
	replies_from backend1 2 "$out"
	lb_dnat "${BACKEND4[2]}"
	hits=$(mstat stale_hits)
	"$@" >/dev/null
	rx1=$(backend_rx 1 4)
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$VIP4" 5060)
	replies_from backend2 3 "$out"
	assert_eq "$rx1" "$(backend_rx 1 4)" "datagrams to backend1 after '$*'"
	assert_eq $((hits + 1)) "$(mstat stale_hits)" "stale hits after '$*'"
}

modprobe ctfailover
netns_setup 2
serve_backends
name_backends
ctl sweep-delay 600000

# --- per-namespace state -----------------------------------------------------
other=ctf-other-$$
ip netns add "$other"
trap 'ip netns del "$other" 2>/dev/null; netns_cleanup' EXIT
assert_eq "" "$(ip netns exec "$other" ctfailoverctl module backends)" "backends seen from another namespace"
assert_eq 0 "$(ip netns exec "$other" ctfailoverctl module stats | kv backends)" "backends counted in another namespace"
expect_fail 'no backend at this address' ip netns exec "$other" ctfailoverctl module bump "${BACKEND4[1]}"
ip netns exec "$other" ctfailoverctl module set 192.0.2.7 name elsewhere >/dev/null
ip netns exec "$other" ctfailoverctl module ports 5070 >/dev/null
assert_eq 2 "$(mstat backends)" "the lb's backends after another namespace added one"
assert_eq 5060 "$(ctl ports | kv ports)" "the lb's SIP ports after another namespace changed its own"
ctl backend 192.0.2.7 >/dev/null 2>&1 && fail "the lb sees another namespace's backend"
pass "state is per network namespace"

# --- permissions -------------------------------------------------------------
userns() { ns_lb unshare -r ctfailoverctl "$@"; }
for cmd in "module set 192.0.2.9" "module backends" "module bump ${BACKEND4[1]}" \
	"module ports 5061" "module evict" "module stats" "module sweep-delay 5"; do
	# shellcheck disable=SC2086 # the command's words
	expect_fail 'Operation not permitted' userns $cmd
done
expect_fail 'Operation not permitted' userns module monitor --timeout 1
userns version >/dev/null || fail "version (read-only) refused in a user namespace"
assert_eq 2 "$(mstat backends)" "backends after refused requests"
assert_eq 600000 "$(mstat sweep_delay_ms)" "sweep delay after refused requests"
pass "a user namespace without CAP_NET_ADMIN over the lb's namespace is refused (EPERM)"
out=$(ns_lb unshare -r -n sh -c 'ctfailoverctl module set 192.0.2.10 name mine && ctfailoverctl module backends')
assert_match '^192\.0\.2\.10 name mine ' "$out" "backends of a namespace owned by a user namespace"
ctl backend 192.0.2.10 >/dev/null 2>&1 && fail "a user namespace's backend leaked into the lb's"
pass "root of a user namespace configures its own network namespace only"

# --- down and removal re-steer like a bump ----------------------------------
resteer_after 45001 ctl set "${BACKEND4[1]}" state down
pass "state down: the pinned flow moves to backend2 on its next datagram"
resteer_after 45002 ctl del "${BACKEND4[1]}"
pass "removal: the pinned flow moves to backend2 on its next datagram"
expect_fail 'no backend at this address' ctl backend "${BACKEND4[1]}"
ctl set "${BACKEND4[1]}" name backend1 >/dev/null

# --- refusals and events -----------------------------------------------------
expect_fail 'only while there are no backends' ctl label-word 2
assert_eq 3 "$(mstat label_word)" "label word after a refused change"
ns_bg "$NS_LB" "$NETNS_TMP/monitor.log" ctfailoverctl module monitor --count 1 --timeout 20
sleep 0.5
ctl evict >/dev/null
wait_for 10 grep -q '^evicted ' "$NETNS_TMP/monitor.log"
assert_match '^evicted scanned [0-9]+ evicted [0-9]+ usec [0-9]+' \
	"$(cat "$NETNS_TMP/monitor.log")" "the event of a sweep"
pass "a sweep is reported on the events group"
