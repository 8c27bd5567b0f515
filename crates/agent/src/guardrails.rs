//! Policy in code (SPEC §5.6): every rule runs on every decision, reports passed, repaired
//! or blocked, and no model output can switch one off. A draft that breaks a content rule
//! is repaired; if nothing safe is left, the safe fallback line replaces it.

use crate::extract::{has_any, normalize};
use crate::language::{Line, line};
use crate::profile::EmojiPolicy;
use crate::snapshot::{Snapshot, Trigger};
use crate::state::ConversationState;
use closer_domain::cta::CtaRecord;
use closer_domain::engagement::{message_budget, sentiment_trend};
use closer_domain::messaging::ServiceWindow;
use closer_domain::sales::{CtaType, ReasonCode};
use closer_domain::send_policy::{Outgoing, Recipient, SendRule, Sender, evaluate};
use serde::{Deserialize, Serialize};

pub use closer_domain::send_policy::HOURLY_LIMIT;

pub use closer_domain::agent::GuardAction;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardrailResult {
    pub rule: String,
    pub action: GuardAction,
    pub detail: String,
}

/// What an engine proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub should_send: bool,
    pub text: String,
    pub reason_code: ReasonCode,
    pub cta_type: Option<CtaType>,
    pub confidence: f32,
    /// What the reply quotes from the business's knowledge to answer the lead: the length
    /// limit shortens everything else first and never cuts it.
    pub answer: Vec<String>,
    /// The short thanks that opens the reply ("Thanks Priya!"): kept with the answer when the
    /// length limit shortens the rest, because a lead who told their name hears it back.
    pub thanks: Option<String>,
}

const CLAIMS_HUMAN: &[&str] = &[
    "i am human",
    "i m human",
    "i am a human",
    "i m a human",
    "i am a real person",
    "i m a real person",
    "real person here",
    "human here",
    "not a bot",
    "not an ai",
    "not a robot",
    "i am not ai",
    "i m not ai",
    "a real human",
    "i am real",
    "i m real",
    "as a human",
    "main insaan hun",
    "main insaan hoon",
    "main bot nahi",
    "bot nahi hun",
    "i am a person",
    "i m a person",
];

/// Sentences of a message; a newline also ends one.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '\n' {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_owned());
            }
            cur.clear();
            continue;
        }
        cur.push(*c);
        let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        if matches!(c, '.' | '!' | '?' | '।') && next_is_space {
            out.push(cur.trim().to_owned());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// A sentence that carries a link: the offer's way to act on it. A link follows its question,
/// so it is the last sentence, the first a cut from the end would take.
fn carries_link(p: &str) -> bool {
    p.contains("https://") || p.contains("http://") || p.contains("www.")
}

/// Drops whole sentences from the end, sparing the question (it moves the sale on) and the
/// link that acts on it, until `parts` have at most `max` words or one sentence is left.
pub(crate) fn drop_sentences(parts: &mut Vec<String>, max: usize) {
    drop_sentences_sparing(parts, max, &|_| false);
}

/// [`drop_sentences`], sparing also the sentences `kept` names (the short thanks by name)
/// while anything else may go.
fn drop_sentences_sparing(parts: &mut Vec<String>, max: usize, kept: &dyn Fn(&str) -> bool) {
    while parts.iter().map(|p| words(p)).sum::<usize>() > max && parts.len() > 1 {
        let victim = parts
            .iter()
            .rposition(|p| !p.ends_with('?') && !carries_link(p) && !kept(p))
            .or_else(|| {
                parts
                    .iter()
                    .rposition(|p| !p.ends_with('?') && !carries_link(p))
            })
            .or_else(|| parts.iter().rposition(|p| !p.ends_with('?')))
            .unwrap_or(parts.len() - 1);
        parts.remove(victim);
    }
}

/// Drops sentences until `parts` fit `max` words, sparing the lead's answer, the short thanks
/// before it (and whatever else `thanked` marks as kept: a promise) and the one question that
/// moves the sale on: a greeting or small talk goes first. What is left may be
/// longer than the limit: the lead asked for the answer, and the question is one line (the
/// single message the decision sends stands for the two a person would write).
fn shorten_around_answer(
    parts: &mut Vec<String>,
    max: usize,
    quoted: &dyn Fn(&str) -> bool,
    thanked: &dyn Fn(&str) -> bool,
) {
    if !parts.iter().any(|p| quoted(p)) {
        drop_sentences_sparing(parts, max, thanked);
        return;
    }
    while parts.iter().map(|p| words(p)).sum::<usize>() > max {
        match parts
            .iter()
            .rposition(|p| !quoted(p) && !thanked(p) && !p.ends_with('?') && !carries_link(p))
        {
            Some(i) => {
                parts.remove(i);
            }
            None => break,
        }
    }
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0xFE0F | 0x200D)
}

