//! The rules engine over scripted conversations, in English and Hinglish: what it says, what
//! it remembers, and where the conversation ends up.

use crate::support::*;
use chrono::{TimeZone, Utc};
use closer_agent::Engine;
use closer_agent::guardrails::GuardAction;
use closer_domain::agent::HandoverReason;
use closer_domain::messaging::ConversationMode;
use closer_domain::sales::{
    ConversationStage, CtaType, EscalationPriority, LeadStatus, ReasonCode,
};

/// Says each line and returns the reason codes of the answers.
async fn talk(c: &mut closer_agent::simulator::Conversation, lines: &[&str]) -> Vec<ReasonCode> {
    let mut reasons = vec![];
    for line in lines {
        let o = c.lead_says(line, None).await;
        assert_eq!(o.decision.engine, Engine::Rules);
        reasons.push(o.decision.reason_code);
    }
    reasons
}

/// The starter profile with no contact link: a conversation with no call to action to offer.
fn nothing_to_offer() -> closer_agent::simulator::Conversation {
    let mut p = profile();
    p.business_config.contact_links.clear();
    closer_agent::simulator::Conversation::new(p, morning_in_india())
}

fn slot(c: &closer_agent::simulator::Conversation, name: &str) -> Option<String> {
    c.state.slot_value(name).map(str::to_owned)
}

#[tokio::test]
async fn an_english_lead_is_answered_qualified_offered_a_call_and_booked() {
    let mut c = conversation(profile());
    let reasons = talk(
        &mut c,
        &[
            "Hi, what are your fees?",
            "I'm Priya",
            "I want to learn stock trading on weekends",
            "next month",
        ],
    )
    .await;
    // The fee is fixed and was quoted: no budget question before the offer.
    assert_eq!(
        reasons,
        [
            ReasonCode::PricingDiscussion,
            ReasonCode::QualificationQuestion,
            ReasonCode::QualificationQuestion,
            ReasonCode::CtaPush,
        ]
    );
    let replies = c.replies();
    // The FAQ answers the price, and one question follows it.
    assert!(replies[0].contains("₹2999"), "{}", replies[0]);
    assert_eq!(replies[0].matches('?').count(), 1, "{}", replies[0]);
    assert!(replies[0].ends_with("May I know your name?"));
    assert_eq!(slot(&c, "name").as_deref(), Some("Priya"));
    assert_eq!(
        slot(&c, "need").as_deref(),
        Some("I want to learn stock trading on weekends")
    );
    assert_eq!(slot(&c, "timeline").as_deref(), Some("next month"));
    assert_eq!(slot(&c, "budget"), None);
    assert!(replies[3].contains(BOOKING_LINK), "{}", replies[3]);
    assert_eq!(c.stage, ConversationStage::CtaOffered);
    // The offer goes with reply buttons.
    let offer = &c.outcomes[3].decision;
    assert_eq!(
        offer.message_type,
        closer_domain::messaging::MessageType::Interactive
    );
    let ids: Vec<&str> = offer.buttons.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["cta:book_call:yes", "cta:book_call:no"]);
    assert!(offer.buttons.iter().all(|b| b.title.chars().count() <= 20));
    assert_eq!(
        c.outcomes[2].decision.message_type,
        closer_domain::messaging::MessageType::Text
    );

    let o = c.lead_says("yes, tomorrow 5pm", None).await.clone();
    assert_eq!(o.decision.reason_code, ReasonCode::Confirmation);
    let accepted = o.patch.cta_accepted.expect("the call is taken up");
    assert_eq!(accepted.cta, CtaType::BookCall);
    assert_eq!(accepted.name.as_deref(), Some("Priya"));
    // 5 PM tomorrow in India, 11:30 UTC.
    let at = Utc.with_ymd_and_hms(2026, 11, 18, 11, 30, 0).unwrap();
    assert_eq!(accepted.at, Some(at));
    let event = o.patch.calendar_event.expect("a calendar event");
    assert_eq!(event.title, "Book a call: Priya");
    assert_eq!(event.start_at, at);
    assert!(o.decision.message_text.unwrap().contains("5:00 PM"));
    assert_eq!(c.lead_status, LeadStatus::Hot);
    assert_eq!(c.stage, ConversationStage::CtaInProgress);
    assert_eq!(
        c.state.commitments.agent.last().and_then(|k| k.due),
        Some(at)
    );

    // Nothing the rules engine said needed repairing.
    for o in &c.outcomes {
        for g in &o.decision.guardrails {
            assert_eq!(g.action, GuardAction::Passed, "{g:?}");
        }
    }
}

#[tokio::test]
async fn a_hinglish_lead_gets_hinglish_answers_and_an_opt_out_is_final() {
    let mut c = conversation(profile());
    let reasons = talk(
        &mut c,
        &[
            "Namaste, fees kitni hai?",
            "Mera naam Rahul hai",
            "mujhe trading seekhna hai",
            "bahut mehenga hai",
        ],
    )
    .await;
    assert_eq!(
        reasons,
        [
            ReasonCode::PricingDiscussion,
            ReasonCode::QualificationQuestion,
            ReasonCode::QualificationQuestion,
            ReasonCode::ObjectionHandling,
        ]
    );
    assert_eq!(c.state.language.as_deref(), Some("hi-en"));
    let replies = c.replies();
    // The owner wrote the fee answer in English: the reply around it is English too (one
    // language per reply); the lead is still answered in Hinglish after it.
    assert!(replies[0].contains("₹2999"), "{}", replies[0]);
    assert!(
        replies[0].ends_with("May I know your name?"),
        "{}",
        replies[0]
    );
    // The name said back once, then the next question.
    assert_eq!(replies[1], "Thanks Rahul! Aap kya dhoondh rahe hain?");
    assert!(replies[3].starts_with("Samajh sakta hun"), "{}", replies[3]);
    assert_eq!(slot(&c, "name").as_deref(), Some("Rahul"));

    let o = c.lead_says("band karo", None).await.clone();
    assert!(o.patch.opted_out);
    assert_eq!(o.decision.reason_code, ReasonCode::ExitGraceful);
    assert!(
        o.decision.message_text.unwrap().contains("START"),
        "one confirmation, in Hinglish, saying how to come back"
    );
    assert_eq!(c.lead_status, LeadStatus::OptedOut);
    for line in ["hello?", "fees kitni hai?"] {
        let o = c.lead_says(line, None).await;
        assert!(!o.decision.should_send, "silence after an opt-out");
        let rule = o.decision.guardrails.iter().find(|g| g.rule == "opted_out");
        assert_eq!(rule.map(|g| g.action), Some(GuardAction::Blocked));
    }
    assert_eq!(c.replies().len(), 5);
}

#[tokio::test]
async fn a_correction_overwrites_a_slot_and_a_request_for_a_person_hands_over() {
    let mut c = conversation(profile());
    c.lead_says("my budget is 10k", None).await;
    assert_eq!(slot(&c, "budget").as_deref(), Some("10000"));
    c.lead_says("sorry, I meant 20k", None).await;
    let budget = c.state.slots.get("budget").expect("budget");
    assert_eq!(budget.value, "20000");
    assert_eq!(budget.source_message_id.as_deref(), Some("m3"));

    let o = c
        .lead_says("this is useless, I want to talk to a real person", None)
        .await
        .clone();
    // An opinion is not a name.
    assert_eq!(slot(&c, "name"), None);
    assert!(o.decision.handoff_required);
    assert_eq!(o.decision.reason_code, ReasonCode::NeedsHuman);
    assert_eq!(o.patch.handoff, Some(EscalationPriority::High));
    let brief = o.decision.handoff.expect("a handover brief");
    assert_eq!(
        brief.key_slots.get("budget").map(String::as_str),
        Some("20000")
    );
    assert_eq!(c.mode, ConversationMode::Human);

    // The team has it now: the agent listens and never answers.
    let o = c
        .lead_says("hello?? my email is a.b@example.com", None)
        .await;
    assert!(!o.decision.should_send);
    assert_eq!(
        o.decision
            .guardrails
            .iter()
            .find(|g| g.rule == "human_lock")
            .map(|g| g.action),
        Some(GuardAction::Blocked)
    );
    assert_eq!(slot(&c, "email").as_deref(), Some("a.b@example.com"));
}

#[tokio::test]
async fn an_angry_lead_gets_an_apology_with_the_handover() {
    let mut c = conversation(profile());
    let o = c
        .lead_says(
            "Worst institute, nobody called me back. Cheating people!",
            None,
        )
        .await
        .clone();
    assert!(o.decision.handoff_required);
    let reply = c.replies().last().copied().unwrap_or_default().to_owned();
    assert!(reply.starts_with("Sorry for the trouble."), "{reply}");
    // A calm request for a person is handed over without an apology.
    let mut c = conversation(profile());
    c.lead_says("Can I talk to a real person please?", None)
        .await;
    let reply = c.replies().last().copied().unwrap_or_default().to_owned();
    assert!(!reply.contains("Sorry"), "{reply}");
}

#[tokio::test]
async fn the_same_call_is_offered_at_most_twice_then_the_agent_lets_go() {
    let mut p = profile();
    // Nothing to qualify: straight to the offer.
    p.sales_rules.qualification_checklist.clear();
    let mut c = conversation(p);
    c.lead_says("hello", None).await;
    let mut offers = 0;
    for line in ["not now", "hmm ok", "maybe", "what else", "tell me more"] {
        let o = c.lead_says(line, None).await;
        if o.decision.cta_type == Some(CtaType::BookCall)
            && o.decision.reason_code == ReasonCode::CtaPush
        {
            offers += 1;
        }
    }
    assert!((1..=2).contains(&offers), "offered {offers} times");
    let record = c.state.cta_states.get(&CtaType::BookCall).expect("offered");
    assert!(record.offered_count <= 2);
}

#[tokio::test]
async fn a_tapped_offer_button_is_an_answer_in_any_language() {
    let mut p = profile();
    p.sales_rules.qualification_checklist.clear();
    let mut c = conversation(p);
    c.lead_says("namaste, course ke baare mein batao", None)
        .await;
    let offer = c.lead_says("haan theek hai", None).await.decision.clone();
    assert_eq!(offer.reason_code, ReasonCode::CtaPush, "{offer:?}");
    let yes = &offer.buttons[0];
    assert_eq!(yes.title, "Haan, karte hain");

    // The tap: its title is words the rules would not read as a yes on their own.
    let o = c.lead_taps(&yes.id, "Zaroor ji 🙏", None).await.clone();
    assert_eq!(o.decision.reason_code, ReasonCode::Confirmation);
    assert_eq!(o.patch.cta_accepted.map(|a| a.cta), Some(CtaType::BookCall));
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Aapke liye kaunsa din aur time theek rahega?")
    );
    let o = c.lead_says("kal 11 baje", None).await.clone();
    let event = o.patch.calendar_event.expect("booked");
    assert_eq!(
        event.start_at,
        Utc.with_ymd_and_hms(2026, 11, 18, 5, 30, 0).unwrap(),
        "11 AM tomorrow in India"
    );

    // "Not now" on a fresh conversation declines the offer.
    let mut p = profile();
    p.sales_rules.qualification_checklist.clear();
    let mut c = conversation(p);
    c.lead_says("hello", None).await;
    let offer = c.lead_says("ok", None).await.decision.clone();
    let no = offer
        .buttons
        .iter()
        .find(|b| b.id.ends_with(":no"))
        .expect("a no button");
    let o = c.lead_taps(&no.id, &no.title, None).await.clone();
    assert!(o.patch.cta_accepted.is_none());
    let record = &c.state.cta_states[&CtaType::BookCall];
    assert_eq!(record.state.to_string(), "declined");
}

#[tokio::test]
async fn a_qualified_lead_with_nothing_left_to_offer_goes_to_the_team() {
    // The starter agent of a business that has set up no calls-to-action yet: none in
    // Settings → CTAs, and no link in its documents for the call they name.
    let mut c = nothing_to_offer();
    let reasons = talk(
        &mut c,
        &[
            "Hi, I saw your ad",
            "I'm Neha",
            "I want to learn options trading",
            "in two weeks",
            "ok",
        ],
    )
    .await;
    // Nothing to offer after the last question: not a polite goodbye, a person.
    assert_eq!(reasons.last(), Some(&ReasonCode::NeedsHuman), "{reasons:?}");
    let o = c.outcomes.last().expect("an outcome");
    assert_eq!(o.patch.handoff, Some(EscalationPriority::Medium));
    let brief = o.decision.handoff.as_ref().expect("a brief");
    assert_eq!(brief.escalation_reason, HandoverReason::NothingLeftToOffer);
    assert_eq!(
        brief.key_slots.get("name").map(String::as_str),
        Some("Neha")
    );
    assert_eq!(c.mode, ConversationMode::Human);
    assert_eq!(c.lead_status, LeadStatus::NeedsHuman);
}

#[tokio::test]
async fn a_no_or_a_taken_up_offer_still_ends_politely() {
    // After a booking, "thanks" is a goodbye: the team already has the call.
    let mut p = profile();
    p.sales_rules.qualification_checklist.clear();
    let mut c = conversation(p);
    talk(&mut c, &["hello", "ok", "yes, tomorrow 5pm"]).await;
    assert!(c.outcomes[2].patch.calendar_event.is_some());
    let o = c.lead_says("thanks", None).await;
    assert_eq!(o.decision.reason_code, ReasonCode::ExitGraceful);
    assert!(!o.decision.handoff_required);
    assert_eq!(c.mode, ConversationMode::Bot);

    // A lead who says no to the only offer is let go.
    let mut p = profile();
    p.sales_rules.qualification_checklist.clear();
    let mut c = conversation(p);
    talk(&mut c, &["hello", "ok"]).await;
    let o = c.lead_says("no thanks, not interested", None).await;
    assert!(!o.decision.handoff_required, "{:?}", o.decision);
    assert_eq!(c.mode, ConversationMode::Bot);
}

