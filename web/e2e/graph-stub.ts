/**
 * A stand-in for Meta's Graph API (the server takes its address from CLOSER_WHATSAPP_GRAPH_URL).
 * It knows one valid access token; GET /<version>/<phone_number_id> answers the number's
 * details for it and an OAuth error (code 190) for any other token.
 *
 * POST /<version>/<phone_number_id>/messages (a send) is recorded and answered like Meta does,
 * with a fresh wamid. Tests read what was sent with GET /__e2e/sends (optionally
 * ?phone_number_id=), through `recordedSends()` below.
 *
 * Media: a test registers a lead's file with POST /__e2e/media `{id, mime_type, base64}`
 * (`addMedia()` below); GET /<version>/<media_id> then describes it with a download URL on
 * this stub (both for the valid token only). POST /<version>/<phone_number_id>/media (an
 * upload before a media send) is recorded and answered with a fresh media id; tests read
 * uploads with GET /__e2e/uploads.
 *
 * POST /<version>/<waba_id>/message_templates (a template submitted for review) is recorded
 * and answered `{id, status: "PENDING", category}`; GET lists nothing. Tests read submissions
 * with GET /__e2e/templates, through `recordedTemplates()`.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";

export const GOOD_TOKEN = "EAAG-e2e-valid-token";
export const STUB_NUMBER = {
  display_phone_number: "+1 555-010-0199",
  verified_name: "E2E Test Business",
  quality_rating: "GREEN",
  messaging_limit_tier: "TIER_1K",
};

/** One send the server made to the stub. */
export interface RecordedSend {
  phone_number_id: string;
  authorization: string;
  body: Record<string, unknown> & { to?: string; type?: string; text?: { body?: string } };
  wamid: string;
  at: string;
}

function readBody(req: import("node:http").IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** One template submission the server made to the stub. */
export interface RecordedTemplate {
  waba_id: string;
  id: string;
  body: Record<string, unknown> & { name?: string; category?: string };
}

export function startGraphStub(): Promise<{ url: string; server: Server }> {
  const sends: RecordedSend[] = [];
  const templates: RecordedTemplate[] = [];
  const media = new Map<string, { mime_type: string; bytes: Buffer }>();
  const uploads: { phone_number_id: string; id: string; size: number }[] = [];
  let base = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const auth = req.headers.authorization ?? "";
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const unauthorized = () =>
      send(401, {
        error: {
          message: "Error validating access token: Session has expired.",
          type: "OAuthException",
          code: 190,
          fbtrace_id: "e2e",
        },
      });

    // For the tests: what has been sent so far.
    if (req.method === "GET" && url.pathname === "/__e2e/sends") {
      const number = url.searchParams.get("phone_number_id");
      return send(
        200,
        sends.filter((s) => !number || s.phone_number_id === number),
      );
    }

    if (req.method === "GET" && url.pathname === "/__e2e/templates") return send(200, templates);
    if (req.method === "GET" && url.pathname === "/__e2e/uploads") return send(200, uploads);
    if (req.method === "POST" && url.pathname === "/__e2e/media") {
      void readBody(req).then((raw) => {
        const file = JSON.parse(raw) as { id: string; mime_type: string; base64: string };
        media.set(file.id, {
          mime_type: file.mime_type,
          bytes: Buffer.from(file.base64, "base64"),
        });
        return send(200, { ok: true });
      });
      return;
    }
    const download = /^\/__e2e\/download\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && download) {
      const file = media.get(download[1]!);
      if (auth !== `Bearer ${GOOD_TOKEN}` || !file) return unauthorized();
      res.writeHead(200, { "Content-Type": file.mime_type });
      return res.end(file.bytes);
    }
    const upload = /^\/v[\d.]+\/(\d+)\/media$/.exec(url.pathname);
    if (req.method === "POST" && upload) {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (auth !== `Bearer ${GOOD_TOKEN}`) return unauthorized();
        const id = String(700000000000000 + uploads.length + 1);
        uploads.push({ phone_number_id: upload[1]!, id, size: Buffer.concat(chunks).length });
        return send(200, { id });
      });
      return;
    }

    const templateCall = /^\/v[\d.]+\/(\d+)\/message_templates$/.exec(url.pathname);
    if (templateCall && req.method === "GET") return send(200, { data: [] });
    if (templateCall && req.method === "POST") {
      void readBody(req).then((raw) => {
        if (auth !== `Bearer ${GOOD_TOKEN}`) return unauthorized();
        const body = JSON.parse(raw) as RecordedTemplate["body"];
        const id = String(500000000000000 + Math.floor(Math.random() * 1e12));
        templates.push({ waba_id: templateCall[1]!, id, body });
        return send(200, { id, status: "PENDING", category: body.category });
      });
      return;
    }

    const number = /^\/v[\d.]+\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && number) {
      if (auth !== `Bearer ${GOOD_TOKEN}`) return unauthorized();
      const file = media.get(number[1]!);
      if (file)
        return send(200, {
          messaging_product: "whatsapp",
          id: number[1],
          url: `${base}/__e2e/download/${number[1]}`,
          mime_type: file.mime_type,
          sha256: "e2e",
          file_size: file.bytes.length,
        });
      return send(200, { id: number[1], ...STUB_NUMBER });
    }

    const messages = /^\/v[\d.]+\/(\d+)\/messages$/.exec(url.pathname);
    if (req.method === "POST" && messages) {
      void readBody(req).then((raw) => {
        if (auth !== `Bearer ${GOOD_TOKEN}`) return unauthorized();
        let body: RecordedSend["body"];
        try {
          body = JSON.parse(raw) as RecordedSend["body"];
        } catch {
          return send(400, {
            error: { message: "Invalid JSON", type: "OAuthException", code: 100 },
          });
        }
        // A read receipt or typing indicator is acknowledged without a message id.
        if (body.status === "read") return send(200, { success: true });
        const wamid = `wamid.e2e${randomBytes(12).toString("hex")}`;
        sends.push({
          phone_number_id: messages[1]!,
          authorization: auth,
          body,
          wamid,
          at: new Date().toISOString(),
        });
        return send(200, {
          messaging_product: "whatsapp",
          contacts: [{ input: body.to ?? "", wa_id: body.to ?? "" }],
          messages: [{ id: wamid }],
        });
      });
      return;
    }

    // Anything else (templates, ...) is accepted and ignored.
    req.resume();
    return send(200, { messaging_product: "whatsapp", messages: [{ id: "wamid.e2e" }] });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      base = `http://127.0.0.1:${port}`;
      resolve({ url: base, server });
    });
  });
}

