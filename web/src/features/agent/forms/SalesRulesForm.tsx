import {
  ALWAYS_ON_TRIGGERS,
  CTA_LABELS,
  CTA_TYPES,
  ESCALATION_TRIGGER_LABELS,
  ESCALATION_TRIGGERS,
  isOneOf,
  optionsOf,
  REQUIREMENT_LABELS,
  REQUIREMENTS,
} from "../../../api/enums";
import { Badge } from "../../../components/ui/Badge";
import { Field } from "../../../components/ui/Field";
import { Textarea } from "../../../components/ui/Input";
import { Select } from "../../../components/ui/Select";
import { EntriesField, object, strings, text, type FormProps } from "./controls";

const REQUIREMENT_OPTIONS = optionsOf(REQUIREMENTS, REQUIREMENT_LABELS);
const CTA_OPTIONS = optionsOf(CTA_TYPES, CTA_LABELS);
const TRIGGER_CODES: readonly string[] = ESCALATION_TRIGGERS;

/**
 * The escalation triggers: the codes switch the agent's own rules on and off (a person and
 * legal risk are always on); anything else is read by the language model only.
 */
function Triggers({ doc, set, disabled, error }: FormProps) {
  const list = strings(doc.escalation_triggers);
  const codes = list.filter((t) => TRIGGER_CODES.includes(t.trim().toLowerCase()));
  const own = list.filter((t) => !TRIGGER_CODES.includes(t.trim().toLowerCase()));
  const toggle = (code: string, on: boolean) => {
    const rest = codes.filter((c) => c.trim().toLowerCase() !== code);
    set("escalation_triggers", [...(on ? [...rest, code] : rest), ...own]);
  };
  return (
    <fieldset className="space-y-2 sm:col-span-2" data-testid="escalation-triggers">
      <legend className="text-sm font-medium text-gray-700">Hand over to a person when…</legend>
      <ul className="grid gap-1.5 sm:grid-cols-2">
        {ESCALATION_TRIGGERS.map((code) => {
          const always = ALWAYS_ON_TRIGGERS.includes(code);
          const on = always || codes.some((c) => c.trim().toLowerCase() === code);
          return (
            <li key={code}>
              <label className="flex items-center gap-2 text-sm text-gray-700">
                <input
                  type="checkbox"
                  className="size-4 rounded border-gray-300 text-brand-600 focus:ring-brand-500"
                  checked={on}
                  disabled={disabled || always}
                  onChange={(e) => toggle(code, e.target.checked)}
                />
                {ESCALATION_TRIGGER_LABELS[code]}
                {always && <Badge>always on</Badge>}
              </label>
            </li>
          );
        })}
      </ul>
      <Field
        label="Your own triggers"
        hint="One per line. The rules engine cannot check these: only the language model reads them."
        error={error("escalation_triggers")}
      >
        <Textarea
          value={own.join("\n")}
          onChange={(e) =>
            set("escalation_triggers", [
              ...codes,
              ...e.target.value.split("\n").filter((l) => l.trim()),
            ])
          }
          disabled={disabled}
          rows={2}
        />
      </Field>
      {own.length > 0 && (
        <ul className="flex flex-wrap gap-2" data-testid="model-only-triggers">
          {own.map((t) => (
            <li key={t}>
              <Badge tone="violet">model only</Badge> <span className="text-sm">{t}</span>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}

/** Sales rules: what to find out, how to answer objections, which CTA first, when to hand over. */
export function SalesRulesForm(props: FormProps) {
  const { doc, set, disabled, error } = props;
  const sequencing = object(doc.cta_sequencing);
  const setSequence = (key: "first" | "fallback", v: string) =>
    set("cta_sequencing", { ...sequencing, [key]: v === "none" ? null : v });
  const choice = (v: unknown) => (isOneOf(CTA_TYPES, v) ? v : "none");
  return (
    <div className="grid gap-5 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <EntriesField
          label="Qualification checklist, in the order asked"
          value={doc.qualification_checklist}
          onChange={(v) => set("qualification_checklist", v)}
          disabled={disabled}
          error={error("qualification_checklist")}
          newValue="required"
          placeholder="slot, e.g. board"
          addLabel="Add a slot"
          testId="qualification-checklist"
          renderValue={(k, v, setValue) => (
            <Select
              value={isOneOf(REQUIREMENTS, v) ? v : ""}
              onValueChange={setValue}
              options={REQUIREMENT_OPTIONS}
              disabled={disabled}
              placeholder="Choose…"
              aria-label={`${k} requirement`}
              size="sm"
            />
          )}
        />
      </div>
      <div className="sm:col-span-2">
        <EntriesField
          label="Objection playbook"
          value={doc.objection_playbook}
          onChange={(v) => set("objection_playbook", v)}
          disabled={disabled}
          error={error("objection_playbook")}
          hint="How to answer each objection (too_expensive, no_time, need_to_think…)."
          newValue=""
          placeholder="e.g. too_expensive"
          addLabel="Add an objection"
          renderValue={(k, v, setValue) => (
            <Textarea
              value={text(v)}
              onChange={(e) => setValue(e.target.value)}
              disabled={disabled}
              rows={2}
              aria-label={k}
            />
          )}
        />
      </div>
      <Field label="First call-to-action" error={error("cta_sequencing.first")}>
        <Select
          value={choice(sequencing.first)}
          onValueChange={(v) => setSequence("first", v)}
          options={[{ value: "none", label: "None" }, ...CTA_OPTIONS]}
          disabled={disabled}
        />
      </Field>
      <Field label="Fallback call-to-action" error={error("cta_sequencing.fallback")}>
        <Select
          value={choice(sequencing.fallback)}
          onValueChange={(v) => setSequence("fallback", v)}
          options={[{ value: "none", label: "None" }, ...CTA_OPTIONS]}
          disabled={disabled}
        />
      </Field>
      <Triggers {...props} />
    </div>
  );
}