#[tokio::test]
async fn a_quiet_lead_gets_gentle_follow_ups_then_a_graceful_exit() {
    use chrono::Duration;
    let mut c = conversation(profile());
    c.lead_says("Hi, what are your fees?", None).await;
    let first = c.followup(Duration::hours(1), None).await;
    assert_eq!(first.decision.trigger, closer_agent::Trigger::Followup);
    assert!(first.decision.should_send, "{:?}", first.decision);
    assert!(matches!(
        first.decision.reason_code,
        ReasonCode::SoftNudge | ReasonCode::ClarificationRequest | ReasonCode::ValueAdd
    ));
    let text = first.decision.message_text.clone().unwrap();
    assert!(text.split_whitespace().count() < 30, "short: {text}");
    let last = c.followup(Duration::hours(1), None).await;
    assert_eq!(
        last.decision.reason_code,
        ReasonCode::ExitGraceful,
        "{:?}",
        last.decision
    );
    assert!(
        last.decision
            .message_text
            .as_deref()
            .unwrap()
            .contains("Whenever you're ready")
    );
    // A day of silence later the staleness guardrail holds back any more.
    let held = c.followup(Duration::hours(20), None).await;
    assert!(!held.decision.should_send);
}

#[tokio::test]
async fn a_hinglish_lead_is_followed_up_in_hinglish_and_an_opted_out_one_never() {
    use chrono::Duration;
    let mut c = conversation(profile());
    c.lead_says("Namaste, course ki fees kitni hai?", None)
        .await;
    let o = c.followup(Duration::hours(6), None).await;
    let text = o.decision.message_text.clone().unwrap_or_default();
    assert!(
        text.contains("kar raha") || text.contains("dijiye"),
        "{text}"
    );

    let mut c = conversation(profile());
    c.lead_says("STOP", None).await;
    let o = c.followup(Duration::hours(6), None).await;
    assert!(!o.decision.should_send);
}

#[tokio::test]
async fn a_person_in_charge_silences_the_follow_up() {
    use chrono::Duration;
    let mut c = conversation(profile());
    c.lead_says("Hi", None).await;
    c.mode = ConversationMode::Human;
    let o = c.followup(Duration::hours(6), None).await;
    assert!(!o.decision.should_send);
    assert_eq!(o.decision.reason_code, ReasonCode::ScheduleFollowup);
}

/// Found replaying leads against the release binary: "Can I book a call to discuss admission?"
/// got "Good question, let me check that with the team." A lead who asks to book is booked.
#[tokio::test]
async fn a_lead_who_asks_to_book_before_any_offer_is_asked_when() {
    let mut c = conversation(profile());
    let o = c
        .lead_says("Can I book a call to discuss admission?", None)
        .await
        .clone();
    assert_eq!(o.decision.reason_code, ReasonCode::Confirmation, "{o:?}");
    assert_eq!(o.patch.cta_accepted.map(|a| a.cta), Some(CtaType::BookCall));
    let asked = o.decision.message_text.unwrap_or_default();
    assert!(!asked.contains("check that with the team"), "{asked}");
    let o = c.lead_says("tomorrow 5pm", None).await.clone();
    let event = o.patch.calendar_event.expect("booked");
    assert_eq!(
        event.start_at,
        Utc.with_ymd_and_hms(2026, 11, 18, 11, 30, 0).unwrap(),
        "5 PM tomorrow in India"
    );

    // In Hinglish, and never from a complaint about a failed booking.
    let mut c = conversation(profile());
    let o = c.lead_says("mujhe call book karna hai", None).await.clone();
    assert_eq!(o.patch.cta_accepted.map(|a| a.cta), Some(CtaType::BookCall));
    let mut c = conversation(profile());
    let o = c
        .lead_says("booking failed, money deducted", None)
        .await
        .clone();
    assert_eq!(o.patch.cta_accepted, None);
    // "Book" the noun is a question about study material.
    let mut c = conversation(profile());
    let o = c
        .lead_says("Do you give a book for JEE?", None)
        .await
        .clone();
    assert_eq!(o.patch.cta_accepted, None);
}

/// Played as Pune Pathshala against the release binary: Sneha (WhatsApp profile "Sneha Patil")
/// asked the fee and about weekend batches in one Hinglish message, and went quiet after the
/// agent asked her name. The nudge greeted her by name and asked for her name in the same
/// breath ("Hi Sneha, jab time mile, apna name bata dijiye"). A follow-up never chases the
/// name: it is not what lets the agent suggest the right option, and it reads as a form.
#[tokio::test]
async fn a_quiet_lead_is_not_chased_for_their_name() {
    use chrono::Duration;
    let mut c = conversation(profile()).with_knowledge(vec![
        faq(
            "What is the fee for JEE coaching?",
            "The JEE two-year programme is Rs 1,20,000, payable in 4 instalments; EMI available.",
        ),
        faq(
            "Do you have weekend batches?",
            "Yes, Saturday and Sunday batches from 8 am to 1 pm at our Kothrud centre.",
        ),
    ]);
    c.profile_name = Some("Sneha Patil".into());
    c.lead_says(
        "Hi, JEE coaching ki fees kitni hai? Weekend batch hai kya?",
        None,
    )
    .await;
    let o = c.followup(Duration::hours(6), None).await;
    let text = o.decision.message_text.clone().unwrap_or_default();
    assert!(o.decision.should_send, "{text}");
    let lower = text.to_lowercase();
    assert!(
        !lower.contains("name") && !lower.contains("naam"),
        "the nudge chases the name: {text}"
    );
}

/// A lead known by their WhatsApp name who goes quiet after "What are you looking for?" was
/// nudged with "could you share your need?" — the slot's key read out as a form. The nudge asks
/// the business's own question for what is missing, as the agent would in the conversation.
#[tokio::test]
async fn a_quiet_lead_is_nudged_with_the_businesss_own_question() {
    use chrono::Duration;
    let mut c = conversation(profile());
    c.profile_name = Some("Priya Shah".into());
    c.lead_says("Hi, I saw your ad", None).await;
    let question = c.replies()[0].to_owned();
    assert!(
        question.ends_with("What are you looking for?"),
        "{question}"
    );
    let o = c.followup(Duration::hours(6), None).await;
    let text = o.decision.message_text.clone().unwrap_or_default();
    assert!(o.decision.should_send, "{text}");
    assert!(text.starts_with("Hi Priya, "), "{text}");
    assert!(text.contains("What are you looking for?"), "{text}");
    assert!(!text.contains("need"), "{text}");
}

/// "Good question, let me check that with the team" used to go nowhere: no handoff, nobody
/// told, the lead waiting. A promise to check is a question handed to the team, with a brief
/// that says what to answer; the bot stays quiet until a person has answered and released.
#[tokio::test]
async fn a_question_the_agent_cannot_answer_goes_to_the_team() {
    let mut c = conversation(profile());
    c.lead_says("Hi, I'm Kavya", None).await;
    let o = c
        .lead_says(
            "Is there a hostel near your centre for outstation students?",
            None,
        )
        .await;
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("check that with the team"), "{reply}");
    assert_eq!(o.patch.handoff, Some(EscalationPriority::Medium));
    let brief = o.decision.handoff.as_ref().expect("a brief for the team");
    assert_eq!(brief.escalation_reason, HandoverReason::UnansweredQuestion);
    assert!(
        brief.recommended_action.contains("knowledge base"),
        "{brief:?}"
    );
    assert_eq!(c.mode, ConversationMode::Human);
    // The bot does not talk over the person now answering.
    let o = c.lead_says("hello??", None).await;
    assert!(!o.decision.should_send);
    // "Still there?" checks that someone listens: answered by the agent, not handed over.
    let mut c = conversation(profile());
    c.lead_says("Hi, I'm Kavya", None).await;
    let o = c.lead_says("Still there?", None).await;
    assert!(o.decision.should_send, "{:?}", o.decision);
    assert_eq!(o.patch.handoff, None, "{:?}", o.decision.message_text);
    assert_eq!(c.mode, ConversationMode::Bot);
    // A question the knowledge answers is answered by the agent, no handoff.
    let mut c = conversation(profile());
    let o = c.lead_says("Do you have weekend batches?", None).await;
    assert_eq!(o.patch.handoff, None);
}

/// Replayed as Pune Pathshala: after the fee answer and "May I know your name?", "not now" got
/// "May I know your name?" again. A lead who says not now is let go politely, not re-asked.
#[tokio::test]
async fn not_now_is_a_polite_goodbye_not_the_same_question_again() {
    let mut c = conversation(profile());
    c.lead_says("Hi, what are the fees?", None).await;
    let o = c.lead_says("not now", None).await;
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(o.decision.reason_code, ReasonCode::ExitGraceful, "{reply}");
    assert!(!reply.to_lowercase().contains("name"), "{reply}");
}

/// Issue 10: "No acknowledgement ('Thanks Rahul!')". A counsellor told a name says it back
/// once, then takes the next step; the honorific only where the owner's style uses one.
#[tokio::test]
async fn a_lead_who_tells_their_name_is_thanked_by_name_once() {
    let mut c = conversation(profile());
    talk(
        &mut c,
        &[
            "Hi, what are your fees?",
            "I'm Priya",
            "I want to learn stock trading on weekends",
        ],
    )
    .await;
    let replies = c.replies();
    assert!(replies[1].starts_with("Thanks Priya! "), "{}", replies[1]);
    assert!(
        replies[1].ends_with('?'),
        "the next step follows: {}",
        replies[1]
    );
    assert!(!replies[2].contains("Priya"), "once: {}", replies[2]);

    // Hinglish, in a business whose style uses honorifics.
    let mut p = profile();
    p.tone_profile.honorifics = true;
    let mut c = conversation(p);
    talk(&mut c, &["Namaste, fees kitni hai?", "Mera naam Rahul hai"]).await;
    let thanks = c.replies()[1];
    assert!(thanks.starts_with("Thanks Rahul ji! "), "{thanks}");
    assert!(thanks.ends_with("Aap kya dhoondh rahe hain?"), "{thanks}");
    // Without them, no "ji"; the name said again is not thanked again.
    let mut c = conversation(profile());
    talk(
        &mut c,
        &[
            "Namaste, fees kitni hai?",
            "Mera naam Rahul hai",
            "Rahul hi hai",
        ],
    )
    .await;
    assert!(
        c.replies()[1].starts_with("Thanks Rahul! "),
        "{}",
        c.replies()[1]
    );
    assert!(!c.replies()[2].contains("Thanks"), "{}", c.replies()[2]);
    // The first reply greets already: no thanks stacked on the greeting.
    let mut c = conversation(profile());
    let o = c.lead_says("Hi, I'm Neha", None).await;
    let first = o.decision.message_text.clone().unwrap_or_default();
    assert!(!first.contains("Thanks Neha"), "{first}");
}

