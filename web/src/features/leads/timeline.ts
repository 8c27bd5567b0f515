// What one timeline entry says: its label and a line of detail, from the activity log's
// payload. Bookings, moves and cancellations, mode changes and assignments name what changed.
import { formatDateTime, humanize } from "../../lib/format";

type Payload = Record<string, unknown>;

const LABELS = {
  message: "Message",
  stage_change: "Stage changed",
  note: "Note",
  cta: "Call to action",
  handoff: "Handed to a person",
  opt_out: "Opted out",
  opt_in: "Opted in",
  erased: "Erased",
  mode_change: "Mode changed",
  calendar: "Calendar",
  assignment: "Assigned",
} as Record<string, string> & { calendar: string; mode_change: string; assignment: string };

const CALENDAR_LABELS: Record<string, string> = {
  calendar_booked: "Booked",
  calendar_rescheduled: "Rescheduled",
  calendar_cancelled: "Booking cancelled",
};

const text = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

function calendarText(p: Payload): string | null {
  const title = text(p.title);
  if (text(p.to))
    return `${title ?? "Moved"}: ${formatDateTime(text(p.from))} → ${formatDateTime(text(p.to))}`;
  const at = text(p.starts_at);
  return [title, at ? formatDateTime(at) : "time to be agreed"].filter(Boolean).join(", ");
}

function plainText(p: Payload): string | null {
  const how = text(p.source) ? humanize(p.source as string) : null;
  const why = text(p.reason);
  if (how) return why ? `${how}: ${why}` : how;
  for (const key of ["text", "body", "preview", "reason"]) {
    const v = text(p[key]);
    if (v) return v;
  }
  return null;
}

export function timelineEntry(
  type: string,
  data: unknown,
  memberName: (id: string) => string | undefined = () => undefined,
): { label: string; text: string | null } {
  const doc = (data ?? {}) as { event?: unknown; payload?: Payload | null };
  const p = doc.payload ?? {};
  switch (type) {
    case "calendar":
      return {
        label: CALENDAR_LABELS[String(doc.event)] ?? LABELS.calendar,
        text: calendarText(p),
      };
    case "mode_change": {
      const from = text(p.from);
      const to = text(p.to);
      return {
        label: LABELS.mode_change,
        text: from && to ? `${humanize(from)} → ${humanize(to)}` : plainText(p),
      };
    }
    case "assignment": {
      const to = text(p.to);
      const who = to ? (memberName(to) ?? "a member") : "nobody";
      const how = p.round_robin === true ? " (round-robin)" : "";
      return { label: to ? LABELS.assignment : "Unassigned", text: `To ${who}${how}` };
    }
    default:
      return { label: LABELS[type] ?? humanize(type), text: plainText(p) };
  }
}
