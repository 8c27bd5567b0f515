#!/usr/bin/env bash
# Action-center and calendar read latencies (issue 16's closing note): seeds one organisation
# with `closer seed-demo --actions 100000` (its leads and conversations, then 100,000 action
# center items — handovers, accepted CTAs, failed sends, bookings each with a calendar event —
# over a year) on SQLite and on PostgreSQL (once: a seeded set is kept in $BENCH_DIR /
# database $PG_DB and reused), serves it with the built binary and has wrk time the queue
# (default order, filters, pages deep by cursor), the sidebar count and the calendar's day,
# week and list ranges (p50/p95/p99; scripts/bench-team-day.py says what each scenario asks).
#   CARGO_BUILD_JOBS=1 cargo build --release -p closer-server
#   CLOSER_BIN=target/release/closer scripts/bench-team-day.sh [sqlite|postgres|both]
# Knobs: ACTIONS LEADS MESSAGES DURATION (s per scenario) CONNECTIONS BENCH_DIR PG_ADMIN_URL
# PG_DB PORT; SEED_ONLY=1 seeds and stops.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${CLOSER_BIN:-target/release/closer}
ACTIONS=${ACTIONS:-100000}
LEADS=${LEADS:-20000}
MESSAGES=${MESSAGES:-100000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-1}
WORK=${BENCH_DIR:-/tmp/closer-bench-team-day}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=${PG_DB:-closer_bench_team_day_$ACTIONS}
PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
PORT=${PORT:-18101}
RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S).jsonl"
PASSWORD="bench password"
mkdir -p "$WORK"
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null || true' EXIT

db_args() { # backend → the database flags of the binary
  if [ "$1" = sqlite ]; then echo "--data-dir $WORK/sqlite"; else echo "--data-dir $WORK/pg --database-url $PG_URL"; fi
}

seed() { # backend: seeds once, timing it
  local marker="$WORK/$1.seeded-$ACTIONS-$LEADS"
  [ -f "$marker" ] && { echo "$1: reusing the seeded set ($(cat "$marker"))"; return; }
  if [ "$1" = postgres ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
  else
    rm -rf "$WORK/sqlite"
  fi
  echo "$1: seeding $LEADS leads, $MESSAGES messages, $ACTIONS actions (progress in $WORK/$1-seed.log)"
  # shellcheck disable=SC2046
  "$BIN" seed-demo $(db_args "$1") --leads "$LEADS" --messages "$MESSAGES" --actions "$ACTIONS" \
    --email "bench-$1@example.com" --password "$PASSWORD" 2>"$WORK/$1-seed.log" | tee "$WORK/$1-owner.txt"
  tail -1 "$WORK/$1-owner.txt" > "$marker"
}

measure() { # backend
  # shellcheck disable=SC2046
  CLOSER_LISTEN="127.0.0.1:$PORT" CLOSER_WORKERS=0 "$BIN" serve $(db_args "$1") >"$WORK/$1-server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  echo "load before $1: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$HERE/bench-team-day.py" "http://127.0.0.1:$PORT" "bench-$1@example.com" "$PASSWORD" \
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
