#!/usr/bin/env bash
# A 100,000-recipient campaign against a local Graph stand-in that counts every send per
# recipient (scripts/bench-campaign-graph.mjs): time to enqueue, the sending rate at 80/s and
# at a higher pace, no duplicate after a kill -9 mid-run and restart, and the same with two
# replicas on one PostgreSQL (one killed -9 mid-run).
#   cargo build --release -p closer-server && scripts/bench-campaign.sh [sqlite|postgres|all]
# Env: ROWS (100000), SLOW_RATE (80), FAST_RATE (1000), SLOW_SECONDS (60), KILL_AT (kill -9
# once this share of ROWS was sent, 0.3), AFTER_RESTART (seconds of sending after the restart
# before cancelling the rest; 0: to the end), PORT/PORT2 (18102/3), STUB_PORT (18190),
# PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres), CLOSER_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH=${1:-all}
export BENCH_DIR=$(mktemp -d)
STUB_PORT=${STUB_PORT:-18190}
export STUB_PORT
node scripts/bench-campaign-graph.mjs "$STUB_PORT" 2>"$BENCH_DIR/stub.log" &
STUB=$!
trap 'kill $STUB 2>/dev/null || true; rm -rf "$BENCH_DIR"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$STUB_PORT/__bench/stats" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
if [ "$WHICH" = sqlite ] || [ "$WHICH" = all ]; then python3 scripts/bench-campaign.py sqlite || rc=1; fi
if [ "$WHICH" = postgres ] || [ "$WHICH" = all ]; then python3 scripts/bench-campaign.py postgres || rc=1; fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $rc
