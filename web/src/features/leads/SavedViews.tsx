// Leads → saved views: pick one to apply it to the list, or save the page's filters as one.

import { Bookmark } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { useCreateView, useViews, type LeadQuery } from "./api";
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
  const [saving, setSaving] = useState(false);
  const items = views.data?.items ?? [];

  return (
    <div className="flex items-center gap-2">
      <div className="min-w-0 flex-1 sm:max-w-xs">
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
  const [name, setName] = useState("");
  const [shared, setShared] = useState(true);
  const errors = create.error ? fieldErrors(create.error) : {};
  const message = create.isError ? formMessage(create.error, ["name"]) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        name: name.trim(),
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
    );
  };

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent
        title="Save view"
        description="The current search, filters and sort, under a name to come back to."
      >
        <form onSubmit={submit} className="space-y-4" aria-label="Save view">
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
            <span className="text-sm text-gray-700" id="view-shared-label">
              Shared with the team
            </span>
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
            <Button type="submit" loading={create.isPending} disabled={name.trim() === ""}>
              Save view
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
