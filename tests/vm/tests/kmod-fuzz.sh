#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The genetlink family under fuzzing (issue 12, "Fuzz and stress"):
# tools/ctf-genl-fuzz sends a fixed number of random and broken messages
# (every command and invalid ones, random flags, attributes of every type
# and of wrong lengths, lying lengths, cut headers, deep nests, mutated
# valid requests, several per send), seeded (CTF_FUZZ_SEED; the seed is
# printed), from
#  - root in the lb's namespace, two fuzzers at once (the family runs
#    requests in parallel), with SIP traffic flowing through it and the
#    real backends' addresses among those they name;
#  - uid 65534 in the lb's namespace (no capability over it: no request
#    but GET_INFO may succeed, by sequence number), and at the
#    same time uid 65534 as root of its own user and network namespaces
#    (unshare -r -n), where the kernel has user namespaces (SKIP where not).
# Every reply is well formed and the family answers at the end of each
# run; neither unprivileged run changes the lb's configuration, and no run
# changes the initial namespace's or a third namespace's; then, its
# configuration reset, the lb's module still stamps a new flow and
# re-steers it after a bump, and rmmod succeeds. The harness fails the run
# on any WARN or oops, and on the debug kernel on KASAN, lockdep and
# kmemleak reports. Counts are scaled down on the debug kernel.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

seed=${CTF_FUZZ_SEED:-$(((RANDOM << 15) | RANDOM))}
# Messages per run and a time cap per run (a cap reached is said, and is
# no failure: the count is a bound, not a goal).
n_root=15000 n_user=5000 n_userns=10000 cap=20
if [[ ${CTF_SERIES:-} == debug ]]; then
	n_root=2000 n_user=1000 n_userns=2000 cap=120
fi
info "seed $seed (CTF_FUZZ_SEED=$seed repeats this run's messages)"

# conf NS: what only commands change in NS's module state ("init": the
# initial namespace): its backends without their counters, its ports,
# label word, sweep delay, backend count and last epoch.
conf() {
	local pre=()
	[[ $1 == init ]] || pre=(ip netns exec "$1")
	"${pre[@]}" ctfailoverctl module backends | sed 's/ tagged .*//' | sort
	"${pre[@]}" ctfailoverctl module ports
	"${pre[@]}" ctfailoverctl module stats |
		awk '{ for (i = 1; i < NF; i++)
			if ($i ~ /^(backends|last_epoch|label_word|sweep_delay_ms)$/)
				printf "%s %s ", $i, $(i + 1)
			print "" }'
}

# fuzz NAME CMD...: run the fuzzer, show its summary, fail unless it passed.
fuzz() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	{ grep -v "^malformed reply" <<<"$out" || true; } | sed "s/^/# $name: /"
	((rc == 0)) || fail "$name: ctf-genl-fuzz exited $rc:"$'\n'"$(tail -20 <<<"$out")"
}
# fuzz_bg NAME CMD...: fuzz in the background (the family runs requests in
# parallel: two fuzzers race in one namespace); fuzz_wait collects them all.
fuzz_pids=()
fuzz_bg() {
	fuzz "$@" >"$NETNS_TMP/fuzz-$1.out" 2>&1 &
	fuzz_pids+=("$!")
}
fuzz_wait() {
	local pid rc=0
	for pid in "${fuzz_pids[@]}"; do
		wait "$pid" || rc=1
	done
	fuzz_pids=()
	cat "$NETNS_TMP"/fuzz-*.out
	rm -f "$NETNS_TMP"/fuzz-*.out
	((rc == 0)) || fail "a fuzzer failed (above)"
}

modprobe ctfailover
netns_setup 2
serve_backends
lb_dnat "${BACKEND4[1]}"
ctl sweep-delay 600000
name_backends

# Configured namespaces nobody fuzzes: the initial one and a third.
other=ctf-other-$$
ip netns add "$other"
trap 'ip netns del "$other" 2>/dev/null || true; netns_cleanup' EXIT
ip netns exec "$other" ctfailoverctl module sweep-delay 600000
ip netns exec "$other" ctfailoverctl module set 192.0.2.7 name elsewhere >/dev/null
ip netns exec "$other" ctfailoverctl module ports 5060,5070
ctfailoverctl module sweep-delay 600000
ctfailoverctl module set 192.0.2.1 name initial >/dev/null
ctfailoverctl module bump 192.0.2.1 >/dev/null
init_conf=$(conf init)
other_conf=$(conf "$other")

# --- root, in the lb's namespace, with traffic ----------------------------------
ns_client ping -q -c 1 -W 5 "$LB4" >/dev/null
ns_bg "$NS_CLIENT" "$NETNS_TMP/traffic.log" \
	"$CTF_UDP" send -s 41000 -n 100000 -i 10 -w 50 "$VIP4" 5060
