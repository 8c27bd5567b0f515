//! The CRM's leads, tags, notes and custom fields (API.md, *CRM*): create with a phone in any
//! format, search it back in another, filter, sort and page; tags renamed for every lead;
//! notes by author; custom field values validated by type (422 naming `custom_fields.KEY`);
//! taken identities, tag names and field keys (409); a lead the channel created is a lead;
//! other organisations see nothing (404) and viewers change nothing (403).

use crate::conversations::lead_writes;
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_lead_is_created_found_in_any_phone_format_edited_and_deleted,
    tags_notes_and_custom_fields,
    lists_filter_sort_and_page,
    other_organisations_and_viewers_are_refused,
    the_agent_never_overwrites_what_a_person_typed
);

async fn create(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app.post("/api/v1/leads", Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn list(app: &TestApp, s: &Session, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/leads?{query}"), &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_lead_is_created_found_in_any_phone_format_edited_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Leads Co").await;
    let org = app.get("/api/v1/org", &owner.token).await;
    assert_eq!(org.body["default_country"], "IN");
    // Deal values are in the country's currency until the organisation picks its own.
    assert_eq!(org.body["currency"], "INR");
    let mut details = json!({"name": "Leads Co", "currency": " usd "});
    let r = app.put("/api/v1/org", &owner.token, details.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["currency"], "USD");
    assert_eq!(
        app.get("/api/v1/org", &owner.token).await.body["currency"],
        "USD"
    );
    details["currency"] = json!("rupees");
    let r = app.put("/api/v1/org", &owner.token, details.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.to_string().contains("currency"), "{:?}", r.body);
    assert_eq!(
        app.get("/api/v1/org", &owner.token).await.body["currency"],
        "USD"
    );
    details["currency"] = Value::Null;
    let r = app.put("/api/v1/org", &owner.token, details).await;
    assert_eq!(r.body["currency"], "INR");

    let lead = create(
        &app,
        &owner,
        json!({"phone": "098765 43210", "name": "Priya Shah", "email": "Priya@Example.com",
               "city": "Pune", "tags": ["VIP", "vip", "Ad lead"], "value_minor": 299950}),
    )
    .await;
    assert_eq!(lead["phone"], "+919876543210");
    assert_eq!(lead["lead_source"], "manual");
    assert_eq!(lead["tags"], json!(["Ad lead", "VIP"]));
    assert_eq!(lead["stage"]["name"], "New");
    assert_eq!(lead["value_minor"], 299950);
    let id = lead["id"].as_str().unwrap().to_owned();

    // The same person in another spelling is the same lead.
    let again = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"phone": "+91 98765-43210"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "lead_exists");
    assert_eq!(again.body["error"]["details"]["lead_id"], id.as_str());
    // Not a number; no identity at all.
    let bad = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"phone": "call me"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["error"]["details"]["fields"]["phone"].is_string());
    let none = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"name": "Nobody"}),
        )
        .await;
    assert!(none.body["error"]["details"]["fields"]["phone"].is_string());

    for q in [
        "9876543210",
        "+91 98765 43210",
        "098765%2043210",
        "43210",
        "priya",
        "pun",
    ] {
        let found = list(&app, &owner, &format!("q={q}")).await;
        assert_eq!(names(&found), vec!["Priya Shah"], "q={q}");
    }
    assert!(names(&list(&app, &owner, "q=mumbai").await).is_empty());

    // Absent stays, null clears, tags replace.
    let r = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &owner.token,
            json!({"city": null, "business": "Shah Textiles", "tags": ["Hot"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["city"], Value::Null);
    assert_eq!(r.body["name"], "Priya Shah");
    assert_eq!(r.body["business"], "Shah Textiles");
    assert_eq!(r.body["tags"], json!(["Hot"]));

    // A lead the channel created is a lead too, with its conversation.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00101", "Hi there").await;
    let listed = list(&app, &owner, "q=98000").await;
    assert_eq!(listed["items"][0]["conversation_id"], conv.as_str());
    assert_eq!(listed["items"][0]["lead_source"], "organic_inbound");
    let other = listed["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = app
        .get(&format!("/api/v1/leads/{other}"), &owner.token)
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.body["conversations"][0]["id"], conv.as_str());
    assert!(
        detail.body["timeline"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "message"),
        "{:?}",
        detail.body["timeline"]
    );
    // Taking another lead's phone is a conflict naming it.
    let taken = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &owner.token,
            json!({"phone": "9800000101"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.body["error"]["details"]["lead_id"], other.as_str());

    // Deleting takes the conversation with it.
    let agent = app.add_member(&owner, "agent").await;
    let refused = app
        .delete(&format!("/api/v1/leads/{other}"), &agent.token)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let gone = app
        .delete(&format!("/api/v1/leads/{other}"), &owner.token)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/leads/{other}"), &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{conv}"), &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

async fn tags_notes_and_custom_fields(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Fields Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let lead = create(
        &app,
        &agent,
        json!({"phone": "+44 20 7946 0001", "name": "Alex", "tags": ["vip"]}),
    )
    .await;
    let id = lead["id"].as_str().unwrap().to_owned();

    // Tags: one space, unique in any case, renamed for every lead.
    let tags = app.get("/api/v1/tags", &owner.token).await.body;
    assert_eq!(tags["items"][0]["name"], "vip");
    assert_eq!(tags["items"][0]["lead_count"], 1);
    let tag_id = tags["items"][0]["id"].as_str().unwrap().to_owned();
    let dup = app
        .post("/api/v1/tags", Some(&owner.token), json!({"name": "VIP"}))
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.code(), "tag_exists");
    let bad = app
        .post("/api/v1/tags", Some(&owner.token), json!({"name": "a,b"}))
        .await;
    assert!(bad.body["error"]["details"]["fields"]["name"].is_string());
    let by_agent = app
        .post("/api/v1/tags", Some(&agent.token), json!({"name": "x"}))
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);
    let renamed = app
        .put(
            &format!("/api/v1/tags/{tag_id}"),
            &owner.token,
            json!({"name": "Gold", "color": "#AA0000"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.body["color"], "#aa0000");
    let l = app.get(&format!("/api/v1/leads/{id}"), &owner.token).await;
    assert_eq!(l.body["tags"], json!(["Gold"]));

    // Notes: by the agent, on the timeline; only the author or an admin changes them.
    let note = app
        .post(
            &format!("/api/v1/leads/{id}/notes"),
            Some(&agent.token),
            json!({"body": "Wants a demo next week"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    assert_eq!(note.body["author"]["id"], agent.user_id.as_str());
    let note_id = note.body["id"].as_str().unwrap().to_owned();
    let empty = app
        .post(
            &format!("/api/v1/leads/{id}/notes"),
            Some(&agent.token),
            json!({"body": "  "}),
        )
        .await;
    assert!(empty.body["error"]["details"]["fields"]["body"].is_string());
    let other_agent = app.add_member(&owner, "agent").await;
    let not_author = app
        .put(
            &format!("/api/v1/leads/{id}/notes/{note_id}"),
            &other_agent.token,
            json!({"body": "mine now"}),
        )
        .await;
    assert_eq!(not_author.status, StatusCode::FORBIDDEN);
    let edited = app
        .put(
            &format!("/api/v1/leads/{id}/notes/{note_id}"),
            &owner.token,
            json!({"body": "Wants a demo on Tuesday"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK);
    assert_eq!(names(&list(&app, &owner, "q=tuesday").await), vec!["Alex"]);
    assert_eq!(names(&list(&app, &owner, "q=gol").await), vec!["Alex"]);
    let detail = app.get(&format!("/api/v1/leads/{id}"), &owner.token).await;
    assert_eq!(detail.body["notes"][0]["body"], "Wants a demo on Tuesday");
    assert_eq!(detail.body["timeline"]["items"][0]["type"], "note");

    // Custom fields: defined by owner/admin, keys unique, values checked by type.
    for (key, ty, extra) in [
        ("budget", "currency", json!({"currency": "inr"})),
        ("visit_date", "date", json!({})),
        ("plan", "select", json!({"options": ["Basic", "Pro"]})),
        ("site", "url", json!({})),
    ] {
        let mut body = json!({"key": key, "label": key.replace('_', " "), "type": ty});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let r = app
            .post("/api/v1/custom-fields", Some(&owner.token), body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{key}: {:?}", r.body);
    }
    let taken = app
        .post(
            "/api/v1/custom-fields",
            Some(&owner.token),
            json!({"key": "budget", "label": "Budget", "type": "number"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.code(), "field_exists");
    for bad in [
        json!({"key": "Bad Key", "label": "x", "type": "text"}),
        json!({"key": "choice", "label": "x", "type": "select"}),
        json!({"key": "kind", "label": "x", "type": "colour"}),
    ] {
        let r = app
            .post("/api/v1/custom-fields", Some(&owner.token), bad.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let by_agent = app
        .post(
            "/api/v1/custom-fields",
            Some(&agent.token),
            json!({"key": "x", "label": "x", "type": "text"}),
        )
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);

    let ok = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &agent.token,
            json!({"custom_fields": {"budget": "2999.5", "plan": "Pro", "visit_date": "2026-03-01"}}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(
        ok.body["custom_fields"],
        json!({"budget": "2999.50", "plan": "Pro", "visit_date": "2026-03-01"})
    );
    let bad = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &agent.token,
            json!({"custom_fields": {"budget": "lots", "plan": "Gold", "nope": 1, "site": "ftp://x.example"}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.body["error"]["details"]["fields"];
    for f in [
        "custom_fields.budget",
        "custom_fields.plan",
        "custom_fields.nope",
        "custom_fields.site",
    ] {
        assert!(fields[f].is_string(), "{f}: {fields}");
    }
    // Merged per key; null removes one.
    let merged = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &agent.token,
            json!({"custom_fields": {"plan": null}}),
        )
        .await;
    assert_eq!(
        merged.body["custom_fields"],
        json!({"budget": "2999.50", "visit_date": "2026-03-01"})
    );
    // Key and type are fixed.
    let defs = app.get("/api/v1/custom-fields", &owner.token).await.body;
    let budget = defs["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .put(
            &format!("/api/v1/custom-fields/{budget}"),
            &owner.token,
            json!({"key": "budget", "label": "Budget", "type": "number"}),
        )
        .await;
    assert!(r.body["error"]["details"]["fields"]["type"].is_string());
    app.finish().await;
}

async fn lists_filter_sort_and_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("List Co").await;
    let agent = app.add_member(&owner, "agent").await;
    for (i, name) in ["Asha", "Bala", "Chetan", "Divya", "Esha"]
        .iter()
        .enumerate()
    {
        let tags = if i % 2 == 0 {
            json!(["even"])
        } else {
            json!(["odd"])
        };
        let owner_id = if i == 1 {
            json!(agent.user_id)
        } else {
            Value::Null
        };
        create(
            &app,
            &owner,
            json!({"phone": format!("+91 90000 0000{i}"), "name": name, "tags": tags,
                   "score": i * 10, "owner_id": owner_id,
                   "lead_status": if i == 4 { "hot" } else { "new" }}),
        )
        .await;
    }
    assert_eq!(
        names(&list(&app, &owner, "sort=name").await),
        vec!["Asha", "Bala", "Chetan", "Divya", "Esha"]
    );
    assert_eq!(
        names(&list(&app, &owner, "sort=-score&limit=2").await),
        vec!["Esha", "Divya"]
    );
    // Cursor paging walks every lead once.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(
            &app,
            &owner,
            &format!("sort=-score&limit=2&cursor={cursor}"),
        )
        .await;
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, vec!["Esha", "Divya", "Chetan", "Bala", "Asha"]);
    let odd = list(&app, &owner, "tag=ODD&sort=name&count=true").await;
    assert_eq!(names(&odd), vec!["Bala", "Divya"]);
    assert_eq!(odd["total"], 2);
    assert_eq!(
        names(&list(&app, &owner, "tag=odd&tag=even&sort=name").await).len(),
        5
    );
    assert_eq!(
        names(&list(&app, &owner, "lead_status=hot").await),
        vec!["Esha"]
    );
    assert_eq!(
        names(&list(&app, &owner, &format!("owner_id={}", agent.user_id)).await),
        vec!["Bala"]
    );
    assert_eq!(
        list(&app, &owner, "owner_id=none&count=true").await["total"],
        4
    );
    assert_eq!(
        list(
            &app,
            &owner,
            "lead_source=manual&opted_out=false&count=true"
        )
        .await["total"],
        5
    );
    let r = app.get("/api/v1/leads?sort=colour", &owner.token).await;
    assert!(r.body["error"]["details"]["fields"]["sort"].is_string());
    let r = app
        .get("/api/v1/leads?lead_status=warm", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An owner who is not a member is refused by field.
    let r = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"phone": "+91 90000 00099", "owner_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert!(r.body["error"]["details"]["fields"]["owner_id"].is_string());
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine Co").await;
    let stranger = app.signup_org("Theirs Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let lead = create(
        &app,
        &owner,
        json!({"phone": "+91 91111 11111", "name": "Mine"}),
    )
    .await;
    let id = lead["id"].as_str().unwrap().to_owned();
    let note = app
        .post(
            &format!("/api/v1/leads/{id}/notes"),
            Some(&owner.token),
            json!({"body": "private"}),
        )
        .await;
    let note_id = note.body["id"].as_str().unwrap().to_owned();
    let tag = app
        .post("/api/v1/tags", Some(&owner.token), json!({"name": "mine"}))
        .await;
    let tag_id = tag.body["id"].as_str().unwrap().to_owned();
    let field = app
        .post(
            "/api/v1/custom-fields",
            Some(&owner.token),
            json!({"key": "budget", "label": "Budget", "type": "number"}),
        )
        .await;
    let field_id = field.body["id"].as_str().unwrap().to_owned();

    // Another organisation: every target is not found, and its lists are empty.
    let s = &stranger.token;
    for path in [
        format!("/api/v1/leads/{id}"),
        format!("/api/v1/leads/{id}/notes"),
        format!("/api/v1/leads/{id}/timeline"),
    ] {
        assert_eq!(
            app.get(&path, s).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for (r, what) in [
        (
            app.put(&format!("/api/v1/leads/{id}"), s, json!({"name": "x"}))
                .await,
            "put lead",
        ),
        (
            app.delete(&format!("/api/v1/leads/{id}"), s).await,
            "delete lead",
        ),
        (
            app.post(
                &format!("/api/v1/leads/{id}/notes"),
                Some(s),
                json!({"body": "x"}),
            )
            .await,
            "note",
        ),
        (
            app.put(
                &format!("/api/v1/leads/{id}/notes/{note_id}"),
                s,
                json!({"body": "x"}),
            )
            .await,
            "put note",
        ),
        (
            app.delete(&format!("/api/v1/leads/{id}/notes/{note_id}"), s)
                .await,
            "delete note",
        ),
        (
            app.put(&format!("/api/v1/tags/{tag_id}"), s, json!({"name": "x"}))
                .await,
            "tag",
        ),
        (
            app.delete(&format!("/api/v1/tags/{tag_id}"), s).await,
            "delete tag",
        ),
        (
            app.put(
                &format!("/api/v1/custom-fields/{field_id}"),
                s,
                json!({"key": "budget", "label": "x", "type": "number"}),
            )
            .await,
            "field",
        ),
        (
            app.delete(&format!("/api/v1/custom-fields/{field_id}"), s)
                .await,
            "delete field",
        ),
    ] {
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{what}: {:?}", r.body);
    }
    assert!(names(&list(&app, &stranger, "").await).is_empty());
    assert_eq!(app.get("/api/v1/tags", s).await.body["items"], json!([]));
    assert_eq!(
        app.get("/api/v1/custom-fields", s).await.body["items"],
        json!([])
    );
    // The other organisation's custom field key is unknown here.
    let r = app
        .post(
            "/api/v1/leads",
            Some(s),
            json!({"phone": "+91 91111 11111", "custom_fields": {"budget": 5}}),
        )
        .await;
    assert!(r.body["error"]["details"]["fields"]["custom_fields.budget"].is_string());
    // The same phone is a different lead in another organisation.
    create(&app, &stranger, json!({"phone": "+91 91111 11111"})).await;

    // A viewer reads and searches, and changes nothing (refused before the body is read).
    let v = &viewer.token;
    assert_eq!(names(&list(&app, &viewer, "q=mine").await), vec!["Mine"]);
    assert_eq!(
        app.get(&format!("/api/v1/leads/{id}"), v).await.status,
        StatusCode::OK
    );
    for (r, what) in [
        (
            app.post("/api/v1/leads", Some(v), json!("not even an object"))
                .await,
            "create",
        ),
        (
            app.put(&format!("/api/v1/leads/{id}"), v, json!({"name": "x"}))
                .await,
            "update",
        ),
        (
            app.delete(&format!("/api/v1/leads/{id}"), v).await,
            "delete",
        ),
        (
            app.post(&format!("/api/v1/leads/{id}/notes"), Some(v), json!({}))
                .await,
            "note",
        ),
        (
            app.post("/api/v1/tags", Some(v), json!({"name": "x"}))
                .await,
            "tag",
        ),
        (
            app.post("/api/v1/custom-fields", Some(v), json!({})).await,
            "field",
        ),
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(r.code(), "forbidden", "{what}");
    }
    app.finish().await;
}

/// The agent's slots fill lead fields, but a name a person typed stays.
async fn the_agent_never_overwrites_what_a_person_typed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Slots Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00201", "Hi").await;
    let lead = list(&app, &owner, "q=9800000201").await["items"][0].clone();
    let id = lead["id"].as_str().unwrap().to_owned();
    let r = app
        .put(
            &format!("/api/v1/leads/{id}"),
            &owner.token,
            json!({"name": "Leela Iyer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    lead_writes(&app, &owner, "+91 98000 00201", "my name is Rajesh Kumar").await;
    let learned = eventually(20, "the name slot", || async {
        let d = app
            .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
            .await;
        d.body["state"]["slots"]["name"]["value"]
            .as_str()
            .map(str::to_owned)
    })
    .await;
    assert_eq!(learned, "Rajesh Kumar");
    let after = app.get(&format!("/api/v1/leads/{id}"), &owner.token).await;
    assert_eq!(after.body["name"], "Leela Iyer");
    assert_eq!(after.body["slots"]["name"]["value"], "Rajesh Kumar");

    // A slot with a custom field of its key fills it, typed as the field says.
    let r = app
        .post(
            "/api/v1/custom-fields",
            Some(&owner.token),
            json!({"key": "budget", "label": "Budget", "type": "number"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    lead_writes(&app, &owner, "+91 98000 00201", "my budget is 20000").await;
    let budget = eventually(20, "the budget field", || async {
        let l = app.get(&format!("/api/v1/leads/{id}"), &owner.token).await;
        let v = l.body["custom_fields"]["budget"].clone();
        (!v.is_null()).then_some(v)
    })
    .await;
    assert_eq!(budget.as_f64(), Some(20000.0), "{budget}");
    app.finish().await;
}
