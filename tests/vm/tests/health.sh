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
exec bash "$(dirname "$0")/../../scenarios/health.sh" module:crash ctnetlink:crash module:hang \
	module:mute ctnetlink:all
