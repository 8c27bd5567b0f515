//! The rules engine: deterministic and offline. It answers from FAQ matches, asks the next
//! missing qualification slot, handles objections from the playbook, sequences the CTAs, and
//! speaks the business's ScriptLibrary in the lead's language. It is also the failsafe.

use crate::escalate::{AnswerDue, Unanswered, answer_due, promise_line};
use crate::extract::slots::{SlotKind, kind_of};
use crate::extract::{Extraction, business_tz, parse_amount};
use crate::guardrails::{Draft, sentences};
use crate::language::{Line, line};
use crate::profile::{Requirement, Script, contact_link_key, starter_objection_handlers};
use crate::retrieval::{Snippet, SnippetSource};
use crate::snapshot::Snapshot;
use crate::state::{Booking, ConversationState};
use chrono::{DateTime, TimeZone, Utc};
use closer_domain::cta::{CtaEvent, CtaRecord, CtaState};
use closer_domain::sales::{CtaType, ReasonCode};
use closer_domain::slots::RECONFIRM_BELOW;
use std::collections::BTreeMap;

/// What the engine did besides drafting: the CTA the lead took up, a booking.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub accepted: Option<(CtaType, CtaEvent)>,
    pub booking_at: Option<DateTime<Utc>>,
    /// The reply promised that the team will answer the lead's question (nothing the business
    /// told the agent answers it): a person must keep that promise.
    pub promised_answer: bool,
    /// The lead asked for a call at a time and nothing here can book it (no booking call to
    /// action): the reply said "the team will confirm it", and a person must.
    pub call_requested: bool,
}

impl Effects {
    /// The reply binds the team to something (an answer, a call at the lead's time): the
    /// code's outcome, whichever engine writes.
    pub fn binds_the_team(&self) -> bool {
        self.promised_answer || self.call_requested
    }
}

pub fn reply_language(s: &Snapshot, state: &ConversationState) -> String {
    let own = &s.profile.tone_profile.language;
    match &state.language {
        Some(lead) if s.profile.allows_language(lead) => lead.clone(),
        _ => own.clone(),
    }
}

/// The owner's line for `key`, when it is in the reply's language (else the caller's own
/// line in that language goes instead: one language per reply).
fn script<'a>(map: &'a BTreeMap<String, Script>, key: &str, lang: &str) -> Option<&'a str> {
    map.get(key).and_then(|sc| sc.for_reply(lang))
}

fn humanize(slot: &str) -> String {
    slot.replace('_', " ")
}

/// The question for a slot: the library's own (exact key, or one sharing its first word,
/// like `experience_check` for `experience_level`), else a generic one.
pub(crate) fn question_for(s: &Snapshot, slot: &str, lang: &str) -> String {
    let lib = &s.profile.script_library.qualification;
    let stem = slot.split('_').next().unwrap_or(slot);
    script(lib, slot, lang)
        .or_else(|| {
            lib.iter()
                .find(|(k, _)| k.split('_').next() == Some(stem))
                .and_then(|(_, sc)| sc.for_reply(lang))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| line(Line::AskSlot, lang).replace("{slot}", &humanize(slot)))
}

/// The next slot to ask for, honouring the checklist's order and timing; a slot asked twice
/// without an answer is left alone. The question just asked is never asked again at once: a
/// lead who answered "Class 12, Neet" to "your name?" has moved on, and so does the agent.
pub fn next_slot(s: &Snapshot, state: &ConversationState) -> Option<String> {
    let checklist = &s.profile.sales_rules.qualification_checklist;
    let asked = |k: &str| state.asked_slots.iter().filter(|a| *a == k).count();
    let just_asked = state.asked_slots.last().map(String::as_str);
    // A WhatsApp profile name that looks like one already fills the name (`think`).
    let missing = |k: &str, limit: usize| {
        !state.slots.contains_key(k) && asked(k) < limit && just_asked != Some(k)
    };
    // A business with fixed prices has nothing to fit to a budget: asking one after quoting
    // the fee reads as a form (unless the owner made it required).
    let fixed = pricing_is_fixed(s);
    let pointless = |k: &str, r: &Requirement| {
        fixed
            && matches!(r, Requirement::Optional | Requirement::AskLate)
            && kind_of(k, std::iter::empty()) == SlotKind::Budget
    };
    let pick = |wanted: &[Requirement], limit: usize| {
        checklist
            .iter()
            .find(|(k, r)| wanted.contains(r) && missing(k, limit) && !pointless(k, r))
            .map(|(k, _)| k.clone())
    };
    pick(&[Requirement::AskEarly], 2)
        .or_else(|| pick(&[Requirement::Required], 2))
        .or_else(|| pick(&[Requirement::Optional], 1))
        .or_else(|| pick(&[Requirement::AskLate], 1))
}

/// Whether the business quotes set prices: in its pricing summary, or an FAQ answer about
/// its fees that names an amount.
fn pricing_is_fixed(s: &Snapshot) -> bool {
    let priced = |t: &str| parse_amount(t).is_some();
    priced(&s.profile.business_config.pricing_summary)
        || s.knowledge.iter().any(|k| {
            k.kind.is_question_answer()
                && crate::retrieval::terms(&k.title).iter().any(|t| t == "fee")
                && priced(&k.content)
        })
}

fn required_missing(s: &Snapshot, state: &ConversationState) -> bool {
    s.profile
        .sales_rules
        .qualification_checklist
        .iter()
        .any(|(k, r)| {
            matches!(r, Requirement::Required | Requirement::AskEarly)
                && !state.slots.contains_key(k)
        })
}

fn cta_link(s: &Snapshot, cta: CtaType) -> String {
    let configured = s.enabled_cta(cta);
    configured
        .and_then(|c| c.link.clone().or_else(|| c.phone.clone()))
        .or_else(|| {
            let links = &s.profile.business_config.contact_links;
            links
                .get(contact_link_key(cta))
                .or_else(|| links.get("website_url"))
                .cloned()
        })
        .unwrap_or_default()
}

/// The CTA to push next: the configured sequence, then the primary CTAs, then the enabled
/// ones by position; only those the state machine still allows.
pub fn next_cta(s: &Snapshot, state: &ConversationState) -> Option<CtaType> {
    let seq = &s.profile.sales_rules.cta_sequencing;
    let mut order: Vec<CtaType> = seq.first.into_iter().chain(seq.fallback).collect();
    order.extend(s.profile.business_config.primary_ctas.iter().copied());
    let mut by_position: Vec<_> = s.ctas.iter().filter(|c| c.enabled).collect();
    by_position.sort_by_key(|c| c.position);
    order.extend(by_position.iter().map(|c| c.kind));
    order.into_iter().find(|c| {
        s.enabled_cta(*c).is_some() && state.cta_states.get(c).is_none_or(|r| r.may_offer(s.now))
    })
}

/// The call to action the lead asks for ("send the payment link", "can I book a call?"),
/// when the business has it: taken up at once, never answered with "let me check".
fn asked_for(s: &Snapshot, x: &Extraction, state: &ConversationState) -> Option<CtaType> {
    let by_name = x
        .asks_for
        .iter()
        .copied()
        .find(|c| s.enabled_cta(*c).is_some());
    // "Book a call" after an offer is that offer's yes (read as an acceptance).
    let booking = (x.asks_to_book && state.last_cta.is_none())
        .then(|| {
            s.ctas
                .iter()
                .filter(|c| c.enabled && c.kind.is_booking())
                .min_by_key(|c| c.position)
                .map(|c| c.kind)
        })
        .flatten();
    // "Send me the link" with nothing offered yet: the business's first offer.
    let link = (x.asks_for_link && state.last_cta.is_none())
        .then(|| next_cta(s, state))
        .flatten();
    by_name.or(booking).or(link)
}

fn cta_text(s: &Snapshot, cta: CtaType, lang: &str) -> String {
    let link = cta_link(s, cta);
    let name = s
        .enabled_cta(cta)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| cta.label().to_owned());
    match script(&s.profile.script_library.cta_scripts, cta.as_str(), lang) {
        Some(t) => t.replace("[LINK]", &link).trim().to_owned(),
        None if link.is_empty() => format!("{name}?"),
        None => format!("{name}: {link}"),
    }
}

