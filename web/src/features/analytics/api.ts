import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/types";

export type DashboardStats = components["schemas"]["DashboardStats"];
export type Figures = components["schemas"]["Figures"];
export type ReportInterval = components["schemas"]["ReportInterval"];
export type VolumeReport = components["schemas"]["VolumeReport"];
export type FunnelReport = components["schemas"]["FunnelReport"];
export type PeakHoursReport = components["schemas"]["PeakHoursReport"];
export type SourcesReport = components["schemas"]["SourcesReport"];
export type SentimentReport = components["schemas"]["SentimentReport"];
export type AgentReport = components["schemas"]["AgentReport"];
export type CostsReport = components["schemas"]["CostsReport"];

/** A period asked of the API: RFC 3339 instants, `to` exclusive. */
export interface Range {
  from: string;
  to: string;
}

export const ANALYTICS_KEY = ["analytics"] as const;

/** The dashboard's key numbers for `range` against the period before it. */
export function useDashboardStats(range: Range) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "stats", range],
    queryFn: () => unwrap(api.GET("/api/v1/dashboard/stats", { params: { query: range } })),
    placeholderData: keepPreviousData,
  });
}

type Query = Range & { interval: ReportInterval };

export function useVolume(q: Query) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "volume", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/volume", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

/** The funnel of every lead, or of the leads a saved view selects (`view_id`). */
export function useFunnel(q: Range & { view_id?: string }) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "funnel", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/funnel", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function usePeakHours(q: Range) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "peak-hours", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/peak-hours", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function useSources(q: Range) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "sources", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/sources", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function useSentiment(q: Query) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "sentiment", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/sentiment", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function useAgentReport(q: Range) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "agent", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/agent", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function useCosts(q: Query) {
  return useQuery({
    queryKey: [...ANALYTICS_KEY, "costs", q],
    queryFn: () => unwrap(api.GET("/api/v1/analytics/costs", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export type ReportName =
  "volume" | "funnel" | "peak-hours" | "sources" | "sentiment" | "agent" | "costs";

/** The report as a CSV download (the session cookie signs the plain link). */
export function csvHref(
  report: ReportName,
  q: Range & { interval?: ReportInterval; view_id?: string },
): string {
  const params = new URLSearchParams({ from: q.from, to: q.to });
  if (q.interval) params.set("interval", q.interval);
  if (q.view_id) params.set("view_id", q.view_id);
  return `/api/v1/analytics/${report}.csv?${params.toString()}`;
}
