import { ArrowDownRight, ArrowUpRight } from "lucide-react";
import { Link } from "react-router";
import { Card, CardHeader } from "../../components/ui/Card";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { humanize } from "../../lib/format";
import { formatMoney } from "../pricing";
import { type Figures, type Range, useDashboardStats, useFunnel, useVolume } from "./api";
import { VolumeChart } from "./Charts";
import { FunnelBars } from "./Reports";
import { change, formatSeconds, lastDays } from "./range";

interface KeyNumber {
  label: string;
  /** The list behind the number, filtered to it as far as the list can be. */
  to: (range: Range) => string;
  value: (f: Figures) => number;
  show: (f: Figures) => string;
  /** A falling number is the good news (response time). */
  lowerIsBetter?: boolean;
}

const count = (pick: (f: Figures) => number) => ({
  value: pick,
  show: (f: Figures) => pick(f).toLocaleString(),
});

/** A path with its query. */
const withQuery = (path: string, query: Record<string, string>) =>
  `${path}?${new URLSearchParams(query).toString()}`;

const NUMBERS: KeyNumber[] = [
  {
    label: "New leads",
    to: (r) => withQuery("/leads", { created_after: r.from, created_before: r.to }),
    ...count((f) => f.new_leads),
  },
  { label: "Conversations", to: () => "/inbox", ...count((f) => f.conversations) },
  {
    label: "Qualified",
    to: () => withQuery("/leads", { lead_status: "qualified" }),
    ...count((f) => f.qualified_leads),
  },
  {
    label: "Booked",
    to: (r) => withQuery("/calendar", { view: "list", date: r.from }),
    ...count((f) => f.bookings),
  },
  {
    label: "Won",
    to: () => withQuery("/leads", { lead_status: "won" }),
    ...count((f) => f.won_leads),
  },
  {
    label: "Reply rate",
    to: () => "/inbox",
    value: (f) => f.reply_rate,
    show: (f) => `${Math.round(f.reply_rate * 100)}%`,
  },
  {
    label: "Median first response",
    to: () => "/inbox",
    value: (f) => f.median_first_response_seconds ?? 0,
    show: (f) => formatSeconds(f.median_first_response_seconds),
    lowerIsBetter: true,
  },
  {
    label: "Hand-offs",
    to: () => withQuery("/inbox", { needs_human: "true" }),
    ...count((f) => f.handoffs),
  },
  {
    label: "Cost",
    to: () => "/analytics",
    value: (f) => f.cost.total ?? f.cost.meta,
    show: (f) => formatMoney(f.cost.total ?? f.cost.meta, f.cost.currency),
    lowerIsBetter: true,
  },
];

function Delta({
  now,
  before,
  lowerIsBetter,
}: {
  now: number;
  before: number;
  lowerIsBetter?: boolean;
}) {
  const pct = change(now, before);
  if (pct === null && now !== 0) return <span className="text-xs text-gray-500">new</span>;
  if (pct === null || pct === 0) return <span className="text-xs text-gray-400">no change</span>;
  const good = lowerIsBetter ? pct < 0 : pct > 0;
  const Icon = pct > 0 ? ArrowUpRight : ArrowDownRight;
  return (
    <span
      className={
        good
          ? "inline-flex items-center text-xs text-green-700"
          : "inline-flex items-center text-xs text-red-700"
      }
    >
      <Icon className="size-3" aria-hidden="true" />
      {Math.abs(pct)}%
    </span>
  );
}

const PRIORITY_STYLE: Record<string, string> = {
  critical: "bg-red-600",
  high: "bg-orange-500",
  medium: "bg-amber-400",
  low: "bg-gray-400",
};

/** The lower half of the home page: the last 30 days against the 30 before. */
export function DashboardInsights() {
  const range = lastDays(30);
  const stats = useDashboardStats(range);
  const volume = useVolume({ ...range, interval: "day" });
  const funnel = useFunnel(range);
  if (stats.error) return <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />;
  if (!stats.data) return <LoadingState label="Loading your numbers…" />;
  const s = stats.data;
  return (
    <div className="grid gap-6">
      <section aria-labelledby="key-numbers">
        <div className="mb-3 flex items-baseline justify-between gap-2">
          <h2 id="key-numbers" className="text-sm font-semibold text-gray-900">
            Last 30 days
          </h2>
          <span className="text-xs text-gray-500">against the 30 days before</span>
        </div>
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 xl:grid-cols-5">
          {NUMBERS.map((n) => (
            <li key={n.label}>
              <Link
                to={n.to(range)}
                className="flex h-full flex-col rounded-lg border border-gray-200 bg-white p-3 shadow-xs transition hover:border-brand-200 hover:shadow-sm"
              >
                <span className="text-xs text-gray-500">{n.label}</span>
                <span className="mt-1 text-xl font-semibold text-gray-900 tabular-nums">
                  {n.show(s)}
                </span>
                <span className="mt-1 flex flex-wrap items-center gap-x-1.5 text-xs text-gray-500">
                  <Delta
                    now={n.value(s)}
                    before={n.value(s.compare)}
                    lowerIsBetter={n.lowerIsBetter}
                  />
                  <span>was {n.show(s.compare)}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <div className="grid gap-6 lg:grid-cols-3">
        <section aria-labelledby="chats-per-day" className="lg:col-span-2">
          <Card>
            <CardHeader
              id="chats-per-day"
              title="Chats per day"
              actions={
                <Link className="text-xs font-medium text-brand-700" to="/analytics">
                  Analytics
                </Link>
              }
            />
            <div className="px-3 py-4">
              {volume.data ? (
                <VolumeChart report={volume.data} only="conversations" />
              ) : (
                <LoadingState />
              )}
            </div>
          </Card>
        </section>
        <section aria-labelledby="waiting">
          <Card className="h-full">
            <CardHeader
              id="waiting"
              title="Waiting for a person"
              description={`${s.needs_human_open} open`}
            />
            <ul className="divide-y divide-gray-100">
              {s.needs_human_by_priority.map((q) => (
                <li key={q.priority ?? "none"}>
                  <Link
                    to={withQuery("/inbox", {
                      needs_human: "true",
                      ...(q.priority ? { priority: q.priority } : {}),
                    })}
                    className="flex items-center justify-between px-5 py-2.5 text-sm hover:bg-gray-50"
                  >
                    <span className="flex items-center gap-2">
                      <span
                        className={`size-2 rounded-full ${PRIORITY_STYLE[q.priority ?? "low"] ?? "bg-gray-400"}`}
                        aria-hidden="true"
                      />
                      {q.priority ? humanize(q.priority) : "No priority"}
                    </span>
                    <span className="font-medium tabular-nums">{q.open}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </Card>
        </section>
      </div>

      <section aria-labelledby="funnel">
        <Card>
          <CardHeader
            id="funnel"
            title="Funnel"
            actions={
              <Link className="text-xs font-medium text-brand-700" to="/pipeline">
                Pipeline
              </Link>
            }
          />
          <div className="px-5 py-4">
            {funnel.data ? <FunnelBars report={funnel.data} /> : <LoadingState />}
          </div>
        </Card>
      </section>
    </div>
  );
}
