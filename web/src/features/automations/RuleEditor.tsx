import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import {
  AUTOMATION_ACTION_LABELS,
  AUTOMATION_ACTION_TYPES,
  AUTOMATION_EVENT_LABELS,
  AUTOMATION_EVENTS,
  CANCEL_ON_LABELS,
  CANCEL_ON_VALUES,
  GLUE_LABELS,
  GLUES,
  OPERATOR_LABELS,
  OPERATORS,
  optionsOf,
} from "../../api/enums";
import { fieldErrors, formMessage } from "../../api/errors";
import type { Automation, AutomationBody, AutomationEvent, CancelOn } from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { useRuleChoices, useSaveAutomation } from "./api";
import {
  conditionBody,
  LIST_OPERATORS,
  NO_VALUE,
  rowsOf,
  type ActionRow,
  type ConditionRow,
} from "./rules";

/** The fields a condition may name besides `custom_fields.KEY`. */
const CONDITION_FIELDS = [
  "message.text",
  "message.type",
  "tag",
  "stage.from",
  "stage.to",
  "cta.type",
  "campaign.id",
  "conversation.mode",
  "name",
  "phone",
  "email",
  "city",
  "business",
  "language",
  "lead_status",
  "lead_source",
  "score",
  "value_minor",
  "opted_out",
  "tags",
  "stage_id",
  "owner_id",
  "created_at",
  "last_seen_at",
];

/** The params inputs each action type takes. */
function ActionParams({
  row,
  index,
  errors,
  onChange,
}: {
  row: ActionRow;
  index: number;
  errors: Record<string, string>;
  onChange: (params: Record<string, string>) => void;
}) {
  const choices = useRuleChoices();
  const set = (key: string) => (value: string) => onChange({ ...row.params, [key]: value });
  const err = (key: string) => errors[`actions[${index}].params.${key}`];
  const label = `Action ${index + 1}`;
  switch (row.type) {
    case "send_text":
    case "add_note":
      return (
        <Field label={`${label} text`} error={err("text")}>
          <Textarea
            rows={2}
            value={row.params.text ?? ""}
            onChange={(e) => set("text")(e.target.value)}
          />
        </Field>
      );
    case "send_template":
      return (
        <Field label={`${label} template`} error={err("template_id")}>
          <Select
            aria-label={`${label} template`}
            value={row.params.template_id ?? ""}
            onValueChange={set("template_id")}
            placeholder="Choose a template"
            options={choices.templates.map((t) => ({
              value: t.id,
              label: `${t.name} (${t.status})`,
            }))}
          />
        </Field>
      );
    case "add_tag":
    case "remove_tag":
      return (
        <Field label={`${label} tag`} error={err("tag")}>
          <Input value={row.params.tag ?? ""} onChange={(e) => set("tag")(e.target.value)} />
        </Field>
      );
    case "set_stage":
      return (
        <Field label={`${label} stage`} error={err("stage")}>
          <Select
            aria-label={`${label} stage`}
            value={row.params.stage ?? ""}
            onValueChange={set("stage")}
            placeholder="Choose a stage"
            options={choices.stages.map((s) => ({ value: s.id, label: s.name }))}
          />
        </Field>
      );
    case "set_field":
      return (
        <div className="grid gap-2 sm:grid-cols-2">
          <Field label={`${label} field`} error={err("key")}>
            <Select
              aria-label={`${label} field`}
              value={row.params.key ?? ""}
              onValueChange={set("key")}
              placeholder="Choose a field"
              options={choices.fields.map((f) => ({ value: f.key, label: f.label }))}
            />
          </Field>
          <Field label={`${label} value`} error={err("value")}>
            <Input value={row.params.value ?? ""} onChange={(e) => set("value")(e.target.value)} />
          </Field>
        </div>
      );
    case "assign":
      return (
        <Field label={`${label} member`} error={err("user_id")}>
          <Select
            aria-label={`${label} member`}
            value={row.params.user_id ?? ""}
            onValueChange={set("user_id")}
            placeholder="Choose a member"
            options={[
              { value: "round_robin", label: "Fewest open conversations" },
              ...choices.members.map((m) => ({ value: m.id, label: m.name })),
            ]}
          />
        </Field>
      );
    case "start_sequence":
      return (
        <Field label={`${label} sequence id`} error={err("sequence_id")}>
          <Input
            value={row.params.sequence_id ?? ""}
            onChange={(e) => set("sequence_id")(e.target.value)}
          />
        </Field>
      );
    case "webhook":
      return (
        <Field label={`${label} URL`} error={err("url")}>
          <Input
            type="url"
            value={row.params.url ?? ""}
            onChange={(e) => set("url")(e.target.value)}
            placeholder="https://example.com/hooks/closer"
          />
        </Field>
      );
    case "pause_bot":
    case "stop_sequence":
      return null;
  }
}

