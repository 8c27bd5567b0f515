//! Decision latency excluding model time, and prompt sizes against the budget, over 1,000
//! simulated conversations (issue 4's benchmark). Run with `cargo bench -p closer-agent`.
//!
//! Each conversation is a scripted lead of 4–16 messages against a business with 60 FAQ
//! entries. The rules engine runs as is; the LLM engine runs with an instant in-process model
//! (canned, valid answers), so what is timed is everything the agent does around the model:
//! extraction, retrieval, the context compiler with its tokenizer, three prompts, parsing and
//! validation, guardrails.

use chrono::{TimeZone, Utc};
use closer_agent::simulator::Conversation;
use closer_agent::snapshot::{CtaConfig, KnowledgeEntry};
use closer_agent::{AgentProfile, EngineMode};
use closer_domain::sales::CtaType;
use closer_llm::{ChatModel, ChatRequest, ChatResponse, LlmError, Prices, Usage};
use std::time::Instant;

const CONVERSATIONS: usize = 1_000;

/// Answers every stage at once with a valid JSON object.
struct InstantModel;

#[async_trait::async_trait]
impl ChatModel for InstantModel {
    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let text = if request.system.starts_with("You plan") {
            r#"{"reason_code": "qualification_question", "cta_type": null, "ask": "name", "key_points": ["Weekend batches"], "confidence": 0.8}"#
        } else if request.system.starts_with("You write") {
            r#"{"message_text": "Happy to help with that. Weekend batches run Saturday and Sunday. May I know your name?"}"#
        } else {
            r#"{"verdict": "approve", "issues": []}"#
        };
        Ok(ChatResponse {
            text: text.to_owned(),
            usage: Usage {
                input_tokens: 1_000,
                output_tokens: 40,
            },
            model: "instant".into(),
            attempts: 1,
        })
    }

    fn prices(&self) -> Prices {
        Prices {
            input_usd_per_mtok: 0.15,
            output_usd_per_mtok: 0.6,
        }
    }
}

const LINES: &[&str] = &[
    "Hi, what are your fees?",
    "I'm Priya from Pune",
    "Do you have weekend batches? I work Monday to Friday and can only study on Saturday and Sunday mornings, sometimes evenings if my manager lets me leave early.",
    "my budget is around 10k",
    "sorry, I meant 15k",
    "Namaste, fees kitni hai?",
    "mujhe trading seekhna hai, bilkul beginner hun",
    "bahut mehenga hai",
    "is there a refund if I don't like it?",
    "what is the syllabus for the advanced course and who teaches it, are they certified?",
    "ok",
    "yes, tomorrow 5pm",
    "can you send me the brochure on my email priya.k@example.com",
    "I will think about it and let you know by Friday",
    "how long is each class and are the recordings available later?",
    "do you offer EMI on the advanced course?",
];

/// About 700 words, near WhatsApp's 4,096-character cap: a pasted brochure.
static WALL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    "I have been trading for a while with some friends, we watch the markets every morning \
     and discuss which stocks to buy, but we keep losing money on options and I want to \
     understand risk properly before I put in more of my savings. "
        .repeat(16)
});

