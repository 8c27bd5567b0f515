// Pure helpers of the inbox and the playground: how messages, days, times and media read.

import {
  AUTHOR_LABELS,
  DELIVERY_STATUS_LABELS,
  isKeyOf,
  MEDIA_STATUS_LABELS,
  MESSAGE_TYPE_LABELS,
} from "../../api/enums";
import type {
  Conversation,
  DeliveryStatus,
  MediaView,
  Message,
  MessageType,
} from "../../api/models";

type LastMessage = NonNullable<Conversation["last_message"]>;
import { humanize, parseDate as parse } from "../../lib/format";

export interface DeliveryInfo {
  status: DeliveryStatus | "unknown";
  /** What a screen reader says and the tooltip shows. */
  label: string;
  /** Which glyph to draw. */
  glyph: "clock" | "tick" | "double-tick" | "error";
  /** Read is blue; failure red; the rest grey. */
  tone: "muted" | "blue" | "red";
}

const DELIVERY_LOOKS: Record<DeliveryStatus, Pick<DeliveryInfo, "glyph" | "tone">> = {
  queued: { glyph: "clock", tone: "muted" },
  sent: { glyph: "tick", tone: "muted" },
  delivered: { glyph: "double-tick", tone: "muted" },
  read: { glyph: "double-tick", tone: "blue" },
  failed: { glyph: "error", tone: "red" },
};

/** How an outbound message's delivery status is drawn. */
export function deliveryInfo(status: DeliveryStatus): DeliveryInfo {
  // A status newer than this build (the server moved on first) draws as a clock.
  if (!isKeyOf(DELIVERY_LOOKS, status))
    return { status: "unknown", label: status || "Unknown", glyph: "clock", tone: "muted" };
  return { status, label: DELIVERY_STATUS_LABELS[status], ...DELIVERY_LOOKS[status] };
}

/** "Failed: Re-engagement message (131047)" from a message's error. */
export function failureText(
  error: { code?: number | null; title?: string | null } | null | undefined,
): string {
  const title = error?.title?.trim() || "Not delivered";
  return error?.code != null ? `${title} (${error.code})` : title;
}

/** The local calendar day of a time, as `YYYY-MM-DD`. */
export function dayKey(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

/** Whole local days from `date` to `now` (0 = same day, 1 = yesterday). */
function daysAgo(date: Date, now: Date): number {
  return Math.round((startOfDay(now).getTime() - startOfDay(date).getTime()) / 86_400_000);
}

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
});
const dayWithYearFormat = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "long",
  year: "numeric",
});

/** "Today", "Yesterday", "Monday, 3 March", or with the year when it is not this year. */
export function dayLabel(date: Date, now: Date = new Date()): string {
  const ago = daysAgo(date, now);
  if (ago === 0) return "Today";
  if (ago === 1) return "Yesterday";
  if (date.getFullYear() === now.getFullYear()) return dayFormat.format(date);
  return dayWithYearFormat.format(date);
}

export interface DayGroup<T> {
  key: string;
  label: string;
  items: T[];
}

/** Splits messages (oldest first) into runs of the same local day, each with its label. */
export function groupByDay<T extends { created_at: string }>(
  items: readonly T[],
  now: Date = new Date(),
): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const item of items) {
    const date = parse(item.created_at) ?? now;
    const key = dayKey(date);
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.items.push(item);
    else groups.push({ key, label: dayLabel(date, now), items: [item] });
  }
  return groups;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "short" });

/** "14:32" */
export function clockTime(value: string | null | undefined): string {
  const d = parse(value);
  return d ? timeFormat.format(d) : "";
}

/** The list's compact time: "now", "5m", "3h" today; "Yesterday"; "Mon" this week; "3 Mar". */
export function relativeTime(value: string | null | undefined, now: Date = new Date()): string {
  const d = parse(value);
  if (!d) return "";
  const seconds = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
  const ago = daysAgo(d, now);
  if (ago <= 0) {
    if (seconds < 60) return "now";
    if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
    return `${Math.floor(seconds / 3600)}h`;
  }
  if (ago === 1) return "Yesterday";
  if (ago < 7) return weekdayFormat.format(d);
  return shortDateFormat.format(d);
}

type Media = Record<string, unknown>;

function mediaObject(media: unknown): Media {
  return media && typeof media === "object" && !Array.isArray(media) ? (media as Media) : {};
}

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() ? value.trim() : null;
}

