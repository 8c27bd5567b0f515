// The WebSocket's messages: `{"type": "...", "data": {...}}`, typed by the OpenAPI document's
// `RealtimeEvent`. They carry ids only; the client refetches what changed.
import { isOneOf, REALTIME_EVENT_TYPES } from "../api/enums";
import type { RealtimeEvent } from "../api/models";

/** The id field that names what an event is about. */
function subjectOf(type: string): string {
  if (type.startsWith("lead:") || type === "pipeline:moved") return "lead_id";
  if (type.startsWith("calendar:")) return "event_id";
  if (type.startsWith("action:")) return "action_id";
  if (type.startsWith("notification:") || type.startsWith("user:")) return "user_id";
  if (type === "campaign:progress") return "campaign_id";
  if (type.startsWith("sequence:")) return "sequence_id";
  return "conversation_id";
}

/**
 * Parses one WebSocket text frame. Anything malformed becomes null, and so does a type this
 * build does not know yet: it is ignored, never an error.
 */
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
  if (!isOneOf(REALTIME_EVENT_TYPES, type)) return null;
  if (type === "resync" || type === "leads:bulk") return { type, data: {} };
  // Every other event is about one thing — a lead, a calendar event, an action-center item, a
  // member (their notifications), a sequence or a conversation — whose id must be there.
  if (!data || typeof data !== "object") return null;
  if (type === "campaign:updated") {
    // The campaign itself rides along: `{campaign: {id, name, status, paused_reason}}`.
    const campaign = (data as { campaign?: { id?: unknown } }).campaign;
    return typeof campaign?.id === "string" ? ({ type, data } as RealtimeEvent) : null;
  }
  const about = subjectOf(type);
  if (typeof (data as Record<string, unknown>)[about] !== "string") return null;
  return { type, data } as RealtimeEvent;
}

/**
 * The WebSocket URL for the page's origin: ws:// on http, wss:// on https. No token: the
 * browser sends the session cookie, which the server accepts from this site's pages only.
 */
export function socketUrl(location: Pick<Location, "protocol" | "host">): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/v1/ws`;
}