/** Create a rule, or edit `editing`: event, conditions, ordered actions, delay. */
export function RuleEditor({
  editing,
  onDone,
}: {
  editing: Automation | null;
  onDone: (saved: Automation | null) => void;
}) {
  const initial = rowsOf(editing);
  const [name, setName] = useState(editing?.name ?? "");
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [event, setEvent] = useState<AutomationEvent>(editing?.event ?? "message_received");
  const [seconds, setSeconds] = useState(String(editing?.event_params.seconds ?? 3600));
  const [conditions, setConditions] = useState<ConditionRow[]>(initial.conditions);
  const [actions, setActions] = useState<ActionRow[]>(
    initial.actions.length ? initial.actions : [{ type: "send_text", params: {} }],
  );
  const [delay, setDelay] = useState(String(editing?.delay_seconds ?? 0));
  const [cancelOn, setCancelOn] = useState<CancelOn>(editing?.cancel_on ?? "moved_on");
  const choices = useRuleChoices();
  const save = useSaveAutomation(editing?.id ?? null);
  const { toast } = useToast();
  const errors = fieldErrors(save.error);
  const message = formMessage(save.error, Object.keys(errors));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: AutomationBody = {
      name,
      enabled,
      event,
      event_params: event === "no_reply_for" ? { seconds: Number(seconds) } : {},
      conditions: conditions.map(conditionBody),
      actions: actions.map((a) => ({ type: a.type, params: a.params })),
      delay_seconds: Number(delay) || 0,
      cancel_on: cancelOn,
    };
    save.mutate(body, {
      onSuccess: (saved) => {
        toast({ title: editing ? "Automation saved" : "Automation created" });
        onDone(saved);
      },
    });
  };

  const setCondition = (i: number, patch: Partial<ConditionRow>) =>
    setConditions((all) => all.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const setAction = (i: number, patch: Partial<ActionRow>) =>
    setActions((all) => all.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const move = (i: number, by: number) =>
    setActions((all) => {
      const next = [...all];
      const [item] = next.splice(i, 1);
      next.splice(i + by, 0, item!);
      return next;
    });

  return (
    <form onSubmit={submit} className="space-y-5" aria-label="Automation">
      {message && <Alert tone="error">{message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-[1fr_auto] sm:items-end">
        <Field label="Name" error={errors.name}>
          <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} />
        </Field>
        <label className="flex items-center gap-2 pb-2 text-sm text-gray-700">
          <Switch checked={enabled} onCheckedChange={setEnabled} aria-label="Enabled" />
          Enabled
        </label>
      </div>

      <section aria-label="When" className="space-y-3">
        <h3 className="text-sm font-semibold text-gray-900">When</h3>
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Event" error={errors.event}>
            <Select
              aria-label="Event"
              value={event}
              onValueChange={setEvent}
              options={optionsOf(AUTOMATION_EVENTS, AUTOMATION_EVENT_LABELS)}
            />
          </Field>
          {event === "no_reply_for" && (
            <Field
              label="Seconds without a reply"
              error={errors["event_params.seconds"]}
              hint="At least 5."
            >
              <Input
                type="number"
                min={5}
                value={seconds}
                onChange={(e) => setSeconds(e.target.value)}
              />
            </Field>
          )}
        </div>
      </section>

      <section aria-label="Conditions" className="space-y-3">
        <h3 className="text-sm font-semibold text-gray-900">Only if</h3>
        {conditions.length === 0 && (
          <p className="text-sm text-gray-500">No conditions: the rule runs on every event.</p>
        )}
        <datalist id="automation-fields">
          {[...CONDITION_FIELDS, ...choices.fields.map((f) => `custom_fields.${f.key}`)].map(
            (f) => (
              <option key={f} value={f} />
            ),
          )}
        </datalist>
        {conditions.map((c, i) => (
          <div
            key={i}
            className="grid gap-2 rounded-md border border-gray-200 p-3 sm:grid-cols-[5rem_1fr_1fr_1fr_auto]"
            data-testid="condition"
          >
            {i === 0 ? (
              <span className="self-center text-xs text-gray-500">If</span>
            ) : (
              <Select
                aria-label={`Condition ${i + 1} joins with`}
                value={c.glue}
                onValueChange={(glue) => setCondition(i, { glue })}
                options={optionsOf(GLUES, GLUE_LABELS)}
              />
            )}
            <Field label={`Condition ${i + 1} field`} error={errors[`conditions[${i}].field`]}>
              <Input
                list="automation-fields"
                value={c.field}
                onChange={(e) => setCondition(i, { field: e.target.value })}
                placeholder="message.text"
              />
            </Field>
            <Field
              label={`Condition ${i + 1} operator`}
              error={errors[`conditions[${i}].operator`]}
            >
              <Select
                aria-label={`Condition ${i + 1} operator`}
                value={c.operator}
                onValueChange={(operator) => setCondition(i, { operator })}
                options={optionsOf(OPERATORS, OPERATOR_LABELS)}
              />
            </Field>
            <Field
              label={`Condition ${i + 1} value`}
              error={errors[`conditions[${i}].value`]}
              hint={LIST_OPERATORS.includes(c.operator) ? "Comma-separated." : undefined}
            >
              <Input
                value={c.value}
                disabled={NO_VALUE.includes(c.operator)}
                onChange={(e) => setCondition(i, { value: e.target.value })}
              />
            </Field>
            <Button
              type="button"
              variant="ghost"
              size="sm"
              className="self-end"
              aria-label={`Remove condition ${i + 1}`}
              onClick={() => setConditions((all) => all.filter((_, j) => j !== i))}
            >
              <Trash2 className="size-4" aria-hidden="true" />
            </Button>
          </div>
        ))}
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={() =>
            setConditions((all) => [
              ...all,
              { field: "message.text", operator: "contains", value: "", glue: "and" },
            ])
          }
        >
          <Plus className="size-4" aria-hidden="true" /> Add condition
        </Button>
      </section>

      <section aria-label="Actions" className="space-y-3">
        <h3 className="text-sm font-semibold text-gray-900">Then, in order</h3>
        {errors.actions && <p className="text-sm text-red-600">{errors.actions}</p>}
        {actions.map((a, i) => (
          <div
            key={i}
            className="space-y-2 rounded-md border border-gray-200 p-3"
            data-testid="action-row"
          >
            <div className="flex flex-wrap items-end gap-2">
              <div className="min-w-48 flex-1">
                <Field label={`Action ${i + 1}`} error={errors[`actions[${i}].type`]}>
                  <Select
                    aria-label={`Action ${i + 1}`}
                    value={a.type}
                    onValueChange={(type) => setAction(i, { type, params: {} })}
                    options={optionsOf(AUTOMATION_ACTION_TYPES, AUTOMATION_ACTION_LABELS)}
                  />
                </Field>
              </div>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                aria-label={`Move action ${i + 1} up`}
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                <ArrowUp className="size-4" aria-hidden="true" />
              </Button>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                aria-label={`Move action ${i + 1} down`}
                disabled={i === actions.length - 1}
                onClick={() => move(i, 1)}
              >
                <ArrowDown className="size-4" aria-hidden="true" />
              </Button>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                aria-label={`Remove action ${i + 1}`}
                disabled={actions.length === 1}
                onClick={() => setActions((all) => all.filter((_, j) => j !== i))}
              >
                <Trash2 className="size-4" aria-hidden="true" />
              </Button>
            </div>
            <ActionParams
              row={a}
              index={i}
              errors={errors}
              onChange={(params) => setAction(i, { params })}
            />
          </div>
        ))}
        <Button
          type="button"
          variant="secondary"
          size="sm"
          onClick={() => setActions((all) => [...all, { type: "add_tag", params: {} }])}
        >
          <Plus className="size-4" aria-hidden="true" /> Add action
        </Button>
      </section>

      <section aria-label="Timing" className="grid gap-3 sm:grid-cols-2">
        <Field
          label="Delay (seconds)"
          error={errors.delay_seconds}
          hint="0 runs at once; up to 30 days."
        >
          <Input type="number" min={0} value={delay} onChange={(e) => setDelay(e.target.value)} />
        </Field>
        <Field label="When the delay ends" error={errors.cancel_on}>
          <Select
            aria-label="When the delay ends"
            value={cancelOn}
            onValueChange={setCancelOn}
            options={optionsOf(CANCEL_ON_VALUES, CANCEL_ON_LABELS)}
          />
        </Field>
      </section>

      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={() => onDone(null)}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending}>
          {editing ? "Save automation" : "Create automation"}
        </Button>
      </div>
    </form>
  );
}
