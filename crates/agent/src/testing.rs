//! Agent tests run: each case is a fresh conversation held in memory (the simulator), so the
//! same think step as live traffic answers it while nothing reaches the inbox or WhatsApp.

use crate::decision::Outcome;
use crate::simulator::Conversation;
use crate::snapshot::{CtaConfig, KnowledgeEntry};
use closer_domain::agent_tests::{Expectation, ExpectationFailure, TestTurn, TranscriptLine};
use closer_domain::messaging::Author;
use closer_domain::sales::CtaType;
use closer_domain::work::KnowledgeKind;
use closer_llm::ChatModel;

/// What became of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    pub passed: bool,
    pub transcript: Vec<TranscriptLine>,
    pub failures: Vec<ExpectationFailure>,
    pub cost_usd: f64,
}

/// Plays the lead's turns into `conversation` (a fresh one, with the profile, CTAs and
/// knowledge under test) and checks every expectation against what the agent did.
pub async fn run_case(
    mut conversation: Conversation,
    turns: &[TestTurn],
    expect: &[Expectation],
    model: Option<&dyn ChatModel>,
) -> CaseOutcome {
    let mut transcript = vec![];
    for turn in turns {
        transcript.push(TranscriptLine {
            author: Author::Lead,
            text: turn.text.clone(),
        });
        let outcome = conversation.lead_says(&turn.text, model).await;
        if let Some(text) = sent_text(outcome) {
            transcript.push(TranscriptLine {
                author: Author::Bot,
                text: text.to_owned(),
            });
        }
    }
    let failures = check(expect, &conversation);
    CaseOutcome {
        passed: failures.is_empty(),
        transcript,
        failures,
        cost_usd: conversation
            .outcomes
            .iter()
            .map(|o| o.decision.cost_usd)
            .sum(),
    }
}

fn sent_text(outcome: &Outcome) -> Option<&str> {
    let d = &outcome.decision;
    d.message_text.as_deref().filter(|_| d.should_send)
}

/// Every expectation the conversation did not meet, in the order written. Replies and reason
/// codes are judged on the last turn; slots at the end; CTAs and handoffs at any turn.
pub fn check(expect: &[Expectation], conversation: &Conversation) -> Vec<ExpectationFailure> {
    expect
        .iter()
        .filter_map(|e| {
            missed(e, conversation).map(|detail| ExpectationFailure {
                kind: e.kind(),
                value: e.value(),
                detail,
            })
        })
        .collect()
}

/// Why `e` was not met, or `None` when it was.
fn missed(e: &Expectation, c: &Conversation) -> Option<String> {
    let last = c.outcomes.last();
    let reply = last.and_then(sent_text);
    let said = || match reply {
        Some(r) => format!("the reply was \"{r}\""),
        None => "the agent sent nothing".to_owned(),
    };
    let holds =
        |needle: &str| reply.is_some_and(|r| r.to_lowercase().contains(&needle.to_lowercase()));
    match e {
        Expectation::ReplyContains(text) => (!holds(text)).then(said),
        Expectation::ReplyNotContains(text) => holds(text).then(said),
        Expectation::Silent => reply.is_some().then(said),
        Expectation::ReasonCode(code) => {
            let got = last.map(|o| o.decision.reason_code);
            (got != Some(*code)).then(|| match got {
                Some(g) => format!("the reason code was {g}"),
                None => "the agent made no decision".to_owned(),
            })
        }
        Expectation::Handoff => {
            let handed = c
                .outcomes
                .iter()
                .any(|o| o.decision.handoff_required || o.patch.handoff.is_some());
            (!handed).then(|| "the agent never handed over".to_owned())
        }
        Expectation::CtaOffered(cta) => {
            let offered = c
                .outcomes
                .iter()
                .any(|o| o.decision.should_send && o.decision.cta_type == Some(*cta));
            (!offered).then(|| {
                let others: Vec<String> = c
                    .outcomes
                    .iter()
                    .filter(|o| o.decision.should_send)
                    .filter_map(|o| o.decision.cta_type.map(|t| t.to_string()))
                    .collect();
                if others.is_empty() {
                    "no call to action was offered".to_owned()
                } else {
                    format!("offered instead: {}", others.join(", "))
                }
            })
        }
        Expectation::Slot(want) => {
            let got = c.state.slots.get(&want.name).map(|s| s.value.trim());
            let same = got.is_some_and(|g| g.eq_ignore_ascii_case(want.value.trim()));
            (!same).then(|| match got {
                Some(g) => format!("{} was \"{g}\"", want.name),
                None => format!("{} was never filled", want.name),
            })
        }
    }
}

