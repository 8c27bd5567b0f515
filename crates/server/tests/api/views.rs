//! Saved views and the filter document (API.md, *CRM*): private views are their creator's
//! alone (404 to others), shared ones everyone's; a filter is refused by path
//! (`filter[1].operator`); a view drives the list (`view_id=`), search and counts; another
//! organisation's view is not found.

use crate::harness::{Backend, TestApp};
use crate::lead_import::urlencode;
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(views_are_private_or_shared_and_drive_the_list);

async fn views_are_private_or_shared_and_drive_the_list(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Views Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let viewer = app.add_member(&owner, "viewer").await;
    for (phone, city, score) in [
        ("+919876500031", "Pune", 80),
        ("+919876500032", "Pune", 20),
        ("+919876500033", "Goa", 90),
    ] {
        let r = app
            .post("/api/v1/leads", Some(&owner.token), json!({"phone": phone, "city": city, "score": score, "tags": if score > 50 {vec!["hot"]} else {vec![]}}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let filter = json!([
        {"field": "city", "operator": "equal_to", "value": "pune"},
        {"field": "score", "operator": "greater_than", "value": 50},
        {"field": "tags", "operator": "in", "value": ["HOT"], "glue": "or"},
        {"field": "city", "operator": "equal_to", "value": "Goa"}
    ]);
    // The filter alone, as URL JSON and as a search body.
    let r = app
        .get(
            &format!(
                "/api/v1/leads?count=true&filter={}",
                urlencode(&filter.to_string())
            ),
            &viewer.token,
        )
        .await;
    assert_eq!(r.body["total"], 2, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/leads/search",
            Some(&viewer.token),
            json!({"filter": filter, "count": true}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["total"].clone()),
        (StatusCode::OK, json!(2)),
        "{:?}",
        r.body
    );
    // Refused by path.
    let bad = app
        .post(
            "/api/v1/views",
            Some(&agent.token),
            json!({"name": "Bad", "filter": [{"field": "city", "operator": "is_present"}, {"field": "score", "operator": "contains", "value": 1}, {"field": "nope", "operator": "equal_to", "value": 1}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.body["error"]["details"]["fields"];
    assert!(
        fields["filter[1].operator"].is_string() && fields["filter[2].field"].is_string(),
        "{fields:?}"
    );
    let r = app
        .get(
            &format!(
                "/api/v1/leads?filter={}",
                urlencode(r#"[{"field":"score","operator":"between","value":[5]}]"#)
            ),
            &owner.token,
        )
        .await;
    assert!(
        r.body["error"]["details"]["fields"]["filter[0].value"].is_string(),
        "{:?}",
        r.body
    );

    // A private view of the agent's, a shared one.
    let private = app
        .post(
            "/api/v1/views",
            Some(&agent.token),
            json!({"name": "Mine", "filter": filter, "sort": "-score"}),
        )
        .await;
    assert_eq!(private.status, StatusCode::CREATED, "{:?}", private.body);
    assert_eq!(private.body["shared"], false);
    let pid = private.body["id"].as_str().unwrap().to_owned();
    let shared = app
        .post("/api/v1/views", Some(&agent.token), json!({"name": "Pune", "filter": [{"field": "city", "operator": "equal_to", "value": "Pune"}], "shared": true}))
        .await;
    let sid = shared.body["id"].as_str().unwrap().to_owned();
    let r = app
        .get(
            &format!("/api/v1/leads?view_id={pid}&count=true"),
            &agent.token,
        )
        .await;
    assert_eq!(r.body["total"], 2);
    assert_eq!(r.body["items"][0]["score"], 90, "the view's sort applies");
    assert_eq!(
        app.get(&format!("/api/v1/views/{pid}"), &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/leads?view_id={pid}"), &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let seen = app.get("/api/v1/views", &owner.token).await;
    assert_eq!(seen.body["items"].as_array().unwrap().len(), 1);
    let r = app
        .get(
            &format!("/api/v1/leads?view_id={sid}&count=true&q=9876500031"),
            &viewer.token,
        )
        .await;
    assert_eq!(r.body["total"], 1, "{:?}", r.body);
    // The view's own count with another filter: both hold.
    let r = app
        .post("/api/v1/leads/search", Some(&viewer.token), json!({"view_id": sid, "filter": [{"field": "score", "operator": "less_than", "value": 50}], "count": true}))
        .await;
    assert_eq!(r.body["total"], 1);
    // Changing: the creator; the viewer never.
    let r = app
        .put(
            &format!("/api/v1/views/{sid}"),
            &agent.token,
            json!({"name": "Pune leads", "filter": [], "shared": true}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["name"].clone()),
        (StatusCode::OK, json!("Pune leads"))
    );
    assert_eq!(
        app.post("/api/v1/views", Some(&viewer.token), json!({"name": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&format!("/api/v1/views/{pid}"), &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Another organisation sees none of it.
    let other = app.signup_org("Other Co").await;
    assert_eq!(
        app.get(&format!("/api/v1/views/{sid}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/leads?view_id={sid}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/views/{sid}"), &agent.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    app.finish().await;
}
