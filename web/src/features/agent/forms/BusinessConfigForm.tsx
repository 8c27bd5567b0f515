import { X } from "lucide-react";
import { CTA_LABELS, CTA_TYPES, isOneOf, optionsOf } from "../../../api/enums";
import type { CtaType } from "../../../api/models";
import { Button } from "../../../components/ui/Button";
import { Input } from "../../../components/ui/Input";
import { Select } from "../../../components/ui/Select";
import { EntriesField, LinesField, TextField, strings, text, type FormProps } from "./controls";
import { WorkingScheduleField } from "./WorkingScheduleField";

const CTA_OPTIONS = optionsOf(CTA_TYPES, CTA_LABELS);

/** The calls-to-action in the order the agent offers them; each type once. */
export function CtaList({
  label,
  value,
  onChange,
  disabled,
  error,
}: {
  label: string;
  value: unknown;
  onChange: (list: CtaType[]) => void;
  disabled: boolean;
  error?: string;
}) {
  const list = strings(value).filter((v): v is CtaType => isOneOf(CTA_TYPES, v));
  const left = CTA_OPTIONS.filter((o) => !list.includes(o.value));
  return (
    <fieldset className="space-y-2" data-testid="cta-list">
      <legend className="text-sm font-medium text-gray-700">{label}</legend>
      <ol className="space-y-1.5">
        {list.map((cta, i) => (
          <li key={cta} className="flex items-center gap-2 text-sm">
            <span className="w-5 text-right text-gray-400 tabular-nums">{i + 1}.</span>
            <span className="flex-1 text-gray-800">{CTA_LABELS[cta]}</span>
            <Button
              variant="ghost"
              size="sm"
              disabled={disabled}
              aria-label={`Remove ${CTA_LABELS[cta]}`}
              onClick={() => onChange(list.filter((c) => c !== cta))}
            >
              <X className="size-4" aria-hidden="true" />
            </Button>
          </li>
        ))}
      </ol>
      {!disabled && left.length > 0 && (
        <Select
          value=""
          onValueChange={(v) => onChange([...list, v])}
          options={left}
          placeholder="Add a call-to-action…"
          aria-label={`Add to ${label}`}
          className="max-w-xs"
        />
      )}
      {error && <p className="text-sm text-red-600">{error}</p>}
    </fieldset>
  );
}

/** Business config: the compact facts. */
export function BusinessConfigForm({ doc, set, disabled, error }: FormProps) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <TextField
        label="Business name"
        value={doc.business_name}
        onChange={(v) => set("business_name", v)}
        disabled={disabled}
        error={error("business_name")}
      />
      <TextField
        label="Working hours"
        value={doc.working_hours}
        onChange={(v) => set("working_hours", v)}
        disabled={disabled}
        error={error("working_hours")}
        hint="e.g. 9 AM–9 PM IST, Mon–Sat"
      />
      <div className="sm:col-span-2">
        <WorkingScheduleField
          value={doc.working_schedule}
          onChange={(v) => set("working_schedule", v)}
          disabled={disabled}
          error={error("working_schedule")}
        />
      </div>
      <TextField
        label="Offer summary"
        value={doc.offer_summary}
        onChange={(v) => set("offer_summary", v)}
        disabled={disabled}
        error={error("offer_summary")}
        multiline
      />
      <TextField
        label="Pricing summary"
        value={doc.pricing_summary}
        onChange={(v) => set("pricing_summary", v)}
        disabled={disabled}
        error={error("pricing_summary")}
        multiline
      />
      <CtaList
        label="Calls-to-action, in order"
        value={doc.primary_ctas}
        onChange={(v) => set("primary_ctas", v)}
        disabled={disabled}
        error={error("primary_ctas")}
      />
      <LinesField
        label="Disqualifiers"
        value={doc.disqualifiers}
        onChange={(v) => set("disqualifiers", v)}
        disabled={disabled}
        error={error("disqualifiers")}
      />
      <TextField
        label="Timezone"
        value={doc.timezone}
        onChange={(v) => set("timezone", v)}
        disabled={disabled}
        error={error("timezone")}
        hint="IANA, e.g. Asia/Kolkata"
      />
      <TextField
        label="Currency"
        value={doc.currency}
        onChange={(v) => set("currency", v.toUpperCase())}
        disabled={disabled}
        error={error("currency")}
        hint="ISO code such as INR, AED or USD; budgets are said back in it. Empty: the organisation's."
      />
      <div className="sm:col-span-2">
        <EntriesField
          label="Contact links"
          value={doc.contact_links}
          onChange={(v) => set("contact_links", v)}
          disabled={disabled}
          error={error("contact_links")}
          hint="booking_url, payment_url, app_url, form_url, docs_url, website_url: where each call-to-action leads."
          newValue=""
          placeholder="e.g. booking_url"
          renderValue={(k, v, setValue) => (
            <Input
              value={text(v)}
              onChange={(e) => setValue(e.target.value)}
              disabled={disabled}
              aria-label={k}
            />
          )}
        />
      </div>
    </div>
  );
}
