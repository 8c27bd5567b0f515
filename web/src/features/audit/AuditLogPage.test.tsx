import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AuditEntry, Role } from "../../api/models";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { RequireAuth } from "../auth";
import { AuditLogPage, detailPairs } from "./AuditLogPage";

const routes = [
  { element: <RequireAuth />, children: [{ index: true, element: <AuditLogPage /> }] },
];

function meAs(role: Role) {
  return {
    user: { id: "u1", name: "Sam", email: "sam@acme.test", role },
    org: { id: "o", name: "A" },
  };
}

function entry(id: string, action: string): AuditEntry {
  return {
    id,
    action,
    target: `user:${id}`,
    details: { role: { from: "agent", to: "admin" } },
    actor: { id: "u1", name: "Sam", email: "sam@acme.test" },
    at: "2026-05-18T10:00:00Z",
  };
}

describe("AuditLogPage", () => {
  it("lists the log a page at a time", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/audit-logs": (req) =>
        new URL(req.url).searchParams.get("cursor") === "p2"
          ? { items: [entry("a2", "invite.create")], next_cursor: null }
          : { items: [entry("a1", "user.update")], next_cursor: "p2" },
    });
    renderRoutes(routes, "/");
    const table = await screen.findByRole("table", { name: "Audit log" });
    expect(within(table).getByText("user.update")).toBeInTheDocument();
    expect(within(table).getByText("agent → admin")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await within(table).findByText("invite.create")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("says so when there is nothing yet, and shows a failure with Retry", async () => {
    let calls = 0;
    mockApi({
      "GET /api/v1/auth/me": () => meAs("admin"),
      "GET /api/v1/audit-logs": () => {
        calls += 1;
        return calls === 1
          ? reply(500, { error: { code: "internal", message: "Database unavailable." } })
          : { items: [], next_cursor: null };
      },
    });
    renderRoutes(routes, "/");
    expect(await screen.findByText("Database unavailable.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByText("No activity yet")).toBeInTheDocument();
  });

  it("is for owners and admins only", async () => {
    const { calls } = mockApi({ "GET /api/v1/auth/me": () => meAs("agent") });
    renderRoutes(routes, "/");
    expect(await screen.findByText("Owners and admins only")).toBeInTheDocument();
    expect(calls.some((c) => c.url.includes("/audit-logs"))).toBe(false);
  });
});

describe("detailPairs", () => {
  it("formats audit details readably", () => {
    expect(detailPairs({ role: { from: "agent", to: "admin" }, email: "a@b.c" })).toEqual([
      ["role", "agent → admin"],
      ["email", "a@b.c"],
    ]);
    expect(detailPairs(null)).toEqual([]);
    expect(detailPairs({})).toEqual([]);
    expect(detailPairs("text")).toEqual([["", "text"]]);
  });
});
