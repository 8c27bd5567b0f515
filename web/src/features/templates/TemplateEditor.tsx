import { ArrowLeft, Plus, Send, Trash2, X } from "lucide-react";
import { useDeferredValue, useState } from "react";
import { ApiError, errorMessage, fieldErrors } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { useToast } from "../../components/ui/Toast";
import { formatDateTime } from "../../lib/format";
import {
  useCreateTemplate,
  useDeleteTemplate,
  useDraftPreview,
  useRecentConversations,
  useSubmitTemplate,
  useUpdateTemplate,
  type ButtonType,
  type HeaderFormat,
  type Template,
  type TemplateButton,
  type TemplateInput,
  type VariableMapping,
} from "./api";
import { draftOf, emptyDraft, placeholdersOf, pruned } from "./draft";
import {
  BUTTON_LABELS,
  BUTTON_TYPES,
  CATEGORIES,
  CATEGORY_LABELS,
  CONTACT_FIELDS,
  FORMAT_LABELS,
  FORMATS,
  HEADER_FORMATS,
  HEADER_LABELS,
  SOURCE_LABELS,
  SOURCES,
  STOP_PROMOTIONS,
} from "./labels";
import { TemplatePreview } from "./TemplatePreview";
import { TemplateBadges } from "./TemplatesPage";

const NO_HEADER = "none";

function VariableRow({
  name,
  example,
  mapping,
  error,
  disabled,
  onExample,
  onMapping,
}: {
  name: string;
  example: string;
  mapping: VariableMapping | undefined;
  error?: string;
  disabled: boolean;
  onExample: (v: string) => void;
  onMapping: (m: VariableMapping | null) => void;
}) {
  const source = mapping?.source ?? "contact";
  return (
    <div className="grid gap-2 rounded-md border border-gray-200 p-3 sm:grid-cols-2">
      <p className="font-mono text-sm text-gray-700 sm:col-span-2">{`{{${name}}}`}</p>
      <Field label="Sample for Meta" error={error}>
        <Input
          value={example}
          disabled={disabled}
          onChange={(e) => onExample(e.target.value)}
          aria-label={`Sample for ${name}`}
        />
      </Field>
      <Field label="Filled from">
        <Select
          value={mapping ? source : ""}
          placeholder="Typed at each send"
          disabled={disabled}
          options={SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s] }))}
          onValueChange={(s) =>
            onMapping({ source: s, key: s === "contact" ? "first_name" : "", fallback: null })
          }
          aria-label={`Source for ${name}`}
        />
      </Field>
      {mapping && (
        <>
          <Field label={source === "static" ? "Text" : source === "slot" ? "Slot" : "Lead field"}>
            {source === "contact" ? (
              <Select
                value={mapping.key}
                disabled={disabled}
                options={CONTACT_FIELDS.map((f) => ({ value: f, label: f }))}
                onValueChange={(key) => onMapping({ ...mapping, key })}
                aria-label={`Lead field for ${name}`}
              />
            ) : (
              <Input
                value={mapping.key}
                disabled={disabled}
                onChange={(e) => onMapping({ ...mapping, key: e.target.value })}
                aria-label={`Key for ${name}`}
              />
            )}
          </Field>
          <Field label="Fallback" optional>
            <Input
              value={mapping.fallback ?? ""}
              disabled={disabled}
              onChange={(e) => onMapping({ ...mapping, fallback: e.target.value || null })}
              aria-label={`Fallback for ${name}`}
            />
          </Field>
        </>
      )}
    </div>
  );
}

