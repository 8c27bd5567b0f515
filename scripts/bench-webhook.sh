#!/usr/bin/env bash
# Webhook ingest under load, against the release binary, on SQLite and on PostgreSQL:
#  - returning: signed unique messages from 500 known leads of one organisation;
#  - new-lead:  every message from a lead never seen before, spread over 10 organisations
#               (a launch day after a click-to-WhatsApp ad);
#  - a duplicate storm (one body over and over, as Meta retries);
# each at 16 and 64 senders, with the agent's workers running (default) and with none
# (WORKERS_SET="4 0"), next to the raw-SQL baseline (crates/store/benches/raw_ingest.rs) and
# pgbench's one-statement limit for the same writes (shared/bench/pgbench/handler_cte.sql), in
# the same run. Needs wrk, python3, psql, pgbench.
# Usage: scripts/bench-webhook.sh [seconds]    (env: WORKERS_SET, MIXES, DATABASES, CONCS, PERF_OUT, SERVER_LOG, LOG_OUT)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=${CLOSER_BIN:-target/release/closer}
pg_admin=${CLOSER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
workers_set=${WORKERS_SET:-"4 0"}
mixes=${MIXES:-"returning newlead"}
databases=${DATABASES:-"sqlite postgres"}
concs=${CONCS:-"16 64"}
phases=${PHASES:-"closer seed raw pgbench"}
has() { [[ " $phases " == *" $1 "* ]]; }
shared_bench=${SHARED_BENCH:-../shared/bench}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
secret=bench-app-secret
orgs=10

# A stand-in for Meta's Graph API: any token is good (connecting checks it) and every send is
# accepted, so the agent's replies go out while the webhooks come in.
cat > "$work/graph.py" <<'PY'
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
import json, sys, itertools
ids = itertools.count()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self, doc):
        b = json.dumps(doc).encode()
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def do_GET(self):
        self.answer({"id": "1", "display_phone_number": "+1 555-000-1111", "quality_rating": "GREEN"})
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.answer({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out{next(ids)}"}]})
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
graph_port=19$((RANDOM % 900 + 100))
python3 "$work/graph.py" $graph_port &

# Pre-signed bodies for wrk, one Lua file per wrk thread with disjoint message ids.
python3 - "$work" "$secret" "$orgs" <<'PY'
import hmac, hashlib, json, sys
work, secret, orgs = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
# The seed schema's ten organisations own phone_number_id 100000000000001..010: the same
# bodies then drive both Closer and the seed stack.
def number(org): return str(100000000000001 + org)
def body(i, org, phone, prefix):
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "100000000000001", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001111", "phone_number_id": number(org)},
        "contacts": [{"profile": {"name": f"Lead {phone[-5:]}"}, "wa_id": phone}],
        "messages": [{"from": phone, "id": f"wamid.{prefix}{i:09d}", "timestamp": str(1779105600 + i), "type": "text", "text": {"body": f"Hello, is the weekend batch open? ({i})"}}]}}]}]}, separators=(",", ":"))
def returning(i): return body(i, 0, str(15550000000 + i % 500), "ret")
def newlead(i): return body(i, i % orgs, str(919000000000 + i), "new")
def lua(name, bodies):
    with open(f"{work}/{name}.lua", "w") as f:
        f.write("local bodies = {\n")
        for b in bodies:
            sig = "sha256=" + hmac.new(secret, b.encode(), hashlib.sha256).hexdigest()
            f.write("{%s,%s},\n" % (json.dumps(b), json.dumps(sig)))
        f.write("}\nlocal i = start or 0\nrequest = function()\n  i = i + 1\n  local b = bodies[(i - 1) % #bodies + 1]\n")
        f.write('  return wrk.format("POST", "/webhooks/whatsapp", {["Content-Type"]="application/json", ["X-Hub-Signature-256"]=b[2]}, b[1])\nend\n')
