// Leads → bulk bar → "Start sequence": the selected leads enter one drip sequence (a lead in
// another sequence leaves it), through the leads list's bulk operation.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { errorMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Select } from "../../components/ui/Select";
import { SEQUENCES_KEY, useSequences } from "./api";

export function EnrollInSequenceDialog({
  ids,
  onDone,
  onClose,
}: {
  ids: string[];
  /** The leads were enrolled: `enrolled` of them started. */
  onDone: (enrolled: number, matched: number) => void;
  onClose: () => void;
}) {
  const sequences = useSequences();
  const client = useQueryClient();
  const [sequenceId, setSequenceId] = useState("");
  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/leads/bulk", {
          body: { ids, action: "start_sequence", sequence_id: sequenceId },
        }),
      ),
    onSuccess: (r) => {
      void client.invalidateQueries({ queryKey: SEQUENCES_KEY });
      onDone(r.affected, r.matched);
    },
  });
  const options = (sequences.data?.items ?? [])
    .filter((s) => s.enabled)
    .map((s) => ({ value: s.id, label: s.name }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (sequenceId) start.mutate();
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}>
      <DialogContent
        title="Start a sequence"
        description={`For the ${ids.length} selected. A lead in another sequence leaves it; opted-out leads are skipped.`}
      >
        <form onSubmit={submit} className="space-y-4" aria-label="Start a sequence">
          {start.isError ? <Alert>{errorMessage(start.error)}</Alert> : null}
          <Field label="Sequence">
            <Select
              value={sequenceId}
              onValueChange={setSequenceId}
              placeholder={options.length ? "Choose a sequence" : "No sequence is on"}
              disabled={options.length === 0}
              options={options}
            />
          </Field>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={start.isPending} disabled={!sequenceId}>
              Start sequence
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
