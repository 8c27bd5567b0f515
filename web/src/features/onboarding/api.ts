import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { CTA_LABELS } from "../../api/enums";
import type { OnboardingCta, OnboardingUpdateBody } from "../../api/models";
import { CTAS_KEY, fetchCtas, fetchKnowledgePage, KNOWLEDGE_KEY, saveCta } from "../agent";
import { ctaChanges } from "./answers";
import { ONBOARDING_KEY } from "./keys";

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
    onSuccess: (saved) => client.setQueryData(ONBOARDING_KEY, saved),
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