for mix, make in (("returning", returning), ("newlead", newlead)):
    for t in range(2):
        lua(f"{mix}{t}", [make(t * 1_000_000 + i) for i in range(60000)])
    with open(f"{work}/{mix}.lua", "w") as f:
        # wrk decides from the main script whether requests are dynamic, so it must define
        # request(); each thread's init() then replaces it with its own.
        f.write('local n = 0\nfunction setup(thread) thread:set("tid", n); n = n + 1 end\n')
        f.write('function request() return wrk.format() end\n')
        # Each run of a mix starts past the bodies earlier runs on this server sent (its
        # first argument): a body sent again is a duplicate, far cheaper than a new message.
        f.write('function init(args) start = tonumber(args[1]) or 0; dofile("%s/%s" .. tid .. ".lua") end\n' % (work, mix))
lua("storm", [returning(42)])
PY

# measure MIX SENDERS PORT: one wrk run, its figures on one line. Bodies a server has been sent
# are skipped (sent[MIX] per wrk thread), so every message of a run is new to it.
declare -A sent=()
measure() {
  local out start=${sent[$1]:-0}
  out=$(wrk -t2 -c"$2" -d"${secs}s" --latency -s "$work/$1.lua" "http://127.0.0.1:$3" -- "$start")
  local n; n=$(awk '/requests in/ {print $1}' <<<"$out")
  # Threads share the work about evenly; the margin covers the difference.
  sent[$1]=$((start + n * 6 / 10))
  if [ "$1" != storm ] && [ "${sent[$1]}" -gt 60000 ]; then echo "warning: $1 ran out of fresh bodies"; fi
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {err=$NF} /Socket errors/ {sock=$0}
       END {printf "%8s req/s  p50 %8s  p99 %8s  non-2xx %s %s\n", rps, p50, p99, (err==""?0:err), sock}' <<<"$out"
}

run_one() {
  sent=()
  local label=$1 url=$2 workers=$3 port=18$((RANDOM % 900 + 100)) dir; dir=$(mktemp -d)
  if [ -n "$url" ]; then export DATABASE_URL=$url; else unset DATABASE_URL; fi
  CLOSER_WHATSAPP_GRAPH_URL=http://127.0.0.1:$graph_port RUST_LOG=${SERVER_LOG:-warn} "$bin" serve --workers "$workers" \
    --listen 127.0.0.1:$port --data-dir "$dir" >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  for org in $(seq 0 $((orgs - 1))); do
    local token
    token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/signup" -H 'content-type: application/json' \
      -d "{\"org_name\":\"Bench $org\",\"name\":\"Bench\",\"email\":\"bench$org.$RANDOM@example.com\",\"password\":\"bench-password\"}" |
      sed -E 's/.*"token":"([^"]+)".*/\1/')
    curl -sf -X POST "http://127.0.0.1:$port/api/v1/settings/whatsapp/connect" -H "authorization: Bearer $token" \
      -H 'content-type: application/json' \
      -d "{\"phone_number_id\":\"$((100000000000001 + org))\",\"waba_id\":\"10000000000000$org\",\"access_token\":\"t\",\"app_secret\":\"$secret\",\"verify_token\":\"v$org\"}" >/dev/null
  done
  # PREP_SQL: statements run against the SQLite database once it is set up (an experiment: drop
  # an index or a trigger to see what it costs a surge; the server re-reads the schema).
  if [ -n "${PREP_SQL:-}" ] && [ -z "$url" ]; then sqlite3 "$dir/closer.db" "$PREP_SQL"; fi
  for mix in $mixes; do
    for c in $concs; do
      printf '%-9s %-9s workers=%s c=%-3s ' "$label" "$mix" "$workers" "$c"
      # PERF_OUT=dir: a CPU profile of the server during each run (perf report -i FILE).
      local perf_pid=""
      if [ -n "${PERF_OUT:-}" ]; then
        mkdir -p "$PERF_OUT"
        perf record -q -F 499 -g -p $pid -o "$PERF_OUT/$label-$mix-w$workers-c$c.data" -- sleep "$secs" 2>/dev/null &
        perf_pid=$!
      fi
      measure "$mix" "$c" "$port"
      if [ -n "$perf_pid" ]; then wait "$perf_pid" 2>/dev/null || true; fi
    done
  done
  printf '%-9s %-9s workers=%s c=%-3s ' "$label" "storm" "$workers" 64
  measure storm 64 "$port"
  printf '%-9s rss after the run: %s kB\n' "$label" "$(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
  kill $pid; wait $pid 2>/dev/null || true
  # LOG_OUT=prefix keeps the server's log (with SERVER_LOG=warn,closer_store::ingest=debug: each
  # ingest group's size, wait and write time).
  if [ -n "${LOG_OUT:-}" ]; then cp "$dir/log" "$LOG_OUT-$label-w$workers.log"; fi
  rm -rf "$dir"
}

