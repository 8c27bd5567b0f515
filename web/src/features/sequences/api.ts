import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/types";

export type Sequence = components["schemas"]["SequenceView"];
export type SequenceDefinition = components["schemas"]["SequenceDefinition"];
export type SequenceStep = components["schemas"]["SequenceStep"];
export type SequenceCondition = components["schemas"]["SequenceCondition"];
export type StopCondition = components["schemas"]["StopCondition"];
export type Enrollment = components["schemas"]["EnrollmentView"];
export type EnrollResult = components["schemas"]["EnrollResult"];

export const SEQUENCES_KEY = ["sequences"] as const;
export const enrollmentsKey = (sequenceId: string) =>
  [...SEQUENCES_KEY, sequenceId, "enrollments"] as const;

/** The organisation's sequences with their enrolment counts (kept fresh by realtime events). */
export function useSequences() {
  return useQuery({
    queryKey: SEQUENCES_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/sequences")),
  });
}

export function useEnrollments(sequenceId: string) {
  return useQuery({
    queryKey: enrollmentsKey(sequenceId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/sequences/{id}/enrollments", { params: { path: { id: sequenceId } } }),
      ),
  });
}

/** Creates (no id) or replaces a sequence. */
export function useSaveSequence(id: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SequenceDefinition) =>
      id
        ? unwrap(api.PUT("/api/v1/sequences/{id}", { params: { path: { id } }, body }))
        : unwrap(api.POST("/api/v1/sequences", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: SEQUENCES_KEY }),
  });
}

export function useDeleteSequence() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/sequences/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: SEQUENCES_KEY }),
  });
}

export function useEnroll(sequenceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (leadIds: string[]) =>
      unwrap(
        api.POST("/api/v1/sequences/{id}/enroll", {
          params: { path: { id: sequenceId } },
          body: { lead_ids: leadIds },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: SEQUENCES_KEY }),
  });
}

export function useStopEnrollment(sequenceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (enrollmentId: string) =>
      unwrap(
        api.POST("/api/v1/sequences/enrollments/{id}/stop", {
          params: { path: { id: enrollmentId } },
        }),
      ),
    onSettled: () => client.invalidateQueries({ queryKey: enrollmentsKey(sequenceId) }),
  });
}

/** A template a step may name: the fields the editor shows. */
export interface TemplateChoice {
  id: string;
  name: string;
  language: string;
  status: string;
}

/** The organisation's templates for the steps, read loosely (only the fields above). */
export function useTemplateChoices() {
  return useQuery({
    queryKey: ["templates", "sequence-choices"],
    queryFn: async (): Promise<TemplateChoice[]> => {
      const r = await fetch("/api/v1/templates", { credentials: "same-origin" });
      if (!r.ok) return [];
      const body = (await r.json()) as { items?: TemplateChoice[] } | TemplateChoice[];
      return Array.isArray(body) ? body : (body.items ?? []);
    },
  });
}

/** Leads matching `q` (name, phone, email…), for enrolling by hand. */
export function useLeadSearch(q: string) {
  return useQuery({
    queryKey: ["leads", "sequence-enrol", q],
    enabled: q.trim().length > 0,
    queryFn: () => unwrap(api.GET("/api/v1/leads", { params: { query: { q: q.trim() } } })),
  });
}
