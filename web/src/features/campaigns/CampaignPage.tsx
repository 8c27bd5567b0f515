import { Download, Pause, Play, Rocket, X } from "lucide-react";
import { lazy, Suspense, useState } from "react";
import { Link, useParams } from "react-router";
import { errorMessage } from "../../api/errors";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Select } from "../../components/ui/Select";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { canManage, formatDateTime, humanize } from "../../lib/format";
import { useSession } from "../auth";
import {
  recipientsCsvUrl,
  useCampaign,
  useCampaignAction,
  usePreflight,
  useRecipients,
  type Campaign,
  type CampaignAction,
  type RecipientStatus,
} from "./api";
import { money, PreflightPanel } from "./PreflightPanel";
import { REASON_LABEL, RECIPIENT_ORDER, RECIPIENT_TONE, STATUS_TONE } from "./labels";

// Charts load with the first broadcast opened, not with the app (recharts is heavy).
const ProgressChart = lazy(() =>
  import("./ProgressChart").then((m) => ({ default: m.ProgressChart })),
);

const percent = (n: number) => `${Math.round(n * 100)}%`;

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="rounded-md border border-gray-200 px-3 py-2">
      <p className="text-xs text-gray-500">{label}</p>
      <p className="mt-0.5 text-lg font-semibold text-gray-900 tabular-nums">{value}</p>
    </div>
  );
}

/** Start, pause, resume and cancel, as the status allows. */
function Actions({ campaign, confirm }: { campaign: Campaign; confirm: boolean }) {
  const act = useCampaignAction(campaign.id);
  const run = (action: CampaignAction) => act.mutate({ action, confirm });
  const s = campaign.status;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {s === "draft" && (
        <Button onClick={() => run("start")} loading={act.isPending}>
          <Rocket className="size-4" aria-hidden="true" /> Start
        </Button>
      )}
      {s === "running" && (
        <Button variant="secondary" onClick={() => run("pause")} loading={act.isPending}>
          <Pause className="size-4" aria-hidden="true" /> Pause
        </Button>
      )}
      {s === "paused" && (
        <Button onClick={() => run("resume")} loading={act.isPending}>
          <Play className="size-4" aria-hidden="true" /> Resume
        </Button>
      )}
      {(s === "draft" || s === "scheduled" || s === "running" || s === "paused") && (
        <Button variant="ghost" onClick={() => run("cancel")} disabled={act.isPending}>
          <X className="size-4" aria-hidden="true" /> Cancel
        </Button>
      )}
      {act.isError && <span className="text-sm text-red-700">{errorMessage(act.error)}</span>}
    </div>
  );
}

