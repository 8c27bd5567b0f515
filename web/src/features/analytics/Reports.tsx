import { Table, Td, Th } from "../../components/ui/Table";
import { humanize } from "../../lib/format";
import { formatMoney } from "../pricing";
import type { AgentReport, FunnelReport, PeakHoursReport, SourcesReport } from "./api";
import { WEEKDAYS, formatSeconds } from "./range";

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** Lead messages by weekday × hour: darker is busier. Scrolls sideways on a phone. */
export function PeakHeatmap({ report }: { report: PeakHoursReport }) {
  const max = Math.max(1, ...report.cells.map((c) => c.messages_in));
  return (
    <div className="overflow-x-auto">
      <table
        className="border-separate border-spacing-0.5 text-[10px] text-gray-500"
        aria-label="Lead messages by weekday and hour"
      >
        <thead>
          <tr>
            <th scope="col" className="w-9" />
            {Array.from({ length: 24 }, (_, h) => (
              <th key={h} scope="col" className="w-5 font-normal">
                {h % 3 === 0 ? h : ""}
                <span className="sr-only">{h % 3 === 0 ? "" : h}:00</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((day, w) => (
            <tr key={day}>
              <th scope="row" className="pr-1 text-left font-normal">
                {day}
              </th>
              {report.cells
                .filter((c) => c.weekday === w)
                .map((c) => (
                  <td
                    key={c.hour}
                    title={`${day} ${c.hour}:00 — ${c.messages_in} messages`}
                    className="size-5 rounded-sm"
                    style={{
                      backgroundColor: `rgba(37, 99, 235, ${c.messages_in === 0 ? 0.05 : 0.15 + (0.85 * c.messages_in) / max})`,
                    }}
                  >
                    <span className="sr-only">{c.messages_in}</span>
                  </td>
                ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The pipeline funnel: a bar per stage, as wide as its share of the widest. */
export function FunnelBars({ report }: { report: FunnelReport }) {
  const widest = Math.max(1, ...report.stages.map((s) => s.entered));
  return (
    <ol className="space-y-2" aria-label="Pipeline funnel">
      {report.stages.map((s) => (
        <li key={s.stage_id} className="text-sm">
          <div className="flex items-baseline justify-between gap-2">
            <span className="truncate font-medium text-gray-800">{s.name}</span>
            <span className="shrink-0 text-gray-500 tabular-nums">
              {s.entered} entered · {percent(s.conversion_rate)} on
            </span>
          </div>
          <div className="mt-1 h-2.5 rounded-full bg-gray-100">
            <div
              className={
                s.kind === "lost"
                  ? "h-2.5 rounded-full bg-red-400"
                  : s.kind === "won"
                    ? "h-2.5 rounded-full bg-green-500"
                    : "h-2.5 rounded-full bg-brand-500"
              }
              style={{ width: `${(100 * s.entered) / widest}%` }}
            />
          </div>
        </li>
      ))}
    </ol>
  );
}

export function FunnelTable({ report }: { report: FunnelReport }) {
  return (
    <Table label="Funnel by stage">
      <thead>
        <tr>
          <Th>Stage</Th>
          <Th>Entered</Th>
          <Th>Moved on</Th>
          <Th>Rate</Th>
          <Th>Median time in stage</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {report.stages.map((s) => (
          <tr key={s.stage_id}>
            <Td>{s.name}</Td>
            <Td>{s.entered}</Td>
            <Td>{s.converted_to_next}</Td>
            <Td>{percent(s.conversion_rate)}</Td>
            <Td>{formatSeconds(s.median_seconds_in_stage)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export function SourcesTable({ report }: { report: SourcesReport }) {
  const money = (v: number | null | undefined) =>
    v == null ? "—" : formatMoney(v, report.currency);
  if (report.items.length === 0)
    return <p className="py-6 text-center text-sm text-gray-500">No leads in this period.</p>;
  return (
    <Table label="Lead sources">
      <thead>
        <tr>
          <Th>Source</Th>
          <Th>Leads</Th>
          <Th>Qualified</Th>
          <Th>Won</Th>
          <Th>Cost</Th>
          <Th>Per lead</Th>
          <Th>Per won lead</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {report.items.map((i) => (
          <tr key={`${i.lead_source}:${i.campaign?.id ?? ""}`}>
            <Td>
              <div className="font-medium text-gray-900">
                {i.campaign?.name ?? humanize(i.lead_source)}
              </div>
              {i.campaign && <div className="text-xs text-gray-500">Ad {i.campaign.id}</div>}
            </Td>
            <Td>{i.leads}</Td>
            <Td>{i.qualified}</Td>
            <Td>{i.won}</Td>
            <Td>{money(i.cost)}</Td>
            <Td>{money(i.cost_per_lead)}</Td>
            <Td>{money(i.cost_per_won_lead)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function Pairs({ label, values }: { label: string; values: Record<string, number> }) {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  return (
    <div>
      <h3 className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</h3>
      {entries.length === 0 ? (
        <p className="mt-1 text-sm text-gray-500">None</p>
      ) : (
        <dl className="mt-1 space-y-1 text-sm">
          {entries.map(([k, v]) => (
            <div key={k} className="flex justify-between gap-3">
              <dt className="truncate text-gray-700">{k === k.toLowerCase() ? humanize(k) : k}</dt>
              <dd className="text-gray-900 tabular-nums">{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

export function AgentSummary({ report }: { report: AgentReport }) {
  const figures: [string, string][] = [
    ["Decisions", String(report.decisions)],
    ["Hand-off rate", percent(report.handoff_rate)],
    ["Answered from knowledge", percent(report.answered_from_knowledge_rate)],
    [
      "Tokens in / out",
      `${report.tokens.in.toLocaleString()} / ${report.tokens.out.toLocaleString()}`,
    ],
    ["Model cost", formatMoney(report.model_cost, "USD")],
  ];
  return (
    <div className="grid gap-6 md:grid-cols-3">
      <dl className="space-y-2 text-sm">
        {figures.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-3">
            <dt className="text-gray-600">{k}</dt>
            <dd className="font-medium text-gray-900 tabular-nums">{v}</dd>
          </div>
        ))}
      </dl>
      <Pairs
        label="By engine"
        values={{
          Rules: report.by_engine.rules,
          LLM: report.by_engine.llm,
          Fallback: report.by_engine.fallback,
        }}
      />
      <Pairs label="By reason" values={report.by_reason_code} />
      <Pairs label="Guardrail repairs" values={report.guardrail_repairs} />
    </div>
  );
}
