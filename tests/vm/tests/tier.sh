#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's version of the load-balancer tier (tests/scenarios/tier.sh,
# the panel of make demo, on its short timeline): three load balancers
# with keepalived, conntrackd and ctfailoverd configured from examples/,
# two of them failing hard in turn (a crash, a power-off), both back, a
# third failure; no SIP call lost, in flight or not, every entry current
# after each event, the epochs agreed. Then, on 6.1, mode nosync (the
# same tier without conntrackd) must lose the calls in flight, so that the
# scenario can fail; on 6.12, mode partition cuts VRRP so that two hosts
# are master, then heals it: every call placed after the heal answered.
# One of the two each, to keep make check within its hour.
# vm-timeout: 1200
# vm-debug: no (a tier of three under real SIP calls: on the debug kernel calls are answered late or lost, see incident)
case ${CTF_SERIES:-} in
5.10)
	echo "SKIP: the tier on 5.10 (make check runs it on 6.1 and 6.12, as its issue asks, to keep within 60 min)"
	exit 0
	;;
6.1) second=nosync ;;
*) second=partition ;;
esac
exec bash "$(dirname "$0")/../../scenarios/tier.sh" --short --check conntrackd "$second"