function ButtonRow({
  button: b,
  index,
  errors,
  disabled,
  onChange,
  onRemove,
}: {
  button: TemplateButton;
  index: number;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (b: TemplateButton) => void;
  onRemove: () => void;
}) {
  const err = (f: string) => errors[`buttons[${index}].${f}`];
  return (
    <div className="space-y-2 rounded-md border border-gray-200 p-3">
      <div className="flex items-center justify-between gap-2">
        <Badge>{BUTTON_LABELS[b.type]}</Badge>
        {!disabled && (
          <Button
            type="button"
            variant="ghost"
            size="sm"
            onClick={onRemove}
            aria-label="Remove button"
          >
            <X className="size-4" aria-hidden="true" />
          </Button>
        )}
      </div>
      <div className="grid gap-2 sm:grid-cols-2">
        {b.type !== "copy_code" && (
          <Field label="Label" error={err("text")}>
            <Input
              value={b.text ?? ""}
              maxLength={25}
              disabled={disabled}
              onChange={(e) => onChange({ ...b, text: e.target.value })}
            />
          </Field>
        )}
        {b.type === "url" && (
          <Field label="Address" error={err("url")} hint="End it with {{1}} for a per-lead link.">
            <Input
              value={b.url ?? ""}
              disabled={disabled}
              onChange={(e) => onChange({ ...b, url: e.target.value })}
            />
          </Field>
        )}
        {b.type === "phone_number" && (
          <Field label="Phone number" error={err("phone_number")}>
            <Input
              value={b.phone_number ?? ""}
              disabled={disabled}
              onChange={(e) => onChange({ ...b, phone_number: e.target.value })}
            />
          </Field>
        )}
        {(b.type === "copy_code" || (b.type === "url" && b.url?.includes("{{"))) && (
          <Field label={b.type === "url" ? "Sample address" : "Sample code"} error={err("example")}>
            <Input
              value={b.example ?? ""}
              disabled={disabled}
              onChange={(e) => onChange({ ...b, example: e.target.value })}
            />
          </Field>
        )}
      </div>
    </div>
  );
}

