//! The context compiler: what the LLM reads, within a token budget counted with a real
//! tokenizer (OpenAI's o200k BPE; close enough for Anthropic's models to budget with).
//! When it does not fit, recent turns go first (oldest first), then retrieved snippets, then
//! knowledge; the summary and the slots are never cut (SPEC §5.4).

use crate::retrieval::Snippet;
use crate::snapshot::Snapshot;
use crate::state::ConversationState;
use closer_domain::messaging::Author;
use serde::Serialize;

/// Tokens in `text`.
pub fn tokens(text: &str) -> usize {
    tiktoken_rs::o200k_base_singleton().count_ordinary(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContextBudget {
    pub total: usize,
    /// The fixed instructions of a stage (planner, writer, critic).
    pub instructions: usize,
    /// The five documents, compacted.
    pub stable: usize,
    pub summary: usize,
    pub slots: usize,
    pub recent: usize,
    pub retrieved: usize,
    pub knowledge: usize,
}

impl Default for ContextBudget {
    /// 3,500 in all (seeds/001 audit #5 raised it from 2,500).
    fn default() -> Self {
        ContextBudget {
            total: 3_500,
            instructions: 350,
            stable: 1_000,
            summary: 300,
            slots: 250,
            recent: 800,
            retrieved: 400,
            knowledge: 400,
        }
    }
}

/// How big the five documents may be: they are always sent whole.
pub fn stable_fits(profile_json: &str, budget: &ContextBudget) -> Result<usize, usize> {
    let n = tokens(profile_json);
    if n <= budget.stable { Ok(n) } else { Err(n) }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledContext {
    /// The compiled context, sections in a fixed order.
    pub text: String,
    /// Everything: the text plus the instruction tokens it was compiled to leave room for.
    pub tokens: usize,
    pub instruction_tokens: usize,
    pub budget: usize,
    pub turns_kept: usize,
    pub turns_dropped: usize,
    pub retrieved_dropped: usize,
    pub knowledge_dropped: usize,
}

fn cut_to_tokens(text: &str, max: usize) -> String {
    if tokens(text) <= max {
        return text.to_owned();
    }
    let bpe = tiktoken_rs::o200k_base_singleton();
    let ids = bpe.encode_ordinary(text);
    let kept = &ids[..max.saturating_sub(1).min(ids.len())];
    bpe.decode(kept).unwrap_or_default() + "…"
}

fn author_label(a: Author) -> &'static str {
    match a {
        Author::Lead => "Lead",
        Author::Bot => "Agent",
        Author::Human => "Team",
        Author::System => "System",
        // Never reaches here: the store leaves notes out of the history.
        Author::Note => "Team's private note",
    }
}

/// Compiles the context for one think. `instructions` are the calling stage's own tokens,
/// counted against the total.
pub fn compile(
    snapshot: &Snapshot,
    state: &ConversationState,
    knowledge: &[Snippet],
    retrieved: &[Snippet],
    instruction_tokens: usize,
    budget: &ContextBudget,
) -> CompiledContext {
    let docs = serde_json::to_string(&snapshot.profile.model_documents()).unwrap_or_default();
    let stable = format!(
        "## Business configuration\n{}",
        cut_to_tokens(&docs, budget.stable)
    );
    let summary = format!(
        "## Summary\n{}",
        cut_to_tokens(
            if state.summary.is_empty() {
                "(new conversation)"
            } else {
                &state.summary
            },
            budget.summary
        )
    );
    let slots_json = serde_json::json!({
        "slots": state.slots.iter().map(|(k, s)| (k.clone(), serde_json::json!({"value": s.value, "confidence": s.confidence}))).collect::<serde_json::Map<_, _>>(),
        "commitments": state.commitments,
        "cta_states": state.cta_states.iter().map(|(k, r)| (k.to_string(), serde_json::json!(r.state))).collect::<serde_json::Map<_, _>>(),
        "language": state.language,
        "intent": state.intent,
    });
    let since_lead = state
        .last_lead_message_at
        .map(|t| (snapshot.now - t).num_minutes())
        .unwrap_or(0);
    let window_open = snapshot.window_open_until.is_some_and(|u| u > snapshot.now);
    let memory = format!(
        "## Memory\n{}\nTiming: {since_lead} min since the lead's last message; response rate {:.2}; service window {}.",
        cut_to_tokens(&slots_json.to_string(), budget.slots),
        state.response_rate.rate(),
        if window_open { "open" } else { "closed" },
    );
    let fixed = instruction_tokens + tokens(&stable) + tokens(&summary) + tokens(&memory) + 6;

    let snippet_lines = |items: &[Snippet]| -> Vec<String> {
        items
            .iter()
            .map(|s| {
                let stale = if s.stale {
                    " [may be out of date: avoid exact numbers]"
                } else {
                    ""
                };
                if s.title.is_empty() {
                    format!("- {}{stale}", s.text)
                } else {
                    format!("- {}: {}{stale}", s.title, s.text)
                }
            })
            .collect()
    };
    let mut knowledge_lines: Vec<(String, usize)> = snippet_lines(knowledge)
        .into_iter()
        .map(|l| {
            let l = cut_to_tokens(&l, budget.knowledge);
            let n = tokens(&l) + 1;
            (l, n)
        })
        .collect();
    let mut retrieved_lines: Vec<(String, usize)> = snippet_lines(retrieved)
        .into_iter()
        .map(|l| {
            let l = cut_to_tokens(&l, budget.retrieved);
            let n = tokens(&l) + 1;
            (l, n)
        })
        .collect();
    let recent_from = snapshot.history.len().saturating_sub(12);
    let mut turns: Vec<(String, usize)> = snapshot.history[recent_from..]
        .iter()
        // A private note is the team's, not a turn of the conversation.
        .filter(|t| t.author != Author::Note)
        .map(|t| {
            let line = format!(
                "{}: {}",
                author_label(t.author),
                cut_to_tokens(t.text.trim(), budget.recent)
            );
            let n = tokens(&line) + 1;
            (line, n)
        })
        .collect();
    let (mut turns_dropped, mut retrieved_dropped, mut knowledge_dropped) = (0, 0, 0);
    let headers = 12;
    let total = |t: &[(String, usize)], r: &[(String, usize)], k: &[(String, usize)]| {
        fixed + headers + t.iter().chain(r).chain(k).map(|(_, n)| n).sum::<usize>()
    };
    // Keep the newest turn whatever happens: it is what we are answering.
    while total(&turns, &retrieved_lines, &knowledge_lines) > budget.total {
        if turns.len() > 1 {
            turns.remove(0);
            turns_dropped += 1;
        } else if !retrieved_lines.is_empty() {
            retrieved_lines.pop();
            retrieved_dropped += 1;
        } else if !knowledge_lines.is_empty() {
            knowledge_lines.pop();
            knowledge_dropped += 1;
        } else {
            let room = budget.total.saturating_sub(fixed + headers + 2).max(16);
            if let Some(last) = turns.last_mut() {
                last.0 = cut_to_tokens(&last.0, room);
                last.1 = tokens(&last.0) + 1;
            }
            break;
        }
    }
    let mut text = String::new();
    for part in [&stable, &summary, &memory] {
        text.push_str(part);
        text.push_str("\n\n");
    }
    if !knowledge_lines.is_empty() {
        text.push_str("## Knowledge\n");
        for (l, _) in &knowledge_lines {
            text.push_str(l);
            text.push('\n');
        }
        text.push('\n');
    }
    if !retrieved_lines.is_empty() {
        text.push_str("## Earlier in this conversation\n");
        for (l, _) in &retrieved_lines {
            text.push_str(l);
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str("## Recent messages\n");
    for (l, _) in &turns {
        text.push_str(l);
        text.push('\n');
    }
    let tokens = tokens(&text) + instruction_tokens;
    CompiledContext {
        text,
        tokens,
        instruction_tokens,
        budget: budget.total,
        turns_kept: turns.len(),
        turns_dropped,
        retrieved_dropped,
        knowledge_dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retrieval::SnippetSource;
    use crate::snapshot::{Trigger, Turn};
    use chrono::{Duration, Utc};
    use closer_domain::messaging::ConversationMode;
    use closer_domain::sales::{ConversationStage, LeadStatus};

    fn snapshot(turns: usize, words: usize) -> Snapshot {
        let now = Utc::now();
        let history: Vec<Turn> = (0..turns)
            .map(|i| Turn {
                reply_id: None,
                id: format!("m{i}"),
                author: if i % 2 == 0 {
                    Author::Lead
                } else {
                    Author::Bot
                },
                text: format!("turn {i} ") + &"words about the course and fees ".repeat(words / 6),
                at: now - Duration::minutes((turns - i) as i64),
            })
            .collect();
        Snapshot {
            now,
            trigger: Trigger::LeadMessage,
            mode: ConversationMode::Bot,
            stage: ConversationStage::Discovery,
            window_open_until: Some(now + Duration::hours(20)),
            taken_over_at: None,
            lead_status: LeadStatus::Qualifying,
            opted_out: false,
            profile_name: Some("Lee".into()),
            state: ConversationState::default(),
            new_messages: history.last().cloned().into_iter().collect(),
            history,
            profile: crate::profile::AgentProfile::starter("Acme"),
            ctas: vec![],
            knowledge: vec![],
            bot_messages_since_lead: 0,
            bot_messages_last_hour: 0,
        }
    }

    fn snippets(n: usize, source: SnippetSource) -> Vec<Snippet> {
        (0..n)
            .map(|i| Snippet {
                source,
                id: format!("k{i}"),
                title: format!("Question {i}"),
                text: "A long answer about pricing and refunds. ".repeat(40),
                relevance: 0.9,
                score: 0.9,
                stale: false,
                answers: false,
            })
            .collect()
    }

    #[test]
    fn a_long_conversation_is_cut_from_the_oldest_turn_and_keeps_summary_and_slots() {
        let s = snapshot(40, 120);
        let mut state = ConversationState {
            summary: "Rajesh from Mumbai wants the weekend batch.".into(),
            ..Default::default()
        };
        state.slots.insert(
            "budget".into(),
            closer_domain::slots::Slot {
                value: "10000".into(),
                confidence: 0.9,
                source_message_id: None,
                updated_at: s.now,
            },
        );
        let budget = ContextBudget::default();
        let knowledge = snippets(3, SnippetSource::Knowledge);
        let retrieved = snippets(3, SnippetSource::Message);
        let c = compile(&s, &state, &knowledge, &retrieved, 300, &budget);
        assert!(c.tokens <= budget.total, "{} > {}", c.tokens, budget.total);
        assert!(c.turns_dropped > 0);
        assert!(c.text.contains("weekend batch"), "the summary is never cut");
        assert!(c.text.contains("10000"), "the slots are never cut");
        assert!(
            c.text.contains("turn 39 "),
            "the newest turn is always kept"
        );
        assert!(!c.text.contains("turn 0 "), "the oldest turn goes first");
    }

    #[test]
    fn a_short_conversation_keeps_everything() {
        let s = snapshot(4, 10);
        let c = compile(
            &s,
            &ConversationState::default(),
            &[],
            &[],
            300,
            &ContextBudget::default(),
        );
        assert_eq!((c.turns_kept, c.turns_dropped), (4, 0));
        assert!(c.tokens < 3_500);
    }

    #[test]
    fn one_huge_message_is_cut_to_fit() {
        let s = snapshot(1, 20_000);
        let c = compile(
            &s,
            &ConversationState::default(),
            &[],
            &[],
            300,
            &ContextBudget::default(),
        );
        assert!(c.tokens <= 3_500, "{}", c.tokens);
    }
}
