import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Job, Role } from "../../api/models";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes } from "../../test/utils";
import { JobsPage } from "./JobsPage";

const routes = [{ element: <RequireAuth />, children: [{ index: true, element: <JobsPage /> }] }];

function meAs(role: Role) {
  return {
    user: { id: "u1", name: "Sam", email: "sam@acme.test", role },
    org: { id: "o", name: "A" },
  };
}

const dead: Job = {
  id: "j1",
  kind: "send_message",
  conversation_id: "c1",
  status: "dead",
  attempts: 8,
  max_attempts: 8,
  last_error: "Graph API 131000: Something went wrong",
  run_at: "2026-05-18T10:00:00Z",
  created_at: "2026-05-18T09:00:00Z",
  updated_at: "2026-05-18T10:00:00Z",
};

describe("JobsPage", () => {
  it("lists failed jobs and retries one", async () => {
    let retried = false;
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => meAs("admin"),
      "GET /api/v1/jobs": (req) => {
        const status = new URL(req.url).searchParams.get("status");
        if (status !== "dead" || retried) return { items: [], next_cursor: null };
        return { items: [dead], next_cursor: null };
      },
      "POST /api/v1/jobs/j1/retry": () => {
        retried = true;
        return { ...dead, status: "pending", attempts: 0 };
      },
    });
    renderRoutes(routes, "/");
    const table = await screen.findByRole("table", { name: "Background jobs" });
    const row = within(table).getByRole("row", { name: /Send message/ });
    expect(row).toHaveTextContent("8 / 8");
    expect(row).toHaveTextContent("Graph API 131000: Something went wrong");
    expect(within(row).getByRole("link", { name: "Open conversation" })).toHaveAttribute(
      "href",
      "/inbox/c1",
    );
    expect(new URL(calls[1]!.url).searchParams.get("status")).toBe("dead");

    await userEvent.click(within(row).getByRole("button", { name: "Retry Send message job" }));
    expect(await screen.findByText("No failed jobs")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/jobs/j1/retry"))).toBe(true);
    await waitFor(() => expect(screen.getAllByText("Job queued again").length).toBeGreaterThan(0));
  });

  it("is for owners and admins only", async () => {
    const { calls } = mockApi({ "GET /api/v1/auth/me": () => meAs("agent") });
    renderRoutes(routes, "/");
    expect(await screen.findByText("Owners and admins only")).toBeInTheDocument();
    expect(calls.some((c) => c.url.includes("/jobs"))).toBe(false);
  });
});
