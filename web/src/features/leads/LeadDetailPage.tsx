import { useMoney } from "../organisation";
import { ArrowLeft, MessageCircle, Trash2, X } from "lucide-react";
import { useState, type FormEvent, type KeyboardEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { fieldErrors, formMessage } from "../../api/errors";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime, humanize } from "../../lib/format";
import { useSession } from "../auth";
import {
  useAddNote,
  useCustomFields,
  useDeleteLead,
  useDeleteNote,
  useLead,
  useOwners,
  useUpdateLead,
  type CustomField,
  type LeadDetail,
  type LeadInput,
  type LeadStatus,
} from "./api";
import {
  LEAD_STATUSES,
  STATUS_TONES,
  draftOf,
  parseMajor,
  valueOf,
  type FieldDraft,
} from "./fields";
import { leadTitle } from "./LeadsPage";
import { timelineEntry } from "./timeline";
import { useMembers } from "../team";
import { StageHistoryCard } from "../pipeline";
import { LeadComplianceCard } from "../compliance";

/** One lead: profile, tags, custom fields, notes, its conversation and its timeline. */
export function LeadDetailPage() {
  const { leadId = "" } = useParams();
  const lead = useLead(leadId);
  if (lead.isPending) return <LoadingState label="Loading the lead…" />;
  if (lead.isError)
    return (
      <Page title="Lead">
        <Card>
          <ErrorState error={lead.error} onRetry={() => void lead.refetch()} />
        </Card>
      </Page>
    );
  // Keyed by the lead's version, so every form starts again from what was saved.
  return <LeadView key={lead.data.updated_at} lead={lead.data} />;
}

function LeadView({ lead }: { lead: LeadDetail }) {
  const { user } = useSession();
  const canWrite = user.role !== "viewer";
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteLead(lead.id);
  return (
    <Page
      title={
        <span className="flex flex-wrap items-center gap-2">
          {leadTitle(lead)}
          <Badge tone={STATUS_TONES[lead.lead_status]}>{humanize(lead.lead_status)}</Badge>
          {lead.opted_out && lead.lead_status !== "opted_out" && (
            <Badge tone="red">Opted out</Badge>
          )}
          {lead.erased_at && <Badge tone="violet">Erased</Badge>}
        </span>
      }
      description={
        <Link to="/leads" className="inline-flex items-center gap-1 hover:text-gray-900">
          <ArrowLeft className="size-3.5" /> All leads
        </Link>
      }
      actions={
        <>
          {lead.conversation_id && (
            <Link
              to={`/inbox/${lead.conversation_id}`}
              className="inline-flex h-9 items-center gap-2 rounded-md border border-gray-300 bg-white px-4 text-sm text-gray-700 shadow-sm hover:bg-gray-50"
            >
              <MessageCircle className="size-4" /> Conversation
            </Link>
          )}
          {canManage(user.role) && (
            <Button variant="secondary" onClick={() => setConfirming(true)}>
              <Trash2 className="size-4" /> Delete
            </Button>
          )}
        </>
      }
    >
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <ProfileCard lead={lead} readOnly={!canWrite} />
          <CustomFieldsCard lead={lead} readOnly={!canWrite} />
          <NotesCard lead={lead} readOnly={!canWrite} />
        </div>
        <div className="space-y-6">
          <LeadComplianceCard lead={lead} />
          <TagsCard lead={lead} readOnly={!canWrite} />
          <AboutCard lead={lead} />
          <StageHistoryCard leadId={lead.id} stage={lead.stage?.name} />
          <TimelineCard lead={lead} />
        </div>
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Delete this lead?"
        description="The lead, its conversations, notes and history are deleted for good."
        confirmLabel="Delete lead"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => navigate("/leads") })}
      />
    </Page>
  );
}

const PROFILE_FIELDS = [
  "name",
  "phone",
  "email",
  "business",
  "website",
  "city",
  "language",
  "lead_status",
  "value_minor",
  "owner_id",
];

const NO_OWNER = "none";

