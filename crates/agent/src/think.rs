//! The think step: snapshot in, decision and state patch out. Order matters and is fixed:
//! hard rules, extraction, escalation, retrieval, the engine, guardrails (SPEC §5).

use crate::decision::{
    CalendarBooking, ContactPatch, CtaAccepted, Decision, Engine, Outcome, ReplyButton, StatePatch,
};
use crate::escalate;
use crate::extract::{self, Extraction};
use crate::guardrails::{self, Draft, GuardAction, GuardrailResult};
use crate::language::{Line, line};
use crate::llm_engine::{Guidance, LlmEngine};
use crate::profile::EngineMode;
use crate::retrieval;
use crate::rules_engine::{self, reply_language};
use crate::snapshot::{Snapshot, Trigger};
use crate::state::{ConversationState, SentimentPoint};
use chrono::Duration;
use closer_domain::agent::EscalationTrigger;
use closer_domain::cta::CtaEvent;
use closer_domain::engagement::ResponseRate;
use closer_domain::messaging::Author;
use closer_domain::sales::{ConversationStage, Intent, LeadStatus, ReasonCode, Sentiment};
use closer_domain::slots::{self, Observation};
use closer_llm::ChatModel;

/// Thinks about one conversation. `model` drives the LLM engine when the profile's mode is
/// `llm` (the caller passes one only when a provider is configured); otherwise, and as the
/// failsafe, the rules engine answers.
pub async fn think(s: &Snapshot, model: Option<&dyn ChatModel>) -> Outcome {
    // The opt-out confirmation says "reply START anytime": a lead who does is opted back in,
    // and this turn is answered like any other.
    if s.opted_out && opts_back_in(s) {
        let mut back = s.clone();
        back.opted_out = false;
        back.lead_status = LeadStatus::Engaged;
        let mut out = think_turn(&back, model, true).await;
        out.patch.opted_in = true;
        out.patch.lead_status.get_or_insert(LeadStatus::Engaged);
        return out;
    }
    think_turn(s, model, false).await
}

/// Words a lead sends, alone, to hear from the business again.
const OPT_IN: &[&str] = &["start", "unstop", "subscribe", "resume", "start again"];

fn opts_back_in(s: &Snapshot) -> bool {
    s.trigger == Trigger::LeadMessage
        && s.new_messages
            .last()
            .is_some_and(|t| OPT_IN.contains(&extract::normalize(&t.text).trim()))
}

