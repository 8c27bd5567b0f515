//! Nothing accepted is lost: a process killed with SIGKILL right after answering keeps every
//! message it acknowledged and its jobs run after the restart; a job whose worker vanished
//! mid-run is taken over once its lease runs out.

use crate::conversations::lead_writes;
use crate::harness::{
    Backend, Closer, Session, TestApp, drop_database, eventually, fresh_database,
};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    acknowledged_messages_survive_kill_9,
    a_vanished_workers_job_is_taken_over
);

async fn count(http: &reqwest::Client, base: &str, s: &Session, path: &str) -> usize {
    let r = http
        .get(format!("{base}{path}"))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    body["items"].as_array().map_or(0, Vec::len)
}

async fn acknowledged_messages_survive_kill_9(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(b, dir.path()).await;
    let http = reqwest::Client::new();
    let first = Closer::start(&url, dir.path(), &[]).await;
    let owner = first.signup_owner(&http).await;
    let mut acknowledged = vec![];
    for i in 0..20 {
        let r = http
            .post(format!("{}/api/v1/sandbox/inbound", first.base))
            .bearer_auth(&owner.token)
            .json(&json!({"phone": format!("1555002{:04}", i % 5), "text": format!("message {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let body: serde_json::Value = r.json().await.unwrap();
        acknowledged.push(body["conversation_id"].as_str().unwrap().to_owned());
    }
    // Killed before the processing jobs' debounce has passed: they are still pending.
    first.kill_9();

    let second = Closer::start(&url, dir.path(), &[]).await;
    acknowledged.sort();
    acknowledged.dedup();
    assert_eq!(acknowledged.len(), 5);
    let mut total = 0;
    for conv in &acknowledged {
        total += count(
            &http,
            &second.base,
            &owner,
            &format!("/api/v1/conversations/{conv}/messages"),
        )
        .await;
    }
    assert_eq!(
        total, 20,
        "every acknowledged message is there after the restart"
    );
    // The jobs the dead process queued run in the new one.
    eventually(
        20,
        "the processing jobs to run after the restart",
        || async {
            let r = http
                .get(format!("{}/api/v1/jobs?status=done", second.base))
                .bearer_auth(&owner.token)
                .send()
                .await
                .ok()?;
            let body: serde_json::Value = r.json().await.ok()?;
            let processed = body["items"]
                .as_array()?
                .iter()
                .filter(|j| j["kind"] == "process_conversation")
                .count();
            (processed == 5).then_some(())
        },
    )
    .await;
    drop(second);
    if let Some(db) = pg {
        drop_database(&db).await;
    }
}

async fn a_vanished_workers_job_is_taken_over(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Ghost").await;
    let (conv, _) = lead_writes(&app, &owner, "15550009999", "hi").await;
    // As if a worker claimed the processing job and died: running, lease already expired.
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    app.sql(
        "UPDATE jobs SET status = 'running', attempts = 1, locked_by = 'ghost', lease_until = ?",
        vec![past.into()],
    )
    .await;
    eventually(
        20,
        "the scheduler to hand the job to a live worker",
        || async {
            let state = app
                .sql_text(
                    "SELECT status || ':' || CAST(attempts AS TEXT) || ':' || locked_by FROM jobs WHERE kind = 'process_conversation'",
                )
                .await?;
            (state.starts_with("done:2:") && !state.ends_with("ghost")).then_some(())
        },
    )
    .await;
    let ready = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM messages WHERE ready_at IS NOT NULL AND direction = 'in'")
        .await
        .unwrap();
    assert_eq!(ready, "1", "the taken-over job did its work ({conv})");
    app.finish().await;
}