function ProfileCard({ lead, readOnly }: { lead: LeadDetail; readOnly: boolean }) {
  const money = useMoney();
  const { toast } = useToast();
  const save = useUpdateLead(lead.id);
  const owners = useOwners();
  const [form, setForm] = useState({
    name: lead.name ?? "",
    phone: lead.phone ?? "",
    email: lead.email ?? "",
    business: lead.business ?? "",
    website: lead.website ?? "",
    city: lead.city ?? "",
    language: lead.language ?? "",
    lead_status: lead.lead_status,
    value:
      lead.value_minor === null || lead.value_minor === undefined ? "" : money(lead.value_minor),
    owner: lead.owner?.id ?? NO_OWNER,
  });
  const [valueError, setValueError] = useState<string | null>(null);
  const errors = save.error ? fieldErrors(save.error) : {};
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const text = (key: keyof typeof form, label: string, extra: { type?: string } = {}) => (
    <Field label={label} error={errors[key]}>
      <Input
        value={form[key]}
        readOnly={readOnly}
        type={extra.type}
        onChange={(e) => set({ [key]: e.target.value })}
      />
    </Field>
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = parseMajor(form.value);
    if (value === undefined) {
      setValueError("Write an amount such as 2999.50");
      return;
    }
    setValueError(null);
    const body: LeadInput = {
      name: form.name,
      email: form.email,
      business: form.business,
      website: form.website,
      city: form.city,
      language: form.language,
      lead_status: form.lead_status,
      value_minor: value,
      owner_id: form.owner === NO_OWNER ? null : form.owner,
    };
    if (form.phone.trim() !== (lead.phone ?? "")) body.phone = form.phone.trim() || null;
    save.mutate(body, { onSuccess: () => toast({ title: "Lead saved" }) });
  };

  return (
    <Card>
      <CardHeader title="Profile" />
      <form onSubmit={submit} className="space-y-4 p-5" aria-label="Profile">
        {save.isError && formMessage(save.error, PROFILE_FIELDS) && (
          <Alert title="Could not save">{formMessage(save.error, PROFILE_FIELDS)}</Alert>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          {text("name", "Name")}
          {text("phone", "Phone")}
          {text("email", "Email", { type: "email" })}
          {text("business", "Business")}
          {text("website", "Website")}
          {text("city", "City")}
          {text("language", "Language")}
          <Field label="Status" error={errors.lead_status}>
            <Select
              value={form.lead_status}
              disabled={readOnly}
              onValueChange={(s: LeadStatus) => set({ lead_status: s })}
              options={LEAD_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
            />
          </Field>
          <Field label="Deal value" error={valueError ?? errors.value_minor}>
            <Input
              value={form.value}
              readOnly={readOnly}
              inputMode="decimal"
              placeholder="0.00"
              onChange={(e) => set({ value: e.target.value })}
            />
          </Field>
          <Field label="Owner" error={errors.owner_id}>
            <Select
              value={form.owner}
              disabled={readOnly}
              onValueChange={(owner) => set({ owner })}
              options={[
                { value: NO_OWNER, label: "No owner" },
                ...(owners.data ?? []).map((u) => ({ value: u.id, label: u.name })),
              ]}
            />
          </Field>
        </div>
        {!readOnly && (
          <div className="flex justify-end">
            <Button type="submit" loading={save.isPending}>
              Save profile
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}

function TagsCard({ lead, readOnly }: { lead: LeadDetail; readOnly: boolean }) {
  const save = useUpdateLead(lead.id);
  const [draft, setDraft] = useState("");
  const errors = save.error ? fieldErrors(save.error) : {};
  const error = Object.values(errors)[0] ?? (save.isError ? formMessage(save.error, []) : null);
  const put = (tags: string[]) => save.mutate({ tags }, { onSuccess: () => setDraft("") });
  const add = () => {
    const name = draft.trim();
    if (!name) return;
    if (lead.tags.some((t) => t.toLowerCase() === name.toLowerCase())) {
      setDraft("");
      return;
    }
    put([...lead.tags, name]);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter") {
      e.preventDefault();
      add();
    }
  };
  return (
    <Card>
      <CardHeader title="Tags" />
      <div className="space-y-3 p-5">
        <ul className="flex flex-wrap gap-1.5" aria-label="Tags of this lead">
          {lead.tags.length === 0 && <li className="text-sm text-gray-500">No tags yet.</li>}
          {lead.tags.map((t) => (
            <li key={t}>
              <Badge className="gap-1">
                {t}
                {!readOnly && (
                  <button
                    type="button"
                    aria-label={`Remove tag ${t}`}
                    className="rounded text-gray-500 hover:text-gray-900"
                    onClick={() => put(lead.tags.filter((x) => x !== t))}
                  >
                    <X className="size-3" />
                  </button>
                )}
              </Badge>
            </li>
          ))}
        </ul>
        {!readOnly && (
          <div className="flex gap-2">
            <Input
              aria-label="Add a tag"
              placeholder="Add a tag"
              value={draft}
              invalid={Boolean(error)}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={onKey}
            />
            <Button variant="secondary" onClick={add} loading={save.isPending}>
              Add
            </Button>
          </div>
        )}
        {error && <p className="text-sm text-red-600">{error}</p>}
      </div>
    </Card>
  );
}

function CustomFieldsCard({ lead, readOnly }: { lead: LeadDetail; readOnly: boolean }) {
  const defs = useCustomFields();
  const fields = defs.data?.items ?? [];
  if (defs.isPending || fields.length === 0) {
    return (
      <Card>
        <CardHeader title="Custom fields" />
        <p className="p-5 text-sm text-gray-500">
          {defs.isPending ? (
            "Loading…"
          ) : (
            <>
              No custom fields yet. Owners and admins define them in{" "}
              <Link to="/settings/custom-fields" className="text-brand-700 underline">
                Settings → Custom fields
              </Link>
              .
            </>
          )}
        </p>
      </Card>
    );
  }
  return <CustomFieldsForm lead={lead} fields={fields} readOnly={readOnly} />;
}

function CustomFieldsForm({
  lead,
  fields,
  readOnly,
}: {
  lead: LeadDetail;
  fields: CustomField[];
  readOnly: boolean;
}) {
  const { toast } = useToast();
  const save = useUpdateLead(lead.id);
  const values = lead.custom_fields as Record<string, unknown>;
  const [drafts, setDrafts] = useState<Record<string, FieldDraft>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, draftOf(f, values[f.key])])),
  );
  const errors = save.error ? fieldErrors(save.error) : {};
  const known = fields.map((f) => `custom_fields.${f.key}`);
  const set = (key: string, v: FieldDraft) => setDrafts((d) => ({ ...d, [key]: v }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const custom_fields = Object.fromEntries(
      fields.map((f) => [f.key, valueOf(f, drafts[f.key] ?? "")]),
    );
    save.mutate({ custom_fields }, { onSuccess: () => toast({ title: "Custom fields saved" }) });
  };

  return (
    <Card>
      <CardHeader title="Custom fields" />
      <form onSubmit={submit} className="space-y-4 p-5" aria-label="Custom fields">
        {save.isError && formMessage(save.error, known) && (
          <Alert title="Could not save">{formMessage(save.error, known)}</Alert>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          {fields.map((f) => (
            <CustomFieldInput
              key={f.id}
              field={f}
              value={drafts[f.key] ?? ""}
              error={errors[`custom_fields.${f.key}`]}
              readOnly={readOnly}
              onChange={(v) => set(f.key, v)}
            />
          ))}
        </div>
        {!readOnly && (
          <div className="flex justify-end">
            <Button type="submit" loading={save.isPending}>
              Save custom fields
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}

function CustomFieldInput({
  field,
  value,
  error,
  readOnly,
  onChange,
}: {
  field: CustomField;
  value: FieldDraft;
  error?: string;
  readOnly: boolean;
  onChange: (v: FieldDraft) => void;
}) {
  const label = field.currency ? `${field.label} (${field.currency})` : field.label;
  if (field.type === "boolean") {
    return (
      <div className="flex items-center justify-between gap-3 pt-6">
        <span className="text-sm font-medium text-gray-700">{label}</span>
        <Switch
          aria-label={field.label}
          checked={value === true}
          disabled={readOnly}
          onCheckedChange={onChange}
        />
      </div>
    );
  }
  if (field.type === "select") {
    return (
      <Field label={label} error={error}>
        <Select
          value={typeof value === "string" ? value : ""}
          disabled={readOnly}
          placeholder="Choose…"
          onValueChange={onChange}
          options={field.options.map((o) => ({ value: o, label: o }))}
        />
      </Field>
    );
  }
  if (field.type === "multiselect") {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium text-gray-700">{label}</legend>
        <div className="flex flex-wrap gap-3">
          {field.options.map((o) => (
            <label key={o} className="inline-flex items-center gap-1.5 text-sm text-gray-700">
              <input
                type="checkbox"
                disabled={readOnly}
                checked={chosen.includes(o)}
                onChange={(e) =>
                  onChange(e.target.checked ? [...chosen, o] : chosen.filter((c) => c !== o))
                }
              />
              {o}
            </label>
          ))}
        </div>
        {error && <p className="text-sm text-red-600">{error}</p>}
      </fieldset>
    );
  }
  return (
    <Field label={label} error={error} hint={field.type === "date" ? "YYYY-MM-DD" : undefined}>
      <Input
        value={typeof value === "string" ? value : ""}
        readOnly={readOnly}
        inputMode={field.type === "number" || field.type === "currency" ? "decimal" : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function NotesCard({ lead, readOnly }: { lead: LeadDetail; readOnly: boolean }) {
  const { user } = useSession();
  const add = useAddNote(lead.id);
  const remove = useDeleteNote(lead.id);
  const [body, setBody] = useState("");
  const errors = add.error ? fieldErrors(add.error) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(body, { onSuccess: () => setBody("") });
  };
  return (
    <Card>
      <CardHeader title="Notes" />
      <div className="space-y-4 p-5">
        {!readOnly && (
          <form onSubmit={submit} className="space-y-2" aria-label="Add a note">
            <Field label="New note" error={errors.body}>
              <Textarea rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
            </Field>
            <div className="flex justify-end">
              <Button type="submit" size="sm" loading={add.isPending}>
                Add note
              </Button>
            </div>
          </form>
        )}
        {lead.notes.length === 0 ? (
          <p className="text-sm text-gray-500">No notes yet.</p>
        ) : (
          <ul className="space-y-3" aria-label="Notes">
            {lead.notes.map((n) => (
              <li key={n.id} className="rounded-md border border-gray-200 p-3">
                <p className="text-sm whitespace-pre-wrap text-gray-800">{n.body}</p>
                <div className="mt-2 flex items-center justify-between text-xs text-gray-500">
                  <span>
                    {n.author?.name ?? "Someone"} · {formatDateTime(n.created_at)}
                  </span>
                  {!readOnly && (n.author?.id === user.id || canManage(user.role)) && (
                    <button
                      type="button"
                      className="text-gray-500 hover:text-red-600"
                      onClick={() => remove.mutate(n.id)}
                    >
                      Delete
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}

interface Slot {
  value?: unknown;
  confidence?: number;
}

function AboutCard({ lead }: { lead: LeadDetail }) {
  const slots = Object.entries((lead.slots ?? {}) as Record<string, Slot>);
  const rows: [string, string][] = [
    ["Source", humanize(lead.lead_source)],
    ["WhatsApp id", lead.bsuid ?? "—"],
    ["First seen", formatDateTime(lead.first_seen_at)],
    ["Last seen", formatDateTime(lead.last_seen_at)],
    ["Added", formatDateTime(lead.created_at)],
    ["Score", String(lead.score)],
  ];
  return (
    <Card>
      <CardHeader title="About" />
      <dl className="divide-y divide-gray-100 px-5 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-3 py-2">
            <dt className="text-gray-500">{k}</dt>
            <dd className="text-right text-gray-900">{v}</dd>
          </div>
        ))}
      </dl>
      {slots.length > 0 && (
        <div className="border-t border-gray-200 px-5 py-3">
          <h3 className="mb-2 text-xs font-medium tracking-wide text-gray-500 uppercase">
            What the agent learned
          </h3>
          <dl className="space-y-1 text-sm">
            {slots.map(([name, s]) => (
              <div key={name} className="flex justify-between gap-3">
                <dt className="text-gray-500">{humanize(name)}</dt>
                <dd className="text-right text-gray-900">
                  {String(s.value ?? "—")}
                  {typeof s.confidence === "number" && (
                    <span className="ml-1 text-xs text-gray-400">
                      {Math.round(s.confidence * 100)}%
                    </span>
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </Card>
  );
}

function TimelineCard({ lead }: { lead: LeadDetail }) {
  const items = lead.timeline.items;
  const members = useMembers();
  const memberName = (id: string) => members.items.find((m) => m.id === id)?.name;
  return (
    <Card>
      <CardHeader title="Timeline" />
      {items.length === 0 ? (
        <p className="p-5 text-sm text-gray-500">Nothing has happened yet.</p>
      ) : (
        <ol className="space-y-3 p-5" aria-label="Timeline">
          {items.map((e, i) => {
            const { label, text } = timelineEntry(e.type, e.data, memberName);
            return (
              <li key={i} className="border-l-2 border-gray-200 pl-3">
                <div className="flex justify-between gap-2 text-xs text-gray-500">
                  <span className="font-medium text-gray-700">{label}</span>
                  <span>{formatDateTime(e.at)}</span>
                </div>
                <p className="text-xs text-gray-500">{humanize(e.actor)}</p>
                {text && <p className="mt-0.5 line-clamp-2 text-sm text-gray-800">{text}</p>}
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
