#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's soak (tests/soak/soak.sh): two fixed seeds, short, on every
# kernel; `make soak SEED=N EVENTS=M` runs long.
# vm-timeout: 1200
set -euo pipefail
soak=$(dirname "$0")/../../soak/soak.sh
bash "$soak" 1 4
bash "$soak" 2 4
