import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { RealtimeEvent } from "../../api/models";
import { dispatchEvent } from "../../realtime/handlers";
import { conversationKey, conversationListKey, decisionsKey, messagesKey } from "./keys";
import { inboxRealtime } from "./realtime";

function setup() {
  const client = new QueryClient();
  // Seed the caches the events should invalidate.
  client.setQueryData(conversationListKey({}), { pages: [], pageParams: [] });
  client.setQueryData(conversationKey("c1"), { id: "c1" });
  client.setQueryData(conversationKey("c2"), { id: "c2" });
  client.setQueryData(messagesKey("c1"), { pages: [], pageParams: [] });
  client.setQueryData(messagesKey("c2"), { pages: [], pageParams: [] });
  client.setQueryData(["jobs", "dead"], { pages: [], pageParams: [] });
  client.setQueryData([...decisionsKey("c1"), 10], { items: [] });
  client.setQueryData([...decisionsKey("c2"), 10], { items: [] });
  const stale = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated ?? false;
  const send = (event: RealtimeEvent) => {
    client
      .getQueryCache()
      .getAll()
      .forEach((q) => q.setState({ isInvalidated: false }));
    return dispatchEvent(client, [inboxRealtime], event);
  };
  return { client, stale, send };
}

describe("inboxRealtime", () => {
  it("invalidates the conversation queries an event is about", async () => {
    const { stale, send } = setup();

    await send({ type: "message:received", data: { conversation_id: "c1", message_id: "m" } });
    expect(stale(messagesKey("c1"))).toBe(true);
    expect(stale(conversationKey("c1"))).toBe(true);
    expect(stale(conversationListKey({}))).toBe(true);
    expect(stale(messagesKey("c2"))).toBe(false);
    expect(stale(conversationKey("c2"))).toBe(false);
    expect(stale(["jobs", "dead"])).toBe(false);

    await send({
      type: "message:status",
      data: { conversation_id: "c2", message_id: "m", status: "delivered" },
    });
    expect(stale(messagesKey("c2"))).toBe(true);
    // The decision panel shows its reply's send status.
    expect(stale([...decisionsKey("c2"), 10])).toBe(true);
    expect(stale(decisionsKey("c1"))).toBe(false);
    expect(stale(conversationListKey({}))).toBe(false);
  });

  it("refetches a conversation's decisions after the agent acts", async () => {
    const { stale, send } = setup();
    for (const type of [
      "conversation:updated",
      "action:human_attention_required",
      "action:conversations_flagged",
    ] as const) {
      await send({ type, data: { conversation_id: "c1" } } as RealtimeEvent);
      expect(stale([...decisionsKey("c1"), 10])).toBe(true);
      expect(stale(conversationKey("c1"))).toBe(true);
      expect(stale(conversationListKey({}))).toBe(true);
      expect(stale([...decisionsKey("c2"), 10])).toBe(false);
    }

    await send({ type: "message:sent", data: { conversation_id: "c2", message_id: "m" } });
    expect(stale([...decisionsKey("c2"), 10])).toBe(true);
    expect(stale(messagesKey("c2"))).toBe(true);

    // A lead's message alone is no decision yet; a takeover is none either.
    await send({ type: "message:received", data: { conversation_id: "c1", message_id: "m" } });
    expect(stale([...decisionsKey("c1"), 10])).toBe(false);
    await send({
      type: "conversation:takeover_started",
      data: { conversation_id: "c1" },
    });
    expect(stale([...decisionsKey("c1"), 10])).toBe(false);
    expect(stale(conversationKey("c1"))).toBe(true);
    expect(stale(conversationListKey({}))).toBe(true);
  });

  it("refetches every conversation query on a resync, and nothing else", async () => {
    const { stale, send } = setup();
    await send({ type: "resync", data: {} });
    expect(stale(messagesKey("c1"))).toBe(true);
    expect(stale(messagesKey("c2"))).toBe(true);
    expect(stale(conversationKey("c2"))).toBe(true);
    expect(stale([...decisionsKey("c1"), 10])).toBe(true);
    expect(stale(conversationListKey({}))).toBe(true);
    expect(stale(["jobs", "dead"])).toBe(false);
  });
});
