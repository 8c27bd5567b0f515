import { Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import type { ConversationStage } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { canManage } from "../../lib/format";
import { useSession } from "../auth";
import {
  useFollowupSettings,
  useSaveFollowupSettings,
  useTemplateChoices,
  type FollowupSettings,
} from "./api";

const STOP_STAGES: { value: ConversationStage; label: string }[] = [
  { value: "closed_won", label: "Won" },
  { value: "closed_lost", label: "Lost" },
  { value: "cta_in_progress", label: "Call to action in progress" },
  { value: "negotiation", label: "Negotiation" },
];

/** Fields the form shows errors beside (a 422 on others is shown above the form). */
const FIELDS = [
  "enabled",
  "in_window",
  "max_followups",
  "outside_window",
  "quiet_hours.start",
  "quiet_hours.end",
  "stop_on_stages",
];

export function FollowupsPage() {
  const settings = useFollowupSettings();
  return (
    <>
      <SettingsHeader
        title="Follow-ups"
        description="Polite, timed nudges for leads who go quiet. Every pending follow-up is cancelled the moment the lead writes."
      />
      {settings.isPending ? (
        <Card>
          <LoadingState label="Loading your follow-up settings…" />
        </Card>
      ) : settings.isError ? (
        <Card>
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        </Card>
      ) : (
        <FollowupsForm settings={settings.data} />
      )}
    </>
  );
}

function FollowupsForm({ settings }: { settings: FollowupSettings }) {
  const { user } = useSession();
  const readOnly = !canManage(user.role);
  const { toast } = useToast();
  const [form, setForm] = useState<FollowupSettings>(settings);
  const templates = useTemplateChoices();
  const save = useSaveFollowupSettings({
    onSuccess: (saved) => {
      setForm(saved);
      toast({ title: "Follow-ups saved" });
    },
  });
  const errors = save.error ? fieldErrors(save.error) : {};
  const update = (patch: Partial<FollowupSettings>) => setForm((f) => ({ ...f, ...patch }));
  const steps = form.outside_window;
  const choices = (templates.data ?? []).map((t) => ({
    value: t.id,
    label: `${t.name} (${t.language}, ${t.status})`,
  }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(form);
  };

  return (
    <form onSubmit={submit} className="space-y-6" aria-label="Follow-up settings">
      {save.isError && formMessage(save.error, FIELDS) && (
        <Alert title="Could not save">{formMessage(save.error, FIELDS)}</Alert>
      )}
      <Card>
        <CardHeader title="Inside the 24-hour window" />
        <div className="space-y-4 p-4">
          <div className="flex items-center justify-between gap-4">
            <div>
              <p className="text-sm font-medium text-gray-900">Follow-ups on</p>
              <p className="text-sm text-gray-500">Turning them off cancels every pending one.</p>
            </div>
            <Switch
              aria-label="Follow-ups on"
              checked={form.enabled}
              disabled={readOnly}
              onCheckedChange={(enabled) => update({ enabled })}
            />
          </div>
          <Field
            label="When a lead goes quiet inside the window"
            hint="The agent picks the moment from the time since the last message, the lead's response rate, the stage and any open offer, and writes a soft nudge, a value add, a clarification or a graceful exit."
            error={errors.in_window}
          >
            <Select
              value={form.in_window}
              disabled={readOnly}
              onValueChange={(in_window) => update({ in_window })}
              options={[
                { value: "agent", label: "The agent follows up" },
                { value: "off", label: "Off: only the template schedule" },
              ]}
            />
          </Field>
          <Field
            label="Follow-ups per silence"
            hint="Counted from the lead's last message."
            error={errors.max_followups}
          >
            <Input
              type="number"
              value={form.max_followups}
              disabled={readOnly}
              onChange={(e) => update({ max_followups: Number(e.target.value) })}
            />
          </Field>
        </div>
      </Card>

      <Card>
        <CardHeader title="Outside the window: template schedule" />
        <div className="space-y-3 p-4">
          <p className="text-sm text-gray-500">
            Hours after the lead's last message (at least 24, increasing, up to 5 steps). A step
            goes only when its template is approved.
          </p>
          {errors.outside_window && <p className="text-sm text-red-600">{errors.outside_window}</p>}
          {steps.length === 0 && (
            <p className="text-sm text-gray-500" data-testid="no-steps">
              No template steps: a lead is not contacted after the window closes.
            </p>
          )}
          {steps.map((step, i) => (
            <div key={i} className="flex flex-wrap items-end gap-3" data-testid="schedule-step">
              <Field
                label={`Step ${i + 1}: hours after`}
                error={errors[`outside_window[${i}].after_hours`]}
                className="w-40"
              >
                <Input
                  type="number"
                  value={step.after_hours}
                  disabled={readOnly}
                  onChange={(e) => {
                    const next = [...steps];
                    next[i] = { ...step, after_hours: Number(e.target.value) };
                    update({ outside_window: next });
                  }}
                />
              </Field>
              <Field label="Template" className="min-w-56 flex-1">
                <Select
                  value={step.template_id}
                  disabled={readOnly || choices.length === 0}
                  placeholder={choices.length ? "Choose a template" : "No templates yet"}
                  onValueChange={(template_id) => {
                    const next = [...steps];
                    next[i] = { ...step, template_id };
                    update({ outside_window: next });
                  }}
                  options={choices}
                />
              </Field>
              {!readOnly && (
                <Button
                  type="button"
                  variant="ghost"
                  aria-label={`Remove step ${i + 1}`}
                  onClick={() => update({ outside_window: steps.filter((_, j) => j !== i) })}
                >
                  <Trash2 className="size-4" />
                </Button>
              )}
            </div>
          ))}
          {!readOnly && steps.length < 5 && choices.length > 0 && (
            <Button
              type="button"
              variant="secondary"
              size="sm"
              onClick={() =>
                update({
                  outside_window: [
                    ...steps,
                    {
                      after_hours: (steps.at(-1)?.after_hours ?? 24) + 48,
                      template_id: choices[0]?.value ?? "",
                    },
                  ],
                })
              }
            >
              <Plus className="size-4" /> Add a step
            </Button>
          )}
        </div>
      </Card>

      <Card>
        <CardHeader title="Quiet hours and stop rules" />
        <div className="space-y-4 p-4">
          <div className="flex items-center justify-between gap-4">
            <div>
              <p className="text-sm font-medium text-gray-900">Quiet hours</p>
              <p className="text-sm text-gray-500">
                In the lead's timezone (else your organisation's, else UTC), follow-ups wait for the
                end.
              </p>
            </div>
            <Switch
              aria-label="Quiet hours"
              checked={form.quiet_hours != null}
              disabled={readOnly}
              onCheckedChange={(on) =>
                update({ quiet_hours: on ? { start: "21:00", end: "09:00" } : null })
              }
            />
          </div>
          {form.quiet_hours && (
            <div className="flex gap-3">
              <Field label="From" error={errors["quiet_hours.start"]} className="w-32">
                <Input
                  type="time"
                  value={form.quiet_hours.start}
                  disabled={readOnly}
                  onChange={(e) =>
                    update({ quiet_hours: { ...form.quiet_hours!, start: e.target.value } })
                  }
                />
              </Field>
              <Field label="Until" error={errors["quiet_hours.end"]} className="w-32">
                <Input
                  type="time"
                  value={form.quiet_hours.end}
                  disabled={readOnly}
                  onChange={(e) =>
                    update({ quiet_hours: { ...form.quiet_hours!, end: e.target.value } })
                  }
                />
              </Field>
            </div>
          )}
          <fieldset>
            <legend className="text-sm font-medium text-gray-900">Stop when the stage is</legend>
            <p className="mb-2 text-sm text-gray-500">
              Opted-out leads and conversations a person handles are never followed up.
            </p>
            <div className="flex flex-wrap gap-4">
              {STOP_STAGES.map((s) => (
                <label key={s.value} className="flex items-center gap-2 text-sm text-gray-700">
                  <input
                    type="checkbox"
                    disabled={readOnly}
                    checked={form.stop_on_stages.includes(s.value)}
                    onChange={(e) =>
                      update({
                        stop_on_stages: e.target.checked
                          ? [...form.stop_on_stages, s.value]
                          : form.stop_on_stages.filter((v) => v !== s.value),
                      })
                    }
                  />
                  {s.label}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
      </Card>
      {!readOnly && (
        <div className="flex justify-end">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save follow-ups"}
          </Button>
        </div>
      )}
    </form>
  );
}
