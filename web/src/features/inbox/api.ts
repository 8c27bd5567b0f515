import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import type {
  Conversation,
  ConversationDetail,
  ConversationFilters,
  ConversationMode,
  Message,
  MessagePage,
} from "../../api/models";
import { useCursorList } from "../../lib/useCursorList";
import {
  CONVERSATION_LISTS_KEY,
  conversationKey,
  conversationListKey,
  decisionsKey,
  messagesKey,
} from "./keys";

const PAGE_SIZE = 50;

export function useConversationList(
  filters: ConversationFilters,
  options: { limit?: number } = {},
) {
  return useCursorList(conversationListKey(filters), (cursor) =>
    unwrap(
      api.GET("/api/v1/conversations", {
        params: { query: { ...filters, limit: options.limit ?? PAGE_SIZE, cursor } },
      }),
    ),
  );
}

export function useConversation(id: string | undefined) {
  return useQuery({
    queryKey: conversationKey(id ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/conversations/{id}", { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

/** The agent's decisions in a conversation, newest first. */
export function useDecisions(id: string | undefined, options: { limit?: number } = {}) {
  return useQuery({
    queryKey: [...decisionsKey(id ?? ""), options.limit ?? 20] as const,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/conversations/{id}/decisions", {
          params: { path: { id: id! }, query: { limit: options.limit ?? 20 } },
        }),
      ),
    enabled: !!id,
  });
}

/** Pages (newest first) flattened into one transcript, oldest first, without duplicates. */
export function flattenMessages(pages: readonly MessagePage[]): Message[] {
  const byId = new Map<string, Message>();
  // Oldest page first; a message seen again in a newer page (fetched later) wins.
  for (let i = pages.length - 1; i >= 0; i -= 1) {
    for (const message of pages[i]!.items) byId.set(message.id, message);
  }
  const order = (m: Message) => new Date(m.created_at).getTime();
  return [...byId.values()].sort((a, b) => order(a) - order(b));
}

/** A conversation's messages: the newest page first, older pages as you scroll up. */
export function useMessages(id: string | undefined) {
  const query = useInfiniteQuery({
    queryKey: messagesKey(id ?? ""),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/conversations/{id}/messages", {
          params: { path: { id: id! }, query: { limit: PAGE_SIZE, before: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: !!id,
  });
  const pages = query.data?.pages;
  const messages = useMemo(() => (pages ? flattenMessages(pages) : []), [pages]);
  return { ...query, messages };
}

/** Puts a conversation item the server just returned into every cache that shows it. */
export function storeConversation(client: QueryClient, item: Conversation): void {
  client.setQueryData<ConversationDetail>(conversationKey(item.id), (old) =>
    old ? { ...old, ...item } : old,
  );
  client.setQueriesData<InfiniteData<{ items: Conversation[] }>>(
    { queryKey: CONVERSATION_LISTS_KEY },
    (old) =>
      old && {
        ...old,
        pages: old.pages.map((page) => ({
          ...page,
          items: page.items.map((c) => (c.id === item.id ? { ...c, ...item } : c)),
        })),
      },
  );
  void client.invalidateQueries({ queryKey: CONVERSATION_LISTS_KEY });
}

const ACTIONS = {
  read: "/api/v1/conversations/{id}/read",
} as const;

function useConversationAction(id: string, action: keyof typeof ACTIONS) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST(ACTIONS[action], { params: { path: { id } } })),
    onSuccess: (item) => {
      storeConversation(client, item);
      void client.invalidateQueries({ queryKey: conversationKey(id) });
    },
  });
}

export const useMarkRead = (id: string) => useConversationAction(id, "read");

/**
 * Sets who answers the lead: take over (`human`), hand back or reopen (`bot`), pause or
 * close. The server's rules say what each change settles (who owns it, the request for a
 * person, pending follow-ups).
 */
export function useSetMode(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (mode: ConversationMode) =>
      unwrap(
        api.PUT("/api/v1/conversations/{id}/mode", {
          params: { path: { id } },
          body: { mode },
        }),
      ),
    onSuccess: (item) => {
      storeConversation(client, item);
      void client.invalidateQueries({ queryKey: conversationKey(id) });
    },
  });
}

/** Shows a message just sent at once; the refetch and realtime events bring its status forward. */
export function useMessageSent(id: string) {
  const client = useQueryClient();
  return (message: Message) => {
    client.setQueryData<InfiniteData<MessagePage>>(messagesKey(id), (old) => {
      if (!old || old.pages.length === 0) return old;
      const [first, ...rest] = old.pages;
      if (first!.items.some((m) => m.id === message.id)) return old;
      return { ...old, pages: [{ ...first!, items: [...first!.items, message] }, ...rest] };
    });
    void client.invalidateQueries({ queryKey: messagesKey(id) });
    void client.invalidateQueries({ queryKey: conversationKey(id) });
    void client.invalidateQueries({ queryKey: CONVERSATION_LISTS_KEY });
  };
}

/** Sends a message as a human (this takes the conversation over from the bot). */
export function useSendMessage(id: string) {
  const client = useQueryClient();
  const sent = useMessageSent(id);
  return useMutation({
    mutationFn: (text: string) =>
      unwrap(api.POST("/api/v1/messages/send", { body: { conversation_id: id, text } })),
    onSuccess: ({ message }) => sent(message),
    onError: (error) => {
      // Refused for the lead's state (opted out, window closed): what we show of it is stale.
      if (error instanceof ApiError && error.status === 422 && error.code !== "validation_failed")
        void client.invalidateQueries({ queryKey: conversationKey(id) });
    },
  });
}

/** Assigns the conversation to a member, or to nobody (`null`). */
export function useAssign(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string | null) =>
      unwrap(
        api.PUT("/api/v1/conversations/{id}/assignee", {
          params: { path: { id } },
          body: { user_id: userId },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: conversationKey(id) });
      void client.invalidateQueries({ queryKey: CONVERSATION_LISTS_KEY });
    },
  });
}

/** Writes a private note into the transcript: the team sees it, the lead never does. */
export function useAddNote(id: string) {
  const sent = useMessageSent(id);
  return useMutation({
    mutationFn: (text: string) =>
      unwrap(
        api.POST("/api/v1/conversations/{id}/notes", { params: { path: { id } }, body: { text } }),
      ),
    onSuccess: (note) => sent(note),
  });
}
