import { describe, expect, it } from "vitest";
import {
  confidenceBand,
  ctaLabel,
  formatCost,
  formatLatency,
  formatTokens,
  formatValueScore,
  guardrailSummary,
  guardrailTally,
  priorityTone,
  readHandoff,
  readState,
  sentimentScore,
  sentimentTone,
} from "./agent";

describe("confidenceBand", () => {
  it("is explicit from 0.8, implied from 0.6, guessed below", () => {
    expect(confidenceBand(0.95)).toEqual({
      band: "explicit",
      label: "Explicit",
      tone: "green",
      percent: "95%",
    });
    expect(confidenceBand(0.8).band).toBe("explicit");
    expect(confidenceBand(0.79).band).toBe("implied");
    expect(confidenceBand(0.6)).toMatchObject({ band: "implied", tone: "amber", percent: "60%" });
    expect(confidenceBand(0.59)).toMatchObject({ band: "guessed", tone: "gray", percent: "59%" });
    expect(confidenceBand(0)).toMatchObject({ band: "guessed", percent: "0%" });
  });

  it("clamps what is out of range", () => {
    expect(confidenceBand(1.4)).toMatchObject({ band: "explicit", percent: "100%" });
    expect(confidenceBand(-1)).toMatchObject({ band: "guessed", percent: "0%" });
    expect(confidenceBand(Number.NaN)).toMatchObject({ band: "guessed", percent: "0%" });
    // A float32 from the server.
    expect(confidenceBand(0.6000000238418579).percent).toBe("60%");
  });
});

describe("formatCost", () => {
  it("shows fractions of a cent with four decimals", () => {
    expect(formatCost(0.0012)).toBe("$0.0012");
    expect(formatCost(0.01234)).toBe("$0.0123");
    expect(formatCost(0.012)).toBe("$0.012");
    expect(formatCost(0.5)).toBe("$0.50");
    expect(formatCost(0.00004)).toBe("<$0.0001");
  });

  it("shows dollars with cents, nothing as $0, unknown as null", () => {
    expect(formatCost(1.5)).toBe("$1.50");
    expect(formatCost(12.345)).toBe("$12.35");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(null)).toBeNull();
    expect(formatCost(undefined)).toBeNull();
  });
});

describe("tokens and latency", () => {
  it("reads tokens in and out, or nothing when no model ran", () => {
    expect(formatTokens(1234, 56)).toBe("1,234 in · 56 out");
    expect(formatTokens(0, 0)).toBeNull();
    expect(formatTokens(null, null)).toBeNull();
  });

  it("reads latency in ms or seconds", () => {
    expect(formatLatency(14)).toBe("14 ms");
    expect(formatLatency(1234)).toBe("1.2 s");
    expect(formatLatency(null)).toBeNull();
  });
});

describe("guardrails", () => {
  it("counts passed, repaired and blocked and keeps the notable ones", () => {
    const tally = guardrailTally([
      { rule: "opted_out", action: "passed", detail: "" },
      { rule: "max_words", action: "repaired", detail: "trimmed to 25 words" },
      { rule: "forbidden_phrases", action: "blocked", detail: "guaranteed" },
      { rule: "emoji_policy", action: "passed" },
    ]);
    expect(tally).toMatchObject({ passed: 2, repaired: 1, blocked: 1 });
    expect(tally.notable).toEqual([
      { rule: "max_words", action: "repaired", detail: "trimmed to 25 words" },
      { rule: "forbidden_phrases", action: "blocked", detail: "guaranteed" },
    ]);
    expect(guardrailSummary(tally)).toBe("2 passed · 1 repaired · 1 blocked");
  });

  it("says so when none ran", () => {
    expect(guardrailSummary(guardrailTally([]))).toBe("No guardrails ran");
  });
});

