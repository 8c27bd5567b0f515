import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ConversationDetail, Decision } from "../../api/models";
import { mockApi, renderRoutes } from "../../test/utils";
import { ContactPanel } from "./ContactPanel";

function detail(patch: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    id: "c1",
    contact: {
      id: "k1",
      name: "Asha Rao",
      phone: "919812345678",
      opted_out: false,
      marketing_opt_out: false,
    },
    channel: "sandbox",
    mode: "human",
    stage: "human_takeover",
    lead_status: "needs_human",
    needs_human: true,
    priority: "high",
    unread_count: 0,
    window_open_until: null,
    last_message: null,
    updated_at: "2026-05-18T10:00:00Z",
    lead_source: "organic_inbound",
    cost: { currency: "INR", meta: 0.8631, model: 0.0021, total: null, unpriced_messages: 1 },
    campaign: null,
    state: null,
    handoff: null,
    ...patch,
  };
}

const decision: Decision = {
  id: "d1",
  trigger: "lead_message",
  engine: "llm",
  should_send: true,
  message_type: "text",
  reason_code: "pricing_discussion",
  cta_type: "book_call",
  message_text: "The course costs ₹2999. Shall we book a call?",
  confidence: 0.82,
  retrieval_used: true,
  input_tokens: 1234,
  output_tokens: 56,
  prompt_tokens: 1000,
  cost_usd: 0.0012,
  guardrails: [
    { rule: "opted_out", action: "passed", detail: "" },
    { rule: "max_words", action: "repaired", detail: "trimmed to 25 words" },
    { rule: "forbidden_phrases", action: "blocked", detail: "said “guaranteed”" },
  ],
  handoff_required: false,
  handoff_priority: null,
  send_status: "delivered",
  message_id: "m9",
  error: null,
  latency_ms: 850,
  created_at: "2026-05-18T10:00:02Z",
};

function render(c: ConversationDetail, decisions: Decision[] = []) {
  mockApi({
    "GET /api/v1/conversations/c1/decisions": () => ({ items: decisions, next_cursor: null }),
  });
  return renderRoutes([{ path: "/", element: <ContactPanel conversation={c} /> }], "/");
}

describe("ContactPanel", () => {
  it("names the broadcast the conversation came from, linked to its stats", async () => {
    render(
      detail({
        broadcast: {
          campaign_id: "b1",
          name: "Spring in Pune",
          sent_at: "2026-05-18T09:00:00Z",
          replied_at: null,
        },
      }),
    );
    const broadcast = await screen.findByTestId("broadcast");
    expect(within(broadcast).getByRole("link", { name: "Spring in Pune" })).toHaveAttribute(
      "href",
      "/broadcasts/b1",
    );
    expect(broadcast).toHaveTextContent("Not yet");
  });

  it("says nothing of broadcasts when the conversation came from none", async () => {
    render(detail({}));
    await screen.findByTestId("conversation-cost");
    expect(screen.queryByTestId("broadcast")).toBeNull();
  });

  it("adds up what the conversation cost, and says when a price is missing", async () => {
    render(detail({}));
    const cost = await screen.findByTestId("conversation-cost");
    expect(cost).toHaveTextContent("WhatsApp (Meta)₹0.8631");
    expect(cost).toHaveTextContent("AI model$0.0021");
    expect(cost).not.toHaveTextContent("Total");
    expect(cost).toHaveTextContent("1 billed message has no price on your rate card.");
  });

  it("shows a placeholder until the agent has thought", async () => {
    render(detail({ mode: "bot", needs_human: false }));
    expect(await screen.findByTestId("agent-memory-placeholder")).toBeInTheDocument();
    expect(screen.queryByTestId("handoff-brief")).toBeNull();
    expect(
      await screen.findByText("The agent has not decided anything here yet."),
    ).toBeInTheDocument();
  });

  it("opens on the handoff brief, then the memory and the latest decision", async () => {
    const { container } = render(
      detail({
        handoff: {
          escalation_reason: "human_requested",
          priority: "critical",
          summary: "Wants a refund.",
          key_slots: { budget: "10k" },
          sentiment_trend: "worsening (now angry)",
          recommended_action: "Call them now.",
          conversation_value_score: 72,
          at: "2026-05-18T10:00:00Z",
        },
        state: {
          summary: "Asha wants the weekend batch.",
          slots: {
            name: { value: "Asha", confidence: 0.95 },
            city: { value: "Pune", confidence: 0.7 },
            budget: { value: "10k", confidence: 0.4 },
          },
          commitments: { user: [{ what: "Send her ID" }], agent: [] },
          sentiment_history: [
            { sentiment: "positive", confidence: 0.8, at: "2026-05-18T09:00:00Z" },
            { sentiment: "angry", confidence: 0.9, at: "2026-05-18T10:00:00Z" },
          ],
          cta_states: { book_call: { state: "offered_once", offered_count: 1 } },
          staleness: "active",
          language: "hi-en",
          intent: "very_high",
        },
      }),
      [decision],
    );

    // The brief is the first section, colour-coded by priority.
    const brief = screen.getByTestId("handoff-brief");
    expect(container.querySelector("section")).toBe(brief);
    expect(within(brief).getByTestId("handoff-priority")).toHaveTextContent("Critical priority");
    expect(brief.className).toMatch(/bg-red-50/);
    expect(brief).toHaveTextContent("The lead asks for a person");
    expect(brief).toHaveTextContent("Wants a refund.");
    expect(brief).toHaveTextContent("Recommended: Call them now.");
    expect(brief).toHaveTextContent("Budget10k");
    expect(within(brief).getByTestId("handoff-value")).toHaveTextContent("72/100");

    // Slots with their confidence band.
    const bands = screen
      .getAllByTestId("slot-confidence")
      .map((el) => `${el.dataset.band} ${el.textContent}`);
    expect(bands).toEqual([
      "explicit Explicit, 95%",
      "implied Implied, 70%",
      "guessed Guessed, 40%",
    ]);
    const memory = screen.getByTestId("agent-memory");
    expect(memory).toHaveTextContent("Intent: Very high");
    expect(memory).toHaveTextContent("Language: hi-en");
    expect(memory).toHaveTextContent("Asha wants the weekend batch.");
    expect(within(memory).getByTestId("memory-ctas")).toHaveTextContent(
      "Book a callOffered once×1",
    );
    expect(memory).toHaveTextContent("The lead promised");
    expect(memory).toHaveTextContent("Send her ID");
    expect(
      within(memory).getByRole("img", { name: "Sentiment over 2 messages, now Angry" }),
    ).toBeInTheDocument();

    // The latest decision: reason, engine, guardrails, usage.
    const card = await screen.findByTestId("decision");
    expect(within(card).getByTestId("decision-reason")).toHaveTextContent("pricing_discussion");
    expect(within(card).getByTestId("decision-engine")).toHaveTextContent("LLM");
    expect(within(card).getByTestId("decision-send")).toHaveTextContent("Delivered");
    expect(card).toHaveTextContent("CTABook a call");
    expect(card).toHaveTextContent("Confidence82%");
    expect(within(card).getByTestId("decision-usage")).toHaveTextContent(
      "1,234 in · 56 out · $0.0012 · 850 ms",
    );
    const guardrails = within(card).getByTestId("decision-guardrails");
    expect(guardrails).toHaveTextContent("1 passed · 1 repaired · 1 blocked");
    expect(guardrails).toHaveTextContent("repairedmax_words — trimmed to 25 words");
    expect(guardrails).toHaveTextContent("blockedforbidden_phrases — said “guaranteed”");
    expect(guardrails).not.toHaveTextContent("opted_out");
  });
});
