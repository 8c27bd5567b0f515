//! One vocabulary and one send policy, end to end: the seeds' own spelling is accepted and
//! answered in the canonical one, nobody reaches a lead who opted out, and what happens to a
//! lead lands in the activity log with the change.

use crate::conversations::{lead_writes, messages};
use crate::harness::{Backend, TestApp, eventually};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    the_seeds_documents_save_as_written,
    enums_read_either_spelling_and_refuse_unknown_words,
    a_person_cannot_message_a_lead_who_opted_out,
    a_local_number_is_read_in_the_business_country,
    start_after_stop_opts_the_lead_back_in,
    the_activity_log_follows_the_lead
);

/// seeds/001 §3, word for word: the five documents the customer wrote for JustStock Academy.
fn seeds_documents() -> Value {
    json!({
        "business_config": {
            "business_name": "JustStock Academy",
            "offer_summary": "Live trading courses, 3-tier pricing",
            "pricing_summary": "₹2999/₹5999/₹9999",
            "primary_ctas": ["APP_DOWNLOAD", "BOOK_CALL", "PAYMENT"],
            "disqualifiers": ["under 18", "outside India", "no capital"],
            "working_hours": "9 AM-9 PM IST Mon-Sat",
            "contact_links": {"app_url": "...", "website_url": "...", "booking_url": "..."},
            "timezone": "Asia/Kolkata"
        },
        "sales_rules": {
            "qualification_checklist": {
                "experience_level": "required",
                "interest_category": "required",
                "goal": "required",
                "app_download_status": "required",
                "budget": "ask_late"
            },
            "objection_playbook": {
                "no_time": "Offer weekend batch, recorded sessions",
                "too_expensive": "Break down per-day cost, mention EMI"
            },
            "cta_sequencing": {"first": "APP_DOWNLOAD", "fallback": "BOOK_CALL"},
            "escalation_triggers": ["payment_failure", "angry_sentiment", "complex_question_3x"]
        },
        "tone_profile": {
            "language": "hi-en",
            "message_length_max_words": 15,
            "questions_per_message": 1,
            "honorifics": true,
            "emoji_policy": "never",
            "formality": "professional",
            "persuasion_level": "moderate",
            "examples": ["Namaste sir! App download kar liya?", "Demo class book karein?"]
        },
        "guardrails": {
            "system_guardrails": [
                "Never claim to be human",
                "Respect opt-out immediately",
                "No spam if user unresponsive >72h"
            ],
            "business_guardrails": [
                "Never guarantee trading profits",
                "Always mention risk disclaimer"
            ],
            "forbidden_phrases": ["guaranteed returns", "risk-free"],
            "required_disclaimers": ["Trading involves risk. Past performance ≠ future results."]
        },
        "script_library": {
            "openers": {"new_lead": "Hi! Interest in trading courses dekha. Help kar sakta hun!"},
            "qualification": {"experience_check": "Pehle trading ki hai?"},
            "objection_handlers": {"no_time": "Weekend batches + recorded sessions available!"},
            "cta_scripts": {"app_download": "App download: [LINK]"},
            "exits": {"graceful": "No problem! Jab ready ho, message karna."}
        }
    })
}

async fn the_seeds_documents_save_as_written(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("JustStock Academy").await;
    let r = app
        .put("/api/v1/agent/profile", &owner.token, seeds_documents())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["version"], 1);
    // Read in the seeds' spelling, answered in the one canonical spelling.
    assert_eq!(
        r.body["business_config"]["primary_ctas"],
        json!(["app_download", "book_call", "payment"])
    );
    assert_eq!(
        r.body["sales_rules"]["cta_sequencing"],
        json!({"first": "app_download", "fallback": "book_call"})
    );
    assert_eq!(
        r.body["business_config"]["business_name"],
        "JustStock Academy"
    );
    assert_eq!(
        r.body["guardrails"]["required_disclaimers"][0],
        "Trading involves risk. Past performance ≠ future results."
    );
    // The mode too: the documented vocabulary, any case.
    let r = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"mode": "RULES"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["mode"], "rules");
    app.finish().await;
}

