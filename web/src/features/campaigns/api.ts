import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/types";

type Schemas = components["schemas"];
export type Campaign = Schemas["CampaignView"];
export type CampaignInput = Schemas["CampaignBody"];
export type CampaignStatus = Schemas["CampaignStatus"];
export type CampaignStats = Schemas["CampaignStatsView"];
export type Preflight = Schemas["PreflightView"];
export type Recipient = Schemas["RecipientView"];
export type RecipientStatus = Schemas["RecipientStatus"];
export type RecipientReason = Schemas["RecipientReason"];
export type PreflightIssue = Schemas["PreflightIssue"];

export const CAMPAIGNS_KEY = ["campaigns"] as const;
export const campaignKey = (id: string) => [...CAMPAIGNS_KEY, "one", id] as const;
export const recipientsKey = (id: string) => [...CAMPAIGNS_KEY, "recipients", id] as const;

export function useCampaigns() {
  return useQuery({
    queryKey: [...CAMPAIGNS_KEY, "list"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/campaigns", { params: { query: { limit: 100 } } })),
  });
}

export function useCampaign(id: string) {
  return useQuery({
    queryKey: campaignKey(id),
    queryFn: () => unwrap(api.GET("/api/v1/campaigns/{id}", { params: { path: { id } } })),
  });
}

export function useRecipients(id: string, status: RecipientStatus | "") {
  return useQuery({
    queryKey: [...recipientsKey(id), status] as const,
    queryFn: async () => {
      const page = await unwrap(
        api.GET("/api/v1/campaigns/{id}/recipients", {
          params: { path: { id }, query: { limit: 100, ...(status ? { status } : {}) } },
        }),
      );
      // The same path answers CSV for `format=csv`, which this query never asks for.
      return typeof page === "string" ? { items: [], next_cursor: null } : page;
    },
    placeholderData: keepPreviousData,
  });
}

export function useCreateCampaign() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignInput) => unwrap(api.POST("/api/v1/campaigns", { body })),
    onSettled: () => client.invalidateQueries({ queryKey: CAMPAIGNS_KEY }),
  });
}

export function usePreflight(id: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/campaigns/{id}/preflight", { params: { path: { id } } })),
  });
}

export type CampaignAction = "start" | "pause" | "resume" | "cancel";

/** Start (optionally past the messaging limit), pause, resume or cancel. */
export function useCampaignAction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ action, confirm }: { action: CampaignAction; confirm?: boolean }) => {
      const params = { path: { id } };
      switch (action) {
        case "start":
          return unwrap(
            api.POST("/api/v1/campaigns/{id}/start", {
              params,
              body: { confirm_over_limit: confirm ?? false },
            }),
          );
        case "pause":
          return unwrap(api.POST("/api/v1/campaigns/{id}/pause", { params }));
        case "resume":
          return unwrap(api.POST("/api/v1/campaigns/{id}/resume", { params }));
        case "cancel":
          return unwrap(api.POST("/api/v1/campaigns/{id}/cancel", { params }));
      }
    },
    // Refetched rather than set from the answer: the sender may have moved the campaign on
    // (even completed it) before the answer arrives, and its events came first.
    onSettled: () => client.invalidateQueries({ queryKey: CAMPAIGNS_KEY }),
  });
}

/** Where the recipients' CSV downloads from (the session cookie signs the GET). */
export function recipientsCsvUrl(id: string): string {
  return `/api/v1/campaigns/${id}/recipients?format=csv`;
}
