//! Sign-up, sign-in, sign-out, sessions and the sign-in rate limit.

use crate::harness::{Backend, TestApp, unique};
use crate::on_both_databases;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_databases!(
    signup_login_logout,
    emails_are_one_account_each,
    login_is_rate_limited
);

async fn signup_login_logout(b: Backend) {
    let app = TestApp::spawn(b).await;
    let email = format!("{}@Example.com", unique("Ana"));
    let r = app
        .post("/api/v1/auth/signup", None, json!({"org_name": "Acme Realty", "name": "Ana", "email": email, "password": "correct horse"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["user"]["role"], "owner");
    assert_eq!(r.body["user"]["email"], email.to_lowercase());
    assert_eq!(r.body["org"]["name"], "Acme Realty");
    let first = r.body["token"].as_str().unwrap().to_owned();

    let me = app.get("/api/v1/auth/me", &first).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["name"], "Ana");
    assert_eq!(me.body["org"]["id"], r.body["org"]["id"]);

    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": "wrong horse"}),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "correct horse"}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );

    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email.to_uppercase(), "password": "correct horse"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    let second = login.body["token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);

    let out = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&first), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/auth/me", &first).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.request(Method::POST, "/api/v1/auth/logout", Some(&first), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Signing out one session leaves the others alone.
    assert_eq!(
        app.get("/api/v1/auth/me", &second).await.status,
        StatusCode::OK
    );

    let log = app.get("/api/v1/audit-logs", &second).await;
    let actions: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["auth.logout", "auth.login", "org.created"]);
    app.finish().await;
}

async fn emails_are_one_account_each(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("First").await;
    let r = app
        .post("/api/v1/auth/signup", None, json!({"org_name": "Second", "name": "Ana", "email": owner.email.to_uppercase(), "password": "correct horse"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "email_taken"));
    // Joining by invite with a taken email is refused too, and leaves the invite usable.
    let invite = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "agent"}),
        )
        .await;
    let token = invite.body["token"].as_str().unwrap();
    let r = app
        .post("/api/v1/auth/signup", None, json!({"invite_token": token, "name": "Dup", "email": owner.email, "password": "correct horse"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .request(Method::GET, &format!("/api/v1/invites/{token}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.finish().await;
}

async fn login_is_rate_limited(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Limits").await;
    let mut limited = None;
    for _ in 0..10 {
        let r = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": owner.email, "password": "guess guess"}),
            )
            .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = limited.expect("the sixth attempt in a minute is refused");
    assert_eq!(r.code(), "rate_limited");
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    // Even the right password waits: the limit counts attempts, not failures.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner.email, "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Another account from the same address is still allowed.
    let other = app.signup_org("Other").await;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": other.email, "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.finish().await;
}