fn first_sentences(text: &str, n: usize) -> String {
    sentences(text)
        .into_iter()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn record(state: &ConversationState, cta: CtaType, at: DateTime<Utc>) -> CtaRecord {
    state
        .cta_states
        .get(&cta)
        .cloned()
        .unwrap_or_else(|| CtaRecord::new(at))
}

fn draft(
    text: impl Into<String>,
    reason: ReasonCode,
    cta: Option<CtaType>,
    confidence: f32,
) -> Draft {
    Draft {
        should_send: true,
        text: text.into(),
        reason_code: reason,
        cta_type: cta,
        confidence,
        answer: vec![],
        thanks: None,
    }
}

/// Drafts the reply and updates `state` (questions asked, CTA states, confusion). A lead who
/// has just told their name hears it back first, once, as a counsellor would; in the first
/// reply right after the owner's greeting.
pub fn respond(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    knowledge: &[Snippet],
) -> (Draft, Effects) {
    let (mut d, fx) = decide(s, x, state, knowledge);
    let lang = frame_language(s, state, &d.answer);
    if d.reason_code != ReasonCode::ExitGraceful
        && d.should_send
        && let Some(thanks) = thanks(s, state, &lang)
    {
        d.text = match greeting_in(s, &lang, &d.text) {
            Some(greeting) => format!(
                "{greeting} {thanks} {}",
                d.text[greeting.len()..].trim_start()
            ),
            None => format!("{thanks} {}", d.text),
        };
        d.text = d.text.trim_end().to_owned();
        d.thanks = Some(thanks);
    }
    (d, fx)
}

/// The owner's greeting that opens `text` (whole, or its first sentence), in the first reply
/// (in `lang`, the reply's).
fn greeting_in<'a>(s: &Snapshot, lang: &str, text: &'a str) -> Option<&'a str> {
    if s.bot_has_spoken() {
        return None;
    }
    let opener = script(&s.profile.script_library.openers, "new_lead", lang)
        .unwrap_or(line(Line::Greeting, lang));
    [opener.to_owned(), first_sentences(opener, 1)]
        .into_iter()
        .find(|g| !g.is_empty() && text.starts_with(g.as_str()))
        .map(|g| &text[..g.len()])
}

/// "Thanks Amit!" when this message told the lead's name (a new one, not the same again);
/// "Thanks Amit ji!" in Hinglish where the owner's style uses honorifics. In the first reply,
/// whose greeting already thanks the lead, "Nice to meet you, Amit!" — only for a name the
/// lead wrote, not WhatsApp's profile name.
fn thanks(s: &Snapshot, state: &ConversationState, lang: &str) -> Option<String> {
    let slot = state.slots.get("name")?;
    let name = slot.value.as_str();
    // Told before is thanked before. WhatsApp's profile name, held until the lead tells
    // theirs, was never told: "Sneha naam hai" from "Sneha" is thanked like any name.
    let told_before = (s.state.slots.get("name"))
        .is_some_and(|b| b.value == name && b.source_message_id.is_some());
    if told_before || slot.source_message_id.is_none() {
        return None;
    }
    let first = name.split_whitespace().next()?;
    let hinglish = lang == "hi-en" || lang == "hi";
    let name = if hinglish && s.profile.tone_profile.honorifics {
        format!("{first} ji")
    } else {
        first.to_owned()
    };
    let key = if s.bot_has_spoken() {
        Line::Thanks
    } else {
        Line::NiceToMeet
    };
    Some(line(key, lang).replace("{name}", &name))
}

/// The language of a reply that quotes the owner's `answers`: the lead's, unless the owner
/// wrote the answers in another one. Then the reply speaks theirs: the owner's words are
/// quoted as written (never translated nor altered), and one reply speaks one language.
pub(crate) fn frame_language(
    s: &Snapshot,
    state: &ConversationState,
    answers: &[String],
) -> String {
    let lang = reply_language(s, state);
    let family = crate::language::family;
    match crate::language::detect(&answers.join(" ")) {
        Some(written) if family(written) != family(&lang) => family(written).to_owned(),
        _ => lang,
    }
}

/// The facts this message changed ("sorry, I meant Class 11"), as (slot, new value); the
/// name is left to [`thanks`].
fn corrections(s: &Snapshot, state: &ConversationState) -> Vec<(String, String)> {
    state
        .slots
        .iter()
        .filter(|(k, _)| k.as_str() != "name")
        .filter_map(|(k, now)| {
            let before = s.state.slot_value(k)?;
            (before != now.value).then(|| (k.clone(), now.value.clone()))
        })
        .collect()
}

/// The lead says they meant something else than they told ("sorry, I meant …", "galti
/// se"): a correction, whatever it corrects. "Actually" or "update" alone may bring news.
fn meant_otherwise(s: &Snapshot) -> bool {
    crate::extract::has_any(
        &crate::extract::normalize(&s.new_text()),
        &[
            "meant",
            "i mean",
            "correction",
            "galti se",
            "galti ho gayi",
            "typo",
        ],
    )
}

/// The next step after the lead corrected a fact: the correction said back, then the step;
/// the offer already on the table is asked about in other words, never sent again whole.
fn after_correction(
    s: &Snapshot,
    state: &mut ConversationState,
    changed: &[(String, String)],
    pending: Option<&str>,
    lang: &str,
) -> Draft {
    let on_table = state.last_cta;
    // The question the correction came instead of is still open: asked again, not skipped.
    let open = pending.filter(|p| {
        !state.slots.contains_key(*p)
            && s.profile
                .sales_rules
                .qualification_checklist
                .iter()
                .any(|(k, _)| k == p)
    });
    let mut step = match open {
        Some(slot) => {
            state.pending_question = Some(slot.to_owned());
            draft(
                question_for(s, slot, lang),
                ReasonCode::QualificationQuestion,
                None,
                0.8,
            )
        }
        None => next_step(s, state, lang),
    };
    // Nothing left to ask or offer: a correction is no goodbye (nor a reason to hand the
    // lead over); the door is held open.
    if step.reason_code == ReasonCode::ExitGraceful {
        step = draft(
            line(Line::AnythingElse, lang).to_owned(),
            ReasonCode::Confirmation,
            None,
            0.75,
        );
    }
    if step.reason_code == ReasonCode::CtaPush
        && let Some(cta) = on_table.filter(|c| step.cta_type == Some(*c))
    {
        let offer = s
            .enabled_cta(cta)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| cta.label().to_owned());
        let text = capitalised(
            &line(Line::OfferStands, lang).replace("{offer}", &lowercase_first(&offer)),
        );
        step = draft(text, ReasonCode::Confirmation, None, 0.75);
    }
    // A short fact is said back ("class 11th"); of a lead's long answer only what changed
    // ("class 11"). What they want is said back without its label ("need class 11").
    let noted: Vec<String> = changed
        .iter()
        .filter_map(|(slot, value)| {
            let value = if value.split_whitespace().count() <= 4 {
                value.clone()
            } else {
                what_changed(s.state.slot_value(slot)?, value)?
            };
            let value = said_back(slot, &value, &s.profile.business_config.currency);
            let free = crate::extract::slots::slot_kinds(s)
                .iter()
                .any(|(k, kind)| k == slot && *kind == SlotKind::Free);
            Some(if free {
                line(Line::NotedValue, lang).replace("{value}", &value)
            } else {
                line(Line::Noted, lang)
                    .replace("{slot}", &humanize(slot))
                    .replace("{value}", &value)
            })
        })
        .collect();
    if !noted.is_empty() {
        step.text = format!("{} {}", noted.join(" "), step.text);
    }
    step
}

