import type { ComponentType } from "react";
import type { DocumentKey, DocumentProblem } from "../documents";
import { parseDocument, setInDraft } from "../documents";
import { BusinessConfigForm } from "./BusinessConfigForm";
import type { FormProps } from "./controls";
import { GuardrailsForm } from "./GuardrailsForm";
import { SalesRulesForm } from "./SalesRulesForm";
import { ScriptLibraryForm } from "./ScriptLibraryForm";
import { ToneForm } from "./ToneForm";

const FORMS: Record<DocumentKey, ComponentType<FormProps>> = {
  business_config: BusinessConfigForm,
  sales_rules: SalesRulesForm,
  tone_profile: ToneForm,
  guardrails: GuardrailsForm,
  script_library: ScriptLibraryForm,
};

/**
 * One document as a form. It edits the same text as the JSON view: each change rewrites that
 * key of the draft, so switching between the two never loses an edit.
 */
export function DocumentForm({
  document,
  text,
  onChange,
  readOnly,
  problem,
}: {
  document: DocumentKey;
  text: string;
  onChange: (text: string) => void;
  readOnly: boolean;
  problem: DocumentProblem | null;
}) {
  const parsed = parseDocument(text);
  if (!parsed.ok)
    return (
      <p className="text-sm text-gray-500" role="status">
        Fix the JSON to use the form: {parsed.error}
      </p>
    );
  const Form = FORMS[document];
  return (
    <div data-testid={`form-${document}`}>
      <Form
        doc={parsed.value}
        set={(key, value) => {
          const next = setInDraft(text, key, value);
          if (next !== null) onChange(next);
        }}
        disabled={readOnly}
        error={(path) =>
          problem?.document === document &&
          (problem.path === path ||
            problem.path.startsWith(`${path}.`) ||
            problem.path.startsWith(`${path}[`))
            ? problem.message
            : undefined
        }
      />
    </div>
  );
}
