"""What every read benchmark shares: its arguments, a signed-in API client, and the wrk run
that times each scenario (a list of request paths cycled by bench-lead-reads.lua) and prints
and records p50/p95/p99. The benchmarks (bench-lead-reads.py, bench-team-day.py,
bench-analytics.py) only say what to ask.

Arguments: BASE EMAIL PASSWORD LABEL [DURATION] [CONNECTIONS] [RESULTS_JSON]
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

BASE, EMAIL, PASSWORD, LABEL = sys.argv[1:5]
DURATION = int(sys.argv[5]) if len(sys.argv) > 5 else 15
CONNECTIONS = int(sys.argv[6]) if len(sys.argv) > 6 else 1
RESULTS = sys.argv[7] if len(sys.argv) > 7 else None
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-lead-reads.lua")


def call(method, path, token=None, body=None, timeout=300):
    req = urllib.request.Request(BASE + path, method=method)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = None
    if body is not None:
        req.add_header("content-type", "application/json")
        data = json.dumps(body).encode()
    with urllib.request.urlopen(req, data, timeout=timeout) as r:
        return json.load(r)


TOKEN = call("POST", "/api/v1/auth/login", body={"email": EMAIL, "password": PASSWORD})["token"]


def get(path):
    return call("GET", path, TOKEN)


def wrk(paths, seconds):
    """wrk cycling `paths` for `seconds`: its RESULT line as a dict, or None with its output."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths) + "\n")
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", "-H", f"Authorization: Bearer {TOKEN}", "-s", LUA,
           f"-d{seconds}s", "--timeout", "30s", BASE, "--", f.name]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    os.unlink(f.name)
    line = next((l for l in out.splitlines() if l.startswith("RESULT")), None)
    return (dict(kv.split("=") for kv in line.split()[1:]), out) if line else (None, out)


def run(scenarios, heading, width=30):
    """Times each non-empty scenario after a warm-up, prints a table, appends to RESULTS."""
    print(f"\n{LABEL}: {heading}; {DURATION} s per scenario, {CONNECTIONS} connection(s)")
    print(f"{'scenario':{width}} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    results = []
    for name, paths in scenarios.items():
        if not paths:
            continue
        for p in paths[:3]:  # every path answers 200 before it is timed
            get(p)
        wrk(paths, 3)
        r, out = wrk(paths, DURATION)
        if r is None:
            print(f"{name:{width}} wrk failed:\n{out}")
            continue
        print(f"{name:{width}} {r['requests']:>8} {r['p50']:>8} {r['p95']:>8} {r['p99']:>8} {r['max']:>8}"
              + (f"  errors={r['errors']}" if r["errors"] != "0" else ""))
        results.append({"backend": LABEL, "scenario": name, "paths": len(paths), **r})
    if RESULTS:
        with open(RESULTS, "a") as out:
            for r in results:
                out.write(json.dumps(r) + "\n")
