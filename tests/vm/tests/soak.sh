#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's soak (tests/soak/soak.sh): two fixed seeds, short, on every
# kernel; `make soak SEED=N EVENTS=M` runs long.
# vm-timeout: 1200
# vm-debug: no (each event must settle within 30 s of real time and the soak stops at the first that does not; on the debug kernel calls are answered late or lost, see incident and health)
set -euo pipefail
soak=$(dirname "$0")/../../soak/soak.sh
bash "$soak" 1 4
bash "$soak" 2 4
