//! Organisation details, members, roles, invites, the audit log, and isolation between
//! organisations.

use crate::harness::{Backend, TestApp, unique};
use crate::on_both_databases;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_databases!(
    organisation_details,
    invites_are_single_use_and_expire,
    roles_are_enforced,
    the_last_owner_stays,
    deactivation_signs_out,
    other_organisations_are_invisible,
    lists_page_with_cursors,
);

async fn organisation_details(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Acme").await;
    let r = app.get("/api/v1/org", &owner.token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "Acme");
    assert!(r.body["website"].is_null());

    let details = json!({"name": "Acme Homes", "industry": "Real estate", "website": "acme.example.com",
        "timezone": "Asia/Kolkata", "city": "Pune", "support_email": "Help@Acme.example.com", "support_phone": "+91 98765 43210"});
    let r = app.put("/api/v1/org", &owner.token, details).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["website"], "https://acme.example.com");
    assert_eq!(r.body["support_email"], "help@acme.example.com");
    let again = app.get("/api/v1/org", &owner.token).await;
    assert_eq!(again.body, r.body);
    assert_eq!(
        app.get("/api/v1/auth/me", &owner.token).await.body["org"]["name"],
        "Acme Homes"
    );

    let bad = app
        .put("/api/v1/org", &owner.token, json!({"name": "", "website": "not a site", "timezone": "Mars", "support_email": "x", "support_phone": "12"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &bad.body["error"]["details"]["fields"];
    for f in [
        "name",
        "website",
        "timezone",
        "support_email",
        "support_phone",
    ] {
        assert!(fields[f].is_string(), "{f} named in {fields}");
    }
    assert_eq!(
        app.get("/api/v1/org", &owner.token).await.body["name"],
        "Acme Homes",
        "a refused update changes nothing"
    );

    let agent = app.add_member(&owner, "agent").await;
    assert_eq!(
        app.get("/api/v1/org", &agent.token).await.status,
        StatusCode::OK
    );
    let r = app
        .put("/api/v1/org", &agent.token, json!({"name": "Hijacked"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));

    let log = app.get("/api/v1/audit-logs", &owner.token).await;
    let update = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "org.updated")
        .expect("audited");
    assert_eq!(update["actor"]["id"], owner.user_id.as_str());
    assert_eq!(update["details"]["name"]["to"], "Acme Homes");
    assert_eq!(update["target"], format!("org:{}", owner.org_id));
    app.finish().await;
}

async fn invites_are_single_use_and_expire(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Invites Inc").await;
    let r = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let token = r.body["token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 40, "unguessable");
    assert!(
        r.body["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/signup?invite={token}"))
    );
    assert!(
        !r.body["url"].as_str().unwrap().contains(&owner.org_id),
        "the link never carries the org id"
    );

    let preview = app
        .request(Method::GET, &format!("/api/v1/invites/{token}"), None, None)
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview.body["org"]["name"], "Invites Inc");
    assert_eq!(preview.body["role"], "admin");

    let pending = app.get("/api/v1/invites", &owner.token).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);

    let email = format!("{}@example.com", unique("new"));
    let joined = app
        .post("/api/v1/auth/signup", None, json!({"invite_token": token, "name": "Nina", "email": email, "password": "correct horse"}))
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    assert_eq!(joined.body["org"]["id"], owner.org_id.as_str());
    assert_eq!(joined.body["user"]["role"], "admin");

    // Used: gone from the preview, the pending list, and cannot be used again.
    let r = app
        .request(Method::GET, &format!("/api/v1/invites/{token}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        app.get("/api/v1/invites", &owner.token).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let again = app
        .post("/api/v1/auth/signup", None, json!({"invite_token": token, "name": "Eve", "email": format!("{}@example.com", unique("eve")), "password": "correct horse"}))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let users = app.get("/api/v1/users", &owner.token).await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 2);

    // Expired after seven days.
    let r = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "agent"}),
        )
        .await;
    let old = r.body["token"].as_str().unwrap().to_owned();
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours();
    assert!(
        (167..=168).contains(&days),
        "expires in 7 days, not {days}h"
    );
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    let id = uuid::Uuid::parse_str(r.body["id"].as_str().unwrap()).unwrap();
    app.sql(
        "UPDATE invites SET expires_at = ? WHERE id = ?",
        vec![past.into(), id.into()],
    )
    .await;
    let r = app
        .request(Method::GET, &format!("/api/v1/invites/{old}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post("/api/v1/auth/signup", None, json!({"invite_token": old, "name": "Late", "email": format!("{}@example.com", unique("late")), "password": "correct horse"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Revoked.
    let r = app
        .post(
            "/api/v1/invites",
            Some(&owner.token),
            json!({"role": "viewer", "email": "only.me@example.com"}),
        )
        .await;
    let (revoked, revoked_id) = (
        r.body["token"].as_str().unwrap().to_owned(),
        r.body["id"].as_str().unwrap().to_owned(),
    );
    let wrong_email = app
        .post("/api/v1/auth/signup", None, json!({"invite_token": revoked, "name": "Other", "email": format!("{}@example.com", unique("other")), "password": "correct horse"}))
        .await;
    assert_eq!(wrong_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_email.body["error"]["details"]["fields"]["email"].is_string());
    assert_eq!(
        app.delete(&format!("/api/v1/invites/{revoked_id}"), &owner.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/v1/invites/{revoked_id}"), &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/invites/{revoked}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(Method::GET, "/api/v1/invites/not-a-real-token", None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn roles_are_enforced(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Roles").await;
    let admin = app.add_member(&owner, "admin").await;
    let agent = app.add_member(&owner, "agent").await;
    let viewer = app.add_member(&owner, "viewer").await;

    // Everyone sees the team; only managers see invites and the audit log.
    for s in [&owner, &admin, &agent, &viewer] {
        assert_eq!(
            app.get("/api/v1/users", &s.token).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }
    for s in [&agent, &viewer] {
        assert_eq!(
            app.get("/api/v1/audit-logs", &s.token).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/invites", &s.token).await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post("/api/v1/invites", Some(&s.token), json!({"role": "viewer"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .patch(
                &format!("/api/v1/users/{}", viewer.user_id),
                &s.token,
                json!({"role": "agent"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.delete(&format!("/api/v1/users/{}", viewer.user_id), &s.token)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    // Admins manage everyone but owners (not even an owner's name), and cannot make owners.
    let r = app
        .patch(
            &format!("/api/v1/users/{}", owner.user_id),
            &admin.token,
            json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/api/v1/invites",
            Some(&admin.token),
            json!({"role": "owner"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/v1/users/{}", agent.user_id),
            &admin.token,
            json!({"role": "owner"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &format!("/api/v1/users/{}", owner.user_id),
            &admin.token,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.delete(&format!("/api/v1/users/{}", owner.user_id), &admin.token)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .patch(
            &format!("/api/v1/users/{}", agent.user_id),
            &admin.token,
            json!({"role": "admin", "name": "Promoted Agent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["role"].as_str(), r.body["name"].as_str()),
        (Some("admin"), Some("Promoted Agent"))
    );
    let r = app
        .patch(
            &format!("/api/v1/users/{}", agent.user_id),
            &admin.token,
            json!({"role": "king"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The promotion took effect for the member's own session at once.
    assert_eq!(
        app.get("/api/v1/invites", &agent.token).await.status,
        StatusCode::OK
    );

    assert_eq!(
        app.delete(&format!("/api/v1/users/{}", viewer.user_id), &admin.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &viewer.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/users", &owner.token).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let log = app.get("/api/v1/audit-logs", &owner.token).await;
    let removed = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.removed")
        .unwrap();
    assert_eq!(removed["actor"]["id"], admin.user_id.as_str());
    assert_eq!(removed["target"], format!("user:{}", viewer.user_id));
    let changed = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.updated")
        .unwrap();
    assert_eq!(
        changed["details"]["role"],
        json!({"from": "agent", "to": "admin"})
    );
    app.finish().await;
}

async fn the_last_owner_stays(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Owners").await;
    let me = format!("/api/v1/users/{}", owner.user_id);
    for body in [json!({"role": "admin"}), json!({"active": false})] {
        let r = app.patch(&me, &owner.token, body).await;
        assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_owner"));
    }
    let r = app.delete(&me, &owner.token).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "last_owner"));

    let second = app.add_member(&owner, "owner").await;
    let r = app
        .patch(&me, &second.token, json!({"role": "admin"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Now `second` is the last owner.
    let r = app
        .delete(&format!("/api/v1/users/{}", second.user_id), &second.token)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .patch(
            &format!("/api/v1/users/{}", second.user_id),
            &owner.token,
            json!({"role": "agent"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "an admin cannot demote an owner"
    );
    app.finish().await;
}

async fn deactivation_signs_out(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Deactivate").await;
    let agent = app.add_member(&owner, "agent").await;
    let path = format!("/api/v1/users/{}", agent.user_id);
    let r = app
        .patch(&path, &owner.token, json!({"active": false}))
        .await;
    assert_eq!(
        (r.status, r.body["active"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &agent.token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": agent.email, "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.patch(&path, &owner.token, json!({"active": true}))
        .await;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": agent.email, "password": "correct horse"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.finish().await;
}

async fn other_organisations_are_invisible(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.signup_org("Alpha").await;
    let a_agent = app.add_member(&a, "agent").await;
    let bee = app.signup_org("Beta").await;
    let invite = app
        .post("/api/v1/invites", Some(&a.token), json!({"role": "agent"}))
        .await;
    let invite_id = invite.body["id"].as_str().unwrap();

    let user_path = format!("/api/v1/users/{}", a_agent.user_id);
    let r = app
        .patch(&user_path, &bee.token, json!({"name": "Stolen"}))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(
        app.delete(&user_path, &bee.token).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/invites/{invite_id}"), &bee.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete("/api/v1/users/not-a-uuid", &bee.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let users = app.get("/api/v1/users", &bee.token).await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1);
    assert!(
        app.get("/api/v1/invites", &bee.token).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let log = app.get("/api/v1/audit-logs", &bee.token).await;
    assert!(
        log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "org.created")
    );
    // Nothing in Alpha changed.
    let users = app.get("/api/v1/users", &a.token).await;
    assert!(
        users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["name"] != "Stolen")
    );
    assert_eq!(
        app.get("/api/v1/org", &bee.token).await.body["name"],
        "Beta"
    );
    app.finish().await;
}

async fn lists_page_with_cursors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Pages").await;
    for _ in 0..3 {
        app.add_member(&owner, "viewer").await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=3&cursor={c}"),
            None => "/api/v1/users?limit=3".into(),
        };
        let r = app.get(&path, &owner.token).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        seen.extend(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_owned()),
        );
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0], owner.user_id, "oldest member first");
    let mut unique_ids = seen.clone();
    unique_ids.dedup();
    assert_eq!(unique_ids.len(), 4);

    for bad in ["limit=0", "limit=201", "limit=abc", "cursor=xyz"] {
        let r = app.get(&format!("/api/v1/users?{bad}"), &owner.token).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            "{bad}"
        );
    }
    let log = app.get("/api/v1/audit-logs?limit=2", &owner.token).await;
    assert_eq!(log.body["items"].as_array().unwrap().len(), 2);
    assert!(log.body["next_cursor"].is_string());
    app.finish().await;
}