fn knowledge() -> Vec<KnowledgeEntry> {
    let topics = [
        (
            "fees",
            "The beginner course costs ₹2999 for three months; the advanced one ₹5999.",
        ),
        (
            "weekend batches",
            "Batches run every Saturday and Sunday at 10 AM and 6 PM.",
        ),
        (
            "refund",
            "Full refund within 7 days of joining, no questions asked.",
        ),
        (
            "syllabus",
            "Market basics, technical analysis, risk management, options, live trading.",
        ),
        (
            "EMI",
            "EMI is available on both courses through our payment partner.",
        ),
        (
            "recordings",
            "Every class is recorded and available in the app for a year.",
        ),
    ];
    (0..60)
        .map(|i| {
            let (topic, answer) = topics[i % topics.len()];
            KnowledgeEntry {
                id: format!("k{i}"),
                kind: closer_domain::work::KnowledgeKind::Faq,
                title: format!("What about {topic} (variant {i})?"),
                content: format!(
                    "{answer} {}",
                    "More details are on our website. ".repeat(i % 5)
                ),
                source_url: None,
                stale: false,
            }
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

async fn run(mode: EngineMode) -> (Vec<f64>, Vec<u32>) {
    let model = InstantModel;
    let mut profile = AgentProfile::starter("Acme Academy");
    profile.mode = mode;
    profile.business_config.timezone = "Asia/Kolkata".into();
    let cta = CtaConfig {
        kind: CtaType::BookCall,
        name: "Free counselling call".into(),
        link: Some("https://cal.example.com/acme".into()),
        phone: None,
        enabled: true,
        position: 0,
    };
    let knowledge = knowledge();
    let start = Utc.with_ymd_and_hms(2026, 11, 17, 4, 30, 0).unwrap();
    let mut latencies = vec![];
    let mut prompts = vec![];
    for n in 0..CONVERSATIONS {
        let mut c = Conversation::new(profile.clone(), start)
            .with_ctas(vec![cta.clone()])
            .with_knowledge(knowledge.clone());
        let turns = 4 + n % 13;
        for t in 0..turns {
            // Every tenth conversation has a lead who pastes walls of text, to push the
            // context compiler against the budget.
            let line = if n % 10 == 0 && t % 2 == 1 {
                WALL.as_str()
            } else {
                LINES[(n * 7 + t * 3) % LINES.len()]
            };
            let began = Instant::now();
            let outcome = c.lead_says(line, Some(&model)).await;
            latencies.push(began.elapsed().as_secs_f64() * 1e3);
            // Opt-outs, handovers and silence never reach the model.
            if mode == EngineMode::Llm && outcome.decision.prompt_tokens > 0 {
                prompts.push(outcome.decision.prompt_tokens);
            }
        }
    }
    (latencies, prompts)
}

fn report(name: &str, mut latencies: Vec<f64>) {
    latencies.sort_by(f64::total_cmp);
    println!(
        "{name:>5}: {} decisions, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run_once());
    let (rules, _) = runtime.block_on(run(EngineMode::Rules));
    report("rules", rules);
    let (llm, mut prompts) = runtime.block_on(run(EngineMode::Llm));
    report("llm", llm);
    prompts.sort_unstable();
    let budget = closer_agent::context::ContextBudget::default().total as u32;
    let over = prompts.iter().filter(|p| **p > budget).count();
    let as_f: Vec<f64> = prompts.iter().map(|p| f64::from(*p)).collect();
    println!(
        "prompt tokens of {} model decisions (largest stage, budget {budget}): min {}, p50 {}, p90 {}, p99 {}, max {}, over budget {over}",
        prompts.len(),
        prompts.first().copied().unwrap_or_default(),
        percentile(&as_f, 0.5),
        percentile(&as_f, 0.9),
        percentile(&as_f, 0.99),
        prompts.last().copied().unwrap_or_default(),
    );
    let buckets = [1_000, 1_500, 2_000, 2_500, 3_000, 3_500];
    let mut from = 0;
    for to in buckets {
        let n = prompts.iter().filter(|p| **p > from && **p <= to).count();
        println!("  {from:>5}–{to:<5} {n}");
        from = to;
    }
    assert_eq!(over, 0, "a prompt went over the budget");
}

/// One think per engine first: the tokenizer's tables (about 140 ms to load) and the regexes
/// are built once per process, as in a running server.
async fn run_once() {
    let mut profile = AgentProfile::starter("Warm-up");
    let mut c = Conversation::new(profile.clone(), Utc::now());
    c.lead_says("hello, what are your fees?", None).await;
    profile.mode = EngineMode::Llm;
    let mut c = Conversation::new(profile, Utc::now());
    c.lead_says("hello, what are your fees?", Some(&InstantModel))
        .await;
}
