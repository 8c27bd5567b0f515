import { Plus, X } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Textarea } from "../../components/ui/Input";
import { cn } from "../../lib/cn";
import { splitLines, type Section, type WizardForm } from "./answers";
import type { StepProps } from "./BasicsSteps";

/** The answers of a section that are free text. */
type TextKey<S extends Section> = {
  [K in keyof WizardForm[S]]: string extends WizardForm[S][K] ? K : never;
}[keyof WizardForm[S]];

/** Binds inputs to a section's text answers: `<Input {...text("city")} />`. */
export function textAnswers<S extends Section>({ form, update, disabled }: StepProps, section: S) {
  return (key: TextKey<S>) => ({
    value: form[section][key] as string,
    onChange: (e: { target: { value: string } }) =>
      update(section, { [key]: e.target.value } as Partial<WizardForm[S]>),
    disabled,
  });
}

/** A list answered one entry per line. */
export function LinesField({
  label,
  value,
  onChange,
  error,
  hint,
  placeholder,
  rows = 3,
  optional = true,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  placeholder?: string;
  rows?: number;
  optional?: boolean;
  disabled?: boolean;
}) {
  const count = splitLines(value).length;
  const counted = count > 0 ? `${count} ${count === 1 ? "entry" : "entries"}. ` : "";
  return (
    <Field
      label={label}
      optional={optional}
      error={error}
      hint={`${counted}${hint ?? "One per line."}`}
    >
      <Textarea
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={rows}
        placeholder={placeholder}
        disabled={disabled}
      />
    </Field>
  );
}

export interface Choice<T extends string> {
  value: T;
  label: string;
  description?: string;
}

/** A row of exclusive options, as radio buttons. */
export function ChoiceGroup<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
  columns = 3,
}: {
  label: string;
  value: T;
  options: readonly Choice<T>[];
  onChange: (value: T) => void;
  disabled?: boolean;
  columns?: 2 | 3 | 4;
}) {
  return (
    <fieldset>
      <legend className="mb-1.5 block text-sm font-medium text-gray-700">{label}</legend>
      <div
        role="radiogroup"
        aria-label={label}
        className={cn(
          "grid gap-2",
          columns === 2 && "sm:grid-cols-2",
          columns === 3 && "sm:grid-cols-3",
          columns === 4 && "sm:grid-cols-2 lg:grid-cols-4",
        )}
      >
        {options.map((option) => {
          const checked = option.value === value;
          return (
            <button
              key={option.value}
              type="button"
              role="radio"
              aria-checked={checked}
              aria-label={option.label}
              disabled={disabled}
              onClick={() => onChange(option.value)}
              className={cn(
                "rounded-md border px-3 py-2 text-left transition-colors disabled:cursor-not-allowed",
                checked
                  ? "border-brand-500 bg-brand-50/60 ring-1 ring-brand-500"
                  : "border-gray-200 hover:border-gray-300 hover:bg-gray-50",
              )}
            >
              <span className="block text-sm font-medium text-gray-900">{option.label}</span>
              {option.description && (
                <span className="block text-xs text-gray-500">{option.description}</span>
              )}
            </button>
          );
        })}
      </div>
    </fieldset>
  );
}

/** A titled group of inputs inside a step. */
export function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-4">
      <h3 className="text-sm font-semibold text-gray-900">{title}</h3>
      {children}
    </section>
  );
}

/** Rows of inputs, each with a Remove button, and a button adding a blank row (up to `max`). */
export function EditableRows<T extends object>({
  rows,
  onChange,
  blank,
  max,
  noun,
  addLabel,
  disabled,
  rowTestId,
  children,
}: {
  rows: readonly T[];
  onChange: (rows: T[]) => void;
  blank: T;
  max: number;
  /** What a row is, for its Remove button's label: "Remove topic 2". */
  noun: string;
  addLabel: string;
  disabled: boolean;
  rowTestId?: string;
  /** A row's inputs; `patch` changes that row. */
  children: (row: T, index: number, patch: (patch: Partial<T>) => void) => ReactNode;
}) {
  return (
    <div className="space-y-3">
      {rows.map((row, index) => (
        <div
          key={index}
          className="grid items-start gap-3 sm:grid-cols-[1fr_2fr_auto]"
          data-testid={rowTestId}
        >
          {children(row, index, (patch) =>
            onChange(rows.map((r, i) => (i === index ? { ...r, ...patch } : r))),
          )}
          <Button
            variant="ghost"
            size="sm"
            className="sm:mt-7"
            aria-label={`Remove ${noun} ${index + 1}`}
            disabled={disabled}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            <X className="size-4" aria-hidden="true" />
          </Button>
        </div>
      ))}
      <Button
        variant="secondary"
        size="sm"
        disabled={disabled || rows.length >= max}
        onClick={() => onChange([...rows, blank])}
      >
        <Plus className="size-4" aria-hidden="true" />
        {addLabel}
      </Button>
    </div>
  );
}
