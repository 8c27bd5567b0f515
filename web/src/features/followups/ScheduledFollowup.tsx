import type { Followup } from "./api";
import { useConversationFollowups, useFollowupAction } from "./api";
import { Button } from "../../components/ui/Button";
import { formatDateTime, humanize } from "../../lib/format";

const WHY: Record<string, string> = {
  lead_quiet: "The lead went quiet after the agent's reply",
  cta_unanswered: "An offer is waiting for the lead's answer",
  high_intent: "A hot lead: checked on sooner",
  low_response_rate: "The lead rarely answers: given more room",
  schedule_step: "Next step of the template schedule",
  manual: "Scheduled by a person",
};

function Pending({ f }: { f: Followup }) {
  const sendNow = useFollowupAction(f, "send-now");
  const cancel = useFollowupAction(f, "cancel");
  const busy = sendNow.isPending || cancel.isPending;
  return (
    <div data-testid="scheduled-followup" className="space-y-2">
      <p className="text-sm text-gray-900">
        {f.kind === "template" ? `Template step ${f.step}` : `Agent follow-up #${f.step}`}
        {" · "}
        <time dateTime={f.due_at}>{formatDateTime(f.due_at)}</time>
      </p>
      <p className="text-xs text-gray-500">{WHY[f.reason] ?? humanize(f.reason)}</p>
      <div className="flex gap-2">
        <Button size="sm" disabled={busy} onClick={() => sendNow.mutate()}>
          Send now
        </Button>
        <Button size="sm" variant="secondary" disabled={busy} onClick={() => cancel.mutate()}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

/** The conversation's scheduled follow-up (why and when, send now, cancel) and the last outcome. */
export function ScheduledFollowup({ conversationId }: { conversationId: string }) {
  const q = useConversationFollowups(conversationId);
  if (q.isError) return <p className="text-sm text-red-700">Could not load follow-ups.</p>;
  if (!q.data) return <p className="text-sm text-gray-500">Loading…</p>;
  const items = q.data.items;
  const pending = items.find((f) => f.status === "pending");
  const last = items.find((f) => f.status !== "pending");
  return (
    <div className="space-y-2">
      {pending ? (
        <Pending f={pending} />
      ) : (
        <p className="text-sm text-gray-500">No follow-up scheduled.</p>
      )}
      {last && (
        <p data-testid="last-followup" className="text-xs text-gray-500">
          Last: {humanize(last.status)}
          {last.status_reason ? ` (${humanize(last.status_reason)})` : ""}
        </p>
      )}
    </div>
  );
}