/// A test the owner is offered before writing any: its name, the lead's one turn and what
/// the agent should do.
#[derive(Debug, Clone, PartialEq)]
pub struct StarterCase {
    pub name: String,
    pub turns: Vec<TestTurn>,
    pub expect: Vec<Expectation>,
}

/// One starter test per FAQ entry (its question; the reply carries the answer's first figure,
/// else its first words) and one per enabled call to action (a lead asking for it).
pub fn starter_cases(knowledge: &[KnowledgeEntry], ctas: &[CtaConfig]) -> Vec<StarterCase> {
    let faqs = knowledge
        .iter()
        .filter(|k| k.kind == KnowledgeKind::Faq && !k.title.trim().is_empty())
        .filter_map(|k| {
            let phrase = key_phrase(&k.content)?;
            Some(StarterCase {
                name: format!("FAQ: {}", k.title.trim()),
                turns: vec![TestTurn {
                    text: k.title.trim().to_owned(),
                }],
                expect: vec![Expectation::ReplyContains(phrase)],
            })
        });
    let asks = ctas.iter().filter(|c| c.enabled).map(|c| StarterCase {
        name: format!("Asks for: {}", c.name.trim()),
        turns: vec![TestTurn {
            text: lead_asks_for(c.kind).to_owned(),
        }],
        expect: vec![Expectation::CtaOffered(c.kind)],
    });
    faqs.chain(asks).collect()
}

/// What must survive in a reply that answers from `answer`: its first figure (a fee, a time,
/// a date) with its unit when the figure alone is short ("10 AM", "3 months"), else its
/// first three words.
fn key_phrase(answer: &str) -> Option<String> {
    let bare = |w: &str| {
        w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '%')
            .to_owned()
    };
    let words: Vec<&str> = answer.split_whitespace().collect();
    let figure = words
        .iter()
        .position(|w| w.chars().any(|c| c.is_ascii_digit()));
    if let Some(at) = figure {
        let digits = words[at].chars().filter(char::is_ascii_digit).count();
        let unit = words.get(at + 1).filter(|u| {
            let u = bare(u);
            digits < 3 && !u.is_empty() && u.len() <= 6 && u.chars().all(char::is_alphabetic)
        });
        return Some(match unit {
            Some(u) if !words[at].ends_with([',', '.', ';']) => {
                format!("{} {}", words[at], bare(u))
            }
            _ => bare(words[at]),
        });
    }
    // The words as written (commas kept), so the phrase appears in a reply that quotes them.
    let first = bare(&words.iter().take(3).copied().collect::<Vec<_>>().join(" "));
    (!first.is_empty()).then_some(first)
}

/// How a lead asks for each call to action, in plain words.
fn lead_asks_for(cta: CtaType) -> &'static str {
    match cta {
        CtaType::BookCall => "Can I book a call to discuss this?",
        CtaType::Payment => "How do I pay?",
        CtaType::AppDownload => "Where can I download your app?",
        CtaType::SendDocs => "Can you send me the brochure?",
        CtaType::VisitWebsite => "Do you have a website I can look at?",
        CtaType::FillForm => "How do I apply? Is there a form?",
        CtaType::ScheduleDemo => "Can I see a demo?",
        CtaType::JoinWebinar => "Is there a webinar I can join?",
    }
}
