import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { CostsReport, ReportInterval, SentimentReport, VolumeReport } from "./api";

const COLORS = {
  leads: "#2563eb",
  conversations: "#7c3aed",
  in: "#0d9488",
  out: "#f59e0b",
  meta: "#0ea5e9",
  model: "#a855f7",
  positive: "#16a34a",
  neutral: "#94a3b8",
  negative: "#dc2626",
};

/** A bucket's label: "3 Mar" by day and week, "Mar 2026" by month. */
export function bucketLabel(day: string, interval: ReportInterval): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  return interval === "month"
    ? date.toLocaleDateString("en", { month: "short", year: "numeric" })
    : date.toLocaleDateString("en", { day: "numeric", month: "short" });
}

function Frame({ label, children }: { label: string; children: React.ReactElement }) {
  return (
    <figure aria-label={label} className="h-60 w-full sm:h-72">
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

export function VolumeChart({ report, only }: { report: VolumeReport; only?: "conversations" }) {
  const data = report.series.map((p) => ({ ...p, label: bucketLabel(p.day, report.interval) }));
  return (
    <Frame label={only ? "Chats per day" : "Volume over time"}>
      <LineChart data={data} accessibilityLayer margin={{ left: -16, right: 8 }}>
        <title>{only ? "Chats per day" : "Leads, conversations and messages over time"}</title>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={16} />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line
          isAnimationActive={false}
          type="monotone"
          dataKey="conversations"
          name="Conversations"
          stroke={COLORS.conversations}
          dot={false}
          strokeWidth={2}
        />
        {!only && (
          <>
            <Line
              isAnimationActive={false}
              type="monotone"
              dataKey="leads"
              name="New leads"
              stroke={COLORS.leads}
              dot={false}
              strokeWidth={2}
            />
            <Line
              isAnimationActive={false}
              type="monotone"
              dataKey="messages_in"
              name="Messages in"
              stroke={COLORS.in}
              dot={false}
            />
            <Line
              isAnimationActive={false}
              type="monotone"
              dataKey="messages_out"
              name="Messages out"
              stroke={COLORS.out}
              dot={false}
            />
          </>
        )}
      </LineChart>
    </Frame>
  );
}

export function CostChart({ report }: { report: CostsReport }) {
  const data = report.series.map((p) => ({ ...p, label: bucketLabel(p.day, report.interval) }));
  return (
    <Frame label="Costs over time">
      <BarChart data={data} accessibilityLayer margin={{ left: -8, right: 8 }}>
        <title>Meta and model costs over time</title>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={16} />
        <YAxis tick={{ fontSize: 11 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar
          isAnimationActive={false}
          dataKey="meta"
          name={`Meta (${report.currency})`}
          stackId="c"
          fill={COLORS.meta}
        />
        <Bar
          isAnimationActive={false}
          dataKey="model"
          name="Model (USD)"
          stackId="c"
          fill={COLORS.model}
        />
      </BarChart>
    </Frame>
  );
}

export function SentimentChart({ report }: { report: SentimentReport }) {
  const data = report.series.map((p) => ({ ...p, label: bucketLabel(p.day, report.interval) }));
  return (
    <Frame label="Sentiment over time">
      <AreaChart data={data} accessibilityLayer margin={{ left: -16, right: 8 }}>
        <title>The leads' sentiment over time</title>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={16} />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Area
          isAnimationActive={false}
          type="monotone"
          dataKey="positive"
          name="Positive"
          stackId="s"
          stroke={COLORS.positive}
          fill={COLORS.positive}
          fillOpacity={0.4}
        />
        <Area
          isAnimationActive={false}
          type="monotone"
          dataKey="neutral"
          name="Neutral"
          stackId="s"
          stroke={COLORS.neutral}
          fill={COLORS.neutral}
          fillOpacity={0.4}
        />
        <Area
          isAnimationActive={false}
          type="monotone"
          dataKey="negative"
          name="Negative"
          stackId="s"
          stroke={COLORS.negative}
          fill={COLORS.negative}
          fillOpacity={0.4}
        />
      </AreaChart>
    </Frame>
  );
}
