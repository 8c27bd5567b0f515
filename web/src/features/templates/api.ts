import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components, paths } from "../../api/types";
import { TEMPLATES_KEY } from "./keys";

// Names for the generated schemas this feature uses (never written by hand).
type Schemas = components["schemas"];
export type Template = Schemas["TemplateView"];
export type TemplateInput = Schemas["TemplateInput"];
export type TemplateButton = Schemas["TemplateButton"];
export type TemplateHeader = Schemas["TemplateHeader"];
export type VariableMapping = Schemas["VariableMapping"];
export type Preview = Schemas["PreviewView"];
export type TemplateStatus = Schemas["TemplateStatus"];
export type TemplateCategory = Schemas["TemplateCategory"];
export type ButtonType = Schemas["ButtonType"];
export type HeaderFormat = Schemas["HeaderFormat"];
export type ParameterFormat = Schemas["ParameterFormat"];
export type VariableSource = Schemas["VariableSource"];
export type ValueSource = Schemas["ValueSource"];
export type TemplateFilters = NonNullable<paths["/api/v1/templates"]["get"]["parameters"]["query"]>;

export function useTemplates(filters: TemplateFilters = {}) {
  return useQuery({
    queryKey: [...TEMPLATES_KEY, "list", filters] as const,
    queryFn: () => unwrap(api.GET("/api/v1/templates", { params: { query: filters } })),
  });
}

function useTemplateWrite<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => void client.invalidateQueries({ queryKey: TEMPLATES_KEY }),
  });
}

export const useCreateTemplate = () =>
  useTemplateWrite((body: TemplateInput) => unwrap(api.POST("/api/v1/templates", { body })));

export const useUpdateTemplate = () =>
  useTemplateWrite(({ id, body }: { id: string; body: TemplateInput }) =>
    unwrap(api.PUT("/api/v1/templates/{id}", { params: { path: { id } }, body })),
  );

export const useDeleteTemplate = () =>
  useTemplateWrite((id: string) =>
    unwrap(api.DELETE("/api/v1/templates/{id}", { params: { path: { id } } })),
  );

export const useSubmitTemplate = () =>
  useTemplateWrite((id: string) =>
    unwrap(api.POST("/api/v1/templates/{id}/submit", { params: { path: { id } } })),
  );

export const useSyncTemplates = () =>
  useTemplateWrite(() => unwrap(api.POST("/api/v1/templates/sync")));

/** The editor's live preview of unsaved content, filled from a real lead when one is chosen. */
export function useDraftPreview(template: TemplateInput, conversationId: string | null) {
  return useQuery({
    queryKey: [...TEMPLATES_KEY, "draft-preview", template, conversationId] as const,
    queryFn: () =>
      unwrap(
        api.POST("/api/v1/templates/preview", {
          body: { template, conversation_id: conversationId, variables: {} },
        }),
      ),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** A saved template filled for one conversation's lead, with values typed by hand first. */
export function useTemplatePreview(
  id: string | null,
  conversationId: string,
  variables: Record<string, string>,
) {
  return useQuery({
    queryKey: [...TEMPLATES_KEY, "preview", id, conversationId, variables] as const,
    queryFn: () =>
      unwrap(
        api.POST("/api/v1/templates/{id}/preview", {
          params: { path: { id: id! } },
          body: { conversation_id: conversationId, variables },
        }),
      ),
    enabled: !!id,
    placeholderData: keepPreviousData,
  });
}

/** Recent conversations, to pick a real lead whose values fill the preview. */
export function useRecentConversations() {
  return useQuery({
    queryKey: [...TEMPLATES_KEY, "leads"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/conversations", { params: { query: { limit: 20 } } })),
  });
}

/** Sends an approved template to a conversation's lead (window open or closed). */
export function useSendTemplate(conversationId: string) {
  return useMutation({
    mutationFn: ({
      templateId,
      variables,
    }: {
      templateId: string;
      variables: Record<string, string>;
    }) =>
      unwrap(
        api.POST("/api/v1/messages/send", {
          body: { conversation_id: conversationId, template_id: templateId, variables },
        }),
      ),
  });
}