/// The words of a long answer a correction changed, with the word before them in the same
/// clause: "I want coaching for class 12" to "… class 11" is "class 11"; "Sneha naam hai,
/// 12th mein hu" to "… 11th …" is "11th" (not "hai, 11th"). None when more than that changed.
fn what_changed(old: &str, new: &str) -> Option<String> {
    let (o, n): (Vec<&str>, Vec<&str>) = (
        old.split_whitespace().collect(),
        new.split_whitespace().collect(),
    );
    if o.len() != n.len() {
        return None;
    }
    let at: Vec<usize> = (0..n.len()).filter(|&i| o[i] != n[i]).collect();
    let [i] = at.as_slice() else {
        return None;
    };
    let clause_ends = |w: &str| w.ends_with([',', '.', ';', ':', '!', '?']);
    let from = match i.checked_sub(1) {
        Some(before) if !clause_ends(n[before]) => before,
        _ => *i,
    };
    Some(n[from..=*i].join(" "))
}

/// A value as the lead would say it: a budget in the business's currency ("₹1,00,00,000",
/// "AED 1,500,000"), anything else as told.
fn said_back(slot: &str, value: &str, currency: &str) -> String {
    let amount = (kind_of(slot, std::iter::empty()) == SlotKind::Budget)
        .then(|| value.parse::<f64>().ok())
        .flatten()
        .filter(|a| a.fract() == 0.0 && *a >= 1.0 && *a < 1e15);
    match amount {
        Some(amount) => closer_domain::money::said_amount(amount as u64, currency),
        None => value.to_owned(),
    }
}

/// The first letter upper-cased: a line may start with the offer's name.
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "Free counselling call" reads "the free counselling call" mid-sentence; "IIT demo" stays.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_owned(),
    }
}

