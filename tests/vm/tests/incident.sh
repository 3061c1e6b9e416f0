#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's version of the incident (tests/scenarios/incident.sh, the
# scenario of make demo, on its short timeline): every expectation must
# hold. Plain conntrack must lose the pinned provider's calls from the
# first cycling on (so a scenario that silently stopped reproducing the bug
# fails here); the daemon alone and the module with the daemon must lose no
# call and send no datagram to a dead instance.
# vm-timeout: 900
exec bash "$(dirname "$0")/../../scenarios/incident.sh" --short --check plain ctnetlink module
