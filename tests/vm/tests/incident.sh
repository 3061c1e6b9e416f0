#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's version of the incident (tests/scenarios/incident.sh, the
# scenario of make demo, on its short timeline): every expectation must
# hold. Plain conntrack must lose the pinned provider's calls from the
# first cycling on (so a scenario that silently stopped reproducing the bug
# fails here), and the calls that hash to a backend that died silently
# (e4silent), with a monitoring host's canary in alarm; the daemon alone
# and the module with the daemon must lose no call (none placed after the
# health checks took the silent one down), send no datagram to a dead
# instance, and the canary may alarm only while an event runs.
# vm-timeout: 900
# vm-debug: long (its module mode alone took 1243 s on the debug kernel, 13x Debian 6.12's, its calls answered late or lost there; make check keeps to 60 min)
scenario=$(dirname "$0")/../../scenarios/incident.sh
# On the debug kernel (tests/vm/run debug): the module's mode only (the
# other two load no ctfailover.ko), for the kernel's checkers (lib/debug.sh).
if [[ ${CTF_SERIES:-} == debug ]]; then
	echo "SKIP: modes plain and ctnetlink on the debug kernel (they load no ctfailover.ko; vm/6.12/incident runs them)"
	# shellcheck source=tests/vm/lib/debug.sh
	. "$(dirname "$0")/../lib/debug.sh"
	debug_checkers_only "incident, module mode" bash "$scenario" --short module
	exit
fi
exec bash "$scenario" --short --check plain ctnetlink module