fn decide(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    knowledge: &[Snippet],
) -> (Draft, Effects) {
    let lang = reply_language(s, state);
    let lang = lang.as_str();
    let now = s.now;
    let mut fx = Effects::default();
    let pending = state.pending_question.take();

    // A booking time answering our "when?"; with no booking to make, a time for the team.
    if pending.as_deref() == Some("booking_time")
        && let Some(at) = x.proposed_time
    {
        return match state.last_cta {
            Some(cta) => (booked(s, state, cta, at, lang, &mut fx), fx),
            None => (call_for_the_team(s, state, Some(at), lang, &mut fx), fx),
        };
    }

    // "6pm not 5pm" after a booking moves it: the next offer can wait.
    if let (Some(booking), Some(at)) = (state.booking.clone(), x.moves_booking_to)
        && !x.declines
        && !x.completed
    {
        return (moved(s, state, booking, at, lang, &mut fx), fx);
    }
    // The same for the call the team is to confirm: the new time replaces the old one.
    if let (Some(_), Some(at)) = (state.call_requested, x.moves_booking_to)
        && !x.declines
    {
        return (call_for_the_team(s, state, Some(at), lang, &mut fx), fx);
    }

    // "ok thanks" closes politely: not a yes to the offer, and nothing pushed after it.
    if x.thanks {
        return (
            draft(
                line(Line::Welcome, lang),
                ReasonCode::ExitGraceful,
                None,
                0.8,
            ),
            fx,
        );
    }

    // After the booking, "ok" or "hmm" acknowledges it: a second push reads as pressure.
    if booking_acknowledged(x, state) {
        return (silence(), fx);
    }

    // "Can I book a call?" where the business has no booking to offer: still a request to
    // book, never "let me check". The time they give (now or when asked) goes to the team.
    if x.asks_to_book && !x.declines && !books_calls(s) {
        if let (None, Some(day)) = (x.proposed_time, x.proposed_day) {
            return (ask_time_on(s, state, day, None, lang), fx);
        }
        return (
            call_for_the_team(s, state, x.proposed_time, lang, &mut fx),
            fx,
        );
    }
    // A time said on its own with nothing offered ("tomorrow 5pm"), answering none of our
    // questions: the lead wants to talk then. With no booking to make, it is said back and
    // the team confirms it.
    if let Some(at) = x.proposed_time
        && state.last_cta.is_none()
        && state.booking.is_none()
        && !books_calls(s)
        && time_alone(s, x)
    {
        return (call_for_the_team(s, state, Some(at), lang, &mut fx), fx);
    }

    // The lead takes up (or finishes) the CTA we offered, or asks for the booking before
    // we offered anything: "Can I book a call?" is a yes, not a question for the team.
    let asked_for = asked_for(s, x, state);
    let taken = asked_for.or(state.last_cta.filter(|_| x.accepts || x.completed));
    if let Some(cta) = taken
        && !x.declines
    {
        // What they asked for is now the offer on the table: their "when" answers it.
        state.last_cta = Some(cta);
        let event = if x.completed {
            CtaEvent::Completed
        } else {
            CtaEvent::Clicked
        };
        if let Ok(next) = record(state, cta, now).apply(event, now) {
            state.cta_states.insert(cta, next);
        }
        fx.accepted = Some((cta, event));
        state.confused_streak = 0;
        if event == CtaEvent::Completed {
            return (
                draft(
                    line(Line::Completed, lang),
                    ReasonCode::Confirmation,
                    Some(cta),
                    0.9,
                ),
                fx,
            );
        }
        // A booking is made by agreeing a time, unless the lead asked for the link to book
        // themselves.
        let wants_link = x.asks_for_link && !cta_link(s, cta).is_empty();
        if cta.is_booking() && !wants_link {
            if let Some(at) = x.proposed_time {
                return (booked(s, state, cta, at, lang, &mut fx), fx);
            }
            // "Can I see the flat this Sunday?": the day said back, the time asked (the
            // booking link offered to pick it).
            if let Some(day) = x.proposed_day {
                let link = Some(cta_link(s, cta)).filter(|l| !l.is_empty());
                return (ask_time_on(s, state, day, link, lang), fx);
            }
            // "What day and time?" asks the day again: one named before no longer holds. The
            // booking link goes with it, unless the lead has it already (they said yes to an
            // offer that carried it): a lead who would rather pick a slot need not ask.
            state.requested_day = None;
            state.pending_question = Some("booking_time".into());
            let link = cta_link(s, cta);
            let text = if link.is_empty() || s.bot_has_said(&link) {
                line(Line::AskTime, lang).to_owned()
            } else {
                line(Line::PickTime, lang).replace("{link}", &link)
            };
            return (draft(text, ReasonCode::Confirmation, Some(cta), 0.85), fx);
        }
        let link = cta_link(s, cta);
        let text = if link.is_empty() {
            line(Line::Completed, lang).to_owned()
        } else {
            line(Line::Accepted, lang).replace("{link}", &link)
        };
        return (draft(text, ReasonCode::Confirmation, Some(cta), 0.85), fx);
    }

    if x.renewed_interest {
        for (cta, r) in state.cta_states.clone() {
            if let Ok(next) = r.apply(CtaEvent::RenewedInterest, now) {
                state.cta_states.insert(cta, next);
            }
        }
    }

    // A "no" to the CTA: mark it, and try the fallback once before letting go gracefully.
    // "Not now" is a pause: no second offer at once (the follow-ups decide when to return).
    if let Some(cta) = state.last_cta
        && x.declines
        && !x.is_question
    {
        if let Ok(next) = record(state, cta, now).apply(CtaEvent::Declined, now) {
            state.cta_states.insert(cta, next);
        }
        state.last_cta = None;
        if let Some(other) = next_cta(s, state).filter(|_| !x.defers) {
            state.last_cta = Some(other);
            return (
                draft(
                    cta_text(s, other, lang),
                    ReasonCode::CtaPush,
                    Some(other),
                    0.6,
                ),
                fx,
            );
        }
        let exit = script(&s.profile.script_library.exits, "graceful", lang)
            .unwrap_or(line(Line::Graceful, lang));
        return (draft(exit, ReasonCode::ExitGraceful, None, 0.8), fx);
    }

    // "Not now" with no offer on the table declines the conversation for now: asking the
    // next question again reads as a form. The door stays open; the question is not repeated.
    if x.declines && !x.is_question && state.last_cta.is_none() {
        let exit = script(&s.profile.script_library.exits, "graceful", lang)
            .unwrap_or(line(Line::Graceful, lang));
        return (draft(exit, ReasonCode::ExitGraceful, None, 0.8), fx);
    }

    if x.filler
        && let Some(cta) = offer_waiting(state, now)
    {
        return (after_filler(s, state, cta, lang), fx);
    }

    if let Some(key) = &x.objection {
        state.confused_streak = 0;
        // The playbook says how to answer ("Break down per-day cost, mention EMI", seeds/001
        // §3): guidance for a model, never words for the lead.
        // Our stock lines (the wizard's, the starter's) are our default, not the owner's words.
        let own = script(&s.profile.script_library.objection_handlers, key, lang)
            .filter(|t| !crate::onboarding::is_stock_objection_answer(t));
        // "Bahut zyada hai": a counsellor says how to pay less, in the owner's own words (the
        // EMI, the discount), rather than promise an option nobody has.
        if own.is_none()
            && is_about_price(key)
            && let Some(eases) = easier_way_to_pay(s)
        {
            let lang = &frame_language(s, state, std::slice::from_ref(&eases));
            let text = format!("{} {eases}", line(Line::Understood, lang));
            let mut d = draft(text, ReasonCode::ObjectionHandling, None, 0.8);
            d.answer = vec![eases];
            return (d, fx);
        }
        let text = own
            .map(str::to_owned)
            .or_else(|| script(&starter_objection_handlers(), key, lang).map(str::to_owned))
            .unwrap_or_else(|| line(Line::ObjectionHeard, lang).to_owned());
        return (draft(text, ReasonCode::ObjectionHandling, None, 0.75), fx);
    }

    // "What is this?" from a lead who clicked an ad: whom they are writing to, then the next
    // step — not a promise that the team will find out.
    if x.asks_who_we_are
        && !knowledge
            .iter()
            .any(|k| k.source == SnippetSource::Knowledge && k.answers)
    {
        let business = &s.profile.business_config.business_name;
        let who = line(Line::WhoWeAre, lang).replace("{business}", business);
        let step = next_step(s, state, lang);
        let text = format!("{who} {}", step.text).trim_end().to_owned();
        return (draft(text, ReasonCode::ClarificationRequest, None, 0.8), fx);
    }

    let first_contact = !s.bot_has_spoken();
    // "??", "hello anyone there" after our reply: the lead checks that someone is reading.
    // Told so, and what we asked asked again, or what they would like to know: never the
    // offer pushed again word for word, which reads as a machine that did not listen.
    if !first_contact && crate::extract::asks_if_anyone_is_there(&s.new_text()) {
        let here = line(Line::StillHere, lang);
        let next = match pending {
            Some(slot) if !slot.starts_with("confirm:") => {
                let again = question_for(s, &slot, lang);
                state.pending_question = Some(slot);
                again
            }
            _ => line(Line::WhatToKnow, lang).to_owned(),
        };
        let text = format!("{here} {next}");
        return (draft(text, ReasonCode::ClarificationRequest, None, 0.7), fx);
    }
    // A message that asks nothing is read as a question ("Fees") only when it is not the
    // answer to ours: "Morning" answers "when do you work out?", not "when do you open?".
    // "I want details of the repeater batch" asks as a question does, answered or promised.
    let asks = x.is_question || x.wants_details_of.is_some();
    let answers: Vec<&Snippet> = knowledge
        .iter()
        .filter(|k| k.source == SnippetSource::Knowledge && k.answers)
        .filter(|_| asks || pending.is_none())
        .collect();
    if asks || !answers.is_empty() {
        return (answer(s, x, state, &answers, lang, &mut fx), fx);
    }
    // "morning" answering "what is your fitness goal?": the time is kept (the extraction
    // filed it as their time) and said back, and the question asked again in other words
    // rather than skipped for the next step.
    if x.only_when
        && let Some(slot) = pending
            .as_deref()
            .filter(|p| answered_with_a_time(s, state, p))
    {
        state.confused_streak = 0;
        return (ask_again(s, x, state, slot, lang), fx);
    }
    if x.confused {
        state.confused_streak += 1;
    } else {
        state.confused_streak = 0;
    }

    if !first_contact {
        // A fact corrected, or told again ("I'm in 12th") with the offer on the table: said
        // back, and the offer asked about in other words rather than sent again whole.
        let changed = corrections(s, state);
        if !changed.is_empty() || (!x.slots.is_empty() && state.last_cta.is_some()) {
            return (
                after_correction(s, state, &changed, pending.as_deref(), lang),
                fx,
            );
        }
        // "Sorry, I meant the other one": a correction we could not place is asked about,
        // neither answered with the next step nor taken for a goodbye.
        if x.correction && meant_otherwise(s) {
            let text = line(Line::WhatChanged, lang);
            return (draft(text, ReasonCode::ClarificationRequest, None, 0.6), fx);
        }
        return (next_step(s, state, lang), fx);
    }
    // The first reply greets, then takes the next step: the next question, or the offer when
    // the lead's first message already told everything. A bare "hello" is only greeted.
    let opener = script(&s.profile.script_library.openers, "new_lead", lang)
        .unwrap_or(line(Line::Greeting, lang))
        .to_owned();
    let told_something = !state.slots.is_empty();
    if !told_something && next_slot(s, state).is_none() {
        return (draft(opener, ReasonCode::InitialGreeting, None, 0.9), fx);
    }
    let step = next_step(s, state, lang);
    let (text, reason) = match step.reason_code {
        ReasonCode::ExitGraceful => (opener, ReasonCode::InitialGreeting),
        ReasonCode::QualificationQuestion => (
            format!("{opener} {}", step.text),
            ReasonCode::InitialGreeting,
        ),
        other => (format!("{opener} {}", step.text), other),
    };
    (
        Draft {
            text,
            reason_code: reason,
            ..step
        },
        fx,
    )
}

