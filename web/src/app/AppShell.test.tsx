import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../features/auth";
import { mockApi, renderRoutes, reply } from "../test/utils";
import { AppShell } from "./AppShell";

const routes = [
  { path: "/login", element: <p>Login page</p> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppShell />,
        children: [{ index: true, element: <p>Home</p> }],
      },
    ],
  },
];

const me = {
  user: { id: "u1", name: "Priya Raman", email: "priya@acme.test", role: "admin" },
  org: { id: "o1", name: "Acme Realty" },
};

describe("AppShell", () => {
  it("shows the signed-in user's name and role, and every section", async () => {
    const { calls } = mockApi({ "GET /api/v1/auth/me": () => me });
    renderRoutes(routes, "/");

    expect(await screen.findByTestId("current-user-name")).toHaveTextContent("Priya Raman");
    expect(screen.getByTestId("current-user-role")).toHaveTextContent("Admin");
    expect(screen.getByTestId("current-org-name")).toHaveTextContent("Acme Realty");
    const nav = screen.getByRole("navigation", { name: "Main" });
    for (const label of [
      "Dashboard",
      "Inbox",
      "Action center",
      "Calendar",
      "Leads",
      "Pipeline",
      "Templates",
      "Broadcasts",
      "Automations",
      "Analytics",
      "Playground",
      "Settings",
    ]) {
      expect(nav).toContainElement(screen.getByRole("link", { name: label }));
    }
    // The session cookie goes by itself; every call carries the CSRF header.
    expect(calls[0]!.headers.get("Authorization")).toBeNull();
    expect(calls[0]!.headers.get("X-Closer-CSRF")).toBe("1");
  });

  it("logs out: calls the API and goes to /login", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "POST /api/v1/auth/logout": () => reply(204),
    });
    renderRoutes(routes, "/");
    await userEvent.click(await screen.findByRole("button", { name: "Log out" }));

    expect(await screen.findByText("Login page")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/api/v1/auth/logout"))).toBe(
      true,
    );
  });

  it("sends visitors without a session to /login", async () => {
    mockApi({
      "GET /api/v1/auth/me": () =>
        reply(401, { error: { code: "unauthorized", message: "Sign in to continue." } }),
    });
    renderRoutes(routes, "/");
    expect(await screen.findByText("Login page")).toBeInTheDocument();
  });

  it("shows an error with Retry when the account cannot load", async () => {
    let attempts = 0;
    mockApi({
      "GET /api/v1/auth/me": () => {
        attempts += 1;
        return attempts === 1
          ? reply(500, { error: { code: "internal", message: "Database unavailable." } })
          : me;
      },
    });
    renderRoutes(routes, "/");
    expect(await screen.findByText("Database unavailable.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() =>
      expect(screen.getByTestId("current-user-name")).toHaveTextContent("Priya Raman"),
    );
  });
});
