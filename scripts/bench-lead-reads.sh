#!/usr/bin/env bash
# Read latencies on a year of a busy business (issue 11, item 8): seeds 1,000,000 leads and
# 5,000,000 messages with `closer seed-demo` on SQLite and on PostgreSQL (once: a seeded set
# is kept in $BENCH_DIR / database $PG_DB and reused), serves it with the built binary and has
# wrk time the leads list, search, filters, a saved view, count=true and the pipeline board
# (p50/p95/p99; scripts/bench-lead-reads.py says what each scenario asks).
#   CARGO_TARGET_DIR=… cargo build --release -p closer-server
#   CLOSER_BIN=…/release/closer scripts/bench-lead-reads.sh [sqlite|postgres|both]
# Knobs: LEADS MESSAGES DURATION (s per scenario) CONNECTIONS BENCH_DIR PG_ADMIN_URL PG_DB;
# SEED_ONLY=1 seeds and stops.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${CLOSER_BIN:-target/release/closer}
LEADS=${LEADS:-1000000}
MESSAGES=${MESSAGES:-5000000}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-1}
WORK=${BENCH_DIR:-/tmp/closer-bench-reads}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${PG_DB:-closer_bench_reads_$LEADS}
PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
PORT=${PORT:-18941}
RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S).jsonl"
PASSWORD="bench password"
mkdir -p "$WORK"
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null || true' EXIT

db_args() { # backend → the database flags of the binary
  if [ "$1" = sqlite ]; then echo "--data-dir $WORK/sqlite"; else echo "--data-dir $WORK/pg --database-url $PG_URL"; fi
}

seed() { # backend: seeds once, timing it
  local marker="$WORK/$1.seeded-$LEADS-$MESSAGES"
  [ -f "$marker" ] && { echo "$1: reusing the seeded set ($(cat "$marker"))"; return; }
  if [ "$1" = postgres ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
  else
    rm -rf "$WORK/sqlite"
  fi
  echo "$1: seeding $LEADS leads, $MESSAGES messages (progress in $WORK/$1-seed.log)"
  # shellcheck disable=SC2046
  "$BIN" seed-demo $(db_args "$1") --leads "$LEADS" --messages "$MESSAGES" \
    --email "bench-$1@example.com" --password "$PASSWORD" 2>"$WORK/$1-seed.log" | tee "$WORK/$1-owner.txt"
  tail -1 "$WORK/$1-owner.txt" > "$marker"
}

measure() { # backend
  # shellcheck disable=SC2046
  CLOSER_LISTEN="127.0.0.1:$PORT" "$BIN" serve $(db_args "$1") >"$WORK/$1-server.log" 2>&1 &
  PID=$!
  # A million leads' start (planner statistics, the search index check) takes a while on a
  # busy machine: wait up to five minutes, and stop if the server died.
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
    kill -0 $PID 2>/dev/null || { echo "$1: the server stopped, see $WORK/$1-server.log" >&2; exit 1; }
    sleep 0.5
  done
  python3 "$HERE/bench-lead-reads.py" "http://127.0.0.1:$PORT" "bench-$1@example.com" "$PASSWORD" \
    "$1" "$DURATION" "$CONNECTIONS" "$RESULTS"
  kill $PID; wait $PID 2>/dev/null || true; PID=
}

case ${1:-both} in
  sqlite | postgres) BACKENDS=$1 ;;
  both) BACKENDS="sqlite postgres" ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
for b in $BACKENDS; do seed "$b"; done
[ -n "${SEED_ONLY:-}" ] && exit 0
for b in $BACKENDS; do measure "$b"; done
echo "results: $RESULTS"
