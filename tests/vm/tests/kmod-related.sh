#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# An entry that the SIP helper expected (IP_CT_RELATED) is the module's
# like one the rules made: stamped, and re-steered once per change.
#
# The real case: a backend registers with the provider through the lb
# (SNAT to the VIP; nf_conntrack_sip and nf_nat_sip rewrite its Contact to
# VIP:5060), and the provider then sends its requests to that contact from
# a port of its own. Conntrack finds the helper's expectation, marks the
# new entry RELATED and NATs it to the registered backend, whatever the
# lb's rules say. The module must stamp that entry: unstamped, a bump of
# its backend would judge it stale on every packet and delete it each time
# (the expectation, which is permanent, NATs the next entry to the same
# backend again). Stamped, the bump deletes it once, and the new entry
# carries the new epoch.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

modprobe ctfailover
modprobe nf_nat_sip
netns_setup 2
serve_backends
name_backends
# The datagrams, not a sweep, re-steer here.
ctl sweep-delay 600000
# The rules send a new flow to backend2: only the expectation leads to 1.
lb_dnat "${BACKEND4[2]}"
ns_lb nft -f - <<EOF
table inet ctf_sip {
	ct helper sip {
		type "sip" protocol udp
		l3proto ip
	}
	chain prerouting {
		type filter hook prerouting priority filter; policy accept;
		udp dport 5060 ct helper set "sip"
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr ${BACKEND4[1]} udp sport 5062 snat ip to $VIP4
	}
}
EOF

# The provider (the client's namespace) is the registrar: it answers any
# datagram on 5060 with this 200 OK, which activates the expectation.
crlf() { printf '%s\r\n' "$@"; }
ok=$(crlf "SIP/2.0 200 OK" \
	"Via: SIP/2.0/UDP $VIP4:5062;branch=z9hG4bK-ctf1" \
	"From: <sip:b1@$CLIENT4>;tag=1" \
	"To: <sip:b1@$CLIENT4>;tag=2" \
	"Call-ID: reg1@ctf" \
	"CSeq: 1 REGISTER" \
	"Contact: <sip:b1@$VIP4:5060>;expires=3600" \
	"Content-Length: 0" "")
register=$(crlf "REGISTER sip:$CLIENT4 SIP/2.0" \
	"Via: SIP/2.0/UDP ${BACKEND4[1]}:5062;branch=z9hG4bK-ctf1" \
	"From: <sip:b1@$CLIENT4>;tag=1" \
	"To: <sip:b1@$CLIENT4>" \
	"Call-ID: reg1@ctf" \
	"CSeq: 1 REGISTER" \
	"Contact: <sip:b1@${BACKEND4[1]}:5060>" \
	"Expires: 3600" \
	"Content-Length: 0" "")
ns_bg "$NS_CLIENT" "$NETNS_TMP/registrar.log" "$CTF_UDP" serve -N "$ok" 5060
wait_for 5 grep -q '^ready' "$NETNS_TMP/registrar.log"
out=$(udp_send "${NS_BACKEND[1]}" -s 5062 -n 1 -w 3000 -m "$register" "$CLIENT4" 5060)
assert_match '^SIP/2.0 200 OK' "$out" "the registrar's answer at backend1"
grep -q "Contact: <sip:b1@$VIP4:5060>" "$NETNS_TMP/registrar.log" ||
	fail "the registrar did not see the Contact rewritten to the VIP (is nf_nat_sip working?)"
ns_lb conntrack -L expect 2>/dev/null | grep -q "dport=5060" ||
	fail "no SIP signalling expectation in the lb: $(ns_lb conntrack -L expect 2>&1)"
info "backend1 registered through the lb; the expectation: $(ns_lb conntrack -L expect 2>/dev/null)"

# verdict SPORT: what `ctfailoverctl flows` says of the provider's flow.
verdict() {
	ns_lb ctfailoverctl flows "$CLIENT4" | grep -F ":$1 -> " | kv verdict
}
send() { udp_send "$NS_CLIENT" -s "$1" -n "$2" -w 2000 -m ping "$VIP4" 5060; }

sport=5080
tagged=$(mstat tagged)
hits=$(mstat stale_hits)
out=$(send "$sport" 3)
replies_from backend1 3 "$out"
# NATed to backend1 though the rules say backend2, with the helper of its
# master: the expectation made it.
entry=$(ct_list "$NS_LB" -p udp --sport "$sport")
assert_eq "${BACKEND4[1]}" "$(ct_reply_src <<<"$entry")" "where the provider's entry was NATed"
assert_match 'helper=sip' "$entry" "the provider's entry"
assert_eq $((tagged + 1)) "$(mstat tagged)" "entries stamped (the RELATED one)"
assert_eq current "$(verdict "$sport")" "flows' verdict on the RELATED entry"
pass "an entry the SIP helper expected is NATed to the registered backend and stamped"

ctl bump "${BACKEND4[1]}" >/dev/null
assert_eq stale "$(verdict "$sport")" "flows' verdict after the bump"
out=$(send "$sport" 3)
replies_from backend1 3 "$out"
assert_eq $((hits + 1)) "$(mstat stale_hits)" "entries re-steered by 3 datagrams after one bump"
assert_eq $((tagged + 2)) "$(mstat tagged)" "entries stamped (the RELATED one, again)"
assert_eq current "$(verdict "$sport")" "flows' verdict on the new entry"
assert_eq 0 "$(backend_rx 2 4)" "datagrams at backend2 (the rules' choice; the expectation wins)"
pass "a bump re-steers the RELATED entry once; the expectation NATs the new one to the registered backend, stamped anew"
