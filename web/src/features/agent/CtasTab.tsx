import { MousePointerClick, Pencil, Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { ApiError, errorMessage, fieldErrors } from "../../api/errors";
import { CTA_LABELS, CTA_TYPES } from "../../api/enums";
import type { Cta, CtaBody, CtaType } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { RowMenu } from "../../components/ui/Menu";
import { Select } from "../../components/ui/Select";
import { EmptyState } from "../../components/ui/States";
import { Switch } from "../../components/ui/Switch";
import { Table, Td, Th } from "../../components/ui/Table";
import { useToast } from "../../components/ui/Toast";
import { useCtas, useDeleteCta, useSaveCta } from "./api";

/** Which contact detail a CTA type needs: a link for most, a phone for calls. */
function needsPhone(type: CtaType | ""): boolean {
  return type === "book_call";
}

interface FormState {
  /** "" until one is chosen (every type may be taken). */
  type: CtaType | "";
  name: string;
  link: string;
  phone: string;
  enabled: boolean;
  position: string;
}

function toBody(form: FormState & { type: CtaType }): CtaBody {
  const position = Number(form.position);
  return {
    type: form.type,
    name: form.name.trim(),
    link: form.link.trim() || null,
    phone: form.phone.trim() || null,
    enabled: form.enabled,
    ...(form.position.trim() !== "" && Number.isFinite(position) ? { position } : {}),
  };
}

function bodyOf(cta: Cta): CtaBody {
  return {
    type: cta.type,
    name: cta.name,
    link: cta.link ?? null,
    phone: cta.phone ?? null,
    enabled: cta.enabled,
    position: cta.position,
  };
}

function CtaDialog({
  onOpenChange,
  editing,
  existing,
}: {
  onOpenChange: (open: boolean) => void;
  editing: Cta | null;
  existing: Cta[];
}) {
  const save = useSaveCta();
  const { toast } = useToast();
  const taken = new Set(existing.filter((c) => c.id !== editing?.id).map((c) => c.type));
  const free = CTA_TYPES.filter((t) => !taken.has(t));
  const [form, setForm] = useState<FormState>(() =>
    editing
      ? {
          type: editing.type,
          name: editing.name,
          link: editing.link ?? "",
          phone: editing.phone ?? "",
          enabled: editing.enabled,
          position: String(editing.position),
        }
      : {
          type: free[0] ?? "",
          name: free[0] ? CTA_LABELS[free[0]] : "",
          link: "",
          phone: "",
          enabled: true,
          position: String(existing.reduce((max, c) => Math.max(max, c.position), 0) + 1),
        },
  );
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const set = (key: keyof FormState) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const server = { ...fieldErrors(save.error) };
  if (save.error instanceof ApiError && save.error.status === 409 && !server.type && form.type)
    server.type = `There is already a ${CTA_LABELS[form.type]} CTA; edit that one instead.`;
  const err = (key: string) => localErrors[key] ?? server[key];
  const known = ["type", "name", "link", "phone", "enabled", "position"];
  const message =
    save.error && !Object.keys(server).some((k) => known.includes(k))
      ? errorMessage(save.error)
      : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!form.type) errors.type = "Choose a type.";
    if (!form.name.trim()) errors.name = "Give it a name.";
    if (form.position.trim() !== "" && !Number.isInteger(Number(form.position)))
      errors.position = "A whole number.";
    setLocalErrors(errors);
    const type = form.type;
    if (Object.keys(errors).length > 0 || !type) return;
    save.mutate(
      { id: editing?.id ?? null, body: toBody({ ...form, type }) },
      {
        onSuccess: (cta) => {
          toast({ title: editing ? `${cta.name} updated` : `${cta.name} added` });
          onOpenChange(false);
        },
      },
    );
  };

  return (
    <DialogContent
      title={editing ? `Edit ${editing.name}` : "Add a call-to-action"}
      description="What the agent asks the lead to do, and where it sends them."
    >
      <form onSubmit={onSubmit} noValidate aria-label={editing ? "Edit CTA" : "Add CTA"}>
        <div className="space-y-4">
          {message && <Alert>{message}</Alert>}
          <Field label="Type" error={err("type")}>
            <Select
              value={form.type}
              onValueChange={(type) =>
                setForm((f) => ({
                  ...f,
                  type,
                  // Follow the type with the name while it is still the default one.
                  name:
                    !f.name || (f.type && f.name === CTA_LABELS[f.type])
                      ? CTA_LABELS[type]
                      : f.name,
                }))
              }
              options={CTA_TYPES.map((t) => ({
                value: t,
                label: CTA_LABELS[t],
                description: taken.has(t) ? "Already added" : undefined,
              }))}
              placeholder="Choose a type"
            />
          </Field>
          <Field label="Name" error={err("name")} hint="How the agent and your team refer to it.">
            <Input value={form.name} onChange={set("name")} autoComplete="off" />
          </Field>
          <Field label="Link" optional error={err("link")}>
            <Input
              type="url"
              value={form.link}
              onChange={set("link")}
              placeholder="https://…"
              autoComplete="off"
            />
          </Field>
          <Field
            label="Phone"
            optional={!needsPhone(form.type)}
            error={err("phone")}
            hint={
              needsPhone(form.type) ? "The number leads call, or the one you call from." : undefined
            }
          >
            <Input
              type="tel"
              value={form.phone}
              onChange={set("phone")}
              placeholder="+91 98765 43210"
              autoComplete="off"
            />
          </Field>
          <div className="grid grid-cols-2 items-end gap-4">
            <Field label="Position" error={err("position")} hint="Lower comes first.">
              <Input
                type="number"
                inputMode="numeric"
                value={form.position}
                onChange={set("position")}
              />
            </Field>
            <div className="flex items-center gap-2 pb-8">
              <Switch
                id="cta-enabled"
                checked={form.enabled}
                onCheckedChange={(enabled) => setForm((f) => ({ ...f, enabled }))}
              />
              <label htmlFor="cta-enabled" className="text-sm font-medium text-gray-700">
                Enabled
              </label>
            </div>
          </div>
        </div>
        <div className="mt-6 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {editing ? "Save" : "Add"}
          </Button>
        </div>
      </form>
    </DialogContent>
  );
}