/** A reply button under an interactive message. */
export interface ReplyButton {
  id: string;
  title: string;
}

/** The reply buttons of an interactive message (the agent's offers carry two). */
export function replyButtons(message: Pick<Message, "type" | "media">): ReplyButton[] {
  if (message.type !== "interactive") return [];
  const buttons = mediaObject(message.media).buttons;
  if (!Array.isArray(buttons)) return [];
  return buttons.flatMap((b: unknown) => {
    const o = mediaObject(b);
    const id = str(o.id);
    const title = str(o.title);
    return id && title ? [{ id, title }] : [];
  });
}

/**
 * The placeholder a non-text message shows instead of its content ("Image", "Voice message",
 * "Document: brochure.pdf"...). Null for text-like messages.
 */
export function mediaLabel(message: Pick<Message, "type" | "media">): string | null {
  const media = mediaObject(message.media);
  const label = MESSAGE_TYPE_LABELS[message.type];
  switch (message.type) {
    case "image":
    case "voice":
    case "video":
    case "sticker":
    case "contacts":
    case "unsupported":
      return label;
    case "audio":
      return media.voice === true ? MESSAGE_TYPE_LABELS.voice : label;
    case "document": {
      const name = str(media.file_name) ?? str(media.filename);
      return name ? `${label}: ${name}` : label;
    }
    case "location": {
      const name = str(media.name) ?? str(media.address);
      return name ? `${label}: ${name}` : label;
    }
    default:
      return null;
  }
}

/** The file a media message carries, once the server knows it (our id, type, size, link). */
export type MessageFile = Pick<MediaView, "id" | "mime_type" | "status"> &
  Partial<Pick<MediaView, "size_bytes" | "file_name" | "url" | "transcript">>;

const FILE_TYPES: readonly MessageType[] = [
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
];

export function messageFile(message: Pick<Message, "type" | "media">): MessageFile | null {
  if (!FILE_TYPES.includes(message.type)) return null;
  const media = mediaObject(message.media);
  const id = str(media.id);
  const status = str(media.status);
  if (!id || !status || !isKeyOf(MEDIA_STATUS_LABELS, status)) return null;
  const size = typeof media.size_bytes === "number" ? media.size_bytes : null;
  return {
    id,
    status,
    mime_type: str(media.mime_type) ?? "application/octet-stream",
    size_bytes: size,
    file_name: str(media.file_name) ?? str(media.filename),
    url: str(media.url),
    transcript: str(media.transcript),
  };
}

/** "2.4 MB", "310 KB", "12 bytes". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return "";
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The caption under a media placeholder (the media's caption, else the message text). */
export function mediaCaption(message: { text?: string | null; media?: unknown }): string | null {
  return str(mediaObject(message.media).caption) ?? str(message.text);
}

export interface WindowStatus {
  open: boolean;
  label: string;
}

/** The 24-hour customer-service window: "Window open until 14:32" or "Window closed". */
export function windowStatus(
  openUntil: string | null | undefined,
  now: Date = new Date(),
): WindowStatus {
  const until = parse(openUntil);
  if (!until || until.getTime() <= now.getTime()) return { open: false, label: "Window closed" };
  const sameDay = dayKey(until) === dayKey(now);
  const when = sameDay
    ? timeFormat.format(until)
    : `${shortDateFormat.format(until)}, ${timeFormat.format(until)}`;
  return { open: true, label: `Window open until ${when}` };
}

/** A list row's preview of the last message. */
export function previewText(
  last: Pick<LastMessage, "text" | "direction" | "author"> | null | undefined,
): string {
  if (!last) return "No messages yet";
  let text = str(last.text) ?? "Attachment";
  // The server previews a message without text as its kind in brackets: "[voice]".
  const kind = /^\[([a-z_]+)\]$/.exec(text)?.[1];
  if (kind)
    text = isKeyOf(MESSAGE_TYPE_LABELS, kind)
      ? (mediaLabel({ type: kind }) ?? MESSAGE_TYPE_LABELS[kind])
      : humanize(kind);
  if (last.direction === "out") return `${AUTHOR_LABELS[last.author ?? "human"]}: ${text}`;
  return text;
}

/** A stored number ("15551234567", as WhatsApp writes it) shown as "+15551234567". */
export function formatPhone(phone: string | null | undefined): string {
  const trimmed = (phone ?? "").trim();
  return /^\d{7,15}$/.test(trimmed) ? `+${trimmed}` : trimmed;
}
