// A stand-in for Meta's Graph API for scripts/bench-campaign.sh: a real HTTP server that
// answers like Meta (a number's details, a template submission, a send with a fresh wamid)
// and counts every send per recipient, so duplicates after a kill -9 or between replicas
// show. GET /__bench/stats → {sends, recipients, duplicates, first_ms, last_ms, per_second}.
// POST /__bench/reset forgets the counts. Usage: node bench-campaign-graph.mjs PORT
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 18190);
let perRecipient = new Map();
let sends = 0;
let firstMs = 0;
let lastMs = 0;
let perSecond = new Map(); // unix second → sends

const json = (res, status, body) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};

function stats() {
  let duplicates = 0;
  for (const n of perRecipient.values()) if (n > 1) duplicates += n - 1;
  // The busiest one-second bucket and the steady rate between the first and last send.
  let busiest = 0;
  for (const n of perSecond.values()) busiest = Math.max(busiest, n);
  return {
    sends,
    recipients: perRecipient.size,
    duplicates,
    first_ms: firstMs,
    last_ms: lastMs,
    busiest_second: busiest,
  };
}

createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://stub");
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    if (url.pathname === "/__bench/stats") return json(res, 200, stats());
    if (url.pathname === "/__bench/reset") {
      perRecipient = new Map();
      perSecond = new Map();
      sends = 0;
      firstMs = 0;
      lastMs = 0;
      return json(res, 200, { ok: true });
    }
    if (/^\/v[\d.]+\/\d+\/message_templates$/.test(url.pathname)) {
      if (req.method === "GET") return json(res, 200, { data: [] });
      const body = JSON.parse(raw || "{}");
      const id = String(500000000000000 + Math.floor(Math.random() * 1e12));
      return json(res, 200, { id, status: "PENDING", category: body.category });
    }
    const messages = /^\/v[\d.]+\/(\d+)\/messages$/.exec(url.pathname);
    if (req.method === "POST" && messages) {
      const body = JSON.parse(raw || "{}");
      if (body.status === "read") return json(res, 200, { success: true });
      const now = Date.now();
      const key = body.biz_opaque_callback_data ?? body.to ?? "";
      perRecipient.set(key, (perRecipient.get(key) ?? 0) + 1);
      sends += 1;
      if (!firstMs) firstMs = now;
      lastMs = now;
      const second = Math.floor(now / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
      const wamid = `wamid.bench${sends}x${Math.floor(Math.random() * 1e9)}`;
      return json(res, 200, {
        messaging_product: "whatsapp",
        contacts: [{ input: body.to ?? "", wa_id: body.to ?? "" }],
        messages: [{ id: wamid }],
      });
    }
    const number = /^\/v[\d.]+\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && number) {
      return json(res, 200, {
        id: number[1],
        display_phone_number: "+1 555-010-0199",
        verified_name: "Bench Business",
        quality_rating: "GREEN",
        messaging_limit_tier: "TIER_UNLIMITED",
      });
    }
    return json(res, 200, { success: true });
  });
}).listen(port, "127.0.0.1", () => console.error(`graph stand-in on ${port}`));
