#!/usr/bin/env python3
"""Read latencies of the leads list, search, filters, views, count and the pipeline board
against a running server holding a seeded organisation (scripts/bench-lead-reads.sh runs it).

Each scenario is a list of request paths (different names, phones, stages, cursors…), cycled
by wrk (scripts/bench-lead-reads.lua) for DURATION seconds after a warm-up; wrk reports
p50/p95/p99. Usage:
  bench-lead-reads.py BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

BASE, EMAIL, PASSWORD, LABEL = sys.argv[1:5]
DURATION = int(sys.argv[5]) if len(sys.argv) > 5 else 15
CONNECTIONS = int(sys.argv[6]) if len(sys.argv) > 6 else 1
RESULTS = sys.argv[7] if len(sys.argv) > 7 else None
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-lead-reads.lua")
random.seed(7)


def call(method, path, token=None, body=None):
    req = urllib.request.Request(BASE + path, method=method)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = None
    if body is not None:
        req.add_header("content-type", "application/json")
        data = json.dumps(body).encode()
    with urllib.request.urlopen(req, data, timeout=120) as r:
        return json.load(r)


token = call("POST", "/api/v1/auth/login", body={"email": EMAIL, "password": PASSWORD})["token"]
get = lambda path: call("GET", path, token)
q = lambda **kw: urllib.parse.urlencode(kw)
filt = lambda doc: urllib.parse.quote(json.dumps(doc))

stages = get("/api/v1/pipeline/stages")["items"]
views = get("/api/v1/views")["items"]
tags = [t["name"] for t in get("/api/v1/tags")["items"]]

# Leads from across the year: their names and phones make the searches.
now = datetime.now(timezone.utc)
months = [(now - timedelta(days=30 * m)).strftime("%Y-%m-%dT%H:%M:%SZ") for m in range(1, 12)]
sample = []
for before in months:
    sample += get("/api/v1/leads?" + q(last_seen_before=before, limit=40))["items"]
names = [l["name"] for l in sample if l.get("name")]
phones = [l["phone"] for l in sample if l.get("phone")]

# Cursors pointing a month, two months… back: pages deep in the default order.
cursors = []
for before in months:
    page = get("/api/v1/leads?" + q(last_seen_before=before, limit=1))
    if page.get("next_cursor"):
        cursors.append(page["next_cursor"])

L = "/api/v1/leads?"
open_stages = [s for s in stages if s["kind"] == "open"]
scenarios = {
    "first page, default sort": [L + "limit=50"],
    "deep page via cursor": [L + q(limit=50, cursor=c) for c in cursors],
    "first page, sort=name": [L + "limit=50&sort=name", L + "limit=50&sort=-value_minor"],
    "q name prefix": sorted({L + q(q=n.split()[0][:3].lower(), limit=50) for n in names})[:40]
    + sorted({L + q(q=n.split()[-1][:4].lower(), limit=50) for n in names})[:20],
    "q phone digits": [L + q(q=p[-5:], limit=50) for p in phones[:30]]
    + [L + q(q=p[5:11], limit=50) for p in phones[30:50]]
    + [L + q(q=p[3:], limit=50) for p in phones[50:70]],
    "filter stage + tag": [
        L + "limit=50&" + q(tag=t) + "&filter="
        + filt([{"field": "stage_id", "operator": "equal_to", "value": s["id"]}])
        for s in stages
        for t in tags[:8]
    ],
    "custom field filter": [
        L + "limit=50&filter="
        + filt([{"field": "custom_fields.course", "operator": "equal_to", "value": c}])
        for c in ["JEE", "NEET", "Foundation", "CA Foundation", "Spoken English", "UPSC"]
    ]
    + [
        L + "limit=50&filter="
        + filt([{"field": "custom_fields.budget", "operator": "greater_than", "value": b}])
        for b in [50000, 100000, 200000]
    ],
    "saved view": [L + q(view_id=v["id"], limit=50) for v in views],
    "count=true, all leads": [L + "count=true&limit=50"],
    "count=true, filtered": [
        L + q(count="true", limit=50, lead_status=s) for s in ["new", "hot", "won", "lost"]
    ]
    + [L + q(count="true", limit=50, tag=t) for t in tags[:4]],
    "pipeline board": ["/api/v1/pipeline?cards=20"],
}

results = []
print(f"\n{LABEL}: {len(sample)} sampled leads, {len(cursors)} deep cursors; "
      f"{DURATION} s per scenario, {CONNECTIONS} connection(s)")
print(f"{'scenario':28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, paths in scenarios.items():
    if not paths:
        continue
    for p in paths[:3]:  # every path answers 200 before it is timed
        get(p)
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths) + "\n")
    wrk = ["wrk", "-t1", f"-c{CONNECTIONS}", "-H", f"Authorization: Bearer {token}", "-s", LUA]
    subprocess.run(wrk + ["-d3s", BASE, "--", f.name], capture_output=True, text=True)
    out = subprocess.run(wrk + [f"-d{DURATION}s", "--timeout", "30s", BASE, "--", f.name],
                         capture_output=True, text=True).stdout
    os.unlink(f.name)
    line = next((l for l in out.splitlines() if l.startswith("RESULT")), None)
    if not line:
        print(f"{name:28} wrk failed:\n{out}")
        continue
    r = dict(kv.split("=") for kv in line.split()[1:])
    print(f"{name:28} {r['requests']:>8} {r['p50']:>8} {r['p95']:>8} {r['p99']:>8} {r['max']:>8}"
          + (f"  errors={r['errors']}" if r["errors"] != "0" else ""))
    results.append({"backend": LABEL, "scenario": name, "paths": len(paths), **r})

if RESULTS:
    with open(RESULTS, "a") as out:
        for r in results:
            out.write(json.dumps(r) + "\n")
