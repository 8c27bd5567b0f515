//! Analytics against a scenario whose answer is known: leads from two click-to-WhatsApp ads
//! and one organic lead written months ago across midnight in Asia/Kolkata, a lead writing
//! now answered by a (stand-in) model, priced replies, and manual leads moved through a known
//! funnel. Every report, its CSV, the rollup rebuild agreeing with the live counts, viewers
//! reading and other organisations seeing none of it.

use crate::conversations::{decided, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET, fixture, post_webhook, reply};
use crate::whatsapp_settings::app_with_graph;
use chrono::{DateTime, Duration, Utc};
use closer_llm::fake::{FakeProvider, Reply};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    every_report_adds_up_a_known_scenario,
    reports_are_the_organisations_own
);

const AD_A: &str = "120200000000000001";
const AD_B: &str = "120200000000000002";
/// Midnight 1 March to midnight 3 March 2026 in Kolkata.
const OLD: &str = "from=2026-02-28T18:30:00Z&to=2026-03-02T18:30:00Z";
/// Whole months and the days around them: read from the monthly and the daily rollups.
const YEAR: &str = "from=2026-01-15T00:00:00Z&to=2027-01-10T00:00:00Z";

/// A lead (`wa_id`) writes at `at`, from an ad (`(id, headline)`) or organically.
async fn lead_writes_at(
    app: &TestApp,
    wa_id: &str,
    at: DateTime<Utc>,
    ad: Option<(&str, &str)>,
    text: &str,
) {
    let mut body = match ad {
        Some(_) => fixture("inbound_text_ctwa_referral.json"),
        None => fixture("inbound_text.json"),
    };
    let value = &mut body["entry"][0]["changes"][0]["value"];
    value["contacts"][0]["wa_id"] = json!(wa_id);
    let msg = &mut value["messages"][0];
    msg["from"] = json!(wa_id);
    msg["id"] = json!(format!("wamid.an{}", uuid::Uuid::now_v7().simple()));
    msg["timestamp"] = json!(at.timestamp().to_string());
    msg["text"]["body"] = json!(text);
    if let Some((id, headline)) = ad {
        msg["referral"]["source_id"] = json!(id);
        msg["referral"]["headline"] = json!(headline);
    }
    post_webhook(app, &body).await;
}

async fn conversation_of(app: &TestApp, s: &Session, wa_id: &str) -> String {
    eventually(15, &format!("{wa_id}'s conversation"), || async {
        let r = app.get("/api/v1/conversations?limit=200", &s.token).await;
        r.body["items"]
            .as_array()?
            .iter()
            .find(|c| {
                c["contact"]["phone"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(wa_id))
            })
            .map(|c| c["id"].as_str().unwrap().to_owned())
    })
    .await
}

