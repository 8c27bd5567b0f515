import {
  AlertTriangle,
  Clock,
  FlaskConical,
  Inbox,
  Search,
  SearchX,
  SlidersHorizontal,
} from "lucide-react";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import {
  CONVERSATION_MODE_LABELS,
  CONVERSATION_MODES,
  CONVERSATION_STAGE_LABELS,
  CONVERSATION_STAGES,
  ESCALATION_PRIORITIES,
  ESCALATION_PRIORITY_LABELS,
  INBOX_SORT_LABELS,
  INBOX_SORTS,
  LEAD_SOURCE_LABELS,
  LEAD_SOURCES,
  LEAD_STATUS_LABELS,
  LEAD_STATUS_VALUES,
  optionsOf,
} from "../../api/enums";
import type { Conversation, ConversationFilters, InboxSort } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { Badge } from "../../components/ui/Badge";
import { buttonClasses, Button } from "../../components/ui/Button";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { EmptyState } from "../../components/ui/States";
import { cn } from "../../lib/cn";
import { initials } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useNow } from "../../lib/useNow";
import { useConversationList } from "./api";
import { formatPhone, previewText, relativeTime } from "./format";
import { ModeBadge } from "./ModeBadge";

const ANY = "any";

/** A filter's options: "any" first, then every value with its label. */
function anyOf<T extends string>(
  anyLabel: string,
  values: readonly T[],
  labels: Record<T, string>,
) {
  return [{ value: ANY, label: anyLabel }, ...optionsOf(values, labels)] as {
    value: T | typeof ANY;
    label: string;
  }[];
}

const MODE_OPTIONS = anyOf("All modes", CONVERSATION_MODES, CONVERSATION_MODE_LABELS);
const STAGE_OPTIONS = anyOf("Any stage", CONVERSATION_STAGES, CONVERSATION_STAGE_LABELS);
const STATUS_OPTIONS = anyOf("Any lead status", LEAD_STATUS_VALUES, LEAD_STATUS_LABELS);
const SOURCE_OPTIONS = anyOf("Any source", LEAD_SOURCES, LEAD_SOURCE_LABELS);
const PRIORITY_OPTIONS = anyOf("Any priority", ESCALATION_PRIORITIES, ESCALATION_PRIORITY_LABELS);
const SORT_OPTIONS = optionsOf(INBOX_SORTS, INBOX_SORT_LABELS);

/** The filters behind "More filters", each with its options. */
const MORE_FILTERS = [
  { key: "stage", label: "Stage", options: STAGE_OPTIONS },
  { key: "lead_status", label: "Lead status", options: STATUS_OPTIONS },
  { key: "source", label: "Source", options: SOURCE_OPTIONS },
  { key: "priority", label: "Priority", options: PRIORITY_OPTIONS },
] as const;

/** "Assigned to me" and "Unassigned": the `assignee` filter's words. */
const ASSIGNEE_OPTIONS = [
  { value: "all", label: "Everyone's" },
  { value: "me", label: "Assigned to me" },
  { value: "none", label: "Unassigned" },
] as const;
type AssigneeChoice = (typeof ASSIGNEE_OPTIONS)[number]["value"];

function assigneeChoice(value: string | undefined): AssigneeChoice {
  return value === "me" || value === "none" ? value : "all";
}

export function contactName(c: {
  contact: { name?: string | null; phone?: string | null; erased_at?: string | null };
}) {
  if (c.contact.erased_at) return "Erased lead";
  return c.contact.name?.trim() || formatPhone(c.contact.phone) || "Unknown lead";
}

function Toggle({
  pressed,
  onChange,
  children,
}: {
  pressed: boolean;
  onChange: (pressed: boolean) => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      onClick={() => onChange(!pressed)}
      className={cn(
        "inline-flex h-8 items-center gap-1.5 rounded-md border px-2.5 text-xs font-medium whitespace-nowrap transition-colors",
        pressed
          ? "border-brand-600 bg-brand-50 text-brand-800"
          : "border-gray-300 bg-white text-gray-600 hover:bg-gray-50",
      )}
    >
      {children}
    </button>
  );
}

function Row({
  conversation: c,
  selected,
  now,
}: {
  conversation: Conversation;
  selected: boolean;
  now: Date;
}) {
  const name = contactName(c);
  const unread = c.unread_count > 0;
  return (
    <li>
      <Link
        to={`/inbox/${c.id}`}
        aria-current={selected ? "page" : undefined}
        data-testid="conversation-item"
        data-conversation-id={c.id}
        className={cn(
          "flex gap-3 border-l-2 px-4 py-3 transition-colors",
          selected ? "border-brand-600 bg-brand-50/60" : "border-transparent hover:bg-gray-50",
        )}
      >
        <span
          aria-hidden="true"
          className="flex size-9 shrink-0 items-center justify-center rounded-full bg-gray-100 text-xs font-semibold text-gray-600"
        >
          {initials(name)}
        </span>
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline gap-2">
            <span
              className={cn(
                "min-w-0 flex-1 truncate text-sm",
                unread ? "font-semibold text-gray-900" : "font-medium text-gray-800",
              )}
            >
              {name}
            </span>
            <time
              dateTime={c.last_message?.at ?? c.updated_at}
              className={cn("shrink-0 text-xs", unread ? "text-brand-700" : "text-gray-400")}
            >
              {relativeTime(c.last_message?.at ?? c.updated_at, now)}
            </time>
          </span>
          <span className="mt-0.5 flex items-center gap-2">
            <span
              className={cn(
                "min-w-0 flex-1 truncate text-sm",
                unread ? "text-gray-800" : "text-gray-500",
              )}
              data-testid="conversation-preview"
            >
              {previewText(c.last_message)}
            </span>
            {unread && (
              <span
                data-testid="unread-count"
                aria-label={`${c.unread_count} unread`}
                className="flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[11px] font-semibold text-white"
              >
                {c.unread_count}
              </span>
            )}
          </span>
          {(c.needs_human || c.channel === "sandbox" || c.mode !== "bot") && (
            <span className="mt-1.5 flex flex-wrap items-center gap-1.5">
              {c.waiting_since && c.mode !== "bot" && (
                <Badge tone="amber" className="gap-1">
                  <Clock className="size-3" aria-hidden="true" />
                  <span data-testid="waiting">Waiting {relativeTime(c.waiting_since, now)}</span>
                </Badge>
              )}
              {c.needs_human && (
                <Badge tone="red" className="gap-1">
                  <AlertTriangle className="size-3" aria-hidden="true" />
                  Needs human
                </Badge>
              )}
              {c.mode !== "bot" && <ModeBadge mode={c.mode} />}
              {c.channel === "sandbox" && (
                <Badge tone="amber" className="gap-1">
                  <FlaskConical className="size-3" aria-hidden="true" />
                  Sandbox
                </Badge>
              )}
            </span>
          )}
        </span>
      </Link>
    </li>
  );
}

