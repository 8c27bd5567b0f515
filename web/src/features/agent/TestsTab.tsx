import { CheckCircle2, FlaskConical, Play, Plus, Trash2, XCircle } from "lucide-react";
import { useState, type FormEvent } from "react";
import { errorMessage, fieldErrors } from "../../api/errors";
import {
  AGENT_TEST_RUN_STATUS_LABELS,
  CTA_LABELS,
  CTA_TYPES,
  EXPECTATION_KIND_LABELS,
  EXPECTATION_KINDS,
  REASON_CODES,
} from "../../api/enums";
import type {
  AgentTest,
  AgentTestBody,
  AgentTestRun,
  AgentTestStarter,
  CtaType,
  Expectation,
  ExpectationKind,
  ReasonCode,
} from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { RowMenu } from "../../components/ui/Menu";
import { Select } from "../../components/ui/Select";
import { Spinner } from "../../components/ui/Spinner";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { useToast } from "../../components/ui/Toast";
import { cn } from "../../lib/cn";
import { formatDateTime } from "../../lib/format";
import {
  useAgentTestRun,
  useAgentTestRuns,
  useAgentTests,
  useAgentTestStarters,
  useDeleteAgentTest,
  useRunAgentTests,
  useSaveAgentTest,
} from "./api";

/** One line for an expectation, as the list and the results show it. */
export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case "reply_contains":
      return `Reply contains “${e.value}”`;
    case "reply_not_contains":
      return `Reply does not contain “${e.value}”`;
    case "slot":
      return `Remembers ${e.value.name} = ${e.value.value}`;
    case "cta_offered":
      return `Offers ${CTA_LABELS[e.value]}`;
    case "handoff":
      return "Hands over to a person";
    case "silent":
      return "Stays silent";
    case "reason_code":
      return `Reason code is ${e.value}`;
  }
}

interface ExpectRow {
  kind: ExpectationKind;
  text: string;
  slotName: string;
  slotValue: string;
  cta: CtaType;
  reason: ReasonCode;
}

function rowOf(e: Expectation): ExpectRow {
  const row: ExpectRow = {
    kind: e.kind,
    text: "",
    slotName: "",
    slotValue: "",
    cta: "book_call",
    reason: "pricing_discussion",
  };
  if (e.kind === "reply_contains" || e.kind === "reply_not_contains") row.text = e.value;
  if (e.kind === "slot") {
    row.slotName = e.value.name;
    row.slotValue = e.value.value;
  }
  if (e.kind === "cta_offered") row.cta = e.value;
  if (e.kind === "reason_code") row.reason = e.value;
  return row;
}

function expectationOf(r: ExpectRow): Expectation {
  switch (r.kind) {
    case "reply_contains":
    case "reply_not_contains":
      return { kind: r.kind, value: r.text.trim() };
    case "slot":
      return { kind: "slot", value: { name: r.slotName.trim(), value: r.slotValue.trim() } };
    case "cta_offered":
      return { kind: "cta_offered", value: r.cta };
    case "reason_code":
      return { kind: "reason_code", value: r.reason };
    case "handoff":
    case "silent":
      return { kind: r.kind } as Expectation;
  }
}

const NEW_ROW: ExpectRow = rowOf({ kind: "reply_contains", value: "" });

