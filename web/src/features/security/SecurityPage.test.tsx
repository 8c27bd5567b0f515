import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Role } from "../../api/models";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { RequireAuth } from "../auth";
import { SecurityPage } from "./SecurityPage";

const routes = [
  {
    element: <RequireAuth />,
    children: [
      { path: "/settings/security", element: <SecurityPage /> },
      { path: "/inbox", element: <p>Inbox</p> },
    ],
  },
];

function me(role: Role, two_factor = { enabled: false, required: false }) {
  return {
    user: { id: "u1", name: "Sam", email: "sam@acme.test", role },
    org: { id: "o1", name: "Acme Realty" },
    two_factor,
  };
}

const sessions = {
  items: [
    {
      id: "s1",
      device: "Chrome on Linux",
      ip: "10.0.0.1",
      created_at: "2026-05-01T09:00:00Z",
      last_seen_at: new Date().toISOString(),
      current: true,
    },
    {
      id: "s2",
      device: "Safari on iOS",
      ip: "10.0.0.2",
      created_at: "2026-04-01T09:00:00Z",
      last_seen_at: "2026-04-02T09:00:00Z",
      current: false,
    },
  ],
  next_cursor: null,
};

describe("SecurityPage", () => {
  it("lists sessions, marks this device and signs another one out", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me("agent"),
      "GET /api/v1/auth/sessions": () => sessions,
      "DELETE /api/v1/auth/sessions/s2": () => reply(204),
    });
    renderRoutes(routes, "/settings/security");
    const list = await screen.findByRole("list", { name: "Sessions" });
    const rows = within(list).getAllByRole("listitem");
    expect(rows[0]).toHaveTextContent("Chrome on Linux");
    expect(rows[0]).toHaveTextContent("This device");
    expect(rows[0]).toHaveTextContent("Active now");
    expect(within(rows[0]!).queryByRole("button")).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent("10.0.0.2");
    await userEvent.click(within(rows[1]!).getByRole("button", { name: /Sign out Safari/ }));
    await waitFor(() =>
      expect(calls.some((c) => c.method === "DELETE" && c.url.endsWith("/sessions/s2"))).toBe(true),
    );
    // Members see no organisation switch.
    expect(screen.queryByRole("switch")).not.toBeInTheDocument();
  });

  it("signs out all other sessions after confirming", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me("agent"),
      "GET /api/v1/auth/sessions": () => sessions,
      "POST /api/v1/auth/sessions/revoke-others": () => reply(204),
    });
    renderRoutes(routes, "/settings/security");
    await userEvent.click(
      await screen.findByRole("button", { name: "Sign out all other sessions" }),
    );
    await userEvent.click(await screen.findByRole("button", { name: "Sign out others" }));
    await waitFor(() =>
      expect(calls.some((c) => c.url.endsWith("/api/v1/auth/sessions/revoke-others"))).toBe(true),
    );
  });

  it("sets up two-factor: QR code and key, a wrong code, then the recovery codes once", async () => {
    let enabled = false;
    const codes = Array.from({ length: 10 }, (_, i) => `abcde-fgh${i}k`);
    mockApi({
      "GET /api/v1/auth/me": () => me("agent", { enabled, required: false }),
      "GET /api/v1/auth/sessions": () => sessions,
      "POST /api/v1/auth/2fa/setup": () => ({
        secret: "JBSWY3DPEHPK3PXP",
        otpauth_url: "otpauth://totp/Closer:sam%40acme.test?secret=JBSWY3DPEHPK3PXP",
        qr_svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
      }),
      "POST /api/v1/auth/2fa/enable": async (req) => {
        const { code } = (await req.json()) as { code: string };
        if (code !== "123456")
          return reply(422, {
            error: {
              code: "invalid_second_factor",
              message: "that code is not valid (or was already used)",
              details: { fields: { code: "that code is not valid (or was already used)" } },
            },
          });
        enabled = true;
        return { recovery_codes: codes };
      },
    });
    renderRoutes(routes, "/settings/security");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set up two-factor sign-in" }));
    const qr = await screen.findByRole("img", { name: /QR code/ });
    expect(qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(screen.getByLabelText("Setup key")).toHaveValue("JBSWY3DPEHPK3PXP");

    await user.type(screen.getByLabelText("6-digit code"), "000000");
    await user.click(screen.getByRole("button", { name: "Turn on" }));
    expect(await screen.findByText(/not valid/)).toBeInTheDocument();

    await user.clear(screen.getByLabelText("6-digit code"));
    await user.type(screen.getByLabelText("6-digit code"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn on" }));
    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(10);
    expect(screen.getByText("On")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Download" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "I've saved them" }));
    expect(await screen.findByRole("button", { name: "Turn off" })).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Recovery codes" })).not.toBeInTheDocument();
  });

  it("turns two-factor off with the password, showing a wrong one on the field", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me("agent", { enabled: true, required: false }),
      "GET /api/v1/auth/sessions": () => sessions,
      "POST /api/v1/auth/2fa/disable": async (req) => {
        const { password } = (await req.json()) as { password: string };
        return password === "right one"
          ? reply(204)
          : reply(422, {
              error: {
                code: "validation_failed",
                message: "some fields are not valid",
                details: { fields: { password: "is not your password" } },
              },
            });
      },
    });
    renderRoutes(routes, "/settings/security");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Turn off" }));
    await user.type(screen.getByLabelText("Your password"), "wrong");
    await user.click(screen.getByRole("button", { name: "Turn off two-factor" }));
    expect(await screen.findByText("is not your password")).toBeInTheDocument();
    await user.clear(screen.getByLabelText("Your password"));
    await user.type(screen.getByLabelText("Your password"), "right one");
    await user.click(screen.getByRole("button", { name: "Turn off two-factor" }));
    await waitFor(() =>
      expect(calls.filter((c) => c.url.endsWith("/api/v1/auth/2fa/disable"))).toHaveLength(2),
    );
  });

  it("lets an owner require two-factor and shows why it was refused", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me("owner", { enabled: false, required: false }),
      "GET /api/v1/auth/sessions": () => sessions,
      "GET /api/v1/settings/security": () => ({ require_two_factor: false }),
      "PUT /api/v1/settings/security": () =>
        reply(409, {
          error: {
            code: "conflict",
            message: "turn on two-factor sign-in for yourself before requiring it of everyone",
          },
        }),
    });
    renderRoutes(routes, "/settings/security");
    const toggle = await screen.findByRole("switch", {
      name: "Require two-factor sign-in for everyone",
    });
    expect(toggle).toHaveAttribute("aria-checked", "false");
    await userEvent.click(toggle);
    expect(await screen.findByText(/for yourself before requiring it/)).toBeInTheDocument();
  });

  it("sends a member who must enrol to this page, with the reason", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me("agent", { enabled: false, required: true }),
      "GET /api/v1/auth/sessions": () => sessions,
    });
    renderRoutes(routes, "/inbox");
    expect(await screen.findByText("Set up two-factor sign-in to continue")).toBeInTheDocument();
    expect(screen.getByText(/Acme Realty requires every member/)).toBeInTheDocument();
    expect(screen.queryByText("Inbox")).not.toBeInTheDocument();
  });
});