async fn get_ok(app: &TestApp, s: &Session, path: &str) -> Value {
    let r = app.get(path, &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    r.body
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

/// A model that plans, writes and approves one answer (100 tokens in, 20 out per call).
fn model_answers(fake: &FakeProvider) {
    fake.respond_with(|r| {
        let system = r.body["messages"][0]["content"]
            .as_str()
            .unwrap_or_default();
        let answer = if system.starts_with("You plan") {
            json!({"reason_code": "pricing_discussion", "cta_type": null, "ask": "name",
                   "key_points": ["₹2999 with EMI"], "confidence": 0.8})
        } else if system.starts_with("You write") {
            json!({"message_text": "It's ₹2999, and EMI is available. May I have your name?"})
        } else {
            json!({"verdict": "approve", "issues": []})
        };
        Reply::openai(&answer.to_string())
    });
}

async fn priced(app: &TestApp, fixture_name: &str, wamid: &str, pricing: Value) {
    let mut body = fixture(fixture_name);
    let s = &mut body["entry"][0]["changes"][0]["value"]["statuses"][0];
    s["id"] = json!(wamid);
    s["timestamp"] = json!(Utc::now().timestamp().to_string());
    s["pricing"] = pricing;
    post_webhook(app, &body).await;
}

async fn sent_wamid(app: &TestApp, s: &Session, conv: &str, id: &str) -> String {
    eventually(15, "the reply sent", || async {
        let m = messages(app, s, conv)
            .await
            .into_iter()
            .find(|m| m["id"] == id)?;
        m["provider_message_id"].as_str().map(str::to_owned)
    })
    .await
}

async fn every_report_adds_up_a_known_scenario(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let r = app
        .put(
            "/api/v1/org",
            &owner.token,
            json!({"name": "Hooks", "timezone": "Asia/Kolkata"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let card = json!({"currency": "USD", "rates": [
        {"country": "*", "category": "utility", "price": 0.02},
        {"country": "*", "category": "marketing", "price": 0.05},
    ]});
    let r = app
        .put("/api/v1/settings/rate-card", &owner.token, card)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // Nothing yet: zeros, not 404.
    let empty = get_ok(&app, &owner, &format!("/api/v1/dashboard/stats?{OLD}")).await;
    assert_eq!(
        (empty["new_leads"].clone(), empty["messages"].clone()),
        (json!(0), json!({"in": 0, "out": 0}))
    );
    assert_eq!(
        empty["cost"],
        json!({"currency": "USD", "meta": 0.0, "model": 0.0, "total": 0.0})
    );
    assert_eq!(empty["median_first_response_seconds"], Value::Null);

    // Months ago, across midnight in Kolkata (UTC+5:30): Sunday 23:30 and 23:40, then
    // Monday 00:15, 10:30 and 11:30.
    lead_writes_at(
        &app,
        "919800000101",
        utc("2026-03-01T18:00:00Z"),
        Some((AD_A, "Spring sale")),
        "hi",
    )
    .await;
    lead_writes_at(
        &app,
        "919800000101",
        utc("2026-03-01T18:10:00Z"),
        Some((AD_A, "Spring sale")),
        "price?",
    )
    .await;
    lead_writes_at(
        &app,
        "919800000102",
        utc("2026-03-01T18:45:00Z"),
        Some((AD_A, "Spring sale")),
        "hello",
    )
    .await;
    lead_writes_at(
        &app,
        "919800000103",
        utc("2026-03-02T05:00:00Z"),
        Some((AD_B, "Free demo")),
        "hey",
    )
    .await;
    lead_writes_at(
        &app,
        "919800000104",
        utc("2026-03-02T06:00:00Z"),
        None,
        "good morning",
    )
    .await;
    let mut convs = vec![];
    for wa in [
        "919800000101",
        "919800000102",
        "919800000103",
        "919800000104",
    ] {
        let conv = conversation_of(&app, &owner, wa).await;
        decided(&app, &owner, &conv, 1).await;
        convs.push(conv);
    }

    let volume = get_ok(
        &app,
        &owner,
        &format!("/api/v1/analytics/volume?{OLD}&interval=day"),
    )
    .await;
    let series: Vec<(Value, Value, Value, Value, Value)> = volume["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["day"].clone(),
                p["at"].clone(),
                p["leads"].clone(),
                p["conversations"].clone(),
                p["messages_in"].clone(),
            )
        })
        .collect();
    assert_eq!(
        series,
        vec![
            (
                json!("2026-03-01"),
                json!("2026-02-28T18:30:00Z"),
                json!(1),
                json!(1),
                json!(2)
            ),
            (
                json!("2026-03-02"),
                json!("2026-03-01T18:30:00Z"),
                json!(3),
                json!(3),
                json!(3)
            ),
        ]
    );
    let week = get_ok(
        &app,
        &owner,
        &format!("/api/v1/analytics/volume?{OLD}&interval=week"),
    )
    .await;
    let weeks: Vec<(Value, Value)> = week["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["day"].clone(), p["leads"].clone()))
        .collect();
    assert_eq!(
        weeks,
        vec![
            (json!("2026-02-23"), json!(1)),
            (json!("2026-03-02"), json!(3))
        ]
    );

    let peak = get_ok(&app, &owner, &format!("/api/v1/analytics/peak-hours?{OLD}")).await;
    let cells = peak["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 168);
    let busy: Vec<(u64, u64, u64)> = cells
        .iter()
        .filter(|c| c["messages_in"] != 0)
        .map(|c| {
            (
                c["weekday"].as_u64().unwrap(),
                c["hour"].as_u64().unwrap(),
                c["messages_in"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(busy, vec![(0, 0, 1), (0, 10, 1), (0, 11, 1), (6, 23, 2)]);

    let sources = get_ok(&app, &owner, &format!("/api/v1/analytics/sources?{OLD}")).await;
    let rows: Vec<(Value, Value, Value)> = sources["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["lead_source"].clone(),
                i["campaign"].clone(),
                i["leads"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                json!("click_to_chat_ad"),
                json!({"id": AD_A, "name": "Spring sale"}),
                json!(2)
            ),
            (
                json!("click_to_chat_ad"),
                json!({"id": AD_B, "name": "Free demo"}),
                json!(1)
            ),
            (json!("organic_inbound"), Value::Null, json!(1)),
        ]
    );

    // Whatever the agent answered to the old leads went out now, not then.
    let old = get_ok(&app, &owner, &format!("/api/v1/dashboard/stats?{OLD}")).await;
    let mut answered = 0;
    for conv in &convs {
        if messages(&app, &owner, conv)
            .await
            .iter()
            .any(|m| m["direction"] == "out" && m["author"] != "note")
        {
            answered += 1;
        }
    }
    assert_eq!(
        (old["new_leads"].clone(), old["conversations"].clone()),
        (json!(4), json!(4))
    );
    assert_eq!(old["messages"], json!({"in": 5, "out": 0}));
    assert!(close(&old["reply_rate"], answered as f64 / 4.0), "{old}");
    assert_eq!(old["compare"]["new_leads"], 0);
    assert_eq!(
        old["compare"]["period"],
        json!({"from": "2026-02-26T18:30:00Z", "to": "2026-02-28T18:30:00Z"})
    );

    // Today: a lead from ad B writes now and a (stand-in) model answers.
    let fake = FakeProvider::start(vec![]).await;
    model_answers(&fake);
    let r = app.put("/api/v1/settings/llm", &owner.token, json!({"provider": "openai", "base_url": fake.url("/v1"),
        "model": "gpt-fake", "api_key": "sk-test", "timeout_ms": 5000, "input_usd_per_mtok": 2.0, "output_usd_per_mtok": 8.0})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"mode": "llm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let wrote = Utc::now();
    lead_writes_at(
        &app,
        "919800000105",
        wrote,
        Some((AD_B, "Free demo")),
        "what are the fees?",
    )
    .await;
    let l5 = conversation_of(&app, &owner, "919800000105").await;
    let d = decided(&app, &owner, &l5, 1).await;
    assert_eq!(d[0]["engine"], "llm");
    convs.push(l5.clone());

    // Two replies: one billed (utility, then re-reported as marketing: the last word
    // stands), one free.
    let billed = reply(&app, &owner, &l5, "Here is your quote.").await;
    let wamid = sent_wamid(&app, &owner, &l5, &billed).await;
    priced(
        &app,
        "status_delivered.json",
        &wamid,
        json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"}),
    )
    .await;
    priced(&app, "status_read.json", &wamid, json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "marketing"})).await;
    let free = reply(&app, &owner, &l5, "Happy to help!").await;
    let wamid = sent_wamid(&app, &owner, &l5, &free).await;
    priced(&app, "status_delivered_free_customer_service.json", &wamid, json!({"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"})).await;
    eventually(15, "the prices kept", || async {
        let ms = messages(&app, &owner, &l5).await;
        let cost = |id: &str| {
            ms.iter()
                .find(|m| m["id"] == id)
                .map(|m| m["cost"]["amount"].clone())
        };
        (cost(&billed) == Some(json!(0.05)) && cost(&free) == Some(json!(0.0))).then_some(())
    })
    .await;

    // The funnel: three leads a member adds and moves, after everything above settled.
    let funnel_from = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let stages = get_ok(&app, &owner, "/api/v1/pipeline/stages").await["items"]
        .as_array()
        .unwrap()
        .clone();
    let stage = |name: &str| {
        stages.iter().find(|s| s["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut manual = vec![];
    for (i, name) in ["Mina", "Ravi", "Sita"].iter().enumerate() {
        let r = app
            .post(
                "/api/v1/leads",
                Some(&owner.token),
                json!({"phone": format!("+91980000030{i}"), "name": name}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        manual.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let move_to = |lead: String, to: String| {
        let app = &app;
        let owner = &owner;
        async move {
            let r = app
                .put(
                    &format!("/api/v1/pipeline/{lead}/move"),
                    &owner.token,
                    json!({"stage_id": to}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        }
    };
    move_to(manual[0].clone(), stage("Engaged")).await;
    move_to(manual[0].clone(), stage("Interested")).await;
    move_to(manual[0].clone(), stage("Paid")).await;
    move_to(manual[1].clone(), stage("Engaged")).await;
    move_to(manual[1].clone(), stage("Lost")).await;
    let r = app
        .put(
            &format!("/api/v1/leads/{}", manual[0]),
            &owner.token,
            json!({"lead_status": "qualified"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let to = Utc::now() + Duration::minutes(1);
    let f = get_ok(
        &app,
        &owner,
        &format!(
            "/api/v1/analytics/funnel?from={}&to={}",
            funnel_from.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    )
    .await;
    let got: Vec<(Value, Value, Value, Value)> = f["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].clone(),
                s["entered"].clone(),
                s["converted_to_next"].clone(),
                s["conversion_rate"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // Rollups count whole local days: the five leads that wrote earlier were placed
            // on the board today too, and the agent moved one of them to Engaged.
            (json!("New"), json!(8), json!(3), json!(0.375)),
            (json!("Engaged"), json!(3), json!(1), json!(0.3333)),
            (json!("Interested"), json!(1), json!(1), json!(1.0)),
            (json!("Paid"), json!(1), json!(0), json!(0.0)),
            (json!("Lost"), json!(1), json!(0), json!(0.0)),
        ]
    );
    assert_eq!((f["won"].clone(), f["lost"].clone()), (json!(1), json!(1)));
    assert!(
        f["stages"][0]["median_seconds_in_stage"]
            .as_f64()
            .is_some_and(|s| s < 60.0),
        "{f}"
    );
    assert_eq!(f["stages"][3]["median_seconds_in_stage"], Value::Null);

    // A saved view's leads alone: Mina went New → Engaged → Interested → Paid.
    let r = app
        .post(
            "/api/v1/views",
            Some(&owner.token),
            json!({"name": "Mina", "filter": [{"field": "name", "operator": "equal_to", "value": "Mina"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let view = r.body["id"].as_str().unwrap().to_owned();
    let funnel_period = format!(
        "from={}&to={}",
        funnel_from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let mine = get_ok(
        &app,
        &owner,
        &format!("/api/v1/analytics/funnel?{funnel_period}&view_id={view}"),
    )
    .await;
    let counts = |f: &Value| -> Vec<(i64, i64)> {
        f["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["entered"].as_i64().unwrap(),
                    s["converted_to_next"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(counts(&mine), vec![(1, 1), (1, 1), (1, 1), (1, 0), (0, 0)]);
    assert_eq!(
        (mine["won"].clone(), mine["lost"].clone()),
        (json!(1), json!(0))
    );
    // A view of every lead says what the rollups say.
    let r = app
        .post(
            "/api/v1/views",
            Some(&owner.token),
            json!({"name": "Everyone", "filter": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let everyone = r.body["id"].as_str().unwrap().to_owned();
    let all = get_ok(
        &app,
        &owner,
        &format!("/api/v1/analytics/funnel?{funnel_period}&view_id={everyone}"),
    )
    .await;
    let rolled = get_ok(
        &app,
        &owner,
        &format!("/api/v1/analytics/funnel?{funnel_period}"),
    )
    .await;
    assert_eq!(all, rolled);
    let csv = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/analytics/funnel.csv?{funnel_period}&view_id={view}"),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    // Another organisation's view, or no such view: 404.
    let other = app.signup_org("Elsewhere").await;
    let r = app
        .get(
            &format!("/api/v1/analytics/funnel?{funnel_period}&view_id={view}"),
            &other.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    let r = app
        .get("/api/v1/analytics/funnel?view_id=not-a-view", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);

    // Today's figures, from what the API says happened.
    let today = format!(
        "from={}&to={}",
        (wrote - Duration::hours(30)).format("%Y-%m-%dT%H:%M:%SZ"),
        to.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let mut decisions = vec![];
    let mut outbound = vec![];
    for conv in &convs {
        let r = get_ok(
            &app,
            &owner,
            &format!("/api/v1/conversations/{conv}/decisions?limit=200"),
        )
        .await;
        decisions.extend(r["items"].as_array().unwrap().clone());
        outbound.extend(
            messages(&app, &owner, conv)
                .await
                .into_iter()
                .filter(|m| m["direction"] == "out" && m["author"] != "note"),
        );
    }
    let model_cost: f64 = decisions
        .iter()
        .map(|d| d["cost_usd"].as_f64().unwrap())
        .sum();
    let model_cost = (model_cost * 1e6).round() / 1e6;
    assert!(model_cost > 0.0);
    let tokens_in: i64 = decisions
        .iter()
        .map(|d| d["input_tokens"].as_i64().unwrap())
        .sum();
    let tokens_out: i64 = decisions
        .iter()
        .map(|d| d["output_tokens"].as_i64().unwrap())
        .sum();
    let l5_messages = messages(&app, &owner, &l5).await;
    let lead_at: DateTime<Utc> =
        l5_messages.iter().find(|m| m["direction"] == "in").unwrap()["created_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    let first_out: DateTime<Utc> = l5_messages
        .iter()
        .filter(|m| m["direction"] == "out" && m["author"] != "note")
        .map(|m| {
            m["created_at"]
                .as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
        })
        .min()
        .unwrap();

    let stats = get_ok(&app, &owner, &format!("/api/v1/dashboard/stats?{today}")).await;
    assert_eq!(stats["new_leads"], 4, "{stats}");
    assert_eq!(stats["conversations"], 1);
    assert_eq!(stats["messages"], json!({"in": 1, "out": outbound.len()}));
    assert_eq!(
        (stats["won_leads"].clone(), stats["lost_leads"].clone()),
        (json!(1), json!(1))
    );
    assert!(stats["qualified_leads"].as_i64().unwrap() >= 1);
    assert_eq!(stats["reply_rate"], 1.0);
    let median = stats["median_first_response_seconds"].as_f64().unwrap();
    assert!(
        (median - (first_out - lead_at).num_seconds() as f64).abs() <= 1.0,
        "{median} vs {lead_at} → {first_out}"
    );
    assert_eq!(stats["cost"]["currency"], "USD");
    assert!(close(&stats["cost"]["meta"], 0.05), "{stats}");
    assert!(close(&stats["cost"]["model"], model_cost), "{stats}");
    assert!(
        close(
            &stats["cost"]["total"],
            ((0.05 + model_cost) * 1e6).round() / 1e6
        ),
        "{stats}"
    );

    let agent = get_ok(&app, &owner, &format!("/api/v1/analytics/agent?{today}")).await;
    assert_eq!(agent["decisions"], decisions.len());
    let engine = |e: &str| decisions.iter().filter(|d| d["engine"] == e).count();
    assert_eq!(
        agent["by_engine"],
        json!({"rules": engine("rules"), "llm": engine("llm"), "fallback": engine("fallback")})
    );
    assert_eq!(
        agent["by_reason_code"]["pricing_discussion"],
        decisions
            .iter()
            .filter(|d| d["reason_code"] == "pricing_discussion")
            .count()
    );
    assert_eq!(agent["tokens"], json!({"in": tokens_in, "out": tokens_out}));
    assert!(close(&agent["model_cost"], model_cost));

    let costs = get_ok(&app, &owner, &format!("/api/v1/analytics/costs?{today}")).await;
    let total = ((0.05 + model_cost) * 1e6).round() / 1e6;
    assert!(close(&costs["per_conversation"], total), "{costs}");
    assert!(close(&costs["per_won_lead"], total), "{costs}");
    let summed: f64 = costs["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["meta"].as_f64().unwrap())
        .sum();
    assert!((summed - 0.05).abs() < 1e-9);

    let sources = get_ok(&app, &owner, &format!("/api/v1/analytics/sources?{today}")).await;
    let row = |source: &str, ad: Option<&str>| {
        sources["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["lead_source"] == source && i["campaign"]["id"].as_str() == ad)
            .cloned()
            .unwrap_or_else(|| panic!("{source}: {sources}"))
    };
    let manual_row = row("manual", None);
    assert_eq!(
        (
            manual_row["leads"].clone(),
            manual_row["won"].clone(),
            manual_row["qualified"].clone()
        ),
        (json!(3), json!(1), json!(1))
    );
    let ad_b = row("click_to_chat_ad", Some(AD_B));
    assert_eq!(ad_b["leads"], 1);
    assert!(ad_b["cost"].as_f64().unwrap() >= 0.05, "{ad_b}");
    assert!(close(
        &ad_b["cost_per_lead"],
        ad_b["cost"].as_f64().unwrap()
    ));
    assert_eq!(ad_b["cost_per_won_lead"], Value::Null);

    let sentiment = get_ok(
        &app,
        &owner,
        &format!("/api/v1/analytics/sentiment?{today}"),
    )
    .await;
    let read: i64 = sentiment["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["positive"].as_i64().unwrap()
                + p["neutral"].as_i64().unwrap()
                + p["negative"].as_i64().unwrap()
        })
        .sum();
    assert!(read <= decisions.len() as i64);

    // CSV: the same figures, one row per point.
    let r = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/analytics/volume.csv?{OLD}"),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.body.as_str().unwrap().to_owned();
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        vec![
            "at,day,leads,conversations,messages_in,messages_out,bookings",
            "2026-02-28T18:30:00+00:00,2026-03-01,1,1,2,0,0",
            "2026-03-01T18:30:00+00:00,2026-03-02,3,3,3,0,0",
        ]
    );
    let r = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/analytics/sources.csv?{OLD}"),
            Some(&owner.token),
            None,
        )
        .await;
    assert!(
        r.body
            .as_str()
            .unwrap()
            .contains(&format!("click_to_chat_ad,{AD_A},Spring sale,2,")),
        "{:?}",
        r.body
    );
    for report in ["funnel", "peak-hours", "sentiment", "agent", "costs"] {
        let r = app
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/analytics/{report}.csv?{today}"),
                Some(&owner.token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{report}");
    }

    // Rebuilt from scratch, the rollups say what the live counts said.
    let paths = [
        format!("/api/v1/analytics/volume?{OLD}"),
        format!("/api/v1/analytics/peak-hours?{OLD}"),
        format!("/api/v1/analytics/sources?{OLD}"),
        format!("/api/v1/analytics/sources?{today}"),
        format!("/api/v1/analytics/agent?{today}"),
        format!("/api/v1/analytics/costs?{today}"),
        format!("/api/v1/dashboard/stats?{today}"),
        format!("/api/v1/analytics/funnel?{today}"),
        format!("/api/v1/analytics/funnel?{YEAR}"),
        format!("/api/v1/dashboard/stats?{YEAR}"),
        format!("/api/v1/analytics/peak-hours?{YEAR}"),
    ];
    let mut live = vec![];
    for p in &paths {
        live.push(get_ok(&app, &owner, p).await);
    }
    // Every lead of the scenario, whether its month is read whole or by its days.
    let year = get_ok(&app, &owner, &format!("/api/v1/dashboard/stats?{YEAR}")).await;
    assert_eq!(year["new_leads"], 8, "{year}");
    let store = closer_store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let done = store.rebuild_rollups().await.unwrap();
    assert_eq!(done.leads, 8);
    for (p, was) in paths.iter().zip(live) {
        assert_eq!(get_ok(&app, &owner, p).await, was, "{p} after the rebuild");
    }

    // A viewer reads them too.
    let viewer = app.add_member(&owner, "viewer").await;
    let seen = get_ok(&app, &viewer, &format!("/api/v1/dashboard/stats?{OLD}")).await;
    assert_eq!(seen["new_leads"], 4);
    app.finish().await;
}

async fn reports_are_the_organisations_own(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    lead_writes_at(
        &app,
        "919800000201",
        utc("2026-03-01T10:00:00Z"),
        Some((AD_A, "Spring sale")),
        "hi",
    )
    .await;
    conversation_of(&app, &owner, "919800000201").await;
    let mine = get_ok(&app, &owner, &format!("/api/v1/dashboard/stats?{OLD}")).await;
    assert_eq!(mine["new_leads"], 1);

    let other = app.signup_org("Elsewhere").await;
    let theirs = get_ok(&app, &other, &format!("/api/v1/dashboard/stats?{OLD}")).await;
    assert_eq!(
        (
            theirs["new_leads"].clone(),
            theirs["messages"]["in"].clone()
        ),
        (json!(0), json!(0))
    );
    let sources = get_ok(&app, &other, &format!("/api/v1/analytics/sources?{OLD}")).await;
    assert_eq!(sources["items"], json!([]));
    let peak = get_ok(&app, &other, &format!("/api/v1/analytics/peak-hours?{OLD}")).await;
    assert!(
        peak["cells"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["messages_in"] == 0)
    );
    let r = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/analytics/volume.csv?{OLD}"),
            Some(&other.token),
            None,
        )
        .await;
    assert_eq!(
        r.body
            .as_str()
            .unwrap()
            .lines()
            .filter(|l| l.contains(",1,"))
            .count(),
        0
    );

    // Without a token: 401; a period that ends before it starts: 422; no such report: 404.
    let r = app
        .request(reqwest::Method::GET, "/api/v1/analytics/volume", None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .get(
            "/api/v1/analytics/volume?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app
        .get("/api/v1/analytics/volume?interval=year", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app.get("/api/v1/analytics/nothing.csv", &owner.token).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    app.finish().await;
}
