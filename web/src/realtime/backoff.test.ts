import { describe, expect, it } from "vitest";
import { BACKOFF_MAX_MS, reconnectDelay } from "./backoff";

describe("reconnectDelay", () => {
  it("doubles from 1 s and stops at 15 s", () => {
    const schedule = Array.from({ length: 8 }, (_, attempt) => reconnectDelay(attempt));
    expect(schedule).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000]);
  });

  it("never exceeds the cap, however many attempts", () => {
    expect(reconnectDelay(1_000)).toBe(BACKOFF_MAX_MS);
    expect(reconnectDelay(Number.MAX_SAFE_INTEGER)).toBe(BACKOFF_MAX_MS);
  });

  it("treats nonsense as the first attempt", () => {
    expect(reconnectDelay(-3)).toBe(1_000);
    expect(reconnectDelay(Number.NaN)).toBe(1_000);
  });
});
