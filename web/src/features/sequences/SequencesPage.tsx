// Automations → Sequences: the organisation's drip sequences, one open in the editor, its
// enrolments (with stop) and a box to enrol leads by hand.

import { ArrowLeft, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/errors";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Input } from "../../components/ui/Input";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime, humanize } from "../../lib/format";
import { useSession } from "../auth";
import {
  useDeleteSequence,
  useEnroll,
  useEnrollments,
  useLeadSearch,
  useSequences,
  useStopEnrollment,
  type Enrollment,
  type Sequence,
} from "./api";
import { SequenceEditor } from "./SequenceEditor";

export function SequencesPage() {
  const { user } = useSession();
  const manager = canManage(user.role);
  const sequences = useSequences();
  const [openId, setOpenId] = useState<string | "new" | null>(null);
  const items = sequences.data?.items ?? [];
  const open = openId === "new" ? null : (items.find((s) => s.id === openId) ?? null);

  return (
    <Page
      title="Sequences"
      description="Drip sequences: timed steps to one lead at a time, stopped by a reply, an opt-out, a person taking over or the conditions you set."
      actions={
        <>
          <Link to="/automations" className="flex items-center gap-1 text-sm text-gray-600">
            <ArrowLeft className="size-4" /> Automations
          </Link>
          {manager && (
            <Button onClick={() => setOpenId("new")}>
              <Plus className="size-4" /> New sequence
            </Button>
          )}
        </>
      }
    >
      {sequences.isPending ? (
        <Card>
          <LoadingState label="Loading sequences…" />
        </Card>
      ) : sequences.isError ? (
        <Card>
          <ErrorState error={sequences.error} onRetry={() => void sequences.refetch()} />
        </Card>
      ) : (
        <div className="grid items-start gap-6 lg:grid-cols-[16rem_1fr]">
          <SequenceList items={items} openId={openId} onOpen={setOpenId} />
          <div className="min-w-0 space-y-6">
            {openId === "new" && (
              <Card>
                <CardHeader title="New sequence" />
                <div className="p-4">
                  <SequenceEditor
                    sequence={null}
                    readOnly={false}
                    onSaved={(s) => setOpenId(s.id)}
                    onCancel={() => setOpenId(null)}
                  />
                </div>
              </Card>
            )}
            {open && <SequenceDetail key={open.id} sequence={open} manager={manager} />}
            {!openId && items.length > 0 && (
              <Card>
                <EmptyState
                  title="Open a sequence"
                  description="Pick one on the left to edit it and see its enrolments."
                />
              </Card>
            )}
          </div>
        </div>
      )}
    </Page>
  );
}

function SequenceList({
  items,
  openId,
  onOpen,
}: {
  items: Sequence[];
  openId: string | null;
  onOpen: (id: string) => void;
}) {
  if (items.length === 0) {
    return (
      <Card>
        <EmptyState
          title="No sequences yet"
          description="A sequence sends a few timed messages to a lead until they reply."
        />
      </Card>
    );
  }
  return (
    <Card>
      <ul aria-label="Sequences" className="divide-y divide-gray-100">
        {items.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              onClick={() => onOpen(s.id)}
              aria-current={openId === s.id ? "true" : undefined}
              className="w-full px-4 py-3 text-left hover:bg-gray-50 aria-[current=true]:bg-brand-50"
            >
              <span className="flex items-center justify-between gap-2">
                <span className="truncate text-sm font-medium text-gray-900">{s.name}</span>
                {s.enabled ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>}
              </span>
              <span className="mt-1 block text-xs text-gray-500">
                {s.steps.length} {s.steps.length === 1 ? "step" : "steps"} · {s.enrollments.active}{" "}
                active · {s.enrollments.completed} completed
              </span>
            </button>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function SequenceDetail({ sequence, manager }: { sequence: Sequence; manager: boolean }) {
  const { toast } = useToast();
  const remove = useDeleteSequence();
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Card>
        <CardHeader
          title={sequence.name}
          actions={
            manager && (
              <Button variant="ghost" size="sm" onClick={() => setConfirming(true)}>
                <Trash2 className="size-4" /> Delete
              </Button>
            )
          }
        />
        <div className="p-4">
          <SequenceEditor
            sequence={sequence}
            readOnly={!manager}
            onSaved={() => toast({ title: "Sequence saved" })}
          />
        </div>
      </Card>
      {manager && <EnrollBox sequence={sequence} />}
      <Enrollments sequence={sequence} manager={manager} />
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Delete “${sequence.name}”?`}
        description="Its active enrolments stop and its history goes. Messages already sent stay in the inbox."
        confirmLabel="Delete sequence"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate(sequence.id, { onSuccess: () => setConfirming(false) })}
      />
    </>
  );
}

function EnrollBox({ sequence }: { sequence: Sequence }) {
  const [q, setQ] = useState("");
  const found = useLeadSearch(q);
  const enroll = useEnroll(sequence.id);
  const { toast } = useToast();
  const leads = found.data?.items ?? [];
  return (
    <Card>
      <CardHeader title="Enrol leads" />
      <div className="space-y-3 p-4">
        <Input
          aria-label="Find a lead to enrol"
          placeholder="Name or phone"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        {enroll.isError && <Alert title="Could not enrol">{errorMessage(enroll.error)}</Alert>}
        {q.trim() && leads.length === 0 && !found.isPending && (
          <p className="text-sm text-gray-500">No lead matches.</p>
        )}
        <ul className="divide-y divide-gray-100" aria-label="Leads found">
          {leads.slice(0, 8).map((l) => (
            <li key={l.id} className="flex items-center justify-between gap-3 py-2">
              <span className="min-w-0 truncate text-sm text-gray-800">
                {l.name ?? "Unnamed"} <span className="text-gray-500">{l.phone}</span>
              </span>
              <Button
                size="sm"
                variant="secondary"
                disabled={enroll.isPending}
                onClick={() =>
                  enroll.mutate([l.id], {
                    onSuccess: (r) =>
                      toast({
                        title: r.enrolled ? "Enrolled" : "Not enrolled",
                        description: r.skipped[0] ? humanize(r.skipped[0].reason) : undefined,
                      }),
                  })
                }
              >
                Enrol
              </Button>
            </li>
          ))}
        </ul>
      </div>
    </Card>
  );
}

const STATUS_TONE = { active: "blue", completed: "green", stopped: "gray" } as const;

function Enrollments({ sequence, manager }: { sequence: Sequence; manager: boolean }) {
  const list = useEnrollments(sequence.id);
  const stop = useStopEnrollment(sequence.id);
  const items = list.data?.items ?? [];
  return (
    <Card>
      <CardHeader title="Enrolments" />
      {list.isPending ? (
        <LoadingState label="Loading enrolments…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          title="Nobody enrolled yet"
          description="Enrol leads above, or from the Leads page's bulk bar."
        />
      ) : (
        <Table label="Enrolments">
          <thead>
            <tr>
              <Th>Lead</Th>
              <Th>Status</Th>
              <Th>Step</Th>
              <Th>Next step</Th>
              <Th className="sr-only">Actions</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {items.map((e) => (
              <EnrollmentRow
                key={e.id}
                e={e}
                steps={sequence.steps.length}
                canStop={manager}
                stopping={stop.isPending && stop.variables === e.id}
                onStop={() => stop.mutate(e.id)}
              />
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

function EnrollmentRow({
  e,
  steps,
  canStop,
  stopping,
  onStop,
}: {
  e: Enrollment;
  steps: number;
  canStop: boolean;
  stopping: boolean;
  onStop: () => void;
}) {
  return (
    <tr data-testid="enrollment">
      <Td>
        <Link to={`/leads/${e.lead_id}`} className="font-medium text-gray-900 hover:underline">
          {e.lead.name ?? e.lead.phone ?? "Lead"}
        </Link>
      </Td>
      <Td>
        <Badge tone={STATUS_TONE[e.status]}>{humanize(e.status)}</Badge>
        {e.stop_reason && (
          <span className="ml-2 text-xs text-gray-500">{humanize(e.stop_reason)}</span>
        )}
      </Td>
      <Td className="whitespace-nowrap">
        <span data-testid="enrollment-step">
          {Math.min(e.step, steps)} of {steps} done
        </span>
        {e.last_skip && (
          <span className="block text-xs text-gray-500">last skipped: {humanize(e.last_skip)}</span>
        )}
      </Td>
      <Td className="whitespace-nowrap">{e.next_step_at ? formatDateTime(e.next_step_at) : "—"}</Td>
      <Td className="text-right">
        {canStop && e.status === "active" && (
          <Button size="sm" variant="secondary" disabled={stopping} onClick={onStop}>
            Stop
          </Button>
        )}
      </Td>
    </tr>
  );
}
