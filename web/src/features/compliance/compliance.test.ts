import { describe, expect, it } from "vitest";
import type { components } from "../../api/types";
import { eraseConfirmed, erasedItems, SOURCE_LABELS, SOURCES } from "./compliance";

type LeadDetail = components["schemas"]["LeadDetail"];

function lead(patch: Partial<LeadDetail>): LeadDetail {
  return {
    id: "l1",
    name: null,
    phone: null,
    email: null,
    bsuid: null,
    business: null,
    website: null,
    city: null,
    custom_fields: {},
    notes: [],
    slots: {},
    ...patch,
  } as unknown as LeadDetail;
}

describe("eraseConfirmed", () => {
  it("takes the lead's name in any case, or ERASE", () => {
    expect(eraseConfirmed("priya shah ", "Priya Shah")).toBe(true);
    expect(eraseConfirmed("Priya  Shah", "Priya Shah.")).toBe(true);
    expect(eraseConfirmed(".", ".")).toBe(false);
    expect(eraseConfirmed("ERASE", "Priya Shah")).toBe(true);
    expect(eraseConfirmed("ERASE", null)).toBe(true);
    expect(eraseConfirmed("erase", null)).toBe(false);
    expect(eraseConfirmed("Priya", "Priya Shah")).toBe(false);
    expect(eraseConfirmed("", "")).toBe(false);
    expect(eraseConfirmed("  ", null)).toBe(false);
  });
});

describe("erasedItems", () => {
  it("lists only what the lead has", () => {
    const items = erasedItems(
      lead({
        name: "Priya",
        phone: "+919876543210",
        email: "p@example.com",
        city: "Pune",
        custom_fields: { budget: 1 },
        notes: [{ id: "n", body: "x", created_at: "", updated_at: "" }],
        slots: { name: {}, city: {} },
      }),
    );
    expect(items[0]).toBe("Their name, phone number and email");
    expect(items[1]).toBe("Their city");
    expect(items).toContain("1 custom field value");
    expect(items).toContain("1 note");
    expect(items).toContain("2 things the agent learned");
    expect(items[items.length - 1]).toMatch(/\[redacted\]/);
    expect(erasedItems(lead({}))).toHaveLength(1);
  });
});

describe("sources", () => {
  it("has a label for every source", () => {
    expect(SOURCES).toEqual(["keyword", "button", "manual", "bulk", "import", "erasure"]);
    for (const s of SOURCES) expect(SOURCE_LABELS[s].length).toBeGreaterThan(3);
  });
});
