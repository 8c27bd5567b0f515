import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { SignupPage } from "./SignupPage";

const routes = [
  { path: "/signup", element: <SignupPage /> },
  { path: "/", element: <p>Dashboard home</p> },
];

describe("invite signup", () => {
  it("pre-fills the organisation read-only and signs up with the invite token", async () => {
    const { calls } = mockApi({
      "GET /api/v1/invites/tok123": () => ({
        org: { name: "Acme Realty" },
        role: "admin",
        email: "new@acme.test",
        expires_at: "2030-01-01T00:00:00Z",
      }),
      "POST /api/v1/auth/signup": () =>
        reply(201, {
          token: "session-token",
          user: { id: "u1", name: "Nia", email: "new@acme.test", role: "admin" },
          org: { id: "o1", name: "Acme Realty" },
        }),
    });
    renderRoutes(routes, "/signup?invite=tok123");

    expect(
      await screen.findByRole("heading", { name: "Join Acme Realty as Admin" }),
    ).toBeInTheDocument();
    const org = screen.getByLabelText("Organisation name");
    expect(org).toHaveValue("Acme Realty");
    expect(org).toHaveAttribute("readonly");
    expect(screen.getByLabelText("Email")).toHaveValue("new@acme.test");

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Your name"), "Nia");
    await user.type(screen.getByLabelText("Password"), "long enough");
    await user.click(screen.getByRole("button", { name: "Join organisation" }));

    expect(await screen.findByText("Dashboard home")).toBeInTheDocument();
    // The session is the server's HttpOnly cookie: nothing is kept in browser storage.
    expect(Object.keys(window.localStorage)).toEqual([]);
    const signup = calls.find((c) => c.url.endsWith("/api/v1/auth/signup"));
    expect(await signup!.json()).toEqual({
      invite_token: "tok123",
      name: "Nia",
      email: "new@acme.test",
      password: "long enough",
    });
  });

  it("explains an unknown or expired invite and links to normal signup", async () => {
    mockApi({
      "GET /api/v1/invites/expired": () =>
        reply(404, { error: { code: "not_found", message: "Invite not found." } }),
    });
    renderRoutes(routes, "/signup?invite=expired");
    expect(await screen.findByText("Invite not found or expired")).toBeInTheDocument();
    const link = screen.getByRole("link", { name: "Create a new organisation" });
    expect(link).toHaveAttribute("href", "/signup");
  });
});

describe("organisation signup", () => {
  it("shows 422 field errors under the matching inputs", async () => {
    mockApi({
      "POST /api/v1/auth/signup": () =>
        reply(422, {
          error: {
            code: "validation_failed",
            message: "Some fields are invalid.",
            details: { fields: { email: "is already in an odd format" } },
          },
        }),
    });
    renderRoutes(routes, "/signup");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Organisation name"), "Acme");
    await user.type(screen.getByLabelText("Your name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@acme.test");
    await user.type(screen.getByLabelText("Password"), "password123");
    await user.click(screen.getByRole("button", { name: "Create organisation" }));

    expect(await screen.findByText("is already in an odd format")).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    // Every problem has an input, so no banner repeats it.
    expect(screen.queryByText("Some fields are invalid.")).not.toBeInTheDocument();
  });

  it("shows a taken email as a message", async () => {
    mockApi({
      "POST /api/v1/auth/signup": () =>
        reply(409, {
          error: { code: "email_taken", message: "That email is already registered." },
        }),
    });
    renderRoutes(routes, "/signup");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Organisation name"), "Acme");
    await user.type(screen.getByLabelText("Your name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@acme.test");
    await user.type(screen.getByLabelText("Password"), "password123");
    await user.click(screen.getByRole("button", { name: "Create organisation" }));
    await waitFor(() =>
      expect(screen.getByRole("alert")).toHaveTextContent("That email is already registered."),
    );
  });
});
