//! Notifications (issue 16 item 6): an escalation reaches the member once on each channel —
//! the bell, an email through a real (local) SMTP server, a web push to a stand-in push
//! service — and never twice; preferences per kind; mark read; `@name` mentions; email
//! settings with a test email; password reset by email; emailed invites; refusals.

use crate::conversations::lead_writes;
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::push_service::PushService;
use crate::smtp_sink::SmtpSink;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use web_push_native::p256;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;

on_both_databases!(
    an_escalation_notifies_once_on_every_channel,
    a_push_is_retried_and_a_gone_browser_forgotten,
    preferences_choose_the_channels_per_kind,
    notifications_are_marked_read_one_or_all,
    a_mention_in_a_note_notifies_the_member_named,
    email_settings_keep_the_password_and_send_a_test,
    a_password_is_reset_by_email_once,
    an_invite_is_emailed,
    notification_routes_refuse_viewers_and_strangers
);

/// A browser's push keys: its P-256 key pair and its auth secret.
struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl Browser {
    fn new() -> Browser {
        Browser {
            secret: p256::SecretKey::from_slice(&[7u8; 32]).unwrap(),
            auth: [3u8; 16],
        }
    }

    fn subscription(&self, endpoint: &str) -> Value {
        let public = self.secret.public_key().to_encoded_point(false);
        json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
                "auth": URL_SAFE_NO_PAD.encode(self.auth),
            }
        })
    }

    /// Opens a push the way the browser would (RFC 8291).
    fn open(&self, body: &[u8]) -> Value {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth).unwrap();
        serde_json::from_slice(&plain).unwrap()
    }
}

