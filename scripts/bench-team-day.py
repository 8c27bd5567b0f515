#!/usr/bin/env python3
"""Read latencies of the action center and the calendar against a running server holding an
organisation seeded with `closer seed-demo --actions N` (scripts/bench-team-day.sh runs it).

Each scenario is a list of request paths, cycled by wrk (scripts/bench-lead-reads.lua) for
DURATION seconds after a warm-up; wrk reports p50/p95/p99. Usage:
  bench-team-day.py BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
"""
import urllib.parse
from datetime import datetime, timedelta, timezone

from bench_reads import get, run

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

run(scenarios, f"{counts['total']} open actions; {len(deep_open)} deep open cursors, "
    f"{len(deep_resolved)} deep resolved cursors")
