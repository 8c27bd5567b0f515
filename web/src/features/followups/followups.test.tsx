import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import type { Followup, FollowupSettings } from "./api";
import { FollowupsPage } from "./FollowupsPage";
import { ScheduledFollowup } from "./ScheduledFollowup";

const pending: Followup = {
  id: "f1",
  conversation_id: "c1",
  contact: { id: "k1", name: "Lee Lead", phone: "+919800000011" },
  kind: "in_window",
  step: 1,
  due_at: "2026-05-18T16:00:00Z",
  status: "pending",
  reason: "cta_unanswered",
  status_reason: null,
  template: null,
  message_id: null,
  decision_id: null,
  forced: false,
  created_at: "2026-05-18T10:00:00Z",
  updated_at: "2026-05-18T10:00:00Z",
};

const defaults: FollowupSettings = {
  enabled: true,
  in_window: "agent",
  outside_window: [],
  quiet_hours: { start: "21:00", end: "09:00" },
  max_followups: 3,
  stop_on_stages: ["closed_won", "closed_lost"],
};

const me = {
  user: { id: "u1", name: "Sam", email: "sam@acme.test", role: "owner" },
  org: { id: "o", name: "A" },
};

describe("ScheduledFollowup", () => {
  it("shows why and when, and sends it now", async () => {
    let sent = false;
    const { calls } = mockApi({
      "GET /api/v1/conversations/c1/followups": () => ({
        items: [sent ? { ...pending, status: "sent" } : pending],
        next_cursor: null,
      }),
      "POST /api/v1/followups/f1/send-now": () => {
        sent = true;
        return { ...pending, forced: true };
      },
    });
    renderRoutes([{ path: "/", element: <ScheduledFollowup conversationId="c1" /> }], "/");
    expect(await screen.findByText("Agent follow-up #1", { exact: false })).toBeInTheDocument();
    expect(screen.getByText("An offer is waiting for the lead's answer")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Send now" }));
    expect(await screen.findByText("No follow-up scheduled.")).toBeInTheDocument();
    expect(screen.getByTestId("last-followup")).toHaveTextContent("Sent");
    expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/send-now"))).toBe(true);
  });

  it("says when nothing is scheduled", async () => {
    mockApi({
      "GET /api/v1/conversations/c1/followups": () => ({
        items: [{ ...pending, status: "cancelled", status_reason: "lead_replied" }],
        next_cursor: null,
      }),
    });
    renderRoutes([{ path: "/", element: <ScheduledFollowup conversationId="c1" /> }], "/");
    expect(await screen.findByText("No follow-up scheduled.")).toBeInTheDocument();
    expect(screen.getByTestId("last-followup")).toHaveTextContent("Cancelled (Lead replied)");
  });
});

describe("FollowupsPage", () => {
  const routes = [
    { element: <RequireAuth />, children: [{ index: true, element: <FollowupsPage /> }] },
  ];

  it("saves the settings and shows a refused field beside it", async () => {
    const bodies: unknown[] = [];
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/settings/followups": () => defaults,
      "GET /api/v1/templates": () => ({ items: [], next_cursor: null }),
      "PUT /api/v1/settings/followups": async (req) => {
        const body = (await req.json()) as FollowupSettings;
        bodies.push(body);
        if (body.max_followups > 10)
          return reply(422, {
            error: {
              code: "validation_failed",
              message: "some fields are not valid",
              details: { fields: { max_followups: "must be at most 10" } },
            },
          });
        return body;
      },
    });
    renderRoutes(routes, "/");
    const max = await screen.findByLabelText("Follow-ups per silence");
    expect(screen.getByTestId("no-steps")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("switch", { name: "Quiet hours" }));
    await userEvent.clear(max);
    await userEvent.type(max, "12");
    await userEvent.click(screen.getByRole("button", { name: "Save follow-ups" }));
    expect(await screen.findByText("must be at most 10")).toBeInTheDocument();
    await userEvent.clear(max);
    await userEvent.type(max, "2");
    await userEvent.click(screen.getByRole("button", { name: "Save follow-ups" }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toMatchObject({ max_followups: 2, quiet_hours: null });
  });
});
