import { describe, expect, it } from "vitest";
import {
  clockIn,
  dayKeyIn,
  fromLocalInput,
  localInputValue,
  startOfDay,
  startOfWeek,
} from "./zoned";

describe("times in the organisation's timezone", () => {
  it("starts a day at the organisation's midnight", () => {
    const at = new Date("2026-12-08T20:00:00Z"); // 01:30 on the 9th in Kolkata
    expect(startOfDay(at, "Asia/Kolkata").toISOString()).toBe("2026-12-08T18:30:00.000Z");
    expect(startOfDay(at, "UTC", 1).toISOString()).toBe("2026-12-09T00:00:00.000Z");
    expect(dayKeyIn(at, "Asia/Kolkata")).toBe("2026-12-09");
    expect(clockIn(at, "Asia/Kolkata")).toBe("01:30");
  });

  it("starts a week on Monday, across a DST change", () => {
    // Sunday 29 March 2026: Berlin moves to summer time.
    const sunday = new Date("2026-03-29T12:00:00Z");
    expect(startOfWeek(sunday, "Europe/Berlin").toISOString()).toBe("2026-03-22T23:00:00.000Z");
    expect(startOfWeek(sunday, "Europe/Berlin", 1).toISOString()).toBe("2026-03-29T22:00:00.000Z");
  });

  it("reads a typed time in the organisation's zone and back", () => {
    const at = fromLocalInput("2026-12-09T10:00", "Asia/Kolkata");
    expect(at?.toISOString()).toBe("2026-12-09T04:30:00.000Z");
    expect(localInputValue(at!, "Asia/Kolkata")).toBe("2026-12-09T10:00");
    expect(fromLocalInput("tomorrow", "UTC")).toBeNull();
  });
});
