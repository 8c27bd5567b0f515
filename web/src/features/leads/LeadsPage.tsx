import { useMoney } from "../organisation";
import { Download, Plus, Search, Upload, Users } from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ApiError, errorMessage, fieldErrors, formMessage } from "../../api/errors";
import { LoadMore } from "../../components/LoadMore";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { canManage, formatCount, formatDateTime, humanize } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useSession } from "../auth";
import { BulkBar } from "./BulkBar";
import { ImportDialog } from "./ImportDialog";
import { NO_VIEW, SavedViews } from "./SavedViews";
import { exportFileName, exportQuery, saveBlob } from "./importMapping";
import { useToast } from "../../components/ui/Toast";
import {
  fetchLeadsExport,
  useCreateLead,
  useLeads,
  useTags,
  type Lead,
  type LeadQuery,
  type LeadSource,
  type LeadStatus,
} from "./api";
import { LEAD_STATUSES, STATUS_TONES, ariaSort, nextSort, parseTags } from "./fields";

const SOURCES: LeadSource[] = [
  "organic_inbound",
  "click_to_chat_ad",
  "manual",
  "import",
  "website_widget",
  "form_to_whatsapp",
  "referral_link",
  "qr_code",
  "unknown",
];

const ANY = "any";

/** The creation range a link's query names, when its instants are valid. */
function createdParams(params: URLSearchParams): {
  created_after?: string;
  created_before?: string;
} {
  const valid = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? v : undefined);
  const after = valid(params.get("created_after"));
  const before = valid(params.get("created_before"));
  return {
    ...(after ? { created_after: after } : {}),
    ...(before ? { created_before: before } : {}),
  };
}

