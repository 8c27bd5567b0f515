import type { components } from "../../api/types";

type OptOutSource = components["schemas"]["OptOutSource"];
type LeadDetail = components["schemas"]["LeadDetail"];

/** How a person came onto the opt-out list, in words. */
export const SOURCE_LABELS: Record<OptOutSource, string> = {
  keyword: "Wrote STOP",
  button: "Tapped stop",
  manual: "By a member",
  bulk: "Bulk action",
  import: "Import",
  erasure: "Data erased",
};

export const SOURCES = Object.keys(SOURCE_LABELS) as OptOutSource[];

/** The word that confirms an erasure when the lead has no name to type. */
export const ERASE_WORD = "ERASE";

/**
 * Whether what was typed confirms erasing the lead: ERASE, or its name in any case, spacing
 * and end punctuation ("priya shah" for "Priya Shah.").
 */
export function eraseConfirmed(typed: string, leadName: string | null | undefined): boolean {
  if (typed.trim() === ERASE_WORD) return true;
  const name = comparable(leadName ?? "");
  return name !== "" && comparable(typed) === name;
}

function comparable(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, "");
}

/** What erasing this lead removes, as the confirmation lists it (only what the lead has). */
export function erasedItems(lead: LeadDetail): string[] {
  const items: string[] = [];
  const identity = [
    lead.name && "name",
    lead.phone && "phone number",
    lead.email && "email",
    lead.bsuid && "WhatsApp id",
  ].filter(Boolean) as string[];
  if (identity.length) items.push(`Their ${joinWords(identity)}`);
  const profile = [
    lead.business && "business",
    lead.website && "website",
    lead.city && "city",
  ].filter(Boolean) as string[];
  if (profile.length) items.push(`Their ${joinWords(profile)}`);
  const fields = Object.keys(lead.custom_fields ?? {}).length;
  if (fields) items.push(plural(fields, "custom field value"));
  if (lead.notes.length) items.push(plural(lead.notes.length, "note"));
  const slots = Object.keys((lead.slots ?? {}) as Record<string, unknown>).length;
  if (slots) items.push(`${plural(slots, "thing")} the agent learned`);
  items.push(
    "In messages and the agent's notes and decisions: their name, phone (any spelling), email and what they told the agent, replaced by [redacted]",
  );
  return items;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function joinWords(words: string[]): string {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
