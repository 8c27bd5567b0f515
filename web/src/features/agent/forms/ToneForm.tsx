import {
  EMOJI_POLICIES,
  EMOJI_POLICY_LABELS,
  FORMALITIES,
  FORMALITY_LABELS,
  isOneOf,
  optionsOf,
  PERSUASION_LABELS,
  PERSUASIONS,
  REPLY_LANGUAGE_LABELS,
  REPLY_LANGUAGES,
} from "../../../api/enums";
import { Field } from "../../../components/ui/Field";
import { Input } from "../../../components/ui/Input";
import { Select } from "../../../components/ui/Select";
import { LinesField, type FormProps } from "./controls";

const LANGUAGES = optionsOf(REPLY_LANGUAGES, REPLY_LANGUAGE_LABELS);
const EMOJI = optionsOf(EMOJI_POLICIES, EMOJI_POLICY_LABELS);
const FORMALITY = optionsOf(FORMALITIES, FORMALITY_LABELS);
const PERSUASION = optionsOf(PERSUASIONS, PERSUASION_LABELS);

/** Tone profile: how the agent sounds. */
export function ToneForm({ doc, set, disabled, error }: FormProps) {
  // The tone profile is free JSON: a value outside the list shows as unset.
  const choice = <T extends string>(list: readonly T[], key: string): T | "" => {
    const value = doc[key];
    return isOneOf(list, value) ? value : "";
  };
  const maxWords = doc.message_length_max_words;
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <Field label="Language" error={error("language")}>
        <Select
          value={choice(REPLY_LANGUAGES, "language")}
          onValueChange={(v) => set("language", v)}
          options={LANGUAGES}
          disabled={disabled}
          placeholder="Choose…"
        />
      </Field>
      <Field
        label="Max words per message"
        hint="5 to 60 words."
        error={error("message_length_max_words")}
      >
        <Input
          type="number"
          inputMode="numeric"
          value={
            typeof maxWords === "number" || typeof maxWords === "string" ? String(maxWords) : ""
          }
          disabled={disabled}
          onChange={(e) => {
            const raw = e.target.value.trim();
            const n = Number(raw);
            set("message_length_max_words", raw === "" ? undefined : Number.isFinite(n) ? n : raw);
          }}
        />
      </Field>
      <Field label="Emoji" error={error("emoji_policy")}>
        <Select
          value={choice(EMOJI_POLICIES, "emoji_policy")}
          onValueChange={(v) => set("emoji_policy", v)}
          options={EMOJI}
          disabled={disabled}
          placeholder="Choose…"
        />
      </Field>
      <Field label="Formality" error={error("formality")}>
        <Select
          value={choice(FORMALITIES, "formality")}
          onValueChange={(v) => set("formality", v)}
          options={FORMALITY}
          disabled={disabled}
          placeholder="Choose…"
        />
      </Field>
      <Field label="Persuasion" error={error("persuasion_level")}>
        <Select
          value={choice(PERSUASIONS, "persuasion_level")}
          onValueChange={(v) => set("persuasion_level", v)}
          options={PERSUASION}
          disabled={disabled}
          placeholder="Choose…"
        />
      </Field>
      <div className="flex items-center gap-2 self-end pb-2">
        <input
          id="tone-honorifics"
          type="checkbox"
          className="size-4 rounded border-gray-300 text-brand-600 focus:ring-brand-500"
          checked={doc.honorifics === true}
          disabled={disabled}
          onChange={(e) => set("honorifics", e.target.checked)}
        />
        <label htmlFor="tone-honorifics" className="text-sm font-medium text-gray-700">
          Use honorifics (ji, sir, ma&apos;am)
        </label>
      </div>
      <div className="sm:col-span-2 lg:col-span-3">
        <LinesField
          label="Example messages in your voice"
          value={doc.examples}
          onChange={(v) => set("examples", v)}
          disabled={disabled}
          error={error("examples")}
        />
      </div>
    </div>
  );
}
