import { Check, FlaskConical, History, Pencil, Plus, Trash2, Workflow, X } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import {
  ACTION_OUTCOME_LABELS,
  AUTOMATION_ACTION_LABELS,
  AUTOMATION_EVENT_LABELS,
  OPERATOR_LABELS,
  RUN_REASON_LABELS,
  RUN_STATUS_LABELS,
  RUN_STATUSES,
  optionsOf,
} from "../../api/enums";
import { errorMessage, fieldErrors } from "../../api/errors";
import type {
  Automation,
  AutomationBody,
  AutomationRun,
  DryRunResult,
  RunStatus,
} from "../../api/models";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import {
  useAutomations,
  useDeleteAutomation,
  useDryRun,
  useRecentConversations,
  useRuns,
  useSaveAutomation,
} from "./api";
import { RuleEditor } from "./RuleEditor";
import { delayText } from "./rules";

type Tone = "gray" | "green" | "amber" | "red" | "blue";

const STATUS_TONE: Record<RunStatus, Tone> = {
  scheduled: "blue",
  executed: "green",
  no_match: "gray",
  skipped: "amber",
  cancelled: "gray",
  failed: "red",
};

function bodyOf(rule: Automation, enabled: boolean): AutomationBody {
  return {
    name: rule.name,
    enabled,
    event: rule.event,
    event_params: rule.event_params,
    conditions: rule.conditions,
    actions: rule.actions,
    delay_seconds: rule.delay_seconds,
    cancel_on: rule.cancel_on,
  };
}

