import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { WhatsappStatus } from "../../api/models";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes } from "../../test/utils";
import { WhatsAppPage } from "./WhatsAppPage";

const routes = [
  { element: <RequireAuth />, children: [{ index: true, element: <WhatsAppPage /> }] },
];

const me = {
  user: { id: "u1", name: "Sam", email: "sam@acme.test", role: "owner" },
  org: { id: "o1", name: "Acme" },
};

function status(patch: Partial<WhatsappStatus>): WhatsappStatus {
  return {
    connected: true,
    status: "connected",
    display_phone_number: "+1 555-010-0199",
    phone_number_id: "100000000000001",
    waba_id: "200000000000001",
    quality_rating: "green",
    messaging_limit: "TIER_1K",
    last_webhook_at: null,
    verify_token: "verify-me",
    webhook_url: "https://closer.test/webhooks/whatsapp",
    restrictions: [],
    send_rate_per_second: 80,
    ...patch,
  };
}

describe("WhatsAppPage", () => {
  it("names the status and the quality rating in words", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/settings/whatsapp/status": () => status({}),
    });
    renderRoutes(routes, "/");
    expect(await screen.findByTestId("whatsapp-status")).toHaveTextContent(/^Connected$/);
    expect(screen.getByText("Green", { exact: true })).toBeInTheDocument();
    expect(screen.queryByText("green", { exact: true })).toBeNull();
  });

  it("says when Meta refused the saved token", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/settings/whatsapp/status": () =>
        status({ connected: false, status: "token_invalid", quality_rating: "unknown" }),
    });
    renderRoutes(routes, "/");
    expect(await screen.findByTestId("whatsapp-status")).toHaveTextContent(/^Token invalid$/);
    expect(screen.getByText(/Meta refused the saved access token/)).toBeInTheDocument();
    expect(screen.getByText("Unknown", { exact: true })).toBeInTheDocument();
  });

  it("alerts when Meta restricts the account or the quality drops", async () => {
    const until = new Date(Date.now() + 86_400_000).toISOString();
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/settings/whatsapp/status": () =>
        status({
          quality_rating: "yellow",
          quality_event: "DOWNGRADE",
          account_event: "ACCOUNT_RESTRICTION",
          restrictions: [{ type: "RESTRICTED_BIZ_INITIATED_MESSAGING", until }],
        }),
    });
    renderRoutes(routes, "/");
    expect(await screen.findByText("Meta restricted this account")).toBeInTheDocument();
    expect(screen.getByText(/You can't start conversations with templates/)).toBeInTheDocument();
    expect(screen.getByText("Your number's quality dropped")).toBeInTheDocument();
  });

  it("shows the number's pace and saves a new one, refusing one out of range", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/settings/whatsapp/status": () => status({}),
      "PUT /api/v1/settings/whatsapp/config": () => status({ send_rate_per_second: 200 }),
    });
    renderRoutes(routes, "/");
    const rate = await screen.findByRole("spinbutton", { name: "Messages per second" });
    expect(rate).toHaveValue(80);
    await userEvent.clear(rate);
    await userEvent.type(rate, "5000");
    expect(screen.getByText("A whole number from 1 to 1000.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Save pace" }));
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
    await userEvent.clear(rate);
    await userEvent.type(rate, "200");
    await userEvent.click(screen.getByRole("button", { name: "Save pace" }));
    const put = calls.find((c) => c.method === "PUT");
    expect(await put?.json()).toEqual({ send_rate_per_second: 200 });
    expect(await screen.findByText(/Sending pace set to 200/)).toBeInTheDocument();
  });
});
