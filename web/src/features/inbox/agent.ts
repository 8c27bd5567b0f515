// Pure helpers for what the agent remembers and decides: confidence bands, priorities,
// sentiment, guardrail tallies and how tokens, cost and latency read. The conversation's
// `state` and `handoff` arrive as free-form JSON (the API does not type them), so they alone
// are read defensively here.

import { CTA_LABELS, HANDOVER_REASON_LABELS, isKeyOf } from "../../api/enums";
import type { EscalationPriority, GuardAction, Guardrail, HandoverReason } from "../../api/models";
import { humanize } from "../../lib/format";

export type Tone = "gray" | "green" | "amber" | "red" | "blue" | "violet";

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

function str(value: unknown): string | null {
  if (typeof value === "string" && value.trim()) return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export interface ConfidenceBand {
  band: "explicit" | "implied" | "guessed";
  /** "Explicit", "Implied", "Guessed". */
  label: string;
  tone: Tone;
  /** The confidence as a whole percentage, "85%". */
  percent: string;
}

/**
 * How sure the agent is of a slot: said outright (≥ 0.8, green), implied (0.6 up to 0.8,
 * amber) or guessed (below 0.6, grey).
 */
export function confidenceBand(confidence: number): ConfidenceBand {
  const c = Math.min(1, Math.max(0, Number.isFinite(confidence) ? confidence : 0));
  const percent = `${Math.round(c * 100)}%`;
  if (c >= 0.8) return { band: "explicit", label: "Explicit", tone: "green", percent };
  if (c >= 0.6) return { band: "implied", label: "Implied", tone: "amber", percent };
  return { band: "guessed", label: "Guessed", tone: "gray", percent };
}

const PRIORITY_TONES: Record<EscalationPriority, Tone> = {
  critical: "red",
  high: "amber",
  medium: "green",
  low: "gray",
};

/** A handoff's priority colour: critical red, high amber, medium green, low grey. */
export function priorityTone(priority: EscalationPriority | null | undefined): Tone {
  return priority ? PRIORITY_TONES[priority] : "gray";
}

/** A priority read from free JSON (the handoff brief), or null when it is none. */
function readPriority(value: unknown): EscalationPriority | null {
  const p = str(value)?.toLowerCase();
  return isKeyOf(PRIORITY_TONES, p) ? p : null;
}

const SENTIMENT_SCORES: Record<string, number> = {
  very_positive: 2,
  positive: 1,
  neutral: 0,
  frustrated: -1,
  angry: -2,
};

/** A sentiment as a number for trends: +2 (very positive) to −2 (angry); unknown is 0. */
export function sentimentScore(sentiment: string | null | undefined): number {
  return SENTIMENT_SCORES[(sentiment ?? "").toLowerCase()] ?? 0;
}

/** Green for positive, grey for neutral, amber for frustrated, red for angry. */
export function sentimentTone(sentiment: string | null | undefined): Tone {
  const score = sentimentScore(sentiment);
  if (score > 0) return "green";
  if (score === -1) return "amber";
  if (score < -1) return "red";
  return "gray";
}

/** "$0.0012": four decimals below a cent, two from a dollar; null when unknown. */
export function formatCost(usd: number | null | undefined): string | null {
  if (usd == null || !Number.isFinite(usd)) return null;
  if (usd === 0) return "$0";
  if (usd > 0 && usd < 0.0001) return "<$0.0001";
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  // Four decimals, trailing zeros trimmed but never fewer than two ("$0.50", "$0.0123").
  const fixed = usd.toFixed(4).replace(/0{1,2}$/, "");
  return `$${fixed}`;
}

/** "1,234 in · 56 out", or null when the decision used no model. */
export function formatTokens(
  input: number | null | undefined,
  output: number | null | undefined,
): string | null {
  if (input == null && output == null) return null;
  if (!input && !output) return null;
  const n = (v: number | null | undefined) => (v ?? 0).toLocaleString("en-US");
  return `${n(input)} in · ${n(output)} out`;
}

/** "850 ms", "1.2 s". */
export function formatLatency(ms: number | null | undefined): string | null {
  if (ms == null || !Number.isFinite(ms)) return null;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface GuardrailTally {
  passed: number;
  repaired: number;
  blocked: number;
  /** The repaired and blocked ones, which are worth reading. */
  notable: Array<Guardrail & { action: Exclude<GuardAction, "passed"> }>;
}

/** How a decision's guardrails went, in the order they ran. */
export function guardrailTally(results: readonly Guardrail[]): GuardrailTally {
  const tally: GuardrailTally = { passed: 0, repaired: 0, blocked: 0, notable: [] };
  for (const r of results) {
    tally[r.action] += 1;
    if (r.action !== "passed") tally.notable.push({ ...r, action: r.action });
  }
  return tally;
}

/** "3 passed · 1 repaired · 0 blocked", or "No guardrails ran". */
export function guardrailSummary(tally: GuardrailTally): string {
  if (tally.passed + tally.repaired + tally.blocked === 0) return "No guardrails ran";
  return `${tally.passed} passed · ${tally.repaired} repaired · ${tally.blocked} blocked`;
}

// ----- The conversation's state (the agent's memory) -----

export interface Slot {
  name: string;
  value: string;
  confidence: number | null;
}

export interface Commitment {
  what: string;
  due: string | null;
}

export interface SentimentPoint {
  sentiment: string;
  confidence: number | null;
  at: string | null;
}

export interface CtaState {
  type: string;
  state: string;
  offeredCount: number | null;
  updatedAt: string | null;
}

export interface AgentState {
  summary: string | null;
  slots: Slot[];
  commitments: { user: Commitment[]; agent: Commitment[] };
  sentiment: SentimentPoint[];
  ctas: CtaState[];
  staleness: string | null;
  language: string | null;
  intent: string | null;
}

function display(value: unknown): string {
  if (value == null) return "—";
  if (Array.isArray(value)) return value.map(display).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return str(value) ?? "—";
}

function commitments(value: unknown): Commitment[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const o = asObject(item);
    const what = o ? str(o.what) : str(item);
    return what ? [{ what, due: o ? str(o.due) : null }] : [];
  });
}

