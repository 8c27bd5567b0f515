import { EntriesField, ScriptInput, type FormProps } from "./controls";

const GROUPS = [
  ["openers", "Openers", "new_lead: the first message to a new lead."],
  ["qualification", "Qualification questions", "One per checklist slot, named like the slot."],
  ["objection_handlers", "Objection handlers", "Named like the objection playbook's entries."],
  ["cta_scripts", "CTA scripts", "Named by call-to-action (book_call…); [LINK] becomes its link."],
  ["exits", "Exits", "graceful, opt_out, handoff."],
] as const;

/** Script library: the lines the rules engine speaks with, one text or one per language. */
export function ScriptLibraryForm({ doc, set, disabled, error }: FormProps) {
  return (
    <div className="space-y-6">
      {GROUPS.map(([key, label, hint]) => (
        <EntriesField
          key={key}
          label={label}
          hint={hint}
          value={doc[key]}
          onChange={(v) => set(key, v)}
          disabled={disabled}
          error={error(key)}
          newValue=""
          placeholder="name, e.g. weekend_offer"
          testId={`scripts-${key}`}
          renderValue={(name, v, setValue) => (
            <ScriptInput name={name} value={v} onChange={setValue} disabled={disabled} />
          )}
        />
      ))}
    </div>
  );
}
