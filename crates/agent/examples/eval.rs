//! The agent's evaluation report (issue 10 item 8): `cargo run -p closer-agent --example eval`,
//! with `-- --verbose` for every miss, `-- --messages messages-holdout.json` for one file of
//! messages alone. Exits non-zero when a target is missed.

use closer_agent::eval::{EvalSet, run};
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval");
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--messages")
        .and_then(|i| args.get(i + 1));
    let set = match only {
        Some(file) => EvalSet::load_messages(&dir, std::slice::from_ref(file)),
        None => EvalSet::load(&dir),
    }
    .unwrap_or_else(|e| panic!("the evaluation set: {e}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let report = runtime
        .block_on(run(&set))
        .unwrap_or_else(|e| panic!("{e}"));
    if args.iter().any(|a| a == "--verbose" || a == "-v") {
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
