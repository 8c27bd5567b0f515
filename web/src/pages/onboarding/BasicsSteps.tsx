import { useMemo } from "react";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import type { Section, WizardForm } from "./answers";
import { LinesField } from "./fields";

export interface StepProps {
  form: WizardForm;
  update: <S extends Section>(section: S, patch: Partial<WizardForm[S]>) => void;
  /** Field errors of this step's section, keyed by input. */
  errors: Record<string, string>;
  disabled: boolean;
}

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** A. Business basics. */
export function BusinessStep({ form, update, errors, disabled }: StepProps) {
  const b = form.business;
  const zones = useMemo(() => timeZones(), []);
  const set = (key: keyof WizardForm["business"]) => (e: { target: { value: string } }) =>
    update("business", { [key]: e.target.value });
  return (
    <div className="grid gap-5 sm:grid-cols-2">
      <Field label="Business name" error={errors.name} className="sm:col-span-2">
        <Input
          value={b.name}
          onChange={set("name")}
          disabled={disabled}
          autoComplete="organization"
        />
      </Field>
      <Field
        label="Website"
        error={errors.website_url}
        hint="Required. The agent links to it and learns from it."
      >
        <Input
          type="url"
          value={b.website_url}
          onChange={set("website_url")}
          disabled={disabled}
          placeholder="https://example.com"
        />
      </Field>
      <Field label="Timezone" error={errors.timezone} hint="For working hours and bookings.">
        <Input
          value={b.timezone}
          onChange={set("timezone")}
          disabled={disabled}
          list="onboarding-timezones"
          placeholder="e.g. Asia/Kolkata"
        />
      </Field>
      <Field label="Industry" optional error={errors.industry}>
        <Input
          value={b.industry}
          onChange={set("industry")}
          disabled={disabled}
          placeholder="e.g. Education"
        />
      </Field>
      <Field label="City" optional error={errors.city}>
        <Input value={b.city} onChange={set("city")} disabled={disabled} />
      </Field>
      <Field label="Working hours" optional error={errors.working_hours} className="sm:col-span-2">
        <Input
          value={b.working_hours}
          onChange={set("working_hours")}
          disabled={disabled}
          placeholder="e.g. 9 AM–9 PM, Monday to Saturday"
        />
      </Field>
      <Field label="Support email" optional error={errors.support_email}>
        <Input
          type="email"
          value={b.support_email}
          onChange={set("support_email")}
          disabled={disabled}
        />
      </Field>
      <Field label="Support phone" optional error={errors.support_phone}>
        <Input
          type="tel"
          value={b.support_phone}
          onChange={set("support_phone")}
          disabled={disabled}
          placeholder="+91 98765 43210"
        />
      </Field>
      {zones.length > 0 && (
        <datalist id="onboarding-timezones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      )}
    </div>
  );
}

/** B. What is sold. */
export function OfferStep({ form, update, errors, disabled }: StepProps) {
  const o = form.offer;
  const set = (key: keyof WizardForm["offer"]) => (e: { target: { value: string } }) =>
    update("offer", { [key]: e.target.value });
  return (
    <div className="space-y-5">
      <LinesField
        label="Products and services"
        optional={false}
        value={o.products}
        onChange={(products) => update("offer", { products })}
        error={errors.products}
        hint="One per line; at least one."
        placeholder={"Live trading course\n1:1 mentorship"}
        disabled={disabled}
      />
      <Field label="Pricing" optional error={errors.pricing} hint="Tiers, plans, EMI options.">
        <Textarea
          value={o.pricing}
          onChange={set("pricing")}
          rows={2}
          disabled={disabled}
          placeholder="₹2,999 / ₹5,999 / ₹9,999; EMI over 3 months"
        />
      </Field>
      <Field label="What makes you different" optional error={errors.usp}>
        <Textarea value={o.usp} onChange={set("usp")} rows={2} disabled={disabled} />
      </Field>
      <div className="grid gap-5 sm:grid-cols-2">
        <Field label="Delivery timeline" optional error={errors.delivery_timeline}>
          <Input
            value={o.delivery_timeline}
            onChange={set("delivery_timeline")}
            disabled={disabled}
            placeholder="e.g. Batches start every Monday"
          />
        </Field>
        <Field label="Refund policy" optional error={errors.refund_policy}>
          <Input
            value={o.refund_policy}
            onChange={set("refund_policy")}
            disabled={disabled}
            placeholder="e.g. Full refund within 7 days"
          />
        </Field>
      </div>
    </div>
  );
}

/** C. Who it is for. */
export function CustomerStep({ form, update, errors, disabled }: StepProps) {
  const c = form.customer;
  return (
    <div className="space-y-5">
      <Field label="Ideal customer" optional error={errors.description}>
        <Textarea
          value={c.description}
          onChange={(e) => update("customer", { description: e.target.value })}
          rows={3}
          disabled={disabled}
          placeholder="e.g. Working professionals who want a second income from trading"
        />
      </Field>
      <LinesField
        label="Disqualifiers"
        value={c.disqualifiers}
        onChange={(disqualifiers) => update("customer", { disqualifiers })}
        error={errors.disqualifiers}
        hint="Leads the agent should politely let go. One per line."
        placeholder={"Under 18\nOutside India"}
        disabled={disabled}
      />
      <LinesField
        label="Common use cases"
        value={c.use_cases}
        onChange={(use_cases) => update("customer", { use_cases })}
        error={errors.use_cases}
        placeholder={"Swing trading\nLong-term investing"}
        disabled={disabled}
      />
    </div>
  );
}
