import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/types";

export type Followup = components["schemas"]["FollowupView"];

export const FOLLOWUPS_KEY = ["followups"] as const;
export const SETTINGS_KEY = ["settings", "followups"] as const;
export const followupsKey = (conversationId: string) => [...FOLLOWUPS_KEY, conversationId] as const;

/** A conversation's follow-ups, newest first (kept fresh by `followup:updated` events). */
export function useConversationFollowups(conversationId: string) {
  return useQuery({
    queryKey: followupsKey(conversationId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/conversations/{id}/followups", {
          params: { path: { id: conversationId } },
        }),
      ),
  });
}

/** "Send now" or "cancel" on one follow-up. */
export function useFollowupAction(followup: Followup, action: "send-now" | "cancel") {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      action === "send-now"
        ? unwrap(
            api.POST("/api/v1/followups/{id}/send-now", { params: { path: { id: followup.id } } }),
          )
        : unwrap(
            api.POST("/api/v1/followups/{id}/cancel", { params: { path: { id: followup.id } } }),
          ),
    onSettled: () => client.invalidateQueries({ queryKey: followupsKey(followup.conversation_id) }),
  });
}

export type FollowupSettings = components["schemas"]["FollowupSettings"];

export function useFollowupSettings() {
  return useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/followups")),
  });
}

export function useSaveFollowupSettings({
  onSuccess,
}: { onSuccess?: (s: FollowupSettings) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: FollowupSettings) => unwrap(api.PUT("/api/v1/settings/followups", { body })),
    onSuccess: (saved) => {
      client.setQueryData(SETTINGS_KEY, saved);
      onSuccess?.(saved);
    },
  });
}

/** A template a schedule step may name: the fields this page shows. */
export interface TemplateChoice {
  id: string;
  name: string;
  language: string;
  status: string;
}

/**
 * The organisation's templates for the schedule's steps. Read loosely (only the fields above),
 * so this page does not depend on the templates feature's evolving types.
 */
export function useTemplateChoices() {
  return useQuery({
    queryKey: ["templates", "followup-choices"],
    queryFn: async (): Promise<TemplateChoice[]> => {
      const r = await fetch("/api/v1/templates", { credentials: "same-origin" });
      if (!r.ok) return [];
      const body = (await r.json()) as { items?: TemplateChoice[] } | TemplateChoice[];
      return Array.isArray(body) ? body : (body.items ?? []);
    },
  });
}