/// Issue 10: the agent offered the call, the lead corrected a fact, and the same offer went
/// out again word for word. The correction is taken and said back; the offer is not resent.
#[tokio::test]
async fn a_correction_after_an_offer_is_acknowledged_not_answered_with_the_same_offer() {
    let b = business("pathshala");
    let mut c = b.conversation();
    let offer = c
        .lead_says("Amit here, JEE, 12th, CBSE", None)
        .await
        .decision
        .clone();
    assert_eq!(offer.reason_code, ReasonCode::CtaPush, "{offer:?}");
    let offered = offer.message_text.unwrap_or_default();
    let o = c
        .lead_says("sorry, I meant Class 11 not 12", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(slot(&c, "class").as_deref(), Some("11th"));
    // Not the offer again, in any language: none of its lines, no second push.
    let scripts = [
        "Shall we set up a free counselling call",
        "counselling call set karein",
    ];
    for line in closer_agent::guardrails::sentences(&offered)
        .iter()
        .map(String::as_str)
        .chain(scripts)
    {
        assert!(!reply.contains(line), "{line:?} again: {reply}");
    }
    assert!(
        reply.contains("11th"),
        "the correction is said back: {reply}"
    );
    assert!(!o.decision.handoff_required, "{reply}");
    assert_ne!(o.decision.reason_code, ReasonCode::CtaPush, "{reply}");
    // The offer is still on the table: a yes now takes it up.
    let o = c.lead_says("yes, tomorrow 5pm", None).await;
    assert!(o.patch.calendar_event.is_some(), "{:?}", o.decision);
}

/// Issue 10: after "May I know your name?", "Class 12, Neet" got the name question again. The
/// class and exam are filed, the conversation moves on; the name is asked again at most once,
/// later (a WhatsApp name that is no name, "Redmi Note", changes nothing; a real-looking one
/// is never asked for: `a_real_looking_whatsapp_name_is_taken_and_a_junk_one_is_not`).
#[tokio::test]
async fn facts_given_instead_of_a_name_are_filed_and_the_name_is_not_asked_twice_in_a_row() {
    let b = business("pathshala");
    for profile_name in [None, Some("Redmi Note")] {
        let mut c = b.conversation();
        c.profile_name = profile_name.map(str::to_owned);
        c.lead_says("Hello", None).await;
        assert!(c.replies()[0].contains("naam"), "{}", c.replies()[0]);
        c.lead_says("Class 12, Neet", None).await;
        assert_eq!(slot(&c, "class").as_deref(), Some("12th"));
        assert_eq!(slot(&c, "exam").as_deref(), Some("NEET"));
        assert_eq!(slot(&c, "name"), None);
        let next = c.replies()[1];
        assert!(!next.contains("naam"), "the name twice in a row: {next}");
        assert!(next.contains("board"), "{next}");
        let o = c.lead_says("CBSE", None).await.decision.clone();
        let text = o.message_text.clone().unwrap_or_default();
        // Asked once more, later.
        assert!(text.contains("naam"), "{text}");
    }
    // A lead who ignores the name question twice is not asked a third time.
    let mut c = b.conversation();
    talk(&mut c, &["Hello", "Class 12, Neet", "CBSE", "hmm"]).await;
    let asked = c.replies().iter().filter(|r| r.contains("naam")).count();
    assert_eq!(asked, 2, "{:?}", c.replies());
}

/// Issue 10: the handover promised "they'll reply here shortly" at 04:30 IST. Outside the
/// working hours the lead hears when the team is back, in the business's own time: 04:30 on a
/// Tuesday in India is still Monday 23:00 in UTC, and the team is back "today", not tomorrow.
#[tokio::test]
async fn a_handover_outside_working_hours_says_when_the_team_is_back() {
    let mut p = profile();
    p.business_config.working_hours = "Mon-Sat 9am-7pm".into();
    let at = |y, mo, d, h, mi| Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
    let reply = |c: &closer_agent::simulator::Conversation| {
        c.replies().last().copied().unwrap_or_default().to_owned()
    };
    // Tuesday 04:30 IST (the lead writes a minute after the conversation's clock).
    let mut c = conversation(p.clone());
    c.now = at(2026, 11, 16, 22, 59);
    let o = c
        .lead_says("Can I talk to a real person please?", None)
        .await;
    assert!(o.decision.handoff_required);
    let night = reply(&c);
    assert_eq!(
        night, "Our team is back at 9:00 AM today; they'll reply here then.",
        "{night}"
    );
    // Saturday 21:00 IST, an angry lead: the apology, then Monday.
    let mut c = conversation(p.clone());
    c.now = at(2026, 11, 21, 15, 29);
    c.lead_says(
        "Worst institute, nobody called me back. Cheating people!",
        None,
    )
    .await;
    let weekend = reply(&c);
    assert_eq!(
        weekend,
        "Sorry for the trouble. Our team is back at 9:00 AM on Mon; they'll reply here then."
    );
    // Monday 20:00 IST in Hinglish: tomorrow.
    let mut c = conversation(p.clone());
    c.now = at(2026, 11, 16, 14, 29);
    c.lead_says("mujhe kisi insaan se baat karni hai", None)
        .await;
    let hinglish = reply(&c);
    assert!(hinglish.contains("kal (Tue) 9:00 AM"), "{hinglish}");
    // In Devanagari: handed over (not greeted), told in Hinglish when the team is back.
    let mut c = conversation(p.clone());
    c.now = at(2026, 11, 16, 22, 59);
    let o = c.lead_says("नमस्ते, मुझे किसी इंसान से बात करनी है", None).await;
    assert!(o.decision.handoff_required, "{:?}", o.decision.message_text);
    assert!(reply(&c).contains("aaj 9:00 AM"), "{}", reply(&c));
    // Inside the hours, the owner's line as before.
    let mut c = conversation(p);
    c.lead_says("Can I talk to a real person please?", None)
        .await;
    assert!(reply(&c).contains("shortly"), "{}", reply(&c));
}

/// Replayed after the fixes above: "sorry, NEET not JEE" and "sorry, Baner not Wakad" kept
/// JEE and Wakad, and the offer went out again. The value after "not" is the one taken back.
#[tokio::test]
async fn a_value_taken_back_with_not_is_replaced_by_the_one_given() {
    let b = business("pathshala");
    let mut c = b.conversation();
    talk(&mut c, &["Hi", "Amit", "JEE", "sorry, NEET not JEE"]).await;
    assert_eq!(slot(&c, "exam").as_deref(), Some("NEET"));
    assert!(
        c.replies()[3].contains("NEET"),
        "said back: {}",
        c.replies()[3]
    );

    let b = business("realty");
    let mut c = b.conversation();
    talk(
        &mut c,
        &[
            "Hi",
            "Neha",
            "2 BHK",
            "Wakad",
            "90 lakh",
            "sorry, Baner not Wakad",
        ],
    )
    .await;
    assert_eq!(slot(&c, "location").as_deref(), Some("Baner"));
    let reply = c.replies()[5];
    assert!(reply.contains("Baner"), "{reply}");
    assert!(
        !reply.contains("cal.example.com"),
        "the offer again: {reply}"
    );
    // In Hinglish the value taken back comes before "nahi", after the offer.
    let b = business("pathshala");
    let mut c = b.conversation();
    talk(
        &mut c,
        &["Amit naam hai, JEE, 12th, CBSE", "sorry CBSE nahi, ICSE"],
    )
    .await;
    assert_eq!(slot(&c, "board").as_deref(), Some("ICSE"));
    let reply = c.replies()[1];
    assert!(reply.contains("ICSE"), "{reply}");
    assert!(
        !reply.contains("cal.example.com"),
        "the offer again: {reply}"
    );
    // A name put right: the new one kept, and thanked (once more, it is new).
    let mut c = b.conversation();
    talk(&mut c, &["Hi", "Amith", "sorry, it's Amit not Amith"]).await;
    assert_eq!(slot(&c, "name").as_deref(), Some("Amit"));
    assert!(
        c.replies()[2].starts_with("Thanks Amit!"),
        "{}",
        c.replies()[2]
    );
    let b = business("realty");
    // A "not" that takes nothing back is left alone.
    let mut c = b.conversation();
    talk(&mut c, &["Hi", "Neha", "not sure, maybe 2 BHK"]).await;
    assert_eq!(slot(&c, "bhk").as_deref(), Some("2 BHK"));
}

/// Replayed: "Amit" from a lead WhatsApp shows as "Amit Sharma", in answer to "What are you
/// looking for?", was filed as what he wants, and the agent went on to ask his name. A lead who
/// says the name WhatsApp shows for them told us their name; what they want is still asked.
#[tokio::test]
async fn a_lead_who_answers_with_their_own_name_is_not_filed_as_wanting_it() {
    let mut c = conversation(profile());
    c.profile_name = Some("Amit Sharma".into());
    let o = c.lead_says("hi", None).await.clone();
    let greeting = o.decision.message_text.clone().unwrap_or_default();
    assert!(greeting.contains("What are you looking for?"), "{greeting}");
    let o = c.lead_says("Amit", None).await.clone();
    assert_eq!(slot(&c, "name").as_deref(), Some("Amit"));
    assert_eq!(slot(&c, "need"), None, "the name filed as the need");
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(!reply.to_lowercase().contains("your name"), "{reply}");

    // A word that is not their WhatsApp name still answers the question.
    let mut c = conversation(profile());
    c.profile_name = Some("Amit Sharma".into());
    c.lead_says("hi", None).await;
    c.lead_says("JEE", None).await;
    assert_eq!(slot(&c, "need").as_deref(), Some("JEE"));
}

/// Played against a fresh Pune institute with a booking link: "can I book a call?" got only
/// "What day and time suits you?", the link the owner set up for exactly this kept back. The
/// lead is asked when and handed the link to pick a slot; a lead who said yes to an offer that
/// carried the link is not sent it twice.
#[tokio::test]
async fn a_lead_who_asks_to_book_is_asked_when_and_given_the_link() {
    let mut c = conversation(profile());
    let o = c.lead_says("can I book a call?", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some(
            "What day and time suits you? You can also pick a slot here: \
             https://cal.example.com/acme"
        )
    );
    assert_eq!(o.decision.cta_type, Some(CtaType::BookCall));
    let o = c.lead_says("tomorrow 5pm", None).await.clone();
    assert!(o.patch.calendar_event.is_some(), "{o:?}");

    let b = business("pathshala");
    let mut c = b.conversation();
    talk(&mut c, &["Amit here, JEE, 12th, CBSE"]).await;
    assert!(
        c.replies()[0].contains("cal.example.com"),
        "{}",
        c.replies()[0]
    );
    let o = c.lead_says("yes, can I book a call?", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(
        !reply.contains("cal.example.com"),
        "the link twice: {reply}"
    );
}

/// Replayed after the fixes above: "I'm in 12th" after the offer (a fact repeated, nothing
/// changed) got the same offer word for word. The offer on the table is asked about instead.
#[tokio::test]
async fn a_fact_repeated_after_an_offer_does_not_resend_the_offer() {
    let b = business("pathshala");
    let mut c = b.conversation();
    talk(&mut c, &["Amit here, JEE, 12th, CBSE", "I'm in 12th"]).await;
    let (offer, reply) = (c.replies()[0], c.replies()[1]);
    assert!(offer.contains("cal.example.com"), "{offer}");
    assert!(
        !reply.contains("cal.example.com"),
        "the offer again: {reply}"
    );
    assert!(reply.to_lowercase().contains("counselling call"), "{reply}");
    let o = c.lead_says("ok", None).await.clone();
    assert_eq!(o.patch.cta_accepted.map(|a| a.cta), Some(CtaType::BookCall));
}

/// Found replaying the seeds' documents: "thoda mehenga hai" got the owner's playbook entry
/// word for word ("Break down per-day cost, mention EMI"). The playbook tells the agent how to
/// answer; the lead hears the owner's script, or the starter's words for that objection.
#[tokio::test]
async fn an_objection_gets_words_for_the_lead_not_the_playbooks_instructions() {
    let mut p = profile();
    p.script_library.objection_handlers.clear();
    p.sales_rules.objection_playbook = std::collections::BTreeMap::from([(
        "too_expensive".to_owned(),
        "Break down per-day cost, mention EMI".to_owned(),
    )]);
    let mut c = conversation(p);
    c.lead_says("namaste, fees kitni hai?", None).await;
    let o = c.lead_says("thoda mehenga hai", None).await;
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(
        o.decision.reason_code,
        ReasonCode::ObjectionHandling,
        "{reply}"
    );
    assert!(!reply.contains("Break down"), "{reply}");
    assert!(reply.contains("Samajh sakta hun"), "{reply}");
}

/// The starter profile with no call to action set up yet, as a new organisation has it.
fn starter_without_a_booking_link() -> closer_agent::simulator::Conversation {
    let mut p = closer_agent::AgentProfile::starter("Acme Academy");
    p.business_config.timezone = "Asia/Kolkata".into();
    closer_agent::simulator::Conversation::new(p, morning_in_india())
}

/// Replayed with the starter profile and no booking link: "can I book a call?" got "let me
/// check with the team", "tomorrow 5pm" the next slot question ("When would you like to get
/// started?") and "6pm not 5pm" the one after ("What budget do you have in mind?"). A request
/// to book is one even with nothing to book it with: the lead is asked when, the time is said
/// back and handed to the team to confirm, and a new time replaces it.
#[tokio::test]
async fn a_call_asked_for_with_no_booking_link_is_noted_for_the_team_to_confirm() {
    let five_pm = Utc.with_ymd_and_hms(2026, 11, 18, 11, 30, 0).unwrap();
    let six_pm = Utc.with_ymd_and_hms(2026, 11, 18, 12, 30, 0).unwrap();
    let mut c = starter_without_a_booking_link();
    let o = c.lead_says("can I book a call?", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("What day and time suits you?")
    );
    assert_eq!(o.patch.handoff, None);
    let o = c.lead_says("tomorrow 5pm", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Wed 18 Nov, 5:00 PM — noted, I'll have the team confirm it.")
    );
    assert_eq!(o.patch.handoff, Some(EscalationPriority::High));
    let brief = o.decision.handoff.expect("a brief for the team");
    assert_eq!(brief.escalation_reason, HandoverReason::CallRequested);
    assert!(brief.summary.contains("Wed 18 Nov, 5:00 PM"), "{brief:?}");
    assert_eq!(c.state.call_requested, Some(five_pm));
    assert_eq!(c.mode, ConversationMode::Human);
    assert_eq!(slot(&c, "need"), None, "a time is not what they need");

    // The lead moves the time while the conversation waits for the team: the new time is
    // said back (nobody has answered yet, so the lead is not left to wonder), and the team's
    // item says the new time. The conversation stays the team's.
    let o = c.lead_says("6pm not 5pm", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Noted — Wed 18 Nov, 6:00 PM. I've told the team."),
        "{o:?}"
    );
    assert!(o.decision.while_handed_over);
    assert_eq!(
        (o.patch.handoff, o.patch.stage, o.patch.lead_status),
        (None, None, None)
    );
    assert_eq!(c.mode, ConversationMode::Human);
    let lock = o
        .decision
        .guardrails
        .iter()
        .find(|g| g.rule == "human_lock");
    assert_eq!(lock.map(|g| g.action), Some(GuardAction::Passed));
    assert_eq!(c.state.call_requested, Some(six_pm));
    // The brief the team works from (the inbox's, and its item's) says the new time.
    let brief = c.state.handoff.clone().expect("the brief stays");
    assert!(brief.summary.contains("Wed 18 Nov, 6:00 PM"), "{brief:?}");
    assert!(!brief.summary.contains("5:00 PM"), "{brief:?}");
    assert_eq!(brief.escalation_reason, HandoverReason::CallRequested);
    assert_eq!(o.patch.brief, Some(brief));
    // A person has answered: the conversation is theirs, and a new time goes to them alone.
    let mut taken = c.clone();
    taken.history.push(closer_agent::snapshot::Turn {
        id: "h1".into(),
        author: closer_domain::messaging::Author::Human,
        text: "Hi, this is Priya from the team.".into(),
        at: taken.now,
        reply_id: None,
    });
    let o = taken.lead_says("actually make it 7pm", None).await.clone();
    assert!(!o.decision.should_send, "{o:?}");
    assert!(!o.decision.while_handed_over);
    assert_eq!(
        taken.state.call_requested,
        Some(six_pm + chrono::Duration::hours(1))
    );
    // Handed back, the lead moves it again: said back, never the next question.
    c.mode = ConversationMode::Bot;
    let o = c.lead_says("make it 7pm instead", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Wed 18 Nov, 7:00 PM — noted, I'll have the team confirm it.")
    );
    let seven_pm = six_pm + chrono::Duration::hours(1);
    assert_eq!(c.state.call_requested, Some(seven_pm));
    let promises: Vec<_> = c
        .state
        .commitments
        .agent
        .iter()
        .filter_map(|k| k.due)
        .collect();
    assert_eq!(promises, [seven_pm], "the new time replaces the old one");
    assert_eq!(slot(&c, "timeline"), None);

    // The time given with the request, in Hinglish.
    let mut c = starter_without_a_booking_link();
    c.lead_says("mujhe call book karna hai", None).await;
    let o = c.lead_says("kal 5 baje", None).await.clone();
    let reply = o.decision.message_text.unwrap_or_default();
    assert_eq!(
        reply,
        "Wed 18 Nov, 5:00 PM note kar liya, team confirm karegi."
    );
    let mut c = starter_without_a_booking_link();
    let o = c
        .lead_says("Can I book a call tomorrow 5pm?", None)
        .await
        .clone();
    assert_eq!(o.patch.handoff, Some(EscalationPriority::High));
    assert_eq!(c.state.call_requested, Some(five_pm));

    // A time said with nothing offered, after another question: the same.
    let mut c = starter_without_a_booking_link();
    c.lead_says("Hi, I'm Ravi", None).await;
    let o = c.lead_says("tomorrow 5pm", None).await.clone();
    assert_eq!(o.decision.reason_code, ReasonCode::NeedsHuman, "{o:?}");
    assert_eq!(slot(&c, "need"), None);
}

/// Replayed in the playground: after the call was booked, "hmm" got the next offer. A lead
/// who acknowledges the booking hears nothing more; the next offer waits for the lead.
#[tokio::test]
async fn after_the_booking_an_ok_or_hmm_gets_no_second_push() {
    let enrol = closer_agent::CtaConfig {
        kind: CtaType::Payment,
        name: "Enrol now".into(),
        link: Some("https://pay.example.com/acme".into()),
        phone: None,
        enabled: true,
        position: 1,
    };
    for ack in ["hmm", "ok", "👍"] {
        let mut c = conversation(profile()).with_ctas(vec![book_call(), enrol.clone()]);
        talk(
            &mut c,
            &["Hi, I'm Priya", "I want to learn trading", "next month"],
        )
        .await;
        let o = c.lead_says("yes, tomorrow 5pm", None).await.clone();
        assert!(o.patch.calendar_event.is_some(), "booked");
        let o = c.lead_says(ack, None).await.clone();
        assert!(
            !o.decision.should_send,
            "{ack}: {:?}",
            o.decision.message_text
        );
        assert_eq!(o.decision.cta_type, None, "{ack}");
        assert_eq!(o.patch.cta_accepted, None, "{ack}: no second acceptance");
        assert!(!c.state.cta_states.contains_key(&CtaType::Payment), "{ack}");
    }
}

/// "ok thanks" after the offer was read as a yes ("What day and time suits you?"). Thanking is
/// a polite close; "ok", "yes", "haan", "sure" stay a yes.
#[tokio::test]
async fn ok_thanks_closes_politely_and_is_no_yes_to_the_offer() {
    let offered = || async {
        let mut c = conversation(profile());
        talk(
            &mut c,
            &["Hi, I'm Priya", "I want to learn trading", "next month"],
        )
        .await;
        assert_eq!(c.state.last_cta, Some(CtaType::BookCall));
        c
    };
    for thanks in ["ok thanks", "thanks", "ok thank you", "theek hai thanks"] {
        let mut c = offered().await;
        let o = c.lead_says(thanks, None).await.clone();
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert_eq!(o.patch.cta_accepted, None, "{thanks}: {reply}");
        assert_eq!(o.decision.reason_code, ReasonCode::ExitGraceful, "{thanks}");
        assert_eq!(o.patch.handoff, None, "{thanks}");
        assert!(!reply.contains('?'), "{thanks}: {reply}");
    }
    let mut c = offered().await;
    let o = c.lead_says("ok thanks", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("You're welcome! Message us anytime.")
    );
    for yes in ["ok", "yes", "haan", "sure"] {
        let mut c = offered().await;
        let o = c.lead_says(yes, None).await.clone();
        assert_eq!(
            o.patch.cta_accepted.map(|a| a.cta),
            Some(CtaType::BookCall),
            "{yes}"
        );
    }
}

/// Replayed with the JustStock documents: "interested in options trading" got "Could you
/// share your interest category?". A slot with no choices takes what the lead says they want,
/// asked or not, and is not asked again.
#[tokio::test]
async fn what_the_lead_says_they_want_is_kept_and_not_asked_again() {
    let mut p = profile();
    p.sales_rules.qualification_checklist = vec![
        ("name".into(), closer_agent::profile::Requirement::Required),
        (
            "interest_category".into(),
            closer_agent::profile::Requirement::Required,
        ),
    ];
    let mut c = conversation(p);
    let o = c
        .lead_says("Hi I'm Ravi, interested in options trading", None)
        .await
        .clone();
    let reply = o.decision.message_text.unwrap_or_default();
    assert_eq!(
        slot(&c, "interest_category").as_deref(),
        Some("options trading")
    );
    assert!(!reply.contains("interest category"), "{reply}");
    assert_eq!(o.decision.reason_code, ReasonCode::CtaPush, "{reply}");

    // The starter's "What are you looking for?", answered before it is asked.
    let mut c = conversation(profile());
    c.lead_says(
        "Hello, Priya here. Looking for a weekend trading course",
        None,
    )
    .await;
    assert_eq!(
        slot(&c, "need").as_deref(),
        Some("a weekend trading course")
    );
    let mut c = conversation(profile());
    c.lead_says("Namaste, main Amit. Options trading ke liye", None)
        .await;
    assert_eq!(slot(&c, "need").as_deref(), Some("Options trading"));
    assert!(
        !c.replies()[0].contains("dhoondh rahe") && !c.replies()[0].contains("looking for"),
        "{}",
        c.replies()[0]
    );
}

/// Replayed with documents that have no `opt_out` exit: STOP got "You're unsubscribed and
/// won't get more messages from us." with no way back. The default confirmation says how to
/// come back, in the lead's language, and START does bring them back.
#[tokio::test]
async fn an_opt_out_without_the_owners_words_says_how_to_come_back() {
    let mut p = profile();
    p.script_library.exits.remove("opt_out");
    for (first, stop, back) in [
        ("Hi", "STOP", "Reply START anytime"),
        ("namaste, fees kitni hai?", "band karo", "START bhejein"),
    ] {
        let mut c = conversation(p.clone());
        c.lead_says(first, None).await;
        let o = c.lead_says(stop, None).await.clone();
        assert!(o.patch.opted_out);
        let reply = o.decision.message_text.unwrap_or_default();
        assert!(reply.contains(back), "{reply}");
        let o = c.lead_says("START", None).await.clone();
        assert!(o.patch.opted_in, "{o:?}");
    }
}

/// A checklist with two slots that mean the same (`need` and `interest_category`, as the
/// wizard and the owner's documents can both add): the lead answered "What are you looking
/// for?" and was then asked "Could you share your interest category?". The answer fills both.
#[tokio::test]
async fn an_answer_fills_the_slots_that_mean_the_same_and_neither_is_asked_again() {
    use closer_agent::profile::Requirement;
    let mut p = profile();
    p.sales_rules.qualification_checklist = vec![
        ("name".into(), Requirement::Required),
        ("need".into(), Requirement::Required),
        ("interest_category".into(), Requirement::Required),
    ];
    let mut c = conversation(p);
    c.lead_says("Hi, I'm Ravi", None).await;
    assert_eq!(c.state.pending_question.as_deref(), Some("need"));
    let o = c.lead_says("a weekend trading course", None).await.clone();
    let reply = o.decision.message_text.unwrap_or_default();
    assert_eq!(
        slot(&c, "need").as_deref(),
        Some("a weekend trading course")
    );
    assert_eq!(
        slot(&c, "interest_category").as_deref(),
        Some("a weekend trading course")
    );
    assert!(!reply.contains("interest category"), "{reply}");
    assert_eq!(o.decision.reason_code, ReasonCode::CtaPush, "{reply}");
}

/// Replayed as the realty business: "Can I see the flat this Sunday?" got "Good question, let
/// me check that with the team". A visit, demo or trial asked for on a day is a request to
/// book, like a call: the day is said back and the time asked (with the booking link when
/// there is one), the time booked on that day; with no booking to make, the team confirms it.
#[tokio::test]
async fn a_visit_or_demo_asked_for_on_a_day_is_booked_like_a_call() {
    let sunday_11am = Utc.with_ymd_and_hms(2026, 11, 22, 5, 30, 0).unwrap();
    let mut c = conversation(profile());
    let o = c
        .lead_says("Can I see the flat this Sunday?", None)
        .await
        .clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some(
            "Sun 22 Nov works. What time suits you? You can also pick a slot here: \
             https://cal.example.com/acme"
        )
    );
    assert_eq!(o.patch.handoff, None);
    let o = c.lead_says("11am", None).await.clone();
    assert_eq!(c.state.booking.as_ref().map(|b| b.at), Some(sunday_11am));
    assert!(o.patch.calendar_event.is_some(), "{o:?}");

    // The day and the time in one message: booked at once.
    let mut c = conversation(profile());
    c.lead_says("Can I visit the site on Sunday at 11am?", None)
        .await;
    assert_eq!(c.state.booking.as_ref().map(|b| b.at), Some(sunday_11am));

    // No booking to make: the day said back, the time asked, then handed to the team.
    let saturday_4pm = Utc.with_ymd_and_hms(2026, 11, 21, 10, 30, 0).unwrap();
    let mut c = starter_without_a_booking_link();
    let o = c
        .lead_says("Can I come for a demo on Saturday?", None)
        .await
        .clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Sat 21 Nov works. What time suits you?")
    );
    assert_eq!(o.patch.handoff, None);
    let o = c.lead_says("4pm", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Sat 21 Nov, 4:00 PM — noted, I'll have the team confirm it.")
    );
    assert_eq!(c.state.call_requested, Some(saturday_4pm));
    assert_eq!(
        o.decision.handoff.map(|b| b.escalation_reason),
        Some(HandoverReason::CallRequested)
    );

    // A day named, then a call asked for without one: the day no longer holds.
    let mut c = starter_without_a_booking_link();
    c.lead_says("Can I come for a demo on Saturday?", None)
        .await;
    c.lead_says("can I book a call?", None).await;
    c.lead_says("5pm", None).await;
    let today_5pm = Utc.with_ymd_and_hms(2026, 11, 17, 11, 30, 0).unwrap();
    assert_eq!(c.state.call_requested, Some(today_5pm));

    // Asking whether there is a trial, with no day, is still a question for the FAQ.
    let mut c = conversation(profile());
    let o = c
        .lead_says("Can I take a trial class before joining?", None)
        .await
        .clone();
    assert_ne!(
        o.decision.message_text.as_deref(),
        Some("What day and time suits you?")
    );
}

