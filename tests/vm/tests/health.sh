#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's health checks with real SIP calls (tests/scenarios/health.sh):
# a backend killed with its address removed, and one that hangs, with
# nothing said: the daemon takes it down by itself, and no call placed
# after the failure is lost, with the module and without it; one that
# answers OPTIONS but drops INVITEs (down by the passive side, damped);
# every backend at once (panic: the guard's share kept in service).
# vm-timeout: 1200
# vm-debug: long (its module cases took over 1977 s on the debug kernel and the run did not end, its calls answered late or lost there; make check keeps to 60 min)
scenario=$(dirname "$0")/../../scenarios/health.sh
# On the debug kernel (tests/vm/run debug): the module's cases only (the
# ctnetlink ones load no ctfailover.ko), for the kernel's checkers
# (lib/debug.sh).
if [[ ${CTF_SERIES:-} == debug ]]; then
	echo "SKIP: cases ctnetlink:crash and ctnetlink:all on the debug kernel (they load no ctfailover.ko; vm/6.12/health runs them)"
	# shellcheck source=tests/vm/lib/debug.sh
	. "$(dirname "$0")/../lib/debug.sh"
	debug_checkers_only "health, module cases" bash "$scenario" module:crash module:hang module:mute
	exit
fi
exec bash "$scenario" module:crash ctnetlink:crash module:hang module:mute ctnetlink:all
