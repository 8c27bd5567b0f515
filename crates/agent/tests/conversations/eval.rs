//! The agent's evaluation set (issue 10 item 8) as a test: the targets hold on the
//! hand-labelled messages, and every scripted conversation goes as a sales manager expects.
//! `cargo run -p closer-agent --example eval -- --verbose` prints the same report.

use closer_agent::eval::{EvalSet, run};
use std::path::Path;

#[tokio::test]
async fn the_evaluation_set_meets_its_targets() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval");
    let set = EvalSet::load(&dir).expect("the evaluation set reads");
    let report = run(&set).await.expect("the evaluation runs");
    let summary = format!("{report}\n\n{}", report.failures.join("\n"));
    assert!(
        report.messages >= 150 && report.conversations >= 20,
        "the set shrank: {summary}"
    );
    let missed = report.missed_targets();
    assert!(missed.is_empty(), "{missed:?}\n{summary}");
    assert_eq!(report.passed, report.conversations, "{summary}");
}
