// Pure helpers of the Leads pages: how values are shown and how what a person typed becomes
// what the API takes. The server validates every value again (422 by field path).
import type { CustomField, CustomFieldType, LeadStatus } from "./api";

export const LEAD_STATUSES: LeadStatus[] = [
  "new",
  "qualifying",
  "qualified",
  "engaged",
  "hot",
  "won",
  "lost",
  "dropped",
  "needs_human",
  "opted_out",
];

export const STATUS_TONES: Record<
  LeadStatus,
  "gray" | "green" | "amber" | "red" | "blue" | "violet"
> = {
  new: "blue",
  qualifying: "gray",
  qualified: "violet",
  engaged: "gray",
  hot: "amber",
  won: "green",
  lost: "red",
  dropped: "gray",
  needs_human: "amber",
  opted_out: "red",
};

export const FIELD_TYPE_LABELS: Record<CustomFieldType, string> = {
  text: "Text",
  number: "Number",
  date: "Date",
  select: "Choice",
  multiselect: "Several choices",
  boolean: "Yes / no",
  url: "Web address",
  currency: "Amount",
};

/** `"2,999.5"` → `299950`; `""` → null; anything else → undefined (not an amount). */
export function parseMajor(text: string): number | null | undefined {
  const t = text.replace(/,/g, "").trim();
  if (t === "") return null;
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return undefined;
  const [whole = "0", frac = ""] = t.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

/** Tag names typed in one box, split on commas or semicolons, without repeats (any case). */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[,;]/)) {
    const t = raw.trim().replace(/\s+/g, " ");
    if (t && !out.some((o) => o.toLowerCase() === t.toLowerCase())) out.push(t);
  }
  return out;
}

/** The next `sort` when a column header is clicked: the same column flips its direction. */
export function nextSort(current: string, key: string): string {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return key;
  // Times and numbers read best highest first; names A→Z.
  return key === "name" ? key : `-${key}`;
}

/** `aria-sort` of a column under `sort`. */
export function ariaSort(current: string, key: string): "ascending" | "descending" | "none" {
  if (current === key) return "ascending";
  if (current === `-${key}`) return "descending";
  return "none";
}

/** How an edited custom field's value is held in a form. */
export type FieldDraft = string | boolean | string[];

/** The form's draft of a stored value. */
export function draftOf(field: CustomField, value: unknown): FieldDraft {
  if (field.type === "boolean") return value === true;
  if (field.type === "multiselect") return Array.isArray(value) ? value.map(String) : [];
  if (value === null || value === undefined) return "";
  return String(value);
}

/** What the API is sent for a draft: empty clears (null); the server checks the rest. */
export function valueOf(field: CustomField, draft: FieldDraft): unknown {
  if (field.type === "boolean") return draft === true;
  if (field.type === "multiselect") return Array.isArray(draft) && draft.length ? draft : null;
  const text = typeof draft === "string" ? draft.trim() : "";
  if (text === "") return null;
  if (field.type === "number" && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** A stored value in words. */
export function displayValue(field: CustomField, value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (field.type === "boolean") return value === true ? "Yes" : "No";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "—";
  if (field.type === "currency" && field.currency) return `${field.currency} ${String(value)}`;
  return String(value);
}
