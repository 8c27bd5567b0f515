import { SendHorizontal } from "lucide-react";
import { useDeferredValue, useState } from "react";
import { errorMessage } from "../../api/errors";
import type { Message } from "../../api/models";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { useSendTemplate, useTemplatePreview, useTemplates, type Template } from "./api";
import { CATEGORY_LABELS } from "./labels";
import { TemplatePreview } from "./TemplatePreview";

/**
 * Picks an approved template for a lead whose window has closed: the placeholders are filled
 * from the lead (what the server cannot fill is asked for), the preview shows what they get.
 */
export function TemplateSender({
  conversationId,
  disabled,
  onSent,
}: {
  conversationId: string;
  disabled?: boolean;
  onSent: (message: Message) => void;
}) {
  const approved = useTemplates({ status: "approved" });
  const [chosen, setChosen] = useState<string>("");
  const [typed, setTyped] = useState<Record<string, string>>({});
  const template: Template | undefined = approved.data?.items.find((t) => t.id === chosen);
  const preview = useTemplatePreview(chosen || null, conversationId, useDeferredValue(typed));
  const send = useSendTemplate(conversationId);
  const missing = (preview.data?.missing ?? []).filter((p) => !typed[p]?.trim());
  const asked = Object.keys(typed).concat(missing.filter((p) => !(p in typed)));

  if (approved.data && approved.data.items.length === 0)
    return (
      <p className="text-sm text-amber-800">
        No approved template yet.{" "}
        <a href="/templates" className="font-medium underline underline-offset-2">
          Write one
        </a>{" "}
        and submit it to Meta.
      </p>
    );

  return (
    <div className="space-y-3" data-testid="template-sender">
      <Select
        value={chosen}
        placeholder="Choose an approved template"
        aria-label="Template"
        disabled={disabled}
        options={(approved.data?.items ?? []).map((t) => ({
          value: t.id,
          label: `${t.name} · ${t.language}`,
          description: CATEGORY_LABELS[t.category],
        }))}
        onValueChange={(id) => {
          setChosen(id);
          setTyped({});
          send.reset();
        }}
      />
      {template && (
        <div className="space-y-3">
          <TemplatePreview
            preview={preview.data}
            buttons={template.buttons}
            className="max-h-72 overflow-y-auto p-3"
            explainMissing={false}
          />
          {asked.map((p) => (
            <Field key={p} label={`Value for {{${p}}}`}>
              <Input
                value={typed[p] ?? ""}
                onChange={(e) => setTyped((t) => ({ ...t, [p]: e.target.value }))}
              />
            </Field>
          ))}
          {send.error && (
            <p role="alert" className="text-sm text-red-600">
              {errorMessage(send.error)}
            </p>
          )}
          <Button
            disabled={disabled || missing.length > 0}
            loading={send.isPending}
            onClick={() =>
              send.mutate(
                { templateId: template.id, variables: typed },
                {
                  onSuccess: ({ message }) => {
                    setChosen("");
                    setTyped({});
                    onSent(message);
                  },
                },
              )
            }
          >
            <SendHorizontal className="size-4" aria-hidden="true" />
            Send template
          </Button>
        </div>
      )}
    </div>
  );
}