/// An objection to the price ("too_expensive", "price_high", "budget_low").
fn is_about_price(objection: &str) -> bool {
    ["expensive", "price", "cost", "budget", "afford", "costly"]
        .iter()
        .any(|w| objection.contains(w))
}

/// The business's own answer on paying less (EMI, instalments, a discount, a scholarship, a
/// loan), unless the lead has read it from us already.
fn easier_way_to_pay(s: &Snapshot) -> Option<String> {
    let name = &s.profile.business_config.business_name;
    // Each way asked on its own (one entry rarely names them all); the first not yet told.
    [
        "can i pay in emi?",
        "is there any discount?",
        "do you offer scholarships?",
        // A flat, a car, a course abroad: the bank pays, and the business helps with it.
        "do you help with a loan?",
    ]
    .iter()
    .find_map(|ask| {
        let found = crate::retrieval::retrieve_knowledge(ask, &s.knowledge, name);
        (found.into_iter())
            .find(|k| k.source == SnippetSource::Knowledge && k.answers && !k.stale)
            .map(|k| quote(&k.text))
            .filter(|quoted| !s.bot_has_said(quoted))
    })
}

/// Our checklist question `slot`, which the lead answered with a time: still unanswered, and
/// no question about when. "Morning" to the name question (asked right after our greeting)
/// greets back.
fn answered_with_a_time(s: &Snapshot, state: &ConversationState, slot: &str) -> bool {
    !state.slots.contains_key(slot)
        && !crate::extract::slots::is_about_time(slot)
        && kind_of(slot, std::iter::empty()) != SlotKind::Name
        && s.profile
            .sales_rules
            .qualification_checklist
            .iter()
            .any(|(k, _)| k == slot)
}

/// The time the lead gave said back, then the question they did not answer in other words
/// than the owner's (the owner's words again would read as a form that did not listen):
/// "Got it: morning, noted. And your goal: weight loss, muscle gain or general fitness?".
fn ask_again(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    slot: &str,
    lang: &str,
) -> Draft {
    state.asked_slots.push(slot.to_owned());
    state.pending_question = Some(slot.to_owned());
    let kind = crate::extract::slots::slot_kinds(s)
        .into_iter()
        .find_map(|(k, kind)| (k == slot).then_some(kind));
    let question = match kind {
        Some(SlotKind::Choice(choices)) if choices.len() >= 2 => {
            let (last, first) = choices.split_last().expect("two choices");
            let listed = format!("{} {} {last}", first.join(", "), line(Line::Or, lang));
            line(Line::AskAgainChoices, lang).replace("{choices}", &listed)
        }
        _ => line(Line::AskAgain, lang).to_owned(),
    }
    .replace("{slot}", &humanize(slot));
    let time = x
        .slots
        .iter()
        .find(|(k, _)| crate::extract::slots::is_about_time(k))
        .map(|(_, o)| line(Line::NotedValue, lang).replace("{value}", &o.value));
    let text = time
        .into_iter()
        .chain([question])
        .collect::<Vec<_>>()
        .join(" ");
    draft(text, ReasonCode::QualificationQuestion, None, 0.75)
}

/// What moves the sale on: the next question, a guessed fact confirmed, the next offer, or a
/// polite goodbye when nothing is left.
fn next_step(s: &Snapshot, state: &mut ConversationState, lang: &str) -> Draft {
    if let Some(slot) = next_slot(s, state)
        && (required_missing(s, state) || !state.asked_slots.contains(&slot))
    {
        state.asked_slots.push(slot.clone());
        state.pending_question = Some(slot.clone());
        return draft(
            question_for(s, &slot, lang),
            ReasonCode::QualificationQuestion,
            None,
            0.8,
        );
    }
    let cta = next_cta(s, state);
    // A guessed fact is confirmed before asking the lead to commit.
    if cta.is_some_and(CtaType::is_major)
        && let Some((name, slot)) = state.slots.iter().find(|(k, sl)| {
            sl.confidence < RECONFIRM_BELOW
                && !state
                    .asked_slots
                    .iter()
                    .any(|a| a == &format!("confirm:{k}"))
        })
    {
        let (name, value) = (name.clone(), slot.value.clone());
        state.asked_slots.push(format!("confirm:{name}"));
        state.pending_question = Some(format!("confirm:{name}"));
        let value = said_back(&name, &value, &s.profile.business_config.currency);
        let text = line(Line::Reconfirm, lang)
            .replace("{slot}", &humanize(&name))
            .replace("{value}", &value);
        return draft(text, ReasonCode::Confirmation, None, 0.7);
    }
    if let Some(cta) = cta {
        state.last_cta = Some(cta);
        return draft(cta_text(s, cta, lang), ReasonCode::CtaPush, Some(cta), 0.75);
    }
    let exit = script(&s.profile.script_library.exits, "graceful", lang)
        .unwrap_or(line(Line::Graceful, lang));
    draft(exit, ReasonCode::ExitGraceful, None, 0.6)
}

/// The reply to the lead's questions: what the business's knowledge says, every question
/// asked, then the next thing to learn; or, with no answer, the promise that the team will
/// answer (a person keeps it).
fn answer(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    answers: &[&Snippet],
    lang: &str,
    fx: &mut Effects,
) -> Draft {
    let reason = if x.asks_price {
        ReasonCode::PricingDiscussion
    } else {
        ReasonCode::ValueProposition
    };
    // A page that changed since we read it: no hard numbers from it.
    let stale_price = x.asks_price && answers.iter().any(|k| k.stale);
    if answers.is_empty() || stale_price {
        state.confused_streak += 1;
        if stale_price {
            return draft(
                line(Line::NoAnswer, lang),
                ReasonCode::ClarificationRequest,
                None,
                0.4,
            );
        }
        let (due, local_now) = promise_an_answer(s, state);
        fx.promised_answer = true;
        // "Details of the NEET repeater batch": the promise says what the lead will get.
        let what = match &x.wants_details_of {
            Some(topic) if !x.is_question => Unanswered::Details(topic),
            _ => Unanswered::Question,
        };
        return draft(
            promise_line(what, due, local_now, lang),
            ReasonCode::ClarificationRequest,
            None,
            0.35,
        );
    }
    // An answer the lead already has is not sent again word for word: it reads as a machine,
    // and when the entry only seemed to answer, the same wrong answer twice. Asked again,
    // it is pointed at and the team adds what the lead still wants.
    let quoted: Vec<String> = (answers.iter())
        .map(|k| quote(&k.text))
        .filter(|q| !s.bot_has_said(q))
        .collect();
    if quoted.is_empty() {
        let (due, local_now) = promise_an_answer(s, state);
        fx.promised_answer = true;
        return draft(
            promise_line(Unanswered::AskedAgain, due, local_now, lang),
            ReasonCode::ClarificationRequest,
            None,
            0.4,
        );
    }
    state.confused_streak = 0;
    let lang = &frame_language(s, state, &quoted);
    // "Where is your class? Is there parking for two wheelers?": the location answered, the
    // parking left to the team, said and kept as a promise rather than dropped.
    let follow = if questions_left_open(s) {
        let (due, local_now) = promise_an_answer(s, state);
        fx.promised_answer = true;
        Some(promise_line(Unanswered::Rest, due, local_now, lang))
    } else {
        next_slot(s, state).map(|slot| {
            state.asked_slots.push(slot.clone());
            state.pending_question = Some(slot.clone());
            question_for(s, &slot, lang)
        })
    };
    let opener = if s.bot_has_spoken() {
        None
    } else {
        script(&s.profile.script_library.openers, "new_lead", lang).map(|o| first_sentences(o, 1))
    };
    let text = opener
        .into_iter()
        .chain(quoted.iter().cloned())
        .chain(follow)
        .collect::<Vec<_>>()
        .join(" ");
    let relevance = answers.iter().map(|k| k.relevance).fold(1.0, f32::min);
    let mut d = draft(text, reason, None, 0.5 + 0.5 * relevance);
    d.answer = quoted;
    d
}

