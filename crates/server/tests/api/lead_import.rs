//! CSV import, export and bulk operations of leads (API.md, *CRM*): columns detected from
//! their synonyms, create/update/upsert, duplicates inside the file (first wins), matches on
//! phone then email, every rejected row in the error report with its line, counts summing to
//! the total, an export importing back onto itself unchanged, bulk actions with their
//! counts, and other organisations and roles refused.

use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    an_import_detects_reports_and_counts,
    modes_and_an_export_that_imports_back_unchanged,
    bulk_operations_count_what_they_change
);

async fn upload(app: &TestApp, s: &Session, csv: &str) -> (StatusCode, Value) {
    let r = app
        .http
        .post(format!("{}/api/v1/leads/import", app.base))
        .bearer_auth(&s.token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn text(app: &TestApp, s: &Session, path: &str) -> (StatusCode, String) {
    let r = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Uploads, confirms with the detected mapping and waits for the end.
pub(crate) async fn import(app: &TestApp, s: &Session, csv: &str, mode: &str) -> Value {
    let (st, up) = upload(app, s, csv).await;
    assert_eq!(st, StatusCode::CREATED, "{up:?}");
    let id = up["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/leads/import/{id}/confirm"),
            Some(&s.token),
            json!({"mapping": up["mapping"], "mode": mode}),
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

fn counts(r: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| r[k].as_i64().unwrap();
    (n("created"), n("updated"), n("skipped"), n("errors"))
}

async fn an_import_detects_reports_and_counts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Import Co").await;
    let existing = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"phone": "+919800000009", "email": "old@example.com", "name": "Old"}),
        )
        .await;
    assert_eq!(existing.status, StatusCode::CREATED);
    let second = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"phone": "+919800000008", "email": "other@example.com"}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    let long_tag = "t".repeat(51);
    let csv = &format!(
        "Full Name,Mobile,E-mail,Tags,Favourite\n\
        Asha,098765 43210,asha@example.com,vip;hot,x\n\
        Bad Phone,call me,,,\n\
        Asha Again,+91 98765 43210,,,\n\
        Bad Mail,9876500001,not-an-email,,\n\
        Nobody,,,,\n\
        Old Updated,,old@example.com,,\n\
        Clash,9876500002,other@example.com,,\n\
        Bad Tag,9876500003,,{long_tag},\n"
    );
    let (st, up) = upload(&app, &owner, csv).await;
    assert_eq!(st, StatusCode::CREATED, "{up:?}");
    assert_eq!(up["status"], "uploaded");
    assert_eq!(up["total_rows"], 8);
    assert_eq!(
        up["mapping"],
        json!({"Full Name": "name", "Mobile": "phone", "E-mail": "email", "Tags": "tags", "Favourite": null})
    );
    assert_eq!(up["columns"][1]["samples"][0], "098765 43210");
    let id = up["id"].as_str().unwrap().to_owned();
    // A mapping without an identity, an unknown target, a bad mode.
    let bad = app
        .post(
            &format!("/api/v1/leads/import/{id}/confirm"),
            Some(&owner.token),
            json!({"mapping": {"Full Name": "name", "Tags": "nope"}, "mode": "merge"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.body["error"]["details"]["fields"];
    assert!(
        fields["mapping"].is_string()
            && fields["mapping.Tags"].is_string()
            && fields["mode"].is_string(),
        "{fields:?}"
    );
    let ok = app
        .post(
            &format!("/api/v1/leads/import/{id}/confirm"),
            Some(&owner.token),
            json!({"mapping": up["mapping"], "mode": "upsert"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::ACCEPTED, "{:?}", ok.body);
    let again = app
        .post(
            &format!("/api/v1/leads/import/{id}/confirm"),
            Some(&owner.token),
            json!({"mapping": up["mapping"], "mode": "upsert"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "import_not_pending");
    let done = eventually(30, "the import completes", || async {
        let r = app
            .get(&format!("/api/v1/leads/import/{id}"), &owner.token)
            .await;
        (r.body["status"] == "completed").then_some(r.body)
    })
    .await;
    // Asha created; Old updated by email; the rest skipped or rejected.
    assert_eq!(counts(&done), (1, 1, 1, 5), "{done:?}");
    assert_eq!(done["processed_rows"], 8);
    let (st, report) = text(&app, &owner, &format!("/api/v1/leads/import/{id}/errors")).await;
    assert_eq!(st, StatusCode::OK);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[0],
        "line,status,reason,field,message,Full Name,Mobile,E-mail,Tags,Favourite"
    );
    let reasons: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        reasons,
        vec![
            "3,error,phone_invalid",
            "4,skipped,duplicate_in_file",
            "5,error,email_invalid",
            "6,error,identity_missing",
            "8,error,identity_conflict",
            "9,error,value_invalid",
        ]
    );
    assert!(lines[1].ends_with("Bad Phone,call me,,,"), "{}", lines[1]);
    let asha = app.get("/api/v1/leads?q=asha", &owner.token).await;
    assert_eq!(asha.body["items"][0]["phone"], "+919876543210");
    assert_eq!(asha.body["items"][0]["tags"], json!(["hot", "vip"]));
    assert_eq!(asha.body["items"][0]["lead_source"], "import");
    let old = app.get("/api/v1/leads?q=old", &owner.token).await;
    assert_eq!(old.body["items"][0]["name"], "Old Updated");

    // Not CSV, no rows; other organisations and roles.
    let (st, bad) = upload(&app, &owner, "phone\n").await;
    assert_eq!(
        (st, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("csv_invalid"))
    );
    let (st, bad) = upload(&app, &owner, "a,a\n1,2\n").await;
    assert_eq!(
        (st, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("csv_invalid"))
    );
    let other = app.signup_org("Other Co").await;
    assert_eq!(
        app.get(&format!("/api/v1/leads/import/{id}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        text(&app, &other, &format!("/api/v1/leads/import/{id}/errors"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    assert_eq!(upload(&app, &viewer, csv).await.0, StatusCode::FORBIDDEN);
    assert_eq!(upload(&app, &agent, csv).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        text(&app, &agent, "/api/v1/leads/export").await.0,
        StatusCode::FORBIDDEN
    );
    app.finish().await;
}

async fn modes_and_an_export_that_imports_back_unchanged(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Modes Co").await;
    let f = app
        .post(
            "/api/v1/custom-fields",
            Some(&owner.token),
            json!({"key": "budget", "label": "Monthly Budget", "type": "number"}),
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED);
    let first = import(
        &app,
        &owner,
        "name,phone,monthly budget\nA,9876500010,100\nB,9876500011,2.5\n",
        "create",
    )
    .await;
    assert_eq!(counts(&first), (2, 0, 0, 0));
    // create skips what exists; update skips what does not; upsert does both.
    let c = import(
        &app,
        &owner,
        "name,phone\nA2,9876500010\nC,9876500012\n",
        "create",
    )
    .await;
    assert_eq!(counts(&c), (1, 0, 1, 0));
    let u = import(
        &app,
        &owner,
        "name,phone\nA3,9876500010\nD,9876500013\n",
        "update",
    )
    .await;
    assert_eq!(counts(&u), (0, 1, 1, 0));
    let (_, report) = text(
        &app,
        &owner,
        &format!("/api/v1/leads/import/{}/errors", u["id"].as_str().unwrap()),
    )
    .await;
    assert!(report.contains("3,skipped,not_found"), "{report}");
    let up = import(
        &app,
        &owner,
        // A lead whose name is a formula: the export must not run it in a spreadsheet.
        "name,phone\nA4,9876500010\n\"=HYPERLINK(\"\"http://evil.example\"\",\"\"win\"\")\",9876500014\n",
        "upsert",
    )
    .await;
    assert_eq!(counts(&up), (1, 1, 0, 0));

    // Export everything, import it back: nothing changes.
    let before = app
        .get("/api/v1/leads?sort=created_at&limit=100", &owner.token)
        .await
        .body;
    let (st, csv) = text(&app, &owner, "/api/v1/leads/export?sort=created_at").await;
    assert_eq!(st, StatusCode::OK);
    assert!(csv.starts_with("id,phone,bsuid,name,email"), "{csv}");
    assert!(csv.lines().next().unwrap().ends_with(",cf.budget"));
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"win\"\")\","),
        "{csv}"
    );
    assert!(
        csv.contains(",+919876500014,"),
        "phones stay numbers: {csv}"
    );
    // As a browser asks for it (gzip): the compressed body arrives whole.
    let r = app
        .http
        .get(format!("{}/api/v1/leads/export?sort=created_at", app.base))
        .bearer_auth(&owner.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let gz = r.bytes().await.expect("the whole compressed export");
    assert!(gz.len() > 20 && gz.starts_with(&[0x1f, 0x8b]), "{gz:?}");
    let back = import(&app, &owner, &csv, "upsert").await;
    assert_eq!(counts(&back), (0, 4, 0, 0));
    let after = app
        .get("/api/v1/leads?sort=created_at&limit=100", &owner.token)
        .await
        .body;
    assert_eq!(before, after);
    // An export of a filter has only its matches.
    let filter =
        urlencode(r#"[{"field":"custom_fields.budget","operator":"greater_than","value":10}]"#);
    let (_, some) = text(
        &app,
        &owner,
        &format!("/api/v1/leads/export?filter={filter}"),
    )
    .await;
    assert_eq!(some.lines().count(), 2, "{some}");
    app.finish().await;
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn bulk_operations_count_what_they_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Bulk Co").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = app
            .post(
                "/api/v1/leads",
                Some(&owner.token),
                json!({"phone": format!("+91987650002{i}"), "city": if i < 3 { "Pune" } else { "Goa" }}),
            )
            .await;
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let other = app.signup_org("Other Co").await;
    let foreign = app
        .post(
            "/api/v1/leads",
            Some(&other.token),
            json!({"phone": "+919876500099"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pune = json!([{"field": "city", "operator": "equal_to", "value": "pune"}]);
    let bulk = |body: Value| {
        let app = &app;
        let token = owner.token.clone();
        async move { app.post("/api/v1/leads/bulk", Some(&token), body).await }
    };
    let r = bulk(json!({"filter": pune, "action": "add_tags", "tags": ["VIP"]})).await;
    assert_eq!(
        (
            r.status,
            r.body["matched"].clone(),
            r.body["affected"].clone()
        ),
        (StatusCode::OK, json!(3), json!(3)),
        "{:?}",
        r.body
    );
    let r = bulk(json!({"filter": pune, "action": "add_tags", "tags": ["vip"]})).await;
    assert_eq!(r.body["affected"], 0, "a re-run changes nothing");
    let r = bulk(
        json!({"ids": [ids[0], ids[3], foreign], "action": "set_status", "lead_status": "hot"}),
    )
    .await;
    assert_eq!(
        (r.body["matched"].clone(), r.body["affected"].clone()),
        (json!(2), json!(2)),
        "{:?}",
        r.body
    );
    let r = bulk(json!({"ids": [ids[0]], "action": "remove_tags", "tags": ["VIP"]})).await;
    assert_eq!(r.body["affected"], 1);
    let r = bulk(json!({"filter": pune, "action": "delete", "dry_run": true, "expected_count": 3}))
        .await;
    assert_eq!(
        (r.body["matched"].clone(), r.body["affected"].clone()),
        (json!(3), json!(0))
    );
    let r = bulk(json!({"filter": pune, "action": "delete", "expected_count": 2})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "count_mismatch")
    );
    assert_eq!(r.body["error"]["details"]["matched"], 3);
    let r = bulk(json!({"filter": pune, "action": "delete"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let agent = app.add_member(&owner, "agent").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&agent.token),
            json!({"filter": pune, "action": "delete", "expected_count": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&agent.token),
            json!({"filter": pune, "action": "opt_out"}),
        )
        .await;
    assert_eq!(r.body["affected"], 3);
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&viewer.token),
            json!({"filter": pune, "action": "opt_out"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = bulk(json!({"filter": pune, "action": "delete", "expected_count": 3})).await;
    assert_eq!(
        (r.status, r.body["affected"].clone()),
        (StatusCode::OK, json!(3))
    );
    let left = app.get("/api/v1/leads?count=true", &owner.token).await;
    assert_eq!(left.body["total"], 2);
    // The other organisation's lead is untouched; a bulk job id of ours is not theirs.
    let theirs = app
        .get(&format!("/api/v1/leads/{foreign}"), &other.token)
        .await;
    assert_eq!(theirs.body["lead_status"], "new");
    assert_eq!(
        app.get(&format!("/api/v1/leads/bulk/{}", ids[0]), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}
