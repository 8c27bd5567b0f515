//! The agent-test run job: each case is played into a fresh simulated conversation with the
//! organisation's knowledge, CTAs and engine (or the draft profile the run was given) — the
//! same think step as live traffic, and nothing reaches the inbox, the outbox or the queue.

use crate::agent_run;
use crate::llm_provider::ModelCache;
use crate::worker::JobFailure;
use closer_agent::simulator::Conversation;
use closer_agent::testing::run_case;
use closer_agent::{AgentProfile, EngineMode};
use closer_domain::agent_tests::{AgentTestRunStatus, TestResult};
use closer_store::Store;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Plays the run's cases and records the results. A run already settled (a retried job) is
/// left as it is.
pub async fn execute(
    store: &Store,
    models: &ModelCache,
    org_id: Uuid,
    run_id: Uuid,
) -> Result<(), JobFailure> {
    let scope = store.org(org_id);
    let run = scope.agent_test_run(run_id).await?;
    if run.status != AgentTestRunStatus::Running {
        return Ok(());
    }
    let profile = match &run.profile {
        Some(draft) => match draft_profile(draft) {
            Ok(p) => p,
            Err(why) => {
                scope.fail_agent_test_run(run_id, &why).await?;
                return Ok(());
            }
        },
        None => agent_run::profile(store, org_id).await?.1,
    };
    let profile = agent_run::with_org_currency(store, org_id, profile).await?;
    let model = if profile.mode == EngineMode::Llm {
        models.chat_model(store, org_id).await?
    } else {
        None
    };
    let (ctas, knowledge) = agent_run::ctas_and_knowledge(store, org_id).await?;
    let mut tests = scope.agent_tests().await?;
    if let Some(ids) = &run.test_ids {
        tests.retain(|t| ids.contains(&t.id));
    }
    let mut results = Vec::with_capacity(tests.len());
    let mut cost = 0.0;
    for test in tests {
        let conversation = Conversation::new(profile.clone(), chrono::Utc::now())
            .with_ctas(ctas.clone())
            .with_knowledge(knowledge.clone());
        let out = run_case(conversation, &test.turns, &test.expect, model.as_deref()).await;
        cost += out.cost_usd;
        results.push(TestResult {
            test_id: test.id,
            name: test.name,
            passed: out.passed,
            transcript: out.transcript,
            failures: out.failures,
        });
    }
    scope.finish_agent_test_run(run_id, &results, cost).await?;
    Ok(())
}

/// The agent a run's stored draft describes: `{mode, business_config, …}`.
fn draft_profile(draft: &Value) -> Result<AgentProfile, String> {
    let mode: EngineMode = draft
        .get("mode")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| format!("the draft's mode is not readable: {e}"))?
        .unwrap_or(EngineMode::Rules);
    let docs: BTreeMap<&str, Value> = draft
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "mode")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    AgentProfile::from_documents(mode, &docs).map_err(|e| e.to_string())
}
