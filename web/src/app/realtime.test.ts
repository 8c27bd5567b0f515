import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { REALTIME_EVENT_TYPES } from "../api/enums";
import { dispatchEvent } from "../realtime/handlers";
import { REALTIME_HANDLERS } from "./realtime";

describe("the realtime registry", () => {
  it("has a feature for every event type", () => {
    const handled = new Set(REALTIME_HANDLERS.flatMap((handler) => Object.keys(handler.on)));
    for (const type of REALTIME_EVENT_TYPES) {
      if (type !== "resync") expect(handled, type).toContain(type);
    }
  });

  it("refetches everything shown on a resync", async () => {
    const client = new QueryClient();
    const shown = [
      ["conversations", "list", {}],
      ["conversations", "detail", "c1"],
      ["conversations", "messages", "c1"],
      ["conversations", "decisions", "c1", 20],
      ["jobs", "dead"],
      ["leads", "list", {}],
      ["pipeline", "board", {}],
    ];
    for (const key of shown) client.setQueryData(key, {});
    await dispatchEvent(client, REALTIME_HANDLERS, { type: "resync", data: {} });
    for (const key of shown)
      expect(client.getQueryState(key)?.isInvalidated, String(key)).toBe(true);
  });

  it("keeps the leads list, a lead's page and the board live when a card moves", async () => {
    const client = new QueryClient();
    const keys = {
      list: ["leads", "list", { q: "asha" }],
      lead: ["leads", "one", "l1"],
      other: ["leads", "one", "l2"],
      board: ["pipeline", "board", {}],
      inbox: ["conversations", "list", {}],
    };
    for (const key of Object.values(keys)) client.setQueryData(key, {});
    await dispatchEvent(client, REALTIME_HANDLERS, {
      type: "pipeline:moved",
      data: { lead_id: "l1", from_stage_id: "s1", to_stage_id: "s2", actor: "ai" },
    });
    const stale = (key: unknown[]) => client.getQueryState(key)?.isInvalidated;
    expect(stale(keys.list)).toBe(true);
    expect(stale(keys.lead)).toBe(true);
    expect(stale(keys.board)).toBe(true);
    expect(stale(keys.other)).toBe(false);
    expect(stale(keys.inbox)).toBe(false);
  });
});
