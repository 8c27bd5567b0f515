// The agent profile's five JSON documents: their names, how they are edited as text, and what
// a Save has to send.

export const DOCUMENT_KEYS = [
  "business_config",
  "sales_rules",
  "tone_profile",
  "guardrails",
  "script_library",
] as const;

export type DocumentKey = (typeof DOCUMENT_KEYS)[number];

export const DOCUMENTS: Record<DocumentKey, { label: string; description: string }> = {
  business_config: {
    label: "Business config",
    description:
      "What you sell: business name, offer and pricing summaries, the calls-to-action to push, disqualifiers, working hours, contact links and timezone.",
  },
  sales_rules: {
    label: "Sales rules",
    description:
      "How the agent sells: which facts to qualify (required, optional, ask early or late, never), objection playbook, CTA sequencing and escalation triggers.",
  },
  tone_profile: {
    label: "Tone profile",
    description:
      "How the agent sounds: language, message length, honorifics, emoji, formality, persuasion and example messages.",
  },
  guardrails: {
    label: "Guardrails",
    description:
      "What the agent must never do or say, and the disclaimers it must include. Replies that break them are repaired or blocked.",
  },
  script_library: {
    label: "Script library",
    description:
      'Ready-made lines: openers, qualification questions, objection handlers, CTA scripts and exits. Each is a string or {"en": …, "hi-en": …}.',
  },
};

export function isDocumentKey(value: string): value is DocumentKey {
  return (DOCUMENT_KEYS as readonly string[]).includes(value);
}

/** How a document is shown in its editor: two-space pretty JSON. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value ?? {}, null, 2);
}

export type ParseResult =
  { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/** Where in `text` a JSON.parse error's "position N" is, as "line L, column C". */
function locate(text: string, message: string): string | null {
  const match = /position (\d+)/.exec(message);
  if (!match) return null;
  const pos = Number(match[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** Parses an editor's text: it must be a JSON object. */
export function parseDocument(text: string): ParseResult {
  if (!text.trim()) return { ok: false, error: "Enter a JSON object, for example {}." };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const where = locate(text, message);
    // Engines word this differently; keep the gist, and say where when we can.
    const gist = message.replace(/^JSON\.parse: /, "").replace(/ in JSON at position \d+.*$/, "");
    return { ok: false, error: `Invalid JSON${where ? ` at ${where}` : ""}: ${gist}` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { ok: false, error: "This document must be a JSON object ({ … })." };
  return { ok: true, value: value as Record<string, unknown> };
}

/** JSON with object keys sorted, so two documents compare equal however their keys are ordered. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export type Drafts = Record<DocumentKey, string>;

export function draftsOf(profile: Record<DocumentKey, unknown>): Drafts {
  const out = {} as Drafts;
  for (const key of DOCUMENT_KEYS) out[key] = prettyJson(profile[key]);
  return out;
}

export interface DraftState {
  /** Documents whose text differs from what is saved (valid or not). */
  dirty: DocumentKey[];
  /** Per document, the JSON error of its text. */
  errors: Partial<Record<DocumentKey, string>>;
  /** What Save sends: the changed, valid documents. Empty when any changed one is invalid. */
  body: Partial<Record<DocumentKey, Record<string, unknown>>>;
}

/** Which documents changed against the saved profile, whether they parse, and what to send. */
export function draftState(drafts: Drafts, saved: Record<DocumentKey, unknown>): DraftState {
  const state: DraftState = { dirty: [], errors: {}, body: {} };
  for (const key of DOCUMENT_KEYS) {
    const text = drafts[key];
    if (text === prettyJson(saved[key])) continue;
    const parsed = parseDocument(text);
    if (!parsed.ok) {
      state.dirty.push(key);
      state.errors[key] = parsed.error;
      continue;
    }
    // Reformatting or reordering keys alone is not a change.
    if (canonicalJson(parsed.value) === canonicalJson(saved[key] ?? {})) continue;
    state.dirty.push(key);
    state.body[key] = parsed.value;
  }
  if (Object.keys(state.errors).length > 0) state.body = {};
  return state;
}

export interface DocumentProblem {
  /** The full dotted field, "tone_profile.message_length_max_words". */
  field: string;
  /** The document it is in, when it is one of the five. */
  document: DocumentKey | null;
  /** The rest of the path inside the document, "message_length_max_words". */
  path: string;
  message: string;
}

/**
 * A 422 `invalid_document`'s details, `{field, message}`, split into the document and the
 * path inside it. Also accepts `{fields: {name: message}}` (the first one).
 */
export function documentProblem(details: unknown, fallbackMessage: string): DocumentProblem | null {
  if (!details || typeof details !== "object") return null;
  const d = details as { field?: unknown; message?: unknown; fields?: unknown };
  let field: string | null = typeof d.field === "string" ? d.field : null;
  let message = typeof d.message === "string" && d.message ? d.message : fallbackMessage;
  if (!field && d.fields && typeof d.fields === "object") {
    const first = Object.entries(d.fields as Record<string, unknown>)[0];
    if (first) {
      field = first[0];
      if (typeof first[1] === "string") message = first[1];
      else if (Array.isArray(first[1]) && typeof first[1][0] === "string") message = first[1][0];
    }
  }
  if (!field) return null;
  const [head = "", ...rest] = field.split(".");
  return {
    field,
    document: isDocumentKey(head) ? head : null,
    path: isDocumentKey(head) ? rest.join(".") : field,
    message,
  };
}

/** Sets `key` in a document's text, keeping the rest; null when the text is not valid JSON. */
export function setInDraft(text: string, key: string, value: unknown): string | null {
  const parsed = parseDocument(text);
  if (!parsed.ok) return null;
  const next = { ...parsed.value };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return prettyJson(next);
}
