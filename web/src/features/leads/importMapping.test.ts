import { describe, expect, it } from "vitest";
import {
  SKIP,
  duplicateTargets,
  exportFileName,
  exportQuery,
  filterFromQuery,
  hasIdentity,
  importFinished,
  importPercent,
  initialMapping,
  mappingProblem,
  targetLabel,
  targetOptions,
} from "./importMapping";

const TARGETS = ["phone", "email", "name", "tags", "note", "custom_fields.budget"];

describe("initialMapping", () => {
  const columns = [
    { header: "Mobile", target: "phone" },
    { header: "Full Name", target: "name" },
    { header: "Whatever", target: null },
    { header: "Old", target: "retired_field" },
  ];

  it("takes the server's mapping first", () => {
    expect(
      initialMapping(columns, { Mobile: "phone", "Full Name": null, Whatever: "email" }, TARGETS),
    ).toEqual({ Mobile: "phone", "Full Name": null, Whatever: "email", Old: null });
  });

  it("falls back to each column's detected target, dropping targets not offered", () => {
    expect(initialMapping(columns, undefined, TARGETS)).toEqual({
      Mobile: "phone",
      "Full Name": "name",
      Whatever: null,
      Old: null,
    });
  });
});

describe("mapping checks", () => {
  it("needs a phone, bsuid or email", () => {
    expect(hasIdentity({ A: "name", B: null })).toBe(false);
    expect(hasIdentity({ A: "email" })).toBe(true);
    expect(hasIdentity({ A: "bsuid" })).toBe(true);
    expect(mappingProblem({ A: "name" })).toMatch(/Phone, Email/);
  });

  it("refuses a target twice, except tags and notes", () => {
    expect(duplicateTargets({ A: "phone", B: "phone", C: "tags", D: "tags" })).toEqual(["phone"]);
    expect(mappingProblem({ A: "phone", B: "phone" })).toMatch(/Phone/);
    expect(mappingProblem({ A: "phone", B: "note", C: "note" })).toBeNull();
  });

  it("labels targets and offers Don't import first", () => {
    expect(targetLabel("custom_fields.budget")).toBe("Budget (custom field)");
    expect(targetLabel("owner_email")).toBe("Owner (email)");
    const options = targetOptions(["phone"]);
    expect(options[0]).toEqual({ value: SKIP, label: "Don't import" });
    expect(options).toHaveLength(2);
  });
});

describe("progress", () => {
  it("stops polling once completed or failed", () => {
    expect(importFinished("running")).toBe(false);
    expect(importFinished("queued")).toBe(false);
    expect(importFinished("completed")).toBe(true);
    expect(importFinished("failed")).toBe(true);
  });

  it("computes a bounded percentage", () => {
    expect(importPercent(0, 0)).toBe(0);
    expect(importPercent(1, 3)).toBe(33);
    expect(importPercent(5, 4)).toBe(100);
  });
});

describe("queries", () => {
  it("exports with the list's filters but no paging", () => {
    expect(
      exportQuery({ q: "pune", tag: ["VIP"], sort: "name", cursor: "x", limit: 50, count: true }),
    ).toEqual({ q: "pune", tag: ["VIP"], sort: "name" });
  });

  it("turns the page's filters into a filter document", () => {
    expect(
      filterFromQuery({
        q: "pune",
        sort: "-score",
        lead_status: "hot",
        tag: ["VIP"],
        lead_source: "import",
        opted_out: false,
      }),
    ).toEqual([
      { field: "lead_status", operator: "equal_to", value: "hot" },
      { field: "tags", operator: "in", value: ["VIP"] },
      { field: "lead_source", operator: "equal_to", value: "import" },
      { field: "opted_out", operator: "equal_to", value: false },
    ]);
    expect(filterFromQuery({ sort: "name" })).toEqual([]);
  });

  it("names the export by day", () => {
    expect(exportFileName(new Date("2026-12-06T10:00:00Z"))).toBe("leads-2026-12-06.csv");
  });
});