function Verdict({ matched }: { matched: boolean }) {
  return matched ? (
    <Check className="size-4 text-green-600" aria-label="matched" />
  ) : (
    <X className="size-4 text-red-500" aria-label="not matched" />
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Which conditions matched, with what the lead or the event had. */
function ConditionResults({ items }: { items: DryRunResult["conditions"] }) {
  if (items.length === 0) return <p className="text-sm text-gray-500">No conditions.</p>;
  return (
    <ul className="space-y-1" aria-label="Conditions">
      {items.map((c, i) => (
        <li key={i} className="flex items-start gap-2 text-sm" data-testid="condition-result">
          <Verdict matched={c.matched} />
          <span className="min-w-0 break-words">
            <span className="font-mono text-gray-900">{c.field}</span> {OPERATOR_LABELS[c.operator]}{" "}
            <span className="font-medium">{show(c.value)}</span>
            <span className="text-gray-500"> — had {show(c.actual)}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** What each action did; in a dry run, what it would do ("Would" instead of "Done"). */
function ActionResults({ items, dry = false }: { items: DryRunResult["actions"]; dry?: boolean }) {
  if (items.length === 0) return null;
  const tone = { done: "green", skipped: "amber", failed: "red" } as const;
  return (
    <ol className="space-y-1" aria-label="Actions">
      {items.map((a, i) => (
        <li
          key={i}
          className="flex flex-wrap items-center gap-2 text-sm"
          data-testid="action-result"
        >
          <Badge tone={tone[a.status]}>
            {dry && a.status === "done" ? "Would" : ACTION_OUTCOME_LABELS[a.status]}
          </Badge>
          <span className="text-gray-900">{AUTOMATION_ACTION_LABELS[a.type]}</span>
          <span className="min-w-0 break-words text-gray-500">{a.detail}</span>
        </li>
      ))}
    </ol>
  );
}

/** Tries the saved rule against a real conversation: nothing is written or sent. */
function DryRunPanel({ rule }: { rule: Automation }) {
  const conversations = useRecentConversations();
  const [conversationId, setConversationId] = useState("");
  const [text, setText] = useState("");
  const dry = useDryRun(rule.id);
  const errors = fieldErrors(dry.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    dry.mutate({ conversation_id: conversationId, message_text: text || null });
  };
  const options = (conversations.data?.items ?? []).map((c) => ({
    value: c.id,
    label: c.contact.name || c.contact.phone || c.id,
  }));
  return (
    <Card className="p-4 sm:p-5">
      <h2 className="mb-3 flex items-center gap-2 text-sm font-semibold text-gray-900">
        <FlaskConical className="size-4" aria-hidden="true" /> Dry run “{rule.name}”
      </h2>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
        <Field label="Conversation" error={errors.conversation_id}>
          <Select
            aria-label="Conversation"
            value={conversationId}
            onValueChange={setConversationId}
            placeholder="Choose a conversation"
            options={options}
          />
        </Field>
        <Field label="Pretend the lead wrote">
          <Input value={text} onChange={(e) => setText(e.target.value)} placeholder="Optional" />
        </Field>
        <Button type="submit" loading={dry.isPending} disabled={!conversationId}>
          Try it
        </Button>
      </form>
      {dry.isError && !errors.conversation_id && (
        <Alert tone="error" className="mt-3">
          {errorMessage(dry.error)}
        </Alert>
      )}
      {dry.data && (
        <div className="mt-4 space-y-3" data-testid="dry-run-result">
          <p className="text-sm font-medium text-gray-900">
            {dry.data.would_run
              ? "It would run now. Nothing was written or sent."
              : "Its conditions don't match this conversation. Nothing was written or sent."}
          </p>
          <ConditionResults items={dry.data.conditions} />
          <ActionResults items={dry.data.actions} dry />
        </div>
      )}
    </Card>
  );
}

function RunItem({ run, names }: { run: AutomationRun; names: Map<string, string> }) {
  return (
    <li className="space-y-2 p-4" data-testid="run" data-status={run.status}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={STATUS_TONE[run.status]}>{RUN_STATUS_LABELS[run.status]}</Badge>
        <span className="font-medium text-gray-900">
          {names.get(run.rule_id) ?? "Deleted rule"}
        </span>
        <span className="text-gray-500">{AUTOMATION_EVENT_LABELS[run.event]}</span>
        <span className="text-gray-400">{formatDateTime(run.created_at)}</span>
        {run.conversation_id && (
          <Link to={`/inbox/${run.conversation_id}`} className="text-brand-700 hover:underline">
            Conversation
          </Link>
        )}
      </div>
      {run.reason && <p className="text-sm text-gray-600">Why: {RUN_REASON_LABELS[run.reason]}</p>}
      {run.status === "scheduled" && run.due_at && (
        <p className="text-sm text-gray-600">Due {formatDateTime(run.due_at)}</p>
      )}
      {run.conditions.length > 0 && <ConditionResults items={run.conditions} />}
      <ActionResults items={run.actions} />
    </li>
  );
}

/** The run log: every rule's, or one rule's, newest first. */
function RunLog({
  rules,
  ruleId,
  onRule,
}: {
  rules: Automation[];
  ruleId: string | null;
  onRule: (id: string | null) => void;
}) {
  const [status, setStatus] = useState<RunStatus | "">("");
  const runs = useRuns(ruleId, status || null);
  const names = new Map(rules.map((r) => [r.id, r.name]));
  return (
    <section aria-label="Run log" className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 className="flex items-center gap-2 text-base font-semibold text-gray-900">
          <History className="size-4" aria-hidden="true" /> Run log
        </h2>
        <div className="flex flex-wrap gap-2">
          <div className="w-52">
            <Select
              aria-label="Rule"
              value={ruleId ?? "all"}
              onValueChange={(v) => onRule(v === "all" ? null : v)}
              options={[
                { value: "all", label: "All rules" },
                ...rules.map((r) => ({ value: r.id, label: r.name })),
              ]}
            />
          </div>
          <div className="w-40">
            <Select
              aria-label="Run status"
              value={status || "any"}
              onValueChange={(v) => setStatus(v === "any" ? "" : (v as RunStatus))}
              options={[
                { value: "any", label: "Any status" },
                ...optionsOf(RUN_STATUSES, RUN_STATUS_LABELS),
              ]}
            />
          </div>
        </div>
      </div>
      {runs.isPending ? (
        <LoadingState label="Loading runs…" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : runs.data.items.length === 0 ? (
        <EmptyState
          icon={History}
          title="No runs yet"
          description="Each time a rule's event happens, its run shows here."
        />
      ) : (
        <ul className="divide-y divide-gray-100 rounded-lg border border-gray-200 bg-white">
          {runs.data.items.map((r) => (
            <RunItem key={r.id} run={r} names={names} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RuleCard({
  rule,
  editable,
  onEdit,
  onRuns,
}: {
  rule: Automation;
  editable: boolean;
  onEdit: () => void;
  onRuns: () => void;
}) {
  const toggle = useSaveAutomation(rule.id);
  const remove = useDeleteAutomation();
  const { toast } = useToast();
  const fail = (title: string) => (error: unknown) =>
    toast({ tone: "error", title, description: errorMessage(error) });
  return (
    <li className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="automation">
      <div className="min-w-0 flex-1">
        <p className="font-medium break-words text-gray-900">{rule.name}</p>
        <p className="mt-0.5 text-sm text-gray-500">
          {AUTOMATION_EVENT_LABELS[rule.event]}
          {rule.event === "no_reply_for" && rule.event_params.seconds
            ? ` (${rule.event_params.seconds} s)`
            : ""}
          {" · "}
          {rule.conditions.length === 0
            ? "always"
            : `${rule.conditions.length} condition${rule.conditions.length === 1 ? "" : "s"}`}
          {" · "}
          {rule.actions.map((a) => AUTOMATION_ACTION_LABELS[a.type].toLowerCase()).join(", ")}
          {" · "}
          {delayText(rule.delay_seconds)}
        </p>
      </div>
      <div className="flex shrink-0 items-center gap-1">
        <Switch
          checked={rule.enabled}
          disabled={!editable || toggle.isPending}
          aria-label={`Enable ${rule.name}`}
          onCheckedChange={(on) =>
            toggle.mutate(bodyOf(rule, on), { onError: fail("Couldn't change it") })
          }
        />
        <Button variant="ghost" size="sm" aria-label={`Runs of ${rule.name}`} onClick={onRuns}>
          <History className="size-4" aria-hidden="true" />
        </Button>
        {editable && (
          <>
            <Button variant="ghost" size="sm" aria-label={`Edit ${rule.name}`} onClick={onEdit}>
              <Pencil className="size-4" aria-hidden="true" />
            </Button>
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Delete ${rule.name}`}
              onClick={() => remove.mutate(rule.id, { onError: fail("Couldn't delete it") })}
            >
              <Trash2 className="size-4" aria-hidden="true" />
            </Button>
          </>
        )}
      </div>
    </li>
  );
}

/** Automations: the rules, an editor with a dry run, and the run log. */
export function AutomationsPage() {
  const { user } = useSession();
  const editable = canManage(user.role);
  const rules = useAutomations();
  const [editing, setEditing] = useState<Automation | "new" | null>(null);
  const [tried, setTried] = useState<Automation | null>(null);
  const [logRule, setLogRule] = useState<string | null>(null);
  const items = rules.data?.items ?? [];
  return (
    <Page
      title="Automations"
      description="Rules that act on your leads and conversations when something happens."
      actions={
        <>
          <Link to="/automations/sequences" className={buttonClasses("secondary")}>
            Drip sequences
          </Link>
          {editable && editing === null && (
            <Button onClick={() => setEditing("new")}>
              <Plus className="size-4" aria-hidden="true" /> New automation
            </Button>
          )}
        </>
      }
    >
      <div className="space-y-6">
        {editing !== null && (
          <Card className="p-4 sm:p-5">
            <RuleEditor
              key={editing === "new" ? "new" : editing.id}
              editing={editing === "new" ? null : editing}
              onDone={(saved) => {
                setEditing(null);
                if (saved) setTried(saved);
              }}
            />
          </Card>
        )}
        {editing !== null && editing !== "new" && <DryRunPanel rule={editing} />}
        {editing === null && tried && editable && <DryRunPanel key={tried.id} rule={tried} />}
        {rules.isPending ? (
          <LoadingState label="Loading automations…" />
        ) : rules.isError ? (
          <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState
            icon={Workflow}
            title="No automations yet"
            description="Tag leads who ask for prices, welcome new leads, or nudge quiet ones."
          />
        ) : (
          <ul
            className="divide-y divide-gray-100 rounded-lg border border-gray-200 bg-white"
            aria-label="Automations"
          >
            {items.map((r) => (
              <RuleCard
                key={r.id}
                rule={r}
                editable={editable}
                onEdit={() => setEditing(r)}
                onRuns={() => setLogRule(r.id)}
              />
            ))}
          </ul>
        )}
        <RunLog rules={items} ruleId={logRule} onRule={setLogRule} />
      </div>
    </Page>
  );
}
