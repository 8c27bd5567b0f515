// The controls the document forms are built from. Each edits one key of a document (a JSON
// object) and hands back the new value; the documents stay free JSON, so a value of the wrong
// shape shows as empty rather than breaking the form.
import { Plus, X } from "lucide-react";
import { useState, type ReactNode } from "react";
import { REPLY_LANGUAGE_LABELS, isOneOf, REPLY_LANGUAGES } from "../../../api/enums";
import { Button } from "../../../components/ui/Button";
import { Field } from "../../../components/ui/Field";
import { Input, Textarea } from "../../../components/ui/Input";

export type Doc = Record<string, unknown>;

export interface FormProps {
  doc: Doc;
  /** Sets one key of the document (undefined removes it). */
  set: (key: string, value: unknown) => void;
  disabled: boolean;
  /** The server's message for a path inside this document, if it named one. */
  error: (path: string) => string | undefined;
}

export function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function object(value: unknown): Doc {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Doc) : {};
}

/** A one-line or multi-line text key. */
export function TextField({
  label,
  value,
  onChange,
  disabled,
  error,
  hint,
  multiline,
}: {
  label: string;
  value: unknown;
  onChange: (v: string) => void;
  disabled: boolean;
  error?: string;
  hint?: ReactNode;
  multiline?: boolean;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {multiline ? (
        <Textarea
          value={text(value)}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          rows={2}
        />
      ) : (
        <Input value={text(value)} onChange={(e) => onChange(e.target.value)} disabled={disabled} />
      )}
    </Field>
  );
}

const itemsOf = (raw: string) =>
  raw
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** A list of texts, one per line. */
export function LinesField({
  label,
  value,
  onChange,
  disabled,
  error,
  hint,
}: {
  label: string;
  value: unknown;
  onChange: (items: string[]) => void;
  disabled: boolean;
  error?: string;
  hint?: ReactNode;
}) {
  const items = strings(value);
  const [raw, setRaw] = useState(items.join("\n"));
  // Edited elsewhere (the JSON view, a save): show the new list; typing keeps its blank lines.
  if (itemsOf(raw).join("\n") !== items.join("\n")) setRaw(items.join("\n"));
  return (
    <Field label={label} error={error} hint={hint ?? "One per line."}>
      <Textarea
        value={raw}
        onChange={(e) => {
          setRaw(e.target.value);
          onChange(itemsOf(e.target.value));
        }}
        disabled={disabled}
        rows={Math.min(8, Math.max(2, items.length + 1))}
      />
    </Field>
  );
}

/**
 * Named entries (slot → requirement, objection → answer, link name → URL): a row per entry
 * with its own control, a remove button, and a name box to add one.
 */
export function EntriesField({
  label,
  value,
  onChange,
  disabled,
  error,
  hint,
  newValue,
  renderValue,
  addLabel = "Add",
  placeholder,
  testId,
}: {
  label: string;
  value: unknown;
  onChange: (next: Doc) => void;
  disabled: boolean;
  error?: string;
  hint?: ReactNode;
  /** The value a new entry starts with. */
  newValue: unknown;
  renderValue: (key: string, value: unknown, set: (v: unknown) => void) => ReactNode;
  addLabel?: string;
  /** An example name for a new entry. */
  placeholder: string;
  testId?: string;
}) {
  const entries = Object.entries(object(value));
  const [name, setName] = useState("");
  const key = name.trim().toLowerCase().replace(/\s+/g, "_");
  const replace = (k: string, v: unknown) =>
    onChange(Object.fromEntries(entries.map(([ek, ev]) => [ek, ek === k ? v : ev])));
  const remove = (k: string) => onChange(Object.fromEntries(entries.filter(([ek]) => ek !== k)));
  const add = () => {
    if (!key || entries.some(([k]) => k === key)) return;
    onChange({ ...Object.fromEntries(entries), [key]: newValue });
    setName("");
  };
  return (
    <fieldset className="space-y-2" data-testid={testId}>
      <legend className="text-sm font-medium text-gray-700">{label}</legend>
      {hint && <p className="text-sm text-gray-500">{hint}</p>}
      {entries.length === 0 && <p className="text-sm text-gray-400">None yet.</p>}
      <ul className="space-y-2">
        {entries.map(([k, v]) => (
          <li key={k} className="flex flex-col gap-1.5 sm:flex-row sm:items-start sm:gap-3">
            <span className="shrink-0 pt-2 font-mono text-xs text-gray-700 sm:w-40 sm:truncate">
              {k}
            </span>
            <div className="min-w-0 flex-1">{renderValue(k, v, (next) => replace(k, next))}</div>
            <Button
              variant="ghost"
              size="sm"
              onClick={() => remove(k)}
              disabled={disabled}
              aria-label={`Remove ${k}`}
            >
              <X className="size-4" aria-hidden="true" />
            </Button>
          </li>
        ))}
      </ul>
      {!disabled && (
        <div className="flex gap-2">
          <Input
            value={name}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                add();
              }
            }}
            placeholder={placeholder}
            aria-label={`New entry for ${label}`}
            className="max-w-xs"
          />
          <Button variant="secondary" size="sm" onClick={add} disabled={!key}>
            <Plus className="size-4" aria-hidden="true" />
            {addLabel}
          </Button>
        </div>
      )}
      {error && <p className="text-sm text-red-600">{error}</p>}
    </fieldset>
  );
}

/** A script line: one text, or one per language (`{"en": …, "hi-en": …}`). */
export function ScriptInput({
  name,
  value,
  onChange,
  disabled,
}: {
  name: string;
  value: unknown;
  onChange: (v: unknown) => void;
  disabled: boolean;
}) {
  if (typeof value === "string" || value == null)
    return (
      <Textarea
        value={text(value)}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        rows={2}
        aria-label={name}
      />
    );
  const lines = object(value);
  return (
    <div className="space-y-1.5">
      {Object.entries(lines).map(([lang, line]) => (
        <label key={lang} className="flex items-start gap-2">
          <span className="w-16 shrink-0 pt-2 text-xs text-gray-500">
            {isOneOf(REPLY_LANGUAGES, lang) ? REPLY_LANGUAGE_LABELS[lang] : lang}
          </span>
          <Textarea
            value={text(line)}
            onChange={(e) => onChange({ ...lines, [lang]: e.target.value })}
            disabled={disabled}
            rows={2}
            aria-label={`${name} (${lang})`}
          />
        </label>
      ))}
    </div>
  );
}
