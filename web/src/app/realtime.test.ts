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
    ];
    for (const key of shown) client.setQueryData(key, {});
    await dispatchEvent(client, REALTIME_HANDLERS, { type: "resync", data: {} });
    for (const key of shown)
      expect(client.getQueryState(key)?.isInvalidated, String(key)).toBe(true);
  });
});
