import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { humanize } from "../../lib/format";
import type { CampaignStats } from "./api";
import { RECIPIENT_ORDER } from "./labels";

const COLORS: Record<string, string> = {
  pending: "#9ca3af",
  sending: "#60a5fa",
  retrying: "#f59e0b",
  sent: "#3b82f6",
  delivered: "#10b981",
  read: "#059669",
  replied: "#8b5cf6",
  failed: "#ef4444",
  skipped: "#d1d5db",
};

/** Recipients per status, as bars: where a broadcast stands at a glance. */
export function ProgressChart({ stats }: { stats: CampaignStats }) {
  const data = RECIPIENT_ORDER.map((s) => ({
    status: s,
    label: humanize(s),
    count: stats.counts[s],
  }));
  return (
    <div className="h-56 w-full" role="img" aria-label="Recipients by status">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
          <XAxis
            dataKey="label"
            tick={{ fontSize: 11 }}
            interval={0}
            angle={-30}
            dy={8}
            height={48}
          />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip cursor={{ fill: "#f3f4f6" }} />
          <Bar dataKey="count" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.status} fill={COLORS[d.status]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