/** The agent's memory of a conversation, or null before the agent has run. */
export function readState(value: unknown): AgentState | null {
  const s = asObject(value);
  if (!s) return null;
  const slots = Object.entries(asObject(s.slots) ?? {}).map(([name, slot]) => {
    const o = asObject(slot);
    return {
      name,
      value: display(o && "value" in o ? o.value : slot),
      confidence: o ? num(o.confidence) : null,
    };
  });
  const promised = asObject(s.commitments);
  const sentiment = (Array.isArray(s.sentiment_history) ? s.sentiment_history : []).flatMap(
    (item): SentimentPoint[] => {
      const o = asObject(item);
      const label = o ? str(o.sentiment) : str(item);
      return label
        ? [{ sentiment: label, confidence: o ? num(o.confidence) : null, at: o ? str(o.at) : null }]
        : [];
    },
  );
  const ctas = Object.entries(asObject(s.cta_states) ?? {}).map(([type, cta]) => {
    const o = asObject(cta);
    return {
      type,
      state: (o ? str(o.state) : str(cta)) ?? "—",
      offeredCount: o ? num(o.offered_count) : null,
      updatedAt: o ? str(o.updated_at) : null,
    };
  });
  return {
    summary: str(s.summary),
    slots,
    commitments: { user: commitments(promised?.user), agent: commitments(promised?.agent) },
    sentiment,
    ctas,
    staleness: str(s.staleness),
    language: str(s.language),
    intent: str(s.intent),
  };
}

export interface HandoffBrief {
  reason: HandoverReason | null;
  priority: EscalationPriority | null;
  summary: string | null;
  keySlots: Array<{ name: string; value: string }>;
  sentimentTrend: string | null;
  recommendedAction: string | null;
  valueScore: number | null;
  at: string | null;
}

/** A handover reason the server writes; anything else is no reason. */
function readReason(value: unknown): HandoverReason | null {
  return isKeyOf(HANDOVER_REASON_LABELS, value) ? value : null;
}

/** The handoff package the agent left for a human, or null. */
export function readHandoff(value: unknown): HandoffBrief | null {
  const h = asObject(value);
  if (!h) return null;
  const keySlots = Object.entries(asObject(h.key_slots) ?? {}).map(([name, slot]) => {
    const o = asObject(slot);
    return { name, value: display(o && "value" in o ? o.value : slot) };
  });
  return {
    reason: readReason(h.escalation_reason) ?? readReason(h.reason),
    priority: readPriority(h.priority),
    summary: str(h.summary),
    keySlots,
    sentimentTrend: str(h.sentiment_trend),
    recommendedAction: str(h.recommended_action),
    valueScore: num(h.conversation_value_score),
    at: str(h.at),
  };
}

/** The 0–100 value score as "72/100". */
export function formatValueScore(score: number | null): string | null {
  if (score == null) return null;
  return `${Math.round(Math.min(100, Math.max(0, score)))}/100`;
}

/** How the dashboard names a CTA type ("book_call" → "Book a call"), also one read from JSON. */
export function ctaLabel(type: string | null | undefined): string {
  if (!type) return "—";
  return isKeyOf(CTA_LABELS, type) ? CTA_LABELS[type] : humanize(type);
}