/// Replayed as a Pune coaching institute: "Hi I'm Amit, interested in the JEE course" got the
/// greeting and the class question — no word of Amit, none of the course. The first reply now
/// greets him by name after the owner's greeting, says what the FAQ says about the course, and
/// asks the next thing not known; the word cap keeps the name as it keeps "Thanks Amit!".
#[tokio::test]
async fn a_lead_who_introduces_themselves_hears_their_name_and_about_the_course() {
    let b = business("pathshala");
    let courses = faq(
        "Which courses do you offer?",
        "Two-year JEE and NEET programmes for 11th and 12th, and a one-year repeater batch for droppers.",
    );
    let mut c = b.conversation();
    c.knowledge.push(courses.clone());
    c.lead_says("Hi I'm Amit, interested in the JEE course", None)
        .await;
    let reply = c.replies()[0].to_owned();
    // The owner's "Hi!" gives way to the word cap (25); the name, the answer, the question
    // do not.
    assert_eq!(
        reply,
        "Nice to meet you, Amit! Two-year JEE and NEET programmes for 11th and 12th, and a \
         one-year repeater batch for droppers. Which class are you in?"
    );
    assert_eq!(slot(&c, "name").as_deref(), Some("Amit"));
    assert_eq!(slot(&c, "exam").as_deref(), Some("JEE"));

    // A tight word cap drops the owner's greeting, never the name, the answer or the question.
    let mut c = b.conversation();
    c.knowledge.push(courses);
    c.profile.tone_profile.message_length_max_words = 15;
    c.lead_says("Hi I'm Amit, interested in the JEE course", None)
        .await;
    let reply = c.replies()[0];
    assert!(reply.starts_with("Nice to meet you, Amit!"), "{reply}");
    assert!(reply.contains("Two-year JEE"), "{reply}");
    assert!(reply.ends_with("Which class are you in?"), "{reply}");

    // Nothing in the FAQ about the course: the name, then the next question; no promise.
    let mut c = b.conversation();
    let o = c
        .lead_says("Hi I'm Amit, interested in the JEE course", None)
        .await
        .clone();
    let reply = c.replies()[0];
    assert!(reply.contains("Nice to meet you, Amit!"), "{reply}");
    assert!(reply.ends_with("Which class are you in?"), "{reply}");
    assert!(!o.decision.handoff_required, "{reply}");
    // The name is said once: the next reply goes on without it.
    c.lead_says("12th", None).await;
    assert!(!c.replies()[1].contains("Amit"), "{}", c.replies()[1]);
}

/// Replayed with the WhatsApp profile "Rahul Sharma": the agent asked his name. A profile name
/// that looks like a person's fills the name (implied, not read from a message, and not
/// written over the contact's name), so the agent goes on to what it does not know; "🙂",
/// "Home" or "Redmi Note" are no names, and the agent asks.
#[tokio::test]
async fn a_real_looking_whatsapp_name_is_taken_and_a_junk_one_is_not() {
    let b = business("pathshala");
    for profile in ["Rahul Sharma", "Rahul S", "rahul"] {
        let mut c = b.conversation();
        c.profile_name = Some(profile.into());
        let o = c.lead_says("Hello", None).await.clone();
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(!reply.contains("naam"), "{profile}: {reply}");
        assert!(reply.contains("kiski taiyari"), "{profile}: {reply}");
        let name = c.state.slots.get("name").expect("the profile name");
        assert!(name.confidence < 0.8, "implied: {name:?}");
        assert_eq!(name.source_message_id, None);
        assert_eq!(o.patch.contact.name, None, "the contact keeps its name");
        // No "Thanks Rahul!": he told nothing.
        c.lead_says("JEE", None).await;
        assert!(!c.replies()[1].contains("Thanks"), "{}", c.replies()[1]);
    }
    assert_eq!(
        {
            let mut c = b.conversation();
            c.profile_name = Some("Rahul Sharma".into());
            c.lead_says("Hello", None).await;
            slot(&c, "name")
        }
        .as_deref(),
        Some("Rahul Sharma")
    );
    for junk in [
        "🙂",
        "Home",
        "Redmi Note",
        "Mom",
        "9876543210",
        "Rahul 🙂🙂",
    ] {
        let mut c = b.conversation();
        c.profile_name = Some(junk.into());
        c.lead_says("Hello", None).await;
        assert!(
            c.replies()[0].contains("naam"),
            "{junk}: {}",
            c.replies()[0]
        );
        assert_eq!(slot(&c, "name"), None, "{junk}");
    }
    // The name the lead writes wins over the profile's, and is thanked.
    let mut c = b.conversation();
    c.profile_name = Some("Rahul Sharma".into());
    talk(&mut c, &["Hello", "Mera naam Rohit hai, JEE"]).await;
    assert_eq!(slot(&c, "name").as_deref(), Some("Rohit"));
    assert!(
        c.replies()[1].contains("Thanks Rohit"),
        "{}",
        c.replies()[1]
    );
}

