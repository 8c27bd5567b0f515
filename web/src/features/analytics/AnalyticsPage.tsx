import { useState } from "react";
import { Page } from "../../components/Page";
import { Select } from "../../components/ui/Select";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { useViews } from "../leads";
import { formatMoney } from "../pricing";
import {
  type ReportInterval,
  csvHref,
  useAgentReport,
  useCosts,
  useFunnel,
  usePeakHours,
  useSentiment,
  useSources,
  useVolume,
} from "./api";
import { ChartCard } from "./ChartCard";
import { CostChart, SentimentChart, VolumeChart, bucketLabel } from "./Charts";
import { AgentSummary, FunnelBars, FunnelTable, PeakHeatmap, SourcesTable } from "./Reports";
import { INTERVALS, PRESETS, type Preset, defaultInterval, lastDays } from "./range";

/** Loading and error states around one report. */
function Loaded<T>({
  q,
  children,
}: {
  q: { data?: T; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => React.ReactNode;
}) {
  if (q.data) return <>{children(q.data)}</>;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return <LoadingState />;
}

/** The funnel's "every lead" choice (no saved view). */
const EVERY_LEAD = "every";

export function AnalyticsPage() {
  const [preset, setPreset] = useState<Preset>("30");
  const [interval, setBucket] = useState<ReportInterval>("day");
  const range = lastDays(Number(preset));
  const q = { ...range, interval };
  const volume = useVolume(q);
  const [funnelView, setFunnelView] = useState<string>(EVERY_LEAD);
  const funnelQuery = { ...range, ...(funnelView !== EVERY_LEAD ? { view_id: funnelView } : {}) };
  const funnel = useFunnel(funnelQuery);
  const views = useViews();
  const peak = usePeakHours(range);
  const sources = useSources(range);
  const sentiment = useSentiment(q);
  const agent = useAgentReport(range);
  const costs = useCosts(q);

  return (
    <Page
      title="Analytics"
      description="How your WhatsApp sales are going, counted in your organisation's timezone."
      actions={
        <div className="flex flex-wrap gap-2">
          <Select<Preset>
            aria-label="Period"
            size="sm"
            className="w-40"
            value={preset}
            options={PRESETS}
            onValueChange={(p) => {
              setPreset(p);
              setBucket(defaultInterval(Number(p)));
            }}
          />
          <Select<ReportInterval>
            aria-label="Interval"
            size="sm"
            className="w-32"
            value={interval}
            options={INTERVALS}
            onValueChange={setBucket}
          />
        </div>
      }
    >
      <div className="grid gap-6">
        <ChartCard
          id="report-volume"
          title="Volume"
          description="New leads, conversations and messages."
          csv={csvHref("volume", q)}
          table={
            volume.data && (
              <Table label="Volume">
                <thead>
                  <tr>
                    <Th>Period</Th>
                    <Th>Leads</Th>
                    <Th>Conversations</Th>
                    <Th>In</Th>
                    <Th>Out</Th>
                    <Th>Bookings</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-100">
                  {volume.data.series.map((p) => (
                    <tr key={p.day}>
                      <Td>{bucketLabel(p.day, volume.data.interval)}</Td>
                      <Td>{p.leads}</Td>
                      <Td>{p.conversations}</Td>
                      <Td>{p.messages_in}</Td>
                      <Td>{p.messages_out}</Td>
                      <Td>{p.bookings}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )
          }
        >
          <Loaded q={volume}>{(r) => <VolumeChart report={r} />}</Loaded>
        </ChartCard>

        <div className="grid gap-6 lg:grid-cols-2">
          <ChartCard
            id="report-funnel"
            title="Pipeline funnel"
            description="Leads entering each stage for the first time, and how many moved on since."
            csv={csvHref("funnel", funnelQuery)}
            table={funnel.data && <FunnelTable report={funnel.data} />}
          >
            <Select<string>
              aria-label="Leads counted"
              size="sm"
              className="mb-3 w-full sm:w-60"
              value={funnelView}
              options={[
                { value: EVERY_LEAD, label: "Every lead" },
                ...(views.data?.items ?? []).map((v) => ({ value: v.id, label: v.name })),
              ]}
              onValueChange={setFunnelView}
            />
            <Loaded q={funnel}>
              {(r) => (
                <>
                  <FunnelBars report={r} />
                  <p className="mt-3 text-sm text-gray-600">
                    Won <strong className="text-gray-900">{r.won}</strong> · Lost{" "}
                    <strong className="text-gray-900">{r.lost}</strong>
                  </p>
                </>
              )}
            </Loaded>
          </ChartCard>
          <ChartCard
            id="report-peak"
            title="Peak hours"
            description="Lead messages by weekday and hour."
            csv={csvHref("peak-hours", range)}
          >
            <Loaded q={peak}>{(r) => <PeakHeatmap report={r} />}</Loaded>
          </ChartCard>
        </div>

        <ChartCard
          id="report-sources"
          title="Lead sources and ads"
          description="Where leads came from, how many were won, and what they cost."
          csv={csvHref("sources", range)}
        >
          <Loaded q={sources}>{(r) => <SourcesTable report={r} />}</Loaded>
        </ChartCard>

        <div className="grid gap-6 lg:grid-cols-2">
          <ChartCard
            id="report-costs"
            title="Costs"
            description="Meta's charges and the model's, per conversation and per won lead."
            csv={csvHref("costs", q)}
            table={
              costs.data && (
                <dl className="grid grid-cols-2 gap-2 text-sm">
                  <dt className="text-gray-600">Per conversation</dt>
                  <dd>
                    {costs.data.per_conversation == null
                      ? "—"
                      : formatMoney(costs.data.per_conversation, costs.data.currency)}
                  </dd>
                  <dt className="text-gray-600">Per won lead</dt>
                  <dd>
                    {costs.data.per_won_lead == null
                      ? "—"
                      : formatMoney(costs.data.per_won_lead, costs.data.currency)}
                  </dd>
                </dl>
              )
            }
          >
            <Loaded q={costs}>
              {(r) => (
                <>
                  <CostChart report={r} />
                  <p className="mt-2 text-sm text-gray-600">
                    Per conversation{" "}
                    <strong className="text-gray-900">
                      {r.per_conversation == null
                        ? "—"
                        : formatMoney(r.per_conversation, r.currency)}
                    </strong>{" "}
                    · per won lead{" "}
                    <strong className="text-gray-900">
                      {r.per_won_lead == null ? "—" : formatMoney(r.per_won_lead, r.currency)}
                    </strong>
                  </p>
                </>
              )}
            </Loaded>
          </ChartCard>
          <ChartCard
            id="report-sentiment"
            title="Sentiment"
            description="How leads felt, as the agent read each conversation."
            csv={csvHref("sentiment", q)}
          >
            <Loaded q={sentiment}>{(r) => <SentimentChart report={r} />}</Loaded>
          </ChartCard>
        </div>

        <ChartCard
          id="report-agent"
          title="The agent's work"
          description="Decisions by engine and reason, hand-offs, knowledge, guardrails, tokens and cost."
          csv={csvHref("agent", range)}
        >
          <Loaded q={agent}>{(r) => <AgentSummary report={r} />}</Loaded>
        </ChartCard>
      </div>
    </Page>
  );
}
