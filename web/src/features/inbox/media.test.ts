import { describe, expect, it } from "vitest";
import { attachLimit } from "./media";

describe("attachLimit", () => {
  it("holds an image to WhatsApp's 5 MB", () => {
    expect(attachLimit({ type: "image/jpeg" })).toEqual({ bytes: 5 * 1024 * 1024, label: "5 MB" });
    expect(attachLimit({ type: "image/png" }).bytes).toBe(5 * 1024 * 1024);
  });

  it("lets a document reach 16 MB", () => {
    expect(attachLimit({ type: "application/pdf" })).toEqual({
      bytes: 16 * 1024 * 1024,
      label: "16 MB",
    });
    expect(attachLimit({ type: "" }).bytes).toBe(16 * 1024 * 1024);
  });
});