/// One turn; `welcome_back` when the lead has just written START after opting out.
async fn think_turn(s: &Snapshot, model: Option<&dyn ChatModel>, welcome_back: bool) -> Outcome {
    let mut state = s.state.clone();
    // "START" is a keyword, not an answer to anything.
    let x = if s.trigger == Trigger::LeadMessage && !welcome_back {
        extract::extract(s)
    } else {
        Extraction::default()
    };
    let lead_wrote = s.trigger == Trigger::LeadMessage && !s.new_messages.is_empty();
    if lead_wrote {
        remember(s, &x, &mut state);
    }
    let mut patch = StatePatch {
        state: ConversationState::default(),
        stage: None,
        lead_status: None,
        intent: x.intent,
        contact: ContactPatch::default(),
        opted_out: false,
        opted_in: false,
        handoff: None,
        cta_accepted: None,
        calendar_event: None,
        alert: None,
        brief: None,
    };
    let mut decision = Decision {
        trigger: s.trigger,
        engine: Engine::Rules,
        should_send: false,
        message_type: closer_domain::messaging::MessageType::Text,
        buttons: vec![],
        reason_code: ReasonCode::StaySilent,
        cta_type: None,
        message_text: None,
        confidence: 1.0,
        retrieval_used: false,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0.0,
        prompt_tokens: 0,
        guardrails: vec![],
        handoff_required: false,
        handoff_priority: None,
        handoff: None,
        error: None,
        while_handed_over: false,
    };
    // Waiting only for the team's answer, the lead now asks for a person or is angry: they
    // wait for the person, the bot stops answering meanwhile, and the team's brief says so.
    let now_wants = if x.wants_human {
        Some(EscalationTrigger::HumanRequested)
    } else if matches!(x.sentiment, Some((Sentiment::Angry, _))) {
        Some(EscalationTrigger::AngrySentiment)
    } else {
        None
    };
    if lead_wrote
        && s.mode == closer_domain::messaging::ConversationMode::Human
        && let Some(trigger) = now_wants
        && let Some(brief) = state.handoff.as_mut()
        && escalate::lead_only_waits_for_an_answer(brief.escalation_reason)
    {
        brief.escalation_reason = trigger.into();
        patch.brief = Some(brief.clone());
    }
    let lang = reply_language(s, &state);
    let mut critique: Option<String> = None;

    // Hard rules first: an opt-out gets one confirmation, then silence forever.
    let opting_out = x.opt_out && !s.opted_out;
    let draft = if welcome_back && s.mode.bot_may_reply() {
        // Told once, in the lead's language, that messages will come again.
        let text = s
            .profile
            .script_library
            .exits
            .get("opt_in")
            .and_then(|sc| sc.for_reply(&lang))
            .unwrap_or(line(Line::OptIn, &lang));
        Draft {
            should_send: true,
            text: text.into(),
            reason_code: ReasonCode::Confirmation,
            cta_type: None,
            confidence: 1.0,
            answer: vec![],
            thanks: None,
        }
    } else if opting_out {
        patch.opted_out = true;
        patch.lead_status = Some(LeadStatus::OptedOut);
        patch.stage = Some(ConversationStage::ClosedLost);
        let text = s
            .profile
            .script_library
            .exits
            .get("opt_out")
            .and_then(|sc| sc.for_reply(&lang))
            .unwrap_or(line(Line::OptOut, &lang));
        // Whoever has the conversation: after a STOP nobody else may write to the lead (a
        // person neither), so the compliance confirmation is the agent's to send.
        Draft {
            should_send: true,
            text: text.into(),
            reason_code: ReasonCode::ExitGraceful,
            cta_type: None,
            confidence: 1.0,
            answer: vec![],
            thanks: None,
        }
    } else if s.trigger == Trigger::Followup && !s.opted_out && s.mode.bot_may_reply() {
        // The lead went quiet: a short, non-pushy line (the guardrails still decide whether
        // it may go — staleness, budget, window). The model may write it; the rules' line is
        // its suggestion and the fallback.
        let nudge = crate::followup::nudge(s, &state, &lang);
        match model {
            Some(model) if s.profile.mode == EngineMode::Llm => {
                let (draft, checked) =
                    follow_up_with_model(s, &x, &state, nudge, model, &mut decision).await;
                critique = checked;
                draft
            }
            _ => nudge,
        }
    } else if let Some(note) = waiting_for_a_person(s, lead_wrote)
        .then(|| {
            rules_engine::handover_note(s, &state, &lang)
                .or_else(|| rules_engine::while_waiting(s, &x, &mut state, &lang))
                .or_else(|| {
                    let knowledge = knowledge_for(s, &without_told_name(&s.new_text(), &x));
                    rules_engine::answer_while_waiting(s, &x, &mut state, &knowledge)
                })
                .or_else(|| rules_engine::person_still_coming(s, &x, &mut state, &lang))
        })
        .flatten()
    {
        // Handed to the team, nobody has answered yet, and the lead moved the call, asked
        // for a link they can use alone, or asks whether anyone is there: told that the team
        // knows (with the link), rather than left to wonder whether anyone read it.
        decision.while_handed_over = true;
        note
    } else if s.opted_out || !s.mode.bot_may_reply() || !lead_wrote {
        // Human, paused or closed: record and extract, never reply.
        Draft {
            should_send: false,
            text: String::new(),
            reason_code: if s.trigger == Trigger::Followup {
                ReasonCode::ScheduleFollowup
            } else {
                ReasonCode::StaySilent
            },
            cta_type: None,
            confidence: 1.0,
            answer: vec![],
            thanks: None,
        }
    } else if let Some(e) = escalate::check(
        &x,
        &state,
        &escalate::switches(&s.profile.sales_rules.escalation_triggers),
    ) {
        // "Can someone call me tomorrow at 4pm?": the time goes to the team with the request,
        // and a later "make it 5pm" moves it.
        if x.wants_human
            && let Some(at) = x.proposed_time
        {
            rules_engine::note_call_requested(s, &mut state, at);
            state.summary = summarize(s, &state);
        }
        hand_over(&e, s, &lang, &mut state, &mut patch, &mut decision)
    } else {
        // The name the lead just told is no topic: "Hi I'm Amit, interested in the JEE
        // course" asks about the course.
        let query = without_told_name(&s.new_text(), &x);
        let knowledge = knowledge_for(s, &query);
        let earlier = if x.references_past {
            let past: Vec<_> = s
                .history
                .iter()
                .filter(|t| !s.new_messages.iter().any(|n| n.id == t.id))
                .cloned()
                .collect();
            retrieval::retrieve(&query, &[], &past, s.now)
        } else {
            vec![]
        };
        decision.retrieval_used = !knowledge.is_empty() || !earlier.is_empty();
        if x.is_question {
            want_known_from_answer(s, &knowledge, &mut state);
        }
        let mut all = knowledge;
        all.extend(earlier);
        let (draft, fx) = match model {
            Some(model) if s.profile.mode == EngineMode::Llm => {
                let written = with_model(s, &x, &mut state, &all, model, &mut decision).await;
                if let Some(alert) = written.alert {
                    patch.alert = Some(alert);
                }
                critique = written.critique;
                (written.draft, written.fx)
            }
            _ => rules_engine::respond(s, &x, &mut state, &all),
        };
        // Promises become work, whichever engine wrote the reply: a "let me check with the
        // team" the model wrote on its own is a promise like the rules' one.
        let mut fx = fx;
        if !fx.binds_the_team()
            && draft.should_send
            && decision.engine == Engine::Llm
            && escalate::promises_to_check(&draft.text)
        {
            rules_engine::promise_an_answer(s, &mut state);
            fx.promised_answer = true;
        }
        keep_promises(&fx, s, &mut state, &mut patch, &mut decision);
        if let Some((cta, event)) = fx.accepted {
            let who = state
                .slot_value("name")
                .map(str::to_owned)
                .or_else(|| s.profile_name.clone());
            if let Some(at) = fx.booking_at {
                patch.calendar_event = Some(CalendarBooking {
                    title: format!("{}: {}", cta.label(), who.as_deref().unwrap_or("lead")),
                    start_at: at,
                    end_at: at + Duration::minutes(30),
                });
            }
            patch.cta_accepted = Some(CtaAccepted {
                cta,
                completed: event == CtaEvent::Completed,
                name: who,
                at: fx.booking_at,
            });
        }
        // The engine would let go of a lead nobody has said no to: a person takes it instead.
        match escalate::nothing_left_to_offer(&x, &state) {
            Some(e) if draft.reason_code == ReasonCode::ExitGraceful => {
                hand_over(&e, s, &lang, &mut state, &mut patch, &mut decision)
            }
            _ => draft,
        }
    };

    let (draft, mut results) = if decision.while_handed_over {
        // The human lock is for a person's conversation: here nobody has taken it yet.
        let waiting = Snapshot {
            mode: closer_domain::messaging::ConversationMode::Bot,
            ..s.clone()
        };
        let (draft, mut results) = guardrails::enforce(draft, &waiting, &state, opting_out);
        if let Some(lock) = results.iter_mut().find(|g| g.rule == "human_lock") {
            lock.detail = "handed to the team, nobody has answered yet: the lead's change or \
                           request is acknowledged"
                .into();
        }
        (draft, results)
    } else {
        guardrails::enforce(draft, s, &state, opting_out)
    };
    if let Some(verdict) = critique {
        // The model's own check, shown with the code's; it never replaces them.
        let action = if verdict.starts_with("revised") {
            GuardAction::Repaired
        } else {
            GuardAction::Passed
        };
        results.insert(
            0,
            GuardrailResult {
                rule: "llm_critic".into(),
                action,
                detail: verdict,
            },
        );
    }
    decision.guardrails = results;
    decision.should_send = draft.should_send;
    decision.reason_code = if draft.should_send || decision.handoff_required {
        draft.reason_code
    } else if s.trigger == Trigger::Followup {
        ReasonCode::ScheduleFollowup
    } else {
        ReasonCode::StaySilent
    };
    decision.cta_type = draft.cta_type.filter(|_| draft.should_send);
    decision.confidence = draft.confidence;
    decision.message_text = draft.should_send.then(|| draft.text.clone());
    if decision
        .guardrails
        .iter()
        .any(|g| g.rule == "safe_fallback")
        && decision.engine == Engine::Llm
    {
        decision.engine = Engine::Fallback;
    }

    if draft.should_send {
        state.response_rate.bot_messages += 1;
        if let Some(cta) = draft.cta_type
            && draft.reason_code == ReasonCode::CtaPush
        {
            // An offer is answered with a tap: the buttons come back with the CTA in their id.
            // A link the lead asked for while waiting for a person is theirs to use; a yes or
            // no to it would ask what they already said.
            if !decision.while_handed_over {
                let lang = reply_language(s, &state);
                decision.message_type = closer_domain::messaging::MessageType::Interactive;
                decision.buttons = vec![
                    ReplyButton {
                        id: format!("cta:{cta}:yes"),
                        title: line(Line::ButtonYes, &lang).into(),
                    },
                    ReplyButton {
                        id: format!("cta:{cta}:no"),
                        title: line(Line::ButtonNo, &lang).into(),
                    },
                ];
            }
            let record = state
                .cta_states
                .get(&cta)
                .cloned()
                .unwrap_or_else(|| closer_domain::cta::CtaRecord::new(s.now));
            if let Ok(next) = record.apply(CtaEvent::Offered, s.now) {
                state.cta_states.insert(cta, next);
            }
            state.last_cta = Some(cta);
        }
    } else if !decision.handoff_required && !opting_out {
        // Nothing went out: keep the question we asked earlier open.
        state.pending_question = state
            .pending_question
            .take()
            .or(s.state.pending_question.clone());
    }
    // A note while the team has the conversation moves neither the stage nor the status.
    if patch.stage.is_none() && !decision.while_handed_over {
        patch.stage = stage_after(s, &decision, &patch);
    }
    if patch.lead_status.is_none() && !decision.while_handed_over {
        patch.lead_status = status_after(s, &state, &decision, &patch);
    }
    if let Some(intent) = x.intent {
        state.intent = Some(intent);
    }
    patch.contact = ContactPatch {
        // The profile name is the contact's already: only a name the lead wrote changes it.
        name: changed(&s.state, &state, "name").filter(|_| {
            state
                .slots
                .get("name")
                .is_some_and(|n| n.source_message_id.is_some())
        }),
        email: changed(&s.state, &state, "email"),
        city: changed(&s.state, &state, "city"),
        phone: changed(&s.state, &state, "phone"),
        language: (state.language != s.state.language)
            .then(|| state.language.clone())
            .flatten(),
    };
    // The next follow-up is planned by the caller from the follow-up settings
    // (`followup::plan_followup`), not from this patch.
    state.summary = summarize(s, &state);
    // The lead moved the call's time after the handover: the brief the team works from says
    // the time they last gave, not the one they first asked for.
    if !decision.handoff_required
        && state.call_requested != s.state.call_requested
        && let Some(brief) = state.handoff.as_mut()
    {
        brief.summary = state.summary.clone();
        brief.key_slots = state
            .slots
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        patch.brief = Some(brief.clone());
    }
    patch.state = state;
    Outcome { decision, patch }
}