/** The fields of a draft, with Meta's lint shown beside each, and its live preview. */
export function TemplateEditor({
  template,
  readOnly,
  onClose,
  onSaved,
}: {
  template: Template | null;
  readOnly: boolean;
  onClose: () => void;
  onSaved: (t: Template) => void;
}) {
  const [draft, setDraft] = useState<TemplateInput>(() =>
    template ? draftOf(template) : emptyDraft(),
  );
  const [lead, setLead] = useState<string>("");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const create = useCreateTemplate();
  const update = useUpdateTemplate();
  const submit = useSubmitTemplate();
  const remove = useDeleteTemplate();
  const leads = useRecentConversations();
  const { toast } = useToast();
  const locked =
    readOnly || (template !== null && !["draft", "rejected"].includes(template.status));
  const preview = useDraftPreview(useDeferredValue(pruned(draft)), lead || null);
  const save = template ? update : create;
  const errors = { ...fieldErrors(save.error), ...fieldErrors(submit.error) };
  const set = (patch: Partial<TemplateInput>) => setDraft((d) => ({ ...d, ...patch }));
  const buttons = draft.buttons ?? [];
  const names = placeholdersOf(draft.body.text);
  const headerPlaceholder =
    draft.header?.format === "text" && placeholdersOf(draft.header.text).length > 0;

  const onSave = () => {
    const body = pruned(draft);
    const done = {
      onSuccess: (t: Template) => {
        toast({ tone: "success", title: "Template saved" });
        onSaved(t);
      },
    };
    if (template) update.mutate({ id: template.id, body }, done);
    else create.mutate(body, done);
  };
  const onSubmit = () =>
    template &&
    submit.mutate(template.id, {
      onSuccess: () => toast({ tone: "success", title: "Sent to Meta for review" }),
    });
  const setButtons = (buttons: TemplateButton[]) => set({ buttons });
  const addButton = (type: ButtonType, text?: string) =>
    setButtons([...buttons, { type, text: text ?? "", url: null, phone_number: null }]);
  const wantsStop =
    draft.category === "marketing" && !buttons.some((b) => b.text === STOP_PROMOTIONS);
  const error = save.error ?? submit.error;
  const generalError =
    error && !(error instanceof ApiError && error.code === "validation_failed")
      ? errorMessage(error)
      : null;

  return (
    <Card className="min-w-0">
      <div className="flex flex-wrap items-center gap-2 border-b border-gray-200 px-4 py-3">
        <Button
          type="button"
          variant="ghost"
          size="sm"
          onClick={onClose}
          aria-label="Back to templates"
        >
          <ArrowLeft className="size-4" aria-hidden="true" />
        </Button>
        <h2 className="min-w-0 flex-1 truncate font-mono text-base font-semibold text-gray-900">
          {template?.name ?? "New template"}
        </h2>
        {template && <TemplateBadges template={template} />}
      </div>
      <div className="grid gap-6 p-4 xl:grid-cols-[minmax(0,1fr)_20rem]">
        <form
          className="min-w-0 space-y-4"
          aria-label="Template"
          onSubmit={(e) => {
            e.preventDefault();
            onSave();
          }}
        >
          {template?.status === "rejected" && (
            <Alert title={`Meta rejected it: ${template.rejected_reason ?? "no reason given"}`}>
              {template.status_detail} Edit it and submit again.
            </Alert>
          )}
          {template?.status === "paused" && (
            <Alert title="Meta paused it for low quality">
              {template.status_detail}{" "}
              {template.paused_until && `It resumes ${formatDateTime(template.paused_until)}.`}
            </Alert>
          )}
          {generalError && <Alert>{generalError}</Alert>}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Name" error={errors.name} hint="Lower case, digits and _">
              <Input
                value={draft.name}
                disabled={locked || !!template}
                onChange={(e) => set({ name: e.target.value })}
                placeholder="order_update"
              />
            </Field>
            <Field label="Language" error={errors.language}>
              <Input
                value={draft.language}
                disabled={locked}
                onChange={(e) => set({ language: e.target.value })}
              />
            </Field>
            <Field label="Category">
              <Select
                value={draft.category}
                disabled={locked}
                options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
                onValueChange={(category) => set({ category })}
              />
            </Field>
            <Field
              label="Placeholders"
              hint={draft.parameter_format === "named" ? "{{first_name}}" : "{{1}}, {{2}}…"}
            >
              <Select
                value={draft.parameter_format}
                disabled={locked}
                options={FORMATS.map((f) => ({ value: f, label: FORMAT_LABELS[f] }))}
                onValueChange={(parameter_format) => set({ parameter_format })}
              />
            </Field>
          </div>
          <div className="grid gap-4 sm:grid-cols-[10rem_minmax(0,1fr)]">
            <Field label="Header" optional>
              <Select<HeaderFormat | typeof NO_HEADER>
                value={draft.header?.format ?? NO_HEADER}
                disabled={locked}
                options={[
                  { value: NO_HEADER, label: "None" },
                  ...HEADER_FORMATS.map((f) => ({ value: f, label: HEADER_LABELS[f] })),
                ]}
                onValueChange={(f) =>
                  set({ header: f === NO_HEADER ? null : { ...draft.header, format: f } })
                }
              />
            </Field>
            {draft.header?.format === "text" ? (
              <Field label="Header text" error={errors["header.text"]}>
                <Input
                  value={draft.header.text ?? ""}
                  maxLength={60}
                  disabled={locked}
                  onChange={(e) => set({ header: { ...draft.header!, text: e.target.value } })}
                />
              </Field>
            ) : draft.header ? (
              <Field label="Media link (https)" error={errors["header.media_url"]}>
                <Input
                  value={draft.header.media_url ?? ""}
                  disabled={locked}
                  onChange={(e) => set({ header: { ...draft.header!, media_url: e.target.value } })}
                />
              </Field>
            ) : (
              <span />
            )}
          </div>
          {headerPlaceholder && (
            <Field label="Header sample" error={errors["header.example"]}>
              <Input
                value={draft.header?.example ?? ""}
                disabled={locked}
                onChange={(e) => set({ header: { ...draft.header!, example: e.target.value } })}
              />
            </Field>
          )}
          <Field
            label="Body"
            error={errors["body.text"]}
            hint={`${draft.body.text.length}/1024 · add variables as {{first_name}} or {{1}}`}
          >
            <Textarea
              rows={5}
              value={draft.body.text}
              disabled={locked}
              onChange={(e) => set({ body: { ...draft.body, text: e.target.value } })}
            />
          </Field>
          {names.map((name) => (
            <VariableRow
              key={name}
              name={name}
              disabled={locked}
              example={draft.body.examples?.[name] ?? ""}
              mapping={draft.variables?.[name]}
              error={errors[`body.examples.${name}`] ?? errors[`variables.${name}`]}
              onExample={(v) =>
                set({ body: { ...draft.body, examples: { ...draft.body.examples, [name]: v } } })
              }
              onMapping={(m) =>
                set({ variables: { ...draft.variables, ...(m ? { [name]: m } : {}) } })
              }
            />
          ))}
          <Field label="Footer" optional error={errors["footer.text"]}>
            <Input
              value={draft.footer?.text ?? ""}
              maxLength={60}
              disabled={locked}
              onChange={(e) => set({ footer: e.target.value ? { text: e.target.value } : null })}
            />
          </Field>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-gray-700">Buttons</legend>
            {errors.buttons && <p className="text-sm text-red-600">{errors.buttons}</p>}
            {buttons.map((b, i) => (
              <ButtonRow
                key={i}
                index={i}
                button={b}
                errors={errors}
                disabled={locked}
                onChange={(nb) => setButtons(buttons.map((x, j) => (j === i ? nb : x)))}
                onRemove={() => setButtons(buttons.filter((_, j) => j !== i))}
              />
            ))}
            {!locked && (
              <div className="flex flex-wrap gap-2">
                {BUTTON_TYPES.map((t) => (
                  <Button
                    type="button"
                    key={t}
                    variant="secondary"
                    size="sm"
                    onClick={() => addButton(t)}
                  >
                    <Plus className="size-3.5" aria-hidden="true" />
                    {BUTTON_LABELS[t]}
                  </Button>
                ))}
                {wantsStop && (
                  <Button
                    type="button"
                    variant="secondary"
                    size="sm"
                    onClick={() => addButton("quick_reply", STOP_PROMOTIONS)}
                    title="Meta suggests it on marketing templates; a tap stops promotions to that lead"
                  >
                    <Plus className="size-3.5" aria-hidden="true" />“{STOP_PROMOTIONS}”
                  </Button>
                )}
              </div>
            )}
          </fieldset>
          {!readOnly && (
            <div className="flex flex-wrap gap-2 border-t border-gray-200 pt-4">
              {!locked && (
                <Button type="submit" loading={save.isPending}>
                  Save draft
                </Button>
              )}
              {template && !locked && (
                <Button
                  type="button"
                  variant="secondary"
                  onClick={onSubmit}
                  loading={submit.isPending}
                >
                  <Send className="size-4" aria-hidden="true" />
                  Submit to Meta
                </Button>
              )}
              {template && (
                <Button type="button" variant="ghost" onClick={() => setConfirmDelete(true)}>
                  <Trash2 className="size-4" aria-hidden="true" />
                  Delete
                </Button>
              )}
            </div>
          )}
        </form>
        <aside className="space-y-3 self-start xl:sticky xl:top-4" aria-label="Preview">
          <Field label="Fill with a lead's values">
            <Select
              value={lead}
              placeholder="Samples only"
              options={(leads.data?.items ?? []).map((c) => ({
                value: c.id,
                label: c.contact.name ?? c.contact.phone ?? "Unknown lead",
              }))}
              onValueChange={setLead}
            />
          </Field>
          <TemplatePreview preview={preview.data} buttons={buttons} />
        </aside>
      </div>
      {template && (
        <ConfirmDialog
          open={confirmDelete}
          onOpenChange={setConfirmDelete}
          title={`Delete ${template.name}?`}
          description="It is deleted at Meta too, in every language."
          confirmLabel="Delete"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(template.id, { onSuccess: onClose })}
        />
      )}
    </Card>
  );
}