function Recipients({ id }: { id: string }) {
  const [status, setStatus] = useState<RecipientStatus | "">("");
  const list = useRecipients(id, status);
  const options = [
    { value: "all", label: "All statuses" },
    ...RECIPIENT_ORDER.map((s) => ({ value: s, label: humanize(s) })),
  ];
  const items = list.data?.items ?? [];
  return (
    <Card>
      <CardHeader
        title="Recipients"
        actions={
          <>
            <Select
              size="sm"
              aria-label="Filter by status"
              value={status || "all"}
              onValueChange={(v) => setStatus(v === "all" ? "" : (v as RecipientStatus))}
              options={options}
              className="w-40"
            />
            <a className={buttonClasses("secondary", "sm")} href={recipientsCsvUrl(id)} download>
              <Download className="size-4" aria-hidden="true" /> CSV
            </a>
          </>
        }
      />
      {items.length === 0 ? (
        <p className="px-5 py-6 text-sm text-gray-500">
          {list.isPending ? "Loading…" : "No recipients yet: they are frozen at start."}
        </p>
      ) : (
        <Table label="Recipients">
          <thead>
            <tr>
              <Th>Lead</Th>
              <Th>Status</Th>
              <Th className="hidden sm:table-cell">Why</Th>
              <Th className="hidden md:table-cell">Sent</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {items.map((r) => (
              <tr key={r.id}>
                <Td>
                  <Link to={`/leads/${r.lead_id}`} className="text-gray-900 hover:text-brand-700">
                    {r.name ?? r.phone ?? "—"}
                  </Link>
                  {r.name && <p className="text-xs text-gray-500">{r.phone}</p>}
                </Td>
                <Td>
                  <Badge tone={RECIPIENT_TONE[r.status]}>{humanize(r.status)}</Badge>
                </Td>
                <Td className="hidden text-gray-500 sm:table-cell">
                  {r.reason ? REASON_LABEL[r.reason] : (r.error?.title ?? "")}
                </Td>
                <Td className="hidden text-gray-500 md:table-cell">{formatDateTime(r.sent_at)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

/** One broadcast: its pre-flight, its controls, live progress, a chart and its recipients. */
export function CampaignPage() {
  const { campaignId = "" } = useParams();
  const { user } = useSession();
  const manager = canManage(user.role);
  const campaign = useCampaign(campaignId);
  const preflight = usePreflight(campaignId);
  if (campaign.isPending) return <LoadingState label="Loading the broadcast…" />;
  if (campaign.isError)
    return <ErrorState error={campaign.error} onRetry={() => void campaign.refetch()} />;
  const c = campaign.data;
  const s = c.stats;
  const total = s.recipients || 1;
  const done = s.counts.sent + s.counts.delivered + s.counts.read + s.counts.replied;
  const overLimit = (preflight.data?.over_limit_by ?? 0) > 0;
  return (
    <Page
      title={
        <span className="inline-flex items-center gap-3">
          {c.name}
          <Badge tone={STATUS_TONE[c.status]}>{humanize(c.status)}</Badge>
        </span>
      }
      description={
        c.paused_reason
          ? `Paused: ${humanize(c.paused_reason)}. Only a person resumes it.`
          : c.started_at
            ? `Started ${formatDateTime(c.started_at)}`
            : "Draft"
      }
      actions={manager && <Actions campaign={c} confirm={overLimit} />}
    >
      <div className="mb-6">
        <Link to="/broadcasts" className="text-sm text-brand-700 hover:underline">
          ← All broadcasts
        </Link>
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-1">
          <CardHeader
            title="Pre-flight"
            description="Who gets it and what it costs, before anything is sent."
            actions={
              manager && (
                <Button
                  size="sm"
                  variant="secondary"
                  onClick={() => preflight.mutate()}
                  loading={preflight.isPending}
                >
                  Run pre-flight
                </Button>
              )
            }
          />
          <div className="px-5 py-4">
            {preflight.data ? (
              <PreflightPanel preflight={preflight.data} />
            ) : preflight.isError ? (
              <Alert>{errorMessage(preflight.error)}</Alert>
            ) : (
              <p className="text-sm text-gray-500">
                Run the pre-flight to see the audience, exclusions, limit and cost.
              </p>
            )}
          </div>
        </Card>
        <Card className="lg:col-span-2">
          <CardHeader
            title="Progress"
            description={
              c.status === "running"
                ? `${s.sends_per_second.toFixed(1)} sends/s${s.eta_seconds ? ` · about ${Math.ceil(s.eta_seconds / 60)} min left` : ""}`
                : undefined
            }
          />
          <div className="space-y-4 px-5 py-4">
            <div
              className="h-2 w-full overflow-hidden rounded-full bg-gray-100"
              role="progressbar"
              aria-label="Sent"
              aria-valuemin={0}
              aria-valuemax={total}
              aria-valuenow={done}
            >
              <div
                className="h-full bg-brand-500 transition-all"
                style={{ width: `${Math.min(100, (done / total) * 100)}%` }}
              />
            </div>
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              <Stat label="Recipients" value={s.recipients} />
              <Stat label="Sent" value={done} />
              <Stat label="Delivered" value={percent(s.rates.delivered)} />
              <Stat label="Replied" value={percent(s.rates.replied)} />
              <Stat label="Read" value={percent(s.rates.read)} />
              <Stat label="Failed" value={s.counts.failed} />
              <Stat label="Skipped" value={s.counts.skipped} />
              <Stat
                label="Cost"
                value={`${money(s.cost.billed || s.cost.estimated)} ${s.cost.currency}`}
              />
            </div>
            <Suspense fallback={<div className="h-56" />}>
              <ProgressChart stats={s} />
            </Suspense>
          </div>
        </Card>
      </div>
      <div className="mt-6">
        <Recipients id={c.id} />
      </div>
    </Page>
  );
}