describe("tones and labels", () => {
  it("colours priorities and sentiments", () => {
    expect(priorityTone("critical")).toBe("red");
    expect(priorityTone("high")).toBe("amber");
    expect(priorityTone("medium")).toBe("green");
    expect(priorityTone("low")).toBe("gray");
    expect(priorityTone(null)).toBe("gray");
    expect(sentimentScore("very_positive")).toBe(2);
    expect(sentimentScore("angry")).toBe(-2);
    expect(sentimentScore("puzzled")).toBe(0);
    expect(sentimentTone("positive")).toBe("green");
    expect(sentimentTone("neutral")).toBe("gray");
    expect(sentimentTone("frustrated")).toBe("amber");
    expect(sentimentTone("angry")).toBe("red");
  });

  it("names CTA types and value scores", () => {
    expect(ctaLabel("book_call")).toBe("Book a call");
    expect(ctaLabel("brand_new_type")).toBe("Brand new type");
    expect(ctaLabel(null)).toBe("—");
    expect(formatValueScore(72)).toBe("72/100");
    expect(formatValueScore(140)).toBe("100/100");
    expect(formatValueScore(null)).toBeNull();
  });
});

describe("readState", () => {
  it("is null before the agent has run", () => {
    expect(readState(null)).toBeNull();
    expect(readState("nope")).toBeNull();
  });

  it("reads the memory the server sends", () => {
    const state = readState({
      summary: "Fee Lead. Intent high.",
      slots: { budget: { value: "10k", confidence: 0.9, source_message_id: "m1" }, city: "Pune" },
      commitments: {
        user: [{ what: "Send ID", due: "2026-05-20T10:00:00Z" }],
        agent: ["Call back"],
      },
      sentiment_history: [
        { sentiment: "neutral", confidence: 0.6, at: "2026-05-18T10:00:00Z" },
        { sentiment: "positive", confidence: 0.8, at: "2026-05-18T10:05:00Z" },
      ],
      cta_states: { book_call: { state: "offered_once", offered_count: 1, updated_at: "x" } },
      staleness: "active",
      language: "en",
      intent: "high",
      response_rate: { bot_messages: 1 },
    });
    expect(state).toMatchObject({
      summary: "Fee Lead. Intent high.",
      slots: [
        { name: "budget", value: "10k", confidence: 0.9 },
        { name: "city", value: "Pune", confidence: null },
      ],
      commitments: {
        user: [{ what: "Send ID", due: "2026-05-20T10:00:00Z" }],
        agent: [{ what: "Call back", due: null }],
      },
      ctas: [{ type: "book_call", state: "offered_once", offeredCount: 1 }],
      staleness: "active",
      language: "en",
      intent: "high",
    });
    expect(state!.sentiment.map((p) => p.sentiment)).toEqual(["neutral", "positive"]);
  });

  it("fills what is missing with empties", () => {
    expect(readState({})).toEqual({
      summary: null,
      slots: [],
      commitments: { user: [], agent: [] },
      sentiment: [],
      ctas: [],
      staleness: null,
      language: null,
      intent: null,
    });
  });
});

describe("readHandoff", () => {
  it("reads the brief", () => {
    expect(
      readHandoff({
        escalation_reason: "human_requested",
        priority: "high",
        summary: "",
        key_slots: { name: "Asha" },
        sentiment_trend: "stable (now neutral)",
        recommended_action: "Reply yourself.",
        conversation_value_score: 10,
        at: "2026-05-18T10:00:00Z",
      }),
    ).toEqual({
      reason: "human_requested",
      priority: "high",
      summary: null,
      keySlots: [{ name: "name", value: "Asha" }],
      sentimentTrend: "stable (now neutral)",
      recommendedAction: "Reply yourself.",
      valueScore: 10,
      at: "2026-05-18T10:00:00Z",
    });
    expect(readHandoff(null)).toBeNull();
    // The brief is free JSON: a priority outside the API's list is no priority.
    expect(readHandoff({ priority: "HIGH" })?.priority).toBe("high");
    expect(readHandoff({ priority: "urgent" })?.priority).toBeNull();
  });
});
