import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { LoginPage } from "./LoginPage";

const routes = [
  { path: "/login", element: <LoginPage /> },
  { path: "/", element: <p>Dashboard home</p> },
];

const auth = {
  token: "t",
  user: { id: "u1", name: "Sam", email: "sam@acme.test", role: "owner" },
  org: { id: "o1", name: "Acme Realty" },
  two_factor: { enabled: true, required: false },
};

describe("LoginPage", () => {
  it("asks for the authenticator code when the account has two-factor on", async () => {
    const { calls } = mockApi({
      "POST /api/v1/auth/login": async (req) => {
        const body = (await req.json()) as { code?: string };
        if (!body.code)
          return reply(401, {
            error: { code: "second_factor_required", message: "enter the code" },
          });
        if (body.code !== "654321")
          return reply(401, {
            error: { code: "invalid_second_factor", message: "that code is not valid" },
          });
        return auth;
      },
    });
    renderRoutes(routes, "/login");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "sam@acme.test");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    const code = await screen.findByLabelText("Authentication code");
    expect(screen.getByText(/recovery codes instead/)).toBeInTheDocument();
    await user.type(code, "111111");
    await user.click(screen.getByRole("button", { name: "Verify and log in" }));
    expect(await screen.findByText(/not valid or was already used/)).toBeInTheDocument();

    await user.clear(code);
    await user.type(code, "654321");
    await user.click(screen.getByRole("button", { name: "Verify and log in" }));
    expect(await screen.findByText("Dashboard home")).toBeInTheDocument();
    const last = calls.filter((c) => c.url.endsWith("/api/v1/auth/login")).at(-1)!;
    expect(await last.json()).toEqual({
      email: "sam@acme.test",
      password: "correct horse",
      code: "654321",
    });
  });

  it("keeps a wrong password on the first step", async () => {
    mockApi({
      "POST /api/v1/auth/login": () =>
        reply(401, { error: { code: "invalid_credentials", message: "wrong email or password" } }),
    });
    renderRoutes(routes, "/login");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "sam@acme.test");
    await user.type(screen.getByLabelText("Password"), "nope");
    await user.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("wrong email or password")).toBeInTheDocument();
    expect(screen.queryByLabelText("Authentication code")).not.toBeInTheDocument();
  });
});
