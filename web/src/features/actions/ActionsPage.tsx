import { CalendarClock, Check, Clock, Hand, MessageSquare, Zap } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/errors";
import {
  ACTION_KIND_LABELS,
  ACTION_KINDS,
  ACTION_STATUS_LABELS,
  ACTION_STATUSES,
  optionsOf,
} from "../../api/enums";
import type { ActionItem, ActionKind, ActionStatus } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { Page } from "../../components/Page";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Dialog, DialogClose, DialogContent } from "../../components/ui/Dialog";
import { Textarea } from "../../components/ui/Input";
import { RowMenu } from "../../components/ui/Menu";
import { Select } from "../../components/ui/Select";
import { EmptyState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { formatDateTime, humanize } from "../../lib/format";
import { useSession } from "../auth";
import { contactName, priorityTone, relativeTime } from "../inbox";
import { useActionCounts, useActions, useChangeAction, type ActionChange } from "./api";
import { snoozeChoices } from "./snooze";

const ALL = "all";
type KindChoice = ActionKind | typeof ALL;

const KIND_OPTIONS = [
  { value: ALL, label: "Every kind" },
  ...optionsOf(ACTION_KINDS, ACTION_KIND_LABELS),
] as const;
const STATUS_OPTIONS = optionsOf(ACTION_STATUSES, ACTION_STATUS_LABELS);

const EMPTY: Record<ActionStatus, string> = {
  open: "Nothing waits for the team. Handovers, accepted CTAs, bookings and failed sends appear here as they happen.",
  claimed: "Nobody has claimed an action.",
  snoozed: "No action is snoozed.",
  resolved: "Nothing resolved yet.",
};

/** The action center: what only a person can do, most urgent first. */
export function ActionsPage() {
  const [status, setStatus] = useState<ActionStatus>("open");
  const [kind, setKind] = useState<KindChoice>(ALL);
  const actions = useActions({ status, ...(kind === ALL ? {} : { kind }) });
  const counts = useActionCounts();
  return (
    <Page
      title="Action center"
      description="Handovers, accepted calls-to-action, bookings and failed sends: most urgent first, then oldest."
      actions={
        counts.data && (
          <span data-testid="open-actions" className="text-sm text-gray-500">
            {counts.data.total} open
          </span>
        )
      }
    >
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <div className="w-40">
          <Select
            aria-label="Status"
            size="sm"
            value={status}
            onValueChange={setStatus}
            options={STATUS_OPTIONS}
          />
        </div>
        <div className="w-44">
          <Select<KindChoice>
            aria-label="Kind"
            size="sm"
            value={kind}
            onValueChange={setKind}
            options={KIND_OPTIONS}
          />
        </div>
      </div>
      <ListSection
        list={actions}
        bare
        loading="Loading actions…"
        empty={<EmptyState icon={Zap} title="All clear" description={EMPTY[status]} />}
      >
        {(items) => (
          <ul className="space-y-3" aria-label="Actions">
            {items.map((a) => (
              <ActionRow key={a.id} action={a} />
            ))}
          </ul>
        )}
      </ListSection>
    </Page>
  );
}

function ActionRow({ action }: { action: ActionItem }) {
  const { user } = useSession();
  const { toast } = useToast();
  const [resolving, setResolving] = useState(false);
  const change = useChangeAction(action, {
    onError: (error) =>
      toast({
        tone: "error",
        title: "Couldn't update the action",
        description: errorMessage(error),
      }),
  });
  const act = (c: ActionChange) => change.mutate(c);
  const done = action.status === "resolved";
  const mine = action.claimed_by?.id === user.id;
  const lead = action.contact ? contactName({ contact: action.contact }) : "Deleted lead";
  return (
    <li
      className="rounded-lg border border-gray-200 bg-white p-4 shadow-xs"
      data-testid="action"
      data-kind={action.kind}
      data-status={action.status}
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 space-y-1.5">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={priorityTone(action.priority)}>{humanize(action.priority)}</Badge>
            <Badge tone="blue">{ACTION_KIND_LABELS[action.kind]}</Badge>
            {action.status !== "open" && <Badge>{ACTION_STATUS_LABELS[action.status]}</Badge>}
            <span className="text-xs text-gray-500" title={formatDateTime(action.created_at)}>
              {relativeTime(action.created_at)}
            </span>
          </div>
          <p className="font-medium break-words text-gray-900">{action.summary}</p>
          <p className="text-sm text-gray-600">
            {lead}
            {action.contact?.phone && action.contact.name ? ` · ${action.contact.phone}` : ""}
          </p>
          {action.due_at && (
            <p className="flex items-center gap-1.5 text-sm text-gray-700">
              <CalendarClock className="size-4 text-gray-400" aria-hidden="true" />
              Due {formatDateTime(action.due_at)}
            </p>
          )}
          {action.snoozed_until && (
            <p className="flex items-center gap-1.5 text-sm text-gray-600">
              <Clock className="size-4 text-gray-400" aria-hidden="true" />
              Back {formatDateTime(action.snoozed_until)}
            </p>
          )}
          {action.claimed_by && !done && (
            <p className="text-sm text-gray-600">
              Claimed by {mine ? "you" : (action.claimed_by.name ?? "a former member")}
            </p>
          )}
          {done && (
            <p className="text-sm text-gray-600">
              Resolved by {action.resolved_by?.name ?? "a former member"}
              {action.outcome ? `: ${action.outcome}` : ""}
            </p>
          )}
        </div>
        <div className="flex shrink-0 flex-wrap items-center gap-2">
          <Link
            to={`/inbox/${action.conversation_id}`}
            className="inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium text-brand-700 hover:bg-brand-50"
          >
            <MessageSquare className="size-4" aria-hidden="true" />
            Conversation
          </Link>
          {!done && user.role !== "viewer" && (
            <>
              {!mine && (
                <Button
                  variant="secondary"
                  size="sm"
                  loading={change.isPending}
                  onClick={() => act({ verb: "claim" })}
                >
                  <Hand className="size-3.5" aria-hidden="true" />
                  Claim
                </Button>
              )}
              <Button size="sm" onClick={() => setResolving(true)}>
                <Check className="size-3.5" aria-hidden="true" />
                Resolve
              </Button>
              <RowMenu
                label="Snooze"
                actions={snoozeChoices(new Date()).map((c) => ({
                  label: `Snooze ${c.label.toLowerCase()}`,
                  onSelect: () => act({ verb: "snooze", until: c.until.toISOString() }),
                }))}
              />
            </>
          )}
        </div>
      </div>
      <ResolveDialog
        open={resolving}
        onOpenChange={setResolving}
        pending={change.isPending}
        onResolve={(outcome) =>
          change.mutate(
            { verb: "resolve", outcome: outcome || undefined },
            { onSuccess: () => setResolving(false) },
          )
        }
      />
    </li>
  );
}

function ResolveDialog({
  open,
  onOpenChange,
  pending,
  onResolve,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  pending: boolean;
  onResolve: (outcome: string) => void;
}) {
  const [outcome, setOutcome] = useState("");
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title="Resolve the action"
        description="What happened? The note is kept on the action and in the lead's activity."
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onResolve(outcome.trim());
          }}
          className="space-y-4"
        >
          <Textarea
            aria-label="Outcome"
            rows={3}
            maxLength={2000}
            value={outcome}
            onChange={(e) => setOutcome(e.target.value)}
            placeholder="e.g. Called her; demo booked for Friday"
          />
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" loading={pending}>
              Resolve
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
