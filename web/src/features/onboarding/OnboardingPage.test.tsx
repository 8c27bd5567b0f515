import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { OnboardingPage } from "./OnboardingPage";
import type { Role } from "../../api/models";

const routes = [
  {
    element: <RequireAuth />,
    children: [{ path: "/onboarding", element: <OnboardingPage /> }],
  },
];

const org = {
  id: "o1",
  name: "Acme Realty",
  industry: "Real estate",
  website: "https://acme.example",
  timezone: "Asia/Kolkata",
  city: null,
  support_email: null,
  support_phone: null,
  created_at: "2026-01-01T00:00:00Z",
};

function meAs(role: Role) {
  return { user: { id: "u1", name: "Sam", email: "sam@acme.test", role }, org };
}

const empty = { answers: {}, updated_at: null, updated_by: null, generated_at: null };

describe("OnboardingPage", () => {
  it("starts from the organisation's details and saves the step when continuing", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/org": () => org,
      "GET /api/v1/onboarding": () => empty,
      "PUT /api/v1/onboarding": async (req) => ({
        ...empty,
        answers: (await req.json()) as object,
        updated_at: "2026-01-02T00:00:00Z",
      }),
    });
    const { router } = renderRoutes(routes, "/onboarding");
    const name = await screen.findByLabelText("Business name");
    expect(name).toHaveValue("Acme Realty");
    expect(screen.getByLabelText("Website")).toHaveValue("https://acme.example");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Working hours/), "9 to 6");
    await user.click(screen.getByRole("button", { name: /^Continue/ }));
    expect(await screen.findByLabelText("Products and services")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?step=offer");
    const put = calls.find((c) => c.method === "PUT");
    expect(await put!.json()).toMatchObject({
      business: { name: "Acme Realty", working_hours: "9 to 6", city: null },
    });
  });

  it("shows the server's field errors at the field and stays on the step", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/org": () => org,
      "GET /api/v1/onboarding": () => empty,
      "PUT /api/v1/onboarding": () =>
        reply(422, {
          error: {
            code: "validation_failed",
            message: "some fields are not valid",
            details: { fields: { "business.timezone": "must be an IANA time zone" } },
          },
        }),
    });
    renderRoutes(routes, "/onboarding?step=business");
    const tz = await screen.findByLabelText("Timezone");
    const user = userEvent.setup();
    await user.clear(tz);
    await user.type(tz, "Mars/Olympus");
    await user.click(screen.getByRole("button", { name: /^Continue/ }));
    expect(await screen.findByText("must be an IANA time zone")).toBeInTheDocument();
    expect(screen.getByLabelText("Timezone")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(/need a fix/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Business basics" })).toBeInTheDocument();
  });

  it("resumes at the first step that still needs answers", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/org": () => org,
      "GET /api/v1/onboarding": () => ({
        ...empty,
        answers: {
          business: { name: "Acme", website_url: "https://acme.example", timezone: "UTC" },
        },
      }),
    });
    renderRoutes(routes, "/onboarding");
    expect(await screen.findByRole("heading", { name: "Offer" })).toBeInTheDocument();
    const steps = screen.getByRole("navigation", { name: "Setup steps" });
    expect(within(steps).getByRole("button", { current: "step" })).toHaveTextContent("Offer");
  });

  it("is read-only for agents", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("agent"),
      "GET /api/v1/org": () => org,
      "GET /api/v1/onboarding": () => empty,
    });
    renderRoutes(routes, "/onboarding");
    expect(await screen.findByLabelText("Business name")).toBeDisabled();
    expect(screen.getByText(/only owners and admins/i)).toBeInTheDocument();
  });

  it("says so when the answers cannot be loaded", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/org": () => org,
      "GET /api/v1/onboarding": () =>
        reply(500, { error: { code: "internal_error", message: "internal error" } }),
    });
    renderRoutes(routes, "/onboarding");
    expect(await screen.findByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
