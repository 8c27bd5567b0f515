//! Compliance (API.md, *CRM*, opt-out): members opt leads out and in with a reason, the agent's
//! STOP and a tapped stop button land on the opt-out list with their source, a bulk operation
//! and an import too; erasure turns the lead's name, phone in any spelling, email and slot
//! values into `[redacted]` and keeps every count; an erased, deleted or opted-out number that
//! writes again or is imported again comes back opted out and gets no reply until the person
//! opts in; other organisations get 404 and viewers 403.

use crate::conversations::{lead_writes, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    members_opt_leads_out_and_in_with_a_reason,
    the_agents_stop_and_a_stop_button_are_listed_with_their_source,
    erasure_redacts_the_person_and_keeps_the_counts,
    a_suppressed_number_comes_back_opted_out_until_it_opts_in,
    bulk_and_import_keep_the_list,
    other_organisations_and_viewers_are_refused
);

async fn create_lead(app: &TestApp, s: &Session, body: Value) -> String {
    let r = app.post("/api/v1/leads", Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn opt_out(app: &TestApp, s: &Session, id: &str, reason: &str) -> Value {
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/opt-out"),
            Some(&s.token),
            json!({"reason": reason}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn opt_in(app: &TestApp, s: &Session, id: &str, reason: &str) -> Value {
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/opt-in"),
            Some(&s.token),
            json!({"reason": reason}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn listed(app: &TestApp, s: &Session, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/opt-outs?{query}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().unwrap().clone()
}

async fn lead(app: &TestApp, s: &Session, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/leads/{id}"), &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn timeline_types(detail: &Value) -> Vec<String> {
    detail["timeline"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// A lead writes through the simulator with a name of their own.
async fn writes(app: &TestApp, s: &Session, phone: &str, name: &str, text: &str) -> String {
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&s.token),
            json!({"phone": phone, "name": name, "text": text}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    r.body["conversation_id"].as_str().unwrap().to_owned()
}

async fn decisions(app: &TestApp, s: &Session, conv: &str, n: usize) -> Vec<Value> {
    eventually(20, &format!("{n} decision(s)"), || async {
        let r = app
            .get(&format!("/api/v1/conversations/{conv}/decisions"), &s.token)
            .await;
        let d = r.body["items"].as_array().cloned().unwrap_or_default();
        (d.len() >= n).then_some(d)
    })
    .await
}

fn bot_messages(all: &[Value]) -> usize {
    all.iter().filter(|m| m["author"] == "bot").count()
}

async fn lead_of(app: &TestApp, s: &Session, conv: &str) -> String {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    r.body["contact"]["id"].as_str().unwrap().to_owned()
}

async fn members_opt_leads_out_and_in_with_a_reason(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Consent Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let id = create_lead(
        &app,
        &owner,
        json!({"phone": "+91 98111 00001", "name": "Asha Rao", "lead_status": "hot"}),
    )
    .await;

    // An agent hears "stop calling me" on the phone: opted out, with the reason.
    let out = opt_out(&app, &agent, &id, "asked on a call").await;
    assert_eq!(out["opted_out"], true);
    assert_eq!(out["lead_status"], "opted_out");
    let again = opt_out(&app, &agent, &id, "second click").await;
    assert_eq!(again["opted_out"], true);
    let list = items(&listed(&app, &owner, "").await);
    assert_eq!(list.len(), 1, "idempotent: {list:?}");
    assert_eq!(list[0]["lead_id"], id.as_str());
    assert_eq!(list[0]["name"], "Asha Rao");
    assert_eq!(list[0]["phone"], "+919811100001");
    assert_eq!(list[0]["source"], "manual");
    assert_eq!(list[0]["reason"], "asked on a call");
    assert_eq!(list[0]["by"]["id"], agent.user_id.as_str());
    assert_eq!(list[0]["by"]["name"], "agent member");
    let detail = lead(&app, &owner, &id).await;
    assert_eq!(detail["opt_out"]["source"], "manual");
    assert_eq!(detail["opt_out"]["reason"], "asked on a call");
    assert_eq!(timeline_types(&detail)[0], "opt_out");

    // Found by name, by the phone in another spelling, by the reason; filtered by source.
    for q in ["asha", "98111%2000001", "0981110-0001", "call", "00001"] {
        assert_eq!(
            items(&listed(&app, &owner, &format!("q={q}")).await).len(),
            1,
            "q={q}"
        );
    }
    assert!(items(&listed(&app, &owner, "q=nobody").await).is_empty());
    assert!(items(&listed(&app, &owner, "q=9999999999").await).is_empty());
    assert_eq!(items(&listed(&app, &owner, "source=MANUAL").await).len(), 1);
    assert!(items(&listed(&app, &owner, "source=keyword").await).is_empty());
    let bad = app.get("/api/v1/opt-outs?source=fax", &owner.token).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = app.get("/api/v1/opt-outs?cursor=nope", &owner.token).await;
    assert!(bad.body["error"]["details"]["fields"]["cursor"].is_string());

    // A person's message to an opted-out lead is refused.
    let (conv, _) = lead_writes(&app, &owner, "+91 98111 00002", "Hi").await;
    decisions(&app, &owner, &conv, 1).await;
    let other = lead_of(&app, &owner, &conv).await;
    opt_out(&app, &owner, &other, "complaint by email").await;
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "One last offer!"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "opted_out");

    // Paging: newest first, by cursor.
    let third = create_lead(&app, &owner, json!({"phone": "+91 98111 00003"})).await;
    opt_out(&app, &owner, &third, "").await;
    let first = listed(&app, &owner, "limit=2").await;
    assert_eq!(items(&first).len(), 2);
    assert_eq!(first["items"][0]["lead_id"], third.as_str());
    assert_eq!(first["items"][0]["reason"], Value::Null);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = listed(&app, &owner, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(items(&rest).len(), 1);
    assert_eq!(rest["items"][0]["lead_id"], id.as_str());
    assert_eq!(rest["next_cursor"], Value::Null);

    // Opting in is the owner's or an admin's, and needs the person's word.
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/opt-in"),
            Some(&agent.token),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/opt-in"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert!(r.body["error"]["details"]["fields"]["reason"].is_string());
    let back = opt_in(&app, &owner, &id, "wrote to us asking for offers").await;
    assert_eq!(back["opted_out"], false);
    assert_eq!(back["lead_status"], "engaged");
    let again = opt_in(&app, &owner, &id, "again").await;
    assert_eq!(again["opted_out"], false);
    let list = items(&listed(&app, &owner, "").await);
    assert!(list.iter().all(|e| e["lead_id"] != id.as_str()), "{list:?}");
    let detail = lead(&app, &owner, &id).await;
    assert_eq!(detail["opt_out"], Value::Null);
    let types = timeline_types(&detail);
    assert_eq!(&types[..2], ["opt_in", "opt_out"], "{types:?}");
    let opt_in_entry = &detail["timeline"]["items"][0];
    assert_eq!(
        opt_in_entry["data"]["payload"]["reason"],
        "wrote to us asking for offers"
    );
    assert_eq!(opt_in_entry["actor_user_id"], owner.user_id.as_str());
    app.finish().await;
}

async fn the_agents_stop_and_a_stop_button_are_listed_with_their_source(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Stop Co").await;
    let (conv, said) = lead_writes(&app, &owner, "+91 98111 00010", "STOP").await;
    let entry = eventually(20, "the STOP on the list", || async {
        items(&listed(&app, &owner, "").await).into_iter().next()
    })
    .await;
    assert_eq!(entry["source"], "keyword");
    assert_eq!(entry["message_id"], said.as_str());
    assert_eq!(entry["by"], Value::Null);
    assert_eq!(entry["name"], "Lee Lead");
    let id = lead_of(&app, &owner, &conv).await;
    let detail = lead(&app, &owner, &id).await;
    assert_eq!(detail["opt_out"]["source"], "keyword");
    let stop = detail["timeline"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "opt_out")
        .cloned()
        .expect("an opt_out entry");
    assert_eq!(stop["actor"], "lead");
    assert_eq!(stop["data"]["payload"]["source"], "keyword");

    // START takes the person off the list.
    lead_writes(&app, &owner, "+91 98111 00010", "START").await;
    eventually(20, "START to take the lead off the list", || async {
        items(&listed(&app, &owner, "").await)
            .is_empty()
            .then_some(())
    })
    .await;

    // A tap on a reply button that says stop is a `button` opt-out.
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": "+91 98111 00011", "name": "Tapper", "text": "STOP", "reply_id": "stop"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let entry = eventually(20, "the tap on the list", || async {
        items(&listed(&app, &owner, "").await).into_iter().next()
    })
    .await;
    assert_eq!(entry["source"], "button");
    assert_eq!(entry["message_id"], r.body["message_id"]);
    app.finish().await;
}

/// Texts of every message of a conversation, the agent's decisions and memory, as one string.
async fn everything_said(app: &TestApp, s: &Session, conv: &str) -> String {
    let msgs = messages(app, s, conv).await;
    let d = app
        .get(&format!("/api/v1/conversations/{conv}/decisions"), &s.token)
        .await;
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    format!("{} {} {}", json!(msgs), d.body, c.body)
}

async fn erasure_redacts_the_person_and_keeps_the_counts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Forget Me Co").await;
    let phone = "+91 98765 43210";
    let conv = writes(
        &app,
        &owner,
        phone,
        "Priya Shah",
        "Hi, I am Priya Shah, my email is priya@example.com",
    )
    .await;
    decisions(&app, &owner, &conv, 1).await;
    writes(
        &app,
        &owner,
        phone,
        "Priya Shah",
        "Call PRIYA on 9876543210 or +91 98765 43210, I need a flat in Baner",
    )
    .await;
    decisions(&app, &owner, &conv, 2).await;
    let id = lead_of(&app, &owner, &conv).await;
    let r = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &owner.token,
            json!({"city": "Baner", "business": "Shah Textiles"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/notes"),
            Some(&owner.token),
            json!({"body": "Priya prefers evenings"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let before_messages = messages(&app, &owner, &conv).await.len();
    let before_decisions = decisions(&app, &owner, &conv, 2).await.len();
    let said = everything_said(&app, &owner, &conv).await;
    assert!(said.contains("Priya") && said.contains("priya@example.com"));

    let r = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["lead_id"], id.as_str());
    let erased_at = r.body["erased_at"].as_str().unwrap().to_owned();
    // Idempotent: the same answer, nothing erased twice.
    let again = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": id}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["erased_at"], erased_at.as_str());

    let said = everything_said(&app, &owner, &conv).await;
    for gone in [
        "Priya",
        "PRIYA",
        "Shah",
        "priya@example.com",
        "9876543210",
        "98765 43210",
        "Baner",
    ] {
        assert!(!said.contains(gone), "{gone} is still in {said}");
    }
    assert!(said.contains("[redacted]"));
    assert_eq!(messages(&app, &owner, &conv).await.len(), before_messages);
    assert_eq!(
        decisions(&app, &owner, &conv, 0).await.len(),
        before_decisions
    );
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    for slot in c.body["state"]["slots"].as_object().unwrap().values() {
        assert_eq!(slot["value"], "[redacted]", "{slot}");
    }

    let detail = lead(&app, &owner, &id).await;
    assert_eq!(detail["erased_at"], erased_at.as_str());
    for field in ["phone", "name", "email", "city", "business", "bsuid"] {
        assert_eq!(detail[field], Value::Null, "{field}");
    }
    assert_eq!(detail["notes"], json!([]));
    assert_eq!(detail["opted_out"], true);
    assert_eq!(detail["conversations"][0]["id"], conv.as_str());
    assert!(timeline_types(&detail).contains(&"erased".to_owned()));
    assert!(!detail.to_string().contains("Priya"));
    // The list shows the erased lead without its data; the number is only a keyed hash.
    let list = items(&listed(&app, &owner, "").await);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["lead_id"], id.as_str());
    assert_eq!(list[0]["source"], "erasure");
    assert_eq!(list[0]["name"], Value::Null);
    assert_eq!(list[0]["phone"], Value::Null);
    assert_eq!(list[0]["erased_at"], erased_at.as_str());
    assert_eq!(items(&listed(&app, &owner, "q=9876543210").await).len(), 1);
    let hash = app
        .sql_text("SELECT phone_hash FROM opt_outs")
        .await
        .unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains("9876543210"));
    let stored = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM contacts WHERE phone = '+919876543210'")
        .await;
    assert_eq!(stored.as_deref(), Some("0"));

    // Audited as who erased which lead, with nothing of the person.
    let audit = app.get("/api/v1/audit-logs", &owner.token).await.body;
    let erase: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "privacy.erase")
        .collect();
    assert_eq!(erase.len(), 1, "one entry for two calls");
    assert_eq!(erase[0]["target"], format!("lead:{id}"));
    assert_eq!(erase[0]["actor"]["id"], owner.user_id.as_str());
    let audit = audit.to_string();
    for gone in ["Priya", "9876543210", "priya@"] {
        assert!(!audit.contains(gone), "{gone} in the audit log");
    }
    // An erased lead is not opted back in by a member.
    let r = app
        .post(
            &format!("/api/v1/leads/{id}/opt-in"),
            Some(&owner.token),
            json!({"reason": "asked"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "lead_erased"));
    app.finish().await;
}

async fn a_suppressed_number_comes_back_opted_out_until_it_opts_in(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Never Again Co").await;
    let conv = writes(&app, &owner, "+91 98111 00020", "Ravi", "Hello").await;
    decisions(&app, &owner, &conv, 1).await;
    let first = lead_of(&app, &owner, &conv).await;
    let r = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": first}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // The same number, written another way, writes again: a new lead, opted out, no reply.
    let again = writes(&app, &owner, "919811100020", "Ravi", "Hi, any offers?").await;
    assert_ne!(again, conv, "the erased lead's conversation is not reused");
    let d = decisions(&app, &owner, &again, 1).await;
    assert_eq!(d[0]["should_send"], false, "{:?}", d[0]);
    assert_eq!(bot_messages(&messages(&app, &owner, &again).await), 0);
    let second = lead_of(&app, &owner, &again).await;
    let detail = lead(&app, &owner, &second).await;
    assert_eq!(detail["opted_out"], true);
    assert_eq!(detail["lead_status"], "opted_out");
    assert_eq!(detail["opt_out"]["source"], "erasure");
    // The list's entry follows the person to their new lead.
    let list = items(&listed(&app, &owner, "").await);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["lead_id"], second.as_str());
    assert_eq!(list[0]["phone"], "+919811100020");

    // The owner records the person's consent: the agent answers again.
    opt_in(&app, &owner, &second, "asked for offers on WhatsApp").await;
    assert!(items(&listed(&app, &owner, "").await).is_empty());
    writes(
        &app,
        &owner,
        "+91 98111 00020",
        "Ravi",
        "What are the fees?",
    )
    .await;
    let d = decisions(&app, &owner, &again, 2).await;
    assert_eq!(d[0]["should_send"], true, "{:?}", d[0]);

    // A lead who said STOP and was then deleted stays suppressed too.
    let (stop_conv, _) = lead_writes(&app, &owner, "+91 98111 00021", "STOP").await;
    let stopped = lead_of(&app, &owner, &stop_conv).await;
    eventually(20, "the STOP on the list", || async {
        (!items(&listed(&app, &owner, "source=keyword").await).is_empty()).then_some(())
    })
    .await;
    let r = app
        .delete(&format!("/api/v1/leads/{stopped}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let kept = items(&listed(&app, &owner, "source=keyword").await);
    assert_eq!(
        kept[0]["lead_id"],
        Value::Null,
        "the lead is gone: {kept:?}"
    );
    let back = writes(&app, &owner, "+91 98111 00021", "Lee", "hello?").await;
    let d = decisions(&app, &owner, &back, 1).await;
    assert_eq!(d[0]["should_send"], false);
    assert_eq!(bot_messages(&messages(&app, &owner, &back).await), 0);
    app.finish().await;
}

async fn import(app: &TestApp, s: &Session, csv: &str) -> Value {
    let r = app
        .http
        .post(format!("{}/api/v1/leads/import", app.base))
        .bearer_auth(&s.token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let up: Value = r.json().await.unwrap();
    let id = up["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/leads/import/{id}/confirm"),
            Some(&s.token),
            json!({"mapping": up["mapping"], "mode": "upsert"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    eventually(30, "the import completes", || async {
        let r = app
            .get(&format!("/api/v1/leads/import/{id}"), &s.token)
            .await;
        (r.body["status"] == "completed").then_some(r.body)
    })
    .await
}

async fn bulk_and_import_keep_the_list(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Lists Co").await;
    let a = create_lead(
        &app,
        &owner,
        json!({"phone": "+91 98111 00030", "name": "Anu"}),
    )
    .await;
    let b_id = create_lead(
        &app,
        &owner,
        json!({"phone": "+91 98111 00031", "name": "Bo"}),
    )
    .await;
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"ids": [a, b_id], "action": "opt_out"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["affected"], 2);
    let list = items(&listed(&app, &owner, "source=bulk").await);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["by"]["id"], owner.user_id.as_str());
    let again = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"ids": [a, b_id], "action": "opt_out"}),
        )
        .await;
    assert_eq!(again.body["affected"], 0);
    assert_eq!(items(&listed(&app, &owner, "").await).len(), 2);

    // Deleted, then imported again (in another spelling): opted out, not contactable.
    let r = app
        .delete(&format!("/api/v1/leads/{a}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let done = import(
        &app,
        &owner,
        "Mobile,Full Name\n098111 00030,Anu Again\n+91 98111 00032,Chitra\n",
    )
    .await;
    assert_eq!(done["created"], 2, "{done:?}");
    let found = app
        .get("/api/v1/leads?q=Anu%20Again", &owner.token)
        .await
        .body;
    let anu = &found["items"][0];
    assert_eq!(anu["opted_out"], true, "{found:?}");
    assert_eq!(anu["lead_status"], "opted_out");
    let fresh = app.get("/api/v1/leads?q=Chitra", &owner.token).await.body;
    assert_eq!(fresh["items"][0]["opted_out"], false);
    let list = items(&listed(&app, &owner, "q=anu").await);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["lead_id"], anu["id"]);
    assert_eq!(list[0]["source"], "bulk", "how the person opted out stays");
    let detail = lead(&app, &owner, anu["id"].as_str().unwrap()).await;
    assert!(timeline_types(&detail).contains(&"opt_out".to_owned()));

    // A business's own do-not-contact column: yes opts out (new and existing leads), no or
    // empty leaves the lead as it is.
    let done = import(
        &app,
        &owner,
        "Phone,Name,DND\n+91 98111 00033,Dev,yes\n+91 98111 00034,Esha,\n+91 98111 00032,,YES\n+91 98111 00035,Farah,maybe\n",
    )
    .await;
    assert_eq!(
        (
            done["created"].as_i64(),
            done["updated"].as_i64(),
            done["errors"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{done:?}"
    );
    let imported = items(&listed(&app, &owner, "source=import").await);
    let names: Vec<&str> = imported
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{imported:?}");
    assert!(
        names.contains(&"Dev") && names.contains(&"Chitra"),
        "{names:?}"
    );
    assert_eq!(imported[0]["by"]["id"], owner.user_id.as_str());
    let esha = app.get("/api/v1/leads?q=Esha", &owner.token).await.body;
    assert_eq!(esha["items"][0]["opted_out"], false);
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    let other = app.signup_org("Theirs Co").await;
    let id = create_lead(&app, &owner, json!({"phone": "+91 98111 00040"})).await;
    opt_out(&app, &owner, &id, "asked").await;

    for (path, body) in [
        (format!("/api/v1/leads/{id}/opt-out"), json!({})),
        (format!("/api/v1/leads/{id}/opt-in"), json!({"reason": "x"})),
        ("/api/v1/privacy/erase".to_owned(), json!({"lead_id": id})),
    ] {
        let r = app.post(&path, Some(&other.token), body.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {:?}", r.body);
        let r = app.post(&path, Some(&viewer.token), body).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{path}"
        );
    }
    for (path, body) in [
        (format!("/api/v1/leads/{id}/opt-in"), json!({"reason": "x"})),
        ("/api/v1/privacy/erase".to_owned(), json!({"lead_id": id})),
    ] {
        let r = app.post(&path, Some(&agent.token), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let missing = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": "00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": "lead-7"}),
        )
        .await;
    assert!(bad.body["error"]["details"]["fields"]["lead_id"].is_string());
    let long = app
        .post(
            &format!("/api/v1/leads/{id}/opt-out"),
            Some(&owner.token),
            json!({"reason": "x".repeat(501)}),
        )
        .await;
    assert!(long.body["error"]["details"]["fields"]["reason"].is_string());

    // Viewers read the list; another organisation's list is its own.
    assert_eq!(items(&listed(&app, &viewer, "").await).len(), 1);
    assert!(items(&listed(&app, &other, "").await).is_empty());
    assert!(
        items(&listed(&app, &other, "q=9811100040").await).is_empty(),
        "a number is found only in its own organisation"
    );
    assert_eq!(lead(&app, &owner, &id).await["opted_out"], true);
    app.finish().await;
}
