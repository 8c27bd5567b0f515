//! Settings → LLM provider: defaults, saving with a write-only key sealed at rest, validation,
//! roles and organisations, and "test connection" over real HTTP against a local stand-in
//! for the provider.

use crate::harness::{Backend, Session, TestApp};
use crate::on_both_databases;
use closer_llm::fake::{FakeProvider, Reply as ProviderReply};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    defaults_then_save_keep_and_remove_the_key,
    bad_settings_are_refused_and_change_nothing,
    roles_and_organisations_are_kept_apart,
    test_connection_against_an_openai_compatible_server,
    test_connection_with_unsaved_anthropic_settings,
    nothing_to_test_and_unreachable_providers
);

const SETTINGS: &str = "/api/v1/settings/llm";
const TEST: &str = "/api/v1/settings/llm/test";
const KEY: &str = "sk-test-0123456789abcdef";

fn openai_settings(base_url: &str) -> Value {
    json!({"provider": "openai", "base_url": base_url, "model": "gpt-4o-mini", "api_key": KEY,
        "timeout_ms": 30000, "input_usd_per_mtok": 0.15, "output_usd_per_mtok": 0.6})
}

async fn save(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app.put(SETTINGS, &s.token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn test_saved(app: &TestApp, s: &Session) -> Value {
    let r = app.request(Method::POST, TEST, Some(&s.token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn stored_key(app: &TestApp) -> Option<String> {
    app.sql_text("SELECT api_key FROM llm_settings").await
}

async fn defaults_then_save_keep_and_remove_the_key(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Llm Co").await;

    let r = app.get(SETTINGS, &owner.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["configured"], false);
    assert_eq!(r.body["provider"], "openai");
    assert_eq!(r.body["base_url"], "https://api.openai.com/v1");
    assert_eq!(r.body["model"], "");
    assert_eq!(r.body["has_api_key"], false);
    assert_eq!(r.body["timeout_ms"], 60000);
    assert_eq!(r.body["updated_at"], Value::Null);
    assert_eq!(
        r.body["default_base_urls"],
        json!({"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"})
    );

    let saved = save(&app, &owner, openai_settings("https://llm.example.com/v1")).await;
    assert_eq!(saved["configured"], true);
    assert_eq!(saved["has_api_key"], true);
    assert_eq!(saved["model"], "gpt-4o-mini");
    assert_eq!(saved["base_url"], "https://llm.example.com/v1");
    assert_eq!(saved["timeout_ms"], 30000);
    assert_eq!(saved["input_usd_per_mtok"], 0.15);
    assert_eq!(saved["output_usd_per_mtok"], 0.6);
    assert!(saved["updated_at"].is_string());
    assert!(saved.get("api_key").is_none());
    assert!(
        !saved.to_string().contains(KEY),
        "the key is never returned"
    );

    let read = app.get(SETTINGS, &owner.token).await;
    assert_eq!(read.body, saved);

    // Sealed at rest.
    let sealed = stored_key(&app).await.expect("a key is stored");
    assert!(!sealed.contains(KEY), "the stored key is sealed: {sealed}");

    // An absent key keeps the stored one, untouched.
    let kept = save(&app, &owner, json!({"model": "gpt-4.1"})).await;
    assert_eq!(kept["has_api_key"], true);
    assert_eq!(kept["model"], "gpt-4.1");
    assert_eq!(kept["base_url"], "https://llm.example.com/v1");
    assert_eq!(kept["timeout_ms"], 30000);
    assert_eq!(stored_key(&app).await.as_deref(), Some(sealed.as_str()));

    // `null` is absent too.
    let kept = save(&app, &owner, json!({"api_key": null})).await;
    assert_eq!(kept["has_api_key"], true);

    // "" removes it.
    let removed = save(&app, &owner, json!({"api_key": ""})).await;
    assert_eq!(removed["has_api_key"], false);
    assert_eq!(stored_key(&app).await, None);

    // Switching provider moves a default URL along.
    let r = save(
        &app,
        &owner,
        json!({"base_url": "https://api.openai.com/v1"}),
    )
    .await;
    assert_eq!(r["base_url"], "https://api.openai.com/v1");
    let r = save(
        &app,
        &owner,
        json!({"provider": "anthropic", "model": "claude-sonnet-4-5"}),
    )
    .await;
    assert_eq!(r["provider"], "anthropic");
    assert_eq!(r["base_url"], "https://api.anthropic.com");

    // Audited, without the key.
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    let updates: Vec<&Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "llm.settings.update")
        .collect();
    assert_eq!(updates.len(), 6, "{:?}", audit.body);
    assert!(!audit.body.to_string().contains(KEY));
    app.finish().await;
}

async fn bad_settings_are_refused_and_change_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Strict Co").await;

    // Nothing is saved by a refused first save.
    let r = app
        .put(SETTINGS, &owner.token, json!({"provider": "openai"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["error"]["details"]["fields"]["model"], "is required");
    assert_eq!(
        app.get(SETTINGS, &owner.token).await.body["configured"],
        false
    );

    let saved = save(&app, &owner, openai_settings("https://llm.example.com/v1")).await;
    let sealed = stored_key(&app).await;

    let long_model = "m".repeat(201);
    let long_key = "k".repeat(501);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"provider": "gemini"}), "provider"),
        (json!({"base_url": "ftp://llm.example.com"}), "base_url"),
        (json!({"base_url": "llm.example.com/v1"}), "base_url"),
        (json!({"base_url": "not a url"}), "base_url"),
        (
            json!({"base_url": "https://llm.example.com/v1?key=x"}),
            "base_url",
        ),
        (json!({"model": "  "}), "model"),
        (json!({"model": long_model}), "model"),
        // Other control characters are refused; NUL is stripped at the edge (API conventions).
        (json!({"model": "gpt\u{1b}4"}), "model"),
        (json!({"timeout_ms": 999}), "timeout_ms"),
        (json!({"timeout_ms": 120001}), "timeout_ms"),
        (json!({"timeout_ms": "fast"}), "timeout_ms"),
        (json!({"input_usd_per_mtok": -0.01}), "input_usd_per_mtok"),
        (json!({"output_usd_per_mtok": -5}), "output_usd_per_mtok"),
        (json!({"api_key": long_key}), "api_key"),
        (json!({"api_key": "sk-\u{7}bell"}), "api_key"),
        (json!({"api_key": "sk-line\nbreak"}), "api_key"),
        (json!({"api_key": "sk-ключ"}), "api_key"),
        (json!({"temperature": 0.2}), "temperature"),
    ];
    for (body, field) in cases {
        let r = app.put(SETTINGS, &owner.token, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            r.body
        );
        assert_eq!(r.code(), "validation_failed", "{body}");
        assert!(
            r.body["error"]["details"]["fields"].get(field).is_some(),
            "{body} names {field}: {:?}",
            r.body
        );
    }

    // Several problems, one answer naming them all.
    let r = app
        .put(
            SETTINGS,
            &owner.token,
            json!({"provider": "x", "base_url": "nope", "model": "", "timeout_ms": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.body["error"]["details"]["fields"].as_object().unwrap();
    for f in ["provider", "base_url", "model", "timeout_ms"] {
        assert!(fields.contains_key(f), "{f} in {fields:?}");
    }

    // Malformed JSON is a 400; still nothing changed.
    let r = app
        .http
        .put(format!("{}{SETTINGS}", app.base))
        .bearer_auth(&owner.token)
        .header("content-type", "application/json")
        .body("{\"model\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    assert_eq!(app.get(SETTINGS, &owner.token).await.body, saved);
    assert_eq!(stored_key(&app).await, sealed);
    app.finish().await;
}

async fn roles_and_organisations_are_kept_apart(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Owned Co").await;
    save(&app, &owner, openai_settings("https://llm.example.com/v1")).await;

    let agent = app.add_member(&owner, "agent").await;
    let r = app.get(SETTINGS, &agent.token).await;
    assert_eq!(r.status, StatusCode::OK, "members may look");
    assert_eq!(r.body["has_api_key"], true);
    assert!(!r.body.to_string().contains(KEY));
    let r = app
        .put(SETTINGS, &agent.token, json!({"model": "cheaper"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(r.code(), "forbidden");
    let r = app
        .request(Method::POST, TEST, Some(&agent.token), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    let admin = app.add_member(&owner, "admin").await;
    let r = save(&app, &admin, json!({"model": "gpt-4.1-mini"})).await;
    assert_eq!(r["model"], "gpt-4.1-mini");
    assert_eq!(r["has_api_key"], true);

    let r = app.get(SETTINGS, "not-a-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Another organisation has its own, unconfigured settings.
    let other = app.signup_org("Other Co").await;
    let r = app.get(SETTINGS, &other.token).await;
    assert_eq!(r.body["configured"], false);
    assert_eq!(r.body["model"], "");
    assert_eq!(r.body["has_api_key"], false);
    let r = app
        .request(Method::POST, TEST, Some(&other.token), None)
        .await;
    assert_eq!(r.code(), "llm_not_configured", "{:?}", r.body);
    app.finish().await;
}

async fn test_connection_against_an_openai_compatible_server(b: Backend) {
    let fake = FakeProvider::start(vec![ProviderReply::openai("OK")]).await;
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Tested Co").await;
    save(&app, &owner, openai_settings(&fake.url("/v1"))).await;

    let r = test_saved(&app, &owner).await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["model"], "fake-model");
    assert!(r["latency_ms"].is_u64(), "{r}");
    assert!(r.get("code").is_none());

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(requests[0].body["model"], "gpt-4o-mini");

    // The provider refuses the key, echoing it as some servers do: reported, never repeated,
    // and not retried.
    fake.push([ProviderReply::json(
        401,
        json!({"error": {"message": format!("Incorrect API key provided: {KEY}"),
            "type": "invalid_request_error"}}),
    )]);
    let r = test_saved(&app, &owner).await;
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["code"], "auth");
    let message = r["message"].as_str().unwrap();
    assert!(message.contains("401"), "{message}");
    assert!(!r.to_string().contains(KEY), "{r}");
    assert!(r.get("model").is_none());
    assert_eq!(fake.requests().len(), 2);

    // A test never saves: the settings are as they were.
    let read = app.get(SETTINGS, &owner.token).await;
    assert_eq!(read.body["model"], "gpt-4o-mini");
    app.finish().await;
}

async fn test_connection_with_unsaved_anthropic_settings(b: Backend) {
    let fake = FakeProvider::start(vec![ProviderReply::anthropic("OK")]).await;
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Claude Co").await;

    // Nothing saved: the body is tested as it is.
    let r = app
        .post(
            TEST,
            Some(&owner.token),
            json!({"provider": "anthropic", "base_url": fake.url(""), "model": "claude-test",
                "api_key": "sk-ant-unsaved-key"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["ok"], true, "{:?}", r.body);
    assert_eq!(r.body["model"], "fake-claude");
    let sent = &fake.requests()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some("sk-ant-unsaved-key"));
    assert_eq!(sent.body["model"], "claude-test");
    assert_eq!(
        app.get(SETTINGS, &owner.token).await.body["configured"],
        false,
        "testing saves nothing"
    );

    // Saved OpenAI settings, tested as Anthropic at another server: the saved key never goes
    // to a server it was not saved for, so it must be typed again.
    save(&app, &owner, openai_settings("https://llm.example.com/v1")).await;
    let r = app
        .post(
            TEST,
            Some(&owner.token),
            json!({"provider": "anthropic", "base_url": fake.url(""), "model": "claude-other"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["api_key"].is_string());
    assert_eq!(fake.requests().len(), 1, "nothing was sent");
    fake.push([ProviderReply::anthropic("OK")]);
    let r = app
        .post(
            TEST,
            Some(&owner.token),
            json!({"provider": "anthropic", "base_url": fake.url(""), "model": "claude-other",
                "api_key": "sk-ant-typed-again"}),
        )
        .await;
    assert_eq!(r.body["ok"], true, "{:?}", r.body);
    let sent = &fake.requests()[1];
    assert_eq!(sent.header("x-api-key"), Some("sk-ant-typed-again"));
    assert_eq!(sent.body["model"], "claude-other");
    // On the saved server, an absent key means the saved one.
    let r = app
        .post(TEST, Some(&owner.token), json!({"model": "gpt-other"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["ok"], false,
        "llm.example.com does not exist: {:?}",
        r.body
    );
    assert_eq!(fake.requests().len(), 2);

    // A bad field in the body is a 422, as for saving.
    let r = app
        .post(TEST, Some(&owner.token), json!({"base_url": "nope"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["base_url"].is_string());
    assert_eq!(fake.requests().len(), 2, "nothing was sent");
    app.finish().await;
}

async fn nothing_to_test_and_unreachable_providers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Empty Co").await;
    for body in [None, Some(json!({})), Some(Value::Null)] {
        let r = app
            .request(Method::POST, TEST, Some(&owner.token), body.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}");
        assert_eq!(r.code(), "llm_not_configured", "{:?}", r.body);
    }

    // Nothing listens on the discard port.
    save(&app, &owner, openai_settings("http://127.0.0.1:9/v1")).await;
    let r = test_saved(&app, &owner).await;
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["code"], "unreachable");
    assert!(!r.to_string().contains(KEY));
    app.finish().await;
}
