import type { Template, TemplateInput } from "./api";

/** A blank draft: a utility template with named placeholders. */
export function emptyDraft(): TemplateInput {
  return {
    name: "",
    language: "en_US",
    category: "utility",
    parameter_format: "named",
    header: null,
    body: { text: "", examples: {} },
    footer: null,
    buttons: [],
    variables: {},
  };
}

export function draftOf(t: Template): TemplateInput {
  return {
    name: t.name,
    language: t.language,
    category: t.category,
    parameter_format: t.parameter_format,
    header: t.header ?? null,
    body: t.body,
    footer: t.footer ?? null,
    buttons: t.buttons,
    variables: t.variables,
  };
}

/** The distinct `{{...}}` names of a text, in order (what needs a sample and a mapping). */
export function placeholdersOf(text: string | null | undefined): string[] {
  const names: string[] = [];
  for (const m of (text ?? "").matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const name = m[1] ?? "";
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Keeps only the samples and mappings of placeholders the text still has. */
export function pruned(draft: TemplateInput): TemplateInput {
  const names = placeholdersOf(draft.body.text);
  const examples = Object.fromEntries(
    Object.entries(draft.body.examples ?? {}).filter(([k]) => names.includes(k)),
  );
  const keys = new Set([...names, "header", ...(draft.buttons ?? []).map((_, i) => `button:${i}`)]);
  const variables = Object.fromEntries(
    Object.entries(draft.variables ?? {}).filter(([k]) => keys.has(k)),
  );
  return { ...draft, body: { ...draft.body, examples }, variables };
}
