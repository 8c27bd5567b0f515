import { LinesField, type FormProps } from "./controls";

/** Guardrails: rules for the agent, phrases it must never write, disclaimers it must add. */
export function GuardrailsForm({ doc, set, disabled, error }: FormProps) {
  const list = (key: string, label: string, hint?: string) => (
    <LinesField
      label={label}
      value={doc[key]}
      onChange={(v) => set(key, v)}
      disabled={disabled}
      error={error(key)}
      hint={hint}
    />
  );
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {list("system_guardrails", "System guardrails", "Rules every agent keeps; one per line.")}
      {list("business_guardrails", "Your rules", "e.g. Never badmouth other institutes.")}
      {list(
        "forbidden_phrases",
        "Forbidden phrases",
        "Replies containing one are repaired or blocked; at least 3 characters each.",
      )}
      {list(
        "required_disclaimers",
        "Required disclaimers",
        "Appended word for word when a reply needs them.",
      )}
    </div>
  );
}
