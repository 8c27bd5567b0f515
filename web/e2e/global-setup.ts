/**
 * Starts the real backend for the e2e suite:
 *   <bin> serve --listen 127.0.0.1:<free port> --data-dir <fresh temp dir>
 * The binary is $CLOSER_BIN, or ../target/debug/closer relative to web/. It serves the SPA
 * from web/dist, so `npm run build` must have run first. The returned function (Playwright's
 * teardown) stops it and removes the temp dir.
 *
 * Meta's Graph API is a local stub (e2e/graph-stub.ts) passed as CLOSER_WHATSAPP_GRAPH_URL.
 *
 * With CLOSER_E2E_FRONTEND=vite-preview the built web/dist is served by `vite preview` instead,
 * proxying /api to the binary: for testing the SPA against a binary built without it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startGraphStub } from "./graph-stub";

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") {
        const { port } = address;
        server.close(() => resolvePort(port));
      } else {
        reject(new Error("could not get a free port"));
      }
    });
  });
}

async function waitForHealth(url: string, exited: () => string | null, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`closer exited before becoming healthy (${exit})`);
    try {
      const res = await fetch(url);
      if (res.ok) {
        const body = (await res.json()) as { status?: string };
        if (body.status === "ok") return;
      }
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`closer did not answer ${url} within ${timeoutMs} ms (last: ${lastError})`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const stopped = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await stopped;
  clearTimeout(timer);
}

/** Serves web/dist with `vite preview` on a free port, proxying the API to `apiURL`. */
async function startVitePreview(apiURL: string, logPath: string) {
  const port = await freePort();
  const log = createWriteStream(logPath);
  const vite = join(webDir, "node_modules", "vite", "bin", "vite.js");
  const child = spawn(
    process.execPath,
    [vite, "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    { cwd: webDir, env: { ...process.env, CLOSER_API: apiURL }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exit: string | null = null;
  child.on("exit", (code, signal) => {
    exit = `code ${code}, signal ${signal}`;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(`${url}/healthz`, () => exit, 30_000);
  return { child, url };
}

export default async function globalSetup() {
  const bin = resolve(webDir, process.env.CLOSER_BIN ?? "../target/debug/closer");
  if (!existsSync(bin)) {
    throw new Error(`Backend binary not found at ${bin}. Build it or set CLOSER_BIN.`);
  }
  if (!existsSync(join(webDir, "dist", "index.html"))) {
    throw new Error("web/dist/index.html is missing: run `npm run build` before `npm run e2e`.");
  }

  const dataDir = mkdtempSync(join(tmpdir(), "closer-e2e-"));
  const logPath = join(dataDir, "server.log");
  const log = createWriteStream(logPath);
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;

  // A hermetic environment: nothing from the developer's shell may point the server elsewhere.
  const env = { ...process.env };
  for (const key of [
    "DATABASE_URL",
    "CLOSER_DATA_DIR",
    "CLOSER_LISTEN",
    "CLOSER_PUBLIC_URL",
    "CLOSER_SECRET_KEY",
  ]) {
    delete env[key];
  }

  // Meta's Graph API is replaced by a local stub, so connecting WhatsApp can be tested.
  const graph = await startGraphStub();
  env.CLOSER_WHATSAPP_GRAPH_URL = graph.url;
  // Every spec signs up its own organisations from 127.0.0.1: lift the per-address sign-up
  // throttle (a burst of 10) that would otherwise stop the suite partway.
  env.CLOSER_SIGNUP_BURST = "10000";
  // Website scans crawl a stand-in site on 127.0.0.1 (e2e/stand-in-site.ts).
  env.CLOSER_SCAN_ALLOW_PRIVATE = "true";

  const child = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exit: string | null = null;
  child.on("exit", (code, signal) => {
    exit = `code ${code}, signal ${signal}`;
  });

  try {
    await waitForHealth(`${baseURL}/healthz`, () => exit, 30_000);
  } catch (err) {
    child.kill("SIGKILL");
    graph.server.close();
    const output = existsSync(logPath) ? readFileSync(logPath, "utf8").slice(-4000) : "";
    throw new Error(`${(err as Error).message}\n--- server log ---\n${output}`, { cause: err });
  }

  console.log(`[e2e] closer serving ${baseURL} (data: ${dataDir})`);

  let preview: ChildProcess | null = null;
  let appURL = baseURL;
  if (process.env.CLOSER_E2E_FRONTEND === "vite-preview") {
    try {
      const started = await startVitePreview(baseURL, join(dataDir, "vite.log"));
      preview = started.child;
      appURL = started.url;
      console.log(`[e2e] vite preview serving web/dist at ${appURL}`);
    } catch (err) {
      await stop(child);
      graph.server.close();
      throw err;
    }
  }

  process.env.CLOSER_E2E_BASE_URL = appURL;
  process.env.CLOSER_E2E_LOG = logPath;
  process.env.CLOSER_E2E_GRAPH_URL = graph.url;
  // The binary itself, for what only it answers (webhooks), even behind vite preview.
  process.env.CLOSER_E2E_SERVER_URL = baseURL;

  return async () => {
    if (preview) await stop(preview);
    await stop(child);
    graph.server.close();
    log.end();
    if (process.env.CLOSER_E2E_KEEP_DATA) {
      console.log(`[e2e] kept ${dataDir}`);
    } else {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