function ExpectationEditor({
  row,
  index,
  error,
  onChange,
  onRemove,
}: {
  row: ExpectRow;
  index: number;
  error?: string;
  onChange: (row: ExpectRow) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  return (
    <li className="rounded-md border border-gray-200 p-3" data-testid="expectation-row">
      <div className="flex items-start gap-2">
        <div className="grid flex-1 gap-2 sm:grid-cols-2">
          <Select
            aria-label={`Expectation ${n} kind`}
            size="sm"
            value={row.kind}
            onValueChange={(kind) => onChange({ ...row, kind })}
            options={EXPECTATION_KINDS.map((k) => ({
              value: k,
              label: EXPECTATION_KIND_LABELS[k],
            }))}
          />
          {(row.kind === "reply_contains" || row.kind === "reply_not_contains") && (
            <Input
              aria-label={`Expectation ${n} text`}
              value={row.text}
              onChange={(e) => onChange({ ...row, text: e.target.value })}
              placeholder="e.g. ₹2999"
            />
          )}
          {row.kind === "cta_offered" && (
            <Select
              aria-label={`Expectation ${n} call-to-action`}
              size="sm"
              value={row.cta}
              onValueChange={(cta) => onChange({ ...row, cta })}
              options={CTA_TYPES.map((t) => ({ value: t, label: CTA_LABELS[t] }))}
            />
          )}
          {row.kind === "reason_code" && (
            <Select
              aria-label={`Expectation ${n} reason code`}
              size="sm"
              value={row.reason}
              onValueChange={(reason) => onChange({ ...row, reason })}
              options={REASON_CODES.map((r) => ({ value: r, label: r }))}
            />
          )}
          {row.kind === "slot" && (
            <div className="grid grid-cols-2 gap-2 sm:col-span-1">
              <Input
                aria-label={`Expectation ${n} detail`}
                value={row.slotName}
                onChange={(e) => onChange({ ...row, slotName: e.target.value })}
                placeholder="city"
              />
              <Input
                aria-label={`Expectation ${n} value`}
                value={row.slotValue}
                onChange={(e) => onChange({ ...row, slotValue: e.target.value })}
                placeholder="Pune"
              />
            </div>
          )}
        </div>
        <Button
          type="button"
          variant="ghost"
          size="sm"
          aria-label={`Remove expectation ${n}`}
          onClick={onRemove}
        >
          <Trash2 className="size-4" aria-hidden="true" />
        </Button>
      </div>
      {error && <p className="mt-1 text-sm text-red-600">{error}</p>}
    </li>
  );
}

/** The editor of one test: what the lead says, turn by turn, and what the agent must do. */
function TestDialog({
  editing,
  draft,
  onOpenChange,
}: {
  editing: AgentTest | null;
  /** A starting point that is not saved yet (a starter case). */
  draft?: AgentTestStarter;
  onOpenChange: (open: boolean) => void;
}) {
  const save = useSaveAgentTest();
  const { toast } = useToast();
  const from = editing ?? draft;
  const [name, setName] = useState(from?.name ?? "");
  const [turns, setTurns] = useState<string[]>(from?.turns.map((t) => t.text) ?? [""]);
  const [rows, setRows] = useState<ExpectRow[]>(from?.expect.map(rowOf) ?? [{ ...NEW_ROW }]);
  const errors = fieldErrors(save.error);
  const known = Object.keys(errors).some(
    (k) => k === "name" || k.startsWith("turns") || k.startsWith("expect"),
  );
  const message = save.error && !known ? errorMessage(save.error) : null;
  const expectError = (i: number) =>
    Object.entries(errors).find(([k]) => k.startsWith(`expect[${i}]`))?.[1];

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const body: AgentTestBody = {
      name: name.trim(),
      turns: turns.map((text) => ({ text })),
      expect: rows.map(expectationOf),
    };
    save.mutate(
      { id: editing?.id ?? null, body },
      {
        onSuccess: (test) => {
          toast({ title: editing ? `${test.name} updated` : `${test.name} added` });
          onOpenChange(false);
        },
      },
    );
  };

  return (
    <DialogContent
      title={editing ? `Edit ${editing.name}` : "New agent test"}
      description="What a lead says, and what your agent must (or must not) do in answer."
      className="max-w-2xl"
    >
      <form onSubmit={onSubmit} noValidate aria-label={editing ? "Edit test" : "New test"}>
        <div className="space-y-4">
          {message && <Alert>{message}</Alert>}
          <Field label="Name" error={errors.name}>
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Asks about weekend batches"
              autoComplete="off"
            />
          </Field>
          <fieldset>
            <legend className="mb-1.5 text-sm font-medium text-gray-700">The lead says</legend>
            <ol className="space-y-2">
              {turns.map((text, i) => (
                <li key={i}>
                  <div className="flex items-start gap-2">
                    <textarea
                      aria-label={`Lead's message ${i + 1}`}
                      className="min-h-[2.5rem] flex-1 rounded-md border border-gray-300 px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none"
                      rows={2}
                      value={text}
                      onChange={(e) =>
                        setTurns((all) => all.map((t, j) => (j === i ? e.target.value : t)))
                      }
                      placeholder={i === 0 ? "Hi, do you have weekend batches?" : "And the fees?"}
                    />
                    {turns.length > 1 && (
                      <Button
                        type="button"
                        variant="ghost"
                        size="sm"
                        aria-label={`Remove message ${i + 1}`}
                        onClick={() => setTurns((all) => all.filter((_, j) => j !== i))}
                      >
                        <Trash2 className="size-4" aria-hidden="true" />
                      </Button>
                    )}
                  </div>
                  {errors[`turns[${i}].text`] && (
                    <p className="mt-1 text-sm text-red-600">{errors[`turns[${i}].text`]}</p>
                  )}
                </li>
              ))}
            </ol>
            {errors.turns && <p className="mt-1 text-sm text-red-600">{errors.turns}</p>}
            {turns.length < 20 && (
              <Button
                type="button"
                variant="secondary"
                size="sm"
                className="mt-2"
                onClick={() => setTurns((all) => [...all, ""])}
              >
                <Plus className="size-4" aria-hidden="true" />
                Add a message
              </Button>
            )}
          </fieldset>
          <fieldset>
            <legend className="mb-1.5 text-sm font-medium text-gray-700">
              The agent’s answer to the last message
            </legend>
            <ul className="space-y-2">
              {rows.map((row, i) => (
                <ExpectationEditor
                  key={i}
                  row={row}
                  index={i}
                  error={expectError(i)}
                  onChange={(next) => setRows((all) => all.map((r, j) => (j === i ? next : r)))}
                  onRemove={() => setRows((all) => all.filter((_, j) => j !== i))}
                />
              ))}
            </ul>
            <Button
              type="button"
              variant="secondary"
              size="sm"
              className="mt-2"
              onClick={() => setRows((all) => [...all, { ...NEW_ROW }])}
            >
              <Plus className="size-4" aria-hidden="true" />
              Add an expectation
            </Button>
          </fieldset>
        </div>
        <div className="mt-6 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {editing ? "Save" : "Add test"}
          </Button>
        </div>
      </form>
    </DialogContent>
  );
}

