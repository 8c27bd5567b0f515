import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import type { KnowledgeScan } from "../../api/models";
import { KnowledgeBase } from "./KnowledgeBase";

const routes = [
  { element: <RequireAuth />, children: [{ index: true, element: <KnowledgeBase /> }] },
];

const me = {
  user: { id: "u1", name: "Sam", email: "sam@acme.test", role: "owner" },
  org: { id: "o", name: "Acme" },
};

function scan(over: Partial<KnowledgeScan>): KnowledgeScan {
  return {
    id: "s1",
    url: "https://acme.example/",
    status: "queued",
    pages_found: 0,
    pages_done: 0,
    chunks_stored: 0,
    skipped: [],
    error: null,
    created_by: { id: "u1", name: "Sam" },
    created_at: "2026-05-18T10:00:00Z",
    started_at: null,
    finished_at: null,
    ...over,
  };
}

const pricing = {
  id: "k1",
  kind: "web",
  title: "Pricing — Acme",
  content: "The course costs ₹2999.",
  source_url: "https://acme.example/pricing",
  last_verified_at: "2026-05-18T10:01:00Z",
  stale: false,
  created_at: "2026-05-18T10:01:00Z",
};

describe("KnowledgeBase website scan", () => {
  it("offers the website on file, scans it and shows progress until the pages are in", async () => {
    // The scan answers running, then running further, then done.
    const polls = [
      scan({
        status: "running",
        pages_found: 4,
        pages_done: 1,
        started_at: "2026-05-18T10:00:01Z",
      }),
      scan({
        status: "done",
        pages_found: 4,
        pages_done: 4,
        chunks_stored: 1,
        skipped: [{ url: "https://acme.example/contact", reason: "robots_disallowed" }],
        finished_at: "2026-05-18T10:01:00Z",
      }),
    ];
    let started = false;
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/org": () => ({ id: "o", name: "Acme", website: "https://org.example" }),
      "GET /api/v1/agent/profile": () => ({
        version: 1,
        mode: "rules",
        business_config: { contact_links: { website_url: "https://acme.example" } },
        sales_rules: {},
        tone_profile: {},
        guardrails: {},
        script_library: {},
        updated_at: null,
        updated_by: null,
      }),
      "GET /api/v1/knowledge/scans": () => ({ items: [], next_cursor: null }),
      "POST /api/v1/knowledge/scan": () => {
        started = true;
        return reply(202, scan({}));
      },
      "GET /api/v1/knowledge/scans/s1": () => polls.shift() ?? polls[polls.length - 1],
      "GET /api/v1/knowledge": () => ({ items: started ? [pricing] : [], next_cursor: null }),
    });
    renderRoutes(routes, "/");

    const address = await screen.findByLabelText("Website address");
    await waitFor(() => expect(address).toHaveValue("https://acme.example"));
    await userEvent.click(screen.getByRole("button", { name: "Scan website" }));
    const body = await calls.find((c) => c.method === "POST")!.json();
    expect(body).toEqual({ url: "https://acme.example" });

    expect(await screen.findByText("Checked 1 of 4 pages…")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Scanning…" })).toBeDisabled();
    expect(
      await screen.findByText("Checked 4 pages and stored 1 entry.", {}, { timeout: 5_000 }),
    ).toBeInTheDocument();
    expect(screen.getByTestId("scan-skipped")).toHaveTextContent(
      "acme.example/contact— robots.txt asks crawlers to stay out",
    );
    // The finished scan's pages are fetched into the list.
    expect(await screen.findByText("Pricing — Acme")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Scan website" })).toBeEnabled();
  });

  it("shows the server's reason next to the address", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/org": () => ({ id: "o", name: "Acme", website: null }),
      "GET /api/v1/knowledge/scans": () => ({ items: [], next_cursor: null }),
      "GET /api/v1/knowledge": () => ({ items: [], next_cursor: null }),
      "POST /api/v1/knowledge/scan": () =>
        reply(422, {
          error: {
            code: "validation_failed",
            message: "some fields are not valid",
            details: { fields: { url: "10.0.0.5 is a private or local address" } },
          },
        }),
    });
    renderRoutes(routes, "/");
    const address = await screen.findByLabelText("Website address");
    await userEvent.type(address, "http://10.0.0.5");
    await userEvent.click(screen.getByRole("button", { name: "Scan website" }));
    expect(await screen.findByText("10.0.0.5 is a private or local address")).toBeInTheDocument();
    expect(screen.queryByTestId("scan-status")).toBeNull();
  });

  it("uploads a faq.txt as the file itself", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/org": () => ({ id: "o", name: "Acme", website: null }),
      "GET /api/v1/knowledge/scans": () => ({ items: [], next_cursor: null }),
      "GET /api/v1/knowledge": () => ({ items: [], next_cursor: null }),
      "POST /api/v1/knowledge": () => reply(201, { created: 1, items: [] }),
    });
    renderRoutes(routes, "/");
    const input = await screen.findByTestId("faq-file");
    const file = new File(["Q: Where?\nA: Mumbai.\n"], "faq.txt", { type: "text/plain" });
    fireEvent.change(input, { target: { files: [file] } });
    expect(await screen.findByTestId("faq-created")).toHaveTextContent(
      "Created 1 entry from faq.txt.",
    );
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    const form = await post.formData();
    expect(form.get("kind")).toBe("faq");
    // jsdom's File does not survive the trip into Node's Request intact; the browser test
    // (e2e/knowledge.spec.ts) checks the file's content arrives.
    expect(form.has("file")).toBe(true);
  });
});
