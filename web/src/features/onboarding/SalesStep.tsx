import { ArrowDown, ArrowUp, Plus, X } from "lucide-react";
import { useState } from "react";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import {
  BUDGET_TIMING_LABELS,
  BUDGET_TIMINGS,
  CTA_LABELS,
  CTA_TYPES,
  optionsOf,
} from "../../api/enums";
import type { CtaType } from "../../api/models";
import { TRIGGERS, type CtaRow } from "./answers";
import type { StepProps } from "./BasicsSteps";
import { ChoiceGroup, EditableRows, Group, LinesField, textAnswers } from "./fields";

const BUDGET = optionsOf(BUDGET_TIMINGS, BUDGET_TIMING_LABELS, {
  early: "Before anything else",
  mid: "Among the other questions",
  late: "Once the lead is interested",
  never: "Your team talks money",
});

const LINK_HINTS: Partial<Record<CtaType, string>> = {
  book_call: "Your booking page, or the number leads call.",
  payment: "Your payment page.",
  app_download: "Your app's store or download page.",
};

function move<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item!);
  return out;
}

function CtaList({ form, update, errors, disabled }: StepProps) {
  const ctas = form.sales.ctas;
  const setCtas = (next: CtaRow[]) => update("sales", { ctas: next });
  const free = CTA_TYPES.filter((t) => !ctas.some((c) => c.type === t));
  const [adding, setAdding] = useState<CtaType | "">("");
  const setRow = (index: number, patch: Partial<CtaRow>) =>
    setCtas(ctas.map((c, i) => (i === index ? { ...c, ...patch } : c)));

  return (
    <div className="space-y-3">
      {errors.primary_ctas && (
        <p className="text-sm text-red-600" role="alert">
          {errors.primary_ctas}
        </p>
      )}
      {ctas.length === 0 ? (
        <p className="rounded-md border border-dashed border-gray-300 px-4 py-5 text-center text-sm text-gray-500">
          No calls-to-action yet. Add at least one: it is what the agent moves every lead towards.
        </p>
      ) : (
        <ol className="space-y-3" aria-label="Calls-to-action, in order">
          {ctas.map((cta, index) => (
            <li
              key={cta.type}
              className="rounded-md border border-gray-200 p-3"
              data-testid="onboarding-cta"
            >
              <div className="mb-3 flex items-center gap-2">
                <span className="flex size-6 items-center justify-center rounded-full bg-gray-100 text-xs font-medium text-gray-600 tabular-nums">
                  {index + 1}
                </span>
                <Badge tone="blue">{CTA_LABELS[cta.type]}</Badge>
                {index === 0 && <span className="text-xs text-gray-500">offered first</span>}
                <div className="ml-auto flex items-center gap-1">
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Move ${CTA_LABELS[cta.type]} up`}
                    disabled={disabled || index === 0}
                    onClick={() => setCtas(move(ctas, index, index - 1))}
                  >
                    <ArrowUp className="size-4" aria-hidden="true" />
                  </Button>
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Move ${CTA_LABELS[cta.type]} down`}
                    disabled={disabled || index === ctas.length - 1}
                    onClick={() => setCtas(move(ctas, index, index + 1))}
                  >
                    <ArrowDown className="size-4" aria-hidden="true" />
                  </Button>
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Remove ${CTA_LABELS[cta.type]}`}
                    disabled={disabled}
                    onClick={() => setCtas(ctas.filter((_, i) => i !== index))}
                  >
                    <X className="size-4" aria-hidden="true" />
                  </Button>
                </div>
              </div>
              {errors[`primary_ctas.${index}.type`] && (
                <p className="mb-2 text-sm text-red-600">{errors[`primary_ctas.${index}.type`]}</p>
              )}
              <div className="grid gap-3 sm:grid-cols-2">
                <Field
                  label={`${CTA_LABELS[cta.type]} link`}
                  optional
                  error={errors[`primary_ctas.${index}.link`]}
                  hint={LINK_HINTS[cta.type]}
                >
                  <Input
                    type="url"
                    value={cta.link}
                    onChange={(e) => setRow(index, { link: e.target.value })}
                    disabled={disabled}
                    placeholder="https://…"
                  />
                </Field>
                <Field
                  label={`${CTA_LABELS[cta.type]} phone`}
                  optional
                  error={errors[`primary_ctas.${index}.phone`]}
                >
                  <Input
                    type="tel"
                    value={cta.phone}
                    onChange={(e) => setRow(index, { phone: e.target.value })}
                    disabled={disabled}
                    placeholder="+91 98765 43210"
                  />
                </Field>
              </div>
            </li>
          ))}
        </ol>
      )}
      {free.length > 0 && (
        <div className="flex items-end gap-2">
          <div className="w-64">
            <Select
              aria-label="Call-to-action to add"
              value={adding}
              onValueChange={setAdding}
              options={optionsOf(free, CTA_LABELS)}
              placeholder="Choose a call-to-action"
              disabled={disabled}
            />
          </div>
          <Button
            variant="secondary"
            disabled={disabled || !adding}
            onClick={() => {
              if (adding) setCtas([...ctas, { type: adding, link: "", phone: "" }]);
              setAdding("");
            }}
          >
            <Plus className="size-4" aria-hidden="true" />
            Add
          </Button>
        </div>
      )}
      <p className="text-xs text-gray-500">
        Each one with a link or phone is also added to Settings → Agent → Calls-to-action when you
        continue.
      </p>
    </div>
  );
}

function Qualification({ form, update, errors, disabled }: StepProps) {
  return (
    <EditableRows
      rows={form.sales.qualification}
      onChange={(qualification) => update("sales", { qualification })}
      blank={{ topic: "", question: "" }}
      max={10}
      noun="topic"
      addLabel="Add a topic"
      disabled={disabled}
      rowTestId="qualifier"
    >
      {(row, index, patch) => (
        <>
          <Field label={`Topic ${index + 1}`} error={errors[`qualification.${index}.topic`]}>
            <Input
              value={row.topic}
              onChange={(e) => patch({ topic: e.target.value })}
              disabled={disabled}
              placeholder="e.g. experience level"
            />
          </Field>
          <Field
            label={`Question ${index + 1}`}
            optional
            error={errors[`qualification.${index}.question`]}
          >
            <Input
              value={row.question}
              onChange={(e) => patch({ question: e.target.value })}
              disabled={disabled}
              placeholder="In your words, e.g. Have you traded before?"
            />
          </Field>
        </>
      )}
    </EditableRows>
  );
}

function Objections({ form, update, errors, disabled }: StepProps) {
  return (
    <EditableRows
      rows={form.sales.objections}
      onChange={(objections) => update("sales", { objections })}
      blank={{ objection: "", answer: "" }}
      max={10}
      noun="objection"
      addLabel="Add an objection"
      disabled={disabled}
    >
      {(row, index, patch) => (
        <>
          <Field label={`Objection ${index + 1}`} error={errors[`objections.${index}.objection`]}>
            <Input
              value={row.objection}
              onChange={(e) => patch({ objection: e.target.value })}
              disabled={disabled}
              placeholder="e.g. Too expensive"
            />
          </Field>
          <Field label={`Your answer ${index + 1}`} error={errors[`objections.${index}.answer`]}>
            <Textarea
              value={row.answer}
              onChange={(e) => patch({ answer: e.target.value })}
              rows={2}
              disabled={disabled}
              placeholder="e.g. We offer EMI over 3 months."
            />
          </Field>
        </>
      )}
    </EditableRows>
  );
}

/** D. How the owner sells. */
export function SalesStep(props: StepProps) {
  const { form, update, errors, disabled } = props;
  const s = form.sales;
  const text = textAnswers(props, "sales");
  const toggle = (code: string, on: boolean) =>
    update("sales", {
      triggers: on ? [...s.triggers, code] : s.triggers.filter((t) => t !== code),
    });
  return (
    <div className="space-y-8">
      <Group title="Calls-to-action, in the order the agent offers them">
        <CtaList {...props} />
      </Group>
      <Group title="What the agent finds out about every lead">
        <p className="-mt-2 text-sm text-gray-500">
          The agent always asks for the lead's name. Add what else tells you a lead is a fit.
        </p>
        <Qualification {...props} />
        <ChoiceGroup
          label="When to ask about budget"
          value={s.budget_timing}
          options={BUDGET}
          onChange={(budget_timing) => update("sales", { budget_timing })}
          disabled={disabled}
          columns={4}
        />
        <Field label="What makes a lead hot" optional error={errors.hot_lead_definition}>
          <Textarea
            {...text("hot_lead_definition")}
            rows={2}
            placeholder="e.g. Asks about fees twice, or wants to start this week"
          />
        </Field>
      </Group>
      <Group title="When the agent hands over to your team">
        <fieldset className="grid gap-2 sm:grid-cols-2">
          <legend className="sr-only">Escalation triggers</legend>
          {TRIGGERS.map((t) => (
            <label key={t.code} className="flex items-center gap-2 text-sm text-gray-700">
              <input
                type="checkbox"
                className="size-4 rounded border-gray-300 accent-brand-600"
                checked={s.triggers.includes(t.code)}
                onChange={(e) => toggle(t.code, e.target.checked)}
                disabled={disabled}
              />
              {t.label}
            </label>
          ))}
        </fieldset>
        <LinesField
          label="Other triggers"
          value={s.other_triggers}
          onChange={(other_triggers) => update("sales", { other_triggers })}
          error={errors.escalation_triggers}
          rows={2}
          placeholder="e.g. Asks for a corporate discount"
          disabled={disabled}
        />
      </Group>
      <Group title="Objections and how you answer them">
        <Objections {...props} />
      </Group>
    </div>
  );
}
