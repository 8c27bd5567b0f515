import { Card, CardHeader } from "../../components/ui/Card";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { formatDateTime, humanize } from "../../lib/format";
import { useLeadHistory } from "./api";
import { formatDuration } from "./board";

const ACTORS: Record<string, string> = {
  user: "A team member",
  ai: "The agent",
  rule: "Automatically",
  api: "An integration",
  import: "An import",
};

/** A lead's moves between pipeline stages, newest first (on the lead's page). */
export function StageHistoryCard({ leadId, stage }: { leadId: string; stage?: string | null }) {
  const history = useLeadHistory(leadId);
  return (
    <Card>
      <CardHeader title="Pipeline" description={stage ? `Now in ${stage}` : undefined} />
      {history.isPending ? (
        <LoadingState label="Loading the stage history…" />
      ) : history.isError ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : (
        <ol className="space-y-3 p-5" aria-label="Stage history">
          {history.data.items.map((h) => (
            <li key={h.id} className="border-l-2 border-gray-200 pl-3">
              <div className="flex justify-between gap-2 text-xs text-gray-500">
                <span className="font-medium text-gray-700">
                  {h.from_stage
                    ? `${h.from_stage.name} → ${h.to_stage.name}`
                    : `Entered ${h.to_stage.name}`}
                </span>
                <span>{formatDateTime(h.at)}</span>
              </div>
              <p className="text-xs text-gray-500">
                {ACTORS[h.actor] ?? humanize(h.actor)}
                {h.reason ? ` · ${humanize(h.reason)}` : ""}
                {h.from_stage &&
                h.seconds_in_from_stage !== null &&
                h.seconds_in_from_stage !== undefined
                  ? ` · ${formatDuration(h.seconds_in_from_stage)} in ${h.from_stage.name}`
                  : ""}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
