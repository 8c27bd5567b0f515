import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components, operations } from "../../api/types";
import { useCursorList } from "../../lib/useCursorList";

export type Lead = components["schemas"]["LeadView"];
export type LeadDetail = components["schemas"]["LeadDetail"];
export type LeadInput = components["schemas"]["LeadInput"];
export type LeadStatus = components["schemas"]["LeadStatus"];
export type LeadSource = components["schemas"]["LeadSource"];
export type Tag = components["schemas"]["TagView"];
export type Note = components["schemas"]["NoteView"];
export type CustomField = components["schemas"]["CustomFieldView"];
export type CustomFieldInput = components["schemas"]["CustomFieldInput"];
export type CustomFieldType = components["schemas"]["CustomFieldType"];
export type LeadQuery = NonNullable<operations["list_leads"]["parameters"]["query"]>;

export const LEADS_KEY = ["leads"] as const;
export const TAGS_KEY = ["tags"] as const;
export const FIELDS_KEY = ["custom-fields"] as const;
export const leadKey = (id: string) => [...LEADS_KEY, "one", id] as const;
/** Every leads list, whatever its query. */
export const leadListsKey = [...LEADS_KEY, "list"] as const;

/** The leads list for a query, a page at a time ("Load more"). */
export function useLeads(query: LeadQuery) {
  return useCursorList<Lead>([...leadListsKey, query], (cursor) =>
    unwrap(
      api.GET("/api/v1/leads", {
        params: { query: { ...query, cursor, limit: 50, count: true } },
      }),
    ),
  );
}

export function useLead(id: string) {
  return useQuery({
    queryKey: leadKey(id),
    queryFn: () => unwrap(api.GET("/api/v1/leads/{id}", { params: { path: { id } } })),
  });
}

export function useCreateLead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadInput) => unwrap(api.POST("/api/v1/leads", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: LEADS_KEY }),
  });
}

/** A change to one lead; the list, the lead and the tag counts are refreshed. */
export function useUpdateLead(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadInput) =>
      unwrap(api.PUT("/api/v1/leads/{id}", { params: { path: { id } }, body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: LEADS_KEY });
      void client.invalidateQueries({ queryKey: TAGS_KEY });
    },
  });
}

export function useDeleteLead(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/leads/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: LEADS_KEY }),
  });
}

export function useAddNote(leadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      unwrap(
        api.POST("/api/v1/leads/{id}/notes", { params: { path: { id: leadId } }, body: { body } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: leadKey(leadId) }),
  });
}

export function useDeleteNote(leadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (noteId: string) =>
      unwrap(
        api.DELETE("/api/v1/leads/{id}/notes/{note_id}", {
          params: { path: { id: leadId, note_id: noteId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: leadKey(leadId) }),
  });
}

export function useTags() {
  return useQuery({
    queryKey: TAGS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/tags")),
  });
}

export function useCustomFields() {
  return useQuery({
    queryKey: FIELDS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/custom-fields")),
  });
}

export function useCreateCustomField() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomFieldInput) => unwrap(api.POST("/api/v1/custom-fields", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: FIELDS_KEY }),
  });
}

export function useDeleteCustomField() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/custom-fields/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: FIELDS_KEY });
      void client.invalidateQueries({ queryKey: LEADS_KEY });
    },
  });
}

/** Members a lead can be given to (active ones). */
export function useOwners() {
  return useQuery({
    queryKey: ["users", "owners"],
    queryFn: () => unwrap(api.GET("/api/v1/users", { params: { query: { limit: 200 } } })),
    select: (list) => list.items.filter((u) => u.active),
  });
}

// ---- Import, export, bulk and saved views ----

export type ImportJob = components["schemas"]["ImportOut"];
export type BulkBody = components["schemas"]["BulkBody"];
export type BulkResult = components["schemas"]["BulkOut"];
export type SavedView = components["schemas"]["ViewOut"];
export type SavedViewInput = components["schemas"]["ViewBody"];
type ImportUpload = components["schemas"]["ImportUpload"];

export const VIEWS_KEY = ["views"] as const;
const importKey = (id: string) => ["lead-imports", id] as const;

/** Uploads a CSV: the answer holds the detected columns and mapping; nothing is imported yet. */
export function useUploadImport() {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append("file", file, file.name);
      // openapi-fetch sends FormData as it is; the generated type describes the binary part
      // as a string, hence the cast.
      return unwrap(api.POST("/api/v1/leads/import", { body: form as unknown as ImportUpload }));
    },
  });
}

export function useConfirmImport() {
  return useMutation({
    mutationFn: ({
      id,
      mapping,
      mode,
    }: {
      id: string;
      mapping: Record<string, string | null>;
      mode: string;
    }) =>
      unwrap(
        api.POST("/api/v1/leads/import/{id}/confirm", {
          params: { path: { id } },
          body: { mapping, mode },
        }),
      ),
  });
}

/** How often a running import is asked for its progress. */
const IMPORT_POLL_MS = 1_000;

/** An import's progress, asked every second until it has completed or failed. */
export function useImportProgress(id: string | null) {
  return useQuery({
    queryKey: importKey(id ?? ""),
    queryFn: () =>
      unwrap(api.GET("/api/v1/leads/import/{id}", { params: { path: { id: id ?? "" } } })),
    enabled: id !== null,
    refetchInterval: (q) => {
      const status = q.state.data?.status;
      return status === "completed" || status === "failed" ? false : IMPORT_POLL_MS;
    },
  });
}

/** The rows an import rejected or skipped, as a CSV blob. */
export function fetchImportErrors(id: string): Promise<Blob> {
  return unwrap(
    api.GET("/api/v1/leads/import/{id}/errors", { params: { path: { id } }, parseAs: "blob" }),
  ) as Promise<unknown> as Promise<Blob>;
}

/** Every lead the list's filters select, as a CSV blob. */
export function fetchLeadsExport(query: LeadQuery): Promise<Blob> {
  return unwrap(
    api.GET("/api/v1/leads/export", { params: { query }, parseAs: "blob" }),
  ) as Promise<unknown> as Promise<Blob>;
}

/** An action on many leads; the list and tag counts are refreshed. */
export function useBulkLeads() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkBody) => unwrap(api.POST("/api/v1/leads/bulk", { body })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: LEADS_KEY });
      void client.invalidateQueries({ queryKey: TAGS_KEY });
    },
  });
}

export function useViews() {
  return useQuery({
    queryKey: VIEWS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/views")),
  });
}

export function useCreateView() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SavedViewInput) => unwrap(api.POST("/api/v1/views", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: VIEWS_KEY }),
  });
}

export function useUpdateView(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SavedViewInput) =>
      unwrap(api.PUT("/api/v1/views/{id}", { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: VIEWS_KEY }),
  });
}

export function useDeleteView(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/views/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: VIEWS_KEY }),
  });
}