async fn enums_read_either_spelling_and_refuse_unknown_words(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Pune Coaching").await;
    let r = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "BOOK_CALL", "name": "Book a counselling call", "link": "https://cal.example/pune"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["type"], "book_call");
    let dup = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "book_call", "name": "Again"}),
        )
        .await;
    assert_eq!(
        dup.status,
        StatusCode::CONFLICT,
        "one word, one CTA: {:?}",
        dup.body
    );

    // Filters take the seeds' spelling too, and an unknown word is a 422 naming the field.
    let ok = app
        .get(
            "/api/v1/conversations?status=NEEDS_HUMAN&mode=BOT",
            &owner.token,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    let bad = app
        .get("/api/v1/conversations?status=thinking", &owner.token)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let why = bad.body["error"]["details"]["fields"]["status"]
        .as_str()
        .unwrap();
    assert!(
        why.contains("needs_human"),
        "lists the accepted words: {why}"
    );
    let blank = app.get("/api/v1/conversations?status=", &owner.token).await;
    assert_eq!(blank.status, StatusCode::OK, "a blank filter is no filter");

    // The setup wizard's tone and sales words too (found by the fuzzer: `SOFT` was a 422).
    let r = app
        .put(
            "/api/v1/onboarding",
            &owner.token,
            json!({"tone": {"emoji_policy": "SPARINGLY", "formality": "CASUAL", "persuasion": "SOFT"},
                "sales": {"budget_timing": "LATE"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let tone = &r.body["answers"]["tone"];
    assert_eq!(tone["persuasion"], "soft", "{tone}");
    assert_eq!(tone["emoji_policy"], "sparingly", "{tone}");
    app.finish().await;
}

async fn a_person_cannot_message_a_lead_who_opted_out(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Stop Means Stop").await;
    let phone = "+91 98000 00077";
    let (conv, _) = lead_writes(&app, &owner, phone, "STOP").await;
    // The agent confirms once and marks the lead opted out.
    let detail = eventually(20, "the lead to be opted out", || async {
        let r = app
            .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
            .await;
        (r.body["contact"]["opted_out"] == true).then_some(r.body)
    })
    .await;
    assert_eq!(detail["lead_status"], "opted_out");
    let before = messages(&app, &owner, &conv).await.len();

    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Sir, one last offer for you!"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "opted_out");
    assert_eq!(r.body["error"]["details"]["rule"], "opted_out");
    assert_eq!(
        messages(&app, &owner, &conv).await.len(),
        before,
        "nothing was stored or queued"
    );
    let after = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        after.body["mode"], detail["mode"],
        "a refused reply takes nothing over"
    );
    app.finish().await;
}

/// The opt-out confirmation says "Reply START anytime": that has to work.
async fn start_after_stop_opts_the_lead_back_in(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Come Back Co").await;
    let phone = "+91 98000 00079";
    let (conv, _) = lead_writes(&app, &owner, phone, "STOP").await;
    let opted = |want: bool| {
        let app = &app;
        let owner = &owner;
        let conv = conv.clone();
        async move {
            eventually(20, "the lead's opt-out to change", || async {
                let r = app
                    .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
                    .await;
                (r.body["contact"]["opted_out"] == want).then_some(r.body)
            })
            .await
        }
    };
    opted(true).await;
    let bot_before = messages(&app, &owner, &conv)
        .await
        .iter()
        .filter(|m| m["author"] == "bot")
        .count();
    lead_writes(&app, &owner, phone, "START").await;
    let back = opted(false).await;
    assert_ne!(back["lead_status"], "opted_out");
    let replies = eventually(20, "a reply to START", || async {
        let bot: Vec<Value> = messages(&app, &owner, &conv)
            .await
            .into_iter()
            .filter(|m| m["author"] == "bot")
            .collect();
        (bot.len() > bot_before).then_some(bot)
    })
    .await;
    assert!(
        replies.len() > bot_before,
        "the lead hears from the business again"
    );
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Welcome back! Asha here."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let logged = app
        .sql_text("SELECT kind FROM activities WHERE kind = 'opted_in'")
        .await;
    assert_eq!(logged.as_deref(), Some("opted_in"));
    app.finish().await;
}

async fn a_local_number_is_read_in_the_business_country(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Vidya Coaching Pune").await;
    // Without a time zone a number needs its country code, and says so.
    let bare = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": "098765 43210", "text": "weekend batch hai?"}),
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    let why = bare.body["error"]["details"]["fields"]["phone"]
        .as_str()
        .unwrap();
    assert!(why.contains("country code"), "{why}");
    let r = app
        .put(
            "/api/v1/org",
            &owner.token,
            json!({"name": "Vidya Coaching Pune", "timezone": "Asia/Kolkata", "support_phone": "020 2553 1234"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["support_phone"], "+912025531234");
    let (conv, _) = lead_writes(&app, &owner, "098765 43210", "weekend batch hai?").await;
    let (same, _) = lead_writes(&app, &owner, "+91 98765 43210", "aur fees?").await;
    assert_eq!(conv, same, "one lead, however the number is written");
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(detail.body["contact"]["phone"], "+919876543210");
    app.finish().await;
}

async fn the_activity_log_follows_the_lead(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Activity Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00078", "Hi, fees kitni hai?").await;
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Hello! I'm Asha from the admissions team."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    // Uuids are stored differently by the two databases: select the lead by its phone.
    let lead = "contact_id = (SELECT id FROM contacts WHERE phone = '+919800000078')";
    for kind in [
        "lead_created",
        "message_received",
        "message_sent",
        "takeover_started",
    ] {
        let logged = app
            .sql_text(&format!(
                "SELECT kind FROM activities WHERE {lead} AND kind = '{kind}'"
            ))
            .await;
        assert_eq!(logged.as_deref(), Some(kind), "{kind} logged");
    }
    let by = app
        .sql_text(&format!(
            "SELECT actor FROM activities WHERE {lead} AND kind = 'takeover_started'"
        ))
        .await;
    assert_eq!(by.as_deref(), Some("member"));
    app.finish().await;
}
