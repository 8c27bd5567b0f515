//! The calendar (issue 16 item 2): a booking the agent makes is an event (time to be agreed
//! until the lead names one), moved or cancelled with the lead told through the send policy
//! (and not told, but changed all the same, when it refuses), the booking action following;
//! meetings set up by hand; the secret iCalendar feed and its rotation; who may do what.

use crate::conversations::{decided, lead_writes};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET};
use crate::whatsapp_settings::app_with_graph;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_booking_becomes_an_event_and_follows_its_action,
    moving_and_cancelling_tell_the_lead_through_the_send_policy,
    the_feed_is_icalendar_and_rotating_it_retires_the_old_url,
    bad_ranges_and_changes_are_refused,
    other_organisations_and_viewers_are_refused,
    measure_a_week_among_many_events
);

/// The whole calendar around now: yesterday to a week on.
async fn calendar(app: &TestApp, s: &Session) -> Value {
    let from = (Utc::now() - Duration::days(1)).to_rfc3339();
    let to = (Utc::now() + Duration::days(7)).to_rfc3339();
    let r = app
        .get(
            &format!(
                "/api/v1/calendar?from={}&to={}",
                urlencode(&from),
                urlencode(&to)
            ),
            &s.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

async fn change(app: &TestApp, s: &Session, id: &str, body: Value) -> crate::harness::Reply {
    app.patch(&format!("/api/v1/calendar/{id}"), &s.token, body)
        .await
}

async fn lead_of(app: &TestApp, s: &Session, conv: &str) -> String {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    r.body["contact"]["id"].as_str().unwrap().to_owned()
}

async fn meeting(app: &TestApp, s: &Session, lead: &str, starts_at: DateTime<Utc>) -> Value {
    let r = app
        .post(
            "/api/v1/calendar",
            Some(&s.token),
            json!({"lead_id": lead, "kind": "meeting", "starts_at": starts_at.to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn a_booking_becomes_an_event_and_follows_its_action(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Booking Co").await;
    let phone = "+91 98000 70001";
    let (conv, _) = crate::conversations::offered_a_call(&app, &owner, phone).await;
    let mut ws = app.ws(&owner.token).await;
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": phone, "text": "Yes, let's do it", "reply_id": "cta:book_call:yes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    decided(&app, &owner, &conv, 3).await;
    // Accepted without a time: a call whose time is to be agreed, not on any day.
    let created = ws.expect("calendar:created", 20).await;
    let cal = calendar(&app, &owner).await;
    assert_eq!(cal["items"], json!([]), "{cal}");
    let waiting = &cal["to_be_agreed"][0];
    assert_eq!(waiting["id"], created["event_id"]);
    assert_eq!(waiting["kind"], "call");
    assert_eq!(waiting["status"], "booked");
    assert_eq!(waiting["starts_at"], Value::Null);
    assert_eq!(waiting["conversation_id"], conv.as_str());
    assert_eq!(waiting["contact"]["name"], "Priya");
    assert_eq!(waiting["timezone"], "UTC");

    lead_writes(&app, &owner, phone, "tomorrow 5pm works").await;
    decided(&app, &owner, &conv, 4).await;
    let updated = ws.expect("calendar:updated", 20).await;
    assert_eq!(updated["event_id"], created["event_id"]);
    let cal = calendar(&app, &owner).await;
    assert_eq!(cal["to_be_agreed"], json!([]), "{cal}");
    let event = &cal["items"][0];
    assert_eq!(event["id"], created["event_id"]);
    assert_eq!(event["status"], "booked");
    let starts = event["starts_at"].as_str().expect("a start");
    let action = event["action_id"].as_str().expect("its booking action");
    let r = app.get("/api/v1/actions?kind=booking", &owner.token).await;
    let booking = &r.body["items"][0];
    assert_eq!(booking["id"], action);
    assert_eq!(
        DateTime::parse_from_rfc3339(booking["due_at"].as_str().unwrap()).unwrap(),
        DateTime::parse_from_rfc3339(starts).unwrap()
    );

    // Done: the booking action is resolved with it; the lead is not messaged about it.
    let r = change(
        &app,
        &owner,
        event["id"].as_str().unwrap(),
        json!({"status": "done"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["event"]["status"], "done");
    assert_eq!(r.body["lead_notice"], Value::Null);
    let r = app.get("/api/v1/actions?kind=booking", &owner.token).await;
    assert_eq!(r.body["items"][0]["status"], "resolved");
    assert_eq!(r.body["items"][0]["outcome"], "The call took place.");
    let r = change(
        &app,
        &owner,
        event["id"].as_str().unwrap(),
        json!({"status": "cancelled"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "event_closed");
    app.finish().await;
}

async fn moving_and_cancelling_tell_the_lead_through_the_send_policy(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let r = app
        .put(
            "/api/v1/org",
            &owner.token,
            json!({"name": "Hooks", "timezone": "Asia/Kolkata"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let conv = crate::sending::lead_writes(&app, &owner).await;
    let lead = lead_of(&app, &owner, &conv).await;
    let start: DateTime<Utc> = "2030-03-04T09:30:00Z".parse().unwrap();
    let event = meeting(&app, &owner, &lead, start).await;
    assert_eq!(event["timezone"], "Asia/Kolkata");
    assert_eq!(event["conversation_id"], conv.as_str());
    let id = event["id"].as_str().unwrap();
    assert_eq!(
        (event["ends_at"].as_str(), event["created_by"].as_str()),
        (Some("2030-03-04T10:00:00Z"), Some(owner.user_id.as_str()))
    );

    let mut ws = app.ws(&owner.token).await;
    let r = change(
        &app,
        &owner,
        id,
        json!({"starts_at": "2030-03-05T04:30:00Z"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["event"]["status"], "rescheduled");
    assert_eq!(r.body["event"]["ends_at"], "2030-03-05T05:00:00Z");
    assert_eq!(r.body["lead_notice"]["told"], true, "{:?}", r.body);
    assert_eq!(
        ws.expect("calendar:updated", 10).await["status"],
        "rescheduled"
    );
    // Through the stand-in, in the organisation's time: 09:30 UTC is 15:00 in Kolkata.
    let sent = eventually(20, "the notice reaches WhatsApp", || async {
        graph.sends().into_iter().find(|s| {
            s["text"]["body"]
                .as_str()
                .is_some_and(|t| t.contains("moved"))
        })
    })
    .await;
    let text = sent["text"]["body"].as_str().unwrap();
    assert!(text.contains("Mon 4 Mar, 15:00 (Asia/Kolkata)"), "{text}");
    assert!(text.contains("Tue 5 Mar, 10:00"), "{text}");

    let r = change(&app, &owner, id, json!({"status": "cancelled"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["lead_notice"]["told"], true);
    eventually(20, "the cancellation reaches WhatsApp", || async {
        graph.sends().into_iter().find(|s| {
            s["text"]["body"]
                .as_str()
                .is_some_and(|t| t.contains("cancelled"))
        })
    })
    .await;

    // An opted-out lead is never messaged: the change is made, the answer says why not.
    let second = meeting(&app, &owner, &lead, start).await;
    let r = app
        .post(
            &format!("/api/v1/leads/{lead}/opt-out"),
            Some(&owner.token),
            json!({"reason": "asked on the phone"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let before = graph.sends().len();
    let r = change(
        &app,
        &owner,
        second["id"].as_str().unwrap(),
        json!({"starts_at": "2030-03-06T04:30:00Z"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["event"]["status"], "rescheduled");
    assert_eq!(r.body["event"]["starts_at"], "2030-03-06T04:30:00Z");
    let notice = &r.body["lead_notice"];
    assert_eq!(
        (notice["told"].clone(), notice["refused"].clone()),
        (json!(false), json!("opted_out"))
    );
    assert!(notice["reason"].as_str().unwrap().contains("opted out"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(graph.sends().len(), before, "nothing went to the lead");
    app.finish().await;
}

async fn the_feed_is_icalendar_and_rotating_it_retires_the_old_url(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Feed Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 70101", "hi").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let start: DateTime<Utc> = (Utc::now() + Duration::days(2))
        .to_rfc3339()
        .parse::<DateTime<Utc>>()
        .unwrap()
        .with_nanosecond_zero();
    let event = meeting(&app, &owner, &lead, start).await;
    let r = app.get("/api/v1/calendar/feed-token", &owner.token).await;
    assert_eq!(r.body["created_at"], Value::Null);
    let r = app
        .post("/api/v1/calendar/feed-token", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let old = r.body["path"].as_str().unwrap().to_owned();
    let token = r.body["token"].as_str().unwrap();
    assert_eq!(old, format!("/calendar/{token}.ics"));
    // Only the hash is kept.
    let stored = app
        .sql_text("SELECT token_hash FROM calendar_feeds")
        .await
        .unwrap();
    assert_ne!(stored, token);

    let feed = app
        .http
        .get(format!("{}{old}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = feed.text().await.unwrap();
    let parsed: icalendar::Calendar = text.parse().expect("valid iCalendar");
    let events: Vec<_> = parsed.events().collect();
    assert_eq!(events.len(), 1, "{text}");
    use icalendar::Component;
    let e = events[0];
    assert_eq!(e.get_summary(), event["title"].as_str(), "{text}");
    assert_eq!(
        e.get_uid().unwrap(),
        format!("{}@closer", event["id"].as_str().unwrap())
    );
    let dtstart = e.get_start().expect("DTSTART");
    assert_eq!(dtstart, icalendar::DatePerhapsTime::DateTime(start.into()));
    assert_eq!(parsed.get_timezone(), Some("UTC"));

    let r = app
        .post("/api/v1/calendar/feed-token", Some(&owner.token), json!({}))
        .await;
    let new = r.body["path"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let status = |path: String| {
        let app = &app;
        async move {
            app.http
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status(old.clone()).await, StatusCode::NOT_FOUND);
    assert_eq!(status(new.clone()).await, StatusCode::OK);
    assert_eq!(
        status("/calendar/not-a-token.ics".into()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status(new.trim_end_matches(".ics").to_owned()).await,
        StatusCode::NOT_FOUND
    );
    let r = app.get("/api/v1/calendar/feed-token", &owner.token).await;
    assert!(r.body["created_at"].is_string(), "{:?}", r.body);
    app.finish().await;
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap()
    }
}

async fn bad_ranges_and_changes_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Strict Co").await;
    for (query, field) in [
        ("to=2030-01-01T00:00:00Z", "from"),
        ("from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "to"),
        ("from=yesterday&to=2030-01-01T00:00:00Z", "from"),
        ("from=2030-01-01T00:00:00Z&to=2032-01-01T00:00:00Z", "to"),
    ] {
        let r = app
            .get(&format!("/api/v1/calendar?{query}"), &owner.token)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            r.body["error"]["details"]["fields"][field].is_string(),
            "{query}: {:?}",
            r.body
        );
    }
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 70201", "hi").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let event = meeting(&app, &owner, &lead, Utc::now() + Duration::days(1)).await;
    let id = event["id"].as_str().unwrap();
    for (body, field) in [
        (json!({}), "starts_at"),
        (json!({"status": "booked"}), "status"),
        (
            json!({"status": "cancelled", "starts_at": "2030-01-01T00:00:00Z"}),
            "status",
        ),
        (json!({"status": "someday"}), "status"),
    ] {
        let r = change(&app, &owner, id, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            r.body["error"]["details"]["fields"][field].is_string(),
            "{body}: {:?}",
            r.body
        );
    }
    let r = app
        .post(
            "/api/v1/calendar",
            Some(&owner.token),
            json!({"lead_id": lead, "kind": "lunch", "starts_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app
        .post(
            "/api/v1/calendar",
            Some(&owner.token),
            json!({"lead_id": lead, "kind": "call", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["ends_at"].is_string());
    // Nothing changed.
    let r = app
        .get(
            &format!(
                "/api/v1/calendar?from={}&to={}",
                urlencode(&(Utc::now()).to_rfc3339()),
                urlencode(&(Utc::now() + Duration::days(3)).to_rfc3339())
            ),
            &owner.token,
        )
        .await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["items"][0]["status"], "booked");
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let stranger = app.signup_org("Theirs Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 70301", "hi").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let event = meeting(&app, &owner, &lead, Utc::now() + Duration::days(1)).await;
    let id = event["id"].as_str().unwrap();
    let create = json!({"lead_id": lead, "kind": "call", "starts_at": "2030-01-01T10:00:00Z"});

    let r = change(&app, &viewer, id, json!({"status": "cancelled"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .post("/api/v1/calendar", Some(&viewer.token), create.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    // A viewer reads the calendar (and may have a feed of it).
    assert_eq!(calendar(&app, &viewer).await["items"][0]["id"], id);
    let r = app
        .post(
            "/api/v1/calendar/feed-token",
            Some(&viewer.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let r = change(&app, &stranger, id, json!({"status": "cancelled"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = app
        .post("/api/v1/calendar", Some(&stranger.token), create)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert_eq!(calendar(&app, &stranger).await["items"], json!([]));
    // The stranger's own feed shows their organisation only.
    let r = app
        .post(
            "/api/v1/calendar/feed-token",
            Some(&stranger.token),
            json!({}),
        )
        .await;
    let path = r.body["path"].as_str().unwrap();
    let text = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("BEGIN:VEVENT"), "{text}");
    // Unchanged by all of that.
    assert_eq!(calendar(&app, &owner).await["items"][0]["status"], "booked");
    app.finish().await;
}

/// A time as sea-orm writes it (RFC 3339), which both databases read back.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Not an assertion: how long a week's read takes among 100,000 events in one organisation.
/// Run with `CLOSER_MEASURE=1 cargo test -p closer-server --test api measure_a_week -- --nocapture`.
async fn measure_a_week_among_many_events(b: Backend) {
    if std::env::var("CLOSER_MEASURE").is_err() {
        return;
    }
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Busy Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 70401", "hi").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let org = &owner.org_id;
    // 100,000 events spread over two years (about 960 a week), written in batches.
    let base = Utc::now() - Duration::days(365);
    let total = 100_000;
    let batch = 1000;
    let ts_cast = if b == Backend::Postgres {
        "::timestamptz"
    } else {
        ""
    };
    // SQLite keeps a UUID as its 16 bytes.
    let id = |u: &str| match b {
        Backend::Postgres => format!("'{u}'::uuid"),
        Backend::Sqlite => format!("X'{}'", u.replace('-', "")),
    };
    let (org, conv, lead) = (id(org), id(&conv), id(&lead));
    for chunk in 0..(total / batch) {
        let mut rows = Vec::with_capacity(batch);
        for i in 0..batch {
            let n = chunk * batch + i;
            let start = base + Duration::minutes((n as i64) * 10);
            let end = start + Duration::minutes(30);
            let kind = ["call", "demo", "meeting"][n % 3];
            rows.push(format!(
                "({}, {org}, {conv}, {lead}, '{kind}', 'booked', 'Call {n}', '{}'{ts_cast}, '{}'{ts_cast}, '{}'{ts_cast}, '{}'{ts_cast})",
                id(&uuid::Uuid::now_v7().to_string()),
                stamp(start),
                stamp(end),
                stamp(base),
                stamp(base),
            ));
        }
        app.sql(
            &format!(
                "INSERT INTO calendar_events (id, org_id, conversation_id, contact_id, kind, status, title, start_at, end_at, created_at, updated_at) VALUES {}",
                rows.join(",")
            ),
            vec![],
        )
        .await;
    }
    let from = Utc::now();
    let to = from + Duration::days(7);
    let path = format!(
        "/api/v1/calendar?from={}&to={}",
        urlencode(&from.to_rfc3339()),
        urlencode(&to.to_rfc3339())
    );
    let mut times = vec![];
    let mut n = 0;
    for _ in 0..20 {
        let t = std::time::Instant::now();
        let r = app.get(&path, &owner.token).await;
        times.push(t.elapsed());
        assert_eq!(r.status, StatusCode::OK);
        n = r.body["items"].as_array().unwrap().len();
    }
    times.sort();
    println!(
        "MEASURE calendar week on {b:?}: {n} events of {total}; median {:?}, p90 {:?}, max {:?}",
        times[times.len() / 2],
        times[times.len() * 9 / 10],
        times[times.len() - 1]
    );
    app.finish().await;
}