/** Leads: search, filters, sortable columns, "Load more", and a new lead. */
export function LeadsPage() {
  const { user } = useSession();
  const canWrite = user.role !== "viewer";
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), 300);
  // A link may open the list filtered (the dashboard's numbers: `?lead_status=won`,
  // `?created_after=…&created_before=…`).
  const [params] = useSearchParams();
  const [status, setStatus] = useState<LeadStatus | typeof ANY>(
    () => LEAD_STATUSES.find((s) => s === params.get("lead_status")) ?? ANY,
  );
  const [created, setCreated] = useState(() => createdParams(params));
  const [tag, setTag] = useState<string>(ANY);
  const [source, setSource] = useState<LeadSource | typeof ANY>(ANY);
  const [optedOut, setOptedOut] = useState<"true" | "false" | typeof ANY>(ANY);
  const [sort, setSort] = useState("-last_seen_at");
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [viewId, setViewId] = useState<string>(NO_VIEW);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const manage = canManage(user.role);
  const { toast } = useToast();
  const tags = useTags();

  const query: LeadQuery = {
    sort,
    ...(q ? { q } : {}),
    ...(status !== ANY ? { lead_status: status } : {}),
    ...(tag !== ANY ? { tag: [tag] } : {}),
    ...(source !== ANY ? { lead_source: source } : {}),
    ...(optedOut !== ANY ? { opted_out: optedOut === "true" } : {}),
    ...(viewId !== NO_VIEW ? { view_id: viewId } : {}),
    ...created,
  };
  const list = useLeads(query);
  // A new search or filter starts a new selection (bulk actions act on what is seen).
  const queryKey = JSON.stringify(query);
  const [selectedFor, setSelectedFor] = useState(queryKey);
  if (selectedFor !== queryKey) {
    setSelectedFor(queryKey);
    if (selected.size) setSelected(new Set());
  }
  const total = (list.data?.pages[0] as { total?: number | null } | undefined)?.total;
  const filtered =
    q !== "" ||
    status !== ANY ||
    tag !== ANY ||
    source !== ANY ||
    optedOut !== ANY ||
    viewId !== NO_VIEW ||
    Object.keys(created).length > 0;
  const shownIds = list.items.map((l) => l.id);
  const allSelected = shownIds.length > 0 && shownIds.every((id) => selected.has(id));
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const toggleAll = (on: boolean) => setSelected(on ? new Set(shownIds) : new Set());

  const exportCsv = async () => {
    setExporting(true);
    try {
      saveBlob(await fetchLeadsExport(exportQuery(query)), exportFileName());
    } catch (e) {
      toast({ title: "Could not export the leads", description: errorMessage(e), tone: "error" });
    } finally {
      setExporting(false);
    }
  };

  const header = (key: string, label: string, className?: string) => (
    <Th aria-sort={ariaSort(sort, key)} className={className}>
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-gray-900"
        onClick={() => setSort(nextSort(sort, key))}
      >
        {label}
        <span aria-hidden className="text-gray-400">
          {sort === key ? "▲" : sort === `-${key}` ? "▼" : ""}
        </span>
      </button>
    </Th>
  );

  return (
    <Page
      title="Leads"
      description="Every lead the agent has talked to or your team added, with what it learned."
      actions={
        <div className="flex flex-wrap gap-2">
          {manage && (
            <>
              <Button variant="secondary" onClick={() => setImporting(true)}>
                <Upload className="size-4" /> Import
              </Button>
              <Button variant="secondary" onClick={() => void exportCsv()} loading={exporting}>
                <Download className="size-4" /> Export CSV
              </Button>
            </>
          )}
          {canWrite && (
            <Button onClick={() => setCreating(true)}>
              <Plus className="size-4" /> New lead
            </Button>
          )}
        </div>
      }
    >
      <Card>
        <div className="border-b border-gray-200 px-4 pt-4 pb-3">
          <SavedViews viewId={viewId} onViewChange={setViewId} query={query} canSave={canWrite} />
        </div>
        <div className="grid gap-3 border-b border-gray-200 p-4 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_1fr]">
          <div className="relative sm:col-span-2 lg:col-span-1">
            <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-gray-400" />
            <Input
              type="search"
              aria-label="Search leads"
              placeholder="Name, phone, email, city, tag, note…"
              className="pl-9"
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
          <Select
            aria-label="Status"
            value={status}
            onValueChange={setStatus}
            options={[
              { value: ANY, label: "Any status" },
              ...LEAD_STATUSES.map((s) => ({ value: s, label: humanize(s) })),
            ]}
          />
          <Select
            aria-label="Tag"
            value={tag}
            onValueChange={setTag}
            options={[
              { value: ANY, label: "Any tag" },
              ...(tags.data?.items ?? []).map((t) => ({
                value: t.name,
                label: `${t.name} (${t.lead_count})`,
              })),
            ]}
          />
          <Select
            aria-label="Source"
            value={source}
            onValueChange={setSource}
            options={[
              { value: ANY, label: "Any source" },
              ...SOURCES.map((s) => ({ value: s, label: humanize(s) })),
            ]}
          />
          <Select
            aria-label="Opted out"
            value={optedOut}
            onValueChange={setOptedOut}
            options={[
              { value: ANY, label: "Any opt-out" },
              { value: "false", label: "Contactable" },
              { value: "true", label: "Opted out" },
            ]}
          />
        </div>
        {Object.keys(created).length > 0 && (
          <div className="flex flex-wrap items-center gap-2 border-b border-gray-200 px-4 py-2 text-sm text-gray-700">
            <span>
              Created {created.created_after && `from ${formatDateTime(created.created_after)}`}{" "}
              {created.created_before && `until ${formatDateTime(created.created_before)}`}
            </span>
            <Button variant="secondary" size="sm" onClick={() => setCreated({})}>
              Any time
            </Button>
          </div>
        )}
        {canWrite && selected.size > 0 && (
          <BulkBar ids={[...selected]} canDelete={manage} onClear={() => setSelected(new Set())} />
        )}
        {list.isPending ? (
          <LoadingState label="Loading leads…" />
        ) : list.isError && list.items.length === 0 ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.items.length === 0 ? (
          <EmptyState
            icon={Users}
            title={filtered ? "No lead matches" : "No leads yet"}
            description={
              filtered
                ? "Try fewer filters or another search."
                : "Leads appear when someone writes to your WhatsApp number, or add one yourself."
            }
          />
        ) : (
          <>
            <p className="px-5 pt-3 text-xs text-gray-500" data-testid="lead-count">
              {total === undefined || total === null
                ? `${list.items.length} shown`
                : `${formatCount(total)} ${total === 1 ? "lead" : "leads"}`}
            </p>
            <div className="hidden md:block">
              <Table label="Leads">
                <thead>
                  <tr>
                    {canWrite && (
                      <Th className="w-8">
                        <input
                          type="checkbox"
                          aria-label="Select all shown leads"
                          checked={allSelected}
                          onChange={(e) => toggleAll(e.target.checked)}
                        />
                      </Th>
                    )}
                    {header("name", "Name")}
                    <Th>Phone</Th>
                    <Th>Status</Th>
                    <Th>Tags</Th>
                    <Th>Source</Th>
                    {header("value_minor", "Value", "text-right")}
                    {header("score", "Score", "text-right")}
                    {header("last_seen_at", "Last seen")}
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-100">
                  {list.items.map((lead) => (
                    <LeadRow
                      key={lead.id}
                      lead={lead}
                      selected={canWrite ? selected.has(lead.id) : undefined}
                      onSelect={(on) => toggle(lead.id, on)}
                    />
                  ))}
                </tbody>
              </Table>
            </div>
            <ul className="divide-y divide-gray-100 md:hidden" aria-label="Leads">
              {list.items.map((lead) => (
                <LeadCard
                  key={lead.id}
                  lead={lead}
                  selected={canWrite ? selected.has(lead.id) : undefined}
                  onSelect={(on) => toggle(lead.id, on)}
                />
              ))}
            </ul>
            <LoadMore list={list} />
          </>
        )}
      </Card>
      {creating && <NewLeadDialog onClose={() => setCreating(false)} />}
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
    </Page>
  );
}

