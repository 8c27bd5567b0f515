// Canned replies in the composer: "/" opens them, what follows filters them, and the chosen
// one goes in with its {{variables}} filled from the lead (the same rule as the server's
// `closer_domain::canned::fill_variables`: a variable with no value stays as written).
import type { CannedReply } from "../../api/models";

/** The filter typed after "/", when the composer holds only "/word"; null otherwise. */
export function cannedQuery(text: string): string | null {
  const match = /^\/([a-z0-9_-]*)$/i.exec(text);
  return match ? match[1]!.toLowerCase() : null;
}

/** Replies whose shortcut starts with the query first, then those containing it elsewhere. */
export function filterCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const starts = replies.filter((r) => r.shortcut.startsWith(query));
  const contains = replies.filter(
    (r) =>
      !r.shortcut.startsWith(query) &&
      (r.shortcut.includes(query) || r.text.toLowerCase().includes(query)),
  );
  return [...starts, ...contains];
}

/** `{{name}}`, `{{ Phone }}`…: filled from `values` (keys lower case); unknown ones stay. */
export function fillVariables(text: string, values: Record<string, string | null | undefined>) {
  return text.replace(/\{\{([^{}]*)\}\}/g, (whole, key: string) => {
    const value = values[key.trim().toLowerCase()];
    return value && value.trim() ? value : whole;
  });
}

/** What a lead offers to fill: name, first name, phone, and email and city once known. */
export function leadValues(lead: {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  city?: string | null;
}): Record<string, string | null | undefined> {
  const name = lead.name?.trim() || null;
  return {
    name,
    first_name: name?.split(/\s+/)[0] ?? null,
    phone: lead.phone,
    email: lead.email,
    city: lead.city,
  };
}
