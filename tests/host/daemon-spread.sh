#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctfailoverd programs real nft rules on the host kernel, and new SIP flows
# land where its Maglev table says:
#  - the table it builds is the one `ctfailoverd --print-nft | nft -f -` gives;
#  - UDP flows from fixed source ports (IPv4 and IPv6) reach the backend that
#    `ctfailoverctl where` computes from the kernel's jhash and the slot map;
#  - drain keeps a backend's flows and gives it no new ones; activate undoes it;
#  - removing one backend moves only its flows: the others keep their backend
#    and their conntrack entries; its own entries are evicted (ctnetlink);
#  - the metrics endpoint reports it.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

netns_setup 3
daemon_conf -6 backend1 "${BACKEND4[1]}" backend2 "${BACKEND4[2]}" \
	backend3 "${BACKEND4[3]}" backend1-v6 "${BACKEND6[1]}" \
	backend2-v6 "${BACKEND6[2]}" backend3-v6 "${BACKEND6[3]}"
for i in 1 2 3; do udp_serve "$i"; done

out=$(ctfailoverd --check -c "$CONF")
assert_match "ok: 6 backends, 2 VIPs, 1 SIP ports, table size $TABLE_SIZE" "$out" "--check"
daemon_start
pass "daemon started"

# The daemon's table equals the printed one loaded by nft itself.
netns_add "ctf-$$-scratch"
ctfailoverd --print-nft -c "$CONF" | ip netns exec "ctf-$$-scratch" nft -f -
assert_eq "$(ip netns exec "ctf-$$-scratch" nft list table inet ctfailover)" \
	"$(ns_lb nft list table inet ctfailover)" "daemon's table vs --print-nft"
pass "the table is what --print-nft says"

declare -A before
spread=()
for v in 4 6; do
	for ((p = 40000; p < 40030; p++)); do
		want=$(where "$v" "$p")
		got=$(flow "$v" "$p")
		assert_eq "${want%-v6}" "$got" "IPv$v flow from port $p"
		before[$v.$p]=$got
		spread+=("$got")
	done
done
n=$(printf '%s\n' "${spread[@]}" | sort -u | wc -l)
assert_eq 3 "$n" "backends reached by 60 flows"
pass "60 flows reached the backends the Maglev table names"

# drain keeps backend3's flows where they are and sends it no new ones;
# activate brings its slots back; neither bumps its epoch.
p3=
for ((p = 40000; p < 40030; p++)); do
	[[ ${before[4.$p]} != backend3 ]] || p3=$p
done
[[ -n $p3 ]] || fail "no flow on backend3"
e3=$(backend_field backend3 epoch)
dctl drain backend3 >/dev/null
assert_eq draining "$(backend_field backend3 state)" "backend3's state"
assert_eq 0 "$(backend_field backend3 slots)" "backend3's slots while draining"
assert_eq backend3 "$(flow 4 "$p3")" "backend3's existing flow while draining"
[[ $(where 4 "$p3") != backend3 ]] || fail "new flows from $p3 still go to backend3"
dctl activate backend3 >/dev/null
assert_eq "$e3" "$(backend_field backend3 epoch)" "backend3's epoch after drain and activate"
assert_eq backend3 "$(where 4 "$p3")" "new flows from $p3 after activate"
pass "drain keeps existing flows and takes new ones away; activate undoes it"

assert_eq 6 "$(metric 'ctfailover_backends{state="active"}')" "active backends metric"
slots=$(metric 'ctfailover_backend_slots{backend="backend2"}')
assert_eq "$slots" "$(backend_field backend2 slots)" "slots of backend2: metrics vs ctl"

# Entries of the flows that will stay, to check they are not touched.
ct_ids() {
	ct_list "$NS_LB" -f ipv4 -p udp --dport 5060 -o id |
		grep -v "src=${BACKEND4[2]} " | sed -n 's/.*sport=\([0-9]*\) .*id=\([0-9]*\).*/\1 \2/p' | sort
}
keep_before=$(ct_ids)
[[ -n $keep_before ]] || fail "no conntrack entries to compare"
assert_ge 1 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[2]}" | wc -l)" \
	"backend2's entries before removal"

dctl remove backend2 >"$NETNS_TMP/remove.out"
assert_match "^- backend backend2" "$(cat "$NETNS_TMP/remove.out")" "remove's diff"
assert_eq 0 "$(ct_list "$NS_LB" -f ipv4 --reply-src "${BACKEND4[2]}" | wc -l)" \
	"backend2's entries after removal (ctnetlink eviction)"
assert_eq "$keep_before" "$(ct_ids)" "entries of the other backends' flows"
pass "removal evicted backend2's entries only"

moved=0
for ((p = 40000; p < 40030; p++)); do
	got=$(flow 4 "$p")
	if [[ ${before[4.$p]} == backend2 ]]; then
		[[ $got != backend2 && -n $got ]] || fail "port $p still on '$got'"
		assert_eq "$(where 4 "$p")" "$got" "re-steered flow from port $p"
		moved=$((moved + 1))
	else
		assert_eq "${before[4.$p]}" "$got" "flow from port $p (not backend2's)"
	fi
done
assert_ge 1 "$moved" "flows that were backend2's"
assert_eq "" "$(backend_field backend2 name)" "backend2 in the backends list"
pass "only backend2's $moved flows moved; the IPv6 flows are untouched"
for ((p = 40000; p < 40030; p++)); do
	assert_eq "${before[6.$p]}" "$(flow 6 "$p")" "IPv6 flow from port $p"
done
assert_eq 1 "$(metric 'ctfailover_applies_total{outcome="ok"}' | awk '{ print ($1 >= 2) }')" \
	"ok applies counted"
pass "metrics count the applies"