/// Whether the lead asked several questions and the business's knowledge answers only some.
fn questions_left_open(s: &Snapshot) -> bool {
    let clauses = crate::extract::question_clauses(&s.new_text());
    let name = &s.profile.business_config.business_name;
    let answered = |clause: &String| {
        crate::retrieval::retrieve_knowledge(clause, &s.knowledge, name)
            .iter()
            .any(|k| k.source == SnippetSource::Knowledge && k.answers)
    };
    clauses.len() > 1 && !clauses.iter().all(answered)
}

/// The agent owes the lead an answer from the team: the promise is remembered with when it is
/// due (working hours honoured), so the reply and the team's item say the same time. Both
/// engines keep a "let me check with the team" this way.
pub fn promise_an_answer(
    s: &Snapshot,
    state: &mut ConversationState,
) -> (AnswerDue, chrono::NaiveDateTime) {
    let tz = business_tz(s);
    let local_now = s.now.with_timezone(&tz).naive_local();
    let due = answer_due(&s.profile.business_config.schedule(), local_now);
    let due_at = match due {
        AnswerDue::Unknown => None,
        AnswerDue::WithinTheHour => Some(s.now + chrono::Duration::hours(1)),
        AnswerDue::By(at) => tz
            .from_local_datetime(&at)
            .earliest()
            .map(|t| t.with_timezone(&Utc)),
    };
    state.commitments.agent.push(crate::state::Commitment {
        what: answer_promised(s),
        due: due_at,
        source_message_id: s.last_new_message_id().map(str::to_owned),
    });
    (due, local_now)
}

/// The promise to answer this message, as the team's item words it.
fn answer_promised(s: &Snapshot) -> String {
    format!(
        "Answer: {}",
        s.new_text().chars().take(120).collect::<String>()
    )
}

/// Takes back the promise to answer this message (the model answers it from the business's
/// documents instead): that promise only, whatever else the agent owes the lead.
pub fn withdraw_promised_answer(s: &Snapshot, state: &mut ConversationState) {
    let what = answer_promised(s);
    let source = s.last_new_message_id();
    let agent = &mut state.commitments.agent;
    if let Some(i) = agent
        .iter()
        .rposition(|k| k.what == what && k.source_message_id.as_deref() == source)
    {
        agent.remove(i);
    }
}

/// What the reply quotes of an entry: an FAQ answer whole (the owner wrote it to be sent);
/// of a long page, the first two sentences.
fn quote(text: &str) -> String {
    if text.split_whitespace().count() <= 60 {
        text.trim().to_owned()
    } else {
        first_sentences(text, 2)
    }
}

/// Whether the business lets the agent book calls itself (a booking call to action).
fn books_calls(s: &Snapshot) -> bool {
    s.ctas.iter().any(|c| c.enabled && c.kind.is_booking())
}

/// A message that only gives a time ("tomorrow 5pm", "kal 6 baje"): no question, no fact,
/// no promise of the lead's own, a few words.
fn time_alone(s: &Snapshot, x: &Extraction) -> bool {
    x.proposed_time.is_some()
        && !x.is_question
        && !x.declines
        && x.slots.is_empty()
        && x.commitments.is_empty()
        && x.objection.is_none()
        && s.new_text().split_whitespace().count() <= 6
}

/// "ok", "hmm" or "👍" after the booking was confirmed, with nothing else on the table.
fn booking_acknowledged(x: &Extraction, state: &ConversationState) -> bool {
    let booked = match &state.booking {
        Some(b) => state.last_cta.is_none_or(|c| c == b.cta),
        None => state.call_requested.is_some() && state.last_cta.is_none(),
    };
    booked
        && (x.filler || x.accepts)
        && !x.is_question
        && !x.completed
        && !x.asks_for_link
        && x.asks_for.is_empty()
        && x.proposed_time.is_none()
        && x.slots.is_empty()
        && x.objection.is_none()
}

fn silence() -> Draft {
    let mut quiet = draft("", ReasonCode::StaySilent, None, 0.8);
    quiet.should_send = false;
    quiet
}

/// The day the lead asked to come or talk on, said back, and the time asked; the booking
/// link, when there is one, lets them pick it. Their "11am" is then on that day.
fn ask_time_on(
    s: &Snapshot,
    state: &mut ConversationState,
    day: chrono::NaiveDate,
    link: Option<String>,
    lang: &str,
) -> Draft {
    state.requested_day = Some(day);
    state.pending_question = Some("booking_time".into());
    let day = day.format("%a %-d %b").to_string();
    let text = match &link {
        Some(link) => line(Line::PickTimeOn, lang).replace("{link}", link),
        None => line(Line::AskTimeOn, lang).to_owned(),
    };
    let cta = link.and_then(|_| s.ctas.iter().find(|c| c.enabled && c.kind.is_booking()));
    draft(
        text.replace("{day}", &day),
        ReasonCode::Confirmation,
        cta.map(|c| c.kind),
        0.85,
    )
}

/// A call the agent cannot book itself (no booking call to action): without a time the lead
/// is asked when suits them; a time is said back, and the team's item carries it (a new time
/// replaces the one asked for before).
fn call_for_the_team(
    s: &Snapshot,
    state: &mut ConversationState,
    at: Option<DateTime<Utc>>,
    lang: &str,
    fx: &mut Effects,
) -> Draft {
    let Some(at) = at else {
        state.requested_day = None;
        state.pending_question = Some("booking_time".into());
        return draft(
            line(Line::AskTime, lang),
            ReasonCode::Confirmation,
            None,
            0.85,
        );
    };
    note_call_requested(s, state, at);
    state.pending_question = None;
    state.requested_day = None;
    fx.call_requested = true;
    draft(
        capitalised(&line(Line::CallNoted, lang).replace("{time}", &said_time(s, at))),
        ReasonCode::NeedsHuman,
        None,
        0.85,
    )
}

/// The short line to a lead who moved the call already handed to the team ("actually make
/// it 6pm"): the new time said back, and that the team knows. `state` is after this turn.
pub fn handover_note(s: &Snapshot, state: &ConversationState, lang: &str) -> Option<Draft> {
    let at = state
        .call_requested
        .filter(|at| s.state.call_requested != Some(*at))?;
    let text = line(Line::HandoverNoted, lang).replace("{time}", &said_time(s, at));
    Some(draft(text, ReasonCode::Confirmation, None, 0.85))
}

