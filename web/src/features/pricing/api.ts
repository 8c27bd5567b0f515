import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/types";

export type RateCard = components["schemas"]["RateCard"];
export type PricingCategory = components["schemas"]["PricingCategory"];
export type MessageCost = components["schemas"]["MessageCost"];
export type ConversationCost = components["schemas"]["ConversationCostView"];

export const RATE_CARD_KEY = ["settings", "rate-card"] as const;

/** The organisation's rate card (Meta's published rates until it saves its own). */
export function useRateCard() {
  return useQuery({
    queryKey: RATE_CARD_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/rate-card")),
  });
}

export function useSaveRateCard({ onSuccess }: { onSuccess?: (card: RateCard) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RateCard) => unwrap(api.PUT("/api/v1/settings/rate-card", { body })),
    onSuccess: (card) => {
      client.setQueryData(RATE_CARD_KEY, card);
      onSuccess?.(card);
    },
  });
}
