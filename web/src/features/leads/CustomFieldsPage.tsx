import { Plus, SlidersHorizontal, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage } from "../../lib/format";
import { useSession } from "../auth";
import {
  useCreateCustomField,
  useCustomFields,
  useDeleteCustomField,
  type CustomField,
  type CustomFieldType,
} from "./api";
import { FIELD_TYPE_LABELS, parseTags } from "./fields";

const TYPES = Object.keys(FIELD_TYPE_LABELS) as CustomFieldType[];
const FORM_FIELDS = ["key", "label", "type", "options", "currency"];

/** Settings → Custom fields: what every lead can carry besides its built-in fields. */
export function CustomFieldsPage() {
  const { user } = useSession();
  const manage = canManage(user.role);
  const fields = useCustomFields();
  const [deleting, setDeleting] = useState<CustomField | null>(null);
  const remove = useDeleteCustomField();
  return (
    <>
      <SettingsHeader
        title="Custom fields"
        description="Extra fields on every lead, checked by type whenever they are written. The agent fills a field whose key matches what it learned (budget, city…) unless a person set it."
      />
      <div className="space-y-6">
        {manage && <NewFieldForm />}
        <Card>
          <CardHeader title="Fields" />
          {fields.isPending ? (
            <LoadingState label="Loading custom fields…" />
          ) : fields.isError ? (
            <ErrorState error={fields.error} onRetry={() => void fields.refetch()} />
          ) : fields.data.items.length === 0 ? (
            <EmptyState
              icon={SlidersHorizontal}
              title="No custom fields yet"
              description="Add one above: a budget, a visit date, a plan to choose from…"
            />
          ) : (
            <ul className="divide-y divide-gray-100" aria-label="Custom fields">
              {fields.data.items.map((f) => (
                <li key={f.id} className="flex items-start justify-between gap-3 px-5 py-3">
                  <div className="min-w-0 space-y-1">
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="font-medium text-gray-900">{f.label}</span>
                      <code className="rounded bg-gray-100 px-1.5 text-xs text-gray-600">
                        {f.key}
                      </code>
                      <Badge tone="blue">{FIELD_TYPE_LABELS[f.type]}</Badge>
                      {f.currency && <Badge>{f.currency}</Badge>}
                    </div>
                    {f.options.length > 0 && (
                      <p className="text-sm text-gray-500">{f.options.join(" · ")}</p>
                    )}
                  </div>
                  {manage && (
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-label={`Delete ${f.label}`}
                      onClick={() => setDeleting(f)}
                    >
                      <Trash2 className="size-4" />
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete “${deleting?.label ?? ""}”?`}
        description="The field and its value on every lead are removed."
        confirmLabel="Delete field"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting && remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })
        }
      />
    </>
  );
}

function NewFieldForm() {
  const { toast } = useToast();
  const create = useCreateCustomField();
  const [label, setLabel] = useState("");
  const [key, setKey] = useState("");
  const [keyEdited, setKeyEdited] = useState(false);
  const [type, setType] = useState<CustomFieldType>("text");
  const [options, setOptions] = useState("");
  const [currency, setCurrency] = useState("");
  const errors = create.error ? fieldErrors(create.error) : {};
  const choices = type === "select" || type === "multiselect";

  const onLabel = (v: string) => {
    setLabel(v);
    if (!keyEdited) {
      setKey(
        v
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "_")
          .replace(/^[^a-z]+|_+$/g, "")
          .slice(0, 40),
      );
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        key,
        label,
        type,
        options: choices ? parseTags(options) : [],
        currency: type === "currency" ? currency || null : null,
      },
      {
        onSuccess: (f) => {
          toast({ title: `“${f.label}” added` });
          setLabel("");
          setKey("");
          setKeyEdited(false);
          setOptions("");
          setCurrency("");
        },
      },
    );
  };

  return (
    <Card>
      <CardHeader title="New field" />
      <form onSubmit={submit} className="space-y-4 p-5" aria-label="New custom field">
        {create.isError && formMessage(create.error, FORM_FIELDS) && (
          <Alert title="Could not add the field">{formMessage(create.error, FORM_FIELDS)}</Alert>
        )}
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Label" error={errors.label}>
            <Input value={label} onChange={(e) => onLabel(e.target.value)} placeholder="Budget" />
          </Field>
          <Field label="Key" error={errors.key} hint="Fixed once created.">
            <Input
              value={key}
              onChange={(e) => {
                setKeyEdited(true);
                setKey(e.target.value);
              }}
              placeholder="budget"
            />
          </Field>
          <Field label="Type" error={errors.type}>
            <Select
              value={type}
              onValueChange={setType}
              options={TYPES.map((t) => ({ value: t, label: FIELD_TYPE_LABELS[t] }))}
            />
          </Field>
          {choices && (
            <Field
              label="Options"
              className="sm:col-span-2"
              hint="Separate options with commas."
              error={errors.options}
            >
              <Input value={options} onChange={(e) => setOptions(e.target.value)} />
            </Field>
          )}
          {type === "currency" && (
            <Field label="Currency" optional error={errors.currency}>
              <Input
                value={currency}
                maxLength={3}
                placeholder="INR"
                onChange={(e) => setCurrency(e.target.value.toUpperCase())}
              />
            </Field>
          )}
        </div>
        <div className="flex justify-end">
          <Button type="submit" loading={create.isPending}>
            <Plus className="size-4" /> Add field
          </Button>
        </div>
      </form>
    </Card>
  );
}