/// Replayed: "Sorry I meant for class 11 not 12" after giving class 12 was filed as the answer
/// to the next question ("What are you looking for?" then asked on). A correction updates the
/// slot, is said back, and the question it came instead of is asked again.
#[tokio::test]
async fn a_correction_updates_the_fact_is_said_back_and_the_open_question_stays() {
    let mut p = profile();
    p.sales_rules.qualification_checklist.insert(
        1,
        ("class".into(), closer_agent::profile::Requirement::Required),
    );
    let mut c = conversation(p);
    talk(&mut c, &["Hi", "Amit", "class 12"]).await;
    assert_eq!(slot(&c, "class").as_deref(), Some("12th"));
    assert_eq!(c.replies()[2], "What are you looking for?");
    c.lead_says("Sorry I meant for class 11 not 12", None).await;
    assert_eq!(slot(&c, "class").as_deref(), Some("11th"));
    assert_eq!(
        slot(&c, "need"),
        None,
        "a correction answers none of our questions"
    );
    assert_eq!(
        c.replies()[3],
        "Got it: class 11th, noted. What are you looking for?"
    );

    // The starter agent files "class 12" as what they need; the correction changes it there.
    let mut c = starter_without_a_booking_link();
    talk(
        &mut c,
        &[
            "Hi",
            "Amit",
            "class 12",
            "Sorry I meant for class 11 not 12",
        ],
    )
    .await;
    assert_eq!(slot(&c, "need").as_deref(), Some("class 11"));
    assert_eq!(slot(&c, "timeline"), None);
    assert!(c.replies()[3].contains("class 11"), "{}", c.replies()[3]);
}

/// Replayed as a real-estate agency whose booking is a "Site visit": the booked visit was
/// confirmed with "Our team will call you then". A visit says when we see the lead; a call
/// keeps the call's words.
#[tokio::test]
async fn a_booked_visit_is_confirmed_as_a_visit_and_a_call_as_a_call() {
    let b = business("realty");
    let mut c = b.conversation();
    talk(
        &mut c,
        &[
            "Hi",
            "Neha",
            "2 BHK",
            "Wakad",
            "90 lakh",
            "yes",
            "Sunday 11am",
        ],
    )
    .await;
    assert_eq!(
        c.replies()[6],
        "Done, your visit is booked. See you on Sun 22 Nov at 11:00 AM!"
    );
    c.lead_says("can we make it 12pm instead?", None).await;
    assert_eq!(
        c.replies()[7],
        "No problem, I've moved it to Sun 22 Nov at 12:00 PM. See you then!"
    );
    // A demo is attended, not called.
    let mut c = starter_without_a_booking_link().with_ctas(vec![closer_agent::CtaConfig {
        kind: CtaType::ScheduleDemo,
        name: "Free demo class".into(),
        link: Some("https://cal.example.com/demo".into()),
        phone: None,
        enabled: true,
        position: 0,
    }]);
    c.profile.sales_rules.qualification_checklist.clear();
    c.lead_says("Can I come for a demo on Saturday at 4pm?", None)
        .await;
    let reply = c.replies()[0];
    assert!(
        reply.contains("Sat 21 Nov at 4:00 PM. See you then!"),
        "{reply}"
    );
    // The counselling call stays a call.
    let b = business("pathshala");
    let mut c = b.conversation();
    talk(&mut c, &["Amit here, JEE, 12th, CBSE", "yes, tomorrow 5pm"]).await;
    assert!(
        c.replies()[1].contains("Our team will call you then"),
        "{}",
        c.replies()[1]
    );
}

/// Replayed in Hinglish: "kya main Sunday ko aa sakta hu?" got "main team se confirm karke
/// batata hun" and a handover. Asking to come on a day is a visit request in Hinglish as in
/// English: the day said back, the time asked, the visit booked.
#[tokio::test]
async fn a_hinglish_request_to_come_on_a_day_is_booked_as_a_visit() {
    let b = business("realty");
    let mut c = b.conversation();
    let o = c
        .lead_says("kya main Sunday ko aa sakta hu?", None)
        .await
        .clone();
    assert_eq!(o.patch.handoff, None, "{o:?}");
    let reply = o.decision.message_text.unwrap_or_default();
    assert!(
        reply.starts_with("Sun 22 Nov theek hai. Kaunsa time suit karega?"),
        "{reply}"
    );
    c.lead_says("11 baje", None).await;
    let sunday_11am = Utc.with_ymd_and_hms(2026, 11, 22, 5, 30, 0).unwrap();
    assert_eq!(c.state.booking.as_ref().map(|b| b.at), Some(sunday_11am));
    assert_eq!(
        c.replies()[1],
        "Ho gaya, visit book hai. Sun 22 Nov ko 11:00 AM par milte hain!"
    );
    for line in [
        "office aau kya parso?",
        "Sunday ko milne aana hai",
        "kal site visit karna hai",
        "शनिवार को आ सकता हूँ?",
    ] {
        let mut c = b.conversation();
        let o = c.lead_says(line, None).await.clone();
        assert_eq!(o.patch.handoff, None, "{line}: {o:?}");
        assert_eq!(
            c.state.pending_question.as_deref(),
            Some("booking_time"),
            "{line}: {:?}",
            o.decision.message_text
        );
    }
}

/// Replayed as the coaching institute at night: a lead asked for a person to call at 4pm, the
/// agent handed over, then "actually make it 5pm" changed the team's item and the lead heard
/// nothing. While nobody has answered, the new time is said back; once a person has, they
/// alone answer.
#[tokio::test]
async fn a_time_changed_while_the_team_has_not_answered_yet_is_acknowledged() {
    let b = business("pathshala");
    let mut c = b.conversation();
    let o = c
        .lead_says("Can someone from your team call me tomorrow at 4pm?", None)
        .await
        .clone();
    assert!(o.decision.handoff_required, "{o:?}");
    let four_pm = Utc.with_ymd_and_hms(2026, 11, 18, 10, 30, 0).unwrap();
    assert_eq!(c.state.call_requested, Some(four_pm));
    let brief = c.state.handoff.clone().expect("a brief");
    assert!(brief.summary.contains("Wed 18 Nov, 4:00 PM"), "{brief:?}");
    assert_eq!(c.mode, ConversationMode::Human);

    let o = c.lead_says("actually make it 5pm", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Noted — Wed 18 Nov, 5:00 PM. I've told the team.")
    );
    let brief = o.patch.brief.expect("the team's item moves");
    assert!(brief.summary.contains("5:00 PM"), "{brief:?}");
    // Anything else while the team has it: silence, as before.
    let o = c.lead_says("what are the fees?", None).await;
    assert!(!o.decision.should_send);
    // In Hinglish.
    let o = c.lead_says("nahi, 6 baje kar do", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Note kar liya — Wed 18 Nov, 6:00 PM. Team ko bata diya hai.")
    );
}

/// The agent promised that the team would answer a question and handed over; the lead then
/// asked for a call at a time. The call and its time go to the team's item, and the lead,
/// still waiting for a person, hears that it is noted.
#[tokio::test]
async fn a_call_asked_for_while_waiting_for_the_team_goes_to_the_team_and_is_noted() {
    let mut c = starter_without_a_booking_link();
    let o = c
        .lead_says("Do you have weekend batches?", None)
        .await
        .clone();
    assert!(o.decision.handoff_required, "{o:?}");
    let o = c
        .lead_says("ok, can you call me tomorrow at 5pm?", None)
        .await
        .clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Noted — Wed 18 Nov, 5:00 PM. I've told the team.")
    );
    let five_pm = Utc.with_ymd_and_hms(2026, 11, 18, 11, 30, 0).unwrap();
    assert_eq!(c.state.call_requested, Some(five_pm));
    let brief = o.patch.brief.expect("the team's item says the call");
    assert!(brief.summary.contains("Wed 18 Nov, 5:00 PM"), "{brief:?}");
}

/// Issue 10: "Any discount for good marks?" got "let me check with the team" though the FAQ
/// has a merit scholarship. Discount, concession, scholarship, merit, marks and percentage
/// ask the same thing; a question about something else still finds nothing.
#[tokio::test]
async fn a_discount_for_good_marks_is_answered_from_the_scholarship_entry() {
    let mut knowledge = fees_and_weekends();
    knowledge.extend([faq(
        "Do you offer scholarships?",
        "Merit scholarship up to 50% for 90%+ in boards.",
    )]);
    for line in [
        "Any discount for good marks?",
        "Is there any concession for students with high percentage?",
        "My son got 93% in 10th, any fee waiver?",
        "Good marks walon ko fees mein chhoot milti hai kya?",
        "merit ke basis pe koi discount hai?",
        "Do you give scholarships?",
    ] {
        let mut c = conversation(profile()).with_knowledge(knowledge.clone());
        let o = c.lead_says(line, None).await;
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(reply.contains("Merit scholarship"), "{line}: {reply}");
        assert!(
            !reply.contains("check that with the team"),
            "{line}: {reply}"
        );
        assert_eq!(o.patch.handoff, None, "{line}: {reply}");
    }
    // The fee entry still answers the fee.
    let mut c = conversation(profile()).with_knowledge(knowledge.clone());
    let o = c.lead_says("What are the fees?", None).await;
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("₹2999"), "{reply}");
}

/// Issue 10: a WhatsApp profile name in Devanagari was no name: its vowel signs and the
/// virama are marks, not letters, so "अमित शर्मा" was asked for a name. They are part of
/// the letters; emoji, "Home" and the phone's name are still no name.
#[tokio::test]
async fn a_devanagari_whatsapp_name_is_a_name() {
    for shown in ["अमित शर्मा", "राहुल", "प्रिया", "श्रेया क्षत्रिय", "Jai Sharma"]
    {
        let mut c = conversation(profile());
        c.profile_name = Some(shown.into());
        c.lead_says("Hello", None).await;
        assert_eq!(slot(&c, "name").as_deref(), Some(shown), "{shown}");
        assert!(
            !c.replies()[0].contains("your name"),
            "{shown}: {}",
            c.replies()[0]
        );
    }
    for junk in [
        "🙂",
        "Home",
        "Mom",
        "Redmi Note",
        "राहुल 🙂🙂",
        "्राहुल",
        "मम्मी",
        "जय श्री राम",
        "Jai Shree Ram",
        "Jai Hind",
    ] {
        let mut c = conversation(profile());
        c.profile_name = Some(junk.into());
        c.lead_says("Hello", None).await;
        assert_eq!(slot(&c, "name"), None, "{junk}");
    }
}

/// Played as a customer: "Hello, I want coaching for class 12" as the very first message got
/// "What are you looking for?", and the correction that followed got "Sorry, I didn't catch
/// what to change". What the lead wants is taken from "I want …" however the chat opens.
#[tokio::test]
async fn a_want_in_the_first_message_is_not_asked_again() {
    let mut c = nothing_to_offer();
    talk(&mut c, &["Hello, I want coaching for class 12"]).await;
    let first = c.outcomes.last().expect("an outcome");
    let reply = first.decision.message_text.clone().unwrap_or_default();
    assert!(!reply.contains("looking for"), "{reply}");
    assert_eq!(slot(&c, "need").as_deref(), Some("coaching for class 12"));
    talk(&mut c, &["Sorry I meant for class 11 not 12"]).await;
    let o = c.outcomes.last().expect("an outcome");
    let reply = o.decision.message_text.clone().unwrap_or_default();
    // "Got it: coaching for class 11, noted. May I know your name?"
    assert!(
        reply.starts_with("Got it: coaching for class 11"),
        "{reply}"
    );
    assert!(!reply.contains("12"), "{reply}");
    assert!(o.decision.handoff.is_none(), "{reply}");
}

