#!/usr/bin/env bash
# Loopback load on GET /api/v1/auth/me (session lookup + JSON) with 64 connections, on SQLite
# and on PostgreSQL, against the release binary. Needs `wrk` (apt-get install wrk).
# Usage: scripts/bench-auth-me.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
bin=${CLOSER_BIN:-target/release/closer}
pg_admin=${CLOSER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x "$bin" ] || { echo "build first: make build"; exit 1; }

run_one() {
  local label=$1 url=$2 port=18$((RANDOM % 900 + 100))
  local dir; dir=$(mktemp -d)
  if [ -n "$url" ]; then export DATABASE_URL=$url; else unset DATABASE_URL; fi
  "$bin" serve --listen 127.0.0.1:$port --data-dir "$dir" >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local idle_rss; idle_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/signup" -H 'content-type: application/json' \
    -d "{\"org_name\":\"Bench\",\"name\":\"Bench\",\"email\":\"bench$RANDOM@example.com\",\"password\":\"bench-password\"}" |
    sed -E 's/.*"token":"([^"]+)".*/\1/')
  echo "== $label: idle RSS ${idle_rss} KiB"
  wrk -t2 -c64 -d"${secs}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/auth/me" |
    grep -E 'Requests/sec|50%|90%|99%|Non-2xx|Socket errors'
  echo "   RSS after load: $(awk '/VmRSS/ {print $2}' /proc/$pid/status) KiB"
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
}

run_one sqlite ""
db=closer_bench_$$
psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
run_one postgres "${pg_admin%/*}/$db"
psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
