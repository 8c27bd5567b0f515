import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes } from "../../test/utils";
import { OrganisationPage } from "./OrganisationPage";
import type { Role } from "../../api/models";

const routes = [
  { element: <RequireAuth />, children: [{ index: true, element: <OrganisationPage /> }] },
];

const org = {
  id: "o1",
  name: "Acme Realty",
  industry: "Real estate",
  website: null,
  timezone: "Asia/Kolkata",
  city: null,
  support_email: null,
  support_phone: null,
  default_country: "IN",
  currency: "INR",
  created_at: "2026-01-01T00:00:00Z",
};

function meAs(role: Role) {
  return { user: { id: "u1", name: "Sam", email: "sam@acme.test", role }, org };
}

describe("OrganisationPage", () => {
  it("is read-only for viewers", async () => {
    mockApi({ "GET /api/v1/auth/me": () => meAs("viewer"), "GET /api/v1/org": () => org });
    renderRoutes(routes, "/");
    expect(await screen.findByLabelText("Organisation name")).toHaveAttribute("readonly");
    expect(screen.getByText(/only owners and admins/i)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save changes" })).not.toBeInTheDocument();
  });

  it("saves with nulls for cleared optional fields", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/org": () => org,
      "PUT /api/v1/org": async (req) => ({ ...org, ...((await req.json()) as object) }),
    });
    renderRoutes(routes, "/");
    const industry = await screen.findByLabelText(/Industry/);
    const user = userEvent.setup();
    await user.clear(industry);
    await user.type(screen.getByLabelText(/City/), "Pune");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findAllByText("Organisation details saved")).not.toHaveLength(0);
    const put = calls.find((c) => c.method === "PUT");
    expect(await put!.json()).toEqual({
      name: "Acme Realty",
      industry: null,
      website: null,
      timezone: "Asia/Kolkata",
      city: "Pune",
      support_email: null,
      support_phone: null,
      default_country: "IN",
      currency: "INR",
    });
  });
});
