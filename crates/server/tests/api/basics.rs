//! Health, documents, error format and the dashboard fallback.

use crate::harness::{Backend, TestApp};
use crate::on_both_databases;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_databases!(
    health_and_documents,
    browser_headers,
    bad_input_is_a_clear_error,
    unknown_paths
);

async fn health_and_documents(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app.request(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::OK, json!({"status": "ok"}))
    );
    let r = app.request(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);

    let r = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/users/{id}",
        "/api/v1/invites/{token}",
        "/api/v1/audit-logs",
    ] {
        assert!(r.body["paths"].get(path).is_some(), "{path} is documented");
    }
    let r = app.request(Method::GET, "/api/docs", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    // The page's script is a file: the Content-Security-Policy runs no inline script.
    let page = r.body.as_str().unwrap();
    assert!(!page.contains("<script>"), "{page}");
    let r = app.request(Method::GET, "/api/docs.js", None, None).await;
    assert!(r.body.as_str().unwrap().contains("/api/v1/openapi.json"));
    app.finish().await;
}

/// Every response, the dashboard's pages above all, tells the browser to run only our own
/// scripts, never to frame us, not to sniff types and not to leak addresses; HSTS once the
/// request came over TLS.
async fn browser_headers(b: Backend) {
    let app = TestApp::spawn(b).await;
    for path in ["/", "/inbox", "/api/v1/auth/me", "/healthz"] {
        let r = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "{path}: plain http"
        );
    }
    let r = app
        .http
        .get(format!("{}/", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    app.finish().await;
}

async fn bad_input_is_a_clear_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let url = format!("{}/api/v1/auth/signup", app.base);

    let r = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"org_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "malformed_json");

    let r = app
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = format!("{{\"org_name\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let r = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");

    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"org_name": "Acme", "name": 7, "email": "a@b.co", "password": "12345678"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "validation_failed");
    assert!(
        r.body["error"]["details"]["fields"]["name"].is_string(),
        "{:?}",
        r.body
    );

    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"org_name": "Acme", "name": "Ana"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body["error"]["details"]["fields"]["email"].is_string(),
        "{:?}",
        r.body
    );

    let r = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"name": " ", "email": "nope", "password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    for f in ["name", "email", "password", "org_name"] {
        assert!(fields[f].is_string(), "{f} named in {fields}");
    }
    // Nothing was created by any of the refused requests.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@b.co", "password": "12345678"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

async fn unknown_paths(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .request(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app
        .request(Method::GET, "/api/v1/auth/me", None, None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let r = app
        .request(Method::GET, "/api/v1/auth/me", Some("forged-token"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Deep links get the dashboard; asset-looking paths never do.
    let r = app.request(Method::GET, "/settings/team", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.as_str().unwrap().contains("<"), "an HTML page");
    let r = app
        .request(Method::GET, "/assets/missing-1234.js", None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(Method::GET, "/favicon-missing.png", None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}
