#!/usr/bin/env python3
"""Latencies of the dashboard's key numbers and every Analytics report against a running
server holding a seeded organisation (scripts/bench-analytics.sh runs it).

Each scenario is one report over a year or over the last 30 days, asked with a few different
ends (so no two requests are the same), cycled by wrk (scripts/bench-lead-reads.lua) for
DURATION seconds after a warm-up; wrk reports p50/p95/p99. Usage:
  bench-analytics.py BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
"""
import urllib.parse
from datetime import datetime, timedelta, timezone

from bench_reads import get, run

views = get("/api/v1/views")["items"]
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

run(scenarios, "every report and the dashboard's numbers", width=34)