async fn set_up_email(app: &TestApp, s: &Session, sink: &SmtpSink) {
    let r = app
        .put(
            "/api/v1/settings/email",
            &s.token,
            json!({"smtp_host": "127.0.0.1", "smtp_port": sink.port, "username": "mailer",
                "password": "s3cret-pass", "from": "Closer <team@example.com>", "tls": "none"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn bell(app: &TestApp, s: &Session, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/notifications?{query}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// The done-when: one escalation in the playground, and the owner gets exactly one
/// notification on the bell, one email and one push.
async fn an_escalation_notifies_once_on_every_channel(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Bell Co").await;
    let sink = SmtpSink::start().await;
    let push = PushService::start().await;
    let browser = Browser::new();
    set_up_email(&app, &owner, &sink).await;
    let r = app
        .post(
            "/api/v1/push/subscriptions",
            Some(&owner.token),
            browser.subscription(&push.endpoint),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let mut ws = app.ws(&owner.token).await;

    let (conv, _) = lead_writes(
        &app,
        &owner,
        "+91 98000 20001",
        "I want to talk to a real person",
    )
    .await;
    let heard = ws.expect("notification:created", 20).await;
    assert_eq!(heard["user_id"], owner.user_id.as_str());
    assert_eq!(heard["kind"], "handoff");

    let list = bell(&app, &owner, "").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(list["unread"], 1);
    assert_eq!(items[0]["kind"], "handoff");
    assert_eq!(items[0]["link"], format!("/inbox/{conv}"));
    assert!(
        items[0]["title"].as_str().unwrap().contains("human"),
        "{list}"
    );
    assert_eq!(items[0]["body"], "Lee Lead");
    assert!(items[0]["read_at"].is_null());

    let mail = eventually(20, "the email", || async {
        sink.mails().into_iter().next()
    })
    .await;
    assert_eq!(mail.to, vec![format!("<{}>", owner.email)]);
    assert_eq!(mail.from, "<team@example.com>");
    let text = mail.text();
    assert!(text.contains("Subject: Needs a human"), "{text}");
    assert!(text.contains("Lee Lead"), "{text}");
    assert!(text.contains(&format!("/inbox/{conv}")), "{text}");

    let sent = eventually(20, "the push", || async {
        push.pushes().into_iter().next()
    })
    .await;
    let header = |name: &str| {
        sent.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let auth = header("authorization").unwrap();
    let vapid = app.get("/api/v1/push/vapid-public-key", &owner.token).await;
    assert_eq!(vapid.status, StatusCode::OK);
    let key = vapid.body["public_key"].as_str().unwrap();
    assert!(auth.starts_with("vapid t="), "{auth}");
    assert!(auth.ends_with(&format!(", k={key}")), "{auth}");
    assert_eq!(header("content-encoding").as_deref(), Some("aes128gcm"));
    assert!(header("ttl").is_some());
    let payload = browser.open(&sent.body);
    assert_eq!(payload["kind"], "handoff");
    assert_eq!(payload["link"], format!("/inbox/{conv}"));
    assert_eq!(payload["title"], items[0]["title"]);

    // Nothing more arrives: each channel once.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(sink.mails().len(), 1);
    assert_eq!(push.pushes().len(), 1);
    assert_eq!(
        bell(&app, &owner, "").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.sql_text("SELECT COUNT(*) || '' FROM notification_deliveries WHERE state = 'sent'")
            .await
            .as_deref(),
        Some("2")
    );
    // The VAPID key is the installation's: the same on every call.
    let again = app.get("/api/v1/push/vapid-public-key", &owner.token).await;
    assert_eq!(again.body["public_key"], key);
    app.finish().await;
}

async fn a_push_is_retried_and_a_gone_browser_forgotten(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Retry Co").await;
    let push = PushService::start().await;
    let browser = Browser::new();
    let r = app
        .post(
            "/api/v1/push/subscriptions",
            Some(&owner.token),
            browser.subscription(&push.endpoint),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // The push service is down once: the job backs off and tries again.
    push.script([503]);
    lead_writes(
        &app,
        &owner,
        "+91 98000 20041",
        "I want to talk to a real person",
    )
    .await;
    eventually(30, "the retried push", || async {
        (push.pushes().len() == 2).then_some(())
    })
    .await;
    let sent = || app.sql_text("SELECT state FROM notification_deliveries ORDER BY id");
    eventually(10, "the delivery sent", || async {
        (sent().await.as_deref() == Some("sent")).then_some(())
    })
    .await;
    // The browser unsubscribed (410): forgotten, the push given up, never retried.
    push.script([410]);
    lead_writes(
        &app,
        &owner,
        "+91 98000 20042",
        "I want to talk to a real person",
    )
    .await;
    eventually(30, "the refused push", || async {
        (push.pushes().len() == 3).then_some(())
    })
    .await;
    eventually(10, "the subscription forgotten", || async {
        let left = app
            .sql_text("SELECT COUNT(*) || '' FROM push_subscriptions")
            .await;
        (left.as_deref() == Some("0")).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(push.pushes().len(), 3);
    assert_eq!(
        app.sql_text("SELECT COUNT(*) || '' FROM notification_deliveries WHERE state = 'failed'")
            .await
            .as_deref(),
        Some("1")
    );
    app.finish().await;
}

async fn preferences_choose_the_channels_per_kind(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Prefs Co").await;
    let sink = SmtpSink::start().await;
    set_up_email(&app, &owner, &sink).await;
    let r = app
        .get("/api/v1/notifications/preferences", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["handoff"],
        json!({"in_app": true, "email": true, "push": true})
    );
    assert_eq!(r.body["daily_digest"]["in_app"], false);
    for kind in [
        "handoff",
        "booking",
        "cta_accepted",
        "mention",
        "daily_digest",
    ] {
        assert!(r.body[kind].is_object(), "{kind}: {:?}", r.body);
    }
    // No email for handovers: the bell only. Nor the daily digest's: past 8 am local it goes
    // out at the scheduler's next tick, so no mail at all is then the proof.
    let r = app
        .put(
            "/api/v1/notifications/preferences",
            &owner.token,
            json!({
                "handoff": {"in_app": true, "email": false, "push": false},
                "daily_digest": {"in_app": false, "email": false, "push": false},
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["handoff"]["email"], false);
    assert_eq!(r.body["booking"]["email"], true);
    let r = app
        .get("/api/v1/notifications/preferences", &owner.token)
        .await;
    assert_eq!(r.body["handoff"]["email"], false);
    // Unknown kinds and half choices are refused, and change nothing.
    for bad in [
        json!({"fax": {"in_app": true, "email": true, "push": true}}),
        json!({"handoff": {"in_app": true}}),
    ] {
        let r = app
            .put("/api/v1/notifications/preferences", &owner.token, bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    }
    lead_writes(
        &app,
        &owner,
        "+91 98000 20002",
        "I want to talk to a real person",
    )
    .await;
    eventually(20, "the notification", || async {
        let list = bell(&app, &owner, "").await;
        (list["unread"] == 1).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(sink.mails().is_empty(), "{:?}", sink.mails());
    app.finish().await;
}

async fn notifications_are_marked_read_one_or_all(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Read Co").await;
    for phone in ["+91 98000 20011", "+91 98000 20012", "+91 98000 20013"] {
        lead_writes(&app, &owner, phone, "I want to talk to a real person").await;
    }
    let list = eventually(30, "three notifications", || async {
        let list = bell(&app, &owner, "").await;
        (list["unread"] == 3).then_some(list)
    })
    .await;
    let first = list["items"][0]["id"].as_str().unwrap().to_owned();
    let mut ws = app.ws(&owner.token).await;
    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&owner.token),
            json!({"ids": [first]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, json!({"marked": 1, "unread": 2}));
    let heard = ws.expect("notification:read", 5).await;
    assert_eq!(heard["user_id"], owner.user_id.as_str());
    let unread = bell(&app, &owner, "unread=true").await;
    assert_eq!(unread["items"].as_array().unwrap().len(), 2);
    assert!(
        unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != first.as_str())
    );
    // Paged newest first.
    let page = bell(&app, &owner, "limit=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = bell(&app, &owner, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    let r = app
        .post(
            "/api/v1/notifications/read",
            Some(&owner.token),
            json!({"all": true}),
        )
        .await;
    assert_eq!(r.body, json!({"marked": 2, "unread": 0}));
    for bad in [
        json!({}),
        json!({"ids": ["x"]}),
        json!({"ids": [], "all": true}),
    ] {
        let r = app
            .post("/api/v1/notifications/read", Some(&owner.token), bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    }
    app.finish().await;
}

async fn a_mention_in_a_note_notifies_the_member_named(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mention Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 20021", "hello").await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/notes"),
            Some(&owner.token),
            json!({"text": "@Agent Member can you call them? cc @olivia"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let list = bell(&app, &agent, "").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["kind"], "mention");
    assert_eq!(items[0]["title"], "Olivia Owner mentioned you in a note");
    assert!(
        items[0]["body"]
            .as_str()
            .unwrap()
            .contains("can you call them")
    );
    assert_eq!(items[0]["link"], format!("/inbox/{conv}"));
    // The author is not told of their own mention; the member not named hears nothing.
    let mine = bell(&app, &owner, "").await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["kind"] != "mention"),
        "{mine}"
    );
    assert_eq!(bell(&app, &viewer, "").await["unread"], 0);
    app.finish().await;
}

async fn email_settings_keep_the_password_and_send_a_test(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mail Co").await;
    let r = app.get("/api/v1/settings/email", &owner.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["configured"], false);
    let r = app
        .post("/api/v1/settings/email/test", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "email_not_configured");

    let r = app
        .put(
            "/api/v1/settings/email",
            &owner.token,
            json!({"smtp_host": "", "smtp_port": 0, "from": "nobody", "tls": "ssl"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app
        .put(
            "/api/v1/settings/email",
            &owner.token,
            json!({"smtp_host": "", "smtp_port": 0, "from": "nobody", "tls": "none"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let fields = &r.body["error"]["details"]["fields"];
    for f in ["smtp_host", "smtp_port", "from"] {
        assert!(fields[f].is_string(), "{f}: {fields}");
    }

    let sink = SmtpSink::start().await;
    set_up_email(&app, &owner, &sink).await;
    let r = app.get("/api/v1/settings/email", &owner.token).await;
    assert_eq!(r.body["configured"], true);
    assert_eq!(r.body["has_password"], true);
    assert_eq!(r.body["smtp_port"], sink.port);
    assert_eq!(r.body["tls"], "none");
    assert!(r.body.get("password").is_none(), "{:?}", r.body);
    // The password is sealed at rest.
    let stored = app
        .sql_text("SELECT password FROM email_settings")
        .await
        .unwrap();
    assert!(!stored.contains("s3cret-pass"));
    // Saved again without a password: the saved one stays.
    let r = app
        .put(
            "/api/v1/settings/email",
            &owner.token,
            json!({"smtp_host": "127.0.0.1", "smtp_port": sink.port, "username": "mailer",
                "from": "team@example.com", "tls": "none"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["has_password"], true);

    let r = app
        .post("/api/v1/settings/email/test", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["ok"], true, "{:?}", r.body);
    assert_eq!(r.body["to"], owner.email.as_str());
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text().contains("Subject: Closer: test email"));
    // Signed in with the saved (sealed) password.
    let plain = base64::engine::general_purpose::STANDARD.encode("\0mailer\0s3cret-pass");
    assert_eq!(sink.auths().last(), Some(&plain));

    // A server that is not there: the test ran, and says so.
    let r = app
        .put(
            "/api/v1/settings/email",
            &owner.token,
            json!({"smtp_host": "127.0.0.1", "smtp_port": 9, "from": "team@example.com", "tls": "none"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post("/api/v1/settings/email/test", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.body["ok"], false, "{:?}", r.body);
    assert!(r.body["message"].is_string());
    app.finish().await;
}

/// The token in the emailed link.
fn token_in(text: &str) -> String {
    let at = text.find("token=").expect("a reset link") + 6;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn a_password_is_reset_by_email_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Reset Co").await;
    let sink = SmtpSink::start().await;
    set_up_email(&app, &owner, &sink).await;
    // Unknown and malformed addresses: the same 202, no email.
    for email in ["nobody@example.com", "not an email"] {
        let r = app
            .post("/api/v1/auth/password-reset", None, json!({"email": email}))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    }
    let r = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": owner.email.to_uppercase()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let mail = eventually(20, "the reset email", || async {
        sink.mails().into_iter().next()
    })
    .await;
    assert_eq!(mail.to, vec![format!("<{}>", owner.email)]);
    let text = mail.text();
    assert!(
        text.contains("Subject: Reset your Closer password"),
        "{text}"
    );
    assert!(text.contains("/reset-password?token="), "{text}");
    let token = token_in(&text);
    // Only the hash is stored.
    let stored = app
        .sql_text("SELECT token_hash FROM password_resets")
        .await
        .unwrap();
    assert_ne!(stored, token);

    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["password"].is_string());
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "password": "a brand new password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Every session ended; the new password signs in, the old one does not.
    assert_eq!(
        app.get("/api/v1/auth/me", &owner.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = |password: &'static str| {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner.email, "password": password}),
        )
    };
    assert_eq!(
        login("correct horse").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(login("a brand new password").await.status, StatusCode::OK);
    // Single use.
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "password": "yet another password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["token"].is_string());
    // An expired link is refused too.
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"email": owner.email}),
    )
    .await;
    let mail = eventually(20, "the second email", || async {
        sink.mails().into_iter().nth(1)
    })
    .await;
    app.sql("UPDATE password_resets SET expires_at = created_at", vec![])
        .await;
    let r = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token_in(&mail.text()), "password": "yet another password"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(sink.mails().len(), 2);
    app.finish().await;
}

async fn an_invite_is_emailed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Invite Co").await;
    // No mail server yet: the link is made, not emailed.
    let r = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "agent", "email": "first@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["emailed"], false);
    let sink = SmtpSink::start().await;
    set_up_email(&app, &owner, &sink).await;
    let r = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "agent", "email": "new.agent@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["emailed"], true);
    let url = r.body["url"].as_str().unwrap().to_owned();
    let mail = eventually(20, "the invite email", || async {
        sink.mails().into_iter().next()
    })
    .await;
    assert_eq!(mail.to, vec!["<new.agent@example.com>".to_owned()]);
    let text = mail.text();
    assert!(text.contains("Subject: Join Invite Co on Closer"), "{text}");
    assert!(text.contains(&url), "{text}");
    // Without an email nothing is sent.
    let r = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(r.body["emailed"], false);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(sink.mails().len(), 1);
    app.finish().await;
}

async fn notification_routes_refuse_viewers_and_strangers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Guard Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    let stranger = app.signup_org("Elsewhere").await;
    let settings =
        json!({"smtp_host": "127.0.0.1", "smtp_port": 25, "from": "a@example.com", "tls": "none"});
    for s in [&viewer, &agent] {
        assert_eq!(
            app.get("/api/v1/settings/email", &s.token).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .put("/api/v1/settings/email", &s.token, settings.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
        let r = app
            .post("/api/v1/settings/email/test", Some(&s.token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    assert_eq!(
        app.get("/api/v1/settings/email", &stranger.token)
            .await
            .body["configured"],
        false
    );
    // Every member keeps their own bell and preferences, viewers too.
    let r = app
        .put(
            "/api/v1/notifications/preferences",
            &viewer.token,
            json!({"mention": {"in_app": true, "email": false, "push": false}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Another organisation's notification is not theirs to read (nor to learn it exists).
    lead_writes(
        &app,
        &owner,
        "+91 98000 20031",
        "I want to talk to a real person",
    )
    .await;
    let list = eventually(20, "the owner's notification", || async {
        let list = bell(&app, &owner, "").await;
        (list["unread"] == 1).then_some(list)
    })
    .await;
    let id = list["items"][0]["id"].clone();
    for s in [&stranger, &viewer] {
        let r = app
            .post(
                "/api/v1/notifications/read",
                Some(&s.token),
                json!({"ids": [id]}),
            )
            .await;
        assert_eq!(r.body["marked"], 0, "{:?}", r.body);
    }
    assert_eq!(bell(&app, &owner, "").await["unread"], 1);
    assert_eq!(bell(&app, &stranger, "").await["items"], json!([]));
    // Without a session: 401 everywhere.
    for path in [
        "/api/v1/notifications",
        "/api/v1/notifications/preferences",
        "/api/v1/push/vapid-public-key",
    ] {
        assert_eq!(
            app.get(path, "").await.status,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    // A subscription with bad keys names them.
    let r = app
        .post(
            "/api/v1/push/subscriptions",
            Some(&viewer.token),
            json!({"endpoint": "not a url", "keys": {"p256dh": "xx", "auth": "yy"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let fields = &r.body["error"]["details"]["fields"];
    for f in ["endpoint", "keys.p256dh", "keys.auth"] {
        assert!(fields[f].is_string(), "{f}: {fields}");
    }
    app.finish().await;
}