/** The left pane: search, filters, the order, and the conversations. */
export function ConversationList({
  selectedId,
  filters,
  onFiltersChange,
}: {
  selectedId?: string;
  filters: ConversationFilters;
  onFiltersChange: (filters: ConversationFilters) => void;
}) {
  const [search, setSearch] = useState(filters.q ?? "");
  const q = useDebounced(search.trim(), 300);
  const active: ConversationFilters = { ...filters, q: q || undefined };
  const list = useConversationList(active);
  const now = useNow();
  const moreActive = MORE_FILTERS.filter((f) => filters[f.key]).length;
  const [more, setMore] = useState(moreActive > 0);
  const filtered = !!(
    filters.mode ||
    filters.needs_human ||
    filters.unread ||
    filters.assignee ||
    moreActive ||
    q
  );

  const set = (patch: Partial<ConversationFilters>) => onFiltersChange({ ...filters, ...patch });

  return (
    <>
      <div className="space-y-2 border-b border-gray-200 px-4 pb-3">
        <div className="relative">
          <Search
            className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-gray-400"
            aria-hidden="true"
          />
          <Input
            type="search"
            aria-label="Search conversations"
            placeholder="Search name or phone"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="pl-8"
          />
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <div className="w-36 shrink-0">
            <Select<AssigneeChoice>
              size="sm"
              aria-label="Assignee"
              value={assigneeChoice(filters.assignee)}
              onValueChange={(v) => set({ assignee: v === "all" ? undefined : v })}
              options={ASSIGNEE_OPTIONS}
            />
          </div>
          <div className="w-32 shrink-0">
            <Select
              size="sm"
              aria-label="Mode"
              value={filters.mode ?? ANY}
              onValueChange={(v) => set({ mode: v === ANY ? undefined : v })}
              options={MODE_OPTIONS}
            />
          </div>
          <Toggle
            pressed={!!filters.needs_human}
            onChange={(v) => set({ needs_human: v || undefined })}
          >
            Needs human
          </Toggle>
          <Toggle pressed={!!filters.unread} onChange={(v) => set({ unread: v || undefined })}>
            Unread
          </Toggle>
          <Toggle pressed={more} onChange={setMore}>
            <SlidersHorizontal className="size-3.5" aria-hidden="true" />
            More filters
            {moreActive > 0 && (
              <span
                aria-label={`${moreActive} active`}
                className="rounded-full bg-brand-600 px-1.5 text-[10px] font-semibold text-white"
              >
                {moreActive}
              </span>
            )}
          </Toggle>
        </div>
        {more && (
          <div className="grid grid-cols-2 gap-2" data-testid="more-filters">
            {MORE_FILTERS.map((f) => (
              <Select
                key={f.key}
                size="sm"
                aria-label={f.label}
                value={filters[f.key] ?? ANY}
                onValueChange={(v) => set({ [f.key]: v === ANY ? undefined : v })}
                options={f.options}
                className="text-xs"
              />
            ))}
          </div>
        )}
        <div className="flex items-center gap-2 text-xs text-gray-500">
          <label htmlFor="inbox-sort" className="shrink-0">
            Sort by
          </label>
          <div className="w-40">
            <Select<InboxSort>
              id="inbox-sort"
              size="sm"
              aria-label="Sort"
              value={filters.sort ?? "recent"}
              onValueChange={(v) => set({ sort: v === "recent" ? undefined : v })}
              options={SORT_OPTIONS}
              className="text-xs"
            />
          </div>
        </div>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <ListSection
          list={list}
          bare
          loading="Loading conversations…"
          empty={
            filtered ? (
              <EmptyState
                icon={SearchX}
                title="No conversations match"
                description="Try another search or clear the filters."
                action={
                  <Button
                    variant="secondary"
                    size="sm"
                    onClick={() => {
                      setSearch("");
                      onFiltersChange({});
                    }}
                  >
                    Clear filters
                  </Button>
                }
              />
            ) : (
              <EmptyState
                icon={Inbox}
                title="No conversations yet"
                description="When a lead messages your WhatsApp number, the conversation appears here. Try it now in the Playground."
                action={
                  <Link to="/playground" className={buttonClasses("secondary", "sm")}>
                    Open the Playground
                  </Link>
                }
              />
            )
          }
        >
          {(items) => (
            <ul aria-label="Conversations" className="divide-y divide-gray-100">
              {items.map((c) => (
                <Row key={c.id} conversation={c} selected={c.id === selectedId} now={now} />
              ))}
            </ul>
          )}
        </ListSection>
      </div>
    </>
  );
}