/// Handed to the team, nobody has answered yet, and the lead asks for something they can do
/// themselves (pick a time on the booking link, pay, get the app): the link goes in the
/// waiting note, offered like any offer, so the lead need not wait for a person to send a
/// link. A request with nothing self-serve to send (no booking link) gets the waiting note
/// alone. `None`: the message asks for nothing of the kind.
pub fn while_waiting(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    lang: &str,
) -> Option<Draft> {
    if x.declines || !(x.asks_to_book || x.asks_for_link || !x.asks_for.is_empty()) {
        return None;
    }
    let booking = || {
        s.ctas
            .iter()
            .filter(|c| c.enabled && c.kind.is_booking())
            .min_by_key(|c| c.position)
            .map(|c| c.kind)
    };
    let cta = x
        .asks_for
        .iter()
        .copied()
        .find(|c| s.enabled_cta(*c).is_some())
        .or_else(|| x.asks_to_book.then(booking).flatten())
        .or_else(|| {
            x.asks_for_link
                .then(|| state.last_cta.or_else(|| next_cta(s, state)))
                .flatten()
        });
    // "Mujhe manager se baat karni hai" again asks for the person already coming, not a link.
    let cta = cta.filter(|_| !x.wants_human);
    let Some((cta, link)) = cta.and_then(|c| self_serve_link(s, c).map(|l| (c, l))) else {
        return Some(draft(
            line(Line::Waiting, lang),
            ReasonCode::Confirmation,
            None,
            0.8,
        ));
    };
    // Asked for in so many words, the offer is renewed interest: a link the lead declined
    // before may go again (the state machine's reset), never pushed unasked.
    let r = record(state, cta, s.now);
    if !r.may_offer(s.now)
        && let Ok(next) = r.apply(CtaEvent::RenewedInterest, s.now)
    {
        state.cta_states.insert(cta, next);
    }
    let key = match cta {
        c if c.is_booking() => Line::WaitingBook,
        CtaType::Payment => Line::WaitingPay,
        _ => Line::WaitingLink,
    };
    let text = line(key, lang).replace("{link}", &link);
    Some(draft(text, ReasonCode::CtaPush, Some(cta), 0.85))
}

/// Handed over only because the agent had no answer (or nothing left to offer), the lead
/// asks something the business's knowledge does answer: the answer, and word that the team
/// still owes the earlier one. Asked something it does not answer, the lead hears that the
/// team has that question too (silence read as being ignored: "what about parking?" after
/// "let me check on 1BHK" got nothing), and the promise is noted. A lead who asked for a
/// person, or is upset, waits for the person instead: the bot does not keep talking over a
/// complaint.
pub fn answer_while_waiting(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    knowledge: &[Snippet],
) -> Option<Draft> {
    let reason = s.state.handoff.as_ref()?.escalation_reason;
    let asks = x.is_question || x.asks_price;
    if !crate::escalate::lead_only_waits_for_an_answer(reason) || !asks || x.wants_human {
        return None;
    }
    let quoted: Vec<String> = (knowledge.iter())
        .filter(|k| k.source == SnippetSource::Knowledge && k.answers)
        // A page that changed since it was read quotes no price.
        .filter(|k| !(x.asks_price && k.stale))
        .map(|k| quote(&k.text))
        .collect();
    if quoted.is_empty() {
        if !x.is_question {
            return None;
        }
        promise_an_answer(s, state);
        let also = line(Line::WaitingAlsoAsked, &frame_language(s, state, &[]));
        return Some(draft(also, ReasonCode::ClarificationRequest, None, 0.6));
    }
    // "Too costly. Any discount?" right after the fee was quoted: the same answer word for
    // word would read as a machine; the lead hears that the team has it.
    if quoted.iter().all(|q| s.bot_has_said(q)) {
        let waiting = line(Line::Waiting, &frame_language(s, state, &[]));
        return Some(draft(waiting, ReasonCode::Confirmation, None, 0.8));
    }
    // One language per reply: the owner's answer as written, the frame in its language.
    let lang = &frame_language(s, state, &quoted);
    let text = format!("{} {}", quoted.join(" "), line(Line::WaitingAnswered, lang));
    let reason = if x.asks_price {
        ReasonCode::PricingDiscussion
    } else {
        ReasonCode::ValueProposition
    };
    let mut d = draft(text, reason, None, 0.8);
    d.answer = quoted;
    Some(d)
}

/// Handed over for a person (the lead asked for one, or is upset), nobody has come yet, and
/// the lead checks that anyone is there ("hello??"): silence would read as being ignored a
/// second time. Told once per wait, with an apology, that a person will reply here (when,
/// outside the working hours); a second "hello??" of the same wait gets nothing. A lead who
/// only waits for an answer was told when it comes, and the team answering is that answer.
pub fn person_still_coming(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    lang: &str,
) -> Option<Draft> {
    let handed = s.state.handoff.as_ref()?;
    let told = state
        .told_person_coming_at
        .is_some_and(|at| at >= handed.at);
    if !x.checks_presence
        || crate::escalate::lead_only_waits_for_an_answer(handed.escalation_reason)
        || told
    {
        return None;
    }
    state.told_person_coming_at = Some(s.now);
    let local_now = s.now.with_timezone(&business_tz(s)).naive_local();
    let schedule = s.profile.business_config.schedule();
    let text = crate::escalate::person_coming_line(&schedule, local_now, lang);
    Some(draft(text, ReasonCode::Confirmation, None, 0.85))
}

/// The link a lead can act on alone for `cta`: the CTA's own, or the owner's contact link for
/// it. A phone number, or the website for a booking, is nothing to book with.
fn self_serve_link(s: &Snapshot, cta: CtaType) -> Option<String> {
    s.enabled_cta(cta)
        .and_then(|c| c.link.clone())
        .or_else(|| {
            s.profile
                .business_config
                .contact_links
                .get(contact_link_key(cta))
                .cloned()
        })
        .filter(|l| !l.trim().is_empty())
}

/// Remembers the time the lead asked the team to call at, and the team's item with it: a
/// new time replaces the one asked for before (also while a person has the conversation, so
/// that the item they work from says the time the lead last gave).
pub fn note_call_requested(s: &Snapshot, state: &mut ConversationState, at: DateTime<Utc>) {
    let promise = crate::state::Commitment {
        what: format!("Confirm the call the lead asked for: {}", said_time(s, at)),
        due: Some(at),
        source_message_id: s.last_new_message_id().map(str::to_owned),
    };
    let agent = &mut state.commitments.agent;
    match state
        .call_requested
        .and_then(|before| agent.iter().rposition(|k| k.due == Some(before)))
    {
        Some(i) => agent[i] = promise,
        None => agent.push(promise),
    }
    state.call_requested = Some(at);
}