traffic=$NETNS_LAST_PID
tagged0=$(mstat tagged)
for r in 1 2; do
	fuzz_bg "root$r" ns_lb ctf-genl-fuzz -s $((seed + r * 10)) -n $((n_root / 2)) -t "$cap" \
		-a "${BACKEND4[1]}" -a "${BACKEND4[2]}" -a "${BACKEND6[1]}"
done
fuzz_wait
info "lb after the root fuzzer: $(mstat backends) backends, stamped $(($(mstat tagged) - tagged0)) entries meanwhile"
pass "root in the lb's namespace, two fuzzers at once, traffic flowing: $n_root messages, every reply well formed, the family still answers"

# --- uid 65534, in the lb's namespace and in its own, at once ----------------------
# -U fails a run in which an admin request succeeds: proven able to fail
# by root in a namespace of its own.
scratch=ctf-scratch-$$
ip netns add "$scratch"
rc=0
out=$(ip netns exec "$scratch" ctf-genl-fuzz -U -s "$seed" -n 300 2>&1) || rc=$?
ip netns del "$scratch"
assert_eq 1 "$rc" "exit status of ctf-genl-fuzz -U run by root"
assert_match 'admin requests succeeded without the capability' "$out" "ctf-genl-fuzz -U run by root"
lb_conf=$(conf "$NS_LB")
fuzz_bg nobody ns_lb su -s /bin/sh nobody -c "ctf-genl-fuzz -U -s $((seed + 1)) -n $n_user -t $cap"
userns=0
if su -s /bin/sh nobody -c "unshare -r -n true" 2>/dev/null; then
	userns=1
	fuzz_bg userns su -s /bin/sh nobody -c \
		"unshare -r -n ctf-genl-fuzz -s $((seed + 2)) -n $n_userns -t $cap -a 127.0.0.1"
fi
fuzz_wait
assert_eq "$lb_conf" "$(conf "$NS_LB")" "the lb's configuration after uid 65534's fuzzing"
pass "uid 65534 in the lb's namespace: $n_user messages, no request but GET_INFO succeeded, nothing changed"
if ((userns)); then
	pass "uid 65534 as root of its own user and network namespaces: $n_userns messages, the lb's configuration unchanged"
else
	skip "uid 65534 fuzzing from its own user namespace" "unshare -r fails: this kernel has no (unprivileged) user namespaces"
fi
assert_eq "$init_conf" "$(conf init)" "the initial namespace's configuration after the fuzzing"
assert_eq "$other_conf" "$(conf "$other")" "a third namespace's configuration after the fuzzing"
pass "no fuzzer changed the initial namespace's or a third namespace's configuration"

# --- the lb's module, reset, still works ---------------------------------------------
kill "$traffic" 2>/dev/null || true
wait "$traffic" 2>/dev/null || true
ctl sweep-delay 600000
ctl ports 5060
for a in $(ctl backends | awk '{ print $1 }'); do
	ctl del "$a" >/dev/null
done
# The removed addresses are forgotten once a sweep has been through.
relabel() { ctl evict >/dev/null && ctl label-word 3; }
wait_for 10 relabel
assert_eq 0 "$(mstat backends)" "the lb's backends after removing them all"
name_backends
ctl bump "${BACKEND4[2]}" >/dev/null
assert_match "^${BACKEND4[1]//./\\.} name backend1 epoch [0-9]+ .*state active" \
	"$(ctl backend "${BACKEND4[1]}")" "backend1 listed"
assert_eq 2 "$(ctl backends | grep -c ' state active ')" "active backends listed"
tagged=$(mstat tagged)
hits=$(mstat stale_hits)
out=$(udp_send "$NS_CLIENT" -s 42000 -n 3 -w 2000 "$VIP4" 5060)
replies_from backend1 3 "$out"
assert_eq $((tagged + 1)) "$(mstat tagged)" "a new flow's entry stamped"
lb_dnat "${BACKEND4[2]}"
ctl bump "${BACKEND4[1]}" >/dev/null
out=$(udp_send "$NS_CLIENT" -s 42000 -n 3 -w 2000 "$VIP4" 5060)
replies_from backend2 3 "$out"
assert_eq $((hits + 1)) "$(mstat stale_hits)" "the pinned flow's stale hits after a bump"
pass "after the fuzzing the lb's module sets, bumps and lists backends, stamps a new flow and re-steers it after a bump"

netns_cleanup
ip netns del "$other"
rmmod ctfailover
[[ ! -d /sys/module/ctfailover ]] || fail "ctfailover still loaded after rmmod"
pass "rmmod after the fuzzing"
