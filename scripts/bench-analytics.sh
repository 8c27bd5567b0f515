#!/usr/bin/env bash
# Analytics latencies on a year of a busy business (issue 15, item 3): every report and
# /dashboard/stats over a year and over 30 days, p50/p95/p99, on SQLite and PostgreSQL, with
# the release binary. The 1,000,000-lead / 5,000,000-message set that scripts/bench-lead-reads.sh
# seeds ($SRC_DIR/sqlite, database $SRC_PG_DB) is never touched: it is copied
# ($BENCH_DIR/sqlite, database $PG_DB), the binary migrates the copy, `closer rollups rebuild`
# recomputes its rollups (its time is printed and kept), then wrk times the reports
# (scripts/bench-analytics.py says which).
#   cargo build --release -p closer-server
#   CLOSER_BIN=…/release/closer scripts/bench-analytics.sh [sqlite|postgres|both]
# Knobs: LEADS DURATION (s per scenario) CONNECTIONS SRC_DIR SRC_PG_DB BENCH_DIR PG_ADMIN_URL
# PG_DB EMAIL_sqlite EMAIL_postgres PASSWORD; FRESH=1 copies again over an earlier copy.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${CLOSER_BIN:-target/release/closer}
LEADS=${LEADS:-1000000}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-1}
SRC=${SRC_DIR:-/tmp/closer-bench-reads}
WORK=${BENCH_DIR:-/tmp/closer-bench-analytics}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SRC_PG_DB=${SRC_PG_DB:-closer_bench_reads_$LEADS}
PG_DB=${PG_DB:-closer_bench_analytics}
PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
PORT=${PORT:-18104}
PASSWORD=${PASSWORD:-bench password}
RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S).jsonl"
mkdir -p "$WORK"
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null || true' EXIT

db_args() { # backend → the database flags of the binary
  if [ "$1" = sqlite ]; then echo "--data-dir $WORK/sqlite"; else echo "--data-dir $WORK/pg --database-url $PG_URL"; fi
}

copy() { # backend: a copy of the seeded set, once (FRESH=1: again)
  local marker="$WORK/$1.copied"
  [ -f "$marker" ] && [ -z "${FRESH:-}" ] && { echo "$1: reusing the copy ($(cat "$marker"))"; return; }
  if [ "$1" = sqlite ]; then
    rm -rf "$WORK/sqlite"
    cp -r "$SRC/sqlite" "$WORK/sqlite"
  else
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"
    # The template may be busy for a moment (another session reading it): try again.
    for i in $(seq 1 60); do
      psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB TEMPLATE $SRC_PG_DB" && break
      [ "$i" = 60 ] && { echo "$1: template $SRC_PG_DB stayed busy" >&2; exit 1; }
      sleep 5
    done
  fi
  # shellcheck disable=SC2046
  "$BIN" migrate $(db_args "$1") >/dev/null 2>&1
  # shellcheck disable=SC2046
  "$BIN" rollups rebuild $(db_args "$1") | tee "$WORK/$1-rebuild.txt"
  date -u +%FT%TZ > "$marker"
}

email() { # backend → the seeded owner's email
  local var="EMAIL_$1"
  echo "${!var:-bench-$1@example.com}"
}

measure() { # backend
  # shellcheck disable=SC2046
  CLOSER_LISTEN="127.0.0.1:$PORT" "$BIN" serve --workers 0 $(db_args "$1") >"$WORK/$1-server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  echo "$1: load before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 "$HERE/bench-analytics.py" "http://127.0.0.1:$PORT" "$(email "$1")" "$PASSWORD" \
    "$1" "$DURATION" "$CONNECTIONS" "$RESULTS"
  kill $PID; wait $PID 2>/dev/null || true; PID=
}

case ${1:-both} in
  sqlite | postgres) BACKENDS=$1 ;;
  both) BACKENDS="sqlite postgres" ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
for b in $BACKENDS; do copy "$b"; done
for b in $BACKENDS; do measure "$b"; done
echo "results: $RESULTS"
