import { useState, type FormEvent } from "react";
import { exhaustive } from "../../api/enums";
import { fieldErrors, formMessage } from "../../api/errors";
import type { Org, UpdateOrgBody } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { TimeZoneList } from "../../components/TimeZoneList";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDate } from "../../lib/format";
import { useSession } from "../auth";
import { useOrg, useSaveOrg } from "./api";

type OptionalKey = Exclude<keyof UpdateOrgBody, "name">;
/** Every optional field of the organisation, in the form's order. */
const OPTIONAL = exhaustive<OptionalKey>()([
  "industry",
  "website",
  "timezone",
  "city",
  "support_email",
  "support_phone",
  "default_country",
  "currency",
] as const satisfies readonly OptionalKey[]);
const FIELDS = ["name", ...OPTIONAL];

type FormState = Record<keyof UpdateOrgBody, string>;

function toForm(org: Org): FormState {
  return {
    name: org.name,
    industry: org.industry ?? "",
    website: org.website ?? "",
    timezone: org.timezone ?? "",
    city: org.city ?? "",
    support_email: org.support_email ?? "",
    support_phone: org.support_phone ?? "",
    default_country: org.default_country ?? "",
    currency: org.currency ?? "",
  };
}

function toBody(form: FormState): UpdateOrgBody {
  const body: UpdateOrgBody = { name: form.name.trim() };
  for (const key of OPTIONAL) {
    const value = form[key].trim();
    body[key] = value === "" ? null : value;
  }
  return body;
}

export function OrganisationPage() {
  const org = useOrg();

  return (
    <>
      <SettingsHeader
        title="Organisation"
        description="Your business details. The agent uses them when it talks to leads."
      />
      {org.isPending ? (
        <Card>
          <LoadingState />
        </Card>
      ) : org.isError ? (
        <Card>
          <ErrorState error={org.error} onRetry={() => void org.refetch()} />
        </Card>
      ) : (
        <OrgForm org={org.data} key={org.data.id} />
      )}
    </>
  );
}

function OrgForm({ org }: { org: Org }) {
  const { user } = useSession();
  const editable = canManage(user.role);
  const { toast } = useToast();
  const [form, setForm] = useState<FormState>(() => toForm(org));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const save = useSaveOrg({
    onSuccess: (updated) => {
      setForm(toForm(updated));
      toast({ title: "Organisation details saved" });
    },
  });

  const set = (key: keyof FormState) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: event.target.value }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!editable) return;
    const errors: Record<string, string> = {};
    if (!form.name.trim()) errors.name = "Enter your organisation's name.";
    setLocalErrors(errors);
    if (Object.keys(errors).length === 0) save.mutate(toBody(form));
  };

  const server = fieldErrors(save.error);
  const err = (key: string) => localErrors[key] ?? server[key];
  const message = formMessage(save.error, FIELDS);
  const readOnly = !editable;

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate aria-label="Organisation details">
        <div className="space-y-5 p-5">
          {readOnly && (
            <Alert tone="info">Only owners and admins can change the organisation details.</Alert>
          )}
          {message && <Alert>{message}</Alert>}
          <div className="grid gap-5 sm:grid-cols-2">
            <Field label="Organisation name" error={err("name")} className="sm:col-span-2">
              <Input value={form.name} onChange={set("name")} readOnly={readOnly} />
            </Field>
            <Field label="Industry" error={err("industry")} optional={!readOnly}>
              <Input
                value={form.industry}
                onChange={set("industry")}
                readOnly={readOnly}
                placeholder="e.g. Real estate"
              />
            </Field>
            <Field label="Website" error={err("website")} optional={!readOnly}>
              <Input
                type="url"
                value={form.website}
                onChange={set("website")}
                readOnly={readOnly}
                placeholder="https://example.com"
              />
            </Field>
            <Field label="Timezone" error={err("timezone")} optional={!readOnly}>
              <Input
                value={form.timezone}
                onChange={set("timezone")}
                readOnly={readOnly}
                list="timezones"
                placeholder="e.g. Europe/London"
              />
            </Field>
            <Field label="City" error={err("city")} optional={!readOnly}>
              <Input value={form.city} onChange={set("city")} readOnly={readOnly} />
            </Field>
            <Field label="Support email" error={err("support_email")} optional={!readOnly}>
              <Input
                type="email"
                value={form.support_email}
                onChange={set("support_email")}
                readOnly={readOnly}
              />
            </Field>
            <Field label="Support phone" error={err("support_phone")} optional={!readOnly}>
              <Input
                type="tel"
                value={form.support_phone}
                onChange={set("support_phone")}
                readOnly={readOnly}
                placeholder="+44 20 7946 0000"
              />
            </Field>
            <Field
              label="Country for phone numbers"
              error={err("default_country")}
              hint="Lead phones written without a country code are read in this country (two letters, e.g. IN)."
            >
              <Input
                value={form.default_country}
                onChange={set("default_country")}
                readOnly={readOnly}
                maxLength={2}
                placeholder="IN"
              />
            </Field>
            <Field
              label="Currency"
              error={err("currency")}
              hint="Deal values and the pipeline's totals are in this currency (three letters, e.g. INR)."
            >
              <Input
                value={form.currency}
                onChange={set("currency")}
                readOnly={readOnly}
                maxLength={3}
                placeholder="INR"
              />
            </Field>
          </div>
          <TimeZoneList id="timezones" />
        </div>
        <div className="flex flex-col-reverse gap-3 border-t border-gray-200 bg-gray-50/60 px-5 py-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-xs text-gray-500">Created {formatDate(org.created_at)}</p>
          {editable && (
            <Button type="submit" loading={save.isPending}>
              Save changes
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}
