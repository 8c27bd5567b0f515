#!/usr/bin/env python3
"""Read latencies of the leads list, search, filters, views, count and the pipeline board
against a running server holding a seeded organisation (scripts/bench-lead-reads.sh runs it).

Each scenario is a list of request paths (different names, phones, stages, cursors…), cycled
by wrk (scripts/bench-lead-reads.lua) for DURATION seconds after a warm-up; wrk reports
p50/p95/p99. Usage:
  bench-lead-reads.py BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
"""
import json
import random
import urllib.parse
from datetime import datetime, timedelta, timezone

from bench_reads import get, run

random.seed(7)
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

run(scenarios, f"{len(sample)} sampled leads, {len(cursors)} deep cursors", width=28)
