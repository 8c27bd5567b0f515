import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { CTA_LABELS } from "../../api/enums";
import type { OnboardingCta, OnboardingUpdateBody } from "../../api/models";
import { CTAS_KEY, fetchCtas, fetchKnowledgePage, KNOWLEDGE_KEY, saveCta } from "../agent";
import { ctaChanges } from "./answers";
import { ONBOARDING_KEY } from "./keys";

/** Settings → Organisation's query: the business answers update it on the server. */
const ORG_KEY = ["org"] as const;

export function useOnboarding() {
  return useQuery({
    queryKey: ONBOARDING_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/onboarding")),
  });
}

export function useSaveAnswers() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: OnboardingUpdateBody) => unwrap(api.PUT("/api/v1/onboarding", { body })),
    onSuccess: (saved, body) => {
      client.setQueryData(ONBOARDING_KEY, saved);
      if (body.business) void client.invalidateQueries({ queryKey: ORG_KEY });
    },
  });
}

/** Files the answers' facts (fees, refund policy, dates…) whole in the knowledge base. */
export function useFileKnowledge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/onboarding/knowledge")),
    onSettled: () => void client.invalidateQueries({ queryKey: KNOWLEDGE_KEY }),
  });
}

export function useGenerate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/onboarding/generate")),
    onSuccess: () => void client.invalidateQueries({ queryKey: ONBOARDING_KEY }),
  });
}

/** Creates or updates the chosen CTAs that have a link or phone; answers what it did. */
export function useSyncCtas() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (chosen: readonly OnboardingCta[]) => {
      const existing = await fetchCtas();
      const changes = ctaChanges(chosen, existing.items, (type) => CTA_LABELS[type]);
      for (const change of changes) await saveCta(change.id ?? null, change.body);
      return changes;
    },
    onSettled: () => void client.invalidateQueries({ queryKey: CTAS_KEY }),
  });
}

export function useKnowledgeCount() {
  return useQuery({
    queryKey: [...KNOWLEDGE_KEY, "onboarding-count"],
    queryFn: () =>
      fetchKnowledgePage({ limit: 200 }).then((page) => ({
        faq: page.items.filter((k) => k.kind === "faq").length,
        total: page.items.length,
        more: page.next_cursor != null,
      })),
  });
}

/**
 * The scan's state once it finished, or after `waitMs` if still reading: a scan that fails
 * in its first seconds (unreachable site, refused address) is reported as failed, not as
 * "being read".
 */
export async function settledScan(id: string, waitMs = 8000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const scan = await unwrap(
      api.GET("/api/v1/knowledge/scans/{id}", { params: { path: { id } } }),
    );
    if (scan.status === "done" || scan.status === "failed" || Date.now() >= deadline) return scan;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
