import { describe, expect, it } from "vitest";
import { splitWait, textOf, valueOf } from "./form";

describe("sequence editor conversions", () => {
  it("shows a wait in the largest whole unit", () => {
    expect(splitWait(0)).toEqual({ amount: 0, unit: "1" });
    expect(splitWait(90)).toEqual({ amount: 90, unit: "1" });
    expect(splitWait(120)).toEqual({ amount: 2, unit: "60" });
    expect(splitWait(7200)).toEqual({ amount: 2, unit: "3600" });
    expect(splitWait(3 * 86400)).toEqual({ amount: 3, unit: "86400" });
  });

  it("types a condition's value the way the filter reads it", () => {
    expect(valueOf("in", "vip, hot ,")).toEqual(["vip", "hot"]);
    expect(valueOf("equal_to", "won")).toBe("won");
    expect(valueOf("greater_than", "40")).toBe(40);
    expect(valueOf("contains", "42")).toBe("42");
    expect(valueOf("is_present", "x")).toBeNull();
    expect(textOf(["a", "b"])).toBe("a, b");
    expect(textOf(null)).toBe("");
  });
});
