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

/** One line, bar or band of a chart. */
interface Series {
  key: string;
  name: string;
  color: string;
  /** Drawn thicker: the series the chart is about. */
  strong?: boolean;
}

/**
 * A chart of a report's series over its buckets: lines, stacked bars or stacked areas, with
 * the same axes, grid, tooltip, legend and accessible title every report chart shares.
 */
function SeriesChart({
  label,
  title,
  shape,
  data,
  series,
  decimals = false,
}: {
  label: string;
  title: string;
  shape: "line" | "bar" | "area";
  data: Record<string, unknown>[];
  series: Series[];
  /** Money has fractions; counts do not. */
  decimals?: boolean;
}) {
  const Chart = shape === "line" ? LineChart : shape === "bar" ? BarChart : AreaChart;
  const drawn = series.map((s) => {
    const common = { key: s.key, isAnimationActive: false, dataKey: s.key, name: s.name };
    if (shape === "bar") return <Bar {...common} stackId="stack" fill={s.color} />;
    if (shape === "area")
      return (
        <Area
          {...common}
          type="monotone"
          stackId="stack"
          stroke={s.color}
          fill={s.color}
          fillOpacity={0.4}
        />
      );
    return (
      <Line
        {...common}
        type="monotone"
        stroke={s.color}
        dot={false}
        strokeWidth={s.strong ? 2 : 1}
      />
    );
  });
  return (
    <figure aria-label={label} className="h-60 w-full sm:h-72">
      <ResponsiveContainer width="100%" height="100%">
        <Chart data={data} accessibilityLayer margin={{ left: decimals ? -8 : -16, right: 8 }}>
          <title>{title}</title>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={16} />
          <YAxis allowDecimals={decimals} tick={{ fontSize: 11 }} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {drawn}
        </Chart>
      </ResponsiveContainer>
    </figure>
  );
}

/** A report's points with the label of their bucket. */
function labelled<P extends { day: string }>(series: P[], interval: ReportInterval) {
  return series.map((p) => ({ ...p, label: bucketLabel(p.day, interval) }));
}

export function VolumeChart({ report, only }: { report: VolumeReport; only?: "conversations" }) {
  const conversations = {
    key: "conversations",
    name: "Conversations",
    color: COLORS.conversations,
    strong: true,
  };
  return (
    <SeriesChart
      label={only ? "Chats per day" : "Volume over time"}
      title={only ? "Chats per day" : "Leads, conversations and messages over time"}
      shape="line"
      data={labelled(report.series, report.interval)}
      series={
        only
          ? [conversations]
          : [
              conversations,
              { key: "leads", name: "New leads", color: COLORS.leads, strong: true },
              { key: "messages_in", name: "Messages in", color: COLORS.in },
              { key: "messages_out", name: "Messages out", color: COLORS.out },
            ]
      }
    />
  );
}

export function CostChart({ report }: { report: CostsReport }) {
  return (
    <SeriesChart
      label="Costs over time"
      title="Meta and model costs over time"
      shape="bar"
      decimals
      data={labelled(report.series, report.interval)}
      series={[
        { key: "meta", name: `Meta (${report.currency})`, color: COLORS.meta },
        { key: "model", name: "Model (USD)", color: COLORS.model },
      ]}
    />
  );
}

export function SentimentChart({ report }: { report: SentimentReport }) {
  return (
    <SeriesChart
      label="Sentiment over time"
      title="The leads' sentiment over time"
      shape="area"
      data={labelled(report.series, report.interval)}
      series={[
        { key: "positive", name: "Positive", color: COLORS.positive },
        { key: "neutral", name: "Neutral", color: COLORS.neutral },
        { key: "negative", name: "Negative", color: COLORS.negative },
      ]}
    />
  );
}
