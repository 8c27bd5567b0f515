import { useState, type FormEvent } from "react";
import { fieldErrors, errorMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { useViews } from "../leads";
import { useTemplates } from "../templates";
import { useCreateCampaign, type Campaign } from "./api";

type When = "now" | "at" | "local";

/** A new broadcast: its audience (a saved view and/or tags), template, schedule and pace. */
export function CampaignBuilder({
  onCreated,
  onCancel,
}: {
  onCreated: (c: Campaign) => void;
  onCancel: () => void;
}) {
  const views = useViews();
  const templates = useTemplates({ status: "approved" });
  const create = useCreateCampaign();
  const [name, setName] = useState("");
  const [viewId, setViewId] = useState("");
  const [tags, setTags] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [when, setWhen] = useState<When>("now");
  const [sendAt, setSendAt] = useState("");
  const [localTime, setLocalTime] = useState("10:00");
  const [rate, setRate] = useState("");
  const errors = fieldErrors(create.error);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const tagList = tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    create.mutate(
      {
        name,
        template_id: templateId || null,
        audience: {
          view_id: viewId || null,
          tags: tagList,
          tags_match: "any",
          lead_ids: [],
        },
        schedule: {
          send_at: when === "at" && sendAt ? new Date(sendAt).toISOString() : null,
          local_time: when === "local" ? localTime : null,
        },
        pacing: rate ? { rate_per_second: Number(rate) } : null,
        retry: { marketing_cap_days: 3 },
      },
      { onSuccess: onCreated },
    );
  };

  const viewOptions = (views.data?.items ?? []).map((v) => ({ value: v.id, label: v.name }));
  const templateOptions = (templates.data?.items ?? []).map((t) => ({
    value: t.id,
    label: `${t.name} (${t.language})`,
    description: t.category.toLowerCase(),
  }));
  const whenOptions: { value: When; label: string }[] = [
    { value: "now", label: "Send now" },
    { value: "at", label: "At a time" },
    { value: "local", label: "At a time in each lead's timezone" },
  ];

  return (
    <Card className="mb-6">
      <CardHeader
        title="New broadcast"
        description="Saved as a draft: run the pre-flight before anything is sent."
      />
      <form onSubmit={submit} className="grid gap-4 px-5 py-4 sm:grid-cols-2">
        <Field label="Name" error={errors["name"]}>
          <Input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Template" error={errors["template_id"]} hint="Approved templates only.">
          <Select
            value={templateId}
            onValueChange={setTemplateId}
            options={templateOptions}
            placeholder={templateOptions.length ? "Choose a template" : "No approved template"}
          />
        </Field>
        <Field label="Saved view" optional error={errors["audience.view_id"]}>
          <Select
            value={viewId}
            onValueChange={setViewId}
            options={viewOptions}
            placeholder="Any lead"
          />
        </Field>
        <Field label="Tags" optional hint="Comma separated: leads with any of them.">
          <Input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="vip, pune" />
        </Field>
        <Field label="When" error={errors["schedule.local_time"]}>
          <Select value={when} onValueChange={setWhen} options={whenOptions} />
        </Field>
        {when === "at" && (
          <Field label="Send at">
            <Input
              type="datetime-local"
              value={sendAt}
              onChange={(e) => setSendAt(e.target.value)}
              required
            />
          </Field>
        )}
        {when === "local" && (
          <Field label="Local time">
            <Input type="time" value={localTime} onChange={(e) => setLocalTime(e.target.value)} />
          </Field>
        )}
        <Field
          label="Messages per second"
          optional
          hint="Defaults to the number's rate (80)."
          error={errors["pacing.rate_per_second"]}
        >
          <Input
            type="number"
            min={1}
            value={rate}
            onChange={(e) => setRate(e.target.value)}
            inputMode="numeric"
          />
        </Field>
        {create.isError && Object.keys(errors).length === 0 && (
          <Alert tone="error" className="sm:col-span-2">
            {errorMessage(create.error)}
          </Alert>
        )}
        <div className="flex justify-end gap-2 sm:col-span-2">
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Save draft
          </Button>
        </div>
      </form>
    </Card>
  );
}
