// Leads → saved views: pick one to apply it to the list, save the page's filters as one, and
// rename or delete the one applied (its creator, or an owner/admin for a shared one).

import { Bookmark, Pencil, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { canManage } from "../../lib/format";
import { useSession } from "../auth";
import {
  useCreateView,
  useDeleteView,
  useUpdateView,
  useViews,
  type LeadQuery,
  type SavedView,
  type SavedViewInput,
} from "./api";
import { filterFromQuery } from "./importMapping";

export const NO_VIEW = "all";

export function SavedViews({
  viewId,
  onViewChange,
  query,
  canSave,
}: {
  /** The applied view's id, or NO_VIEW. */
  viewId: string;
  onViewChange: (id: string) => void;
  /** The page's filters, saved as the new view. */
  query: LeadQuery;
  canSave: boolean;
}) {
  const views = useViews();
  const { user } = useSession();
  const [saving, setSaving] = useState(false);
  const items = views.data?.items ?? [];
  const applied = items.find((v) => v.id === viewId);
  const mayEdit =
    canSave &&
    applied !== undefined &&
    (applied.created_by === user.id || (applied.shared && canManage(user.role)));

  return (
    <div className="flex flex-wrap items-center gap-2">
      <div className="min-w-0 basis-full sm:max-w-xs sm:flex-1 sm:basis-auto">
        <Select
          aria-label="Saved view"
          value={viewId}
          onValueChange={onViewChange}
          options={[
            { value: NO_VIEW, label: "All leads" },
            ...items.map((v) => ({
              value: v.id,
              label: v.shared ? v.name : `${v.name} (only me)`,
            })),
          ]}
        />
      </div>
      {mayEdit && (
        <ViewActions key={applied.id} view={applied} onDeleted={() => onViewChange(NO_VIEW)} />
      )}
      {canSave && (
        <Button variant="secondary" onClick={() => setSaving(true)}>
          <Bookmark className="size-4" /> Save view
        </Button>
      )}
      {saving && (
        <SaveViewDialog
          query={query}
          onClose={() => setSaving(false)}
          onSaved={(id) => {
            setSaving(false);
            onViewChange(id);
          }}
        />
      )}
    </div>
  );
}

/** Rename (and share or unshare) or delete the applied view; its filters stay as saved. */
function ViewActions({ view, onDeleted }: { view: SavedView; onDeleted: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const update = useUpdateView(view.id);
  const remove = useDeleteView(view.id);
  const { toast } = useToast();

  return (
    <>
      <Button variant="ghost" size="sm" aria-label="Rename view" onClick={() => setRenaming(true)}>
        <Pencil className="size-4" />
      </Button>
      <Button variant="ghost" size="sm" aria-label="Delete view" onClick={() => setDeleting(true)}>
        <Trash2 className="size-4" />
      </Button>
      {renaming && (
        <ViewDialog
          title="Rename view"
          description="A new name, or who sees it. The view's filters stay as saved."
          initial={{ name: view.name, shared: view.shared }}
          pending={update.isPending}
          error={update.error}
          submitLabel="Save"
          onClose={() => setRenaming(false)}
          onSubmit={({ name, shared }) =>
            update.mutate(
              { name, shared, filter: view.filter, q: view.q ?? null, sort: view.sort ?? null },
              {
                onSuccess: (saved) => {
                  toast({ title: `View renamed to “${saved.name}”` });
                  setRenaming(false);
                },
              },
            )
          }
        />
      )}
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete the view “${view.name}”?`}
        description="Only the saved filter goes: the leads it shows stay as they are."
        confirmLabel="Delete view"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              setDeleting(false);
              toast({ title: `View “${view.name}” deleted` });
              onDeleted();
            },
          })
        }
      />
    </>
  );
}

function SaveViewDialog({
  query,
  onClose,
  onSaved,
}: {
  query: LeadQuery;
  onClose: () => void;
  onSaved: (id: string) => void;
}) {
  const create = useCreateView();
  const { toast } = useToast();
  return (
    <ViewDialog
      title="Save view"
      description="The current search, filters and sort, under a name to come back to."
      initial={{ name: "", shared: true }}
      pending={create.isPending}
      error={create.error}
      submitLabel="Save view"
      onClose={onClose}
      onSubmit={({ name, shared }) =>
        create.mutate(
          {
            name,
            shared,
            filter: filterFromQuery(query),
            q: query.q ?? null,
            sort: query.sort ?? null,
          },
          {
            onSuccess: (view) => {
              toast({ title: `View “${view.name}” saved` });
              onSaved(view.id);
            },
          },
        )
      }
    />
  );
}

/** A view's name and sharing, for saving a new one or renaming one. */
function ViewDialog({
  title,
  description,
  initial,
  pending,
  error,
  submitLabel,
  onClose,
  onSubmit,
}: {
  title: string;
  description: string;
  initial: Pick<SavedViewInput, "name" | "shared">;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  onClose: () => void;
  onSubmit: (v: { name: string; shared: boolean }) => void;
}) {
  const [name, setName] = useState(initial.name);
  const [shared, setShared] = useState(initial.shared ?? true);
  const errors = error ? fieldErrors(error) : {};
  const message = error ? formMessage(error, ["name"]) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ name: name.trim(), shared });
  };

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent title={title} description={description}>
        <form onSubmit={submit} className="space-y-4" aria-label={title}>
          {message && <Alert title="Could not save the view">{message}</Alert>}
          <Field label="Name" error={errors.name}>
            <Input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={100}
              placeholder="Hot leads in Pune"
              autoFocus
            />
          </Field>
          <div className="flex items-center justify-between gap-4">
            <span className="text-sm text-gray-700">Shared with the team</span>
            <Switch
              checked={shared}
              onCheckedChange={setShared}
              aria-label="Shared with the team"
            />
          </div>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending} disabled={name.trim() === ""}>
              {submitLabel}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
