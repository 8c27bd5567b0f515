import { describe, expect, it, vi } from "vitest";
import { TOKEN_KEY } from "./token";
import { mockApi, reply } from "../test/utils";
import { api, setUnauthorizedHandler, unwrap } from "./client";
import { ApiError } from "./errors";

describe("api client", () => {
  it("clears the token and signals on a 401", async () => {
    window.localStorage.setItem(TOKEN_KEY, "expired");
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    mockApi({
      "GET /api/v1/org": () =>
        reply(401, { error: { code: "unauthorized", message: "Sign in again." } }),
    });
    await expect(unwrap(api.GET("/api/v1/org"))).rejects.toMatchObject({
      status: 401,
      code: "unauthorized",
    });
    expect(window.localStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("treats a 401 from login as a form error, not a lost session", async () => {
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    mockApi({
      "POST /api/v1/auth/login": () =>
        reply(401, { error: { code: "invalid_credentials", message: "Wrong email or password." } }),
    });
    const err = await unwrap(
      api.POST("/api/v1/auth/login", { body: { email: "a@b.c", password: "nope" } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe("Wrong email or password.");
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("maps network failures to an ApiError", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))),
    );
    await expect(unwrap(api.GET("/api/v1/org"))).rejects.toMatchObject({
      status: 0,
      code: "network_error",
    });
  });
});
