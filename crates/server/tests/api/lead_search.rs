//! The leads list's search through its index (issue 11, item 8): words still prefix-match
//! every field they did (name, email, city, business, tags, notes), in any case and whatever
//! wrote the lead — a person, the channel, an import, a bulk operation — and stop matching
//! what changed: a renamed or deleted tag, an edited or deleted note, a renamed or deleted
//! lead. Phone-like text finds any run of the phone's digits. And `closer seed-demo` makes a
//! year that the list, search, views, count and board read back.

use crate::harness::{Backend, Session, TestApp};
use crate::lead_import::import;
use crate::on_both_databases;
use closer_server::config::{DbArgs, SeedDemoArgs};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    words_prefix_match_every_field_and_follow_every_change,
    phone_digits_imports_and_bulk_operations_are_found,
    multiselect_fields_filter_on_both_databases,
    running_totals_follow_every_change,
    positions_count_the_cards_above_across_rank_buckets,
    a_seeded_year_reads_back,
    common_and_rare_tags_list_the_same_leads_however_checked,
    common_and_rare_words_list_the_same_leads_however_checked
);

async fn create(app: &TestApp, s: &Session, body: Value) -> String {
    let r = app.post("/api/v1/leads", Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn found(app: &TestApp, s: &Session, query: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/leads?{query}"), &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    let mut names: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

async fn words_prefix_match_every_field_and_follow_every_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Search Co").await;
    let amit = create(
        &app,
        &owner,
        json!({"phone": "+919800000001", "name": "Amit Kulkarni", "email": "a.kulkarni@Example.com",
               "city": "Navi Mumbai", "business": "Kulkarni Textiles", "tags": ["Weekend batch"]}),
    )
    .await;
    create(
        &app,
        &owner,
        json!({"phone": "+919800000002", "name": "Priya Shah", "city": "Pune"}),
    )
    .await;
    let one = |n: &str| vec![n.to_owned()];
    // Prefixes of any word of any field, any case; every word must match somewhere.
    for q in [
        "ami", "AMIT", "kulk", "mum", "navi", "textil", "example", "a.kulk", "week",
    ] {
        assert_eq!(
            found(&app, &owner, &format!("q={q}")).await,
            one("Amit Kulkarni"),
            "q={q}"
        );
    }
    assert_eq!(
        found(&app, &owner, "q=amit%20pune").await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &owner, "q=priya%20pun").await,
        one("Priya Shah")
    );
    // Not the middle of a word, and nothing for punctuation alone.
    assert!(found(&app, &owner, "q=mit").await.is_empty());
    assert!(found(&app, &owner, "q=--").await.is_empty());

    // A renamed tag is found by its new name only; a deleted one not at all.
    let tags = app.get("/api/v1/tags", &owner.token).await.body;
    let tag_id = tags["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .put(
            &format!("/api/v1/tags/{tag_id}"),
            &owner.token,
            json!({"name": "Sunday batch"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(found(&app, &owner, "q=sunday").await, one("Amit Kulkarni"));
    assert!(found(&app, &owner, "q=weekend").await.is_empty());
    let r = app
        .delete(&format!("/api/v1/tags/{tag_id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(found(&app, &owner, "q=sunday").await.is_empty());

    // Notes: added, edited (the old words go), deleted.
    let note = app
        .post(
            &format!("/api/v1/leads/{amit}/notes"),
            Some(&owner.token),
            json!({"body": "Wants the hostel brochure"}),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let note_id = note.body["id"].as_str().unwrap().to_owned();
    assert_eq!(found(&app, &owner, "q=hostel").await, one("Amit Kulkarni"));
    let r = app
        .put(
            &format!("/api/v1/leads/{amit}/notes/{note_id}"),
            &owner.token,
            json!({"body": "Asked about EMI"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(found(&app, &owner, "q=hostel").await.is_empty());
    assert_eq!(found(&app, &owner, "q=emi").await, one("Amit Kulkarni"));
    let r = app
        .delete(
            &format!("/api/v1/leads/{amit}/notes/{note_id}"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(found(&app, &owner, "q=emi").await.is_empty());

    // An edited lead is found by what it says now; a deleted one is gone.
    let r = app
        .put(
            &format!("/api/v1/leads/{amit}"),
            &owner.token,
            json!({"name": "Amol Kulkarni", "city": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(found(&app, &owner, "q=amit").await.is_empty());
    assert!(found(&app, &owner, "q=navi").await.is_empty());
    assert_eq!(found(&app, &owner, "q=amol").await, one("Amol Kulkarni"));
    let r = app
        .delete(&format!("/api/v1/leads/{amit}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(found(&app, &owner, "q=kulk").await.is_empty());
    let rows = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM lead_search")
        .await
        .unwrap();
    assert_eq!(rows, "1", "the deleted lead's search row goes with it");

    // Another organisation's leads are never found.
    let other = app.signup_org("Other Co").await;
    assert!(found(&app, &other, "q=priya").await.is_empty());
    app.finish().await;
}

async fn phone_digits_imports_and_bulk_operations_are_found(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Digits Co").await;
    create(
        &app,
        &owner,
        json!({"phone": "+919876543210", "name": "Ravi Iyer"}),
    )
    .await;
    create(
        &app,
        &owner,
        json!({"phone": "+918765012345", "name": "Sneha Nair"}),
    )
    .await;
    let one = |n: &str| vec![n.to_owned()];
    for q in [
        "98765",
        "43210",
        "6543",
        "98765%2043210",
        "098765-43210",
        "%2B91%209876543210",
    ] {
        assert_eq!(
            found(&app, &owner, &format!("q={q}")).await,
            one("Ravi Iyer"),
            "q={q}"
        );
    }
    // Four digits both phones hold.
    assert_eq!(
        found(&app, &owner, "q=8765").await,
        vec!["Ravi Iyer", "Sneha Nair"]
    );
    assert!(found(&app, &owner, "q=11111").await.is_empty());

    // Imported leads (and their notes) are searchable at once.
    let csv = "Name,Mobile,City,Note\nKaran Mehta,9811122233,Indore,Prefers evening calls\n";
    let done = import(&app, &owner, csv, "create").await;
    assert_eq!(done["created"], 1, "{done:?}");
    assert_eq!(found(&app, &owner, "q=evening").await, one("Karan Mehta"));
    assert_eq!(found(&app, &owner, "q=indo").await, one("Karan Mehta"));
    assert_eq!(found(&app, &owner, "q=11122").await, one("Karan Mehta"));

    // A bulk tag is found by its name; a bulk delete leaves nothing to find.
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"filter": [{"field": "city", "operator": "equal_to", "value": "Indore"}],
                   "action": "add_tags", "tags": ["Callback"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(found(&app, &owner, "q=callb").await, one("Karan Mehta"));
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"filter": [{"field": "city", "operator": "equal_to", "value": "Indore"}],
                   "action": "delete", "expected_count": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(found(&app, &owner, "q=karan").await.is_empty());
    assert!(found(&app, &owner, "q=11122").await.is_empty());
    app.finish().await;
}

async fn multiselect_fields_filter_on_both_databases(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Fields Co").await;
    let r = app
        .post(
            "/api/v1/custom-fields",
            Some(&owner.token),
            json!({"key": "subjects", "label": "Subjects", "type": "multiselect",
                   "options": ["Physics", "Chemistry", "Maths"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    create(
        &app,
        &owner,
        json!({"phone": "+919800000011", "name": "Both", "custom_fields": {"subjects": ["Physics", "Maths"]}}),
    )
    .await;
    create(
        &app,
        &owner,
        json!({"phone": "+919800000012", "name": "Chem", "custom_fields": {"subjects": ["Chemistry"]}}),
    )
    .await;
    let filter = |op: &str, v: Value| {
        let doc = json!([{"field": "custom_fields.subjects", "operator": op, "value": v}]);
        format!("filter={}", urlencode(&doc.to_string()))
    };
    assert_eq!(
        found(&app, &owner, &filter("in", json!(["Maths"]))).await,
        vec!["Both"]
    );
    assert_eq!(
        found(&app, &owner, &filter("all_of", json!(["Physics", "Maths"]))).await,
        vec!["Both"]
    );
    assert_eq!(
        found(&app, &owner, &filter("not_in", json!(["Maths"]))).await,
        vec!["Chem"]
    );
    app.finish().await;
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn a_seeded_year_reads_back(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = tempfile::tempdir().unwrap();
    let email = format!("{}@example.com", crate::harness::unique("demo"));
    let args = SeedDemoArgs {
        db: DbArgs {
            data_dir: dir.path().to_path_buf(),
            database_url: Some(app.database_url.clone()),
        },
        leads: 1_000,
        messages: 5_000,
        days: 365,
        org_name: "Shiksha Academy (demo)".into(),
        email: Some(email.clone()),
        password: Some("demo password".into()),
        seed: 7,
        batch: 300,
        actions: 2_000,
    };
    let demo = closer_server::seed_demo::run(&args).await.expect("seeded");
    let c = &demo.counts;
    assert_eq!(c.leads, 1_000);
    assert!((4_000..=6_000).contains(&c.messages), "{c:?}");
    assert!(
        c.conversations > 900 && c.notes > 50 && c.lead_tags > 500,
        "{c:?}"
    );
    assert!(c.stage_moves >= c.leads, "{c:?}");
    let count = |table: &str| {
        let app = &app;
        let sql = format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}");
        async move { app.sql_text(&sql).await.unwrap().parse::<u64>().unwrap() }
    };
    assert_eq!(count("messages").await, c.messages);
    assert_eq!(count("contacts").await, c.leads);
    assert_eq!(count("lead_search").await, c.leads, "every lead is indexed");
    assert_eq!(
        count("pipeline_cards").await,
        c.leads,
        "every lead is on the board"
    );

    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "demo password"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let owner = crate::harness::session_of(&login.body, &email);
    let page = app
        .get("/api/v1/leads?count=true&limit=50", &owner.token)
        .await;
    assert_eq!(page.body["total"], 1_000);
    let items = page.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    // Newest activity first, a year back at most.
    let seen: Vec<&str> = items
        .iter()
        .map(|l| l["last_seen_at"].as_str().unwrap())
        .collect();
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "{seen:?}");
    // Its leads are found by their name and by their phone's digits.
    let lead = &items[7];
    let name = lead["name"].as_str().unwrap();
    let by_name = app
        .get(
            &format!("/api/v1/leads?q={}&limit=200", urlencode(name)),
            &owner.token,
        )
        .await;
    let hits = by_name.body["items"].as_array().unwrap();
    assert!(hits.iter().any(|l| l["id"] == lead["id"]), "{name}");
    let digits = &lead["phone"].as_str().unwrap()[5..];
    let by_phone = app
        .get(&format!("/api/v1/leads?q={digits}"), &owner.token)
        .await;
    assert_eq!(by_phone.body["items"][0]["id"], lead["id"]);
    // The seeded views drive the list; the board counts every lead.
    let views = app.get("/api/v1/views", &owner.token).await.body;
    let views = views["items"].as_array().unwrap().clone();
    assert_eq!(views.len(), 3, "{views:?}");
    for v in &views {
        let r = app
            .get(
                &format!(
                    "/api/v1/leads?view_id={}&count=true",
                    v["id"].as_str().unwrap()
                ),
                &owner.token,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(
            r.body["total"].as_u64().unwrap() < 1_000,
            "{}: {:?}",
            v["name"],
            r.body["total"]
        );
    }
    let board = app.get("/api/v1/pipeline?cards=5", &owner.token).await;
    let columns = board.body["columns"].as_array().unwrap();
    let total: u64 = columns.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 1_000);
    assert!(
        columns.iter().all(|c| c["count"].as_u64().unwrap() > 0),
        "{columns:?}"
    );

    // The action center and the calendar hold the year's items, readable page after page.
    let t = &demo.team_day;
    assert_eq!(t.actions, 2_000);
    assert_eq!(count("actions").await, t.actions);
    assert_eq!(count("calendar_events").await, t.bookings);
    assert!((300..=700).contains(&t.bookings), "{t:?}");
    let counts = app.get("/api/v1/actions/counts", &owner.token).await;
    let open = counts.body["total"].as_u64().unwrap();
    assert!(open > 0 && open < 500, "{:?}", counts.body);
    let mut seen = 0;
    let mut path = "/api/v1/actions?status=open&limit=50".to_owned();
    loop {
        let page = app.get(&path, &owner.token).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        let items = page.body["items"].as_array().unwrap();
        let urgency: Vec<&str> = items
            .iter()
            .map(|a| a["priority"].as_str().unwrap())
            .collect();
        assert!(!urgency.is_empty(), "{path}");
        seen += items.len() as u64;
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/actions?status=open&limit=50&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, open, "every open item once, page after page");
    let now = chrono::Utc::now();
    let week = app
        .get(
            &format!(
                "/api/v1/calendar?from={}&to={}",
                urlencode(&(now - chrono::Duration::days(7)).to_rfc3339()),
                urlencode(&now.to_rfc3339())
            ),
            &owner.token,
        )
        .await;
    assert_eq!(week.status, StatusCode::OK, "{:?}", week.body);
    assert!(!week.body["items"].as_array().unwrap().is_empty());
    app.finish().await;
}

/// The board's counts and value sums and the list's `count=true`, unfiltered (from the running
/// totals) and through a filter every lead passes (counted), agree.
async fn totals_agree_with_a_count(app: &TestApp, s: &Session, when: &str) {
    let all = "created_after=2000-01-01T00:00:00Z";
    let columns = |b: Value| -> Vec<(String, u64, i64)> {
        b["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let name = c["stage"]["name"].as_str().unwrap().to_owned();
                (
                    name,
                    c["count"].as_u64().unwrap(),
                    c["value_sum_minor"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let totals = columns(app.get("/api/v1/pipeline?cards=1", &s.token).await.body);
    let counted = columns(
        app.get(&format!("/api/v1/pipeline?cards=1&{all}"), &s.token)
            .await
            .body,
    );
    assert_eq!(totals, counted, "{when}");
    // Each stage's lead count in the stage list (the running totals) agrees too.
    let stages = app.get("/api/v1/pipeline/stages", &s.token).await.body;
    let listed: Vec<(String, u64)> = stages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|st| {
            let name = st["name"].as_str().unwrap().to_owned();
            (name, st["lead_count"].as_u64().unwrap())
        })
        .collect();
    let board: Vec<(String, u64)> = counted.iter().map(|(n, c, _)| (n.clone(), *c)).collect();
    assert_eq!(listed, board, "{when}");
    let total = app
        .get("/api/v1/leads?count=true&limit=1", &s.token)
        .await
        .body["total"]
        .clone();
    let count = app
        .get(&format!("/api/v1/leads?count=true&limit=1&{all}"), &s.token)
        .await
        .body["total"]
        .clone();
    assert_eq!(total, count, "{when}");
}

async fn running_totals_follow_every_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Totals Co").await;
    totals_agree_with_a_count(&app, &owner, "empty").await;
    let a = create(
        &app,
        &owner,
        json!({"phone": "+919800000021", "name": "A", "value_minor": 1000}),
    )
    .await;
    let b2 = create(
        &app,
        &owner,
        json!({"phone": "+919800000022", "name": "B", "value_minor": 250}),
    )
    .await;
    let c = create(
        &app,
        &owner,
        json!({"phone": "+919800000023", "name": "C", "value_minor": 7}),
    )
    .await;
    totals_agree_with_a_count(&app, &owner, "created").await;
    let stages = app.get("/api/v1/pipeline/stages", &owner.token).await.body;
    let stage = |i: usize| stages["items"][i]["id"].as_str().unwrap().to_owned();
    let r = app
        .put(
            &format!("/api/v1/leads/{a}"),
            &owner.token,
            json!({"value_minor": 4000, "stage_id": stage(2)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    totals_agree_with_a_count(&app, &owner, "value and stage changed").await;
    let r = app
        .put(
            &format!("/api/v1/pipeline/{b2}/move"),
            &owner.token,
            json!({"stage_id": stage(3), "position": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .put(
            &format!("/api/v1/leads/{b2}"),
            &owner.token,
            json!({"value_minor": null}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    totals_agree_with_a_count(&app, &owner, "moved, value cleared").await;
    let csv = "Name,Mobile,value_minor\nD,9811100001,500\nE,9811100002,\n";
    import(&app, &owner, csv, "create").await;
    totals_agree_with_a_count(&app, &owner, "imported").await;
    let r = app
        .delete(&format!("/api/v1/leads/{a}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    totals_agree_with_a_count(&app, &owner, "deleted").await;
    // A stage deleted with its leads moved elsewhere.
    let r = app
        .put(
            &format!("/api/v1/pipeline/{c}/move"),
            &owner.token,
            json!({"stage_id": stage(1)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .delete(
            &format!("/api/v1/pipeline/stages/{}?move_to={}", stage(1), stage(0)),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    totals_agree_with_a_count(&app, &owner, "stage deleted").await;
    let board = app.get("/api/v1/pipeline", &owner.token).await.body;
    let total: u64 = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);
    app.finish().await;
}

/// Every lead's `position` in the list is its index in its board column, however far apart
/// the ranks (the running rank counts answer for the buckets above a card).
async fn positions_count_the_cards_above_across_rank_buckets(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Ranks Co").await;
    let mut ids = vec![];
    for i in 0..12 {
        ids.push(
            create(
                &app,
                &owner,
                json!({"phone": format!("+9198000001{i:02}"), "name": format!("L{i}")}),
            )
            .await,
        );
    }
    // Spread the cards over many rank buckets (2^30 wide), some sharing one.
    for (i, id) in ids.iter().enumerate() {
        let rank = (i as i64 - 6) * (1i64 << 29) * if i % 3 == 0 { 5 } else { 1 };
        app.sql(
            "UPDATE pipeline_cards SET rank = ? WHERE contact_id = ?",
            vec![rank.into(), uuid::Uuid::parse_str(id).unwrap().into()],
        )
        .await;
    }
    let stages = app.get("/api/v1/pipeline/stages", &owner.token).await.body;
    let new_stage = stages["items"][0]["id"].as_str().unwrap().to_owned();
    let other_stage = stages["items"][1]["id"].as_str().unwrap().to_owned();
    // Moves: to a place in the middle of the column, and out of it.
    for (id, stage, position) in [
        (&ids[2], &new_stage, 4),
        (&ids[9], &other_stage, 0),
        (&ids[0], &new_stage, 11),
    ] {
        let r = app
            .put(
                &format!("/api/v1/pipeline/{id}/move"),
                &owner.token,
                json!({"stage_id": stage, "position": position}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let board = app
        .get("/api/v1/pipeline?cards=50", &owner.token)
        .await
        .body;
    let list = app.get("/api/v1/leads?limit=50", &owner.token).await.body;
    for column in board["columns"].as_array().unwrap() {
        for (index, card) in column["cards"].as_array().unwrap().iter().enumerate() {
            assert_eq!(card["position"], index, "{}", card["name"]);
            let listed = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["id"] == card["id"])
                .unwrap();
            assert_eq!(listed["position"], index, "{} in the list", card["name"]);
        }
    }
    app.finish().await;
}

/// SQLite keys the search index by each lead's rowid, which a VACUUM may renumber: a server
/// starting on such a database notices and rebuilds the index before answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renumbered_sqlite_index_is_rebuilt_on_start() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let owner = app.signup_org("Vacuum Co").await;
    for (i, name) in ["Meera Iyer", "Rahul Das", "Zoya Khan"].iter().enumerate() {
        create(
            &app,
            &owner,
            json!({"phone": format!("+9198000003{i:02}"), "name": name}),
        )
        .await;
    }
    // As if rowids had moved under the index.
    app.sql("UPDATE lead_search SET id = id + 1000", vec![])
        .await;
    let misplaced = "SELECT CAST(COUNT(*) AS TEXT) FROM lead_search s \
                     LEFT JOIN contacts c ON c.rowid = s.id WHERE c.id IS NOT s.contact_id";
    assert_eq!(app.sql_text(misplaced).await.unwrap(), "3");
    let replica = app.replica().await;
    assert_eq!(app.sql_text(misplaced).await.unwrap(), "0");
    let check = "SELECT CAST(COUNT(*) AS TEXT) FROM pragma_integrity_check";
    assert_eq!(app.sql_text(check).await.unwrap(), "1");
    app.sql(
        "INSERT INTO lead_search_words(lead_search_words) VALUES ('integrity-check')",
        vec![],
    )
    .await;
    assert_eq!(found(&replica, &owner, "q=meera").await, vec!["Meera Iyer"]);
    assert_eq!(found(&replica, &owner, "q=zoya").await, vec!["Zoya Khan"]);
    replica.finish().await;
    app.finish().await;
}

/// Every lead of `query`, page by page through the cursor: (names, the first page's total).
async fn every_page(app: &TestApp, s: &Session, query: &str) -> (Vec<String>, Value) {
    let (mut names, mut cursor, mut total) = (vec![], None::<String>, Value::Null);
    loop {
        let after = cursor
            .as_deref()
            .map(|c| format!("&cursor={c}"))
            .unwrap_or_default();
        let r = app
            .get(&format!("/api/v1/leads?{query}&limit=50{after}"), &s.token)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
        if total.is_null() {
            total = r.body["total"].clone();
        }
        let items = r.body["items"].as_array().unwrap();
        let seen: Vec<&str> = items
            .iter()
            .map(|l| l["last_seen_at"].as_str().unwrap())
            .collect();
        assert!(
            seen.windows(2).all(|w| w[0] >= w[1]),
            "{query}: newest first"
        );
        names.extend(items.iter().map(|l| l["name"].as_str().unwrap().to_owned()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    names.sort();
    (names, total)
}

/// A page checks a common tag lead by lead on SQLite (over a thousand taggings) and a rare one
/// against the tag's set of leads: both list exactly the tagged leads, every page in order.
async fn common_and_rare_tags_list_the_same_leads_however_checked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Tag Walk Co").await;
    let mut csv = String::from("Name,Phone,Tags\n");
    let mut common = vec![];
    let mut rare = vec![];
    for i in 0..1_150 {
        let name = format!("Lead {i:04}");
        let tags = match i {
            _ if i % 230 == 7 => "Rare",
            _ if i < 1_060 => "Common",
            _ => "",
        };
        if tags == "Rare" {
            rare.push(name.clone());
        } else if tags == "Common" {
            common.push(name.clone());
        }
        csv.push_str(&format!("{name},+9198{i:08},{tags}\n"));
    }
    common.sort();
    rare.sort();
    let done = crate::lead_import::import(&app, &owner, &csv, "create").await;
    assert_eq!(done["created"], 1_150, "{done:?}");
    let (names, total) = every_page(&app, &owner, "tag=common&count=true").await;
    assert_eq!(total, common.len());
    assert_eq!(names, common);
    let (names, total) = every_page(&app, &owner, "tag=Rare&count=true").await;
    assert_eq!(total, rare.len());
    assert_eq!(names, rare);
    let (names, total) = every_page(&app, &owner, "tag=rare&tag=common&count=true").await;
    let mut both = [common.clone(), rare.clone()].concat();
    both.sort();
    assert_eq!(names, both);
    assert_eq!(total, both.len());
    // With another condition, and as a filter document (a saved view's).
    let (names, _) = every_page(&app, &owner, "tag=common&q=lead").await;
    assert_eq!(names, common);
    let doc = |op: &str, tags: &[&str]| {
        let f = json!([{"field": "tags", "operator": op, "value": tags}]).to_string();
        format!("filter={}", urlencode(&f))
    };
    let (names, _) = every_page(&app, &owner, &doc("in", &["COMMON"])).await;
    assert_eq!(names, common);
    let (names, _) = every_page(&app, &owner, &doc("all_of", &["common", "rare"])).await;
    assert!(names.is_empty(), "nobody carries both: {names:?}");
    let (names, _) = every_page(&app, &owner, &doc("not_in", &["common"])).await;
    assert_eq!(names.len(), 1_150 - common.len());
    app.finish().await;
}

/// A search word most leads carry is checked lead by lead along the list's order, a rare one
/// from the index's matches (`leads::page_word_lookup`): every page of both lists the same
/// leads as the set would, newest first, with tag names still found and counts unchanged.
async fn common_and_rare_words_list_the_same_leads_however_checked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Word Walk Co").await;
    let mut csv = String::from("Name,Phone,Tags\n");
    let (mut common, mut rare) = (vec![], vec![]);
    for i in 0..1_105 {
        let (name, tags) = match i % 221 {
            13 => (format!("Zoya Lead {i:04}"), "Priority"),
            _ => (format!("Priya Lead {i:04}"), ""),
        };
        match tags {
            "" => common.push(name.clone()),
            _ => rare.push(name.clone()),
        }
        csv.push_str(&format!("{name},+9197{i:08},{tags}\n"));
    }
    common.sort();
    rare.sort();
    let done = crate::lead_import::import(&app, &owner, &csv, "create").await;
    assert_eq!(done["created"], 1_105, "{done:?}");
    let everyone = {
        let mut all = [common.clone(), rare.clone()].concat();
        all.sort();
        all
    };
    for (query, want) in [
        ("q=priya&count=true", &common),
        ("q=PRIY", &common),
        ("q=zoy&count=true", &rare),
        ("q=lea&count=true", &everyone),
        ("q=priya%20lead", &common),
        // "pri" finds the Priyas by name and the Zoyas by their tag "Priority".
        ("q=pri", &everyone),
        ("q=zoya%20lead", &rare),
    ] {
        let (names, total) = every_page(&app, &owner, query).await;
        assert_eq!(&names, want, "{query}");
        if query.contains("count=true") {
            assert_eq!(total, want.len(), "{query}");
        }
    }
    let (names, _) = every_page(&app, &owner, "q=priya%20zoya").await;
    assert!(names.is_empty(), "nobody is both: {names:?}");
    app.finish().await;
}