function Verdict({ passed }: { passed: boolean }) {
  return passed ? (
    <span className="inline-flex items-center gap-1 text-sm font-medium text-brand-700">
      <CheckCircle2 className="size-4" aria-hidden="true" />
      Passed
    </span>
  ) : (
    <span className="inline-flex items-center gap-1 text-sm font-medium text-red-700">
      <XCircle className="size-4" aria-hidden="true" />
      Failed
    </span>
  );
}

/** The latest run: progress while it runs, then each case's transcript and failures. */
function RunResults({ run }: { run: AgentTestRun }) {
  if (run.status === "running")
    return (
      <div className="flex items-center gap-2 px-5 py-6 text-sm text-gray-600" role="status">
        <Spinner className="size-4" />
        Your agent is answering the test leads…
      </div>
    );
  if (run.status === "failed")
    return (
      <div className="p-5">
        <Alert title="The run could not finish">{run.error}</Alert>
      </div>
    );
  const flipped = run.changes.filter((c) => c.before !== null);
  return (
    <div className="divide-y divide-gray-100">
      <div
        className="flex flex-wrap items-center gap-2 px-5 py-3 text-sm"
        data-testid="run-summary"
      >
        <Badge tone="green">{run.passed} passed</Badge>
        <Badge tone={run.failed > 0 ? "red" : "gray"}>{run.failed} failed</Badge>
        {run.draft && <Badge tone="violet">Unsaved draft</Badge>}
        <span className="text-gray-500">
          {run.finished_at ? formatDateTime(run.finished_at) : ""}
          {run.cost_usd > 0 ? ` · model cost $${run.cost_usd.toFixed(4)}` : ""}
        </span>
      </div>
      {flipped.length > 0 && (
        <div className="px-5 py-3 text-sm" data-testid="run-changes">
          <p className="font-medium text-gray-900">Changed since the last run</p>
          <ul className="mt-1 space-y-0.5">
            {flipped.map((c) => (
              <li key={c.test_id} className={c.after ? "text-brand-700" : "text-red-700"}>
                {c.name}: {c.after ? "now passes" : "now fails"}
              </li>
            ))}
          </ul>
        </div>
      )}
      {run.results.map((r) => (
        <details key={r.test_id} className="group px-5 py-3" open={!r.passed}>
          <summary className="flex cursor-pointer items-center justify-between gap-3">
            <span className="font-medium text-gray-900">{r.name}</span>
            <Verdict passed={r.passed} />
          </summary>
          <ol className="mt-3 space-y-2" aria-label={`${r.name} transcript`}>
            {r.transcript.map((line, i) => (
              <li
                key={i}
                className={cn(
                  "max-w-[85%] rounded-lg px-3 py-2 text-sm whitespace-pre-wrap",
                  line.author === "lead"
                    ? "bg-gray-100 text-gray-900"
                    : "ml-auto bg-brand-50 text-gray-900",
                )}
              >
                <span className="sr-only">{line.author === "lead" ? "Lead: " : "Agent: "}</span>
                {line.text}
              </li>
            ))}
          </ol>
          {r.failures.length > 0 && (
            <ul className="mt-3 space-y-1 text-sm text-red-700">
              {r.failures.map((f, i) => (
                <li key={i}>
                  <span className="font-medium">{EXPECTATION_KIND_LABELS[f.kind]}</span>
                  {f.value !== null && f.value !== undefined
                    ? ` ${typeof f.value === "string" ? `“${f.value}”` : JSON.stringify(f.value)}`
                    : ""}
                  : {f.detail}
                </li>
              ))}
            </ul>
          )}
        </details>
      ))}
    </div>
  );
}