struct Checker {
    results: Vec<GuardrailResult>,
}

impl Checker {
    fn note(&mut self, rule: &str, action: GuardAction, detail: impl Into<String>) {
        self.results.push(GuardrailResult {
            rule: rule.into(),
            action,
            detail: detail.into(),
        });
    }
    fn pass(&mut self, rule: &str) {
        self.note(rule, GuardAction::Passed, "");
    }
}

/// The lead as the send policy sees them.
fn recipient(s: &Snapshot, state: &ConversationState) -> Recipient {
    Recipient {
        opted_out: s.opted_out,
        marketing_opted_out: false,
        mode: s.mode,
        window: ServiceWindow {
            open_until: s.window_open_until.map(|u| u.timestamp()),
        },
        last_lead_message_at: state.last_lead_message_at,
        unanswered: s.bot_messages_since_lead,
        bot_messages_last_hour: s.bot_messages_last_hour,
        budget: message_budget(
            state.budget(),
            state.response_rate,
            sentiment_trend(&state.sentiments()),
        ),
        local_time: None,
    }
}

/// Applies every rule to `draft`. `opt_out_confirmation` marks the one confirmation an
/// opting-out lead gets.
pub fn enforce(
    mut draft: Draft,
    s: &Snapshot,
    state: &ConversationState,
    opt_out_confirmation: bool,
) -> (Draft, Vec<GuardrailResult>) {
    let mut c = Checker { results: vec![] };
    let now = s.now;
    let block = |c: &mut Checker, d: &mut Draft, rule: &str, detail: String| {
        if d.should_send {
            d.should_send = false;
            c.note(rule, GuardAction::Blocked, detail);
        } else {
            c.note(rule, GuardAction::Passed, "nothing to send");
        }
    };

    // Who may be messaged at all: the send policy every sender shares, one guardrail per check.
    let sender = if s.trigger == Trigger::Followup {
        Sender::Followup
    } else {
        Sender::Agent
    };
    let out = Outgoing {
        opt_out_confirmation,
        ..Outgoing::free_form(sender)
    };
    for check in evaluate(out, &recipient(s, state), None, now) {
        let rule = check.rule.as_str();
        match check.refused {
            // The opt-out and the human lock do not hold the confirmation of a STOP back.
            None if opt_out_confirmation
                && !check.applies
                && matches!(check.rule, SendRule::OptedOut | SendRule::HumanLock) =>
            {
                c.note(
                    rule,
                    GuardAction::Passed,
                    "the one confirmation of an opt-out",
                )
            }
            None => c.pass(rule),
            // Reported as blocked even when nothing was drafted: these rules are why.
            Some(why) if matches!(check.rule, SendRule::OptedOut | SendRule::HumanLock) => {
                draft.should_send = false;
                c.note(rule, GuardAction::Blocked, why);
            }
            Some(why) => block(&mut c, &mut draft, rule, why),
        }
    }

    if !draft.should_send {
        draft.text.clear();
        return (draft, c.results);
    }

    // What the message says.
    let keep = |text: &str, bad: &dyn Fn(&str) -> bool| -> (String, Vec<String>) {
        let mut removed = vec![];
        let kept: Vec<String> = sentences(text)
            .into_iter()
            .filter(|sn| {
                let hit = bad(sn);
                if hit {
                    removed.push(sn.clone());
                }
                !hit
            })
            .collect();
        (kept.join(" "), removed)
    };

    let (text, removed) = keep(&draft.text, &|sn| has_any(&normalize(sn), CLAIMS_HUMAN));
    if removed.is_empty() {
        c.pass("never_claim_human");
    } else {
        draft.text = text;
        c.note(
            "never_claim_human",
            GuardAction::Repaired,
            format!("removed: {}", removed.join(" | ")),
        );
    }

    let forbidden = &s.profile.guardrails.forbidden_phrases;
    let (text, removed) = keep(&draft.text, &|sn| {
        let low = sn.to_lowercase();
        forbidden.iter().any(|p| low.contains(&p.to_lowercase()))
    });
    if removed.is_empty() {
        c.pass("forbidden_phrases");
    } else {
        draft.text = text;
        c.note(
            "forbidden_phrases",
            GuardAction::Repaired,
            format!("removed: {}", removed.join(" | ")),
        );
    }

    match draft.cta_type {
        Some(cta) if draft.reason_code != ReasonCode::Confirmation => {
            let record = state
                .cta_states
                .get(&cta)
                .cloned()
                .unwrap_or_else(|| CtaRecord::new(now));
            let configured = s.enabled_cta(cta);
            let why = if configured.is_none() {
                Some(format!("{cta} is not an enabled CTA"))
            } else if !record.may_offer(now) {
                Some(format!(
                    "{cta} is {} and may not be offered again",
                    record.as_of(now).state
                ))
            } else {
                None
            };
            match why {
                None => c.pass("cta_state"),
                Some(why) => {
                    let marks: Vec<String> = configured
                        .and_then(|k| k.link.clone().or(k.phone.clone()))
                        .into_iter()
                        .chain(["http".to_owned(), "[LINK]".to_owned()])
                        .collect();
                    let (text, _) = keep(&draft.text, &|sn| {
                        marks.iter().any(|m| sn.contains(m.as_str()))
                    });
                    draft.text = text;
                    draft.cta_type = None;
                    if draft.reason_code == ReasonCode::CtaPush {
                        draft.reason_code = ReasonCode::ValueProposition;
                    }
                    c.note(
                        "cta_state",
                        GuardAction::Repaired,
                        format!("{why}: the offer was taken out"),
                    );
                }
            }
        }
        _ => c.pass("cta_state"),
    }

    let parts = sentences(&draft.text);
    // A question quoted from the business's answer is not one the agent asks.
    let asks = |p: &str| p.ends_with('?') && !draft.answer.iter().any(|a| a.contains(p));
    let questions = parts.iter().filter(|p| asks(p)).count();
    let allowed = s.profile.tone_profile.questions_per_message.max(1) as usize;
    if questions > allowed {
        let mut seen = 0;
        let kept: Vec<String> = parts
            .into_iter()
            .filter(|p| {
                if asks(p) {
                    seen += 1;
                    seen <= allowed
                } else {
                    true
                }
            })
            .collect();
        draft.text = kept.join(" ");
        c.note(
            "one_question",
            GuardAction::Repaired,
            format!("{questions} questions cut to {allowed}"),
        );
    } else {
        c.pass("one_question");
    }

    let max = s.profile.tone_profile.message_length_max_words as usize;
    let before = words(&draft.text);
    if before > max {
        let mut parts = sentences(&draft.text);
        let quoted = |p: &str| draft.answer.iter().any(|a| a.contains(p));
        // The thanks before the answer stays, and so does a promise that the team will
        // answer: cut, the lead would never hear of what a person now owes them.
        let thanked =
            |p: &str| draft.thanks.as_deref() == Some(p) || crate::escalate::promises_to_check(p);
        shorten_around_answer(&mut parts, max, &quoted, &thanked);
        let mut text = parts.join(" ");
        let answer_words: usize = parts.iter().filter(|p| quoted(p)).map(|p| words(p)).sum();
        if words(&text) > max && answer_words == 0 {
            text = text
                .split_whitespace()
                .take(max)
                .collect::<Vec<_>>()
                .join(" ")
                + "…";
        }
        draft.text = text;
        let kept = if words(&draft.text) > max {
            ", the answer kept whole"
        } else {
            ""
        };
        c.note(
            "max_words",
            GuardAction::Repaired,
            format!(
                "{before} words cut to {} (max {max}){kept}",
                words(&draft.text)
            ),
        );
    } else {
        c.pass("max_words");
    }

    if s.profile.tone_profile.emoji_policy == EmojiPolicy::Never && draft.text.chars().any(is_emoji)
    {
        draft.text = draft
            .text
            .chars()
            .filter(|ch| !is_emoji(*ch))
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        c.note(
            "emoji_policy",
            GuardAction::Repaired,
            "emoji removed (policy: never)",
        );
    } else {
        c.pass("emoji_policy");
    }

    if draft.text.trim().is_empty() {
        let lang = crate::rules_engine::reply_language(s, state);
        draft.text = line(Line::Failsafe, &lang).to_owned();
        draft.reason_code = ReasonCode::ClarificationRequest;
        draft.cta_type = None;
        c.note(
            "safe_fallback",
            GuardAction::Repaired,
            "nothing safe was left: the fallback line went instead",
        );
    }

    // Claims about the offer carry the business's disclaimers (not counted in max words).
    let claims = matches!(
        draft.reason_code,
        ReasonCode::PricingDiscussion
            | ReasonCode::ValueProposition
            | ReasonCode::CtaPush
            | ReasonCode::SocialProof
    );
    let missing: Vec<&String> = s
        .profile
        .guardrails
        .required_disclaimers
        .iter()
        .filter(|d| !draft.text.to_lowercase().contains(&d.to_lowercase()))
        .collect();
    if claims && !missing.is_empty() {
        for d in &missing {
            draft.text.push('\n');
            draft.text.push_str(d);
        }
        c.note(
            "required_disclaimers",
            GuardAction::Repaired,
            format!("added {} disclaimer(s)", missing.len()),
        );
    } else {
        c.pass("required_disclaimers");
    }
    (draft, c.results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_cap_keeps_the_thanks_and_the_answer() {
        let answer = "The programmes cost Rs 1,20,000. The repeater batch is Rs 75,000. Siblings get 10% off.";
        let mut parts: Vec<String> = sentences(&format!(
            "Thanks Priya! Great to hear from you today. {answer} Are you preparing for JEE or NEET?"
        ));
        let quoted = |p: &str| answer.contains(p);
        let thanked = |p: &str| p == "Thanks Priya!";
        shorten_around_answer(&mut parts, 25, &quoted, &thanked);
        assert_eq!(
            parts.join(" "),
            format!("Thanks Priya! {answer} Are you preparing for JEE or NEET?")
        );
    }

    #[test]
    fn splits_sentences() {
        assert_eq!(
            sentences("Hi there! Fees are ₹2.5k. Want a call?\nLink: https://x.io/a.b"),
            vec![
                "Hi there!",
                "Fees are ₹2.5k.",
                "Want a call?",
                "Link: https://x.io/a.b"
            ]
        );
    }

    /// A long greeting before an offer: the cut took the last sentence that was no question,
    /// which was the offer's link ("Shall we set up a free counselling call?" with no way to
    /// book it). The greeting goes first; the question and its link stay.
    #[test]
    fn a_cut_keeps_the_offers_link() {
        let mut parts: Vec<String> = [
            "Hi!",
            "Thanks for reaching out to Pune Pathshala.",
            "Nice to meet you, Amit.",
            "Shall we set up a free counselling call with our academic head?",
            "https://cal.example.com/pathshala",
        ]
        .map(String::from)
        .to_vec();
        super::drop_sentences(&mut parts, 18);
        assert_eq!(
            parts,
            [
                "Hi!",
                "Shall we set up a free counselling call with our academic head?",
                "https://cal.example.com/pathshala"
            ]
        );
    }
}
