// The inbox's part in realtime: which conversation queries each event makes stale. Events carry
// ids only; invalidating refetches what is shown. The playground shows the same queries.
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { realtimeHandler } from "../../realtime/handlers";
import {
  CONVERSATION_LISTS_KEY,
  CONVERSATIONS_KEY,
  conversationKey,
  decisionsKey,
  messagesKey,
} from "./keys";

/** The parts of a conversation an event can change. */
type Part = "lists" | "detail" | "messages" | "decisions";

const KEYS: Record<Part, (id: string) => QueryKey> = {
  // A list shows the preview, the order, the unread count and the mode.
  lists: () => CONVERSATION_LISTS_KEY,
  detail: conversationKey,
  messages: messagesKey,
  // The agent records a decision before it answers, flags or hands over.
  decisions: decisionsKey,
};

function refetch(client: QueryClient, id: string, parts: readonly Part[]): Promise<unknown> {
  return Promise.all(parts.map((part) => client.invalidateQueries({ queryKey: KEYS[part](id) })));
}

export const inboxRealtime = realtimeHandler({
  feature: "inbox",
  on: {
    // A new message changes the preview, the order, the unread count and the window.
    "message:received": ({ data }, client) =>
      refetch(client, data.conversation_id, ["messages", "detail", "lists"]),
    "message:sent": ({ data }, client) =>
      refetch(client, data.conversation_id, ["messages", "detail", "decisions", "lists"]),
    // A decision shows how its reply's send went.
    "message:status": ({ data }, client) =>
      refetch(client, data.conversation_id, ["messages", "decisions"]),
    // A file arrived, was refused, or a voice note was transcribed.
    "message:updated": ({ data }, client) => refetch(client, data.conversation_id, ["messages"]),
    "conversation:updated": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "decisions", "lists"]),
    "action:human_attention_required": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "decisions", "lists"]),
    "conversation:takeover_started": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "lists"]),
    "conversation:takeover_ended": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "lists"]),
    // Paused, closed, reopened (by a member or by the lead's new message), taken over.
    "conversation:mode_changed": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "lists"]),
    "action:conversations_flagged": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "decisions", "lists"]),
    // Given to a member (or the round-robin's turn) or to nobody: the assignee filters move.
    "conversation:assigned": ({ data }, client) =>
      refetch(client, data.conversation_id, ["detail", "lists"]),
  },
  // Everything about conversations lives under one key.
  resync: (client) => client.invalidateQueries({ queryKey: CONVERSATIONS_KEY }),
});