/** Starter cases from the FAQ and CTAs that are not among the tests yet. */
function Starters({ tests, manager }: { tests: AgentTest[]; manager: boolean }) {
  const starters = useAgentTestStarters();
  const save = useSaveAgentTest();
  const { toast } = useToast();
  const [adding, setAdding] = useState(false);
  const names = new Set(tests.map((t) => t.name));
  const fresh = (starters.data?.items ?? []).filter((s) => !names.has(s.name));
  if (!manager || fresh.length === 0) return null;
  const addAll = async () => {
    setAdding(true);
    try {
      for (const s of fresh) await save.mutateAsync({ id: null, body: s });
      toast({ title: `${fresh.length} suggested tests added` });
    } catch (error) {
      toast({ tone: "error", title: "Couldn't add them", description: errorMessage(error) });
    } finally {
      setAdding(false);
    }
  };
  return (
    <Card className="mt-6">
      <CardHeader
        title="Suggested tests"
        description="One per FAQ answer and call-to-action, so you can see at once what your agent says."
        actions={
          <Button size="sm" onClick={() => void addAll()} loading={adding}>
            Add all {fresh.length}
          </Button>
        }
      />
      <ul className="divide-y divide-gray-100" aria-label="Suggested tests">
        {fresh.map((s) => (
          <li key={s.name} className="flex items-center justify-between gap-3 px-5 py-2 text-sm">
            <span className="min-w-0">
              <span className="block font-medium text-gray-900">{s.name}</span>
              <span className="block truncate text-gray-500">
                “{s.turns[0]?.text}” → {s.expect.map(describeExpectation).join("; ")}
              </span>
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** Settings → Agent → Tests: cases an owner writes and runs before a real lead hears the agent. */
export function TestsTab({ manager }: { manager: boolean }) {
  const tests = useAgentTests();
  const runs = useAgentTestRuns();
  const start = useRunAgentTests();
  const remove = useDeleteAgentTest();
  const { toast } = useToast();
  const [started, setStarted] = useState<string | null>(null);
  const latestId = started ?? runs.data?.items[0]?.id ?? null;
  const run = useAgentTestRun(latestId);
  const [dialog, setDialog] = useState<{ editing: AgentTest | null } | null>(null);
  const [deleting, setDeleting] = useState<AgentTest | null>(null);

  if (tests.isPending) return <LoadingState label="Loading the agent tests…" />;
  if (tests.isError) return <ErrorState error={tests.error} onRetry={() => void tests.refetch()} />;
  const items = tests.data.items;
  const running = run.data?.status === "running" || start.isPending;
  const lastResult = (id: string) => run.data?.results.find((r) => r.test_id === id);

  const runTests = (testIds?: string[]) =>
    start.mutate(testIds ? { test_ids: testIds } : {}, {
      onSuccess: (r) => setStarted(r.id),
      onError: (error) =>
        toast({ tone: "error", title: "Couldn't run the tests", description: errorMessage(error) }),
    });

  return (
    <>
      <Card>
        <CardHeader
          title="Agent tests"
          description="Write what a lead might say and what your agent must answer. Runs happen in a sandbox: nothing reaches your inbox or WhatsApp."
          actions={
            manager && (
              <>
                <Button variant="secondary" size="sm" onClick={() => setDialog({ editing: null })}>
                  <Plus className="size-4" aria-hidden="true" />
                  New test
                </Button>
                <Button
                  size="sm"
                  onClick={() => runTests()}
                  disabled={items.length === 0}
                  loading={running}
                >
                  <Play className="size-4" aria-hidden="true" />
                  Run all tests
                </Button>
              </>
            )
          }
        />
        {items.length === 0 ? (
          <EmptyState
            icon={FlaskConical}
            title="No tests yet"
            description="Add a suggested test below, or write your own: a lead's messages and what the agent must say."
          />
        ) : (
          <Table label="Agent tests">
            <thead>
              <tr>
                <Th>Test</Th>
                <Th className="hidden md:table-cell">Expects</Th>
                <Th>Last run</Th>
                {manager && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((t) => {
                const result = lastResult(t.id);
                return (
                  <tr key={t.id}>
                    <Td>
                      <span className="block font-medium text-gray-900">{t.name}</span>
                      <span className="block max-w-xs truncate text-gray-500">
                        “{t.turns[t.turns.length - 1]?.text}”
                        {t.turns.length > 1 ? ` (${t.turns.length} messages)` : ""}
                      </span>
                    </Td>
                    <Td className="hidden text-gray-600 md:table-cell">
                      {t.expect.length === 0
                        ? "Nothing yet"
                        : t.expect.map(describeExpectation).join("; ")}
                    </Td>
                    <Td>
                      {result ? (
                        <Verdict passed={result.passed} />
                      ) : (
                        <span className="text-gray-400">Not run</span>
                      )}
                    </Td>
                    {manager && (
                      <Td className="text-right">
                        <RowMenu
                          label={`Actions for ${t.name}`}
                          actions={[
                            { label: "Run this test", onSelect: () => runTests([t.id]) },
                            { label: "Edit", onSelect: () => setDialog({ editing: t }) },
                            { label: "Delete", danger: true, onSelect: () => setDeleting(t) },
                          ]}
                        />
                      </Td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>

      {run.data && (
        <Card className="mt-6">
          <CardHeader
            title="Latest run"
            description={AGENT_TEST_RUN_STATUS_LABELS[run.data.status]}
          />
          <RunResults run={run.data} />
        </Card>
      )}

      <Starters tests={items} manager={manager} />

      <Dialog open={dialog !== null} onOpenChange={(open) => !open && setDialog(null)}>
        {dialog && (
          <TestDialog
            key={dialog.editing?.id ?? "new"}
            editing={dialog.editing}
            onOpenChange={(open) => !open && setDialog(null)}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.name ?? "this test"}?`}
        description="Past runs keep its result."
        confirmLabel="Delete"
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
