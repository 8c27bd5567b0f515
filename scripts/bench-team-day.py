#!/usr/bin/env python3
"""Read latencies of the action center and the calendar against a running server holding an
organisation seeded with `closer seed-demo --actions N` (scripts/bench-team-day.sh runs it).

Each scenario is a list of request paths, cycled by wrk (scripts/bench-lead-reads.lua) for
DURATION seconds after a warm-up; wrk reports p50/p95/p99. Usage:
  bench-team-day.py BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
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
    with urllib.request.urlopen(req, data, timeout=120) as r:
        return json.load(r)


token = call("POST", "/api/v1/auth/login", body={"email": EMAIL, "password": PASSWORD})["token"]
get = lambda path: call("GET", path, token)
q = lambda **kw: urllib.parse.urlencode(kw)
A = "/api/v1/actions?"

# Cursors deep in each queue: walk it page by page (every 5th page's cursor kept).
def cursors(query, pages=40):
    out, cursor = [], None
    for i in range(pages):
        page = get(A + query + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
        cursor = page.get("next_cursor")
        if not cursor:
            break
        if i % 5 == 4:
            out.append(cursor)
    return out

counts = get("/api/v1/actions/counts")
deep_open = cursors(q(status="open", limit=50))
deep_resolved = cursors(q(status="resolved", limit=50))

now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
cal = lambda start, days: "/api/v1/calendar?" + q(**{"from": iso(start), "to": iso(start + timedelta(days=days))})
days_around = [now + timedelta(days=d) for d in range(-180, 15, 7)]

scenarios = {
    "queue: open, default order": [A + q(status="open", limit=50)],
    "queue: everything": [A + q(limit=50)],
    "queue: by kind": [A + q(status="open", kind=k, limit=50)
                       for k in ["cta_accepted", "human_attention", "booking", "send_failed"]],
    "queue: by priority": [A + q(status="open", priority=p, limit=50)
                           for p in ["critical", "high", "medium", "low"]],
    "queue: claimed / snoozed": [A + q(status="claimed", limit=50), A + q(status="snoozed", limit=50)],
    "queue: deep page, open": [A + q(status="open", limit=50, cursor=c) for c in deep_open],
    "queue: deep page, resolved": [A + q(status="resolved", limit=50, cursor=c) for c in deep_resolved],
    "sidebar count": ["/api/v1/actions/counts"],
    "calendar: day": [cal(d, 1) for d in days_around],
    "calendar: week": [cal(d, 7) for d in days_around],
    "calendar: list (30 days)": [cal(d, 30) for d in days_around],
}

results = []
print(f"\n{LABEL}: {counts['total']} open actions; {len(deep_open)} deep open cursors, "
      f"{len(deep_resolved)} deep resolved cursors; {DURATION} s per scenario, "
      f"{CONNECTIONS} connection(s)")
print(f"{'scenario':30} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, paths in scenarios.items():
    if not paths:
        continue
    for p in paths[:3]:  # every path answers 200 before it is timed
        get(p)
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths) + "\n")
    wrk = ["wrk", "-t1", f"-c{CONNECTIONS}", "-H", f"Authorization: Bearer {token}", "-s", LUA]
    subprocess.run(wrk + ["-d2s", BASE, "--", f.name], capture_output=True, text=True)
    out = subprocess.run(wrk + [f"-d{DURATION}s", "--timeout", "30s", BASE, "--", f.name],
                         capture_output=True, text=True).stdout
    os.unlink(f.name)
    line = next((l for l in out.splitlines() if l.startswith("RESULT")), None)
    if not line:
        print(f"{name:30} wrk failed:\n{out}")
        continue
    r = dict(kv.split("=") for kv in line.split()[1:])
    print(f"{name:30} {r['requests']:>8} {r['p50']:>8} {r['p95']:>8} {r['p99']:>8} {r['max']:>8}"
          + (f"  errors={r['errors']}" if r["errors"] != "0" else ""))
    results.append({"backend": LABEL, "scenario": name, "paths": len(paths), **r})

if RESULTS:
    with open(RESULTS, "a") as out:
        for r in results:
            out.write(json.dumps(r) + "\n")
