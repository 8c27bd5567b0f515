import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { humanize } from "../../lib/format";
import type { Preflight, RecipientReason } from "./api";
import { ISSUE_LABEL, REASON_LABEL } from "./labels";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-4 py-2">
      <dt className="text-sm text-gray-500">{label}</dt>
      <dd className="text-right text-sm font-medium text-gray-900 tabular-nums">{children}</dd>
    </div>
  );
}

/** Small amounts keep their cents' fractions (a utility message costs a tenth of a cent). */
export function money(amount: number): string {
  return amount.toLocaleString(undefined, {
    minimumFractionDigits: 2,
    maximumFractionDigits: amount < 1 ? 4 : 2,
  });
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** What a start would meet: who gets it, who is left out and why, the limit, the template, cost. */
export function PreflightPanel({ preflight: p }: { preflight: Preflight }) {
  const excluded = Object.entries(p.excluded) as [RecipientReason, number][];
  const limit = p.messaging_limit;
  return (
    <div className="space-y-4" aria-label="Pre-flight">
      {p.blocking.map((issue) => (
        <Alert key={issue} tone="error">
          {ISSUE_LABEL[issue]}
        </Alert>
      ))}
      {p.warnings
        .filter((w) => w !== "some_excluded")
        .map((issue) => (
          <Alert key={issue} tone="info">
            {ISSUE_LABEL[issue]}
          </Alert>
        ))}
      <dl className="divide-y divide-gray-100">
        <Row label="Recipients">{p.recipients}</Row>
        {excluded.map(([reason, n]) => (
          <Row key={reason} label={`Excluded: ${REASON_LABEL[reason]}`}>
            {n}
          </Row>
        ))}
        <Row label="Messaging limit (24 h)">
          {limit.limit == null
            ? humanize(limit.tier ?? "unknown")
            : `${limit.remaining ?? 0} of ${limit.limit} left`}
        </Row>
        {p.template && (
          <Row label="Template">
            <span className="inline-flex items-center gap-2">
              {p.template.name}
              <Badge tone={p.template.status === "approved" ? "green" : "amber"}>
                {humanize(p.template.status)}
              </Badge>
              {p.template.quality && <Badge>{humanize(p.template.quality)} quality</Badge>}
            </span>
          </Row>
        )}
        <Row label="Estimated cost">
          {money(p.estimated_cost.amount)} {p.estimated_cost.currency}
        </Row>
        <Row label="Takes about">{duration(p.duration_seconds)}</Row>
      </dl>
    </div>
  );
}