/// Issue 10: with the starter profile and nothing to offer, "Sorry I meant for class 11 not
/// 12" was handed to the team as `nothing_left_to_offer`. A correction is said back and the
/// conversation goes on; nothing new was learnt that the team must act on.
#[tokio::test]
async fn a_correction_with_nothing_to_offer_is_said_back_not_handed_over() {
    for lines in [
        &[
            "Hi",
            "Amit",
            "class 12",
            "Sorry I meant for class 11 not 12",
        ][..],
        &[
            "Hi",
            "I'm Amit",
            "I want coaching for class 12",
            "next month",
            "Sorry I meant for class 11 not 12",
        ][..],
    ] {
        let mut c = nothing_to_offer();
        talk(&mut c, lines).await;
        let o = c.outcomes.last().expect("an outcome");
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(
            o.decision.handoff.is_none(),
            "{lines:?}: {:?} {reply}",
            o.decision.handoff.as_ref().map(|h| &h.escalation_reason)
        );
        assert_eq!(c.mode, ConversationMode::Bot, "{lines:?}");
        assert!(
            reply.starts_with("Got it: class 11, noted."),
            "{lines:?}: {reply}"
        );
        assert!(!reply.contains("class 12"), "{lines:?}: {reply}");
        assert!(slot(&c, "need").is_some_and(|n| n.ends_with("class 11")));
        // The question it came instead of is still open.
        assert!(reply.ends_with('?'), "{lines:?}: {reply}");
    }
    // The long answer keeps its words, the class changed.
    let mut c = nothing_to_offer();
    talk(
        &mut c,
        &[
            "Hi",
            "I'm Amit",
            "I want coaching for class 12",
            "Sorry I meant for class 11 not 12",
        ],
    )
    .await;
    assert_eq!(
        slot(&c, "need").as_deref(),
        Some("I want coaching for class 11")
    );
    // A correction the agent cannot place is no goodbye either: it asks what to change.
    let mut c = nothing_to_offer();
    talk(
        &mut c,
        &[
            "Hi",
            "I'm Amit",
            "I want coaching for class 12",
            "next month",
            "sorry, I meant the other one",
        ],
    )
    .await;
    let o = c.outcomes.last().expect("an outcome");
    assert!(
        o.decision.handoff.is_none(),
        "{:?}",
        o.decision.message_text
    );
    assert_eq!(
        c.replies()[4],
        "Sorry, I didn't catch what to change. Could you tell me again?"
    );
    // "Actually" alone brings news, no correction: the name just asked is not asked again.
    let mut c = conversation(profile());
    talk(&mut c, &["Hi", "Actually I'm looking for weekend classes"]).await;
    assert!(!c.replies()[1].contains("name"), "{}", c.replies()[1]);
    // After a "not now" nothing is left to ask: the correction is said back, the door held
    // open, nobody handed the lead.
    let mut p = profile();
    p.business_config.contact_links.clear();
    p.sales_rules.qualification_checklist.truncate(3);
    let mut c = closer_agent::simulator::Conversation::new(p, morning_in_india());
    talk(
        &mut c,
        &[
            "Hi",
            "I'm Amit",
            "I want coaching for class 12",
            "not now",
            "Sorry I meant for class 11 not 12",
        ],
    )
    .await;
    let o = c.outcomes.last().expect("an outcome");
    assert!(
        o.decision.handoff.is_none(),
        "{:?}",
        o.decision.message_text
    );
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Got it: class 11, noted. Anything else I can help with?")
    );
    // In Hinglish, with an ordinal ("12th" takes back the "12" told), a lone number, a word.
    for (said, correction, slot_now, noted) in [
        (
            "class 12 ke liye coaching chahiye",
            "sorry, 11th ke liye, 12th nahi",
            ("need", "class 11th ke liye coaching chahiye"),
            "Theek hai, class 11th note kar liya.",
        ),
        (
            "JEE coaching",
            "actually I meant NEET not JEE",
            ("need", "NEET coaching"),
            "Got it: NEET coaching, noted.",
        ),
    ] {
        let mut c = nothing_to_offer();
        talk(&mut c, &["Hi", "Amit", said, "next month", correction]).await;
        let o = c.outcomes.last().expect("an outcome");
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(o.decision.handoff.is_none(), "{correction}: {reply}");
        assert!(reply.starts_with(noted), "{correction}: {reply}");
        assert_eq!(slot(&c, slot_now.0).as_deref(), Some(slot_now.1));
    }
    let mut c = nothing_to_offer();
    talk(
        &mut c,
        &[
            "Hi",
            "Amit",
            "JEE coaching",
            "in 2 weeks",
            "sorry, I meant 3 weeks not 2",
        ],
    )
    .await;
    assert_eq!(slot(&c, "timeline").as_deref(), Some("in 3 weeks"));
    assert!(c.replies()[4].starts_with("Got it: in 3 weeks, noted."));
}

/// The agent's own lines and the owner's in one reply: each sentence's language by its
/// words (a price, a link or a name tells none).
fn languages_of(reply: &str) -> Vec<(String, &'static str)> {
    closer_agent::guardrails::sentences(reply)
        .into_iter()
        .filter_map(|s| closer_agent::language::detect(&s).map(|l| (s, l)))
        .collect()
}

/// An organisation that wrote its lines in English only, as the wizard makes it for an owner
/// who chose English.
fn english_only() -> closer_agent::AgentProfile {
    use closer_agent::profile::Script;
    let mut p = profile();
    let l = &mut p.script_library;
    for lines in [
        &mut l.openers,
        &mut l.qualification,
        &mut l.objection_handlers,
        &mut l.cta_scripts,
        &mut l.exits,
    ] {
        for line in lines.values_mut() {
            if let Script::PerLanguage(m) = line {
                *line = Script::One(m["en"].clone());
            }
        }
    }
    p
}

/// Issue 10: "one reply mixing English and Hinglish in an English organisation". The owner
/// wrote English only; a lead who writes some Hinglish got "Aapse baat karke achha laga,
/// Rahul!" before the English FAQ answer and the owner's English question, and "Achha sawaal
/// hai, main team se confirm karke batata hun." The organisation answers in its language,
/// every sentence of it.
#[tokio::test]
async fn an_english_organisation_answers_in_english_only() {
    for lines in [
        &[
            "Mera naam Rahul hai, fees kitni hai aur weekend batch hai kya?",
            "mehenga hai",
            "abhi nahi",
        ][..],
        &["kya hostel hai?"][..],
        &["Hi", "Rahul", "trading", "kal", "haan", "band karo"][..],
        &[
            "Namaste, fees kitni hai?",
            "Mera naam Rahul hai",
            "kisi insaan se baat karni hai",
        ][..],
    ] {
        let mut c = conversation(english_only());
        talk(&mut c, lines).await;
        for reply in c.replies() {
            for (sentence, lang) in languages_of(reply) {
                assert_eq!(lang, "en", "{lines:?}: {sentence:?} in {reply:?}");
            }
        }
    }
    // The name is said back in English.
    let mut c = conversation(english_only());
    c.lead_says("Mera naam Rahul hai, fees kitni hai?", None)
        .await;
    assert!(
        c.replies()[0].contains("Nice to meet you, Rahul!"),
        "{}",
        c.replies()[0]
    );
    // An organisation that wrote Hinglish lines too answers a Hinglish lead in Hinglish.
    let mut c = conversation(profile());
    c.lead_says("kya hostel hai?", None).await;
    assert!(
        c.replies()[0].starts_with("Achha sawaal hai"),
        "{}",
        c.replies()[0]
    );
}

/// A Hinglish organisation whose owner typed one question in English only ("Which exam are
/// you preparing for?"): a Hinglish lead got "Aapse baat karke achha laga, Amit! … Which exam
/// are you preparing for?", half the agent's Hinglish, half English. A reply speaks one
/// language: the lead's, or, when it quotes an FAQ answer the owner wrote in English, English
/// throughout (the owner's words are quoted as written); an English lead still hears the
/// owner's English question.
#[tokio::test]
async fn a_hinglish_lead_gets_no_english_line_beside_the_hinglish_ones() {
    use closer_agent::profile::Script;
    let b = business("pathshala");
    let with_own_question = || {
        let mut c = b.conversation();
        let lib = &mut c.profile.script_library;
        lib.qualification.insert(
            "exam".into(),
            Script::One("Which exam are you preparing for?".into()),
        );
        lib.openers.insert(
            "new_lead".into(),
            Script::One("Namaste! Pune Pathshala mein aapka swagat hai.".into()),
        );
        c
    };
    let faq: Vec<String> = b
        .faq
        .iter()
        .flat_map(|f| closer_agent::guardrails::sentences(&f.answer))
        .collect();
    for lines in [
        &["Amit naam hai, fees kitni hai?", "JEE", "12th", "haan"][..],
        &["namaste", "Amit", "NEET ki taiyari hai"][..],
    ] {
        let mut c = with_own_question();
        talk(&mut c, lines).await;
        for reply in c.replies() {
            let quotes = faq.iter().any(|q| reply.contains(q.as_str()));
            let want = if quotes { "en" } else { "hi-en" };
            for (sentence, lang) in languages_of(reply) {
                let quoted = faq.iter().any(|q| sentence.contains(q.as_str()));
                let thanks = sentence.starts_with("Thanks ");
                assert!(
                    quoted || thanks || lang == want,
                    "{lines:?}: {sentence:?} in {reply:?}"
                );
            }
        }
        assert!(
            c.replies().iter().any(|r| r.contains("exam")),
            "the exam is still asked: {:?}",
            c.replies()
        );
    }
    let mut c = with_own_question();
    talk(&mut c, &["Hello, I'm Amit"]).await;
    assert!(
        c.replies()[0].contains("Which exam are you preparing for?"),
        "{}",
        c.replies()[0]
    );
    assert!(!c.replies()[0].contains("swagat"), "{}", c.replies()[0]);
}

/// Replayed: "Hi", "Amit", "main trading seekhna chahta hun" got "Thanks Trading!" and the
/// name became "Trading". Hindi's "main" (I) starts any sentence; a name after it is a word
/// alone or before "hun".
#[tokio::test]
async fn a_hindi_sentence_starting_with_main_is_no_name() {
    let mut c = conversation(profile());
    talk(&mut c, &["Hi", "Amit", "main trading seekhna chahta hun"]).await;
    assert_eq!(slot(&c, "name").as_deref(), Some("Amit"));
    assert!(!c.replies()[2].contains("Trading"), "{}", c.replies()[2]);
    let mut c = conversation(profile());
    talk(&mut c, &["Hi", "main Rohit hun"]).await;
    assert_eq!(slot(&c, "name").as_deref(), Some("Rohit"));
}

/// One language per reply, both ways: the rules engine cannot translate the owner's words and
/// never alters them, so a reply quoting an answer the owner wrote in Hinglish is Hinglish
/// around it too, even to an English lead; the lead's own language comes back after it.
#[tokio::test]
async fn the_reply_around_an_owners_answer_speaks_the_answers_language() {
    let mut c = conversation(profile());
    c.knowledge.push(faq(
        "Do you have a hostel?",
        "Haan, Kothrud mein humara hostel hai, 6,000 rupaye mahina.",
    ));
    let o = c
        .lead_says("Hi, I'm Priya. Do you have a hostel?", None)
        .await
        .clone();
    let reply = o.decision.message_text.expect("an answer");
    assert!(reply.contains("humara hostel hai"), "{reply}");
    for (sentence, lang) in languages_of(&reply) {
        assert_eq!(lang, "hi-en", "{sentence:?} in {reply:?}");
    }
    assert_eq!(c.state.language.as_deref(), Some("en"));
    // No answer quoted: the lead's English again.
    let o = c.lead_says("I want to learn trading", None).await.clone();
    let reply = o.decision.message_text.expect("a reply");
    for (sentence, lang) in languages_of(&reply) {
        assert_eq!(lang, "en", "{sentence:?} in {reply:?}");
    }
}

/// Played as a gym's lead: asked "What is your fitness goal?", the lead answered "morning" and
/// the agent filed "morning" as the goal. A time of day is when they come, not what they want:
/// it goes to the checklist's time (or is kept as their preferred time), and the goal is
/// asked again in other words.
#[tokio::test]
async fn a_time_of_day_answering_the_goal_question_is_no_goal() {
    use closer_agent::profile::Script;
    let b = business("gym");
    let free_goal = || {
        let mut c = b.conversation();
        c.profile.script_library.qualification.insert(
            "goal".into(),
            Script::PerLanguage(
                [
                    ("en".to_owned(), "What is your fitness goal?".to_owned()),
                    ("hi-en".to_owned(), "Aapka fitness goal kya hai?".to_owned()),
                ]
                .into(),
            ),
        );
        c
    };
    let mut c = free_goal();
    talk(&mut c, &["Hi", "Rahul"]).await;
    assert_eq!(c.replies()[1], "Thanks Rahul! What is your fitness goal?");
    let o = c.lead_says("morning", None).await.clone();
    assert_eq!(slot(&c, "goal"), None, "a time is no goal");
    assert_eq!(slot(&c, "workout_time").as_deref(), Some("morning"));
    let reply = o.decision.message_text.expect("a reply");
    assert_eq!(reply, "Got it: morning, noted. And your goal?");
    assert_eq!(o.decision.reason_code, ReasonCode::QualificationQuestion);
    assert_eq!(c.state.pending_question.as_deref(), Some("goal"));
    // The goal told next is the goal.
    c.lead_says("lose 10 kg", None).await;
    assert_eq!(slot(&c, "goal").as_deref(), Some("lose 10 kg"));

    // A checklist with no time to file it under: kept as the lead's preferred time.
    let mut c = free_goal();
    c.profile
        .sales_rules
        .qualification_checklist
        .retain(|(k, _)| k != "workout_time");
    talk(&mut c, &["Hi", "Rahul", "early morning, around 6am"]).await;
    assert_eq!(slot(&c, "goal"), None);
    assert_eq!(
        slot(&c, "preferred_time").as_deref(),
        Some("early morning, around 6am")
    );
    assert!(
        c.replies()[2].ends_with("And your goal?"),
        "{}",
        c.replies()[2]
    );

    // In Hinglish.
    let mut c = free_goal();
    talk(&mut c, &["Namaste, mera naam Rahul hai", "shaam ko"]).await;
    assert_eq!(slot(&c, "goal"), None);
    assert_eq!(slot(&c, "workout_time").as_deref(), Some("evening"));
    assert_eq!(
        c.replies()[1],
        "Theek hai, evening note kar liya. Aur aapka goal?"
    );

    // "Morning" to the name question, right after our greeting, greets back: no time is said
    // back, nor the name asked "in other words".
    for greeting in ["Morning", "Morning sir"] {
        let mut c = free_goal();
        c.profile
            .sales_rules
            .qualification_checklist
            .retain(|(k, _)| k != "workout_time");
        talk(&mut c, &["Hi", greeting]).await;
        assert!(!c.replies()[1].contains("noted"), "{}", c.replies()[1]);
        assert_eq!(slot(&c, "preferred_time"), None);
    }
}

