import { formatMoney } from "../../lib/format";
import { describe, expect, it } from "vitest";
import type { CustomField } from "./api";
import {
  ariaSort,
  displayValue,
  draftOf,
  nextSort,
  parseMajor,
  parseTags,
  valueOf,
} from "./fields";

const field = (type: CustomField["type"], extra: Partial<CustomField> = {}): CustomField => ({
  id: "f",
  key: "k",
  label: "K",
  type,
  options: [],
  currency: null,
  ...extra,
});

describe("lead fields", () => {
  it("shows and reads amounts in minor units", () => {
    expect(formatMoney(299950)).toBe("2,999.50");
    expect(formatMoney(299950, "INR")).toBe("₹2,999.50");
    expect(formatMoney(1250, "USD")).toBe("$12.50");
    expect(formatMoney(null, "INR")).toBe("—");
    expect(parseMajor("2,999.5")).toBe(299950);
    expect(parseMajor("12")).toBe(1200);
    expect(parseMajor("")).toBeNull();
    expect(parseMajor("12.345")).toBeUndefined();
    expect(parseMajor("lots")).toBeUndefined();
  });

  it("splits tags on commas and semicolons without repeats", () => {
    expect(parseTags(" VIP, hot  lead;vip ,, ")).toEqual(["VIP", "hot lead"]);
  });

  it("cycles a column's sort", () => {
    expect(nextSort("-last_seen_at", "name")).toBe("name");
    expect(nextSort("name", "name")).toBe("-name");
    expect(nextSort("-name", "name")).toBe("name");
    expect(nextSort("name", "score")).toBe("-score");
    expect(ariaSort("-score", "score")).toBe("descending");
    expect(ariaSort("score", "name")).toBe("none");
  });

  it("turns drafts into API values and back", () => {
    expect(valueOf(field("number"), "42")).toBe(42);
    expect(valueOf(field("number"), "forty")).toBe("forty");
    expect(valueOf(field("text"), "  ")).toBeNull();
    expect(valueOf(field("boolean"), true)).toBe(true);
    expect(valueOf(field("multiselect"), [])).toBeNull();
    expect(valueOf(field("currency"), "2999.5")).toBe("2999.5");
    expect(draftOf(field("multiselect"), ["a"])).toEqual(["a"]);
    expect(draftOf(field("number"), 3)).toBe("3");
    expect(draftOf(field("boolean"), null)).toBe(false);
    expect(displayValue(field("currency", { currency: "INR" }), "10.00")).toBe("INR 10.00");
    expect(displayValue(field("boolean"), false)).toBe("No");
    expect(displayValue(field("text"), null)).toBe("—");
  });
});
