#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A SIP flow offloaded to an nft flowtable skips PREROUTING, so the
# re-steer hook and the new epoch do not see it: what the acknowledgment
# covers stops there (docs/architecture.md, "After an acknowledgment").
# This shows what does hold:
#  - offloaded, the pinned flow still reaches the old instance after the
#    bump's acknowledgment, until the sweep deletes its stale entry;
#  - the first datagram after that sweep reaches the new instance, and no
#    later one the old (the offload is torn down with the entry);
#  - with sweep-delay 0 the sweep runs right after the acknowledgment.
set -euo pipefail
# shellcheck source=tests/vm/lib/netns.sh
. "$(dirname "$0")/../lib/netns.sh"
# shellcheck source=tests/vm/lib/kmod.sh
. "$(dirname "$0")/../lib/kmod.sh"

modprobe ctfailover
netns_setup 2
serve_backends
name_backends
lb_dnat "${BACKEND4[1]}"
ns_lb nft -f - <<EOF
table inet ctf_ft {
	flowtable ft {
		hook ingress priority 0
		devices = { cl0, be1, be2 }
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		meta l4proto udp flow add @ft
	}
}
EOF

offloaded() { ct_list "$NS_LB" -p udp --sport "$1" | grep -q OFFLOAD; }
swept_since() { (($(mstat sweeps) > $1)); }

# run_case SPORT FROM TO DELAY_MS
run_case() {
	local sport=$1 from=$2 to=$3 delay=$4 out s0 rx_old i got=
	ctl sweep-delay "$delay"
	lb_dnat "${BACKEND4[from]}"
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 3 -w 2000 "$VIP4" 5060)
	replies_from "backend$from" 3 "$out"
	wait_for 5 offloaded "$sport"
	lb_dnat "${BACKEND4[to]}"
	s0=$(mstat sweeps)
	ctl bump "${BACKEND4[from]}" >/dev/null
	if ((delay >= 1000)); then
		# Acknowledged, not yet swept: the offloaded flow is not re-steered.
		out=$(udp_send "$NS_CLIENT" -s "$sport" -n 1 -w 2000 "$VIP4" 5060)
		replies_from "backend$from" 1 "$out"
		info "after the ack, before the sweep: the offloaded flow still reached backend$from (documented)"
	fi
	wait_for 10 swept_since "$s0"
	rx_old=$(backend_rx "$from" 4)
	# The flowtable drops a flow whose entry is dying at once (6.1, 6.12);
	# its garbage collection does within a second otherwise.
	for ((i = 0; i < 15; i++)); do
		out=$(udp_send "$NS_CLIENT" -s "$sport" -n 1 -w 1000 "$VIP4" 5060)
		[[ $out == "backend$to" ]] && { got=$i; break; }
	done
	[[ -n $got ]] || fail "the offloaded flow never reached backend$to after the sweep"
	info "after the sweep: datagram $((got + 1)) reached backend$to"
	out=$(udp_send "$NS_CLIENT" -s "$sport" -n 5 -w 2000 "$VIP4" 5060)
	replies_from "backend$to" 5 "$out"
	assert_eq $((rx_old + got)) "$(backend_rx "$from" 4)" "datagrams to backend$from after the sweep"
}

run_case 45000 1 2 1000
pass "an offloaded flow reaches the old instance until the sweep, the new one from then on (sweep-delay 1000)"
run_case 45001 2 1 0
pass "with sweep-delay 0 the offloaded flow is re-steered by the sweep right after the acknowledgment"
