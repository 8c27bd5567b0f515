import { describe, expect, it } from "vitest";
import { timelineEntry } from "./timeline";

describe("timelineEntry", () => {
  it("names a booking, a move and a cancellation", () => {
    const booked = timelineEntry("calendar", {
      event: "calendar_booked",
      payload: { title: "Call: Asha", starts_at: null },
    });
    expect(booked).toEqual({ label: "Booked", text: "Call: Asha, time to be agreed" });
    const moved = timelineEntry("calendar", {
      event: "calendar_rescheduled",
      payload: { title: "Call", from: "2026-12-07T05:30:00Z", to: "2026-12-08T05:30:00Z" },
    });
    expect(moved.label).toBe("Rescheduled");
    expect(moved.text).toContain("→");
    expect(timelineEntry("calendar", { event: "calendar_cancelled", payload: {} }).label).toBe(
      "Booking cancelled",
    );
  });

  it("says from which mode to which", () => {
    expect(
      timelineEntry("mode_change", {
        event: "mode_changed",
        payload: { from: "bot", to: "paused" },
      }),
    ).toEqual({ label: "Mode changed", text: "Bot → Paused" });
  });

  it("names whom a conversation was given to, and how", () => {
    const names = (id: string) => (id === "u1" ? "Asha" : undefined);
    expect(
      timelineEntry("assignment", { payload: { to: "u1", round_robin: true } }, names),
    ).toEqual({ label: "Assigned", text: "To Asha (round-robin)" });
    expect(timelineEntry("assignment", { payload: { to: null } }, names)).toEqual({
      label: "Unassigned",
      text: "To nobody",
    });
  });

  it("keeps the older entries as they were", () => {
    expect(timelineEntry("message", { payload: { text: "Hi" } })).toEqual({
      label: "Message",
      text: "Hi",
    });
    expect(timelineEntry("opt_out", { payload: { source: "keyword" } }).text).toBe("Keyword");
  });
});
