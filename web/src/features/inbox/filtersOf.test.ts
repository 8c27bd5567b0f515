import { describe, expect, it } from "vitest";
import { filtersOf } from "./InboxPage";

describe("filtersOf", () => {
  it("reads the filters a link names", () => {
    expect(filtersOf(new URLSearchParams("needs_human=true&priority=high"))).toEqual({
      needs_human: true,
      priority: "high",
    });
  });

  it("ignores what it does not know", () => {
    expect(filtersOf(new URLSearchParams("needs_human=yes&priority=urgent"))).toEqual({});
  });
});
