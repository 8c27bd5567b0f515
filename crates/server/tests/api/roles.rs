//! Every route's role, reviewed from the server's own OpenAPI document, so a route added
//! later without a role check fails here: a viewer reads and changes nothing of the
//! organisation's; an agent works conversations but does not configure the organisation.
//! Only the self-service routes (one's own sign-in, sessions and second factor) and reading
//! a conversation are open to every member.

use crate::harness::{Backend, Session, TestApp};
use crate::on_both_databases;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(every_change_is_held_to_its_role);

/// What every member may do for themselves.
const SELF_SERVICE: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/signup",
    "/api/v1/auth/logout",
    "/api/v1/auth/2fa/setup",
    "/api/v1/auth/2fa/enable",
    "/api/v1/auth/2fa/disable",
    "/api/v1/auth/2fa/recovery-codes",
    "/api/v1/auth/sessions/revoke-others",
    "/api/v1/auth/sessions/{id}",
    "/api/v1/conversations/{id}/read",
    // Searching leads is reading them: every member may.
    "/api/v1/leads/search",
    // One's own calendar feed URL: it reads only what the member can read already.
    "/api/v1/calendar/feed-token",
    // A forgotten password: no session at all.
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
    // One's own notifications: what reaches the member, and how.
    "/api/v1/notifications/preferences",
    "/api/v1/notifications/read",
    "/api/v1/push/subscriptions",
];

/// What an agent may change: the conversations they work, through the simulator too.
const AGENT_WORK: &[&str] = &[
    "/api/v1/conversations/{id}/takeover",
    "/api/v1/conversations/{id}/release",
    // Pausing, closing and reopening (issue 16 item 5).
    "/api/v1/conversations/{id}/mode",
    "/api/v1/messages/send",
    "/api/v1/sandbox/inbound",
    // The inbox's composer previews a template filled with the lead's values before sending.
    "/api/v1/templates/{id}/preview",
    // A conversation's follow-ups: schedule one, send it now, cancel it.
    "/api/v1/followups",
    "/api/v1/followups/{id}",
    "/api/v1/followups/{id}/cancel",
    "/api/v1/followups/{id}/send-now",
    // Leads, their tags (through the lead) and notes; deleting a lead is for owner/admin.
    "POST /api/v1/leads",
    "PUT /api/v1/leads/{id}",
    "/api/v1/leads/{id}/notes",
    "/api/v1/leads/{id}/notes/{note_id}",
    // Moving a lead on the pipeline board; stages are for owner/admin.
    "PUT /api/v1/pipeline/{lead_id}/move",
    // Saved views and bulk operations (a bulk delete is refused to agents in the handler).
    "/api/v1/views",
    "/api/v1/views/{id}",
    "/api/v1/leads/bulk",
    // Opting a lead out (opting in and erasing are for owner/admin).
    "/api/v1/leads/{id}/opt-out",
    // The action center, assignment, private notes and canned replies (issue 16).
    "/api/v1/actions/{id}/claim",
    "/api/v1/actions/{id}/resolve",
    "/api/v1/actions/{id}/snooze",
    "/api/v1/conversations/{id}/assignee",
    "/api/v1/conversations/{id}/notes",
    "/api/v1/canned-replies",
    "/api/v1/canned-replies/{id}",
    // The calendar: meetings set up on a lead, moved, cancelled or done (issue 16).
    "/api/v1/calendar",
    "/api/v1/calendar/{id}",
    // A file uploaded to send from the composer (sending it is `/messages/send`).
    "/api/v1/media",
];

fn changes(doc: &Value) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            let method = match method.as_str() {
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            out.push((method, path.clone()));
        }
    }
    out
}

/// The path with every `{param}` filled: a real id where one matters, a random one elsewhere
/// (the role is checked before the id is looked up).
fn filled(path: &str, owner: &Session) -> String {
    path.replace("{id}", &owner.user_id)
        .replace("{version}", "1")
        .replace("{token}", "0123456789abcdef")
}

async fn every_change_is_held_to_its_role(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Roles Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    let doc = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .body;
    let all = changes(&doc);
    assert!(all.len() > 30, "{} changes documented", all.len());
    let mut checked = 0;
    let mut open = Vec::new();
    for (method, path) in &all {
        let api_path = path.trim_start_matches("/api/v1");
        let full = format!("/api/v1{api_path}");
        if SELF_SERVICE.contains(&full.as_str()) {
            continue;
        }
        let url = filled(&full, &owner);
        for (who, session) in [("viewer", &viewer), ("agent", &agent)] {
            let with_method = format!("{method} {full}");
            if who == "agent"
                && (AGENT_WORK.contains(&full.as_str())
                    || AGENT_WORK.contains(&with_method.as_str()))
            {
                continue;
            }
            let r = app
                .request(method.clone(), &url, Some(&session.token), Some(json!({})))
                .await;
            if r.status != StatusCode::FORBIDDEN || r.code() != "forbidden" {
                let code = r.code().to_owned();
                open.push(format!("{who} {method} {path}: {} {code}", r.status));
            }
            checked += 1;
        }
    }
    assert!(open.is_empty(), "not refused by role: {open:#?}");
    assert!(checked > 40, "{checked} refusals checked");
    app.finish().await;
}
