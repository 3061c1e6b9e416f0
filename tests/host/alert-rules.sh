#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# prometheus/ctfailover.rules.yml is a well-formed Prometheus rules file
# (groups of rules, each with alert, expr, for, labels.severity and a
# summary), and every ctfailover_* metric its expressions name is one a
# running ctfailoverd serves: a renamed metric cannot leave an alert that
# never fires.
set -euo pipefail
# shellcheck source=tests/host/lib/daemon.sh
. "$(dirname "$0")/lib/daemon.sh"

rules=$(cd "$(dirname "$0")/../.." && pwd)/prometheus/ctfailover.rules.yml
netns_setup 1
HEALTH_CONF='enabled = true;'
daemon_conf backend1 "${BACKEND4[1]}"
daemon_start
ns_lb curl -s --max-time 5 "http://127.0.0.1:$METRICS_PORT/metrics" >"$NETNS_TMP/metrics"

python3 - "$rules" "$NETNS_TMP/metrics" <<'PY'
import re, sys, yaml

rules_path, metrics_path = sys.argv[1], sys.argv[2]
served = set()
for line in open(metrics_path):
    if line.startswith("#") or not line.strip():
        continue
    served.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
doc = yaml.safe_load(open(rules_path))
bad = []
names = set()
groups = doc.get("groups") if isinstance(doc, dict) else None
if not groups:
    bad.append("no groups")
for g in groups or []:
    if not g.get("name") or not isinstance(g.get("rules"), list) or not g["rules"]:
        bad.append(f"group {g.get('name')!r}: a name and rules wanted")
        continue
    for r in g["rules"]:
        a = r.get("alert")
        if not a or a in names:
            bad.append(f"alert {a!r}: missing or twice")
        names.add(a)
        for k in ("expr", "for", "labels", "annotations"):
            if k not in r:
                bad.append(f"{a}: no {k}")
        if not re.fullmatch(r"\d+[smh]", str(r.get("for", ""))):
            bad.append(f"{a}: bad for {r.get('for')!r}")
        if r.get("labels", {}).get("severity") not in ("warning", "critical"):
            bad.append(f"{a}: severity warning or critical")
        if not r.get("annotations", {}).get("summary"):
            bad.append(f"{a}: no summary")
        expr = str(r.get("expr", ""))
        if expr.count("(") != expr.count(")") or expr.count("[") != expr.count("]"):
            bad.append(f"{a}: unbalanced expression {expr!r}")
        for m in re.findall(r"\bctfailover_[a-z0-9_]+", expr):
            if m not in served:
                bad.append(f"{a}: the daemon serves no metric {m}")
for b in bad:
    print("ERROR:", b)
print(f"# {len(names)} alerts checked against {len(served)} metrics")
sys.exit(1 if bad else 0)
PY
pass "the alert rules are well formed and name only metrics the daemon serves"
daemon_kill TERM
