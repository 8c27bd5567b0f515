/**
 * A stand-in for Meta's Graph API (the server takes its address from CLOSER_WHATSAPP_GRAPH_URL).
 * It knows one valid access token; GET /<version>/<phone_number_id> answers the number's
 * details for it and an OAuth error (code 190) for any other token.
 */
import { createServer, type Server } from "node:http";

export const GOOD_TOKEN = "EAAG-e2e-valid-token";
export const STUB_NUMBER = {
  display_phone_number: "+1 555-010-0199",
  verified_name: "E2E Test Business",
  quality_rating: "GREEN",
  messaging_limit_tier: "TIER_1K",
};

export function startGraphStub(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const auth = req.headers.authorization ?? "";
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const match = /^\/v[\d.]+\/(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && match) {
      if (auth !== `Bearer ${GOOD_TOKEN}`) {
        return send(401, {
          error: {
            message: "Error validating access token: Session has expired.",
            type: "OAuthException",
            code: 190,
            fbtrace_id: "e2e",
          },
        });
      }
      return send(200, { id: match[1], ...STUB_NUMBER });
    }
    // Anything else (sends, templates) is accepted and ignored.
    req.resume();
    return send(200, { messaging_product: "whatsapp", messages: [{ id: "wamid.e2e" }] });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = address && typeof address === "object" ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, server });
    });
  });
}
