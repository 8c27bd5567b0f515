import { Bot, ShieldAlert, ShieldCheck, ShieldX } from "lucide-react";
import { DECISION_ENGINE_LABELS, DELIVERY_STATUS_LABELS } from "../../api/enums";
import type { Decision, DecisionEngine } from "../../api/models";
import { Badge } from "../../components/ui/Badge";
import { cn } from "../../lib/cn";
import {
  ctaLabel,
  formatCost,
  formatLatency,
  formatTokens,
  guardrailSummary,
  guardrailTally,
  priorityTone,
} from "./agent";
import { humanize } from "../../lib/format";
import { clockTime } from "./format";

const ENGINE_TONES: Record<DecisionEngine, "violet" | "gray" | "amber"> = {
  llm: "violet",
  rules: "gray",
  fallback: "amber",
};

export function EngineBadge({ engine }: { engine: DecisionEngine }) {
  return (
    <Badge tone={ENGINE_TONES[engine]}>
      <span data-testid="decision-engine" data-engine={engine}>
        {DECISION_ENGINE_LABELS[engine]}
      </span>
    </Badge>
  );
}

function sendLabel(d: Decision): { text: string; tone: "green" | "gray" | "red" | "amber" } {
  if (!d.should_send) return { text: "Held back", tone: "gray" };
  // `error` is the engine's (a model failure, a suppressed reply), not the send's.
  if (d.send_status === "failed") return { text: "Send failed", tone: "red" };
  if (!d.send_status) return { text: "Sending", tone: "amber" };
  return { text: DELIVERY_STATUS_LABELS[d.send_status], tone: "green" };
}

/** One decision: why the agent said (or held back) what it did, and what it cost. */
export function DecisionCard({
  decision: d,
  showText = true,
  className,
}: {
  decision: Decision;
  /** Whether to quote the message it wrote (the playground shows it next to the reply). */
  showText?: boolean;
  className?: string;
}) {
  const tally = guardrailTally(d.guardrails);
  const cost = formatCost(d.cost_usd);
  const tokens = formatTokens(d.input_tokens, d.output_tokens);
  const latency = formatLatency(d.latency_ms);
  const send = sendLabel(d);
  const GuardIcon = tally.blocked > 0 ? ShieldX : tally.repaired > 0 ? ShieldAlert : ShieldCheck;
  return (
    <article
      className={cn("rounded-md border border-gray-200 bg-white p-3 text-sm", className)}
      data-testid="decision"
      data-reason={d.reason_code}
      data-message-id={d.message_id ?? undefined}
      aria-label={`Decision ${d.reason_code}`}
    >
      <header className="flex flex-wrap items-center gap-1.5">
        <code
          className="font-mono text-xs font-semibold text-gray-900"
          data-testid="decision-reason"
        >
          {d.reason_code}
        </code>
        <EngineBadge engine={d.engine} />
        <Badge tone={send.tone}>
          <span data-testid="decision-send">{send.text}</span>
        </Badge>
        <time className="ml-auto text-xs text-gray-400" dateTime={d.created_at}>
          {clockTime(d.created_at)}
        </time>
      </header>
      {showText && d.should_send && d.message_text && (
        <p className="mt-1.5 line-clamp-3 rounded bg-gray-50 px-2 py-1 text-xs text-gray-700">
          {d.message_text}
        </p>
      )}
      <dl className="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-xs">
        {d.cta_type && (
          <>
            <dt className="text-gray-500">CTA</dt>
            <dd className="text-gray-900">{ctaLabel(d.cta_type)}</dd>
          </>
        )}
        {d.message_type && d.message_type !== "text" && (
          <>
            <dt className="text-gray-500">Message</dt>
            <dd className="text-gray-900">{humanize(d.message_type)}</dd>
          </>
        )}
        {d.confidence != null && (
          <>
            <dt className="text-gray-500">Confidence</dt>
            <dd className="text-gray-900">{Math.round(d.confidence * 100)}%</dd>
          </>
        )}
        <dt className="text-gray-500">Trigger</dt>
        <dd className="text-gray-900">
          {humanize(d.trigger)}
          {d.retrieval_used && <span className="text-gray-500"> · used the knowledge base</span>}
        </dd>
        {d.handoff_required && (
          <>
            <dt className="text-gray-500">Handoff</dt>
            <dd>
              <Badge tone={priorityTone(d.handoff_priority)}>
                {humanize(d.handoff_priority ?? "needed")}
              </Badge>
            </dd>
          </>
        )}
        {(tokens || cost || latency) && (
          <>
            <dt className="text-gray-500">Usage</dt>
            <dd className="text-gray-900" data-testid="decision-usage">
              {[tokens, cost, latency].filter(Boolean).join(" · ")}
            </dd>
          </>
        )}
      </dl>
      <div className="mt-2 border-t border-gray-100 pt-2 text-xs" data-testid="decision-guardrails">
        <p className="flex items-center gap-1.5 text-gray-700">
          <GuardIcon
            className={cn(
              "size-3.5",
              tally.blocked > 0
                ? "text-red-600"
                : tally.repaired > 0
                  ? "text-amber-600"
                  : "text-brand-600",
            )}
            aria-hidden="true"
          />
          {guardrailSummary(tally)}
        </p>
        {tally.notable.length > 0 && (
          <ul className="mt-1 space-y-0.5">
            {tally.notable.map((g, i) => (
              <li key={`${g.rule}-${i}`} className="flex gap-1.5">
                <Badge tone={g.action === "blocked" ? "red" : "amber"} className="shrink-0">
                  {g.action}
                </Badge>
                <span className="min-w-0 text-gray-700">
                  <code className="font-mono">{g.rule}</code>
                  {g.detail && <span className="text-gray-500"> — {g.detail}</span>}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {d.error && (
        <p className="mt-2 rounded bg-red-50 px-2 py-1 font-mono text-xs break-words text-red-700">
          {d.error}
        </p>
      )}
    </article>
  );
}

export function NoDecisions({ className }: { className?: string }) {
  return (
    <p className={cn("flex items-center gap-1.5 text-sm text-gray-500", className)}>
      <Bot className="size-4 text-gray-400" aria-hidden="true" />
      The agent has not decided anything here yet.
    </p>
  );
}
