#!/usr/bin/env bash
# Times a 100,000-row CSV import of leads against a built binary (release by default) on a
# fresh SQLite data dir (or DATABASE_URL): generate → upload → confirm → poll until completed.
#   cargo build --release -p closer-server && scripts/bench-lead-import.sh [ROWS]
set -euo pipefail
BIN=${CLOSER_BIN:-target/release/closer}
ROWS=${1:-100000}
PORT=${PORT:-18931}
DIR=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
python3 - "$ROWS" > "$DIR/leads.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("Full Name,Mobile,E-mail,City,Tags")
for i in range(n):
    print(f"Lead {i},+9198{i:08d},lead{i}@example.com,City {i % 50},tag{i % 20};all")
PY
CLOSER_DATA_DIR="$DIR/data" CLOSER_LISTEN="127.0.0.1:$PORT" "$BIN" serve >"$DIR/server.log" 2>&1 &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done  # migrations on a fresh PostgreSQL take a while
TOKEN=$(curl -sf "$BASE/api/v1/auth/signup" -H 'content-type: application/json' \
  -d '{"org_name":"Bench","name":"Bench Owner","email":"bench@example.com","password":"correct horse"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
START=$(date +%s.%N)
UP=$(curl -sf "$BASE/api/v1/leads/import" -H "authorization: Bearer $TOKEN" -F "file=@$DIR/leads.csv")
ID=$(echo "$UP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
MAPPING=$(echo "$UP" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["mapping"]))')
curl -sf "$BASE/api/v1/leads/import/$ID/confirm" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d "{\"mapping\": $MAPPING, \"mode\": \"upsert\"}" >/dev/null
while :; do
  S=$(curl -sf "$BASE/api/v1/leads/import/$ID" -H "authorization: Bearer $TOKEN")
  STATUS=$(echo "$S" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$STATUS" = completed ] || [ "$STATUS" = failed ] && break
  sleep 0.5
done
END=$(date +%s.%N)
echo "$S" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k: d[k] for k in ["status","total_rows","processed_rows","created","updated","skipped","errors"]})'
python3 -c "print(f'{$ROWS} rows imported in {$END - $START:.1f} s (upload + job)')"
