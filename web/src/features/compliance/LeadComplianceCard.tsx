import { Ban, CheckCircle2, Eraser } from "lucide-react";
import { useState, type FormEvent } from "react";
import type { components } from "../../api/types";
import { fieldErrors, formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useErase, useOptIn, useOptOut } from "./api";
import { ERASE_WORD, SOURCE_LABELS, eraseConfirmed, erasedItems } from "./compliance";

type LeadDetail = components["schemas"]["LeadDetail"];

/**
 * A lead's consent on its page: whether they may be messaged, how they came onto the opt-out
 * list, Opt out / Opt in with a reason, and (owner/admin) erasing their personal data.
 */
export function LeadComplianceCard({ lead }: { lead: LeadDetail }) {
  const { user } = useSession();
  const manage = canManage(user.role);
  const canWrite = user.role !== "viewer";
  const [dialog, setDialog] = useState<"out" | "in" | "erase" | null>(null);
  const o = lead.opt_out;
  return (
    <Card>
      <CardHeader title="Consent and privacy" />
      <div className="space-y-3 p-5 text-sm">
        {lead.erased_at && (
          <Alert tone="info" title="Personal data erased">
            Erased on {formatDateTime(lead.erased_at)}. The number stays on the opt-out list as a
            keyed hash.
          </Alert>
        )}
        {lead.opted_out ? (
          <div className="space-y-1" data-testid="opt-out-status">
            <p className="flex items-center gap-1.5 font-medium text-red-700">
              <Ban className="size-4" /> Opted out
              {o?.at ? ` on ${formatDateTime(o.at)}` : ""}
            </p>
            {o?.source && (
              <p className="text-gray-600">
                {SOURCE_LABELS[o.source]}
                {o.by ? ` · ${o.by.name}` : ""}
              </p>
            )}
            {o?.reason && <p className="break-words text-gray-800">“{o.reason}”</p>}
          </div>
        ) : (
          <p
            className="flex items-center gap-1.5 font-medium text-brand-700"
            data-testid="opt-out-status"
          >
            <CheckCircle2 className="size-4" /> May be messaged
          </p>
        )}
        <div className="flex flex-wrap gap-2 pt-1">
          {canWrite && !lead.opted_out && (
            <Button variant="secondary" size="sm" onClick={() => setDialog("out")}>
              <Ban className="size-4" /> Opt out
            </Button>
          )}
          {manage && lead.opted_out && !lead.erased_at && (
            <Button variant="secondary" size="sm" onClick={() => setDialog("in")}>
              <CheckCircle2 className="size-4" /> Opt in
            </Button>
          )}
          {manage && !lead.erased_at && (
            <Button variant="danger" size="sm" onClick={() => setDialog("erase")}>
              <Eraser className="size-4" /> Erase personal data
            </Button>
          )}
        </div>
      </div>
      {dialog === "out" && (
        <ReasonDialog lead={lead} optIn={false} onClose={() => setDialog(null)} />
      )}
      {dialog === "in" && <ReasonDialog lead={lead} optIn onClose={() => setDialog(null)} />}
      {dialog === "erase" && <EraseDialog lead={lead} onClose={() => setDialog(null)} />}
    </Card>
  );
}

function ReasonDialog({
  lead,
  optIn,
  onClose,
}: {
  lead: LeadDetail;
  optIn: boolean;
  onClose: () => void;
}) {
  const { toast } = useToast();
  const optOut = useOptOut(lead.id);
  const optInto = useOptIn(lead.id);
  const action = optIn ? optInto : optOut;
  const [reason, setReason] = useState("");
  const errors = action.error ? fieldErrors(action.error) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.mutate(reason, {
      onSuccess: () => {
        toast({ title: optIn ? "Opted back in" : "Opted out" });
        onClose();
      },
    });
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={optIn ? "Opt this lead back in?" : "Opt this lead out?"}
        description={
          optIn
            ? "Only when the person asked to hear from you again. The agent, follow-ups and your team may message them again, and their number leaves the opt-out list."
            : "Nobody — the agent, a follow-up or your team — may message them, and their number stays on the opt-out list."
        }
      >
        <form onSubmit={submit} className="space-y-4" aria-label={optIn ? "Opt in" : "Opt out"}>
          {action.isError && formMessage(action.error, ["reason"]) && (
            <Alert>{formMessage(action.error, ["reason"])}</Alert>
          )}
          <Field
            label={optIn ? "How did they ask?" : "Reason"}
            optional={!optIn}
            error={errors.reason}
          >
            <Textarea
              rows={3}
              value={reason}
              placeholder={optIn ? "Wrote to us asking for offers" : "Asked on a call"}
              onChange={(e) => setReason(e.target.value)}
            />
          </Field>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" type="button" onClick={onClose}>
              Cancel
            </Button>
            <Button
              type="submit"
              variant={optIn ? "primary" : "danger"}
              loading={action.isPending}
              disabled={optIn && !reason.trim()}
            >
              {optIn ? "Opt in" : "Opt out"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function EraseDialog({ lead, onClose }: { lead: LeadDetail; onClose: () => void }) {
  const { toast } = useToast();
  const erase = useErase(lead.id);
  const [typed, setTyped] = useState("");
  const ok = eraseConfirmed(typed, lead.name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ok) return;
    erase.mutate(undefined, {
      onSuccess: () => {
        toast({ title: "Personal data erased" });
        onClose();
      },
    });
  };
  const word = lead.name ? `${lead.name}” or “${ERASE_WORD}` : ERASE_WORD;
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title="Erase this lead's personal data?"
        description="This cannot be undone. The lead stays, without anything that identifies them."
      >
        <form onSubmit={submit} className="space-y-4" aria-label="Erase personal data">
          <div className="text-sm">
            <p className="font-medium text-gray-900">Removed:</p>
            <ul className="mt-1 list-disc space-y-0.5 pl-5 text-gray-700" aria-label="Removed">
              {erasedItems(lead).map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
            <p className="mt-3 font-medium text-gray-900">Kept:</p>
            <p className="mt-1 text-gray-700">
              Message counts, the pipeline history, deal value, tags and costs. The number stays on
              the opt-out list as a keyed hash: if they write again, they come back opted out.
            </p>
          </div>
          {erase.isError && <Alert>{formMessage(erase.error, [])}</Alert>}
          <Field label={`Type “${word}” to confirm`}>
            <Input value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
          </Field>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" type="button" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={!ok} loading={erase.isPending}>
              Erase personal data
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
