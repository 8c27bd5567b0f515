#!/usr/bin/env python3
"""Latencies of the dashboard's key numbers and every Analytics report against a running
server holding a seeded organisation (scripts/bench-analytics.sh runs it).

Each scenario is one report over a year or over the last 30 days, asked with a few different
ends (so no two requests are the same), cycled by wrk (scripts/bench-lead-reads.lua) for
DURATION seconds after a warm-up; wrk reports p50/p95/p99. Usage:
  bench-analytics.py BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
"""
import json
import os
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


def call(method, path, token=None, body=None):
    req = urllib.request.Request(BASE + path, method=method)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = None
    if body is not None:
        req.add_header("content-type", "application/json")
        data = json.dumps(body).encode()
    with urllib.request.urlopen(req, data, timeout=300) as r:
        return json.load(r)


token = call("POST", "/api/v1/auth/login", body={"email": EMAIL, "password": PASSWORD})["token"]
views = call("GET", "/api/v1/views", token)["items"]
now = datetime.now(timezone.utc).replace(microsecond=0)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")


def ranges(days):
    """The last `days` days, ending now and a few minutes before (distinct requests)."""
    return [
        urllib.parse.urlencode({"from": fmt(end - timedelta(days=days)), "to": fmt(end)})
        for end in (now - timedelta(minutes=m) for m in range(0, 50, 5))
    ]


REPORTS = ["/api/v1/dashboard/stats"] + [
    f"/api/v1/analytics/{r}"
    for r in ["volume", "funnel", "peak-hours", "sources", "sentiment", "agent", "costs"]
]
scenarios = {}
for label, days in [("year", 365), ("30 days", 30)]:
    for path in REPORTS:
        extra = "&interval=week" if path.endswith(("volume", "sentiment", "costs")) and days > 60 else ""
        scenarios[f"{path.rsplit('/', 1)[1]}, {label}"] = [f"{path}?{r}{extra}" for r in ranges(days)]
# Not part of the goal (it reads the chosen leads' history), measured for the record.
if views:
    scenarios["funnel of a saved view, 30 days"] = [
        f"/api/v1/analytics/funnel?{r}&view_id={views[0]['id']}" for r in ranges(30)
    ]

results = []
print(f"\n{LABEL}: {DURATION} s per scenario, {CONNECTIONS} connection(s)")
print(f"{'scenario':34} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, paths in scenarios.items():
    for p in paths[:3]:  # every path answers 200 before it is timed
        call("GET", p, token)
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths) + "\n")
    wrk = ["wrk", "-t1", f"-c{CONNECTIONS}", "-H", f"Authorization: Bearer {token}", "-s", LUA]
    subprocess.run(wrk + ["-d3s", BASE, "--", f.name], capture_output=True, text=True)
    out = subprocess.run(wrk + [f"-d{DURATION}s", "--timeout", "30s", BASE, "--", f.name],
                         capture_output=True, text=True).stdout
    os.unlink(f.name)
    line = next((l for l in out.splitlines() if l.startswith("RESULT")), None)
    if not line:
        print(f"{name:34} wrk failed:\n{out}")
        continue
    r = dict(kv.split("=") for kv in line.split()[1:])
    print(f"{name:34} {r['requests']:>8} {r['p50']:>8} {r['p95']:>8} {r['p99']:>8} {r['max']:>8}"
          + (f"  errors={r['errors']}" if r["errors"] != "0" else ""))
    results.append({"backend": LABEL, "scenario": name, "paths": len(paths), **r})

if RESULTS:
    with open(RESULTS, "a") as out:
        for r in results:
            out.write(json.dumps(r) + "\n")
