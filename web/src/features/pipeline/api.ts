import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components, operations } from "../../api/types";

export type Stage = components["schemas"]["StageView"];
export type StageInput = components["schemas"]["StageInput"];
export type StageKind = components["schemas"]["StageKind"];
export type Board = components["schemas"]["Board"];
export type BoardColumn = components["schemas"]["BoardColumnView"];
export type Card = components["schemas"]["LeadView"];
export type MoveInput = components["schemas"]["MoveInput"];
export type HistoryEntry = components["schemas"]["HistoryView"];
export type ConversationStage = components["schemas"]["ConversationStage"];
export type BoardQuery = NonNullable<operations["board"]["parameters"]["query"]>;

export const PIPELINE_KEY = ["pipeline"] as const;
export const STAGES_KEY = [...PIPELINE_KEY, "stages"] as const;
const boardKey = (query: BoardQuery) => [...PIPELINE_KEY, "board", query] as const;
const historyKey = (leadId: string) => [...PIPELINE_KEY, "history", leadId] as const;

/** Cards fetched per column, first page and each "Load more". */
export const CARDS_PER_PAGE = 20;

export function useStages() {
  return useQuery({
    queryKey: STAGES_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/pipeline/stages")),
  });
}

export function useBoard(query: BoardQuery) {
  return useQuery({
    queryKey: boardKey(query),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/pipeline", { params: { query: { ...query, cards: CARDS_PER_PAGE } } }),
      ),
  });
}

/** The next cards of one column, after `cursor`. */
export function fetchColumnPage(query: BoardQuery, stageId: string, cursor: string) {
  return unwrap(
    api.GET("/api/v1/pipeline", {
      params: { query: { ...query, cards: CARDS_PER_PAGE, stage_id: stageId, cursor } },
    }),
  );
}

export function useLeadHistory(leadId: string) {
  return useQuery({
    queryKey: historyKey(leadId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/leads/{id}/history", { params: { path: { id: leadId } } })),
  });
}

function refreshAll(client: QueryClient) {
  void client.invalidateQueries({ queryKey: PIPELINE_KEY });
  void client.invalidateQueries({ queryKey: ["leads"] });
}

/** A person's move; the caller shows it at once and rolls back on error. */
export function useMoveLead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ leadId, body }: { leadId: string; body: MoveInput }) =>
      unwrap(
        api.PUT("/api/v1/pipeline/{lead_id}/move", { params: { path: { lead_id: leadId } }, body }),
      ),
    onSettled: () => refreshAll(client),
  });
}

export function useCreateStage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StageInput) => unwrap(api.POST("/api/v1/pipeline/stages", { body })),
    onSuccess: () => refreshAll(client),
  });
}

export function useUpdateStage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: StageInput }) =>
      unwrap(api.PUT("/api/v1/pipeline/stages/{id}", { params: { path: { id } }, body })),
    onSettled: () => refreshAll(client),
  });
}

export function useDeleteStage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, moveTo }: { id: string; moveTo?: string }) =>
      unwrap(
        api.DELETE("/api/v1/pipeline/stages/{id}", {
          params: { path: { id }, query: moveTo ? { move_to: moveTo } : {} },
        }),
      ),
    onSuccess: () => refreshAll(client),
  });
}
