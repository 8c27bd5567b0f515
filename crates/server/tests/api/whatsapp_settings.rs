//! Settings → WhatsApp against a local stand-in for Meta's Graph API.

use crate::harness::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    connect_status_update_disconnect,
    connecting_is_checked_and_guarded
);

use crate::graph::GOOD_TOKEN;

/// Meta's Graph API, played by a local stand-in.
async fn fake_graph() -> String {
    crate::graph::FakeGraph::start().await.url
}

pub(crate) fn connect_body(phone_number_id: &str, token: &str) -> Value {
    json!({"phone_number_id": phone_number_id, "waba_id": "100000000000001", "access_token": token,
        "app_secret": "app-secret-value", "verify_token": "verify-me"})
}

async fn connect_status_update_disconnect(b: Backend) {
    let app = TestApp::spawn_with_graph(b, &fake_graph().await).await;
    let owner = app.signup_org("Wa").await;
    let r = app
        .get("/api/v1/settings/whatsapp/status", &owner.token)
        .await;
    assert_eq!(r.body["connected"], false);
    assert!(
        r.body["webhook_url"]
            .as_str()
            .unwrap()
            .ends_with("/webhooks/whatsapp")
    );

    let r = app
        .post(
            "/api/v1/settings/whatsapp/connect",
            Some(&owner.token),
            connect_body("200000000000001", GOOD_TOKEN),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["connected"], true);
    assert_eq!(r.body["quality_rating"], "green");
    assert_eq!(r.body["messaging_limit"], "TIER_1K");
    assert_eq!(r.body["display_phone_number"], "+1 555-000-1111");
    let text = r.body.to_string();
    assert!(
        !text.contains(GOOD_TOKEN) && !text.contains("app-secret-value"),
        "secrets are never returned"
    );

    // Encrypted at rest.
    let stored = app
        .sql_text("SELECT access_token FROM whatsapp_accounts")
        .await
        .unwrap();
    assert!(!stored.contains("EAAG"));
    let stored = app
        .sql_text("SELECT app_secret FROM whatsapp_accounts")
        .await
        .unwrap();
    assert!(!stored.contains("app-secret"));

    let r = app
        .put(
            "/api/v1/settings/whatsapp/config",
            &owner.token,
            json!({"verify_token": "new-verify"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["verify_token"], "new-verify");
    assert_eq!(r.body["phone_number_id"], "200000000000001");

    let r = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/settings/whatsapp/disconnect",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/settings/whatsapp/status", &owner.token)
            .await
            .body["connected"],
        false
    );
    let r = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/settings/whatsapp/disconnect",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        app.sql_text("SELECT access_token FROM whatsapp_accounts")
            .await
            .is_none(),
        "credentials deleted"
    );

    let log = app.get("/api/v1/audit-logs", &owner.token).await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..3],
        [
            "whatsapp.disconnected",
            "whatsapp.connected",
            "whatsapp.connected"
        ]
    );
    app.finish().await;
}

async fn connecting_is_checked_and_guarded(b: Backend) {
    let app = TestApp::spawn_with_graph(b, &fake_graph().await).await;
    let owner = app.signup_org("Guard").await;
    let agent = app.add_member(&owner, "agent").await;
    let path = "/api/v1/settings/whatsapp/connect";

    let r = app
        .post(
            path,
            Some(&agent.token),
            connect_body("200000000000001", GOOD_TOKEN),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            path,
            Some(&owner.token),
            connect_body("200000000000001", "EAAG-expired"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body["error"]["details"]["fields"]["access_token"].is_string(),
        "{:?}",
        r.body
    );
    let r = app
        .post(path, Some(&owner.token), json!({"phone_number_id": "abc", "waba_id": "", "access_token": "", "app_secret": "x", "verify_token": "y"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    for f in ["phone_number_id", "waba_id", "access_token"] {
        assert!(fields[f].is_string(), "{f} in {fields}");
    }
    // A control character in a token could never go into a header: 422 naming it, not 502.
    for token in ["EAAG\u{1}good", "EAAG\u{7f}good", "EAAGgööd"] {
        let r = app
            .post(
                path,
                Some(&owner.token),
                connect_body("200000000000001", token),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{token:?}: {:?}",
            r.body
        );
        let why = &r.body["error"]["details"]["fields"]["access_token"];
        assert!(
            why.as_str().unwrap_or_default().contains("printable"),
            "{why}"
        );
    }
    assert_eq!(
        app.get("/api/v1/settings/whatsapp/status", &owner.token)
            .await
            .body["connected"],
        false
    );

    let r = app
        .post(
            path,
            Some(&owner.token),
            connect_body("200000000000001", GOOD_TOKEN),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // A number belongs to one organisation.
    let other = app.signup_org("Other").await;
    let r = app
        .post(
            path,
            Some(&other.token),
            connect_body("200000000000001", GOOD_TOKEN),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "phone_number_taken")
    );
    assert_eq!(
        app.get("/api/v1/settings/whatsapp/status", &other.token)
            .await
            .body["connected"],
        false
    );
    app.finish().await;

    // Meta unreachable: a clear 502, nothing saved.
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Offline").await;
    let r = app
        .post(
            path,
            Some(&owner.token),
            connect_body("200000000000001", GOOD_TOKEN),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_GATEWAY, "upstream_unavailable")
    );
    assert_eq!(
        app.get("/api/v1/settings/whatsapp/status", &owner.token)
            .await
            .body["connected"],
        false
    );
    app.finish().await;
}

/// A new app whose organisation has `number` connected with `app_secret` (verify token
/// `verify-me`).
pub async fn app_with_number(
    b: Backend,
    number: &str,
    app_secret: &str,
) -> (TestApp, crate::harness::Session) {
    let (app, owner, _graph) = app_with_graph(b, number, app_secret).await;
    (app, owner)
}

/// Like [`app_with_number`], also handing back the Graph stand-in to script and inspect.
pub async fn app_with_graph(
    b: Backend,
    number: &str,
    app_secret: &str,
) -> (TestApp, crate::harness::Session, crate::graph::FakeGraph) {
    app_with_graph_and_media(b, number, app_secret, Default::default()).await
}

/// As [`app_with_graph`], the server keeping its media where `media` says.
pub async fn app_with_graph_and_media(
    b: Backend,
    number: &str,
    app_secret: &str,
    media: closer_server::config::MediaArgs,
) -> (TestApp, crate::harness::Session, crate::graph::FakeGraph) {
    let graph = crate::graph::FakeGraph::start().await;
    let app = TestApp::spawn_with_media(b, &graph.url, media).await;
    let owner = app.signup_org("Hooks").await;
    let mut body = connect_body(number, GOOD_TOKEN);
    body["app_secret"] = json!(app_secret);
    connect(&app, &owner.token, body).await;
    (app, owner, graph)
}

/// Connects the number `body` names for the organisation `token` belongs to.
pub(crate) async fn connect(app: &TestApp, token: &str, body: Value) {
    let r = app
        .post("/api/v1/settings/whatsapp/connect", Some(token), body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}
