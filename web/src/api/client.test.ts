import { describe, expect, it, vi } from "vitest";
import { mockApi, reply } from "../test/utils";
import { api, setEnrollmentRequiredHandler, setUnauthorizedHandler, unwrap } from "./client";
import { ApiError } from "./errors";

describe("api client", () => {
  it("clears the token and signals on a 401", async () => {
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

  it("sends the CSRF header, and signals a member who must set up two-factor", async () => {
    const onEnrol = vi.fn();
    setEnrollmentRequiredHandler(onEnrol);
    const { calls } = mockApi({
      "GET /api/v1/org": () =>
        reply(403, {
          error: { code: "two_factor_enrollment_required", message: "Set up two-factor." },
        }),
      "GET /api/v1/users": () =>
        reply(403, { error: { code: "forbidden", message: "Your role does not allow this." } }),
    });
    await expect(unwrap(api.GET("/api/v1/org"))).rejects.toMatchObject({ status: 403 });
    expect(calls[0]!.headers.get("X-Closer-CSRF")).toBe("1");
    expect(onEnrol).toHaveBeenCalledOnce();
    await expect(unwrap(api.GET("/api/v1/users"))).rejects.toMatchObject({ code: "forbidden" });
    expect(onEnrol).toHaveBeenCalledOnce();
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
