// The agent's side of the inbox's right pane: the handoff brief, its memory of the lead and
// its latest decisions.
import { Brain, LifeBuoy } from "lucide-react";
import { useState, type ReactNode } from "react";
import { HANDOVER_REASON_LABELS } from "../../api/enums";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Spinner } from "../../components/ui/Spinner";
import { ErrorState } from "../../components/ui/States";
import { cn } from "../../lib/cn";
import { formatDateTime, humanize } from "../../lib/format";
import {
  confidenceBand,
  ctaLabel,
  formatValueScore,
  priorityTone,
  readHandoff,
  readState,
  sentimentScore,
  sentimentTone,
  type AgentState,
  type Commitment,
  type SentimentPoint,
  type Tone,
} from "./agent";
import { useDecisions } from "./api";
import { DecisionCard, NoDecisions } from "./Decisions";

const DOT: Record<Tone, string> = {
  green: "bg-brand-500",
  amber: "bg-amber-500",
  red: "bg-red-500",
  gray: "bg-gray-400",
  blue: "bg-blue-500",
  violet: "bg-violet-500",
};
const FILL: Record<Tone, string> = {
  green: "fill-brand-500",
  amber: "fill-amber-500",
  red: "fill-red-500",
  gray: "fill-gray-400",
  blue: "fill-blue-500",
  violet: "fill-violet-500",
};

function Row({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div className="flex items-start justify-between gap-3 py-1">
      <dt className="shrink-0 text-xs font-medium text-gray-500">{label}</dt>
      <dd className="min-w-0 text-right text-sm break-words text-gray-900">{children}</dd>
    </div>
  );
}

function SubHeading({ children }: { children: ReactNode }) {
  return <h4 className="mt-3 mb-0.5 text-xs font-medium text-gray-700">{children}</h4>;
}

/** The brief the agent leaves when it hands the conversation to a human. */
export function HandoffBrief({ handoff }: { handoff: unknown }) {
  const h = readHandoff(handoff);
  if (!h) return null;
  const tone = priorityTone(h.priority);
  const score = formatValueScore(h.valueScore);
  return (
    <section
      aria-label="Handoff brief"
      data-testid="handoff-brief"
      className={cn(
        "mx-3 mb-3 rounded-lg px-3 py-3 ring-1",
        tone === "red" && "bg-red-50 ring-red-200",
        tone === "amber" && "bg-amber-50 ring-amber-200",
        tone === "green" && "bg-brand-50 ring-brand-200",
        tone === "gray" && "bg-gray-50 ring-gray-200",
      )}
    >
      <div className="flex items-center gap-2">
        <LifeBuoy className="size-4 text-gray-700" aria-hidden="true" />
        <h3 className="text-sm font-semibold text-gray-900">Handoff brief</h3>
        <Badge tone={tone} className="ml-auto">
          <span data-testid="handoff-priority" data-priority={h.priority ?? ""}>
            {h.priority ? `${humanize(h.priority)} priority` : "Priority unknown"}
          </span>
        </Badge>
      </div>
      <p className="mt-2 text-sm font-medium text-gray-900" data-testid="handoff-reason">
        {h.reason ? HANDOVER_REASON_LABELS[h.reason] : "The agent asked for a human"}
      </p>
      {h.summary && <p className="mt-1 text-sm text-gray-700">{h.summary}</p>}
      {h.recommendedAction && (
        <p className="mt-2 text-sm text-gray-900">
          <span className="font-medium">Recommended: </span>
          {h.recommendedAction}
        </p>
      )}
      <dl className="mt-2 border-t border-black/5 pt-1">
        {h.keySlots.map((slot) => (
          <Row key={slot.name} label={humanize(slot.name)}>
            {slot.value}
          </Row>
        ))}
        {h.sentimentTrend && <Row label="Sentiment">{h.sentimentTrend}</Row>}
        {score && (
          <Row label="Value score">
            <span data-testid="handoff-value">{score}</span>
          </Row>
        )}
        {h.at && <Row label="Handed over">{formatDateTime(h.at)}</Row>}
      </dl>
    </section>
  );
}

function ConfidenceIndicator({ confidence }: { confidence: number }) {
  const band = confidenceBand(confidence);
  return (
    <span
      className="ml-1.5 inline-flex items-center gap-1 text-xs text-gray-500"
      title={`${band.label} (${band.percent})`}
      data-testid="slot-confidence"
      data-band={band.band}
    >
      <span className={cn("size-2 rounded-full", DOT[band.tone])} aria-hidden="true" />
      <span className="sr-only">{band.label}, </span>
      {band.percent}
    </span>
  );
}

/** Sentiment over time: one dot per reading, higher is happier, joined by a line. */
export function SentimentTimeline({ points }: { points: readonly SentimentPoint[] }) {
  if (points.length === 0) return <p className="text-xs text-gray-500">No readings yet.</p>;
  const shown = points.slice(-20);
  const width = 240;
  const height = 44;
  const pad = 6;
  const x = (i: number) =>
    shown.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (shown.length - 1);
  const y = (s: string) => pad + ((2 - sentimentScore(s)) * (height - 2 * pad)) / 4;
  const path = shown.map((p, i) => `${i === 0 ? "M" : "L"}${x(i)},${y(p.sentiment)}`).join(" ");
  const last = shown[shown.length - 1]!;
  return (
    <div data-testid="sentiment-timeline">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-11 w-full"
        role="img"
        aria-label={`Sentiment over ${shown.length} messages, now ${humanize(last.sentiment)}`}
      >
        <line
          x1={pad}
          x2={width - pad}
          y1={height / 2}
          y2={height / 2}
          className="stroke-gray-200"
          strokeDasharray="3 3"
        />
        <path d={path} className="fill-none stroke-gray-300" strokeWidth={1.5} />
        {shown.map((p, i) => (
          <circle
            key={i}
            cx={x(i)}
            cy={y(p.sentiment)}
            r={3.5}
            className={FILL[sentimentTone(p.sentiment)]}
          >
            <title>
              {humanize(p.sentiment)}
              {p.at ? ` · ${formatDateTime(p.at)}` : ""}
            </title>
          </circle>
        ))}
      </svg>
      <p className="flex justify-between text-xs text-gray-500">
        <span>{shown.length > 1 ? humanize(shown[0]!.sentiment) : ""}</span>
        <span>now {humanize(last.sentiment)}</span>
      </p>
    </div>
  );
}