/// The model's follow-up for a quiet lead, the rules' `nudge` its suggestion and fallback,
/// with the model's own check. A follow-up is never a fresh pitch: the rules' kind stands.
async fn follow_up_with_model(
    s: &Snapshot,
    x: &Extraction,
    state: &ConversationState,
    nudge: Draft,
    model: &dyn ChatModel,
    decision: &mut Decision,
) -> (Draft, Option<String>) {
    let guidance = Guidance {
        suggestion: &nudge,
        next_slot: None,
        next_cta: None,
    };
    match LlmEngine::new(model)
        .write(s, x, state, &[], &guidance)
        .await
    {
        Ok(written) => {
            model_wrote(decision, &written);
            let mut draft = written.draft;
            if !crate::followup::FOLLOWUP_REASONS.contains(&draft.reason_code) {
                draft.reason_code = nudge.reason_code;
                draft.cta_type = nudge.cta_type;
            }
            (draft, Some(written.critique))
        }
        Err(failure) => {
            model_failed(decision, &failure);
            decision.error = Some(failure.error);
            (nudge, None)
        }
    }
}

/// What the model made of a lead's message: the reply, the rules' effects that stand, the
/// model's own check, and an alert for the owner when it failed.
struct ModelReply {
    draft: Draft,
    fx: rules_engine::Effects,
    critique: Option<String>,
    alert: Option<String>,
}