/// Confirms a booking at `at`: the CTA is taken up and the agent owes the lead that call.
fn booked(
    s: &Snapshot,
    state: &mut ConversationState,
    cta: CtaType,
    at: DateTime<Utc>,
    lang: &str,
    fx: &mut Effects,
) -> Draft {
    let when = said_time(s, at);
    if let Ok(next) = record(state, cta, s.now).apply(CtaEvent::Clicked, s.now) {
        state.cta_states.insert(cta, next);
    }
    state.commitments.agent.push(crate::state::Commitment {
        what: format!("{} at {when}", cta.label()),
        due: Some(at),
        source_message_id: s.last_new_message_id().map(str::to_owned),
    });
    fx.accepted = Some((cta, CtaEvent::Clicked));
    fx.booking_at = Some(at);
    state.booking = Some(Booking { cta, at });
    state.requested_day = None;
    let text = match Meeting::of(s, cta) {
        Meeting::Call => line(Line::Booked, lang).replace("{time}", &when),
        Meeting::Visit => on_day_at(s, line(Line::BookedVisit, lang), at),
        Meeting::Session => on_day_at(s, line(Line::BookedSession, lang), at),
    };
    draft(text, ReasonCode::Confirmation, Some(cta), 0.9)
}

/// What the lead books, as they will live it: a call the team makes, a visit they come for
/// (a site visit, a tour of the centre), or a demo, trial or webinar they attend. A visit is
/// never confirmed with "our team will call you then".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meeting {
    Call,
    Visit,
    Session,
}

impl Meeting {
    /// The CTA's kind, read from its type and the owner's name for it: a `book_call` the
    /// owner named "Site visit" is a visit.
    fn of(s: &Snapshot, cta: CtaType) -> Meeting {
        let name = s
            .enabled_cta(cta)
            .map(|c| crate::extract::normalize(&c.name))
            .unwrap_or_default();
        let says = |words: &[&str]| crate::extract::has_any(&name, words);
        if says(VISIT_WORDS) {
            Meeting::Visit
        } else if matches!(cta, CtaType::ScheduleDemo | CtaType::JoinWebinar) || says(SESSION_WORDS)
        {
            Meeting::Session
        } else {
            Meeting::Call
        }
    }
}

const VISIT_WORDS: &[&str] = &[
    "visit",
    "site visit",
    "tour",
    "walk in",
    "walkin",
    "come and see",
    "come over",
    "showroom",
    "show flat",
    "sample flat",
    "dekhne",
];
const SESSION_WORDS: &[&str] = &["demo", "trial", "webinar", "class", "session", "workshop"];

/// `template` with the booking's `{day}` ("Sun 22 Nov") and `{time}` ("11:00 AM") in the
/// business's zone.
fn on_day_at(s: &Snapshot, template: &str, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&business_tz(s));
    template
        .replace("{day}", &local.format("%a %-d %b").to_string())
        .replace("{time}", &local.format("%-I:%M %p").to_string())
}

/// A booking's time as the lead reads it: "Wed 18 Nov, 6:00 PM" in the business's zone.
pub(crate) fn said_time(s: &Snapshot, at: DateTime<Utc>) -> String {
    at.with_timezone(&business_tz(s))
        .format("%a %-d %b, %-I:%M %p")
        .to_string()
}

/// Moves the booking to the time the lead asked for: said back, the calendar event and the
/// team's item moved with it (the same acceptance, a new time), and nothing new offered. The
/// CTA's state stays what it was: the lead took it up once.
fn moved(
    s: &Snapshot,
    state: &mut ConversationState,
    booking: Booking,
    at: DateTime<Utc>,
    lang: &str,
    fx: &mut Effects,
) -> Draft {
    let when = said_time(s, at);
    let what = format!("{} at {when}", booking.cta.label());
    match state
        .commitments
        .agent
        .iter_mut()
        .rev()
        .find(|k| k.due == Some(booking.at))
    {
        Some(promise) => {
            promise.what = what;
            promise.due = Some(at);
            promise.source_message_id = s.last_new_message_id().map(str::to_owned);
        }
        None => state.commitments.agent.push(crate::state::Commitment {
            what,
            due: Some(at),
            source_message_id: s.last_new_message_id().map(str::to_owned),
        }),
    }
    state.booking = Some(Booking { at, ..booking });
    state.pending_question = None;
    fx.accepted = Some((booking.cta, CtaEvent::Clicked));
    fx.booking_at = Some(at);
    let text = match Meeting::of(s, booking.cta) {
        Meeting::Call => line(Line::Moved, lang).replace("{time}", &when),
        Meeting::Visit | Meeting::Session => on_day_at(s, line(Line::MovedMeeting, lang), at),
    };
    draft(text, ReasonCode::Confirmation, Some(booking.cta), 0.9)
}

/// "hmm" with the offer on the table: the offer is not sent again whole. One short question
/// about it, once; after that the agent waits for the lead (the follow-ups decide when to
/// come back).
fn after_filler(s: &Snapshot, state: &mut ConversationState, cta: CtaType, lang: &str) -> Draft {
    let asked = format!("nudge:{cta}");
    if state.asked_slots.contains(&asked) {
        return silence();
    }
    state.asked_slots.push(asked);
    let offer = s
        .enabled_cta(cta)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| cta.label().to_owned());
    let text = line(Line::OfferQuestion, lang).replace("{offer}", &lowercase_first(&offer));
    draft(capitalised(&text), ReasonCode::SoftNudge, None, 0.7)
}

/// The offer made and not yet answered: a "hmm" is about it.
fn offer_waiting(state: &ConversationState, now: DateTime<Utc>) -> Option<CtaType> {
    state.last_cta.filter(|c| {
        state.cta_states.get(c).is_some_and(|r| {
            matches!(
                r.as_of(now).state,
                CtaState::OfferedOnce | CtaState::OfferedTwice
            )
        })
    })
}

/// The failsafe: acknowledge, ask one simple question, stay safe (seeds/001 §22.2).
pub fn safe_reply(s: &Snapshot, state: &ConversationState) -> Draft {
    let lang = reply_language(s, state);
    draft(
        line(Line::Failsafe, &lang),
        ReasonCode::ClarificationRequest,
        None,
        0.3,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Played as a Hinglish lead: "Sneha naam hai, 12th mein hu, JEE" answered "What are you
    /// looking for?", then "sorry I meant 11th not 12th" got "Got it: hai, 11th, noted."
    #[test]
    fn a_correction_says_back_the_changed_words_of_their_clause() {
        assert_eq!(
            what_changed(
                "I want coaching for class 12",
                "I want coaching for class 11"
            ),
            Some("class 11".into())
        );
        assert_eq!(
            what_changed(
                "Sneha naam hai, 12th mein hu, JEE",
                "Sneha naam hai, 11th mein hu, JEE"
            ),
            Some("11th".into())
        );
        assert_eq!(what_changed("12th", "11th"), Some("11th".into()));
        assert_eq!(what_changed("class 12 JEE", "class 11 NEET"), None);
    }

    #[test]
    fn a_budget_is_said_back_in_the_business_currency() {
        assert_eq!(said_back("budget", "10000000", "INR"), "₹1,00,00,000");
        assert_eq!(said_back("budget", "9000000", ""), "₹90,00,000");
        assert_eq!(said_back("budget", "15000", "INR"), "₹15,000");
        assert_eq!(said_back("budget", "1500000", "AED"), "AED 1,500,000");
        assert_eq!(said_back("budget", "250000", "USD"), "$250,000");
        assert_eq!(said_back("class", "11th", "USD"), "11th");
        assert_eq!(capitalised("free call ke saath?"), "Free call ke saath?");
    }
}
