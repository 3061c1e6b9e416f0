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
exec bash "$(dirname "$0")/../../scenarios/incident.sh" --short --check plain ctnetlink module