/// The LLM engine's turn on a lead's message. The rules engine plans first: its facts (a CTA
/// taken up, a booking, confusion) stand, and a call asked for is read back by the code, not
/// worded by the model; what to ask and offer next is the model's plan, with the rules'
/// reply as its suggestion and, when the model fails, the safe reply instead.
async fn with_model(
    s: &Snapshot,
    x: &Extraction,
    state: &mut ConversationState,
    all: &[retrieval::Snippet],
    model: &dyn ChatModel,
    decision: &mut Decision,
) -> ModelReply {
    let mut planned = state.clone();
    let (suggestion, mut fx) = rules_engine::respond(s, x, &mut planned, all);
    if fx.call_requested {
        // The call they asked for is the team's to confirm: the code's reply reads back the
        // time the team's item holds, whatever the engine.
        *state = planned;
        return ModelReply {
            draft: suggestion,
            fx,
            critique: None,
            alert: None,
        };
    }
    if fx.promised_answer {
        // The knowledge base has no answer, but the model also reads the business's
        // documents: it answers, and the question goes to the team only if its own reply
        // promises to check (`think_turn`).
        rules_engine::withdraw_promised_answer(s, &mut planned);
        fx.promised_answer = false;
    }
    planned.asked_slots = state.asked_slots.clone();
    planned.pending_question = None;
    if suggestion.reason_code == ReasonCode::CtaPush {
        planned.last_cta = state.last_cta;
    }
    let guidance = Guidance {
        suggestion: &suggestion,
        next_slot: rules_engine::next_slot(s, &planned),
        next_cta: rules_engine::next_cta(s, &planned),
    };
    let (draft, critique, alert) = match LlmEngine::new(model)
        .write(s, x, &planned, all, &guidance)
        .await
    {
        Ok(written) => {
            model_wrote(decision, &written);
            if let Some(ask) = written.asks {
                if ask != "booking_time" {
                    planned.asked_slots.push(ask.clone());
                }
                planned.pending_question = Some(ask);
            }
            (written.draft, Some(written.critique), None)
        }
        Err(failure) => {
            model_failed(decision, &failure);
            let alert = format!(
                "The LLM engine failed; the safe reply went instead: {}",
                failure.error
            );
            decision.error = Some(failure.error);
            (rules_engine::safe_reply(s, &planned), None, Some(alert))
        }
    };
    *state = planned;
    ModelReply {
        draft,
        fx,
        critique,
        alert,
    }
}

