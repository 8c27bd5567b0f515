import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components, operations } from "../../api/types";
import { useCursorList } from "../../lib/useCursorList";

export type OptOutEntry = components["schemas"]["OptOutEntryView"];
export type OptOutSource = components["schemas"]["OptOutSource"];
export type OptOutQuery = NonNullable<operations["list_opt_outs"]["parameters"]["query"]>;

export const OPT_OUTS_KEY = ["opt-outs"] as const;
// The leads feature's key: a lead's page and the list show the change (as the pipeline does).
const LEADS_KEY = ["leads"] as const;

/** The opt-out list for a query, newest first, a page at a time. */
export function useOptOuts(query: OptOutQuery) {
  return useCursorList<OptOutEntry>([...OPT_OUTS_KEY, query], (cursor) =>
    unwrap(api.GET("/api/v1/opt-outs", { params: { query: { ...query, cursor, limit: 50 } } })),
  );
}

function useRefreshed() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: LEADS_KEY });
    void client.invalidateQueries({ queryKey: OPT_OUTS_KEY });
    void client.invalidateQueries({ queryKey: ["conversations"] });
  };
}

export function useOptOut(leadId: string) {
  const refreshed = useRefreshed();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST("/api/v1/leads/{id}/opt-out", {
          params: { path: { id: leadId } },
          body: { reason },
        }),
      ),
    onSuccess: refreshed,
  });
}

export function useOptIn(leadId: string) {
  const refreshed = useRefreshed();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST("/api/v1/leads/{id}/opt-in", {
          params: { path: { id: leadId } },
          body: { reason },
        }),
      ),
    onSuccess: refreshed,
  });
}

export function useErase(leadId: string) {
  const refreshed = useRefreshed();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/privacy/erase", { body: { lead_id: leadId } })),
    onSuccess: refreshed,
  });
}
