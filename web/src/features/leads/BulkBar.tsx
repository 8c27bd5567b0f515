// Leads → the bar shown while leads are selected: add or remove a tag, set the status, delete.

import { ListOrdered, Tag, Trash2, X } from "lucide-react";
import { useState, type FormEvent } from "react";
import { errorMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { useToast } from "../../components/ui/Toast";
import { humanize } from "../../lib/format";
import { EnrollInSequenceDialog } from "../sequences";
import { useBulkLeads, useTags, type BulkBody, type LeadStatus } from "./api";
import { LEAD_STATUSES } from "./fields";
import { leadsCount } from "./importMapping";

type Editing = "add_tags" | "remove_tags" | "set_status" | "delete" | "start_sequence" | null;

export function BulkBar({
  ids,
  canDelete,
  onClear,
}: {
  ids: string[];
  canDelete: boolean;
  /** Clears the selection (also after an action has run). */
  onClear: () => void;
}) {
  const bulk = useBulkLeads();
  const { toast } = useToast();
  const [editing, setEditing] = useState<Editing>(null);

  const run = (body: Omit<BulkBody, "ids">) =>
    bulk.mutate(
      { ...body, ids },
      {
        onSuccess: (result) => {
          setEditing(null);
          toast({
            title:
              result.action === "delete"
                ? `${leadsCount(result.affected)} deleted`
                : `${result.affected} changed`,
            description:
              result.affected < result.matched
                ? `${result.matched - result.affected} already matched.`
                : undefined,
          });
          onClear();
        },
      },
    );

  const open = (what: Editing) => {
    bulk.reset();
    setEditing(what);
  };

  return (
    <div
      role="toolbar"
      aria-label="Bulk actions"
      className="flex flex-wrap items-center gap-2 border-b border-brand-200 bg-brand-50 px-4 py-2"
    >
      <span
        className="w-full text-sm font-medium text-brand-800 sm:mr-auto sm:w-auto"
        data-testid="bulk-count"
      >
        {ids.length} selected
      </span>
      <Button size="sm" variant="secondary" onClick={() => open("add_tags")}>
        <Tag className="size-4" /> Add tag
      </Button>
      <Button size="sm" variant="secondary" onClick={() => open("remove_tags")}>
        Remove tag
      </Button>
      <Button size="sm" variant="secondary" onClick={() => open("set_status")}>
        Set status
      </Button>
      {canDelete && (
        <Button size="sm" variant="secondary" onClick={() => open("start_sequence")}>
          <ListOrdered className="size-4" /> Start sequence
        </Button>
      )}
      {canDelete && (
        <Button size="sm" variant="danger" onClick={() => open("delete")}>
          <Trash2 className="size-4" /> Delete
        </Button>
      )}
      <Button size="sm" variant="ghost" onClick={onClear} aria-label="Clear selection">
        <X className="size-4" />
      </Button>
      {(editing === "add_tags" || editing === "remove_tags" || editing === "set_status") && (
        <BulkDialog
          action={editing}
          count={ids.length}
          pending={bulk.isPending}
          error={bulk.error}
          onRun={run}
          onClose={() => setEditing(null)}
        />
      )}
      {editing === "start_sequence" && (
        <EnrollInSequenceDialog
          ids={ids}
          onClose={() => setEditing(null)}
          onDone={(enrolled, matched) => {
            setEditing(null);
            toast({
              title: `${leadsCount(enrolled)} enrolled`,
              description:
                enrolled < matched
                  ? `${matched - enrolled} skipped (opted out, already in it, …).`
                  : undefined,
            });
            onClear();
          }}
        />
      )}
      <ConfirmDialog
        open={editing === "delete"}
        onOpenChange={(o) => !o && setEditing(null)}
        title={`Delete ${leadsCount(ids.length)}?`}
        description={`The ${leadsCount(ids.length)}, their notes and history are deleted for good. This cannot be undone.`}
        confirmLabel={`Delete ${leadsCount(ids.length)}`}
        pending={bulk.isPending}
        error={bulk.error}
        onConfirm={() => run({ action: "delete", expected_count: ids.length })}
      />
    </div>
  );
}

const TITLES = {
  add_tags: "Add a tag",
  remove_tags: "Remove a tag",
  set_status: "Set the status",
} as const;

function BulkDialog({
  action,
  count,
  pending,
  error,
  onRun,
  onClose,
}: {
  action: "add_tags" | "remove_tags" | "set_status";
  count: number;
  pending: boolean;
  error: unknown;
  onRun: (body: Omit<BulkBody, "ids">) => void;
  onClose: () => void;
}) {
  const tags = useTags();
  const [tag, setTag] = useState("");
  const [status, setStatus] = useState<LeadStatus | "">("");
  const ready = action === "set_status" ? status !== "" : tag.trim() !== "";

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    if (action === "set_status") onRun({ action, lead_status: status || null });
    else onRun({ action, tags: [tag.trim()] });
  };

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent title={TITLES[action]} description={`For the ${leadsCount(count)} selected.`}>
        <form onSubmit={submit} className="space-y-4" aria-label={TITLES[action]}>
          {error ? <Alert>{errorMessage(error)}</Alert> : null}
          {action === "add_tags" && (
            <Field label="Tag name" hint="A new name creates the tag.">
              <Input
                value={tag}
                onChange={(e) => setTag(e.target.value)}
                list="bulk-tag-names"
                autoFocus
              />
            </Field>
          )}
          {action === "add_tags" && (
            <datalist id="bulk-tag-names">
              {(tags.data?.items ?? []).map((t) => (
                <option key={t.id} value={t.name} />
              ))}
            </datalist>
          )}
          {action === "remove_tags" && (
            <Field label="Tag">
              <Select
                value={tag}
                onValueChange={setTag}
                placeholder="Choose a tag"
                options={(tags.data?.items ?? []).map((t) => ({ value: t.name, label: t.name }))}
              />
            </Field>
          )}
          {action === "set_status" && (
            <Field label="Status">
              <Select
                value={status}
                onValueChange={setStatus}
                placeholder="Choose a status"
                options={LEAD_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
              />
            </Field>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending} disabled={!ready}>
              Apply to {leadsCount(count)}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