/// Played in the inbox: the agent handed a call at 4pm to the team, a team member took the
/// conversation over and had not written yet when the lead wrote "actually make it 5pm", and
/// the bot answered "Noted — …" in a conversation a person had taken. Once a person has taken
/// it over the bot is silent (the team's item still moves); when the takeover ends the bot
/// answers again, and a takeover before the agent's latest handover silences nothing.
#[tokio::test]
async fn once_a_person_has_taken_over_the_bot_is_silent_until_the_takeover_ends() {
    let b = business("pathshala");
    let mut c = b.conversation();
    let o = c
        .lead_says("Can someone from your team call me tomorrow at 4pm?", None)
        .await
        .clone();
    assert!(o.decision.handoff_required, "{o:?}");
    assert_eq!(c.mode, ConversationMode::Human);
    c.advance(chrono::Duration::minutes(5));
    c.take_over();
    let o = c.lead_says("actually make it 5pm", None).await.clone();
    assert!(!o.decision.should_send, "{o:?}");
    assert!(!o.decision.while_handed_over);
    let five_pm = Utc.with_ymd_and_hms(2026, 11, 18, 11, 30, 0).unwrap();
    assert_eq!(c.state.call_requested, Some(five_pm));
    let brief = o.patch.brief.expect("the team's item moves");
    assert!(brief.summary.contains("5:00 PM"), "{brief:?}");

    // The takeover ends: the bot answers the lead again.
    c.hand_back();
    let o = c.lead_says("make it 6pm instead", None).await.clone();
    assert!(o.decision.should_send, "{o:?}");
    // Taken over again from the bot, with the old handover still in memory: silent.
    c.take_over();
    let o = c.lead_says("sorry, 7pm please", None).await.clone();
    assert!(!o.decision.should_send, "{o:?}");

    // The agent hands over again after that takeover ended: the lead waits for a person
    // again, and a new time is said back.
    let mut c = b.conversation();
    c.lead_says("Can someone from your team call me tomorrow at 4pm?", None)
        .await;
    c.take_over();
    c.hand_back();
    c.advance(chrono::Duration::minutes(5));
    let o = c
        .lead_says("I want to talk to a person", None)
        .await
        .clone();
    assert!(o.decision.handoff_required, "{o:?}");
    let o = c.lead_says("actually make it 5pm", None).await.clone();
    assert!(o.decision.while_handed_over, "{o:?}");
    assert!(
        o.decision
            .message_text
            .as_deref()
            .is_some_and(|t| t.starts_with("Noted")),
        "{o:?}"
    );
}

/// Played in the inbox: the agent handed the conversation to the team, and the lead, still
/// waiting, wrote "Can I book a call?" — and heard nothing (today's rule let only a moved time
/// through). A self-serve link asked for while waiting goes in the waiting note, recorded as
/// offered (no yes/no buttons: they asked for it), moving neither stage nor status; a request
/// with no link to send gets the note alone; once a person took the conversation over or
/// answered, the bot sends nothing at all.
#[tokio::test]
async fn waiting_for_a_person_a_lead_who_asks_for_a_link_gets_it_and_a_person_who_came_owns_it() {
    let b = business("pathshala");
    let mut c = b.conversation();
    let o = c
        .lead_says("I want to talk to a person", None)
        .await
        .clone();
    assert!(o.decision.handoff_required, "{o:?}");
    let (stage, status) = (c.stage, c.lead_status);
    let mut taken = c.clone();
    let mut answered = c.clone();

    let o = c.lead_says("Can I book a call?", None).await.clone();
    let text = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(
        text,
        "Sure — you can pick a time here: https://cal.example.com/pathshala. Someone from the \
         team will also reply here."
    );
    assert!(o.decision.while_handed_over);
    assert_eq!(o.decision.reason_code, ReasonCode::CtaPush);
    assert_eq!(o.decision.cta_type, Some(CtaType::BookCall));
    assert!(o.decision.buttons.is_empty(), "{o:?}");
    assert_eq!(
        c.state.cta_states[&CtaType::BookCall].state,
        closer_domain::cta::CtaState::OfferedOnce
    );
    assert_eq!(
        (c.mode, c.stage, c.lead_status),
        (ConversationMode::Human, stage, status)
    );
    assert!(!o.decision.handoff_required);

    // Taken over by a person who has not written yet: nothing goes.
    taken.take_over();
    let o = taken.lead_says("Can I book a call?", None).await.clone();
    assert!(!o.decision.should_send, "{o:?}");
    assert!(!o.decision.while_handed_over);
    // A person answered: the conversation is theirs.
    answered.history.push(closer_agent::snapshot::Turn {
        id: "h1".into(),
        author: closer_domain::messaging::Author::Human,
        text: "Hi, this is Priya from the team.".into(),
        at: answered.now,
        reply_id: None,
    });
    let o = answered
        .lead_says("send me the payment link", None)
        .await
        .clone();
    assert!(!o.decision.should_send, "{o:?}");

    // No booking link to send: the note alone, no offer recorded.
    let mut c = starter_without_a_booking_link();
    c.lead_says("I want to talk to a person", None).await;
    assert_eq!(c.mode, ConversationMode::Human);
    let o = c.lead_says("Can I book a call?", None).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("I've passed this to the team; someone will reply here.")
    );
    assert_eq!(o.decision.cta_type, None);
    assert!(c.state.cta_states.is_empty());
}

/// Replayed on a fresh organisation: WhatsApp showed the lead as "Sneha", so her name was
/// held from the profile; "Sneha naam hai, 12th mein hu, JEE" then told it, and the reply went
/// on without a word of thanks. A name the lead tells is thanked, whatever the profile said.
#[tokio::test]
async fn a_name_told_is_thanked_though_whatsapp_showed_it_already() {
    for id in ["pathshala", "pathshala_wizard"] {
        let mut c = business(id).conversation();
        c.profile_name = Some("Sneha".into());
        talk(&mut c, &["hi", "Sneha naam hai, 12th mein hu, JEE"]).await;
        let reply = c.replies()[1];
        assert!(reply.starts_with("Thanks Sneha"), "{id}: {reply}");
    }
}

/// Replayed: "how long is the course" had no answer in the knowledge, so the agent promised
/// the team would answer and handed the conversation over. The lead, not upset and asking for
/// nobody, went on — the fee, which the knowledge answers; their name ("Karan btw"); a call on
/// Saturday — and heard nothing back while nobody from the team had come.
#[tokio::test]
async fn waiting_for_the_teams_answer_a_lead_still_hears_what_the_agent_knows() {
    let mut c = conversation(profile());
    talk(&mut c, &["hi", "how long is the course"]).await;
    assert_eq!(c.mode, ConversationMode::Human);
    let mut taken = c.clone();
    let mut upset = c.clone();

    let o = c.lead_says("ok whats the fee", None).await.clone();
    let fee = o.decision.message_text.clone().unwrap_or_default();
    assert!(o.decision.while_handed_over, "{o:?}");
    assert!(fee.contains("₹2999"), "the fees entry answers: {fee}");
    assert!(
        fee.ends_with("The team will also reply here about your earlier question."),
        "{fee}"
    );
    assert!(!o.decision.handoff_required && c.mode == ConversationMode::Human);
    // Asked again, the same answer is not quoted word for word again.
    let o = c.lead_says("sorry what is the fee?", None).await.clone();
    let again = o.decision.message_text.clone().unwrap_or_default();
    assert!(!again.contains("₹2999"), "{again}");
    assert!(again.contains("team"), "{again}");
    // A name with a filler after it is the name alone.
    c.lead_says("my name is Karan btw", None).await;
    assert_eq!(c.state.slot_value("name"), Some("Karan"));
    // "Book me a call" asks to book: the time goes to the team, and the lead hears so.
    let o = c
        .lead_says("ok book me a call for saturday 11am", None)
        .await
        .clone();
    let said = o.decision.message_text.clone().unwrap_or_default();
    assert!(said.contains("11:00 AM"), "{said}");

    // A person took it over: their conversation, the bot stays silent.
    taken.take_over();
    let o = taken.lead_says("ok whats the fee", None).await.clone();
    assert!(!o.decision.should_send, "{o:?}");
    // A lead who asked for a person waits for the person, even with a question the
    // knowledge answers.
    upset
        .lead_says("I want to talk to a real person", None)
        .await;
    let o = upset.lead_says("whats the fee?", None).await.clone();
    assert!(
        !o.decision
            .message_text
            .clone()
            .unwrap_or_default()
            .contains("₹2999"),
        "{o:?}"
    );
}