/** The sends the stub has recorded (from a test worker; global setup exports the stub's URL). */
export async function recordedSends(phoneNumberId?: string): Promise<RecordedSend[]> {
  const base = process.env.CLOSER_E2E_GRAPH_URL;
  if (!base) throw new Error("CLOSER_E2E_GRAPH_URL is not set: is global-setup running?");
  const url = new URL("/__e2e/sends", base);
  if (phoneNumberId) url.searchParams.set("phone_number_id", phoneNumberId);
  const res = await fetch(url);
  return (await res.json()) as RecordedSend[];
}

/** The template submissions the stub has recorded. */
export async function recordedTemplates(): Promise<RecordedTemplate[]> {
  const base = process.env.CLOSER_E2E_GRAPH_URL;
  if (!base) throw new Error("CLOSER_E2E_GRAPH_URL is not set: is global-setup running?");
  const res = await fetch(new URL("/__e2e/templates", base));
  return (await res.json()) as RecordedTemplate[];
}

/** Meta holds a lead's file under `id` (from a test worker). */
export async function addMedia(id: string, mimeType: string, bytes: Buffer): Promise<void> {
  const base = process.env.CLOSER_E2E_GRAPH_URL;
  if (!base) throw new Error("CLOSER_E2E_GRAPH_URL is not set: is global-setup running?");
  await fetch(new URL("/__e2e/media", base), {
    method: "POST",
    body: JSON.stringify({ id, mime_type: mimeType, base64: bytes.toString("base64") }),
  });
}

/** The files the server uploaded before media sends. */
export async function recordedUploads(): Promise<{ phone_number_id: string; id: string }[]> {
  const base = process.env.CLOSER_E2E_GRAPH_URL;
  if (!base) throw new Error("CLOSER_E2E_GRAPH_URL is not set: is global-setup running?");
  const res = await fetch(new URL("/__e2e/uploads", base));
  return (await res.json()) as { phone_number_id: string; id: string }[];
}
