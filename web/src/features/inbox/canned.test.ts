import { describe, expect, it } from "vitest";
import type { CannedReply } from "../../api/models";
import { cannedQuery, fillVariables, filterCanned, leadValues } from "./canned";

const reply = (shortcut: string, text: string): CannedReply => ({
  id: shortcut,
  shortcut,
  text,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
});

describe("cannedQuery", () => {
  it("reads the word after a leading slash, and nothing else", () => {
    expect(cannedQuery("/")).toBe("");
    expect(cannedQuery("/pri")).toBe("pri");
    expect(cannedQuery("/Demo-slot")).toBe("demo-slot");
    expect(cannedQuery("hello /pri")).toBeNull();
    expect(cannedQuery("/price please")).toBeNull();
    expect(cannedQuery("")).toBeNull();
  });
});

describe("filterCanned", () => {
  const all = [
    reply("address", "Andheri"),
    reply("price", "₹2,999"),
    reply("reprice", "new price"),
  ];
  it("puts shortcuts that start with the query first", () => {
    expect(filterCanned(all, "pri").map((r) => r.shortcut)).toEqual(["price", "reprice"]);
    expect(filterCanned(all, "").map((r) => r.shortcut)).toEqual(["address", "price", "reprice"]);
    expect(filterCanned(all, "andheri").map((r) => r.shortcut)).toEqual(["address"]);
    expect(filterCanned(all, "zzz")).toEqual([]);
  });
});

describe("fillVariables", () => {
  const values = leadValues({ name: "Priya Sharma", phone: "+919812345678", email: null });
  it("fills what the lead has and leaves the rest as written", () => {
    expect(fillVariables("Hi {{first_name}}, we'll call {{ Phone }}.", values)).toBe(
      "Hi Priya, we'll call +919812345678.",
    );
    expect(fillVariables("Dear {{name}}", values)).toBe("Dear Priya Sharma");
    expect(fillVariables("Mail {{email}} in {{city}}", values)).toBe("Mail {{email}} in {{city}}");
    expect(fillVariables("{{name", values)).toBe("{{name");
  });
});
