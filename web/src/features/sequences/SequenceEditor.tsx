// Sequences → the editor: name, on/off, stop on reply, the steps (wait, then a text with an
// optional fallback template, or a template) and the start / stop conditions in the CRM's
// filter words.

import { Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { Switch } from "../../components/ui/Switch";
import {
  useSaveSequence,
  useTemplateChoices,
  type Sequence,
  type SequenceCondition,
  type SequenceDefinition,
  type SequenceStep,
  type StopCondition,
} from "./api";
import { LIST_OPERATORS, splitWait, textOf, valueOf } from "./form";

const UNITS = [
  { value: "1", label: "seconds" },
  { value: "60", label: "minutes" },
  { value: "3600", label: "hours" },
  { value: "86400", label: "days" },
] as const;

const OPERATORS = [
  "equal_to",
  "not_equal_to",
  "contains",
  "in",
  "not_in",
  "greater_than",
  "less_than",
  "is_present",
  "is_not_present",
].map((o) => ({ value: o, label: o.replaceAll("_", " ") }));

/** The field paths the form shows errors beside. */
const FIELDS = ["name", "steps"];

function emptyDefinition(): Form {
  return {
    name: "",
    enabled: true,
    stop_on_reply: true,
    steps: [{ wait_seconds: 0, text: "", variables: {} }],
    start_conditions: [],
    stop_conditions: [],
  };
}

/** The definition with every optional part filled in, as the form edits it. */
type Form = Required<
  Pick<SequenceDefinition, "enabled" | "stop_on_reply" | "start_conditions" | "stop_conditions">
> &
  SequenceDefinition;

function definitionOf(s: Sequence | null): Form {
  if (!s) return emptyDefinition();
  return {
    name: s.name,
    enabled: s.enabled,
    stop_on_reply: s.stop_on_reply,
    steps: s.steps,
    start_conditions: s.start_conditions,
    stop_conditions: s.stop_conditions,
  };
}

export function SequenceEditor({
  sequence,
  readOnly,
  onSaved,
  onCancel,
}: {
  sequence: Sequence | null;
  readOnly: boolean;
  onSaved: (s: Sequence) => void;
  onCancel?: () => void;
}) {
  const [form, setForm] = useState<Form>(() => definitionOf(sequence));
  const save = useSaveSequence(sequence?.id ?? null);
  const templates = useTemplateChoices();
  const errors = save.error ? fieldErrors(save.error) : {};
  const choices = (templates.data ?? []).map((t) => ({
    value: t.id,
    label: `${t.name} (${t.language}, ${t.status})`,
  }));
  const update = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const setStep = (i: number, patch: Partial<SequenceStep>) =>
    update({ steps: form.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(form, { onSuccess: onSaved });
  };

  return (
    <form onSubmit={submit} className="space-y-5" aria-label="Sequence editor">
      {save.isError && formMessage(save.error, FIELDS) && (
        <Alert title="Could not save">{formMessage(save.error, FIELDS)}</Alert>
      )}
      <Field label="Name" error={errors.name}>
        <Input
          value={form.name}
          disabled={readOnly}
          onChange={(e) => update({ name: e.target.value })}
          placeholder="e.g. New lead welcome"
        />
      </Field>
      <div className="flex flex-wrap gap-6">
        <label className="flex items-center gap-2 text-sm text-gray-700">
          <Switch
            aria-label="Sequence on"
            checked={form.enabled}
            disabled={readOnly}
            onCheckedChange={(enabled) => update({ enabled })}
          />
          On (turning it off stops every active enrolment)
        </label>
        <label className="flex items-center gap-2 text-sm text-gray-700">
          <Switch
            aria-label="Stop when the lead replies"
            checked={form.stop_on_reply}
            disabled={readOnly}
            onCheckedChange={(stop_on_reply) => update({ stop_on_reply })}
          />
          Stop when the lead replies
        </label>
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-gray-900">Steps</legend>
        {errors.steps && <p className="text-sm text-red-600">{errors.steps}</p>}
        {form.steps.map((step, i) => (
          <StepRow
            key={i}
            index={i}
            step={step}
            readOnly={readOnly}
            choices={choices}
            errors={errors}
            onChange={(patch) => setStep(i, patch)}
            onRemove={() => update({ steps: form.steps.filter((_, j) => j !== i) })}
          />
        ))}
        {!readOnly && (
          <Button
            type="button"
            variant="secondary"
            size="sm"
            onClick={() =>
              update({ steps: [...form.steps, { wait_seconds: 86400, text: "", variables: {} }] })
            }
          >
            <Plus className="size-4" /> Add a step
          </Button>
        )}
      </fieldset>

      <Conditions
        title="Start only for leads where"
        hint="Every condition holds (as in saved views). Empty: any lead who has not opted out."
        rows={form.start_conditions}
        readOnly={readOnly}
        errors={errors}
        path="start_conditions"
        onChange={(start_conditions) => update({ start_conditions })}
      />
      <StopConditions
        rows={form.stop_conditions}
        readOnly={readOnly}
        errors={errors}
        onChange={(stop_conditions) => update({ stop_conditions })}
      />

      {!readOnly && (
        <div className="flex justify-end gap-2">
          {onCancel && (
            <Button type="button" variant="ghost" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save sequence"}
          </Button>
        </div>
      )}
    </form>
  );
}

function StepRow({
  index,
  step,
  readOnly,
  choices,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  step: SequenceStep;
  readOnly: boolean;
  choices: { value: string; label: string }[];
  errors: Record<string, string>;
  onChange: (patch: Partial<SequenceStep>) => void;
  onRemove: () => void;
}) {
  const wait = splitWait(step.wait_seconds);
  const isTemplate = step.template_id != null;
  const at = (k: string) => errors[`steps[${index}].${k}`];
  return (
    <div className="space-y-3 rounded-md border border-gray-200 p-3" data-testid="sequence-step">
      <p className="text-sm font-medium text-gray-900">Step {index + 1}</p>
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Wait" error={at("wait_seconds")} className="w-24">
          <Input
            type="number"
            min={0}
            aria-label={`Step ${index + 1} wait`}
            value={wait.amount}
            disabled={readOnly}
            onChange={(e) => onChange({ wait_seconds: Number(e.target.value) * Number(wait.unit) })}
          />
        </Field>
        <Field label="Unit" className="w-32">
          <Select
            aria-label={`Step ${index + 1} wait unit`}
            value={wait.unit}
            disabled={readOnly}
            options={UNITS}
            onValueChange={(u) => onChange({ wait_seconds: wait.amount * Number(u) })}
          />
        </Field>
        <Field label="Then send" className="w-40">
          <Select
            aria-label={`Step ${index + 1} kind`}
            value={isTemplate ? "template" : "text"}
            disabled={readOnly}
            options={[
              { value: "text", label: "A text" },
              { value: "template", label: "A template" },
            ]}
            onValueChange={(kind) =>
              onChange(
                kind === "template"
                  ? { text: null, fallback_template_id: null, template_id: choices[0]?.value ?? "" }
                  : { template_id: null, text: "", variables: {} },
              )
            }
          />
        </Field>
        {!readOnly && (
          <Button
            type="button"
            variant="ghost"
            aria-label={`Remove step ${index + 1}`}
            onClick={onRemove}
            className="ml-auto"
          >
            <Trash2 className="size-4" />
          </Button>
        )}
      </div>
      {isTemplate ? (
        <Field label="Template" error={at("template_id")}>
          <Select
            aria-label={`Step ${index + 1} template`}
            value={step.template_id ?? ""}
            disabled={readOnly || choices.length === 0}
            placeholder={choices.length ? "Choose a template" : "No templates yet"}
            options={choices}
            onValueChange={(template_id) => onChange({ template_id })}
          />
        </Field>
      ) : (
        <>
          <Field label="Text" hint="Goes only inside the 24-hour window." error={at("text")}>
            <textarea
              aria-label={`Step ${index + 1} text`}
              className="block w-full rounded-md border border-gray-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:ring-brand-500 disabled:bg-gray-50"
              rows={2}
              value={step.text ?? ""}
              disabled={readOnly}
              onChange={(e) => onChange({ text: e.target.value })}
            />
          </Field>
          <Field
            label="Outside the window, send instead"
            hint="An approved template; without one the step is skipped when the window is closed."
            error={at("fallback_template_id")}
          >
            <Select
              aria-label={`Step ${index + 1} fallback template`}
              value={step.fallback_template_id ?? "none"}
              disabled={readOnly}
              options={[{ value: "none", label: "Nothing: skip the step" }, ...choices]}
              onValueChange={(v) => onChange({ fallback_template_id: v === "none" ? null : v })}
            />
          </Field>
        </>
      )}
    </div>
  );
}

function ConditionInputs({
  row,
  label,
  readOnly,
  errors,
  path,
  onChange,
}: {
  row: { field: string; operator: string; value?: unknown };
  label: string;
  readOnly: boolean;
  errors: Record<string, string>;
  path: string;
  onChange: (patch: { field?: string; operator?: string; value?: unknown }) => void;
}) {
  return (
    <>
      <Field label="Field" error={errors[`${path}.field`]} className="w-36">
        <Input
          aria-label={`${label} field`}
          value={row.field}
          disabled={readOnly}
          placeholder="lead_status, tags, city…"
          onChange={(e) => onChange({ field: e.target.value })}
        />
      </Field>
      <Field label="Operator" error={errors[`${path}.operator`]} className="w-36">
        <Select
          aria-label={`${label} operator`}
          value={row.operator}
          disabled={readOnly}
          options={OPERATORS}
          onValueChange={(operator) =>
            onChange({ operator, value: valueOf(operator, textOf(row.value)) })
          }
        />
      </Field>
      <Field label="Value" error={errors[`${path}.value`]} className="min-w-28 flex-1">
        <Input
          aria-label={`${label} value`}
          value={textOf(row.value)}
          disabled={readOnly || row.operator.startsWith("is_")}
          placeholder={LIST_OPERATORS.has(row.operator) ? "a, b, c" : "won"}
          onChange={(e) => onChange({ value: valueOf(row.operator, e.target.value) })}
        />
      </Field>
    </>
  );
}

function Conditions({
  title,
  hint,
  rows,
  readOnly,
  errors,
  path,
  onChange,
}: {
  title: string;
  hint: string;
  rows: SequenceCondition[];
  readOnly: boolean;
  errors: Record<string, string>;
  path: string;
  onChange: (rows: SequenceCondition[]) => void;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-gray-900">{title}</legend>
      <p className="text-sm text-gray-500">{hint}</p>
      {rows.map((row, i) => (
        <div key={i} className="flex flex-wrap items-end gap-2">
          <ConditionInputs
            row={row}
            label={`Start condition ${i + 1}`}
            readOnly={readOnly}
            errors={errors}
            path={`${path}[${i}]`}
            onChange={(patch) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))}
          />
          {!readOnly && (
            <Button
              type="button"
              variant="ghost"
              aria-label={`Remove start condition ${i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <Trash2 className="size-4" />
            </Button>
          )}
        </div>
      ))}
      {!readOnly && (
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={() =>
            onChange([...rows, { field: "lead_status", operator: "equal_to", value: "" }])
          }
        >
          <Plus className="size-4" /> Add a start condition
        </Button>
      )}
    </fieldset>
  );
}

function StopConditions({
  rows,
  readOnly,
  errors,
  onChange,
}: {
  rows: StopCondition[];
  readOnly: boolean;
  errors: Record<string, string>;
  onChange: (rows: StopCondition[]) => void;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-gray-900">Stop when</legend>
      <p className="text-sm text-gray-500">
        Checked before every step: the first that holds ends the enrolment with its outcome.
        Opt-outs and a person taking over always stop it.
      </p>
      {rows.map((row, i) => (
        <div key={i} className="flex flex-wrap items-end gap-2">
          <ConditionInputs
            row={row}
            label={`Stop condition ${i + 1}`}
            readOnly={readOnly}
            errors={errors}
            path={`stop_conditions[${i}]`}
            onChange={(patch) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))}
          />
          <Field label="Outcome" className="w-28">
            <Select
              aria-label={`Stop condition ${i + 1} outcome`}
              value={row.outcome}
              disabled={readOnly}
              options={[
                { value: "success", label: "Success" },
                { value: "failure", label: "Failure" },
              ]}
              onValueChange={(outcome) =>
                onChange(rows.map((r, j) => (j === i ? { ...r, outcome } : r)))
              }
            />
          </Field>
          {!readOnly && (
            <Button
              type="button"
              variant="ghost"
              aria-label={`Remove stop condition ${i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <Trash2 className="size-4" />
            </Button>
          )}
        </div>
      ))}
      {!readOnly && (
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={() =>
            onChange([
              ...rows,
              { field: "lead_status", operator: "equal_to", value: "won", outcome: "success" },
            ])
          }
        >
          <Plus className="size-4" /> Add a stop condition
        </Button>
      )}
    </fieldset>
  );
}
