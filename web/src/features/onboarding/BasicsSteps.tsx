import { TimeZoneList } from "../../components/TimeZoneList";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import type { Section, WizardForm } from "./answers";
import { LinesField, textAnswers } from "./fields";

export interface StepProps {
  form: WizardForm;
  update: <S extends Section>(section: S, patch: Partial<WizardForm[S]>) => void;
  /** Field errors of this step's section, keyed by input. */
  errors: Record<string, string>;
  disabled: boolean;
}

/** A. Business basics. */
export function BusinessStep(props: StepProps) {
  const { errors } = props;
  const text = textAnswers(props, "business");
  return (
    <div className="grid gap-5 sm:grid-cols-2">
      <Field label="Business name" error={errors.name} className="sm:col-span-2">
        <Input {...text("name")} autoComplete="organization" />
      </Field>
      <Field
        label="Website"
        error={errors.website_url}
        hint="Required. The agent links to it and learns from it."
      >
        <Input type="url" {...text("website_url")} placeholder="https://example.com" />
      </Field>
      <Field label="Timezone" error={errors.timezone} hint="For working hours and bookings.">
        <Input {...text("timezone")} list="onboarding-timezones" placeholder="e.g. Asia/Kolkata" />
      </Field>
      <Field label="Industry" optional error={errors.industry}>
        <Input {...text("industry")} placeholder="e.g. Education" />
      </Field>
      <Field label="City" optional error={errors.city}>
        <Input {...text("city")} />
      </Field>
      <Field label="Working hours" optional error={errors.working_hours} className="sm:col-span-2">
        <Input {...text("working_hours")} placeholder="e.g. 9 AM–9 PM, Monday to Saturday" />
      </Field>
      <Field label="Support email" optional error={errors.support_email}>
        <Input type="email" {...text("support_email")} />
      </Field>
      <Field label="Support phone" optional error={errors.support_phone}>
        <Input type="tel" {...text("support_phone")} placeholder="+91 98765 43210" />
      </Field>
      <TimeZoneList id="onboarding-timezones" />
    </div>
  );
}

/** B. What is sold. */
export function OfferStep(props: StepProps) {
  const { form, update, errors, disabled } = props;
  const text = textAnswers(props, "offer");
  return (
    <div className="space-y-5">
      <LinesField
        label="Products and services"
        optional={false}
        value={form.offer.products}
        onChange={(products) => update("offer", { products })}
        error={errors.products}
        hint="One per line; at least one."
        placeholder={"Live trading course\n1:1 mentorship"}
        disabled={disabled}
      />
      <Field label="Pricing" optional error={errors.pricing} hint="Tiers, plans, EMI options.">
        <Textarea
          {...text("pricing")}
          rows={2}
          placeholder="₹2,999 / ₹5,999 / ₹9,999; EMI over 3 months"
        />
      </Field>
      <Field label="What makes you different" optional error={errors.usp}>
        <Textarea {...text("usp")} rows={2} />
      </Field>
      <div className="grid gap-5 sm:grid-cols-2">
        <Field label="Delivery timeline" optional error={errors.delivery_timeline}>
          <Input {...text("delivery_timeline")} placeholder="e.g. Batches start every Monday" />
        </Field>
        <Field label="Refund policy" optional error={errors.refund_policy}>
          <Input {...text("refund_policy")} placeholder="e.g. Full refund within 7 days" />
        </Field>
      </div>
    </div>
  );
}

/** C. Who it is for. */
export function CustomerStep(props: StepProps) {
  const { form, update, errors, disabled } = props;
  const c = form.customer;
  const text = textAnswers(props, "customer");
  return (
    <div className="space-y-5">
      <Field label="Ideal customer" optional error={errors.description}>
        <Textarea
          {...text("description")}
          rows={3}
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
