//! The outbound-request guard, as a production server runs it (public addresses only): no
//! owner can make the server call into its own network through the LLM settings or the
//! website scan, the refusals say the same thing whatever listens at the target, and an
//! operator can allow a self-hosted model by name.

use crate::harness::{Backend, TestApp};
use crate::on_both_databases;
use closer_llm::fake::{FakeProvider, Reply as ProviderReply};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    private_model_addresses_are_refused,
    a_saved_private_address_is_never_called,
    an_operator_allows_a_self_hosted_model,
    private_scan_addresses_are_refused_in_every_spelling
);

const SETTINGS: &str = "/api/v1/settings/llm";
const TEST: &str = "/api/v1/settings/llm/test";

fn settings(base_url: &str) -> Value {
    json!({"provider": "openai", "base_url": base_url, "model": "gpt-4o-mini", "api_key": "sk-test-0123456789"})
}

/// Addresses inside the operator's network, in the spellings an attacker tries.
const PRIVATE: &[&str] = &[
    "http://127.0.0.1:5432/v1",
    "http://127.0.0.1:9/v1",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.5/v1",
    "http://[::1]:5432/v1",
    "http://[::7f00:1]:5432/v1",
    "http://[2002:7f00:1::]/v1",
    "http://[::ffff:127.0.0.1]:5432/v1",
    "http://2130706433:5432/v1",
    "http://localhost:5432/v1",
];

async fn private_model_addresses_are_refused(b: Backend) {
    let app = TestApp::spawn_with_egress(b, &[]).await;
    let owner = app.signup_org("Probe Co").await;
    for url in PRIVATE {
        let saved = app.put(SETTINGS, &owner.token, settings(url)).await;
        assert_eq!(
            saved.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {:?}",
            saved.body
        );
        let why = saved.body["error"]["details"]["fields"]["base_url"]
            .as_str()
            .unwrap_or_default();
        assert!(why.contains("is not a public address"), "{url}: {why}");
        let tested = app.post(TEST, Some(&owner.token), settings(url)).await;
        assert_eq!(
            tested.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {:?}",
            tested.body
        );
    }
    assert_eq!(
        app.sql_text("SELECT base_url FROM llm_settings").await,
        None,
        "nothing saved"
    );
    app.finish().await;
}

/// Settings saved before the guard existed (or by an operator who later removed an allowance)
/// are not called either, and the answer is the same whether a service listens there or not.
async fn a_saved_private_address_is_never_called(b: Backend) {
    let fake = FakeProvider::start(vec![ProviderReply::openai("OK")]).await;
    let app = TestApp::spawn_with_egress(b, &[]).await;
    let owner = app.signup_org("Old Settings Co").await;
    let saved = app
        .put(
            SETTINGS,
            &owner.token,
            settings("https://api.openai.com/v1"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let mut messages = Vec::new();
    for url in [
        fake.url("/v1"),
        "http://127.0.0.1:9/v1".into(),
        "http://127.0.0.1:5432/v1".into(),
    ] {
        app.sql(
            "UPDATE llm_settings SET base_url = $1",
            vec![url.clone().into()],
        )
        .await;
        let r = app
            .request(Method::POST, TEST, Some(&owner.token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {:?}", r.body);
        assert_eq!(r.body["ok"], false, "{url}: {}", r.body);
        messages.push(r.body["message"].as_str().unwrap_or_default().to_owned());
    }
    assert!(fake.requests().is_empty(), "the stand-in was never called");
    assert!(
        messages[0].contains("127.0.0.1 is not a public address"),
        "{messages:?}"
    );
    assert!(
        messages.iter().all(|m| m == &messages[0]),
        "uniform refusals: {messages:?}"
    );
    app.finish().await;
}

async fn an_operator_allows_a_self_hosted_model(b: Backend) {
    let fake = FakeProvider::start(vec![ProviderReply::openai("OK")]).await;
    let port = fake
        .url("")
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let allowed = format!("127.0.0.1:{port}");
    let app = TestApp::spawn_with_egress(b, &[allowed.as_str()]).await;
    let owner = app.signup_org("Ollama Co").await;
    let saved = app
        .put(SETTINGS, &owner.token, settings(&fake.url("/v1")))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let r = app
        .request(Method::POST, TEST, Some(&owner.token), None)
        .await;
    assert_eq!(r.body["ok"], true, "{:?}", r.body);
    assert_eq!(fake.requests().len(), 1);
    // The allowance is for that port only.
    let other = app
        .put(SETTINGS, &owner.token, settings("http://127.0.0.1:5432/v1"))
        .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        other.body
    );
    app.finish().await;
}

async fn private_scan_addresses_are_refused_in_every_spelling(b: Backend) {
    let app = TestApp::spawn_with_egress(b, &[]).await;
    let owner = app.signup_org("Scan Co").await;
    for url in PRIVATE {
        let r = app
            .post(
                "/api/v1/knowledge/scan",
                Some(&owner.token),
                json!({ "url": url }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {:?}",
            r.body
        );
        let why = r.body["error"]["details"]["fields"]["url"]
            .as_str()
            .unwrap_or_default();
        assert!(why.contains("private or local"), "{url}: {why}");
    }
    assert_eq!(
        app.sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM knowledge_scans")
            .await
            .as_deref(),
        Some("0")
    );
    app.finish().await;
}
