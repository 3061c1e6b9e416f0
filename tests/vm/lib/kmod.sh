# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# kmod.sh: helpers of the scenarios that drive ctfailover.ko, on top of
# netns.sh (source that first). The module's state lives in the lb's
# namespace, so that is where these talk to it.

# kv KEY: the value after KEY in ctfailoverctl's "key value ..." text.
kv() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# ctl ARGS...: ctfailoverctl module ARGS in the lb's namespace.
ctl() { ns_lb ctfailoverctl module "$@"; }

# name_backends: every backend of the topology is the module's, named
# backendI (its IPv4 address).
name_backends() {
	local b
	for ((b = 1; b <= NETNS_BACKENDS; b++)); do
		ctl set "${BACKEND4[b]}" name "backend$b" >/dev/null
	done
}

# mstat KEY: one of the module's counters in the lb's namespace.
mstat() { ctl stats | kv "$1"; }

# ct_packets 4|6 SPORT: the original-direction packet count of the lb's UDP
# entry from SPORT (conntrack accounting): a renewed entry counts only the
# datagrams since it was created. (Its id is no oracle: 6.12 derives it
# from the entry's address and tuples, and a new entry may reuse the freed
# slot of the old one.)
ct_packets() {
	ct_list "$NS_LB" -f "ipv$1" -p udp --sport "$2" |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^packets=/) { print substr($i, 9); exit } }'
}

# lb_dnat V4 [V6]: the lb sends SIP (UDP 5060), a non-SIP UDP port (5070)
# and TCP 5060 to V4 (and V6), replacing its rules in one transaction.
lb_dnat() {
	local v6=
	[[ -z ${2:-} ]] || v6="ip6 daddr $VIP6 udp dport { 5060, 5070 } dnat ip6 to $2"
	ns_lb nft -f - <<-EOF
		table inet ctf_lb
		delete table inet ctf_lb
		table inet ctf_lb {
			chain prerouting {
				type nat hook prerouting priority dstnat; policy accept;
				ip daddr $VIP4 udp dport { 5060, 5070 } dnat ip to $1
				ip daddr $VIP4 tcp dport 5060 dnat ip to $1
				$v6
			}
		}
	EOF
}

# replies_from NAME COUNT OUTPUT: COUNT replies, every one from NAME.
replies_from() {
	assert_eq "$2" "$(grep -c . <<<"$3" || true)" "replies (none may be lost)"
	assert_eq "" "$(grep -v -x "$1" <<<"$3" || true)" "replies not from $1"
}

# now_us: the time in microseconds; median: of the numbers on stdin.
now_us() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