/// Replayed: "bahut zyada hai yaar" after the fee got "Aapke budget ke hisaab se option dekh
/// sakte hain" — an option nobody has — while the business's own FAQ offers EMIs. A price
/// objection hears the owner's answer on paying less, once; an owner's own script for the
/// objection is theirs and stays as written.
#[tokio::test]
async fn a_price_objection_hears_the_businesss_own_way_to_pay_less() {
    let b = business("pathshala");
    let mut c = b.conversation();
    talk(&mut c, &["hi", "fees kitni hai?"]).await;
    let o = c.lead_says("bahut zyada hai yaar", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(
        o.decision.reason_code,
        ReasonCode::ObjectionHandling,
        "{reply}"
    );
    assert!(reply.to_lowercase().contains("emi"), "{reply}");
    assert!(!reply.contains("budget ke hisaab"), "{reply}");
    assert_eq!(o.decision.message_text.as_deref(), Some(reply.as_str()));
    // Said once: the same objection again does not quote it again.
    let o = c.lead_says("phir bhi bahut zyada hai", None).await.clone();
    let again = o.decision.message_text.clone().unwrap_or_default();
    assert!(!again.contains("Bajaj"), "{again}");
    // The next way to pay less the business offers, if any, instead.
    assert!(
        again.contains("scholarship") || again.contains("10% off"),
        "{again}"
    );
}

/// Replayed: a lead from an ad wrote "what is this", heard "let me check that with the team"
/// and was handed over; "who are you" then got silence. Whom they write to is the one thing
/// the agent always knows.
#[tokio::test]
async fn a_lead_who_asks_what_this_is_hears_whom_they_write_to() {
    let b = business("pathshala");
    for first in ["what is this", "aap kaun ho?"] {
        let mut c = b.conversation();
        let o = c.lead_says(first, None).await.clone();
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(reply.contains("Pune Pathshala"), "{first}: {reply}");
        assert!(reply.contains("virtual assistant"), "{first}: {reply}");
        assert!(!o.decision.handoff_required, "{first}: {o:?}");
        assert!(!reply.contains("team"), "{first}: {reply}");
        assert!(reply.ends_with('?'), "the next step follows: {reply}");
    }
}

/// Replayed in review: asked "When would you like to get started?", "Pooja here, 12th mein
/// hu, NEET" was filed as the timeline "NEET". The exam says what she wants, never when.
#[tokio::test]
async fn an_exam_told_in_answer_to_when_is_no_timeline() {
    for id in ["pathshala_wizard", "pathshala"] {
        let mut c = business(id).conversation();
        c.profile_name = Some("Pooja".into());
        talk(
            &mut c,
            &[
                "Hello! Good evening. Do you have weekend batches?",
                "Pooja here, 12th mein hu, NEET",
            ],
        )
        .await;
        assert_ne!(c.state.slot_value("timeline"), Some("NEET"), "{id}");
    }
}

/// Played against a fresh "Pathshala Pune": after the fee answer, "any scholarship?" got the
/// fee answer again, word for word (its "10% early-bird discount" was read as marks and a
/// discount, which is how a lead asks for a scholarship). The FAQ says nothing on
/// scholarships: the lead hears the honest promise, and the team gets the question.
#[tokio::test]
async fn a_scholarship_the_faq_does_not_mention_goes_to_the_team_not_the_fee_again() {
    let mut c = pathshala_pune();
    talk(&mut c, &["what are the fees?", "Amit"]).await;
    assert!(c.replies()[0].contains("₹85,000"), "{:?}", c.replies());
    let o = c.lead_says("any scholarship?", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(!reply.contains("₹85,000"), "{reply}");
    assert!(reply.contains("check that with the team"), "{reply}");
    assert_eq!(
        o.decision.handoff.as_ref().map(|b| b.escalation_reason),
        Some(HandoverReason::UnansweredQuestion),
        "the team gets the question"
    );
    assert_eq!(c.mode, ConversationMode::Human);
    // Asked first, the same: no entry answers it.
    for first in ["any scholarship?", "Do you give scholarships?"] {
        let mut c = pathshala_pune();
        let o = c.lead_says(first, None).await.clone();
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(!reply.contains("₹85,000"), "{first}: {reply}");
        assert!(o.decision.handoff_required, "{first}: {reply}");
    }
    // The discount itself is still the fee entry's.
    let mut c = pathshala_pune();
    let o = c.lead_says("any discount?", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("early-bird"), "{reply}");
}

/// Whatever an entry matched, an answer the agent already sent is not sent again word for
/// word: asked again, the lead hears that it was said above and that the team will add to
/// it (a person picks the question up).
#[tokio::test]
async fn an_answer_already_sent_is_never_sent_again_word_for_word() {
    let mut c = pathshala_pune();
    talk(&mut c, &["Do you have weekend batches?", "Amit"]).await;
    let o = c
        .lead_says("sorry, do you have weekend batches?", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(!reply.contains("Saturday and Sunday"), "{reply}");
    assert!(reply.contains("above"), "{reply}");
    assert!(o.decision.handoff_required, "{reply}");
    // Two questions, one answered before: only the new answer is quoted.
    let mut c = pathshala_pune();
    talk(&mut c, &["Do you have weekend batches?", "Amit"]).await;
    let o = c
        .lead_says("weekend batches and can I pay in EMI?", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("6-month EMI"), "{reply}");
    assert!(!reply.contains("Saturday and Sunday"), "{reply}");
    let all = c.replies();
    for (i, r) in all.iter().enumerate() {
        assert!(!all[..i].contains(r), "sent twice: {r}");
    }
}

/// Played against a fresh "Pathshala Pune": an angry lead was handed to the team, then wrote
/// "hello??" and heard nothing. A lead waiting for a person who checks that anyone is there
/// hears once, with an apology, that a person will reply here (and when, out of hours); the
/// second "hello??" of the same wait gets nothing, and once a person took over or answered,
/// the conversation is theirs.
#[tokio::test]
async fn a_lead_waiting_for_a_person_who_asks_if_anyone_is_there_hears_once_that_one_is_coming() {
    for ping in ["hello??", "??", "hello?", "anyone there?"] {
        let mut c = pathshala_pune();
        let o = c
            .lead_says(
                "Worst institute, nobody called me back. Cheating people!",
                None,
            )
            .await
            .clone();
        assert_eq!(
            o.decision
                .handoff
                .as_ref()
                .map(|h| h.escalation_reason.as_str()),
            Some("angry_sentiment")
        );
        let mut taken = c.clone();
        let mut answered = c.clone();
        c.advance(chrono::Duration::minutes(20));
        let o = c.lead_says(ping, None).await.clone();
        let note = o.decision.message_text.clone().unwrap_or_default();
        assert!(o.decision.should_send, "{ping}: {o:?}");
        assert!(o.decision.while_handed_over, "{ping}");
        assert_eq!(
            note, "Sorry for the wait. Someone from our team will reply here shortly.",
            "{ping}"
        );
        assert!(!o.decision.handoff_required, "{ping}");
        assert_eq!(c.mode, ConversationMode::Human);
        // No spam: the same wait, the same question, nothing more.
        let o = c.lead_says(ping, None).await.clone();
        assert!(!o.decision.should_send, "{ping}: {o:?}");

        taken.take_over();
        let o = taken.lead_says(ping, None).await.clone();
        assert!(!o.decision.should_send, "{ping}: {o:?}");
        answered.history.push(closer_agent::snapshot::Turn {
            id: "h1".into(),
            author: closer_domain::messaging::Author::Human,
            text: "Hi, this is Priya from the team. So sorry!".into(),
            at: answered.now,
            reply_id: None,
        });
        let o = answered.lead_says(ping, None).await.clone();
        assert!(!o.decision.should_send, "{ping}: {o:?}");
    }
    // Asked for a person, in Hinglish, at night: when the team is back.
    let mut c = pathshala_pune();
    c.now = Utc.with_ymd_and_hms(2026, 11, 16, 16, 0, 0).unwrap();
    c.lead_says("mujhe kisi insaan se baat karni hai", None)
        .await;
    let o = c.lead_says("koi hai??", None).await.clone();
    let note = o.decision.message_text.clone().unwrap_or_default();
    assert!(note.contains("kal (Tue) 9:00 AM"), "{note}");
    assert!(note.starts_with("Intezaar"), "{note}");
    // A small word that is no check on us ("ok") is left alone.
    let o = c.lead_says("ok", None).await.clone();
    assert!(!o.decision.should_send, "{o:?}");
}

/// Played against a fresh "Pathshala Pune": handed to the team, the lead wrote STOP, was
/// opted out, and heard nothing. The confirmation is the compliance message WhatsApp leads
/// expect after STOP, and after it nobody — not even a person — may write to them: it goes
/// whoever has the conversation (waiting for a person, taken over, or answered by one), and
/// nothing else goes with it or after it.
#[tokio::test]
async fn stop_while_handed_over_opts_out_with_the_one_confirmation() {
    let mut waiting = pathshala_pune();
    waiting.lead_says("I want to talk to a person", None).await;
    assert_eq!(waiting.mode, ConversationMode::Human);
    let mut taken = waiting.clone();
    taken.take_over();
    let mut answered = waiting.clone();
    answered.history.push(closer_agent::snapshot::Turn {
        id: "h1".into(),
        author: closer_domain::messaging::Author::Human,
        text: "Hi, this is Priya from the team.".into(),
        at: answered.now,
        reply_id: None,
    });
    let mut unanswered = pathshala_pune();
    unanswered
        .lead_says("Is there a hostel near your centre?", None)
        .await;
    assert_eq!(unanswered.mode, ConversationMode::Human);
    for (who, mut c) in [
        ("waiting", waiting),
        ("taken over", taken),
        ("answered", answered),
        ("waiting for an answer", unanswered),
    ] {
        let o = c.lead_says("STOP", None).await.clone();
        assert!(o.patch.opted_out, "{who}");
        assert!(o.decision.should_send, "{who}: {o:?}");
        let text = o.decision.message_text.clone().unwrap_or_default();
        assert!(text.contains("Reply START anytime"), "{who}: {text}");
        assert_eq!(o.decision.reason_code, ReasonCode::ExitGraceful, "{who}");
        let lock = o
            .decision
            .guardrails
            .iter()
            .find(|g| g.rule == "human_lock");
        assert_eq!(lock.map(|g| g.action), Some(GuardAction::Passed), "{who}");
        assert_eq!(c.lead_status, LeadStatus::OptedOut, "{who}");
        assert!(c.opted_out, "{who}");
        // Nothing after it, the waiting notes included.
        for line in ["hello??", "Can I book a call?"] {
            let o = c.lead_says(line, None).await;
            assert!(!o.decision.should_send, "{who}: {line}: {o:?}");
        }
    }
}

/// Played against a fresh "Pathshala Pune", which has nothing on a repeater batch: "Hello, I
/// want details of the NEET repeater batch" was greeted and asked for a name, the details
/// never mentioned again. A request for details of something the knowledge does not cover
/// is promised honestly, naming what the lead will get, and the team gets it to answer like
/// any unanswered question; a request that names nothing ("I want details") is qualified as
/// before.
#[tokio::test]
async fn details_the_faq_does_not_have_are_promised_from_the_team() {
    let mut c = pathshala_pune();
    let o = c
        .lead_says("Hello, I want details of the NEET repeater batch", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(
        reply,
        "I'll get the NEET repeater batch details from the team and share them here within \
         the hour."
    );
    assert_eq!(
        o.decision.handoff.as_ref().map(|b| b.escalation_reason),
        Some(HandoverReason::UnansweredQuestion),
        "the team gets the request"
    );
    assert_eq!(c.mode, ConversationMode::Human);
    let promise = c.state.commitments.agent.last().expect("the promise, due");
    assert!(promise.what.contains("NEET repeater batch"), "{promise:?}");
    assert!(promise.due.is_some());
    assert_eq!(slot(&c, "exam").as_deref(), Some("NEET"));

    // In the middle of qualifying, in Hinglish.
    let mut c = pathshala_pune();
    talk(&mut c, &["Hi"]).await;
    let o = c
        .lead_says("hostel facility ki details bhejo", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert_eq!(
        reply,
        "Hostel facility ki details team se lekar ek ghante mein yahin share karta hun."
    );
    assert!(o.decision.handoff_required);

    // Details of nothing in particular: the agent learns what the lead wants first.
    for vague in ["Hi, I want details", "send me more info please"] {
        let mut c = pathshala_pune();
        let o = c.lead_says(vague, None).await.clone();
        assert!(!o.decision.handoff_required, "{vague}: {o:?}");
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(reply.ends_with('?'), "{vague}: {reply}");
    }
    // Details the knowledge has are answered, as before.
    let mut c = pathshala_pune();
    let o = c
        .lead_says("I want details of the weekend batches", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("Saturday and Sunday"), "{reply}");
    assert!(!o.decision.handoff_required);
}

/// Played against a fresh "Shree Homes Realty": "Is it RERA approved?" got "let me check that
/// with the team" although the FAQ's RERA entry ("The project is RERA registered: …")
/// answers it. A rare word the lead and one entry share is that entry's question.
#[tokio::test]
async fn a_rera_question_in_other_words_gets_the_rera_entry() {
    for asked in [
        "Is it RERA approved?",
        "is the project rera registered?",
        "RERA?",
        "rera number kya hai",
    ] {
        let mut c = shree_homes();
        let o = c.lead_says(asked, None).await.clone();
        let reply = o.decision.message_text.clone().unwrap_or_default();
        assert!(reply.contains("P52100012345"), "{asked}: {reply}");
        assert!(!o.decision.handoff_required, "{asked}: {reply}");
    }
}

/// Played: "price??" got the 2BHK price; "hello?? price batao" then got "Aap kab tak shuru
/// karna chahenge?", the question ignored, and the lead grew angry. Asked again, the lead
/// hears where the answer is and that the team adds the rest, never a qualifying question
/// in its place.
#[tokio::test]
async fn a_price_asked_again_is_not_ignored_for_a_qualifying_question() {
    let mut c = shree_homes();
    talk(&mut c, &["price??"]).await;
    assert!(c.replies()[0].contains("₹85 lakh"), "{:?}", c.replies());
    let o = c.lead_says("hello?? price batao", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(!reply.contains("shuru"), "{reply}");
    assert!(!reply.contains("get started"), "{reply}");
    assert!(
        reply.contains("₹85 lakh") || reply.contains("upar") || reply.contains("above"),
        "{reply}"
    );
}

/// Played: "Do you have 1BHK flats?" got "let me check that with the team"; "what about
/// parking?" then got nothing, as if unread. The lead hears that the team has that question
/// too, in their language; an answer the FAQ has still comes at once, and a lead who only
/// says "ok" hears nothing more.
#[tokio::test]
async fn a_second_question_the_faq_lacks_while_waiting_is_acknowledged_not_ignored() {
    let mut c = shree_homes();
    talk(&mut c, &["Do you have 1BHK flats?"]).await;
    assert!(
        c.replies()[0].contains("check that with the team"),
        "{:?}",
        c.replies()
    );
    let o = c.lead_says("what about parking?", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(o.decision.should_send, "{:?}", o.decision);
    assert!(reply.contains("passed that to the team as well"), "{reply}");
    assert!(
        c.state
            .commitments
            .agent
            .iter()
            .any(|p| p.what.contains("parking")),
        "the promise is noted: {:?}",
        c.state.commitments
    );
    let o = c.lead_says("and is there a gym?", None).await.clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("gym"), "{reply}");
    let o = c.lead_says("ok", None).await.clone();
    assert!(!o.decision.should_send, "{:?}", o.decision.message_text);
    let mut c = shree_homes();
    talk(&mut c, &["1BHK hai kya?", "parking milegi kya?"]).await;
    assert!(
        c.replies()[1].contains("team ko bhej diya"),
        "{:?}",
        c.replies()
    );
}

/// Played: "I called your office but nobody picked up!!" got the greeting and "What are you
/// looking for?", and "very bad service" got "When would you like to get started?". A
/// complaint about the business goes to a person with an apology at once.
#[tokio::test]
async fn a_complaint_about_the_business_goes_to_a_person_with_an_apology() {
    for complaint in [
        "I called your office but nobody picked up!!",
        "very bad service",
        "I called twice, no one picked up",
        "aapka phone nahi uthate ho",
    ] {
        let mut c = shree_homes();
        let o = c.lead_says(complaint, None).await.clone();
        let reply = o.decision.message_text.clone().unwrap_or_default();
        let sorry = ["sorry", "maafi"]
            .iter()
            .any(|w| reply.to_lowercase().contains(w));
        assert!(sorry, "{complaint}: {reply}");
        assert!(!reply.contains("looking for"), "{complaint}: {reply}");
        assert_eq!(
            o.decision.handoff.as_ref().map(|b| b.escalation_reason),
            Some(HandoverReason::Trigger(
                closer_domain::agent::EscalationTrigger::AngrySentiment
            )),
            "{complaint}: {reply}"
        );
    }
}

/// Played: "too expensive yaar" about an ₹85 lakh flat got "It pays for itself quickly", the
/// starter line of a course. The agency's own answer on paying it (its bank tie-ups) is the
/// answer to a price objection, as a coaching institute's EMI is.
#[tokio::test]
async fn a_price_objection_hears_the_business_own_loan_help() {
    let mut c = shree_homes();
    talk(&mut c, &["price?", "too expensive yaar"]).await;
    let reply = &c.replies()[1];
    assert!(reply.contains("SBI, HDFC and ICICI"), "{reply}");
    assert!(!reply.contains("pays for itself"), "{reply}");
}

/// Played: "info", "??", "hello anyone there" got the call offer twice, word for word. A lead
/// checking that someone is there hears that the bot is, and what it asked, or what they
/// would like to know; a bare "hi" later in the talk is not read as such a check.
#[tokio::test]
async fn a_lead_checking_anyone_is_there_is_answered_not_pushed_the_offer_again() {
    let mut c = shree_homes();
    talk(&mut c, &["hi", "info", "??", "hello anyone there"]).await;
    let r = c.replies();
    assert!(r[2].contains("I'm here"), "{r:?}");
    assert!(r[3].contains("I'm here"), "{r:?}");
    let offers = r.iter().filter(|t| t.contains("cal.example.com")).count();
    assert!(offers <= 1, "{r:?}");
    let mut c = shree_homes();
    talk(&mut c, &["hi", "koi hai?"]).await;
    assert!(
        c.replies()[1].contains("main yahin hun"),
        "{:?}",
        c.replies()
    );
}

/// Played: "Where is your class? Is there parking for two wheelers?" got the address and
/// "What are you looking for?", the parking question dropped. What the knowledge answers
/// is answered; the rest is promised from the team, and kept (the team gets the question).
#[tokio::test]
async fn two_questions_one_unknown_answers_one_and_promises_the_other() {
    let mut c = shree_homes();
    let o = c
        .lead_says(
            "What are the site visit timings? Is there parking for two wheelers?",
            None,
        )
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(reply.contains("10 am to 7 pm"), "{reply}");
    assert!(
        reply.contains("the rest, let me check with the team"),
        "{reply}"
    );
    assert_eq!(
        o.decision.handoff.as_ref().map(|b| b.escalation_reason),
        Some(HandoverReason::UnansweredQuestion),
        "{reply}"
    );
    // Both answered: no promise.
    let mut c = shree_homes();
    let o = c
        .lead_says("When is possession? And what amenities are there?", None)
        .await
        .clone();
    let reply = o.decision.message_text.clone().unwrap_or_default();
    assert!(
        reply.contains("December 2027") && reply.contains("Clubhouse"),
        "{reply}"
    );
    assert!(!o.decision.handoff_required, "{reply}");
}