function Commitments({ label, items }: { label: string; items: Commitment[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <SubHeading>{label}</SubHeading>
      <ul className="list-disc space-y-0.5 pl-4 text-sm text-gray-800">
        {items.map((c, i) => (
          <li key={i}>
            {c.what}
            {c.due && <span className="text-xs text-gray-500"> · by {formatDateTime(c.due)}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}

const STALENESS_TONES: Record<string, Tone> = {
  active: "green",
  cooling: "amber",
  cold: "blue",
  archived: "gray",
};

function MemoryBody({ state: s }: { state: AgentState }) {
  const learned =
    s.summary ||
    s.slots.length > 0 ||
    s.ctas.length > 0 ||
    s.sentiment.length > 0 ||
    s.commitments.user.length + s.commitments.agent.length > 0;
  return (
    <div data-testid="agent-memory">
      <div className="flex flex-wrap gap-1.5">
        {s.intent && (
          <Badge tone="violet">
            <span data-testid="memory-intent">Intent: {humanize(s.intent)}</span>
          </Badge>
        )}
        {s.language && <Badge tone="blue">Language: {s.language}</Badge>}
        {s.staleness && (
          <Badge tone={STALENESS_TONES[s.staleness] ?? "gray"}>{humanize(s.staleness)}</Badge>
        )}
      </div>
      {s.summary && (
        <p className="mt-2 text-sm text-gray-700" data-testid="memory-summary">
          {s.summary}
        </p>
      )}
      {s.slots.length > 0 && (
        <>
          <SubHeading>What it learned</SubHeading>
          <dl data-testid="memory-slots">
            {s.slots.map((slot) => (
              <Row key={slot.name} label={humanize(slot.name)}>
                {slot.value}
                {slot.confidence !== null && <ConfidenceIndicator confidence={slot.confidence} />}
              </Row>
            ))}
          </dl>
        </>
      )}
      {s.ctas.length > 0 && (
        <>
          <SubHeading>Calls-to-action</SubHeading>
          <dl data-testid="memory-ctas">
            {s.ctas.map((cta) => (
              <Row key={cta.type} label={ctaLabel(cta.type)}>
                <Badge
                  tone={
                    cta.state === "completed" || cta.state === "clicked"
                      ? "green"
                      : cta.state === "declined"
                        ? "red"
                        : cta.state.startsWith("offered")
                          ? "amber"
                          : "gray"
                  }
                >
                  {humanize(cta.state)}
                </Badge>
                {cta.offeredCount ? (
                  <span className="ml-1 text-xs text-gray-500">×{cta.offeredCount}</span>
                ) : null}
              </Row>
            ))}
          </dl>
        </>
      )}
      {s.sentiment.length > 0 && (
        <>
          <SubHeading>Sentiment</SubHeading>
          <SentimentTimeline points={s.sentiment} />
        </>
      )}
      <Commitments label="The lead promised" items={s.commitments.user} />
      <Commitments label="The agent promised" items={s.commitments.agent} />
      {!learned && (
        <p className="mt-2 text-sm text-gray-500">The agent has not learned anything yet.</p>
      )}
    </div>
  );
}

/** The agent's memory of the lead; until it has thought, a labelled placeholder. */
export function AgentMemory({ state }: { state: unknown }) {
  const s = readState(state);
  if (!s) {
    return (
      <div
        data-testid="agent-memory-placeholder"
        className="rounded-md border border-dashed border-gray-300 bg-gray-50 px-3 py-3 text-sm text-gray-600"
      >
        <p className="flex items-center gap-1.5 font-medium text-gray-700">
          <Brain className="size-4 text-gray-400" aria-hidden="true" />
          Nothing here yet
        </p>
        <p className="mt-1 text-xs">
          The agent&apos;s memory of this lead — what it learned, with confidence, CTA states,
          sentiment and a summary — appears once the agent has thought about this conversation.
        </p>
      </div>
    );
  }
  return <MemoryBody state={s} />;
}

/** The newest decisions, three at first. */
export function LatestDecisions({ conversationId }: { conversationId: string }) {
  const decisions = useDecisions(conversationId, { limit: 10 });
  const [all, setAll] = useState(false);
  if (decisions.isPending)
    return (
      <p className="flex items-center gap-2 text-xs text-gray-500">
        <Spinner className="size-3.5" /> Loading decisions…
      </p>
    );
  if (decisions.isError)
    return (
      <ErrorState
        className="py-4"
        title="Couldn't load the decisions"
        error={decisions.error}
        onRetry={() => void decisions.refetch()}
      />
    );
  const items = decisions.data.items;
  if (items.length === 0) return <NoDecisions />;
  const shown = all ? items : items.slice(0, 3);
  return (
    <div className="space-y-2" data-testid="latest-decisions">
      {shown.map((d) => (
        <DecisionCard key={d.id} decision={d} />
      ))}
      {items.length > 3 && (
        <Button variant="ghost" size="sm" className="w-full" onClick={() => setAll((v) => !v)}>
          {all ? "Show fewer" : `Show ${items.length - 3} more`}
        </Button>
      )}
    </div>
  );
}
