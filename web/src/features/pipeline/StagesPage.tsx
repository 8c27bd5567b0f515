import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { canManage, humanize } from "../../lib/format";
import { useSession } from "../auth";
import {
  useCreateStage,
  useDeleteStage,
  useStages,
  useUpdateStage,
  type Stage,
  type StageKind,
} from "./api";

const KINDS: { value: StageKind; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "won", label: "Won" },
  { value: "lost", label: "Lost" },
];

/** Settings → Pipeline stages: add, rename, recolour, reorder and delete the board's columns. */
export function StagesPage() {
  const { user } = useSession();
  const manage = canManage(user.role);
  const stages = useStages();
  const [deleting, setDeleting] = useState<Stage | null>(null);
  return (
    <>
      <SettingsHeader
        title="Pipeline stages"
        description="The columns of your pipeline board. A won or lost stage sets the lead's status; the conversation stages a stage lists move leads there automatically."
      />
      <div className="space-y-6">
        {manage && <NewStageForm />}
        <Card>
          <CardHeader title="Stages" />
          {stages.isPending ? (
            <LoadingState label="Loading stages…" />
          ) : stages.isError ? (
            <ErrorState error={stages.error} onRetry={() => void stages.refetch()} />
          ) : (
            <ol className="divide-y divide-gray-100" aria-label="Pipeline stages">
              {stages.data.items.map((s, i) => (
                <StageRow
                  key={`${s.id}-${s.name}-${s.color}`}
                  stage={s}
                  first={i === 0}
                  last={i === stages.data.items.length - 1}
                  manage={manage}
                  onDelete={() => setDeleting(s)}
                />
              ))}
            </ol>
          )}
        </Card>
      </div>
      {deleting && stages.data && (
        <DeleteStageDialog
          stage={deleting}
          others={stages.data.items.filter((s) => s.id !== deleting.id)}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );
}

function NewStageForm() {
  const create = useCreateStage();
  const [name, setName] = useState("");
  const [color, setColor] = useState("#6366f1");
  const [kind, setKind] = useState<StageKind>("open");
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name, color, kind },
      {
        onSuccess: () => {
          setName("");
          setKind("open");
        },
      },
    );
  };
  return (
    <Card>
      <CardHeader title="Add a stage" />
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3 p-5">
        <Field label="Name" error={errors.name} className="min-w-48 flex-1">
          <Input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <label className="space-y-1.5 text-sm font-medium text-gray-700">
          <span className="block">Colour</span>
          <input
            type="color"
            className="h-9 w-14 cursor-pointer rounded-md border border-gray-300 bg-white p-1"
            value={color}
            onChange={(e) => setColor(e.target.value)}
          />
        </label>
        <Field label="Kind">
          <Select value={kind} onValueChange={setKind} options={KINDS} className="w-28" />
        </Field>
        <Button type="submit" disabled={create.isPending || !name.trim()}>
          <Plus className="size-4" /> Add stage
        </Button>
        {create.error && !errors.name && !errors.color && (
          <Alert className="w-full">{formMessage(create.error, ["name", "color"])}</Alert>
        )}
      </form>
    </Card>
  );
}

function StageRow({
  stage,
  first,
  last,
  manage,
  onDelete,
}: {
  stage: Stage;
  first: boolean;
  last: boolean;
  manage: boolean;
  onDelete: () => void;
}) {
  const update = useUpdateStage();
  const [name, setName] = useState(stage.name);
  const errors = fieldErrors(update.error);
  const save = (body: Parameters<typeof update.mutate>[0]["body"]) =>
    update.mutate({ id: stage.id, body });
  const rename = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && name.trim() !== stage.name) save({ name });
  };
  return (
    <li className="flex flex-wrap items-center gap-3 px-5 py-3" data-testid="stage-row">
      <span
        className="size-3 shrink-0 rounded-full"
        style={{ background: stage.color }}
        aria-hidden
      />
      {manage ? (
        <form onSubmit={rename} className="flex items-center gap-2">
          <Input
            aria-label={`Name of ${stage.name}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={rename}
            invalid={Boolean(errors.name)}
            className="w-44 sm:w-52"
          />
          <input
            type="color"
            aria-label={`Colour of ${stage.name}`}
            className="h-9 w-12 shrink-0 cursor-pointer rounded-md border border-gray-300 bg-white p-1"
            defaultValue={stage.color}
            onChange={(e) => save({ color: e.target.value })}
          />
        </form>
      ) : (
        <span className="w-44 text-sm font-medium text-gray-900 sm:w-52">{stage.name}</span>
      )}
      <span className="flex min-w-0 flex-1 flex-wrap items-center gap-1.5 text-xs text-gray-500">
        <Badge tone={stage.kind === "won" ? "green" : stage.kind === "lost" ? "red" : "gray"}>
          {humanize(stage.kind)}
        </Badge>
        {stage.lead_count === 1 ? "1 lead" : `${stage.lead_count} leads`}
        {stage.conversation_stages.length > 0 && (
          <span title="Conversation stages that move leads here">
            · {stage.conversation_stages.map(humanize).join(", ")}
          </span>
        )}
      </span>
      {manage && (
        <span className="ml-auto flex items-center gap-1">
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Move ${stage.name} up`}
            disabled={first || update.isPending}
            onClick={() => save({ position: stage.position - 1 })}
          >
            <ArrowUp className="size-4" />
          </Button>
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Move ${stage.name} down`}
            disabled={last || update.isPending}
            onClick={() => save({ position: stage.position + 1 })}
          >
            <ArrowDown className="size-4" />
          </Button>
          <Button variant="ghost" size="sm" aria-label={`Delete ${stage.name}`} onClick={onDelete}>
            <Trash2 className="size-4" />
          </Button>
        </span>
      )}
      {update.error && <Alert className="w-full">{formMessage(update.error, [])}</Alert>}
    </li>
  );
}

function DeleteStageDialog({
  stage,
  others,
  onClose,
}: {
  stage: Stage;
  others: Stage[];
  onClose: () => void;
}) {
  const remove = useDeleteStage();
  const [moveTo, setMoveTo] = useState(others.find((s) => s.kind === "open")?.id ?? "");
  const needsTarget = stage.lead_count > 0;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent
        title={`Delete ${stage.name}?`}
        description={
          needsTarget
            ? `Its ${stage.lead_count} leads move to the stage you choose; each move is kept in their history.`
            : "The stage holds no leads."
        }
      >
        <div className="space-y-4">
          {needsTarget && (
            <Field label="Move its leads to">
              <Select
                value={moveTo}
                onValueChange={setMoveTo}
                options={others.map((s) => ({ value: s.id, label: s.name }))}
              />
            </Field>
          )}
          {remove.error && <Alert>{formMessage(remove.error, [])}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button
              variant="danger"
              disabled={remove.isPending || (needsTarget && !moveTo)}
              onClick={() =>
                remove.mutate(
                  { id: stage.id, moveTo: needsTarget ? moveTo : undefined },
                  { onSuccess: onClose },
                )
              }
            >
              Delete stage
            </Button>
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}
