#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The invariant (docs/architecture.md, "Every entry can be moved"), case by
# case, each with a pinned UDP 4-tuple and the instance its datagrams reach:
#
#  - stamps left by an earlier load of the module: after rmmod and modprobe
#    the backend's new epoch is not the old stamp, so the flow moves;
#  - an entry made before the module was enabled (no label area) belongs
#    to the backend's first epoch: kept, then moved by its next change;
#  - a backend removed and added again gets a new epoch: its old entries
#    stay stale and move;
#  - an epoch is taken as given: a lower one is a change (the flow moves),
#    the same one is not, nor an adopted one (nothing made stale);
#  - going down is one change: the entry made before it is renewed once,
#    the entries the rules still send to it after it are not (no churn);
#  - an nft rule that sets a label bit inside the stamp's word makes the
#    entry foreign: counted, never deleted for it (no churn).
# (A stamp erased by a CTA_LABELS update is left to KUnit: `conntrack -U
# --label-add/--label-del` fail with EOPNOTSUPP on these entries, with
# conntrack-tools 1.4.7 on 6.12.)
#
# Arguments: the cases to run (default: all), e.g. `kmod-invariant.sh
# readd down` to show one case failing against an older module.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

B1=10.0.11.2
B2=10.0.12.2

epoch_of() { ctl backend "$1" | kv epoch; }

# send SPORT N: N datagrams of the pinned 4-tuple; the replies' senders.
send() { udp_send "$NS_CLIENT" -s "$1" -n "$2" -w 2000 "$VIP4" 5060; }

# verdict SPORT: what `ctfailoverctl flows` says of the 4-tuple's entry.
verdict() {
	ns_lb ctfailoverctl flows "$CLIENT4" | grep -F ":$1 -> " | kv verdict
}

# moved SPORT N WHY: N datagrams, all answered by backend2, none counted
# at backend1.
moved() {
	local rx1 out
	rx1=$(backend_rx 1 4)
	out=$(send "$1" "$2")
	replies_from backend2 "$2" "$out"
	assert_eq "$rx1" "$(backend_rx 1 4)" "datagrams to backend1 ($3)"
}

# configure: the module loaded, backend1 and backend2 in it, the sweep
# kept out of the way (a re-steer counted in stale_hits was a datagram's).
configure() {
	[[ -d /sys/module/ctfailover ]] || modprobe ctfailover
	# First: the first backend schedules a sweep, sweep-delay ahead.
	ctl sweep-delay 600000
	ctl set "$B1" name backend1 >/dev/null
	ctl set "$B2" name backend2 >/dev/null
}

case_reload() {
	local old new
	info "stamps left by an earlier load"
	lb_dnat "$B1"
	configure
	replies_from backend1 2 "$(send 47001 2)"
	old=$(epoch_of "$B1")
	rmmod ctfailover
	configure
	new=$(epoch_of "$B1")
	assert_eq stale "$(verdict 47001)" "flows' verdict after the reload"
	lb_dnat "$B2"
	moved 47001 3 "a flow stamped before the reload"
	assert_eq current "$(verdict 47001)" "flows' verdict after the move"
	assert_ge $((old + 1)) "$new" "backend1's epoch after the reload (the old stamp is $old)"
	pass "after rmmod and modprobe the old stamp $old is not current (epoch $new): the flow moved"
}

case_preexisting() {
	info "an entry made before the module was enabled"
	lb_dnat "$B1"
	[[ ! -d /sys/module/ctfailover ]] || rmmod ctfailover
	# Made while no one uses labels: an entry without a label area.
	replies_from backend1 2 "$(send 47002 2)"
	configure
	replies_from backend1 2 "$(send 47002 2)"
	assert_eq unstamped "$(verdict 47002)" "flows' verdict before a change"
	lb_dnat "$B2"
	ctl bump "$B1" >/dev/null
	assert_eq stale "$(verdict 47002)" "flows' verdict after the bump"
	moved 47002 3 "an entry without a label area"
	pass "an entry without a stamp stayed current, then moved at its backend's first change"
}

