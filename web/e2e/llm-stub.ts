/**
 * A stand-in for an OpenAI-compatible provider (the LLM settings point their base URL at it):
 * POST /v1/chat/completions is recorded and answered by the test's `answer` function, which
 * sees the system prompt, the whole request and its Authorization header. Anything else is a
 * 404 in OpenAI's error shape.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface StubRequest {
  path: string;
  authorization: string;
  model: string;
  system: string;
  body: Record<string, unknown>;
}

/** What the stub sends back: a status and a JSON body. */
export interface StubReply {
  status: number;
  body: unknown;
}

export interface LlmStub {
  /** The base URL to save in the LLM settings (`http://127.0.0.1:<port>/v1`). */
  baseUrl: string;
  requests: StubRequest[];
  close: () => Promise<void>;
}

/** A chat completion whose message is `content`. */
export function completion(content: string, model = "e2e-model"): StubReply {
  return {
    status: 200,
    body: {
      id: "chatcmpl-e2e",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startLlmStub(answer: (request: StubRequest) => StubReply): Promise<LlmStub> {
  const requests: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // Not JSON: recorded with an empty body.
      }
      const messages = Array.isArray(body.messages)
        ? (body.messages as Array<{ role?: string; content?: string }>)
        : [];
      const request: StubRequest = {
        path: req.url ?? "",
        authorization: req.headers.authorization ?? "",
        model: String(body.model ?? ""),
        system: messages.find((m) => m.role === "system")?.content ?? "",
        body,
      };
      requests.push(request);
      const reply =
        req.method === "POST" && req.url === "/v1/chat/completions"
          ? answer(request)
          : {
              status: 404,
              body: { error: { message: "no such route", type: "invalid_request_error" } },
            };
      res.writeHead(reply.status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = address && typeof address === "object" ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    // The server under test keeps its connections to a provider open for reuse; close them
    // too, or `close` waits for them to time out.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
