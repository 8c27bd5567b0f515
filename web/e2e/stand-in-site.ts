/**
 * A stand-in business website for the knowledge base's website scan: a node http server on
 * 127.0.0.1 (the server under test runs with CLOSER_SCAN_ALLOW_PRIVATE so it may crawl it).
 *
 * The home page links to pricing, about, FAQ and contact pages and to a blog post; robots.txt
 * keeps CloserBot out of /contact. Every page but the home answers after `delayMs`, so a scan
 * runs long enough for its progress to be seen. `setPrice` changes what the pricing page says.
 */
import { createServer, type Server } from "node:http";

export interface StandInSite {
  url: string;
  server: Server;
  /** Paths requested so far, in order. */
  requests: string[];
  setPrice(price: string): void;
  close(): Promise<void>;
}

const NAME = "Stand-in Academy";

function layout(title: string, main: string): string {
  return `<!doctype html><html><head><title>${title}</title>
    <script>window.analytics = "TRACKING-SNIPPET";</script></head>
    <body><header><a href="/">${NAME}</a>
      <nav><a href="/pricing">Pricing</a> <a href="/about">About us</a> <a href="/faq">FAQ</a>
        <a href="/contact">Contact</a></nav></header>
      <main>${main}</main>
      <footer>© ${NAME} · <a href="/blog/market-holidays">Blog</a></footer></body></html>`;
}

export async function startStandInSite(delayMs = 1_000): Promise<StandInSite> {
  let price = "₹2999";
  const requests: string[] = [];
  const pages: Record<string, () => string> = {
    "/": () =>
      layout(
        `${NAME} — live trading courses`,
        `<h1>Learn to trade, live</h1><p>${NAME} runs live trading courses in Pune and online,
         for beginners and working professionals alike.</p>`,
      ),
    "/pricing": () =>
      layout(
        `Pricing — ${NAME}`,
        `<h1>Plans</h1><p>The complete course costs ${price}, with EMI over three months.</p>`,
      ),
    "/about": () =>
      layout(
        `About us — ${NAME}`,
        `<h1>Our story</h1><p>Founded in 2019 by two traders who wanted to teach the way they
         wished they had been taught: live, with real trades and honest numbers.</p>`,
      ),
    "/faq": () =>
      layout(
        `FAQ — ${NAME}`,
        `<h1>Questions</h1><p>Is there a refund? Yes, a full refund within 7 days of joining.</p>`,
      ),
    "/contact": () => layout("Contact", "<p>Call us on +91 98765 43210 any day of the week.</p>"),
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    requests.push(path);
    if (path === "/robots.txt") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("User-agent: *\nAllow: /\n\nUser-agent: CloserBot\nDisallow: /contact\n");
      return;
    }
    const page = pages[path];
    const answer = () => {
      if (!page) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("no such page");
        return;
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page());
    };
    if (path === "/") answer();
    else setTimeout(answer, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("the stand-in site has no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    server,
    requests,
    setPrice: (next) => {
      price = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
