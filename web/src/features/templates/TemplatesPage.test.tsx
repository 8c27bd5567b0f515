import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import type { Preview, Template } from "./api";
import { placeholdersOf, pruned, emptyDraft } from "./draft";
import { TemplatesPage } from "./TemplatesPage";

const routes = [
  { element: <RequireAuth />, children: [{ index: true, element: <TemplatesPage /> }] },
];

const me = {
  user: { id: "u1", name: "Sam", email: "sam@acme.test", role: "owner" },
  org: { id: "o1", name: "Acme" },
};

const template: Template = {
  id: "t1",
  name: "order_confirmation",
  language: "en_US",
  category: "utility",
  parameter_format: "named",
  header: null,
  body: { text: "Thank you, {{first_name}}!", examples: { first_name: "Maria" } },
  footer: null,
  buttons: [],
  variables: {},
  status: "rejected",
  rejected_reason: "INVALID_FORMAT",
  status_detail: "Parameters next to each other.",
  quality: "yellow",
  provider_id: "500",
  paused_until: null,
  placeholders: ["first_name"],
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

const preview: Preview = {
  header: null,
  body: "Thank you, Maria!",
  footer: null,
  buttons: [],
  variables: { first_name: { value: "Maria", source: "contact" } },
  missing: [],
};

describe("placeholders", () => {
  it("finds each name once, in order, and prunes samples of removed ones", () => {
    expect(placeholdersOf("Hi {{ a }}, {{b}} and {{a}}")).toEqual(["a", "b"]);
    const d = emptyDraft();
    d.body = { text: "Hi {{a}}.", examples: { a: "1", gone: "2" } };
    expect(pruned(d).body.examples).toEqual({ a: "1" });
  });
});

describe("TemplatesPage", () => {
  it("lists templates with their review and quality badges", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/templates": () => ({ items: [template], next_cursor: null }),
    });
    renderRoutes(routes, "/");
    const status = await screen.findByTestId("template-status");
    expect(status).toHaveTextContent("Rejected");
    expect(screen.getByText("Quality: Yellow")).toBeInTheDocument();
  });

  it("shows the live preview and Meta's lint beside each field", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => me,
      "GET /api/v1/templates": () => ({ items: [template], next_cursor: null }),
      "GET /api/v1/conversations": () => ({ items: [], next_cursor: null }),
      "POST /api/v1/templates/preview": () => preview,
      "PUT /api/v1/templates/t1": () =>
        reply(422, {
          error: {
            code: "validation_failed",
            message: "some fields are not valid",
            details: { fields: { "body.text": "put words between placeholders" } },
          },
        }),
    });
    renderRoutes(routes, "/");
    fireEvent.click(await screen.findByText("order_confirmation"));
    expect(await screen.findByText(/Meta rejected it: INVALID_FORMAT/)).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId("template-preview-body")).toHaveTextContent("Thank you, Maria!"),
    );
    fireEvent.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("put words between placeholders")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Template" });
    expect(within(form).getByText("Sample for Meta")).toBeInTheDocument();
  });
});
