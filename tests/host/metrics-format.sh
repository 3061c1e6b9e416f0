#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The metrics endpoint speaks the Prometheus text format, checked by the
# format's own parser (Debian's python3-prometheus-client), with a backend
# whose name holds the characters a label value must escape (" and \,
# which backend names may hold): every family parses, and the label reads
# back as the name.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

# Debian's interpreter: its packages are the ones scripts/setup installs.
PY=/usr/bin/python3
"$PY" -c 'import prometheus_client.parser' 2>/dev/null ||
	fail "no prometheus_client for $PY (scripts/setup installs python3-prometheus-client)"
netns_setup 2
# libconfig's escapes: the name is q"x\y.
daemon_conf 'q\"x\\y' "${BACKEND4[1]}" plain "${BACKEND4[2]}"
daemon_start
ns_lb curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" >"$NETNS_TMP/metrics.txt"
out=$("$PY" - "$NETNS_TMP/metrics.txt" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
names = set()
for f in families:
    for s in f.samples:
        if "backend" in s.labels:
            names.add(s.labels["backend"])
print(len(families))
print("\n".join(sorted(names)))
PY
)
n=$(head -n 1 <<<"$out")
assert_ge 20 "$n" "metric families parsed"
assert_eq 'plain
q"x\y' "$(tail -n +2 <<<"$out")" "the backend label values, parsed"
pass "the scrape parses as the Prometheus text format ($n families); a backend named q\"x\\y reads back"
