//! The agent's evaluation report (issue 10 item 8): `cargo run -p closer-agent --example eval`,
//! with `-- --verbose` for every miss. Exits non-zero when a target is missed.

use closer_agent::eval::{EvalSet, run};
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval");
    let set = EvalSet::load(&dir).unwrap_or_else(|e| panic!("the evaluation set: {e}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let report = runtime
        .block_on(run(&set))
        .unwrap_or_else(|e| panic!("{e}"));
    if std::env::args().any(|a| a == "--verbose" || a == "-v") {
        for line in &report.failures {
            println!("{line}");
        }
        println!();
    }
    println!("{report}");
    let missed = report.missed_targets();
    if !missed.is_empty() {
        println!("targets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}
