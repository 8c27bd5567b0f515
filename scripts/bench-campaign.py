"""Drives scripts/bench-campaign.sh: a 100,000-recipient campaign against the Graph stand-in
(scripts/bench-campaign-graph.mjs) — time to enqueue, sending rate against the pace, no
duplicate after a kill -9 mid-run, and two replicas on one PostgreSQL. Standard library only.
"""
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

BIN = os.environ.get("CLOSER_BIN", "target/release/closer")
ROWS = int(os.environ.get("ROWS", "100000"))
STUB_PORT = int(os.environ.get("STUB_PORT", "18190"))
PORTS = [int(os.environ.get("PORT", "18102")), int(os.environ.get("PORT2", "18103"))]
PG = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SLOW_RATE = int(os.environ.get("SLOW_RATE", "80"))
FAST_RATE = int(os.environ.get("FAST_RATE", "1000"))
SLOW_SECONDS = int(os.environ.get("SLOW_SECONDS", "60"))
# After the kill -9 and restart: seconds to go on sending before cancelling the rest
# (0: to the end of the campaign). Duplicates are counted over everything sent.
AFTER_RESTART = int(os.environ.get("AFTER_RESTART", "0"))
KILL_AT = float(os.environ.get("KILL_AT", "0.3"))
WORK = os.environ["BENCH_DIR"]
STUB = f"http://127.0.0.1:{STUB_PORT}"
SECRET_KEY = "11" * 32
APP_SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "100000000000001"
WABA_ID = "200000000000002"


def say(*a):
    print(*a, flush=True)


def call(method, url, token=None, body=None, raw=None, headers=None, timeout=600):
    h = {"content-type": "application/json"}
    if token:
        h["authorization"] = f"Bearer {token}"
    h.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def ok(status, body, want=(200, 201, 202, 204)):
    if status not in want:
        raise SystemExit(f"unexpected {status}: {body}")
    return body


RUNNING = []


class Server:
    """One `closer serve` process (stopped when the driver exits, however it exits)."""

    def __init__(self, port, data_dir, database_url=None, name="a"):
        self.port, self.data_dir, self.database_url, self.name = port, data_dir, database_url, name
        self.base = f"http://127.0.0.1:{port}"
        self.proc = None
        self.starts = 0

    def start(self):
        env = dict(os.environ)
        env.update(
            CLOSER_DATA_DIR=self.data_dir,
            CLOSER_LISTEN=f"127.0.0.1:{self.port}",
            CLOSER_SECRET_KEY=SECRET_KEY,
            CLOSER_WHATSAPP_GRAPH_URL=STUB,
            CLOSER_JOB_LEASE_SECS="5",
            CLOSER_SIGNUP_BURST="100",
            RUST_LOG="warn",
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        self.starts += 1
        log = open(f"{WORK}/server-{self.name}-{self.starts}.log", "w")
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=log, stderr=log)
        RUNNING.append(self.proc)
        for _ in range(600):
            if self.proc.poll() is not None:
                raise SystemExit(f"server {self.name} exited: see its log")
            try:
                if call("GET", self.base + "/healthz", timeout=1)[0] == 200:
                    return self
            except Exception:
                pass
            time.sleep(0.1)
        raise SystemExit(f"server {self.name} did not start")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def stub_stats():
    return call("GET", STUB + "/__bench/stats")[1]


def stub_reset():
    call("POST", STUB + "/__bench/reset", body={})


