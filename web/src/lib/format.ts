import { ROLE_LABELS } from "../api/enums";
import type { Role } from "../api/models";

const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** A server time as a `Date`; null when it is missing or not a time. */
export function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(value: string | null | undefined): string {
  const d = parseDate(value);
  return d ? dateFormat.format(d) : "—";
}

export function formatDateTime(value: string | null | undefined): string {
  const d = parseDate(value);
  return d ? dateTimeFormat.format(d) : "—";
}

/** An enum-ish value in words: "click_to_chat_ad" → "Click to chat ad"; "—" when missing. */
export function humanize(value: string | null | undefined): string {
  if (!value) return "—";
  const text = value.replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role] ?? humanize(role);
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase();
}

export function canManage(role: Role | undefined): boolean {
  return role === "owner" || role === "admin";
}

/**
 * A deal value in minor units (`299950`) as people read it: `₹2,999.50` in the organisation's
 * currency, or `2,999.50` while the currency is not known yet; `—` for no value.
 */
export function formatMoney(minor: number | null | undefined, currency?: string): string {
  if (minor === null || minor === undefined) return "—";
  const digits = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  if (!currency) return (minor / 100).toLocaleString("en-IN", digits);
  return (minor / 100).toLocaleString("en-IN", { style: "currency", currency, ...digits });
}

/** A count as people read it, grouped like the money beside it: `10,00,000` leads, not `1000000`. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-IN");
}
