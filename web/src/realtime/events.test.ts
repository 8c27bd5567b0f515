import { describe, expect, it } from "vitest";
import { parseEvent, socketUrl } from "./events";

describe("parseEvent", () => {
  it("reads the known event types", () => {
    const event = parseEvent(
      JSON.stringify({
        type: "message:status",
        data: { conversation_id: "c1", message_id: "m1", status: "read" },
      }),
    );
    expect(event).toEqual({
      type: "message:status",
      data: { conversation_id: "c1", message_id: "m1", status: "read" },
    });
    expect(parseEvent('{"type":"resync","data":{}}')).toEqual({ type: "resync", data: {} });
    expect(
      parseEvent('{"type":"conversation:takeover_started","data":{"conversation_id":"c"}}'),
    ).toMatchObject({ type: "conversation:takeover_started" });
    const flagged = parseEvent(
      JSON.stringify({
        type: "action:conversations_flagged",
        data: { conversation_id: "c2", action_id: "a1", cta: "book_call" },
      }),
    );
    expect(flagged).toMatchObject({
      type: "action:conversations_flagged",
      data: { conversation_id: "c2" },
    });
  });

  it("reads action-center events, which are about an action", () => {
    const updated = { type: "action:updated", data: { action_id: "a1", status: "resolved" } };
    expect(parseEvent(JSON.stringify(updated))).toEqual(updated);
    expect(parseEvent('{"type":"action:updated","data":{"status":"resolved"}}')).toBeNull();
  });

  it("reads notification events, which are about a member", () => {
    const created = {
      type: "notification:created",
      data: { user_id: "u1", notification_id: "n1", kind: "handoff" },
    };
    expect(parseEvent(JSON.stringify(created))).toEqual(created);
    expect(parseEvent('{"type":"notification:read","data":{"user_id":"u1"}}')).toMatchObject({
      data: { user_id: "u1" },
    });
    expect(parseEvent('{"type":"notification:read","data":{}}')).toBeNull();
  });

  it("reads sequence events, which are about a sequence", () => {
    const updated = {
      type: "sequence:enrollment_updated",
      data: { sequence_id: "s1", enrollment_id: "e1", lead_id: "l1", status: "active" },
    };
    expect(parseEvent(JSON.stringify(updated))).toEqual(updated);
    expect(parseEvent('{"type":"sequence:updated","data":{"sequence_id":"s1"}}')).toMatchObject({
      data: { sequence_id: "s1" },
    });
    expect(parseEvent('{"type":"sequence:updated","data":{}}')).toBeNull();
  });

  it("reads a member's availability and a conversation's assignment", () => {
    const away = { type: "user:availability", data: { user_id: "u1", available: false } };
    expect(parseEvent(JSON.stringify(away))).toEqual(away);
    expect(parseEvent('{"type":"user:availability","data":{"available":true}}')).toBeNull();
    const given = {
      type: "conversation:assigned",
      data: { conversation_id: "c1", user_id: "u1", round_robin: true },
    };
    expect(parseEvent(JSON.stringify(given))).toEqual(given);
  });

  it("reads lead and board events, which are about a lead", () => {
    const moved = {
      type: "pipeline:moved",
      data: { lead_id: "l1", from_stage_id: null, to_stage_id: "s2", actor: "ai" },
    };
    expect(parseEvent(JSON.stringify(moved))).toEqual(moved);
    expect(parseEvent('{"type":"lead:created","data":{"lead_id":"l2"}}')).toMatchObject({
      data: { lead_id: "l2" },
    });
    expect(parseEvent('{"type":"leads:bulk","data":{}}')).toEqual({ type: "leads:bulk", data: {} });
    expect(parseEvent('{"type":"lead:updated","data":{"conversation_id":"c"}}')).toBeNull();
  });

  it("reads calendar events, which are about a calendar event", () => {
    const booked = { type: "calendar:created", data: { event_id: "e1", status: "booked" } };
    expect(parseEvent(JSON.stringify(booked))).toEqual(booked);
    expect(
      parseEvent('{"type":"calendar:updated","data":{"conversation_id":"c","status":"done"}}'),
    ).toBeNull();
  });

  it("reads campaign events, which are about a campaign", () => {
    const progress = {
      type: "campaign:progress",
      data: { campaign_id: "k1", status: "running", counts: {}, sends_per_second: 2 },
    };
    expect(parseEvent(JSON.stringify(progress))).toEqual(progress);
    const updated = {
      type: "campaign:updated",
      data: { campaign: { id: "k1", name: "Spring", status: "paused", paused_reason: "user" } },
    };
    expect(parseEvent(JSON.stringify(updated))).toEqual(updated);
    expect(parseEvent('{"type":"campaign:updated","data":{"campaign_id":"k1"}}')).toBeNull();
  });

  it("ignores unknown types and drops malformed frames", () => {
    expect(parseEvent('{"type":"campaign:progress","data":{"id":"x"}}')).toBeNull();
    expect(parseEvent("not json")).toBeNull();
    expect(parseEvent('{"data":{}}')).toBeNull();
    expect(parseEvent('{"type":"message:received","data":{}}')).toBeNull();
    expect(parseEvent(new ArrayBuffer(2))).toBeNull();
    expect(parseEvent("[1,2]")).toBeNull();
  });
});

describe("socketUrl", () => {
  it("follows the page's scheme and host, and carries no token (the cookie does)", () => {
    expect(socketUrl({ protocol: "http:", host: "127.0.0.1:8080" })).toBe(
      "ws://127.0.0.1:8080/api/v1/ws",
    );
    expect(socketUrl({ protocol: "https:", host: "app.closer.test" })).toBe(
      "wss://app.closer.test/api/v1/ws",
    );
  });
});
