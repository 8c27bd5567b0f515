//! The pipeline (API.md, *CRM*): default stages; stages created, renamed, reordered and
//! deleted (409 `stage_exists`, `stage_not_empty`, `last_open_stage`); the board's columns with
//! counts, deal-value sums and a paged column; a person's moves with history; the agent's
//! moves from the conversation's stage (forward only, a person's move winning); other
//! organisations (404) and viewers (403).

use crate::conversations::{decided, lead_writes, lead_writes_as};
use crate::harness::{Backend, Session, TestApp};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    stages_are_defined_and_guarded,
    the_board_counts_sums_pages_and_moves,
    the_agent_moves_the_lead_and_a_person_wins,
    other_organisations_and_viewers_are_refused
);

async fn stages(app: &TestApp, s: &Session) -> Vec<Value> {
    let r = app.get("/api/v1/pipeline/stages", &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn names(stages: &[Value]) -> Vec<&str> {
    stages.iter().map(|s| s["name"].as_str().unwrap()).collect()
}

fn stage_id<'a>(stages: &'a [Value], name: &str) -> &'a str {
    stages
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no stage {name}"))["id"]
        .as_str()
        .unwrap()
}

async fn create_lead(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app.post("/api/v1/leads", Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn board(app: &TestApp, s: &Session, query: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/pipeline?{query}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body["columns"].as_array().unwrap().clone()
}

fn column<'a>(cols: &'a [Value], name: &str) -> &'a Value {
    cols.iter()
        .find(|c| c["stage"]["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn card_names(col: &Value) -> Vec<String> {
    col["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn history(app: &TestApp, s: &Session, lead: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/leads/{lead}/history"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn stages_are_defined_and_guarded(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Stages Co").await;
    let all = stages(&app, &owner).await;
    assert_eq!(
        names(&all),
        vec!["New", "Engaged", "Interested", "Paid", "Lost"]
    );
    assert_eq!(all[0]["kind"], "open");
    assert_eq!(all[0]["conversation_stages"], json!(["new"]));
    assert_eq!(
        all[2]["conversation_stages"],
        json!(["cta_offered", "cta_in_progress", "negotiation"])
    );
    assert_eq!(all[3]["kind"], "won");
    assert_eq!(all[4]["kind"], "lost");
    assert_eq!(all[1]["position"], 1);

    // Create in the middle: the others shift.
    let r = app
        .post(
            "/api/v1/pipeline/stages",
            Some(&owner.token),
            json!({"name": "Demo booked", "color": "#7C3AED", "position": 2,
                   "conversation_stages": ["negotiation"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["color"], "#7c3aed");
    assert_eq!(r.body["kind"], "open");
    let demo = r.body["id"].as_str().unwrap().to_owned();
    let all = stages(&app, &owner).await;
    assert_eq!(
        names(&all),
        vec![
            "New",
            "Engaged",
            "Demo booked",
            "Interested",
            "Paid",
            "Lost"
        ]
    );
    // A conversation stage moves a lead to one stage: Interested gave negotiation up.
    assert_eq!(
        all[3]["conversation_stages"],
        json!(["cta_offered", "cta_in_progress"])
    );
    let positions: Vec<i64> = all
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, vec![0, 1, 2, 3, 4, 5]);

    // Names are unique in any case; bad input names its field.
    let r = app
        .post(
            "/api/v1/pipeline/stages",
            Some(&owner.token),
            json!({"name": "  demo BOOKED "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "stage_exists");
    let r = app
        .post(
            "/api/v1/pipeline/stages",
            Some(&owner.token),
            json!({"name": "X", "color": "purple", "kind": "maybe"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app
        .put(
            &format!("/api/v1/pipeline/stages/{demo}"),
            &owner.token,
            json!({"name": "engaged"}),
        )
        .await;
    assert_eq!(r.code(), "stage_exists");

    // Rename, recolour and move to the end.
    let r = app
        .put(
            &format!("/api/v1/pipeline/stages/{demo}"),
            &owner.token,
            json!({"name": "Demo done", "color": "#000000", "position": 99}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["name"], "Demo done");
    let all = stages(&app, &owner).await;
    assert_eq!(
        names(&all),
        vec!["New", "Engaged", "Interested", "Paid", "Lost", "Demo done"]
    );
    assert_eq!(all[5]["position"], 5);

    // A stage holding leads needs move_to; its leads go there, with history.
    let lead = create_lead(
        &app,
        &owner,
        json!({"phone": "+919800000201", "name": "Asha"}),
    )
    .await;
    let lead_id = lead["id"].as_str().unwrap();
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead_id}/move"),
            &owner.token,
            json!({"stage_id": demo}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .delete(&format!("/api/v1/pipeline/stages/{demo}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "stage_not_empty");
    let engaged = stage_id(&all, "Engaged").to_owned();
    let r = app
        .delete(
            &format!("/api/v1/pipeline/stages/{demo}?move_to={demo}"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app
        .delete(
            &format!("/api/v1/pipeline/stages/{demo}?move_to={engaged}"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let lead = app
        .get(&format!("/api/v1/leads/{lead_id}"), &owner.token)
        .await;
    assert_eq!(lead.body["stage"]["name"], "Engaged");
    let h = history(&app, &owner, lead_id).await;
    assert_eq!(h[0]["from_stage"]["name"], "Demo done");
    assert_eq!(h[0]["to_stage"]["name"], "Engaged");
    assert_eq!(h[0]["reason"], "stage_deleted");

    // The last open stage stays, whether deleted or turned into won/lost.
    let all = stages(&app, &owner).await;
    let new = stage_id(&all, "New").to_owned();
    let interested = stage_id(&all, "Interested").to_owned();
    let paid = stage_id(&all, "Paid").to_owned();
    for (id, to) in [(&new, &paid), (&interested, &paid)] {
        let r = app
            .delete(
                &format!("/api/v1/pipeline/stages/{id}?move_to={to}"),
                &owner.token,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    }
    let r = app
        .delete(
            &format!("/api/v1/pipeline/stages/{engaged}?move_to={paid}"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "last_open_stage");
    let r = app
        .put(
            &format!("/api/v1/pipeline/stages/{engaged}"),
            &owner.token,
            json!({"kind": "won"}),
        )
        .await;
    assert_eq!(r.code(), "last_open_stage");
    // New leads now enter the first open stage there is.
    let lead = create_lead(&app, &owner, json!({"phone": "+919800000202"})).await;
    assert_eq!(lead["stage"]["name"], "Engaged");
    assert_eq!(lead["position"], 0);
    app.finish().await;
}

async fn the_board_counts_sums_pages_and_moves(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Board Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let all = stages(&app, &owner).await;
    let new = stage_id(&all, "New").to_owned();
    let interested = stage_id(&all, "Interested").to_owned();
    let paid = stage_id(&all, "Paid").to_owned();

    let mut ids = vec![];
    for i in 0..5 {
        let l = create_lead(
            &app,
            &owner,
            json!({"phone": format!("+91980000030{i}"), "name": format!("Lead {i}"),
                   "value_minor": 1000 * (i + 1), "tags": if i % 2 == 0 { json!(["even"]) } else { json!([]) }}),
        )
        .await;
        // New leads enter the first open stage, on top.
        assert_eq!(l["stage"]["name"], "New");
        assert_eq!(l["position"], 0);
        assert!(l["stage_entered_at"].is_string());
        ids.push(l["id"].as_str().unwrap().to_owned());
    }
    let cols = board(&app, &owner, "").await;
    assert_eq!(cols.len(), 5);
    let new_col = column(&cols, "New");
    assert_eq!(new_col["count"], 5);
    assert_eq!(new_col["value_sum_minor"], 15000);
    assert_eq!(
        card_names(new_col),
        vec!["Lead 4", "Lead 3", "Lead 2", "Lead 1", "Lead 0"]
    );
    assert_eq!(column(&cols, "Paid")["count"], 0);
    assert_eq!(column(&cols, "Paid")["value_sum_minor"], 0);
    // The list's filters narrow the board: counts and sums follow.
    let cols = board(&app, &owner, "tag=even").await;
    assert_eq!(column(&cols, "New")["count"], 3);
    assert_eq!(column(&cols, "New")["value_sum_minor"], 9000);

    // A column a page at a time.
    let cols = board(&app, &owner, "cards=2").await;
    let first = column(&cols, "New");
    assert_eq!(card_names(first), vec!["Lead 4", "Lead 3"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let page = board(
        &app,
        &owner,
        &format!("cards=2&stage_id={new}&cursor={cursor}"),
    )
    .await;
    assert_eq!(page.len(), 1);
    assert_eq!(card_names(&page[0]), vec!["Lead 2", "Lead 1"]);
    let cursor = page[0]["next_cursor"].as_str().unwrap();
    let page = board(
        &app,
        &owner,
        &format!("cards=2&stage_id={new}&cursor={cursor}"),
    )
    .await;
    assert_eq!(card_names(&page[0]), vec!["Lead 0"]);
    assert_eq!(page[0]["next_cursor"], Value::Null);
    assert_eq!(page[0]["cards"][0]["position"], 4);
    let r = app.get("/api/v1/pipeline?cards=0", &owner.token).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An agent moves a lead: history with actor, reason and time in the stage left.
    let r = app
        .put(
            &format!("/api/v1/pipeline/{}/move", ids[0]),
            &agent.token,
            json!({"stage_id": interested, "reason": "asked for a quote"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["lead"]["stage"]["name"], "Interested");
    assert_eq!(r.body["history"]["from_stage"]["name"], "New");
    assert_eq!(r.body["history"]["to_stage"]["id"], interested.as_str());
    assert_eq!(r.body["history"]["actor"], "user");
    assert_eq!(r.body["history"]["actor_id"], agent.user_id.as_str());
    assert_eq!(r.body["history"]["reason"], "asked for a quote");
    assert!(r.body["history"]["seconds_in_from_stage"].as_i64().unwrap() >= 0);
    // A second card on top, then one placed below it.
    for (id, position) in [(&ids[1], 0), (&ids[2], 1)] {
        let r = app
            .put(
                &format!("/api/v1/pipeline/{id}/move"),
                &owner.token,
                json!({"stage_id": interested, "position": position}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["lead"]["position"], position);
    }
    let cols = board(&app, &owner, "").await;
    assert_eq!(
        card_names(column(&cols, "Interested")),
        vec!["Lead 1", "Lead 2", "Lead 0"]
    );
    assert_eq!(column(&cols, "Interested")["value_sum_minor"], 6000);
    assert_eq!(column(&cols, "New")["count"], 2);
    // A reorder within the stage writes no history.
    let before = history(&app, &owner, &ids[0]).await.len();
    let r = app
        .put(
            &format!("/api/v1/pipeline/{}/move", ids[0]),
            &owner.token,
            json!({"stage_id": interested, "position": 0}),
        )
        .await;
    assert_eq!(r.body["history"], Value::Null);
    assert_eq!(r.body["lead"]["position"], 0);
    assert_eq!(history(&app, &owner, &ids[0]).await.len(), before);
    let cols = board(&app, &owner, "").await;
    assert_eq!(
        card_names(column(&cols, "Interested")),
        vec!["Lead 0", "Lead 1", "Lead 2"]
    );

    // Won sets the lead's status; the lead's PUT moves too.
    let r = app
        .put(
            &format!("/api/v1/pipeline/{}/move", ids[0]),
            &owner.token,
            json!({"stage_id": paid}),
        )
        .await;
    assert_eq!(r.body["lead"]["lead_status"], "won");
    let r = app
        .put(
            &format!("/api/v1/leads/{}", ids[3]),
            &owner.token,
            json!({"stage_id": interested}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["stage"]["name"], "Interested");
    let h = history(&app, &owner, &ids[0]).await;
    let trail: Vec<(&str, &str)> = h
        .iter()
        .map(|e| {
            (
                e["from_stage"]["name"].as_str().unwrap_or("-"),
                e["to_stage"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        trail,
        vec![("Interested", "Paid"), ("New", "Interested"), ("-", "New")]
    );
    // The timeline shows the moves.
    let detail = app
        .get(&format!("/api/v1/leads/{}", ids[0]), &owner.token)
        .await;
    let moves = detail.body["timeline"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "stage_change")
        .count();
    assert_eq!(moves, 2);

    // The filter document's `stage_id` finds the leads of a stage (list and board alike).
    let filter =
        format!(r#"[{{"field":"stage_id","operator":"equal_to","value":"{interested}"}}]"#);
    let q = form_urlencoded::byte_serialize(filter.as_bytes()).collect::<String>();
    let r = app
        .get(&format!("/api/v1/leads?filter={q}&sort=name"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let found: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(found, vec!["Lead 1", "Lead 2", "Lead 3"]);
    let cols = board(&app, &owner, &format!("filter={q}")).await;
    assert_eq!(column(&cols, "Interested")["count"], 3);
    assert_eq!(column(&cols, "New")["count"], 0);

    // A stage of nothing, a lead of nothing.
    let r = app
        .put(
            &format!("/api/v1/pipeline/{}/move", ids[0]),
            &owner.token,
            json!({"stage_id": ids[1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .put(
            &format!("/api/v1/leads/{}", ids[0]),
            &owner.token,
            json!({"stage_id": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .put(
            &format!("/api/v1/pipeline/{}/move", owner.user_id),
            &owner.token,
            json!({"stage_id": interested}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn lead_of(app: &TestApp, s: &Session, conv: &str) -> Value {
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    let id = c.body["contact"]["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/leads/{id}"), &s.token).await.body
}

async fn the_agent_moves_the_lead_and_a_person_wins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Agent Board Co").await;
    let r = app.post("/api/v1/ctas", Some(&owner.token), json!({"type": "book_call", "name": "Discovery call", "link": "https://cal.example/acme"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app.put("/api/v1/agent/profile", &owner.token, json!({"sales_rules": {"qualification_checklist": {"name": "required"}, "cta_sequencing": {"first": "book_call"}}})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let all = stages(&app, &owner).await;
    let engaged = stage_id(&all, "Engaged").to_owned();

    // A lead who writes first is a card in New.
    let phone = "+91 98000 00401";
    // A WhatsApp name that is no name: the agent asks for it.
    let (conv, _) = lead_writes_as(&app, &owner, phone, "Redmi Note", "hello").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    assert_eq!(lead["stage"]["name"], "New");
    decided(&app, &owner, &conv, 1).await;
    // The lead gives a name: the agent offers to book a call, and the lead follows.
    let (_, msg) = lead_writes_as(&app, &owner, phone, "Redmi Note", "I'm Priya").await;
    let d = decided(&app, &owner, &conv, 2).await;
    assert_eq!(d[0]["cta_type"], "book_call", "{}", d[0]);
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    let conv_stage = c.body["stage"].as_str().unwrap().to_owned();
    assert!(conv_stage.starts_with("cta_"), "{conv_stage}");
    let lead = lead_of(&app, &owner, &conv).await;
    assert_eq!(lead["stage"]["name"], "Interested");
    let h = history(&app, &owner, &lead_id).await;
    assert_eq!(h[0]["actor"], "ai");
    assert_eq!(h[0]["to_stage"]["name"], "Interested");
    assert_eq!(h[0]["actor_id"], d[0]["id"]);
    assert_eq!(h[0]["reason"], d[0]["reason_code"]);
    assert_eq!(h[0]["evidence_message_id"], msg.as_str());

    // A person puts the lead back: the agent's next decision at the same stage leaves it.
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead_id}/move"),
            &owner.token,
            json!({"stage_id": engaged, "reason": "not ready"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    lead_writes(&app, &owner, phone, "hmm, let me think").await;
    decided(&app, &owner, &conv, 3).await;
    let lead = lead_of(&app, &owner, &conv).await;
    assert_eq!(lead["stage"]["name"], "Engaged");
    assert_eq!(history(&app, &owner, &lead_id).await[0]["actor"], "user");
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine Co").await;
    let other = app.signup_org("Theirs Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    let mine = stages(&app, &owner).await;
    let theirs = stages(&app, &other).await;
    let my_stage = stage_id(&mine, "Engaged").to_owned();
    let their_stage = stage_id(&theirs, "Engaged").to_owned();
    let lead = create_lead(&app, &owner, json!({"phone": "+919800000501"})).await;
    let lead_id = lead["id"].as_str().unwrap().to_owned();
    let their_lead = create_lead(&app, &other, json!({"phone": "+919800000502"})).await;
    let their_lead_id = their_lead["id"].as_str().unwrap().to_owned();

    // Another organisation's stage or lead: 404 in the path, 422 in a body.
    let r = app
        .put(
            &format!("/api/v1/pipeline/stages/{their_stage}"),
            &owner.token,
            json!({"name": "Mine now"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .delete(
            &format!("/api/v1/pipeline/stages/{their_stage}"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .put(
            &format!("/api/v1/pipeline/{their_lead_id}/move"),
            &owner.token,
            json!({"stage_id": my_stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/leads/{their_lead_id}/history"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/pipeline?stage_id={their_stage}"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead_id}/move"),
            &owner.token,
            json!({"stage_id": their_stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["stage_id"].is_string());
    // Each board holds its own leads only.
    let cols = board(&app, &other, "").await;
    assert_eq!(column(&cols, "New")["count"], 1);

    // A viewer reads; an agent moves but defines no stage.
    assert_eq!(board(&app, &viewer, "").await.len(), 5);
    assert_eq!(history(&app, &viewer, &lead_id).await.len(), 1);
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead_id}/move"),
            &viewer.token,
            json!({"stage_id": my_stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for who in [&viewer, &agent] {
        let r = app
            .post(
                "/api/v1/pipeline/stages",
                Some(&who.token),
                json!({"name": "Sneaky"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .put(
                &format!("/api/v1/pipeline/stages/{my_stage}"),
                &who.token,
                json!({"name": "Sneaky"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .delete(&format!("/api/v1/pipeline/stages/{my_stage}"), &who.token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead_id}/move"),
            &agent.token,
            json!({"stage_id": my_stage}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    app.finish().await;
}
