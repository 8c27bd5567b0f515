#!/usr/bin/env bash
# Webhook ingest under load: signed, unique inbound messages POSTed to /webhooks/whatsapp with
# 16 and 64 connections, then a duplicate storm (one body over and over), on SQLite and on
# PostgreSQL, against the release binary. Needs wrk and python3.
# Usage: scripts/bench-webhook.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bin=${CLOSER_BIN:-target/release/closer}
pg_admin=${CLOSER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
secret=bench-app-secret
number=200000000000001

# A stand-in for Meta's Graph API that accepts any token (connecting checks it).
cat > "$work/graph.py" <<'PY'
from http.server import BaseHTTPRequestHandler, HTTPServer
import json, sys
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        b = json.dumps({"id": "1", "display_phone_number": "+1 555-000-1111", "quality_rating": "GREEN"}).encode()
        self.send_response(200); self.send_header("content-length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
graph_port=19$((RANDOM % 900 + 100))
python3 "$work/graph.py" $graph_port &

# Pre-signed bodies for wrk: unique message ids over 500 leads, plus one for the storm.
python3 - "$work" "$secret" "$number" <<'PY'
import hmac, hashlib, json, sys
work, secret, number = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
def body(i):
    phone = str(15550000000 + i % 500)
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "100000000000001", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001111", "phone_number_id": number},
        "contacts": [{"profile": {"name": f"Lead {i % 500}"}, "wa_id": phone}],
        "messages": [{"from": phone, "id": f"wamid.bench{i:09d}", "timestamp": str(1779105600 + i), "type": "text", "text": {"body": f"Hello, message {i}"}}]}}]}]}, separators=(",", ":"))
def lua(name, bodies):
    with open(f"{work}/{name}.lua", "w") as f:
        f.write("local bodies = {\n")
        for b in bodies:
            sig = "sha256=" + hmac.new(secret, b.encode(), hashlib.sha256).hexdigest()
            f.write("{%s,%s},\n" % (json.dumps(b), json.dumps(sig)))
        f.write("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  local b = bodies[(i - 1) % #bodies + 1]\n")
        f.write('  return wrk.format("POST", "/webhooks/whatsapp", {["Content-Type"]="application/json", ["X-Hub-Signature-256"]=b[2]}, b[1])\nend\n')
# Each wrk thread has its own Lua state: give each thread a disjoint id range.
for t in range(2):
    lua(f"unique{t}", [body(t * 1_000_000 + i) for i in range(60000)])
lua("storm", [body(42)])
with open(f"{work}/unique.lua", "w") as f:
    # wrk decides from the main script whether requests are dynamic, so it must define
    # request(); each thread's init() then replaces it with its own.
    f.write('local n = 0\nfunction setup(thread) thread:set("tid", n); n = n + 1 end\n')
    f.write('function request() return wrk.format() end\n')
    f.write('function init(args) dofile("%s/unique" .. tid .. ".lua") end\n' % work)
PY

run_one() {
  local label=$1 url=$2 port=18$((RANDOM % 900 + 100)) dir; dir=$(mktemp -d)
  if [ -n "$url" ]; then export DATABASE_URL=$url; else unset DATABASE_URL; fi
  CLOSER_WHATSAPP_GRAPH_URL=http://127.0.0.1:$graph_port "$bin" serve --listen 127.0.0.1:$port --data-dir "$dir" >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/signup" -H 'content-type: application/json' \
    -d "{\"org_name\":\"Bench\",\"name\":\"Bench\",\"email\":\"bench$RANDOM@example.com\",\"password\":\"bench-password\"}" |
    sed -E 's/.*"token":"([^"]+)".*/\1/')
  curl -sf -X POST "http://127.0.0.1:$port/api/v1/settings/whatsapp/connect" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' \
    -d "{\"phone_number_id\":\"$number\",\"waba_id\":\"100000000000001\",\"access_token\":\"t\",\"app_secret\":\"$secret\",\"verify_token\":\"v\"}" >/dev/null
  for c in 16 64; do
    echo "== $label, $c senders, unique messages"
    wrk -t2 -c$c -d"${secs}s" --latency -s "$work/unique.lua" "http://127.0.0.1:$port" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors'
  done
  echo "== $label, 64 senders, duplicate storm"
  wrk -t2 -c64 -d"${secs}s" --latency -s "$work/storm.lua" "http://127.0.0.1:$port" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket errors'
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$dir"
}

run_one sqlite ""
db=closer_bench_$$
psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
run_one postgres "${pg_admin%/*}/$db"
psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null

# The physical limit: the same transaction as hand-written SQL on a bare pool (no HTTP, JSON,
# signature or ORM), at 16 and 64 concurrent senders.
echo "== raw SQL baseline (crates/store/benches/raw_ingest.rs)"
raw=$(mktemp -d)
cargo bench -q -p closer-store --bench raw_ingest -- "sqlite://$raw/raw.db?mode=rwc" "$secs" | sed 's/^/sqlite: /'
db=closer_raw_$$
psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
cargo bench -q -p closer-store --bench raw_ingest -- "${pg_admin%/*}/$db" "$secs" | sed 's/^/postgres: /'
psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
rm -rf "$raw"