case_readd() {
	local before after
	info "removed and added again"
	lb_dnat "$B1"
	configure
	replies_from backend1 2 "$(send 47003 2)"
	before=$(epoch_of "$B1")
	ctl del "$B1"
	ctl set "$B1" name backend1 >/dev/null
	after=$(epoch_of "$B1")
	assert_eq stale "$(verdict 47003)" "flows' verdict after delete and set"
	lb_dnat "$B2"
	moved 47003 3 "a flow stamped before the removal"
	assert_ge $((before + 1)) "$after" "the epoch after delete and set"
	pass "a backend removed and added again is a new epoch ($before -> $after): the flow moved"
}

case_lower() {
	local cur hits
	info "an epoch is taken as given: the same or an adopted one is no change, a lower one is"
	lb_dnat "$B1"
	configure
	ctl bump "$B1" >/dev/null
	replies_from backend1 2 "$(send 47004 2)"
	cur=$(epoch_of "$B1")
	ctl set "$B1" epoch "$cur" >/dev/null
	assert_eq "$cur" "$(epoch_of "$B1")" "the epoch after setting the same one"
	hits=$(mstat stale_hits)
	replies_from backend1 2 "$(send 47004 2)"
	assert_eq "$hits" "$(mstat stale_hits)" "stale hits after the same epoch"
	# A complete sweep first: then only the adoption could make the hook look.
	ctl evict >/dev/null
	assert_eq 0 "$(mstat may_be_stale)" "may_be_stale after a complete sweep"
	ctl set "$B1" epoch $((cur - 1)) adopt >/dev/null
	assert_eq $((cur - 1)) "$(epoch_of "$B1")" "the epoch after adopting a lower one"
	assert_eq 0 "$(mstat may_be_stale)" "may_be_stale after adopting"
	lb_dnat "$B2"
	replies_from backend1 2 "$(send 47004 2)"
	assert_eq "$hits" "$(mstat stale_hits)" "stale hits after adopting"
	ctl set "$B1" epoch $((cur - 2)) >/dev/null
	moved 47004 3 "a flow stamped before a lower epoch was set"
	pass "the same epoch and an adopted one change nothing; a lower one moved the flow"
}

case_down() {
	local hits
	info "going down while the rules still send to the backend"
	lb_dnat "$B1"
	configure
	replies_from backend1 1 "$(send 47005 1)"
	hits=$(mstat stale_hits)
	ctl set "$B1" state down >/dev/null
	replies_from backend1 4 "$(send 47005 4)"
	assert_eq $((hits + 1)) "$(mstat stale_hits)" "stale hits for 4 datagrams"
	assert_eq 4 "$(ct_packets 4 47005)" "packets of the renewed entry"
	ctl set "$B1" state active >/dev/null
	replies_from backend1 2 "$(send 47005 2)"
	assert_eq $((hits + 1)) "$(mstat stale_hits)" "stale hits after coming back"
	pass "down is one change: one renewal, then no churn while nft still sends there"
}

case_foreign() {
	local hits foreign
	info "a foreign label bit in the stamp's word"
	lb_dnat "$B1"
	configure
	# Bit 100 is in u32 3 of the labels (bits 96..127), the stamp's word.
	echo "100 ctf-test-foreign" >>/etc/connlabel.conf
	ns_lb nft -f - <<-EOF
		table inet ctf_foreign {
			chain pre {
				type filter hook prerouting priority 0; policy accept;
				udp dport 5060 ct label set ctf-test-foreign
			}
		}
	EOF
	hits=$(mstat stale_hits)
	foreign=$(mstat foreign)
	replies_from backend1 4 "$(send 47006 4)"
	assert_eq "$hits" "$(mstat stale_hits)" "stale hits for 4 datagrams"
	assert_eq 4 "$(ct_packets 4 47006)" "packets of the entry"
	assert_ge $((foreign + 3)) "$(mstat foreign)" "packets that met a foreign stamp"
	assert_eq foreign "$(verdict 47006)" "flows' verdict"
	ns_lb ctfailoverctl -j flows --backend backend1 | grep -q '"verdict": *"foreign"' ||
		fail "flows -j --backend backend1 shows no foreign entry"
	ns_lb nft delete table inet ctf_foreign
	pass "a foreign bit in the stamp's word: counted, no churn (4 datagrams, 1 entry)"
}

modprobe nf_conntrack
netns_setup 2
ns_lb sysctl -qw net.netfilter.nf_conntrack_acct=1
serve_backends
(($#)) || set -- reload preexisting readd lower down foreign
for c in "$@"; do
	"case_$c"
done
