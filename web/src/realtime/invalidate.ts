import type { QueryClient } from "@tanstack/react-query";
import type { RealtimeEvent } from "../api/models";
import {
  CONVERSATION_LISTS_KEY,
  CONVERSATIONS_KEY,
  conversationKey,
  decisionsKey,
  messagesKey,
} from "../pages/inbox/keys";
import { eventConversationId } from "./events";

/** After a (re)connect or a `resync`: whatever we hold may be stale, so refetch it all. */
export function resyncQueries(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ queryKey: CONVERSATIONS_KEY });
}

/** Refetches what an event says has changed. Events carry ids only. */
export function applyEvent(client: QueryClient, event: RealtimeEvent): Promise<unknown> {
  const id = eventConversationId(event);
  const jobs: Promise<unknown>[] = [];
  const lists = () => jobs.push(client.invalidateQueries({ queryKey: CONVERSATION_LISTS_KEY }));
  const detail = () => id && jobs.push(client.invalidateQueries({ queryKey: conversationKey(id) }));
  const messages = () => id && jobs.push(client.invalidateQueries({ queryKey: messagesKey(id) }));
  // The agent records a decision before it answers, flags or hands over.
  const decisions = () => id && jobs.push(client.invalidateQueries({ queryKey: decisionsKey(id) }));

  switch (event.type) {
    case "resync":
      jobs.push(resyncQueries(client));
      break;
    case "message:received":
      // A new message changes the preview, the order, the unread count and the window.
      messages();
      detail();
      lists();
      break;
    case "message:sent":
      messages();
      detail();
      decisions();
      lists();
      break;
    case "message:status":
      // A decision shows how its reply's send went.
      messages();
      decisions();
      break;
    case "conversation:updated":
    case "action:human_attention_required":
      detail();
      decisions();
      lists();
      break;
    case "conversation:takeover_started":
    case "conversation:takeover_ended":
      detail();
      lists();
      break;
    case "action:conversations_flagged":
      detail();
      decisions();
      lists();
      break;
    default: {
      // Fails to compile when the server adds an event type this switch does not handle.
      const unhandled: never = event;
      void unhandled;
    }
  }
  return Promise.all(jobs);
}
