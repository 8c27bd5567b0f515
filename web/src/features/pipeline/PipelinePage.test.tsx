import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Role } from "../../api/models";
import { mockApi, renderRoutes } from "../../test/utils";
import { RequireAuth } from "../auth";
import { PipelinePage } from "./PipelinePage";
import { StagesPage } from "./StagesPage";

const org = {
  id: "o1",
  name: "Acme",
  industry: null,
  website: null,
  timezone: "Asia/Kolkata",
  city: null,
  support_email: null,
  support_phone: null,
  default_country: "IN",
  currency: "INR",
  created_at: "2026-01-01T00:00:00Z",
};
const me = (role: Role) => ({ user: { id: "u1", name: "Sam", email: "s@a.test", role }, org });

const stage = (id: string, name: string, position: number, lead_count = 0, kind = "open") => ({
  id,
  name,
  position,
  kind,
  color: "#2563eb",
  conversation_stages: [],
  lead_count,
});

const lead = (id: string, name: string, value: number | null) => ({
  id,
  name,
  phone: "+919800000001",
  value_minor: value,
  tags: ["VIP"],
  stage: { id: "s1", name: "New", kind: "open" },
  position: 0,
  stage_entered_at: "2026-01-01T00:00:00Z",
  conversation_id: null,
  lead_status: "new",
  score: 0,
  custom_fields: {},
  lead_source: "manual",
  opted_out: false,
  first_seen_at: "2026-01-01T00:00:00Z",
  last_seen_at: "2026-01-01T00:00:00Z",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
});

const board = {
  columns: [
    {
      stage: stage("s1", "New", 0, 2),
      count: 2,
      value_sum_minor: 350000,
      cards: [lead("l1", "Meera Iyer", 250000)],
      next_cursor: "c1",
    },
    {
      stage: stage("s2", "Paid", 1, 0, "won"),
      count: 0,
      value_sum_minor: 0,
      cards: [],
      next_cursor: null,
    },
  ],
};

const route = (element: React.ReactNode) => [
  { element: <RequireAuth />, children: [{ index: true, element }] },
];

describe("PipelinePage", () => {
  it("shows columns with counts and sums, loads more, and opens a card beside the board", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me("agent"),
      "GET /api/v1/pipeline": (req) =>
        new URL(req.url).searchParams.get("cursor") === "c1"
          ? {
              columns: [
                {
                  ...board.columns[0],
                  cards: [lead("l2", "Arjun Rao", 100000)],
                  next_cursor: null,
                },
              ],
            }
          : board,
    });
    renderRoutes(route(<PipelinePage />), "/");
    const newCol = await screen.findByRole("region", { name: "New" });
    expect(within(newCol).getByLabelText("2 leads")).toBeInTheDocument();
    expect(within(newCol).getByText("3,500.00")).toBeInTheDocument();
    expect(
      within(newCol).getByRole("button", { name: /Meera Iyer, press space to move/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Paid" })).toHaveTextContent("No leads");

    const user = userEvent.setup();
    await user.click(within(newCol).getByRole("button", { name: "Load more" }));
    expect(await within(newCol).findByText("Arjun Rao")).toBeInTheDocument();
    const more = calls.find((c) => new URL(c.url).searchParams.get("cursor") === "c1");
    expect(new URL(more!.url).searchParams.get("stage_id")).toBe("s1");

    await user.click(within(newCol).getByText("Meera Iyer"));
    const panel = await screen.findByRole("dialog", { name: "Meera Iyer" });
    expect(within(panel).getByRole("link", { name: /Lead page/ })).toHaveAttribute(
      "href",
      "/leads/l1",
    );
  });

  it("lets a viewer look but not drag", async () => {
    mockApi({ "GET /api/v1/auth/me": () => me("viewer"), "GET /api/v1/pipeline": () => board });
    renderRoutes(route(<PipelinePage />), "/");
    const newCol = await screen.findByRole("region", { name: "New" });
    expect(within(newCol).getByRole("button", { name: "Meera Iyer" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /Stages/ })).not.toBeInTheDocument();
  });
});

describe("StagesPage", () => {
  it("deletes a stage holding leads by moving them", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me("owner"),
      "GET /api/v1/pipeline/stages": () => ({
        items: [stage("s1", "New", 0, 3), stage("s2", "Engaged", 1)],
      }),
      "DELETE /api/v1/pipeline/stages/s1": () => new Response(null, { status: 204 }),
    });
    renderRoutes(route(<StagesPage />), "/");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete New" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete New?" });
    expect(dialog).toHaveTextContent("Its 3 leads move");
    await user.click(within(dialog).getByRole("button", { name: "Delete stage" }));
    const del = calls.find((c) => c.method === "DELETE");
    expect(new URL(del!.url).searchParams.get("move_to")).toBe("s2");
  });

  it("is read-only for agents", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me("agent"),
      "GET /api/v1/pipeline/stages": () => ({ items: [stage("s1", "New", 0)] }),
    });
    renderRoutes(route(<StagesPage />), "/");
    expect(await screen.findByText("New")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add stage" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete New" })).not.toBeInTheDocument();
  });
});