/// The agent handed this conversation to the team (mode human) and no person has taken it
/// since, by writing or by taking it over: the lead is waiting for a person who has not come
/// yet. A person who took it over answers it, even before writing; a takeover that ended
/// (handed back, then handed over by the agent again) is older than the handover.
fn waiting_for_a_person(s: &Snapshot, lead_wrote: bool) -> bool {
    let Some(handed) = s.state.handoff.as_ref() else {
        return false;
    };
    lead_wrote
        && !s.opted_out
        && s.mode == closer_domain::messaging::ConversationMode::Human
        && s.taken_over_at.is_none_or(|at| at < handed.at)
        && !s
            .history
            .iter()
            .any(|t| t.author == Author::Human && t.at >= handed.at)
}

/// Hands the conversation to the team: mode human, needs_human with the priority, the brief
/// first in the inbox, and a line telling the lead a person is coming.
fn hand_over(
    e: &escalate::Escalation,
    s: &Snapshot,
    lang: &str,
    state: &mut ConversationState,
    patch: &mut StatePatch,
    decision: &mut Decision,
) -> Draft {
    mark_handoff(e, s, state, patch, decision);
    let own = s
        .profile
        .script_library
        .exits
        .get("handoff")
        .and_then(|sc| sc.for_reply(lang));
    let local_now = s
        .now
        .with_timezone(&crate::extract::business_tz(s))
        .naive_local();
    let schedule = s.profile.business_config.schedule();
    let text = escalate::handover_line(&schedule, local_now, e.lead_is_upset(), lang, own);
    Draft {
        should_send: true,
        text,
        reason_code: ReasonCode::NeedsHuman,
        cta_type: None,
        confidence: 0.9,
        answer: vec![],
        thanks: None,
    }
}

