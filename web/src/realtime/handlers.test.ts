import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { dispatchEvent, realtimeHandler, realtimeRegistry, resyncAll } from "./handlers";

const calls: string[] = [];

const messages = realtimeHandler({
  feature: "messages",
  on: {
    "message:received": ({ data }) => calls.push(`received ${data.message_id}`),
    "message:sent": ({ data }) => calls.push(`sent ${data.message_id}`),
    "message:status": ({ data }) => calls.push(`status ${data.status}`),
  },
  resync: () => calls.push("resync messages"),
});

const conversations = realtimeHandler({
  feature: "conversations",
  on: {
    "conversation:updated": ({ data }) => calls.push(`updated ${data.conversation_id}`),
    "conversation:takeover_started": ({ data }) => calls.push(`takeover ${data.conversation_id}`),
  },
  resync: () => calls.push("resync conversations"),
});

describe("realtimeRegistry", () => {
  it("takes every event type handled or ignored", () => {
    const registry = realtimeRegistry({
      handlers: [messages, conversations],
      ignored: [
        "message:updated",
        "conversation:takeover_ended",
        "conversation:mode_changed",
        "action:conversations_flagged",
        "action:human_attention_required",
        "followup:updated",
        "lead:created",
        "lead:updated",
        "lead:deleted",
        "leads:bulk",
        "pipeline:moved",
        "action:created",
        "action:updated",
        "calendar:created",
        "calendar:updated",
        "notification:created",
        "notification:read",
        "campaign:updated",
        "campaign:progress",
        "sequence:updated",
        "sequence:enrollment_updated",
        "conversation:assigned",
        "user:availability",
      ],
    });
    expect(registry).toEqual([messages, conversations]);
  });

  it("does not compile while an event type is neither handled nor ignored", () => {
    // @ts-expect-error: "action:human_attention_required" is neither handled nor ignored.
    realtimeRegistry({
      handlers: [messages, conversations],
      ignored: ["conversation:takeover_ended", "action:conversations_flagged"],
    });
    realtimeRegistry({
      handlers: [messages],
      ignored: [
        "conversation:updated",
        "conversation:takeover_started",
        "conversation:takeover_ended",
        "action:conversations_flagged",
        // @ts-expect-error: resync is the core's, never a feature's.
        "resync",
        "action:human_attention_required",
      ],
    });
    realtimeHandler({
      feature: "typo",
      // @ts-expect-error: no such event type.
      on: { "message:recieved": () => undefined },
      resync: () => undefined,
    });
  });
});

describe("dispatchEvent", () => {
  it("hands an event to the features that take its type, and a resync to all", async () => {
    const client = new QueryClient();
    calls.length = 0;
    const handlers = [messages, conversations];
    await dispatchEvent(client, handlers, {
      type: "message:status",
      data: { conversation_id: "c", message_id: "m", status: "read" },
    });
    await dispatchEvent(client, handlers, {
      type: "conversation:takeover_started",
      data: { conversation_id: "c" },
    });
    await dispatchEvent(client, handlers, {
      type: "conversation:takeover_ended",
      data: { conversation_id: "c" },
    } as never);
    expect(calls).toEqual(["status read", "takeover c"]);

    calls.length = 0;
    await dispatchEvent(client, handlers, { type: "resync", data: {} });
    await resyncAll(client, handlers);
    expect(calls).toEqual([
      "resync messages",
      "resync conversations",
      "resync messages",
      "resync conversations",
    ]);
  });
});
