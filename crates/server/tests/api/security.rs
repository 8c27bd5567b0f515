//! Account protection: the sessions list, sockets closed the moment their session ends,
//! two-factor sign-in (TOTP and recovery codes) and the organisation's rule requiring it, the
//! dashboard's cookie session with its CSRF header, and the sign-up throttle.

use crate::harness::{Backend, Session, TestApp, Ws, session_of, unique};
use crate::on_both_databases;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

on_both_databases!(
    sessions_are_listed_and_revoked,
    sessions_remember_device_and_last_seen,
    ended_sessions_close_their_sockets,
    two_factor_is_confirmed_before_it_counts,
    codes_and_recovery_codes_work_once,
    recovery_codes_regenerate_and_two_factor_turns_off,
    second_factor_attempts_are_rate_limited,
    organisation_can_require_two_factor,
    cookie_sessions_need_the_csrf_header,
    socket_takes_the_cookie_only_from_our_pages,
    sign_ups_are_throttled_per_address,
);

const CHROME_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

fn totp(secret: &str) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code an authenticator app shows `offset_steps` steps from now.
fn code_at(secret: &str, offset_steps: i64) -> String {
    let at = unix_now() as i64 + offset_steps * 30;
    totp(secret).generate(at as u64).to_string()
}

async fn login(app: &TestApp, who: &Session, code: Option<&str>) -> crate::harness::Reply {
    let mut body = json!({"email": who.email, "password": "correct horse"});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    app.post("/api/v1/auth/login", None, body).await
}

