import type { ReactNode } from "react";
import { Field } from "../../components/ui/Field";
import { Textarea } from "../../components/ui/Input";
import { cn } from "../../lib/cn";
import { splitLines } from "./answers";

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