for workers in $workers_set; do
  has closer || break
  for database in $databases; do
    if [ "$database" = sqlite ]; then
      run_one sqlite "" "$workers"
    else
      db=closer_bench_$$_$workers
      psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
      run_one postgres "${pg_admin%/*}/$db" "$workers"
      psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
    fi
  done
done

# The customer's earlier stack (shared/bench: FastAPI + SQLAlchemy, 2 uvicorn workers) on the
# same bodies, when its venv is set up in SEED_BENCH (cp -r shared/bench ../seed-bench; python3
# -m venv .venv; .venv/bin/pip install -r requirements.lock.txt).
seed=${SEED_BENCH:-../seed-bench}
if has seed && [ -x "$seed/.venv/bin/uvicorn" ]; then
  for database in $databases; do
    port=17$((RANDOM % 900 + 100))
    if [ "$database" = sqlite ]; then
      sdb="$work/seed.db"
      python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())" "$sdb" "$seed/schema_sqlite.sql"
      url="sqlite+aiosqlite:///$sdb"; pool=1; overflow=0; uv_workers=1
    else
      db=closer_seed_$$
      psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
      PGOPTIONS="-c client_min_messages=warning" psql "${pg_admin%/*}/$db" -q -f "$seed/schema_pg.sql" >/dev/null
      url="postgresql+asyncpg://postgres@127.0.0.1:5432/$db"; pool=10; overflow=10; uv_workers=2
    fi
    (cd "$seed" && DATABASE_URL=$url DB_POOL_SIZE=$pool DB_MAX_OVERFLOW=$overflow HANDLER_MODE=orm WA_APP_SECRET=$secret \
      .venv/bin/uvicorn app.main:app --host 127.0.0.1 --port "$port" --workers $uv_workers --loop uvloop --http httptools \
      --no-access-log --log-level warning >"$work/seed-$database.log" 2>&1) &
    spid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
    sent=()
    for mix in $mixes; do
      for c in $concs; do
        printf '%-9s %-9s seed-stack c=%-3s ' "$database" "$mix" "$c"
        measure "$mix" "$c" "$port"
      done
    done
    kill $spid 2>/dev/null; pkill -f "uvicorn app.main:app --host 127.0.0.1 --port $port" || true; wait $spid 2>/dev/null || true
    [ "$database" = postgres ] && psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
  done
fi

# The physical limit: the same transaction as hand-written SQL on a bare pool (no HTTP, JSON,
# signature or ORM), at 16 and 64 concurrent senders.
if has raw; then
echo "== raw SQL baseline (crates/store/benches/raw_ingest.rs)"
raw=$(mktemp -d)
cargo bench -q -p closer-store --bench raw_ingest -- "sqlite://$raw/raw.db?mode=rwc" "$secs" | sed 's/^/sqlite: /'
db=closer_raw_$$
psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
cargo bench -q -p closer-store --bench raw_ingest -- "${pg_admin%/*}/$db" "$secs" | sed 's/^/postgres: /'
psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
rm -rf "$raw"
fi

# pgbench, the customer's seed schema, the same writes as one statement (handler_cte.sql).
if has pgbench && [ -d "$shared_bench/pgbench" ] && command -v pgbench >/dev/null; then
  echo "== pgbench, one statement per webhook (shared/bench/pgbench/handler_cte.sql)"
  db=closer_pgb_$$
  psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
  PGOPTIONS="-c client_min_messages=warning" psql "${pg_admin%/*}/$db" -q -f "$shared_bench/schema_pg.sql" >/dev/null
  for c in $concs; do
    printf 'pgbench c=%-3s ' "$c"
    pgbench "${pg_admin%/*}/$db" -n -M prepared -f "$shared_bench/pgbench/handler_cte.sql" -c "$c" -j 2 -T "$secs" 2>/dev/null |
      awk '/^tps/ {tps=$3} /latency average/ {avg=$4} END {printf "%8.0f tps  avg %s ms\n", tps, avg}'
  done
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