/// Turns two-factor on for `who`; answers the secret and the recovery codes.
async fn enrol(app: &TestApp, who: &Session) -> (String, Vec<String>) {
    let setup = app
        .post("/api/v1/auth/2fa/setup", Some(&who.token), json!({}))
        .await;
    assert_eq!(setup.status, StatusCode::OK, "{:?}", setup.body);
    let secret = setup.body["secret"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/auth/2fa/enable",
            Some(&who.token),
            json!({"code": code_at(&secret, 0)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let codes = r.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (secret, codes)
}

async fn audit_actions(app: &TestApp, token: &str) -> Vec<String> {
    let log = app.get("/api/v1/audit-logs", token).await;
    log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn sessions_are_listed_and_revoked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Sessions").await;
    let laptop = session_of(&login(&app, &owner, None).await.body, &owner.email);
    let phone = session_of(&login(&app, &owner, None).await.body, &owner.email);

    let list = app.get("/api/v1/auth/sessions", &owner.token).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    let current: Vec<&Value> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    let mine = current[0]["id"].as_str().unwrap().to_owned();

    // Another member's session, and another organisation's, are not ours to end.
    let member = app.add_member(&owner, "agent").await;
    let stranger = app.signup_org("Elsewhere").await;
    for other in [&member, &stranger] {
        let theirs = ids(&app.get("/api/v1/auth/sessions", &other.token).await.body);
        let r = app
            .delete(
                &format!("/api/v1/auth/sessions/{}", theirs[0]),
                &owner.token,
            )
            .await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
        assert_eq!(
            app.get("/api/v1/auth/me", &other.token).await.status,
            StatusCode::OK
        );
    }
    let r = app
        .delete("/api/v1/auth/sessions/not-an-id", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // End the laptop's session from here.
    let laptop_id = ids(&app.get("/api/v1/auth/sessions", &laptop.token).await.body)
        .into_iter()
        .find(|id| {
            // The laptop's own view marks its session current.
            id != &mine
        })
        .unwrap();
    let listed = app.get("/api/v1/auth/sessions", &laptop.token).await;
    let laptop_id = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap_or(laptop_id);
    let r = app
        .delete(&format!("/api/v1/auth/sessions/{laptop_id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        app.get("/api/v1/auth/me", &laptop.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .delete(&format!("/api/v1/auth/sessions/{laptop_id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "an ended session is gone");
    assert_eq!(
        app.get("/api/v1/auth/sessions", &owner.token).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Sign out everywhere else: the phone ends, this one stays.
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/sessions/revoke-others",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    assert_eq!(
        app.get("/api/v1/auth/me", &phone.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ids(&app.get("/api/v1/auth/sessions", &owner.token).await.body),
        [mine]
    );
    let actions = audit_actions(&app, &owner.token).await;
    assert!(
        actions.contains(&"auth.session_revoked".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"auth.other_sessions_revoked".to_owned()),
        "{actions:?}"
    );
    app.finish().await;
}

async fn sessions_remember_device_and_last_seen(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Devices").await;
    let r = app
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("user-agent", CHROME_LINUX)
        .json(&json!({"email": owner.email, "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let chrome = session_of(&r.json().await.unwrap(), &owner.email);
    let list = app.get("/api/v1/auth/sessions", &chrome.token).await;
    let items = list.body["items"].as_array().unwrap();
    let this = items.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(this["device"], "Chrome on Linux");
    assert_eq!(this["ip"], "127.0.0.1");
    assert!(this["created_at"].is_string());

    // Last seen moves on use, at most once a minute.
    let stale = "2020-01-01T00:00:00Z";
    let id = this["id"].as_str().unwrap().to_owned();
    let at = chrono::DateTime::parse_from_rfc3339(stale)
        .unwrap()
        .to_utc();
    app.sql(
        "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
        vec![at.into(), uuid::Uuid::parse_str(&id).unwrap().into()],
    )
    .await;
    let seen = |list: &Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id.as_str())
            .unwrap()["last_seen_at"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // This request saw the old value and wrote a new one.
    app.get("/api/v1/auth/me", &chrome.token).await;
    let first = seen(&app.get("/api/v1/auth/sessions", &owner.token).await.body);
    assert!(!first.starts_with("2020"), "{first}");
    app.get("/api/v1/auth/me", &chrome.token).await;
    let second = seen(&app.get("/api/v1/auth/sessions", &owner.token).await.body);
    assert_eq!(first, second, "not rewritten within the minute");
    app.finish().await;
}

async fn ended_sessions_close_their_sockets(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Sockets").await;

    // Sign-out.
    let other = session_of(&login(&app, &owner, None).await.body, &owner.email);
    let mut ws = app.ws(&other.token).await;
    app.post("/api/v1/auth/logout", Some(&other.token), json!({}))
        .await;
    assert!(ws.closed_within(1000).await, "sign-out closes the socket");

    // Revoked from the sessions list; the revoking session's own socket stays open.
    let laptop = session_of(&login(&app, &owner, None).await.body, &owner.email);
    let mut ws = app.ws(&laptop.token).await;
    let mut own = app.ws(&owner.token).await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/auth/sessions/revoke-others",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(
        ws.closed_within(1000).await,
        "revoke-others closes the socket"
    );
    assert!(!own.closed_within(300).await);

    // Deactivation and removal end every socket of the member.
    let agent = app.add_member(&owner, "agent").await;
    let mut ws = app.ws(&agent.token).await;
    let r = app
        .patch(
            &format!("/api/v1/users/{}", agent.user_id),
            &owner.token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(
        ws.closed_within(1000).await,
        "deactivation closes the socket"
    );
    let viewer = app.add_member(&owner, "viewer").await;
    let mut ws = app.ws(&viewer.token).await;
    let r = app
        .delete(&format!("/api/v1/users/{}", viewer.user_id), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(ws.closed_within(1000).await, "removal closes the socket");

    // On PostgreSQL the signal reaches a socket open on another replica.
    if b == Backend::Postgres {
        let replica = app.replica().await;
        let remote = session_of(&login(&app, &owner, None).await.body, &owner.email);
        let mut ws = replica.ws(&remote.token).await;
        app.post("/api/v1/auth/logout", Some(&remote.token), json!({}))
            .await;
        assert!(ws.closed_within(1000).await, "the other replica closes it");
        replica.finish().await;
    }
    app.finish().await;
}

async fn two_factor_is_confirmed_before_it_counts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Two factor").await;
    let me = app.get("/api/v1/auth/me", &owner.token).await;
    assert_eq!(
        me.body["two_factor"],
        json!({"enabled": false, "required": false})
    );
    let r = app
        .post(
            "/api/v1/auth/2fa/enable",
            Some(&owner.token),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "no setup started");

    let setup = app
        .post("/api/v1/auth/2fa/setup", Some(&owner.token), json!({}))
        .await;
    assert_eq!(setup.status, StatusCode::OK, "{:?}", setup.body);
    let secret = setup.body["secret"].as_str().unwrap().to_owned();
    let url = setup.body["otpauth_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/Closer:"), "{url}");
    assert!(url.contains(&format!("secret={secret}")), "{url}");
    assert!(url.contains("issuer=Closer"), "{url}");
    assert!(setup.body["qr_svg"].as_str().unwrap().contains("<svg"));
    // Sealed at rest, and pending: sign-in does not ask for a code yet.
    let stored = app
        .sql_text(&format!(
            "SELECT totp_pending_secret FROM users WHERE email = '{}'",
            owner.email
        ))
        .await
        .unwrap();
    assert!(!stored.contains(&secret));
    let wrong = app
        .post(
            "/api/v1/auth/2fa/enable",
            Some(&owner.token),
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_second_factor")
    );
    assert!(wrong.body["error"]["details"]["fields"]["code"].is_string());

    let used = code_at(&secret, 0);
    let r = app
        .post(
            "/api/v1/auth/2fa/enable",
            Some(&owner.token),
            json!({"code": used}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let codes = r.body["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    let me = app.get("/api/v1/auth/me", &owner.token).await;
    assert_eq!(me.body["two_factor"]["enabled"], true);
    let r = app
        .post("/api/v1/auth/2fa/setup", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "already on");

    let r = login(&app, &owner, None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "second_factor_required")
    );
    // The code that confirmed the setup was used: it cannot sign in.
    let r = login(&app, &owner, Some(&used)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor")
    );
    assert!(
        audit_actions(&app, &owner.token)
            .await
            .contains(&"auth.two_factor_enabled".to_owned())
    );
    app.finish().await;
}

async fn codes_and_recovery_codes_work_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Once").await;
    let (secret, recovery) = enrol(&app, &owner).await;
    // The app's next code (within the accepted clock skew) signs in once.
    let next = code_at(&secret, 1);
    let r = login(&app, &owner, Some(&next)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["two_factor"]["enabled"], true);
    let r = login(&app, &owner, Some(&next)).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor"),
        "a reused code"
    );
    // A recovery code, typed loosely, signs in once.
    let loose = format!(" {} ", recovery[3].to_uppercase());
    let r = login(&app, &owner, Some(&loose)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = login(&app, &owner, Some(&recovery[3])).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "invalid_second_factor"),
        "a reused recovery code"
    );
    app.finish().await;
}

async fn recovery_codes_regenerate_and_two_factor_turns_off(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Regenerate").await;
    let (secret, old) = enrol(&app, &owner).await;
    let r = app
        .post(
            "/api/v1/auth/2fa/recovery-codes",
            Some(&owner.token),
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_second_factor")
    );
    let r = app
        .post(
            "/api/v1/auth/2fa/recovery-codes",
            Some(&owner.token),
            json!({"code": code_at(&secret, 1)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let fresh: Vec<String> = r.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fresh.len(), 10);
    assert!(!fresh.contains(&old[0]));
    assert!(
        audit_actions(&app, &owner.token)
            .await
            .contains(&"auth.recovery_codes_regenerated".to_owned())
    );
    let r = login(&app, &owner, Some(&old[0])).await;
    assert_eq!(r.code(), "invalid_second_factor", "old codes are gone");

    // Turning it off needs the password (another account: each has five attempts a minute).
    let owner = app.signup_org("Turn off").await;
    enrol(&app, &owner).await;
    let r = app
        .post(
            "/api/v1/auth/2fa/disable",
            Some(&owner.token),
            json!({"password": "wrong horse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["password"].is_string());
    let r = app
        .post(
            "/api/v1/auth/2fa/disable",
            Some(&owner.token),
            json!({"password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let me = app.get("/api/v1/auth/me", &owner.token).await;
    assert_eq!(me.body["two_factor"]["enabled"], false);
    let r = login(&app, &owner, None).await;
    assert_eq!(r.status, StatusCode::OK, "no code asked any more");
    assert!(
        audit_actions(&app, &owner.token)
            .await
            .contains(&"auth.two_factor_disabled".to_owned())
    );
    app.finish().await;
}

async fn second_factor_attempts_are_rate_limited(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Guessing").await;
    enrol(&app, &owner).await; // one attempt
    let mut answers = vec![];
    for guess in ["000001", "000002", "000003", "000004", "000005"] {
        answers.push(login(&app, &owner, Some(guess)).await);
    }
    let codes: Vec<&str> = answers.iter().map(|r| r.code()).collect();
    assert_eq!(
        codes,
        [
            "invalid_second_factor",
            "invalid_second_factor",
            "invalid_second_factor",
            "invalid_second_factor",
            "rate_limited"
        ]
    );
    assert!(answers[4].headers.contains_key("retry-after"));
    app.finish().await;
}

async fn organisation_can_require_two_factor(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Strict").await;
    let admin = app.add_member(&owner, "admin").await;
    let agent = app.add_member(&owner, "agent").await;
    let r = app.get("/api/v1/settings/security", &agent.token).await;
    assert_eq!(r.body, json!({"require_two_factor": false}));
    let on = json!({"require_two_factor": true});
    let r = app
        .put("/api/v1/settings/security", &admin.token, on.clone())
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = app
        .put("/api/v1/settings/security", &owner.token, on.clone())
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the owner has no second factor yet"
    );
    enrol(&app, &owner).await;
    let r = app
        .put("/api/v1/settings/security", &owner.token, on.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, on);
    assert!(
        audit_actions(&app, &owner.token)
            .await
            .contains(&"org.security_updated".to_owned())
    );

    // A member without a second factor reaches only their account's security.
    let me = app.get("/api/v1/auth/me", &agent.token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.body["two_factor"],
        json!({"enabled": false, "required": true})
    );
    for path in [
        "/api/v1/conversations",
        "/api/v1/org",
        "/api/v1/settings/security",
    ] {
        let r = app.get(path, &agent.token).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "two_factor_enrollment_required"),
            "{path}"
        );
    }
    assert_eq!(
        app.get("/api/v1/auth/sessions", &agent.token).await.status,
        StatusCode::OK
    );
    let url = app.base.replacen("http://", "ws://", 1);
    let refused =
        tokio_tungstenite::connect_async(format!("{url}/api/v1/ws?token={}", agent.token)).await;
    assert!(refused.is_err(), "no realtime before enrolling");
    enrol(&app, &agent).await;
    let r = app.get("/api/v1/conversations", &agent.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The owner with a second factor was never held up.
    assert_eq!(
        app.get("/api/v1/conversations", &owner.token).await.status,
        StatusCode::OK
    );
    app.finish().await;
}

/// `closer_session=<token>` from a response's Set-Cookie.
fn cookie_of(headers: &reqwest::header::HeaderMap) -> String {
    let set = headers["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn cookie_sessions_need_the_csrf_header(b: Backend) {
    let app = TestApp::spawn(b).await;
    let email = format!("{}@example.com", unique("cookie"));
    let r = app
        .http
        .post(format!("{}/api/v1/auth/signup", app.base))
        .json(&json!({"org_name": "Cookies", "name": "Cora", "email": email, "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(part), "{part} in {set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    let cookie = cookie_of(r.headers());
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        cookie,
        format!("closer_session={}", body["token"].as_str().unwrap())
    );

    let send = |method: Method, path: &str, csrf: bool| {
        let mut req = app
            .http
            .request(method, format!("{}{path}", app.base))
            .header("cookie", &cookie);
        if csrf {
            req = req.header("x-closer-csrf", "1");
        }
        req.send()
    };
    let r = send(Method::GET, "/api/v1/auth/me", false).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "a safe method needs no header");
    for (method, path) in [
        (Method::POST, "/api/v1/auth/sessions/revoke-others"),
        (Method::PUT, "/api/v1/org"),
        (Method::POST, "/api/v1/auth/logout"),
    ] {
        let r = send(method, path, false).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "csrf_header_missing");
    }
    let r = send(Method::POST, "/api/v1/auth/sessions/revoke-others", true)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Over https (behind a proxy) the cookie is Secure.
    let r = app
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": email, "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    let r = send(Method::POST, "/api/v1/auth/logout", true)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let cleared = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("closer_session=;") && cleared.contains("Max-Age=0"));
    let r = send(Method::GET, "/api/v1/auth/me", false).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.finish().await;
}

async fn socket_takes_the_cookie_only_from_our_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Origins").await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let open = |origin: Option<String>| {
        let mut req = format!("ws://{host}/api/v1/ws")
            .into_client_request()
            .unwrap();
        req.headers_mut().insert(
            "cookie",
            format!("closer_session={}", owner.token).parse().unwrap(),
        );
        if let Some(origin) = origin {
            req.headers_mut().insert("origin", origin.parse().unwrap());
        }
        tokio_tungstenite::connect_async(req)
    };
    let status = |r: Result<_, tokio_tungstenite::tungstenite::Error>| match r {
        Ok(_) => StatusCode::SWITCHING_PROTOCOLS,
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            StatusCode::from_u16(resp.status().as_u16()).unwrap()
        }
        Err(e) => panic!("{e}"),
    };
    assert_eq!(
        status(open(Some("http://evil.example".into())).await.map(|_| ())),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(open(None).await.map(|_| ())),
        StatusCode::FORBIDDEN,
        "no Origin: not a page of ours"
    );
    let (stream, _) = open(Some(format!("http://{host}"))).await.unwrap();
    let mut ws = Ws { stream };
    // It is a live socket of this session: signing out closes it.
    app.post("/api/v1/auth/logout", Some(&owner.token), json!({}))
        .await;
    assert!(ws.closed_within(1000).await);
    app.finish().await;
}

async fn sign_ups_are_throttled_per_address(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Throttle").await;
    // Nine more, of which some join by invite: the tenth after the owner.
    for _ in 0..4 {
        app.signup_org("Burst").await;
    }
    for _ in 0..5 {
        app.add_member(&owner, "agent").await;
    }
    let r = app
        .post("/api/v1/auth/signup", None, json!({"org_name": "One too many", "name": "Sam", "email": format!("{}@example.com", unique("spam")), "password": "correct horse"}))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    let invite = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "agent"}),
        )
        .await;
    let r = app
        .post("/api/v1/auth/signup", None, json!({"invite_token": invite.body["token"], "name": "Ivy", "email": format!("{}@example.com", unique("ivy")), "password": "correct horse"}))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "invites count too");
    // Signing in is a different limit.
    assert_eq!(login(&app, &owner, None).await.status, StatusCode::OK);
    app.finish().await;
}
