import type { Range, ReportInterval } from "./api";

export type Preset = "7" | "30" | "90" | "365";

export const PRESETS: { value: Preset; label: string }[] = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
  { value: "365", label: "Last 12 months" },
];

export const INTERVALS: { value: ReportInterval; label: string }[] = [
  { value: "day", label: "By day" },
  { value: "week", label: "By week" },
  { value: "month", label: "By month" },
];

const DAY = 24 * 60 * 60 * 1000;

/**
 * The last `days` days up to `now`: from the start of the (browser-local) day `days - 1` days
 * ago, to the start of tomorrow. Whole days, so the key stays the same all day and the
 * server's day buckets line up.
 */
export function lastDays(days: number, now: Date = new Date()): Range {
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const from = new Date(tomorrow.getTime() - days * DAY);
  const start = new Date(from.getFullYear(), from.getMonth(), from.getDate());
  return { from: start.toISOString(), to: tomorrow.toISOString() };
}

/** The interval that keeps a chart readable for a period of `days`. */
export function defaultInterval(days: number): ReportInterval {
  if (days > 120) return "month";
  if (days > 45) return "week";
  return "day";
}

/** Percent change from `before` to `now`; null when there was nothing before. */
export function change(now: number, before: number): number | null {
  if (before === 0) return null;
  return Math.round(((now - before) / before) * 100);
}

/** "3m 20s", "45s", "2h 5m": a duration for people. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