def setup_org(base):
    """An owner, a connected number at the fastest pace, an approved template, ROWS leads."""
    tag = uuid.uuid4().hex[:6]
    token = ok(*call("POST", base + "/api/v1/auth/signup", body={
        "org_name": "Bench", "name": "Bench Owner", "email": f"bench-{tag}@example.com",
        "password": "correct horse battery"}))["token"]
    ok(*call("POST", base + "/api/v1/settings/whatsapp/connect", token, {
        "phone_number_id": PHONE_NUMBER_ID, "waba_id": WABA_ID, "access_token": "bench-token",
        "app_secret": APP_SECRET, "verify_token": "bench-verify"}))
    ok(*call("PUT", base + "/api/v1/settings/whatsapp/config", token,
             {"send_rate_per_second": max(FAST_RATE, SLOW_RATE)}))
    t = ok(*call("POST", base + "/api/v1/templates", token, {
        "name": "bench_offer", "language": "en_US", "category": "UTILITY",
        "parameter_format": "NAMED",
        "body": {"text": "Hi {{first_name}}, your offer is ready.",
                 "examples": {"first_name": "Maria"}},
        "variables": {"first_name": {"source": "contact", "key": "first_name",
                                     "fallback": "there"}}}))
    sub = ok(*call("POST", base + f"/api/v1/templates/{t['id']}/submit", token, {}))
    payload = json.dumps({"object": "whatsapp_business_account", "entry": [{
        "id": WABA_ID, "time": int(time.time()), "changes": [{
            "field": "message_template_status_update", "value": {
                "event": "APPROVED", "message_template_id": int(sub["provider_id"]),
                "message_template_name": "bench_offer",
                "message_template_language": "en_US", "reason": "NONE"}}]}]}).encode()
    sig = "sha256=" + hmac.new(APP_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    ok(*call("POST", base + "/webhooks/whatsapp", raw=payload,
             headers={"x-hub-signature-256": sig}))
    for _ in range(100):
        if ok(*call("GET", base + f"/api/v1/templates/{t['id']}", token))["status"] == "approved":
            break
        time.sleep(0.1)
    import_leads(base, token)
    return token, t["id"]


def import_leads(base, token):
    csv = f"{WORK}/leads.csv"
    if not os.path.exists(csv):
        with open(csv, "w") as f:
            f.write("Full Name,Mobile,City,Tags\n")
            for i in range(ROWS):
                f.write(f"Lead {i},+9198{i:08d},City {i % 50},all\n")
    started = time.time()
    up = json.loads(subprocess.check_output([
        "curl", "-sf", base + "/api/v1/leads/import", "-H", f"authorization: Bearer {token}",
        "-F", f"file=@{csv}"]))
    ok(*call("POST", base + f"/api/v1/leads/import/{up['id']}/confirm", token,
             {"mapping": up["mapping"], "mode": "upsert"}))
    while True:
        s = ok(*call("GET", base + f"/api/v1/leads/import/{up['id']}", token))
        if s["status"] in ("completed", "failed"):
            break
        time.sleep(0.5)
    say(f"  {s['created']} leads imported in {time.time() - started:.1f} s ({s['status']})")


def campaign(base, token, template_id, rate, name):
    """Creates and starts a campaign of every lead; returns its id and the start's seconds."""
    c = ok(*call("POST", base + "/api/v1/campaigns", token, {
        "name": name, "template_id": template_id, "audience": {"tags": ["all"]},
        "pacing": {"rate_per_second": rate, "recipient_gap_seconds": 6}}))
    started = time.time()
    s = ok(*call("POST", base + f"/api/v1/campaigns/{c['id']}/start", token,
                 {"confirm_over_limit": True}))
    took = time.time() - started
    say(f"  enqueue: {ROWS} recipients frozen and queued in {took:.2f} s (start answered "
        f"{s['status']})")
    return c["id"], took


def stats(base, token, cid):
    return ok(*call("GET", base + f"/api/v1/campaigns/{cid}/stats", token))


def rate_between(a, b):
    """Sends per second at the stand-in between two of its snapshots (with their clocks)."""
    (s1, t1), (s2, t2) = a, b
    return (s2["sends"] - s1["sends"]) / max(t2 - t1, 1e-9)


def snapshot():
    return stub_stats(), time.time()


def wait_until(pred, timeout, step=0.5):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def finish(base, token, cid, timeout):
    def done():
        s = stats(base, token, cid)
        return s if s["counts"].get("pending", 0) + s["counts"].get("sending", 0) + \
            s["counts"].get("retrying", 0) == 0 else None
    return wait_until(done, timeout, 2)


def set_pace(base, token, rate):
    ok(*call("PUT", base + "/api/v1/settings/whatsapp/config", token,
             {"send_rate_per_second": rate}))


def one_campaign(servers, token, template_id):
    """One campaign of every lead: its enqueue timed; sent at the number's pace of SLOW_RATE,
    then FAST_RATE (the pace is the number's, changed while it runs); then servers[0] killed
    -9 mid-run and started again; the stand-in counts every send per recipient."""
    base = servers[0].base
    stub_reset()
    set_pace(base, token, FAST_RATE)
    cid, _ = campaign(base, token, template_id, FAST_RATE, "bench")
    set_pace(base, token, SLOW_RATE)
    wait_until(lambda: stub_stats()["sends"] > 0, 600, 0.05)
    first = snapshot()
    time.sleep(3)
    for rate in (SLOW_RATE, FAST_RATE):
        set_pace(base, token, rate)
        time.sleep(3)  # the running slice picks the new pace up
        a = snapshot()
        time.sleep(SLOW_SECONDS)
        b = snapshot()
        r = rate_between(a, b)
        say(f"  number's pace {rate}/s: {r:.1f} sends/s at the stand-in over {SLOW_SECONDS} s "
            f"({r / rate * 100:.0f}% of the pace), busiest second so far "
            f"{b[0]['busiest_second']}")
    before = snapshot()
    servers[0].kill9()
    killed_at = time.time()
    say(f"  kill -9 {servers[0].name} after {before[0]['sends']} sends")
    servers[0].start()
    say(f"  {servers[0].name} restarted in {time.time() - killed_at:.1f} s")
    if AFTER_RESTART:
        time.sleep(AFTER_RESTART)
        after = snapshot()
        say(f"  {after[0]['sends'] - before[0]['sends']} more sends in the {AFTER_RESTART} s "
            f"after the kill")
        ok(*call("POST", servers[-1].base + f"/api/v1/campaigns/{cid}/cancel", token, {}))
        time.sleep(3)
        s = stats(servers[-1].base, token, cid)
    else:
        s = finish(servers[-1].base, token, cid, 7200)
    end = stub_stats()
    counts = s["counts"] if s else {}
    say(f"  stand-in saw {end['sends']} sends to {end['recipients']} recipients, "
        f"duplicates {end['duplicates']}; campaign counts {json.dumps(counts)}")
    sent = sum(counts.get(k, 0) for k in ("sent", "delivered", "read", "replied"))
    say(f"  recipients marked sent {sent} vs sends at the stand-in {end['sends']}; "
        f"failed (a claim lapsed by the kill, never repeated): {counts.get('failed', 0)}")
    return end


def main():
    scenario = sys.argv[1]
    if scenario == "sqlite":
        say(f"== SQLite, one server, {ROWS} leads")
        s = Server(PORTS[0], f"{WORK}/sqlite", name="server").start()
        token, tid = setup_org(s.base)
        end = one_campaign([s], token, tid)
        return 0 if end["duplicates"] == 0 else 1
    if scenario == "postgres":
        db = "closer_bench_campaign"
        subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
        subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {db}"], check=True)
        url = PG.rsplit("/", 1)[0] + "/" + db
        say(f"== PostgreSQL, two replicas, {ROWS} leads")
        a = Server(PORTS[0], f"{WORK}/pg-a", url, name="replica-a").start()
        b = Server(PORTS[1], f"{WORK}/pg-b", url, name="replica-b").start()
        token, tid = setup_org(a.base)
        end = one_campaign([a, b], token, tid)
        return 0 if end["duplicates"] == 0 else 1
    raise SystemExit(f"unknown scenario {scenario}")


def stop_all():
    for p in RUNNING:
        if p.poll() is None:
            p.kill()
            p.wait()


if __name__ == "__main__":
    # A TERM (the shell's trap, a timeout) stops the servers too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main())
    finally:
        stop_all()
