import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Switch } from "../../components/ui/Switch";
import {
  EMOJI_POLICIES,
  EMOJI_POLICY_LABELS,
  FORMALITIES,
  FORMALITY_LABELS,
  optionsOf,
  PERSUASION_LABELS,
  PERSUASIONS,
  REPLY_LANGUAGE_LABELS,
  REPLY_LANGUAGES,
} from "../../api/enums";
import type { StepProps } from "./BasicsSteps";
import { ChoiceGroup, LinesField } from "./fields";

/** F. Policy guardrails. */
export function GuardrailsStep({ form, update, errors, disabled }: StepProps) {
  const g = form.guardrails;
  return (
    <div className="space-y-5">
      <LinesField
        label="Claims the agent must never make"
        value={g.forbidden_claims}
        onChange={(forbidden_claims) => update("guardrails", { forbidden_claims })}
        error={errors.forbidden_claims}
        hint="Short phrases are also blocked word for word in every reply. One per line."
        placeholder={"guaranteed returns\nrisk-free"}
        disabled={disabled}
      />
      <LinesField
        label="Disclaimers the agent must include"
        value={g.required_disclaimers}
        onChange={(required_disclaimers) => update("guardrails", { required_disclaimers })}
        error={errors.required_disclaimers}
        hint="Added to any message about your offer or prices. Up to 3, one per line."
        placeholder="Trading involves risk. Past performance is no guarantee of future results."
        rows={2}
        disabled={disabled}
      />
      <LinesField
        label="Language restrictions"
        value={g.language_restrictions}
        onChange={(language_restrictions) => update("guardrails", { language_restrictions })}
        error={errors.language_restrictions}
        placeholder="e.g. No slang or abbreviations"
        rows={2}
        disabled={disabled}
      />
      <LinesField
        label="Other rules"
        value={g.custom_rules}
        onChange={(custom_rules) => update("guardrails", { custom_rules })}
        error={errors.custom_rules}
        placeholder="e.g. Always mention the free demo class"
        rows={2}
        disabled={disabled}
      />
      <p className="text-xs text-gray-500">
        Built in, whatever you write: the agent never claims to be human, stops at once when a lead
        opts out, and never spams a lead who stopped answering.
      </p>
    </div>
  );
}

const LANGUAGES = optionsOf(REPLY_LANGUAGES, REPLY_LANGUAGE_LABELS, {
  en: "“Hi! How can I help?”",
  "hi-en": "“Namaste! Kaise help karun?”",
  hi: "“नमस्ते! कैसे मदद करूँ?”",
});
const EMOJI = optionsOf(EMOJI_POLICIES, EMOJI_POLICY_LABELS);
const FORMALITY = optionsOf(FORMALITIES, FORMALITY_LABELS);
const PERSUASION = optionsOf(PERSUASIONS, PERSUASION_LABELS, {
  soft: "Suggests, never pushes",
  moderate: "Asks for the next step",
  firm: "Leads to the next step",
});

/** G. Tone and personality. */
export function ToneStep({ form, update, errors, disabled }: StepProps) {
  const t = form.tone;
  return (
    <div className="space-y-6">
      <ChoiceGroup
        label="Language"
        value={t.language}
        options={LANGUAGES}
        onChange={(language) => update("tone", { language })}
        disabled={disabled}
      />
      <div className="grid gap-5 sm:grid-cols-2">
        <Field
          label="Max words per message"
          error={errors.message_length}
          hint="Between 5 and 25. Short messages read best on WhatsApp."
        >
          <Input
            type="number"
            inputMode="numeric"
            min={5}
            max={25}
            value={t.message_length}
            onChange={(e) => update("tone", { message_length: e.target.value })}
            disabled={disabled}
          />
        </Field>
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-gray-700">Questions per message</p>
          <p className="flex h-9 items-center text-sm text-gray-600">
            One at most, always: leads answer one question at a time.
          </p>
        </div>
      </div>
      <div className="flex items-center gap-3">
        <Switch
          id="onboarding-honorifics"
          checked={t.honorifics}
          onCheckedChange={(honorifics) => update("tone", { honorifics })}
          disabled={disabled}
        />
        <label htmlFor="onboarding-honorifics" className="text-sm text-gray-700">
          <span className="font-medium">Use honorifics</span>{" "}
          <span className="text-gray-500">(“ji”, “aap”, polite forms)</span>
        </label>
      </div>
      <ChoiceGroup
        label="Formality"
        value={t.formality}
        options={FORMALITY}
        onChange={(formality) => update("tone", { formality })}
        disabled={disabled}
      />
      <ChoiceGroup
        label="Persuasion"
        value={t.persuasion}
        options={PERSUASION}
        onChange={(persuasion) => update("tone", { persuasion })}
        disabled={disabled}
      />
      <ChoiceGroup
        label="Emoji"
        value={t.emoji_policy}
        options={EMOJI}
        onChange={(emoji_policy) => update("tone", { emoji_policy })}
        disabled={disabled}
      />
      <LinesField
        label="Example messages in your voice"
        value={t.examples}
        onChange={(examples) => update("tone", { examples })}
        error={errors.examples}
        placeholder={"Namaste sir! App download kar liya?\nDemo class book karein?"}
        disabled={disabled}
      />
    </div>
  );
}
