import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { AutomationBody, DryRunBody, RunStatus } from "../../api/models";

const AUTOMATIONS_KEY = ["automations"] as const;
const runsKey = (ruleId: string | null, status: RunStatus | null) =>
  ["automations", "runs", ruleId ?? "all", status ?? "any"] as const;

/** The organisation's rules, oldest first. */
export function useAutomations() {
  return useQuery({
    queryKey: AUTOMATIONS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/automations")),
  });
}

/** Creates a rule (no id) or replaces one (with its id). */
export function useSaveAutomation(id: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AutomationBody) =>
      id
        ? unwrap(api.PUT("/api/v1/automations/{id}", { params: { path: { id } }, body }))
        : unwrap(api.POST("/api/v1/automations", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: AUTOMATIONS_KEY }),
  });
}

export function useDeleteAutomation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/automations/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: AUTOMATIONS_KEY }),
  });
}

/** A rule's run log (or every rule's), newest first; refreshed while the page is open. */
export function useRuns(ruleId: string | null, status: RunStatus | null) {
  return useQuery({
    queryKey: runsKey(ruleId, status),
    queryFn: () =>
      ruleId
        ? unwrap(
            api.GET("/api/v1/automations/{id}/runs", {
              params: { path: { id: ruleId }, query: status ? { status } : {} },
            }),
          )
        : unwrap(
            api.GET("/api/v1/automations/runs", {
              params: { query: status ? { status } : {} },
            }),
          ),
    refetchInterval: 3_000,
  });
}

/** Tries a saved rule against a conversation: nothing is written or sent. */
export function useDryRun(id: string) {
  return useMutation({
    mutationFn: (body: DryRunBody) =>
      unwrap(api.POST("/api/v1/automations/{id}/dry-run", { params: { path: { id } }, body })),
  });
}

/** Recent conversations to try a rule against. */
export function useRecentConversations() {
  return useQuery({
    queryKey: ["automations", "conversations"],
    queryFn: () => unwrap(api.GET("/api/v1/conversations", { params: { query: { limit: 50 } } })),
  });
}

/** What the editor offers to pick from: stages, custom fields, members, templates. */
export function useRuleChoices() {
  const stages = useQuery({
    queryKey: ["automations", "stages"],
    queryFn: () => unwrap(api.GET("/api/v1/pipeline/stages")),
    staleTime: 60_000,
  });
  const fields = useQuery({
    queryKey: ["automations", "custom-fields"],
    queryFn: () => unwrap(api.GET("/api/v1/custom-fields")),
    staleTime: 60_000,
  });
  const members = useQuery({
    queryKey: ["automations", "members"],
    queryFn: () => unwrap(api.GET("/api/v1/users", { params: { query: { limit: 200 } } })),
    staleTime: 60_000,
  });
  const templates = useQuery({
    queryKey: ["automations", "templates"],
    queryFn: () => unwrap(api.GET("/api/v1/templates", { params: { query: {} } })),
    staleTime: 60_000,
  });
  return {
    stages: stages.data?.items ?? [],
    fields: fields.data?.items ?? [],
    members: (members.data?.items ?? []).filter((m) => m.role !== "viewer"),
    templates: templates.data?.items ?? [],
  };
}
