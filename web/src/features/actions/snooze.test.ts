import { describe, expect, it } from "vitest";
import { snoozeChoices } from "./snooze";

describe("snoozeChoices", () => {
  it("all end in the future, in order", () => {
    const now = new Date(2026, 0, 5, 22, 30);
    const choices = snoozeChoices(now);
    expect(choices.map((c) => c.label)).toEqual([
      "1 hour",
      "3 hours",
      "Tomorrow 9:00",
      "Next week",
    ]);
    for (const c of choices) expect(c.until.getTime()).toBeGreaterThan(now.getTime());
    expect(choices[2]?.until).toEqual(new Date(2026, 0, 6, 9, 0));
    expect(choices[3]?.until).toEqual(new Date(2026, 0, 12, 9, 0));
  });
});
