// Query keys of the inbox. Everything about conversations lives under ["conversations"], so a
// realtime resync can refetch it all at once.

import type { ConversationFilters } from "../../api/models";

export const CONVERSATIONS_KEY = ["conversations"] as const;
export const CONVERSATION_LISTS_KEY = ["conversations", "list"] as const;

export function conversationListKey(filters: ConversationFilters) {
  return [...CONVERSATION_LISTS_KEY, filters] as const;
}

export function conversationKey(id: string) {
  return ["conversations", "detail", id] as const;
}

export function messagesKey(id: string) {
  return ["conversations", "messages", id] as const;
}

/** The agent's decisions in a conversation, newest first. */
export function decisionsKey(id: string) {
  return ["conversations", "decisions", id] as const;
}
