import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { ActionFilters, ActionItem } from "../../api/models";
import { useCursorList } from "../../lib/useCursorList";
import { ACTION_COUNTS_KEY, ACTIONS_KEY } from "./keys";

/** The queue under `filters`: most urgent first, then oldest. */
export function useActions(filters: ActionFilters) {
  return useCursorList([...ACTIONS_KEY, "list", filters], (cursor) =>
    unwrap(api.GET("/api/v1/actions", { params: { query: { ...filters, limit: 50, cursor } } })),
  );
}

/** Open actions by kind: the sidebar's badge and the page's tabs. */
export function useActionCounts() {
  return useQuery({
    queryKey: ACTION_COUNTS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/actions/counts")),
  });
}

/** What a member does to an action. */
export type ActionChange =
  { verb: "claim" } | { verb: "resolve"; outcome?: string } | { verb: "snooze"; until: string };

export function useChangeAction(
  action: ActionItem,
  { onSuccess, onError }: { onSuccess?: () => void; onError?: (error: unknown) => void } = {},
) {
  const client = useQueryClient();
  const path = { params: { path: { id: action.id } } };
  return useMutation({
    mutationFn: (change: ActionChange) => {
      switch (change.verb) {
        case "claim":
          return unwrap(api.POST("/api/v1/actions/{id}/claim", path));
        case "resolve":
          return unwrap(
            api.POST("/api/v1/actions/{id}/resolve", {
              ...path,
              body: { outcome: change.outcome },
            }),
          );
        case "snooze":
          return unwrap(
            api.POST("/api/v1/actions/{id}/snooze", { ...path, body: { until: change.until } }),
          );
      }
    },
    onSuccess: () => {
      onSuccess?.();
      void client.invalidateQueries({ queryKey: ACTIONS_KEY });
    },
    onError,
  });
}
