// The pure parts of the leads import, export, bulk and saved views: the column mapping the
// dialog starts from, what it checks before confirming, and the query/filter documents built
// from the Leads page's filters.

import { humanize } from "../../lib/format";
import type { LeadQuery } from "./api";

/** `{header: target | null}`, null = the column is not imported. */
export type Mapping = Record<string, string | null>;

/** The Select value standing for "Don't import" (a Select item cannot have an empty value). */
export const SKIP = "__skip";

/** The targets one lead is found by; a mapping needs at least one. */
export const IDENTITY_TARGETS = ["phone", "bsuid", "email"] as const;

/** Targets several columns may feed (their values are added together). */
const REPEATABLE = new Set(["tags", "note"]);

interface UploadedColumn {
  header: string;
  target?: string | null;
}

/**
 * The mapping the dialog starts from: the server's `mapping`, else each column's detected
 * `target`; a target the server does not offer is dropped.
 */
export function initialMapping(
  columns: readonly UploadedColumn[],
  mapping: Mapping | undefined,
  targets: readonly string[],
): Mapping {
  const offered = new Set(targets);
  const result: Mapping = {};
  for (const column of columns) {
    const chosen =
      mapping && column.header in mapping ? mapping[column.header] : (column.target ?? null);
    result[column.header] = chosen && offered.has(chosen) ? chosen : null;
  }
  return result;
}

/** Whether some column is mapped to a phone, bsuid or email. */
export function hasIdentity(mapping: Mapping): boolean {
  return Object.values(mapping).some(
    (t) => t !== null && (IDENTITY_TARGETS as readonly string[]).includes(t),
  );
}

/** Targets (other than tags and notes) more than one column is mapped to. */
export function duplicateTargets(mapping: Mapping): string[] {
  const seen = new Map<string, number>();
  for (const target of Object.values(mapping)) {
    if (target === null || REPEATABLE.has(target)) continue;
    seen.set(target, (seen.get(target) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([t]) => t);
}

/** What stops the mapping from being confirmed, or null. */
export function mappingProblem(mapping: Mapping): string | null {
  if (!hasIdentity(mapping))
    return "Map a column to Phone, Email or WhatsApp ID so each row can be matched to a lead.";
  const dupes = duplicateTargets(mapping);
  if (dupes.length)
    return `More than one column is mapped to ${dupes.map(targetLabel).join(", ")}.`;
  return null;
}

const LABELS: Record<string, string> = {
  bsuid: "WhatsApp ID (bsuid)",
  owner_email: "Owner (email)",
  stage: "Stage (name)",
  value_minor: "Value",
  lead_status: "Status",
  note: "Note",
  opted_out: "Opted out (yes = never message)",
};

/** A target as a person reads it: `custom_fields.budget` → "Budget (custom field)". */
export function targetLabel(target: string): string {
  if (target.startsWith("custom_fields."))
    return `${humanize(target.slice("custom_fields.".length))} (custom field)`;
  return LABELS[target] ?? humanize(target);
}

/** The options of a column's target Select: "Don't import", then every target. */
export function targetOptions(targets: readonly string[]): { value: string; label: string }[] {
  return [
    { value: SKIP, label: "Don't import" },
    ...targets.map((t) => ({ value: t, label: targetLabel(t) })),
  ];
}

export type ImportMode = "create" | "update" | "upsert";

export const IMPORT_MODES: { value: ImportMode; label: string; description: string }[] = [
  {
    value: "upsert",
    label: "Create and update",
    description: "New leads are added, known ones updated.",
  },
  { value: "create", label: "Only create", description: "Rows matching a lead are skipped." },
  { value: "update", label: "Only update", description: "Rows matching no lead are skipped." },
];

/** Whether an import has stopped (no more polling). */
export function importFinished(status: string | undefined): boolean {
  return status === "completed" || status === "failed";
}

/** Progress as a whole percentage, 0–100. */
export function importPercent(processed: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.round((processed / total) * 100));
}

/** The list's query for the export: the filters without paging. */
export function exportQuery(query: LeadQuery): LeadQuery {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { cursor, limit, count, ...rest } = query;
  return rest;
}

export interface FilterCondition {
  field: string;
  operator: string;
  value: unknown;
  glue?: "and" | "or";
}

/**
 * The page's filters as a saved view's filter document (search and sort are saved beside it,
 * as the view's `q` and `sort`).
 */
export function filterFromQuery(query: LeadQuery): FilterCondition[] {
  const filter: FilterCondition[] = [];
  if (query.lead_status)
    filter.push({ field: "lead_status", operator: "equal_to", value: query.lead_status });
  if (query.tag?.length) filter.push({ field: "tags", operator: "in", value: query.tag });
  if (query.lead_source)
    filter.push({ field: "lead_source", operator: "equal_to", value: query.lead_source });
  if (query.opted_out !== undefined)
    filter.push({ field: "opted_out", operator: "equal_to", value: query.opted_out });
  if (query.owner_id)
    filter.push({ field: "owner_id", operator: "equal_to", value: query.owner_id });
  return filter;
}

/** `leads-2026-12-06.csv` for a day. */
export function exportFileName(now: Date = new Date()): string {
  return `leads-${now.toISOString().slice(0, 10)}.csv`;
}

/** Saves a blob as a file the browser downloads. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** "3 leads" / "1 lead". */
export function leadsCount(n: number): string {
  return `${n} ${n === 1 ? "lead" : "leads"}`;
}