/// A reply that binds the team is handed to it: the call the lead asked for (its time in the
/// brief), or the answer promised. The same for both engines.
fn keep_promises(
    fx: &rules_engine::Effects,
    s: &Snapshot,
    state: &mut ConversationState,
    patch: &mut StatePatch,
    decision: &mut Decision,
) {
    let e = if fx.call_requested {
        escalate::call_requested()
    } else if fx.promised_answer {
        escalate::unanswered_question()
    } else {
        return;
    };
    // The brief's summary says the time asked for.
    state.summary = summarize(s, state);
    mark_handoff(&e, s, state, patch, decision);
}

/// The conversation goes to a person with `e`'s brief; the bot falls silent until released.
fn mark_handoff(
    e: &escalate::Escalation,
    s: &Snapshot,
    state: &mut ConversationState,
    patch: &mut StatePatch,
    decision: &mut Decision,
) {
    let package = escalate::package(e, state, s.now);
    patch.handoff = Some(e.priority);
    patch.stage = Some(ConversationStage::HumanTakeover);
    patch.lead_status = Some(LeadStatus::NeedsHuman);
    decision.handoff_required = true;
    decision.handoff_priority = Some(e.priority);
    decision.handoff = Some(package.clone());
    state.handoff = Some(package);
}

fn changed(before: &ConversationState, after: &ConversationState, slot: &str) -> Option<String> {
    let v = after.slot_value(slot)?;
    (before.slot_value(slot) != Some(v)).then(|| v.to_owned())
}