export function leadTitle(lead: Pick<Lead, "name" | "phone" | "bsuid" | "erased_at">): string {
  if (lead.erased_at) return "Erased lead";
  return lead.name || lead.phone || lead.bsuid || "Unnamed lead";
}

function Tags({ tags }: { tags: string[] }) {
  if (!tags.length) return <span className="text-gray-400">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {tags.map((t) => (
        <Badge key={t}>{t}</Badge>
      ))}
    </span>
  );
}

interface Selectable {
  /** Undefined: no checkbox (a viewer). */
  selected?: boolean;
  onSelect: (selected: boolean) => void;
}

function LeadRow({ lead, selected, onSelect }: { lead: Lead } & Selectable) {
  const money = useMoney();
  return (
    <tr className="hover:bg-gray-50">
      {selected !== undefined && (
        <Td className="w-8">
          <input
            type="checkbox"
            aria-label={`Select ${leadTitle(lead)}`}
            checked={selected}
            onChange={(e) => onSelect(e.target.checked)}
          />
        </Td>
      )}
      <Td className="font-medium text-gray-900">
        <Link to={`/leads/${lead.id}`} className="hover:text-brand-700 hover:underline">
          {leadTitle(lead)}
        </Link>
        {lead.email && <div className="text-xs font-normal text-gray-500">{lead.email}</div>}
      </Td>
      <Td className="whitespace-nowrap tabular-nums">{lead.phone ?? "—"}</Td>
      <Td>
        <Badge tone={STATUS_TONES[lead.lead_status]}>{humanize(lead.lead_status)}</Badge>
        {/* A status of "opted out" already says it. */}
        {lead.opted_out && lead.lead_status !== "opted_out" && (
          <Badge tone="red" className="ml-1">
            Opted out
          </Badge>
        )}
      </Td>
      <Td>
        <Tags tags={lead.tags} />
      </Td>
      <Td className="whitespace-nowrap">{humanize(lead.lead_source)}</Td>
      <Td className="text-right tabular-nums">{money(lead.value_minor)}</Td>
      <Td className="text-right tabular-nums">{lead.score}</Td>
      <Td className="whitespace-nowrap text-gray-500">{formatDateTime(lead.last_seen_at)}</Td>
    </tr>
  );
}

function LeadCard({ lead, selected, onSelect }: { lead: Lead } & Selectable) {
  return (
    <li className="flex items-start">
      {selected !== undefined && (
        <input
          type="checkbox"
          aria-label={`Select ${leadTitle(lead)}`}
          className="mt-4 ml-4"
          checked={selected}
          onChange={(e) => onSelect(e.target.checked)}
        />
      )}
      <Link
        to={`/leads/${lead.id}`}
        className="block min-w-0 flex-1 space-y-1.5 px-4 py-3 hover:bg-gray-50"
      >
        <div className="flex items-center justify-between gap-2">
          <span className="truncate font-medium text-gray-900">{leadTitle(lead)}</span>
          <Badge tone={STATUS_TONES[lead.lead_status]}>{humanize(lead.lead_status)}</Badge>
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-gray-500">
          {lead.phone && <span className="tabular-nums">{lead.phone}</span>}
          <span>{humanize(lead.lead_source)}</span>
          <span>{formatDateTime(lead.last_seen_at)}</span>
        </div>
        {lead.tags.length > 0 && <Tags tags={lead.tags} />}
      </Link>
    </li>
  );
}

const NEW_FIELDS = ["phone", "name", "email", "tags"];

function NewLeadDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const create = useCreateLead();
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [tags, setTags] = useState("");
  const errors = create.error ? fieldErrors(create.error) : {};
  const existing =
    create.error instanceof ApiError && create.error.code === "lead_exists"
      ? (create.error.details as { lead_id?: string } | undefined)?.lead_id
      : undefined;
  const tagError = Object.entries(errors).find(([k]) => k.startsWith("tags"))?.[1];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        phone: phone.trim() || null,
        name: name.trim() || null,
        email: email.trim() || null,
        tags: parseTags(tags),
      },
      { onSuccess: (lead) => navigate(`/leads/${lead.id}`) },
    );
  };

  let message: ReactNode = create.isError ? formMessage(create.error, NEW_FIELDS) : null;
  if (existing) {
    message = (
      <>
        A lead with this number already exists.{" "}
        <Link to={`/leads/${existing}`} className="font-medium underline">
          Open it
        </Link>
      </>
    );
  }

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title="New lead"
        description="Write the phone in any format: numbers without a country code are read in your organisation's country."
      >
        <form onSubmit={submit} className="space-y-4" aria-label="New lead">
          {message && <Alert title="Could not add the lead">{message}</Alert>}
          <Field label="Phone" error={errors.phone}>
            <Input
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              inputMode="tel"
              placeholder="+91 98765 43210"
              autoFocus
            />
          </Field>
          <Field label="Name" optional error={errors.name}>
            <Input value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label="Email" optional error={errors.email}>
            <Input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <Field label="Tags" optional hint="Separate tags with commas." error={tagError}>
            <Input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="VIP, Pune" />
          </Field>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add lead
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