function EnabledSwitch({ cta, disabled }: { cta: Cta; disabled: boolean }) {
  const save = useSaveCta();
  const { toast } = useToast();
  return (
    <Switch
      checked={save.isPending ? !cta.enabled : cta.enabled}
      disabled={disabled || save.isPending}
      aria-label={`${cta.name} enabled`}
      onCheckedChange={(enabled) =>
        save.mutate(
          { id: cta.id, body: { ...bodyOf(cta), enabled } },
          {
            onError: (error) =>
              toast({
                tone: "error",
                title: "Couldn't change it",
                description: errorMessage(error),
              }),
          },
        )
      }
    />
  );
}

/** The calls-to-action the agent can offer: one per type, in order of position. */
export function CtasTab({ manager }: { manager: boolean }) {
  const ctas = useCtas();
  const remove = useDeleteCta();
  const { toast } = useToast();
  const [dialog, setDialog] = useState<{ open: boolean; editing: Cta | null; key: number }>({
    open: false,
    editing: null,
    key: 0,
  });
  const [deleting, setDeleting] = useState<Cta | null>(null);
  const items = [...(ctas.data?.items ?? [])].sort((a, b) => a.position - b.position);
  const full = items.length >= CTA_TYPES.length;

  const openDialog = (editing: Cta | null) =>
    setDialog((d) => ({ open: true, editing, key: d.key + 1 }));

  return (
    <>
      <ListSection
        list={ctas}
        items={items}
        title="Calls-to-action"
        description="One of each type. The business config's primary CTAs and the sales rules decide when each is offered."
        actions={
          manager && items.length > 0 ? (
            <Button
              onClick={() => openDialog(null)}
              disabled={full}
              title={full ? "Every type has been added" : undefined}
            >
              <Plus className="size-4" aria-hidden="true" />
              Add a CTA
            </Button>
          ) : null
        }
        loading="Loading calls-to-action…"
        empty={
          <EmptyState
            icon={MousePointerClick}
            title="No calls-to-action yet"
            description="Add what you want leads to do — book a call, pay, download your app — and the agent offers it at the right moment."
            action={
              manager ? (
                <Button onClick={() => openDialog(null)}>
                  <Plus className="size-4" aria-hidden="true" />
                  Add a CTA
                </Button>
              ) : null
            }
          />
        }
      >
        {(rows) => (
          <Table label="Calls-to-action">
            <thead>
              <tr>
                <Th>#</Th>
                <Th>Type</Th>
                <Th>Name</Th>
                <Th>Link or phone</Th>
                <Th>Enabled</Th>
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 bg-white">
              {rows.map((cta) => (
                <tr key={cta.id} data-testid="cta-row">
                  <Td className="w-10 text-gray-500 tabular-nums">{cta.position}</Td>
                  <Td>
                    <Badge tone="blue">{CTA_LABELS[cta.type]}</Badge>
                  </Td>
                  <Td className="font-medium text-gray-900">{cta.name}</Td>
                  <Td className="max-w-64 truncate text-gray-600">
                    {cta.link ? (
                      <a
                        href={cta.link}
                        target="_blank"
                        rel="noreferrer noopener"
                        className="text-brand-700 hover:underline"
                      >
                        {cta.link}
                      </a>
                    ) : (
                      (cta.phone ?? <span className="text-gray-400">—</span>)
                    )}
                    {cta.link && cta.phone && <span className="text-gray-500"> · {cta.phone}</span>}
                  </Td>
                  <Td>
                    <EnabledSwitch cta={cta} disabled={!manager} />
                  </Td>
                  <Td className="text-right">
                    {manager && (
                      <RowMenu
                        label={`Actions for ${cta.name}`}
                        actions={[
                          {
                            label: "Edit",
                            icon: <Pencil className="size-3.5" aria-hidden="true" />,
                            onSelect: () => openDialog(cta),
                          },
                          {
                            label: "Delete",
                            danger: true,
                            icon: <Trash2 className="size-3.5" aria-hidden="true" />,
                            onSelect: () => {
                              remove.reset();
                              setDeleting(cta);
                            },
                          },
                        ]}
                      />
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </ListSection>
      <Dialog open={dialog.open} onOpenChange={(open) => setDialog((d) => ({ ...d, open }))}>
        {dialog.open && (
          <CtaDialog
            key={dialog.key}
            onOpenChange={(open) => setDialog((d) => ({ ...d, open }))}
            editing={dialog.editing}
            existing={items}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.name ?? "this CTA"}?`}
        description="The agent stops offering it. Conversations that were offered it keep their history."
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              toast({ title: `${deleting.name} deleted` });
              setDeleting(null);
            },
          })
        }
      />
    </>
  );
}