/// `text` without the words of the name this message told.
fn without_told_name(text: &str, x: &Extraction) -> String {
    let Some((_, name)) = x.slots.iter().find(|(k, _)| k == "name") else {
        return text.to_owned();
    };
    let words: Vec<String> = name
        .value
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    text.split(' ')
        .filter(|w| {
            let bare = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            !words.contains(&bare)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How sure a name taken from the WhatsApp profile is: implied, below what the lead writes,
/// yet not guessed (no "just to confirm, your name is…?").
const PROFILE_NAME_CONFIDENCE: f32 = 0.7;

/// The lead's question, answered from an entry about something the business offers ("weekend
/// pe classes hoti hai kya?" from "Do you have weekend batches?"), says what they want: the
/// need is known (implied, never reconfirmed), so no engine asks "What are you looking
/// for?" after the answer.
fn want_known_from_answer(
    s: &Snapshot,
    knowledge: &[retrieval::Snippet],
    state: &mut ConversationState,
) {
    let answered: Vec<&str> = knowledge
        .iter()
        .filter(|k| k.answers && k.source == retrieval::SnippetSource::Knowledge)
        .map(|k| k.title.as_str())
        .collect();
    let filled = |k: &str| state.slots.contains_key(k);
    let wanted = extract::slots::wanted_from_answer(s, &filled, &answered);
    for (key, value) in wanted {
        let implied = Observation {
            value,
            confidence: closer_domain::slots::RECONFIRM_BELOW,
            correction: false,
            source_message_id: s.last_new_message_id().map(str::to_owned),
            at: s.now,
        };
        if let Some(slot) = slots::merge(state.slots.get(&key), &implied) {
            state.slots.insert(key, slot);
        }
    }
}

/// The business's knowledge on `query` (the lead's words, without a name they just told).
fn knowledge_for(s: &Snapshot, query: &str) -> Vec<retrieval::Snippet> {
    retrieval::retrieve_knowledge(
        query,
        &s.knowledge,
        &s.profile.business_config.business_name,
    )
}

/// Folds this turn's reading into the memory.
fn remember(s: &Snapshot, x: &Extraction, state: &mut ConversationState) {
    let pending = state.pending_question.clone();
    // The answer to "just to confirm, budget 10000?".
    if let Some(slot) = pending.as_deref().and_then(|p| p.strip_prefix("confirm:"))
        && let Some(current) = state.slots.get(slot).cloned()
    {
        let obs = if x.accepts {
            Some(Observation {
                value: current.value.clone(),
                confidence: 0.9,
                correction: false,
                source_message_id: s.last_new_message_id().map(str::to_owned),
                at: s.now,
            })
        } else {
            x.slots
                .iter()
                .find(|(k, _)| k == slot)
                .map(|(_, o)| Observation {
                    correction: true,
                    ..o.clone()
                })
        };
        if let Some(obs) = obs
            && let Some(merged) = slots::merge(Some(&current), &obs)
        {
            state.slots.insert(slot.to_owned(), merged);
        }
        state.pending_question = None;
    }
    // A tapped offer button answers that offer, even an older one.
    if let Some((cta, _)) = s
        .new_messages
        .iter()
        .rev()
        .find_map(|t| t.reply_id.as_deref().and_then(ReplyButton::parse_id))
    {
        state.last_cta = Some(cta);
    }
    for (name, obs) in &x.slots {
        if let Some(merged) = slots::merge(state.slots.get(name), obs) {
            state.slots.insert(name.clone(), merged);
        }
    }
    // WhatsApp's profile name, when it looks like a real one, is the lead's name until they
    // tell theirs: implied (not read from a message), so the agent does not ask for it.
    let asks_name = s
        .profile
        .sales_rules
        .qualification_checklist
        .iter()
        .any(|(k, _)| k == "name");
    if asks_name
        && !state.slots.contains_key("name")
        && let Some(name) = s
            .profile_name
            .as_deref()
            .and_then(extract::slots::name_from_profile)
    {
        let implied = Observation {
            value: name,
            confidence: PROFILE_NAME_CONFIDENCE,
            correction: false,
            source_message_id: None,
            at: s.now,
        };
        if let Some(slot) = slots::merge(None, &implied) {
            state.slots.insert("name".into(), slot);
        }
    }
    // "6pm not 5pm" for the call the team is to confirm: remembered even while a person has
    // the conversation and the agent stays quiet.
    if state.call_requested.is_some()
        && let Some(at) = x.moves_booking_to
        && !x.declines
    {
        rules_engine::note_call_requested(s, state, at);
    }
    // "Can you call me tomorrow at 5pm?" while the team has the conversation (handed over
    // for another reason): the call and its time go to the team's item.
    if state.call_requested.is_none()
        && state.handoff.is_some()
        && !s.mode.bot_may_reply()
        && x.asks_to_book
        && !x.declines
        && let Some(at) = x.proposed_time
    {
        rules_engine::note_call_requested(s, state, at);
    }
    state.commitments.user.extend(x.commitments.iter().cloned());
    if let Some((sentiment, confidence)) = x.sentiment {
        state.sentiment_history.push(SentimentPoint {
            sentiment,
            confidence,
            at: s.now,
        });
        let excess = state
            .sentiment_history
            .len()
            .saturating_sub(ConversationState::SENTIMENT_KEPT);
        state.sentiment_history.drain(..excess);
    }
    if let Some(lang) = x.language {
        state.language = Some(lang.to_owned());
    }
    if x.compliance_risk && !state.risk_flags.iter().any(|f| f == "compliance") {
        state.risk_flags.push("compliance".into());
    }
    let bot_before = s.history.iter().any(|t| t.author == Author::Bot);
    if bot_before {
        state.response_rate = ResponseRate {
            lead_replies: state.response_rate.lead_replies + 1,
            ..state.response_rate
        };
    }
    state.last_lead_message_at = s
        .new_messages
        .last()
        .map(|t| t.at)
        .or(state.last_lead_message_at);
}

fn stage_after(s: &Snapshot, d: &Decision, patch: &StatePatch) -> Option<ConversationStage> {
    let next = match (d.reason_code, &patch.cta_accepted) {
        (_, Some(a)) if a.completed && a.cta == closer_domain::sales::CtaType::Payment => {
            ConversationStage::ClosedWon
        }
        (_, Some(_)) => ConversationStage::CtaInProgress,
        (ReasonCode::InitialGreeting, _) => ConversationStage::InitialContact,
        (ReasonCode::QualificationQuestion | ReasonCode::Confirmation, _) => {
            ConversationStage::Qualification
        }
        (ReasonCode::ObjectionHandling, _) => ConversationStage::ObjectionHandling,
        (ReasonCode::CtaPush, _) => ConversationStage::CtaOffered,
        (ReasonCode::PricingDiscussion | ReasonCode::ValueProposition, _) => {
            ConversationStage::Discovery
        }
        _ => return None,
    };
    (next != s.stage).then_some(next)
}

fn status_after(
    s: &Snapshot,
    state: &ConversationState,
    d: &Decision,
    patch: &StatePatch,
) -> Option<LeadStatus> {
    if s.lead_status.is_settled() {
        return None;
    }
    let required_done = s
        .profile
        .sales_rules
        .qualification_checklist
        .iter()
        .filter(|(_, r)| matches!(r, crate::profile::Requirement::Required))
        .all(|(k, _)| state.slots.contains_key(k));
    let next = if let Some(a) = &patch.cta_accepted {
        if a.completed && a.cta == closer_domain::sales::CtaType::Payment {
            LeadStatus::Won
        } else {
            LeadStatus::Hot
        }
    } else if state.intent == Some(Intent::VeryHigh) {
        LeadStatus::Hot
    } else if d.reason_code == ReasonCode::CtaPush {
        LeadStatus::Engaged
    } else if required_done && !state.slots.is_empty() {
        LeadStatus::Qualified
    } else if s.lead_status == LeadStatus::New && d.should_send {
        LeadStatus::Qualifying
    } else {
        return None;
    };
    // Never step back down the funnel on our own.
    let rank = |l: LeadStatus| LeadStatus::ALL.iter().position(|x| *x == l).unwrap_or(0);
    (rank(next) > rank(s.lead_status) || s.lead_status == LeadStatus::NeedsHuman).then_some(next)
}

/// The rolling summary, rebuilt from memory each turn (never truncated out of context).
pub fn summarize(s: &Snapshot, state: &ConversationState) -> String {
    let mut parts = vec![];
    let name = state
        .slot_value("name")
        .map(str::to_owned)
        .or_else(|| s.profile_name.clone())
        .unwrap_or_else(|| "Lead".into());
    let mut who = name;
    if let Some(city) = state.slot_value("city") {
        who.push_str(&format!(" from {city}"));
    }
    parts.push(who + ".");
    let facts: Vec<String> = state
        .slots
        .iter()
        .filter(|(k, _)| !["name", "city", "email"].contains(&k.as_str()))
        .map(|(k, v)| {
            format!(
                "{}: {}",
                k.replace('_', " "),
                v.value.chars().take(60).collect::<String>()
            )
        })
        .collect();
    if !facts.is_empty() {
        parts.push(facts.join("; ") + ".");
    }
    if let Some(i) = state.intent {
        parts.push(format!("Intent {i}."));
    }
    let ctas: Vec<String> = state
        .cta_states
        .iter()
        .map(|(k, r)| format!("{k} {}", r.state))
        .collect();
    if !ctas.is_empty() {
        parts.push(format!("CTAs: {}.", ctas.join(", ")));
    }
    if let Some(at) = state.call_requested {
        let local = at.with_timezone(&crate::extract::business_tz(s));
        parts.push(format!(
            "Asked for a call at {}.",
            local.format("%a %-d %b, %-I:%M %p")
        ));
    }
    if let Some(c) = state.commitments.user.last() {
        parts.push(format!("Lead promised: {}.", c.what.trim_end_matches('.')));
    }
    if let Some(p) = state.sentiment_history.last() {
        parts.push(format!("Mood {}.", p.sentiment));
    }
    if let Some(q) = &state.pending_question {
        parts.push(format!("Waiting on: {}.", q.replace('_', " ")));
    }
    parts.join(" ")
}

/// The decision was the model's: its engine and what writing it cost.
fn model_wrote(decision: &mut Decision, written: &crate::llm_engine::Written) {
    decision.engine = Engine::Llm;
    decision.input_tokens = written.usage.input_tokens;
    decision.output_tokens = written.usage.output_tokens;
    decision.cost_usd = written.cost_usd;
    decision.prompt_tokens = written.prompt_tokens;
}

/// The model gave up: the safe reply goes, and what the calls before that cost is counted.
fn model_failed(decision: &mut Decision, failure: &crate::llm_engine::Failure) {
    decision.engine = Engine::Fallback;
    decision.input_tokens = failure.usage.input_tokens;
    decision.output_tokens = failure.usage.output_tokens;
    decision.cost_usd = failure.cost_usd;
}
