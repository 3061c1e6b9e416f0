#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's version of the load-balancer tier (tests/scenarios/tier.sh,
# the panel of make demo, on its short timeline): three load balancers
# with keepalived, conntrackd and ctfailoverd configured from examples/,
# two of them failing hard in turn (a crash, a power-off), both back, a
# third failure; no SIP call lost, in flight or not, every entry current
# after each event, the epochs agreed. Mode nosync, the same tier without
# conntrackd, must lose the calls in flight (so the scenario can fail).
# vm-timeout: 1200
# vm-debug: no (a tier of three under real SIP calls: on the debug kernel calls are answered late or lost, see incident)
# Not yet in make check by default: on a 2-core CI host beside another
# guest, 1 call of 1,160 placed right after the replacement was late (its
# 200s never back), and beside three guests some calls ringing at a
# failure were lost; until that is explained, CTF_VM_TIER=1 runs it.
if [[ ${CTF_VM_TIER:-0} != 1 ]]; then
	echo "SKIP: the tier (not yet steady on a loaded 2-core host: a call late in 1,160 beside one guest, ringing calls lost beside three; CTF_VM_TIER=1 runs it)"
	exit 0
fi
if [[ ${CTF_SERIES:-} == 5.10 ]]; then
	echo "SKIP: the tier on 5.10 (make check runs it on 6.1 and 6.12, as its issue asks, to keep within 60 min)"
	exit 0
fi
exec bash "$(dirname "$0")/../../scenarios/tier.sh" --short --check conntrackd nosync
