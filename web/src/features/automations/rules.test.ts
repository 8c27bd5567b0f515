import { describe, expect, it } from "vitest";
import type { Automation } from "../../api/models";
import { conditionBody, delayText, rowsOf } from "./rules";

describe("the rule editor's rows", () => {
  it("write list operators as lists and presence operators without a value", () => {
    expect(
      conditionBody({ field: " tags ", operator: "in", value: "vip, gold ,", glue: "or" }),
    ).toEqual({ field: "tags", operator: "in", value: ["vip", "gold"], glue: "or" });
    expect(
      conditionBody({ field: "email", operator: "is_present", value: "x", glue: "and" }),
    ).toEqual({ field: "email", operator: "is_present", value: null, glue: "and" });
    expect(
      conditionBody({ field: "message.text", operator: "contains", value: "price", glue: "and" }),
    ).toEqual({ field: "message.text", operator: "contains", value: "price", glue: "and" });
  });

  it("read a saved rule back into rows", () => {
    const rule = {
      conditions: [{ field: "tags", operator: "all_of", value: ["a", "b"] }],
      actions: [
        { type: "send_template", params: { template_id: "t1", variables: { "1": "x" } } },
        { type: "pause_bot", params: {} },
      ],
    } as unknown as Automation;
    const rows = rowsOf(rule);
    expect(rows.conditions).toEqual([
      { field: "tags", operator: "all_of", value: "a, b", glue: "and" },
    ]);
    expect(rows.actions).toEqual([
      { type: "send_template", params: { template_id: "t1" } },
      { type: "pause_bot", params: {} },
    ]);
    expect(rowsOf(null)).toEqual({ conditions: [], actions: [] });
  });

  it("say a delay in the largest whole unit", () => {
    expect([0, 45, 120, 7_200, 172_800].map(delayText)).toEqual([
      "at once",
      "after 45 s",
      "after 2 min",
      "after 2 h",
      "after 2 d",
    ]);
  });
});
