import { describe, expect, it } from "vitest";
import { ApiError, errorMessage, fieldErrors, formMessage, toApiError } from "./errors";

describe("toApiError", () => {
  it("reads the error envelope", () => {
    const err = toApiError(401, {
      error: { code: "invalid_credentials", message: "Email or password is wrong." },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.code).toBe("invalid_credentials");
    expect(err.message).toBe("Email or password is wrong.");
    expect(err.fields).toEqual({});
  });

  it("extracts 422 field messages", () => {
    const err = toApiError(422, {
      error: {
        code: "validation_failed",
        message: "Some fields are invalid.",
        details: { fields: { email: "is not an email", password: ["is too short"], n: 3 } },
      },
    });
    expect(err.fields).toEqual({ email: "is not an email", password: "is too short" });
    expect(fieldErrors(err)).toEqual(err.fields);
  });

  it("falls back to a sentence for bodies that are not the envelope", () => {
    expect(toApiError(502, "Bad Gateway").message).toMatch(/server/i);
    expect(toApiError(429, null).message).toMatch(/too many/i);
    expect(toApiError(0, null).code).toBe("network_error");
    expect(toApiError(403, { error: { code: "forbidden" } }).message).toMatch(/permission/i);
  });
});

describe("formMessage", () => {
  const fields = ["email", "password"];

  it("is silent when every problem is shown next to an input", () => {
    const err = toApiError(422, {
      error: {
        code: "validation_failed",
        message: "Invalid",
        details: { fields: { email: "bad" } },
      },
    });
    expect(formMessage(err, fields)).toBeNull();
  });

  it("shows the message when a field has no input", () => {
    const err = toApiError(422, {
      error: {
        code: "validation_failed",
        message: "Invalid",
        details: { fields: { other: "bad" } },
      },
    });
    expect(formMessage(err, fields)).toBe("Invalid");
  });

  it("shows the message of other errors", () => {
    const err = toApiError(409, { error: { code: "email_taken", message: "Email is taken." } });
    expect(formMessage(err, fields)).toBe("Email is taken.");
    expect(formMessage(null, fields)).toBeNull();
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage(42)).toBe("Something went wrong.");
  });
});
