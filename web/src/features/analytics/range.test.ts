import { describe, expect, it } from "vitest";
import { change, defaultInterval, formatSeconds, lastDays } from "./range";

describe("analytics ranges", () => {
  it("covers whole local days ending tomorrow", () => {
    const now = new Date(2026, 2, 10, 15, 30);
    const r = lastDays(7, now);
    expect(new Date(r.to)).toEqual(new Date(2026, 2, 11));
    expect(new Date(r.from)).toEqual(new Date(2026, 2, 4));
  });

  it("picks a readable interval", () => {
    expect(defaultInterval(7)).toBe("day");
    expect(defaultInterval(90)).toBe("week");
    expect(defaultInterval(365)).toBe("month");
  });

  it("compares with the previous period", () => {
    expect(change(15, 10)).toBe(50);
    expect(change(5, 10)).toBe(-50);
    expect(change(3, 0)).toBeNull();
  });

  it("says durations for people", () => {
    expect(formatSeconds(null)).toBe("—");
    expect(formatSeconds(45)).toBe("45s");
    expect(formatSeconds(200)).toBe("3m 20s");
    expect(formatSeconds(7500)).toBe("2h 5m");
  });
});
