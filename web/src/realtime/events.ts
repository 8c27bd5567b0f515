// The WebSocket's messages: `{"type": "...", "data": {...}}`. They carry ids only; the client
// refetches what changed.

export type RealtimeEvent =
  | { type: "message:received"; data: { conversation_id: string; message_id: string } }
  | { type: "message:sent"; data: { conversation_id: string; message_id: string } }
  | {
      type: "message:status";
      data: { conversation_id: string; message_id: string; status: string };
    }
  | { type: "conversation:updated"; data: { conversation_id: string } }
  | {
      type: "conversation:takeover_started";
      data: { conversation_id: string; user_id: string | null };
    }
  | { type: "conversation:takeover_ended"; data: { conversation_id: string } }
  | { type: "action:conversations_flagged"; data: { conversation_id?: string } }
  | { type: "action:human_attention_required"; data: { conversation_id: string } }
  | { type: "resync"; data: Record<string, never> }
  /** A type this client does not know yet: ignored, never an error. */
  | { type: "unknown"; data: unknown; raw: string };

/** Parses one WebSocket text frame; anything malformed becomes null. */
export function parseEvent(frame: unknown): RealtimeEvent | null {
  if (typeof frame !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (typeof type !== "string") return null;
  const payload = data && typeof data === "object" ? (data as Record<string, unknown>) : {};
  switch (type) {
    case "message:received":
    case "message:sent":
    case "message:status":
    case "conversation:updated":
    case "conversation:takeover_started":
    case "conversation:takeover_ended":
    case "action:human_attention_required":
      if (typeof payload.conversation_id !== "string") return null;
      return { type, data: payload } as RealtimeEvent;
    case "action:conversations_flagged":
      return { type, data: payload } as RealtimeEvent;
    case "resync":
      return { type: "resync", data: {} };
    default:
      return { type: "unknown", data: payload, raw: type };
  }
}

/** The conversation an event is about, if any. */
export function eventConversationId(event: RealtimeEvent): string | null {
  const data = event.data as { conversation_id?: unknown } | null;
  return data && typeof data.conversation_id === "string" ? data.conversation_id : null;
}

/** The WebSocket URL for the page's origin: ws:// on http, wss:// on https. */
export function socketUrl(location: Pick<Location, "protocol" | "host">, token: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/v1/ws?token=${encodeURIComponent(token)}`;
}
