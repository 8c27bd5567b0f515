#!/usr/bin/env bash
# What a forged webhook costs the server (issue 9: "an unsigned webhook ties up the server").
# Against the release binary on SQLite, with one organisation's number connected:
#  - one forged ~3.8 MB body naming 20,500 made-up phone_number_ids: answer time, RSS growth,
#    log lines written;
#  - eight such bodies at once: the same, and the latency of a genuine signed delivery for the
#    connected number sent meanwhile (another tenant's);
#  - 200 forged bodies naming 100 made-up numbers each (under the per-delivery cap), one after
#    another: answers, time, log lines.
# Usage: scripts/bench-forged-webhook.sh      (env: CLOSER_BIN, default target/release/closer)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${CLOSER_BIN:-target/release/closer}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
secret=bench-app-secret
number=100000000000001

cat > "$work/graph.py" <<'PY'
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json, sys
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        b = json.dumps({"id": "1", "display_phone_number": "+1 555-000-1111", "quality_rating": "GREEN"}).encode()
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
graph_port=19$((RANDOM % 900 + 100))
python3 "$work/graph.py" $graph_port &

python3 - "$work" "$secret" "$number" <<'PY'
import hmac, hashlib, json, sys
work, secret, number = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
def change(n):
    return {"field": "messages", "value": {"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": n},
        "contacts": [{"wa_id": "15551230000"}]}}
def delivery(numbers):
    return json.dumps({"object": "whatsapp_business_account",
        "entry": [{"id": "9999", "changes": [change(n) for n in numbers]}]}).encode()
open(f"{work}/flood.json", "wb").write(delivery([f"9{i:014d}" for i in range(20500)]))
for r in range(200):
    open(f"{work}/small{r}.json", "wb").write(delivery([f"8{r:04d}{i:010d}" for i in range(100)]))
genuine = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
    "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550000000", "phone_number_id": number},
    "contacts": [{"profile": {"name": "Asha"}, "wa_id": "919800000001"}],
    "messages": [{"from": "919800000001", "id": "wamid.genuine%d", "timestamp": "1700000000", "type": "text",
        "text": {"body": "Hi, fees for the weekend batch?"}}]}}]}]})
for i in range(20):
    b = (genuine % i).encode()
    open(f"{work}/genuine{i}.json", "wb").write(b)
    open(f"{work}/genuine{i}.sig", "w").write("sha256=" + hmac.new(secret, b, hashlib.sha256).hexdigest())
PY
printf 'forged body: %s bytes\n' "$(stat -c %s "$work/flood.json")"

port=18$((RANDOM % 900 + 100))
dir=$work/data
CLOSER_WHATSAPP_GRAPH_URL=http://127.0.0.1:$graph_port RUST_LOG=info "$bin" serve --workers 0 \
  --listen 127.0.0.1:$port --data-dir "$dir" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/signup" -H 'content-type: application/json' \
  -d '{"org_name":"Pune Coaching","name":"Owner","email":"owner@example.com","password":"bench-password"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
curl -sf -X POST "http://127.0.0.1:$port/api/v1/settings/whatsapp/connect" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' \
  -d "{\"phone_number_id\":\"$number\",\"waba_id\":\"100000000000009\",\"access_token\":\"t\",\"app_secret\":\"$secret\",\"verify_token\":\"v\"}" >/dev/null
hook=http://127.0.0.1:$port/webhooks/whatsapp
forged='sha256=0000000000000000000000000000000000000000000000000000000000000000'
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
lines() { wc -l <"$work/log"; }
genuine() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}s' -X POST "$hook" -H 'content-type: application/json' \
    -H "x-hub-signature-256: $(cat "$work/genuine$1.sig")" --data-binary @"$work/genuine$1.json"
}
echo "genuine delivery, quiet server: $(genuine 0)"

rss0=$(rss); cpu0=$(cpu); lines0=$(lines)
one=$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' -X POST "$hook" -H 'content-type: application/json' \
  -H "x-hub-signature-256: $forged" --data-binary @"$work/flood.json")
sleep 0.2
printf 'one forged 20,500-number body: answer %s, cpu %s ticks, rss +%s kB, log lines +%s\n' \
  "$one" $(( $(cpu) - cpu0 )) $(( $(rss) - rss0 )) $(( $(lines) - lines0 ))

rss0=$(rss); cpu0=$(cpu); lines0=$(lines); hwm0=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
eight=()
for i in $(seq 8); do
  curl -s -o "$work/eight$i" -w '%{http_code} %{time_total}s\n' -X POST "$hook" -H 'content-type: application/json' \
    -H "x-hub-signature-256: $forged" --data-binary @"$work/flood.json" >"$work/eight$i.t" &
  eight+=($!)
done
during=$(genuine 1)
wait "${eight[@]}" 2>/dev/null || true
printf 'eight at once: answers [%s], genuine delivery meanwhile: %s, cpu %s ticks, peak rss %s kB (was %s), log lines +%s\n' \
  "$(cat "$work"/eight*.t | tr '\n' ' ')" "$during" $(( $(cpu) - cpu0 )) \
  "$(awk '/VmHWM/ {print $2}' /proc/$pid/status)" "$hwm0" $(( $(lines) - lines0 ))

cpu0=$(cpu); lines0=$(lines); start=$(date +%s.%N)
codes=$(for r in $(seq 0 199); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$hook" -H 'content-type: application/json' \
    -H "x-hub-signature-256: $forged" --data-binary @"$work/small$r.json"
done | sort | uniq -c | tr '\n' ' ')
end=$(date +%s.%N)
printf '200 bodies x 100 made-up numbers: answers [%s], %.2fs, cpu %s ticks, log lines +%s\n' \
  "$codes" "$(echo "$end - $start" | bc)" $(( $(cpu) - cpu0 )) $(( $(lines) - lines0 ))
echo "genuine delivery after it all: $(genuine 2)"
printf 'rss at the end: %s kB\n' "$(rss)"
kill $pid; wait $pid 2>/dev/null || true
