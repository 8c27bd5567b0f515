//! The LLM engine: planner → writer → critic, each a JSON answer checked against its schema
//! before anything uses it. A malformed or invalid answer gets one repair attempt quoting what
//! was wrong ([`ask_json`]); the client already retried 429s, 5xx and timeouts. Whatever the model says, the
//! code guardrails run afterwards; this engine only proposes.

use crate::context::{self, CompiledContext, ContextBudget};
use crate::extract::Extraction;
use crate::guardrails::Draft;
use crate::profile::EmojiPolicy;
use crate::retrieval::{Snippet, SnippetSource};
use crate::rules_engine::reply_language;
use crate::snapshot::Snapshot;
use crate::state::ConversationState;
use closer_domain::sales::{CtaType, ReasonCode};
use closer_llm::{ChatMessage, ChatModel, ChatRequest, Usage, ask_json};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Longest message the writer may propose (WhatsApp allows 4,096; a sales reply never needs it).
const MAX_MESSAGE_CHARS: usize = 1_000;

/// Reason codes the planner may choose. Handing over is decided by the escalation rules,
/// never by the model; follow-ups have their own job.
const PLANNABLE: &[ReasonCode] = &[
    ReasonCode::InitialGreeting,
    ReasonCode::QualificationQuestion,
    ReasonCode::Discovery,
    ReasonCode::ValueProposition,
    ReasonCode::ObjectionHandling,
    ReasonCode::CtaPush,
    ReasonCode::PricingDiscussion,
    ReasonCode::SoftNudge,
    ReasonCode::ValueAdd,
    ReasonCode::SocialProof,
    ReasonCode::ClarificationRequest,
    ReasonCode::Confirmation,
    ReasonCode::StaySilent,
    ReasonCode::ExitGraceful,
];

/// What the rules already worked out this turn, for the model to build on.
pub struct Guidance<'a> {
    /// The rules engine's own draft: a safe, deterministic answer the writer may improve.
    pub suggestion: &'a Draft,
    /// The slot the rules would ask for next.
    pub next_slot: Option<String>,
    /// The CTA the rules would push next (the state machine allows it).
    pub next_cta: Option<CtaType>,
}

/// A model-written draft, what it plans to ask, and what it cost.
#[derive(Debug, Clone)]
pub struct Written {
    pub draft: Draft,
    /// The slot the reply asks for (`booking_time` and `confirm:NAME` included).
    pub asks: Option<String>,
    pub usage: Usage,
    pub cost_usd: f64,
    /// The largest prompt of the three stages, in tokens.
    pub prompt_tokens: u32,
    /// The critic's verdict, shown beside the guardrails.
    pub critique: String,
}

/// Why the engine gave up, and what the calls before that cost.
#[derive(Debug, Clone)]
pub struct Failure {
    pub error: String,
    pub usage: Usage,
    pub cost_usd: f64,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PlanOut {
    reason_code: String,
    #[serde(default)]
    cta_type: Option<String>,
    #[serde(default)]
    ask: Option<String>,
    #[serde(default)]
    key_points: Vec<String>,
    confidence: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub reason_code: ReasonCode,
    pub cta_type: Option<CtaType>,
    pub ask: Option<String>,
    pub key_points: Vec<String>,
    pub confidence: f32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct WriteOut {
    message_text: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct CritiqueOut {
    verdict: String,
    #[serde(default)]
    issues: Vec<String>,
    #[serde(default)]
    revised_text: Option<String>,
}

const PLANNER: &str = "You plan the next WhatsApp reply of a business's sales assistant. \
Read the business configuration, memory and messages. Decide why to reply and what to do. \
Answer with one JSON object: {\"reason_code\": one of REASONS, \"cta_type\": one of CTAS or null, \
\"ask\": the one thing to ask for (a qualification slot name from the checklist, \"booking_time\", \
\"confirm:SLOT\") or null, \"key_points\": [up to 3 short facts to say, only from the knowledge or \
configuration], \"confidence\": 0.0-1.0}. Never invent prices or facts. Offer a CTA only if the \
memory shows it may be offered.";

const WRITER: &str = "You write the WhatsApp reply of a business's sales assistant, following \
the plan. You are an AI assistant and never say or imply you are human. Use only facts from the \
configuration, knowledge and key points. Answer with one JSON object: {\"message_text\": the \
reply}.";

const CRITIC: &str = "You check a draft WhatsApp reply of a business's sales assistant against \
its rules before it is sent. Answer with one JSON object: {\"verdict\": \"approve\" or \
\"revise\", \"issues\": [what breaks a rule], \"revised_text\": the corrected reply when \
revising, else null}.";

pub struct LlmEngine<'m> {
    model: &'m dyn ChatModel,
    budget: ContextBudget,
}

/// What every stage of one think shares: the snapshot and its compiled context.
struct Base<'a> {
    s: &'a Snapshot,
    state: &'a ConversationState,
    knowledge: Vec<Snippet>,
    earlier: Vec<Snippet>,
    compiled: CompiledContext,
}

/// One stage's call, and how big its prompt is.
struct Stage {
    request: ChatRequest,
    prompt_tokens: usize,
}

impl<'m> LlmEngine<'m> {
    pub fn new(model: &'m dyn ChatModel) -> Self {
        LlmEngine {
            model,
            budget: ContextBudget::default(),
        }
    }

    pub fn with_budget(mut self, budget: ContextBudget) -> Self {
        self.budget = budget;
        self
    }

    /// Plans, writes and critiques one reply.
    pub async fn write(
        &self,
        s: &Snapshot,
        x: &Extraction,
        state: &ConversationState,
        snippets: &[Snippet],
        guidance: &Guidance<'_>,
    ) -> Result<Written, Failure> {
        let mut spent = Usage::default();
        let mut prompt_tokens = 0usize;
        let fail = |error: String, spent: Usage| Failure {
            cost_usd: self.model.prices().cost_usd(&spent),
            error,
            usage: spent,
        };
        let (knowledge, earlier): (Vec<Snippet>, Vec<Snippet>) = snippets
            .iter()
            .cloned()
            .partition(|k| k.source == SnippetSource::Knowledge);
        let compiled = context::compile(
            s,
            state,
            &knowledge,
            &earlier,
            self.budget.instructions,
            &self.budget,
        );
        let base = Base {
            s,
            state,
            knowledge,
            earlier,
            compiled,
        };

        let plan_system = planner_prompt(s);
        let plan_task = if s.trigger == crate::snapshot::Trigger::Followup {
            crate::followup::plan_task(s, guidance.suggestion)
        } else {
            plan_task(x, guidance)
        };
        let stage = self.stage(&base, plan_system, &plan_task, 300);
        prompt_tokens = prompt_tokens.max(stage.prompt_tokens);
        let plan = match ask_json(self.model, stage.request, &mut spent, |v| {
            validate_plan(v, s, state)
        })
        .await
        {
            Ok(p) => p,
            Err(e) => return Err(fail(format!("planner: {e}"), spent)),
        };

        let lang = reply_language(s, state);
        let write_task = write_task(s, &plan, guidance, &lang);
        let stage = self.stage(&base, WRITER.to_owned(), &write_task, 400);
        prompt_tokens = prompt_tokens.max(stage.prompt_tokens);
        let written = if plan.reason_code == ReasonCode::StaySilent {
            String::new()
        } else {
            match ask_json(self.model, stage.request, &mut spent, validate_message).await {
                Ok(t) => t,
                Err(e) => return Err(fail(format!("writer: {e}"), spent)),
            }
        };

        let mut critique = "nothing to check: the plan is to stay silent".to_owned();
        let mut text = written;
        if !text.is_empty() {
            let critic_task = critic_task(s, &plan, &text, &lang);
            let stage = self.stage(&base, CRITIC.to_owned(), &critic_task, 400);
            prompt_tokens = prompt_tokens.max(stage.prompt_tokens);
            match ask_json(self.model, stage.request, &mut spent, validate_critique).await {
                Ok((None, _)) => critique = "approved".to_owned(),
                Ok((Some(revised), issues)) => {
                    critique = format!("revised: {}", issues.join("; "));
                    text = revised;
                }
                Err(e) => return Err(fail(format!("critic: {e}"), spent)),
            }
        }

        let draft = Draft {
            should_send: !text.is_empty(),
            text,
            reason_code: plan.reason_code,
            cta_type: plan.cta_type,
            confidence: plan.confidence,
            answer: vec![],
            thanks: None,
        };
        Ok(Written {
            draft,
            asks: plan.ask,
            cost_usd: self.model.prices().cost_usd(&spent),
            usage: spent,
            prompt_tokens: u32::try_from(prompt_tokens).unwrap_or(u32::MAX),
            critique,
        })
    }

    /// A stage's prompt: its instructions and task, then the compiled context. The context is
    /// compiled once per think with the budget's instruction allowance set aside; a stage
    /// whose own text is longer than that gets a context cut further, just for it.
    fn stage(&self, base: &Base<'_>, system: String, task: &str, max_tokens: u32) -> Stage {
        let own = context::tokens(&system) + context::tokens(task) + 8;
        let own_compiled;
        let compiled = if own <= self.budget.instructions {
            &base.compiled
        } else {
            own_compiled = context::compile(
                base.s,
                base.state,
                &base.knowledge,
                &base.earlier,
                own,
                &self.budget,
            );
            &own_compiled
        };
        let context_tokens = compiled.tokens - compiled.instruction_tokens;
        Stage {
            request: ChatRequest {
                system,
                messages: vec![ChatMessage::user(format!(
                    "{}\n## Your task\n{task}",
                    compiled.text
                ))],
                max_tokens,
                temperature: 0.3,
                json: true,
            },
            prompt_tokens: context_tokens + own,
        }
    }
}

/// Reads `value` as `T`, naming the field that does not fit.
fn typed<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        format!("{path}: {}", e.into_inner())
    })
}

fn planner_prompt(s: &Snapshot) -> String {
    let reasons: Vec<&str> = PLANNABLE.iter().map(|r| r.as_str()).collect();
    let ctas: Vec<&str> = s
        .ctas
        .iter()
        .filter(|c| c.enabled)
        .map(|c| c.kind.as_str())
        .collect();
    PLANNER
        .replace("REASONS", &format!("{reasons:?}"))
        .replace("CTAS", &format!("{ctas:?}"))
}

fn plan_task(x: &Extraction, g: &Guidance<'_>) -> String {
    let mut task = String::from("Plan the reply to the lead's newest message(s).");
    if x.asks_price {
        task.push_str(" The lead asks about price.");
    }
    if let Some(o) = &x.objection {
        task.push_str(&format!(" The lead raises an objection: {o}."));
    }
    if let Some(slot) = &g.next_slot {
        task.push_str(&format!(" Next missing qualification slot: {slot}."));
    }
    if let Some(cta) = g.next_cta {
        task.push_str(&format!(" A CTA that may be offered now: {cta}."));
    }
    task.push_str(&format!(
        " The rules engine would say ({}): {}",
        g.suggestion.reason_code, g.suggestion.text
    ));
    task
}

fn validate_plan(v: Value, s: &Snapshot, state: &ConversationState) -> Result<Plan, String> {
    let out: PlanOut = typed(v)?;
    let reason_code: ReasonCode = out
        .reason_code
        .trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| format!("reason_code: `{}` is not a known reason", out.reason_code))?;
    if !PLANNABLE.contains(&reason_code) {
        return Err(format!(
            "reason_code: `{reason_code}` is not for the planner to choose"
        ));
    }
    let cta_type = match out.cta_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            let cta: CtaType = raw
                .to_ascii_lowercase()
                .parse()
                .map_err(|_| format!("cta_type: `{raw}` is not a known CTA"))?;
            if s.enabled_cta(cta).is_none() {
                return Err(format!(
                    "cta_type: `{cta}` is not one of the business's CTAs"
                ));
            }
            Some(cta)
        }
    };
    if reason_code == ReasonCode::CtaPush && cta_type.is_none() {
        return Err("cta_type: a cta_push needs the CTA".into());
    }
    let ask = match out.ask.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            let known = raw == "booking_time"
                || raw
                    .strip_prefix("confirm:")
                    .is_some_and(|slot| state.slots.contains_key(slot))
                || s.profile
                    .sales_rules
                    .qualification_checklist
                    .iter()
                    .any(|(k, _)| k == raw);
            if !known {
                return Err(format!(
                    "ask: `{raw}` is neither a checklist slot, booking_time nor confirm:SLOT"
                ));
            }
            Some(raw.to_owned())
        }
    };
    if !(0.0..=1.0).contains(&out.confidence) {
        return Err("confidence: must be between 0 and 1".into());
    }
    Ok(Plan {
        reason_code,
        cta_type,
        ask,
        key_points: out.key_points.into_iter().take(3).collect(),
        confidence: out.confidence,
    })
}

fn tone_rules(s: &Snapshot, lang: &str) -> String {
    let tone = &s.profile.tone_profile;
    let emoji = match tone.emoji_policy {
        EmojiPolicy::Never => "no emoji",
        EmojiPolicy::Sparingly => "at most one emoji",
        EmojiPolicy::Frequent => "emoji welcome",
    };
    let mut rules = format!(
        "Language: {lang}. At most {} words. At most {} question(s). {emoji}. Formality: {}.",
        tone.message_length_max_words,
        tone.questions_per_message,
        format!("{:?}", tone.formality).to_lowercase()
    );
    let g = &s.profile.guardrails;
    if !g.forbidden_phrases.is_empty() {
        rules.push_str(&format!(" Never say: {:?}.", g.forbidden_phrases));
    }
    if !g.business_guardrails.is_empty() {
        rules.push_str(&format!(" Business rules: {:?}.", g.business_guardrails));
    }
    rules
}

fn write_task(s: &Snapshot, plan: &Plan, g: &Guidance<'_>, lang: &str) -> String {
    let mut task = format!(
        "Plan: reason {}; ask for {}; key points {:?}.",
        plan.reason_code,
        plan.ask.as_deref().unwrap_or("nothing"),
        plan.key_points
    );
    if let Some(cta) = plan.cta_type.and_then(|c| s.enabled_cta(c)) {
        let target = cta.link.as_deref().or(cta.phone.as_deref()).unwrap_or("");
        task.push_str(&format!(" Offer: {} {target}.", cta.name));
    }
    task.push_str(&format!(
        " {} A safe draft to improve on: {}",
        tone_rules(s, lang),
        g.suggestion.text
    ));
    task
}

fn validate_message(v: Value) -> Result<String, String> {
    let out: WriteOut = typed(v)?;
    let text = out.message_text.trim();
    if text.is_empty() {
        return Err("message_text: must not be empty".into());
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(format!(
            "message_text: longer than {MAX_MESSAGE_CHARS} characters"
        ));
    }
    Ok(text.to_owned())
}

fn critic_task(s: &Snapshot, plan: &Plan, text: &str, lang: &str) -> String {
    format!(
        "Rules: never claim to be human; one clear purpose ({}); {} Draft: {text}",
        plan.reason_code,
        tone_rules(s, lang)
    )
}

/// `Some(revised)` when the critic rewrote the draft, with its issues.
fn validate_critique(v: Value) -> Result<(Option<String>, Vec<String>), String> {
    let out: CritiqueOut = typed(v)?;
    match out.verdict.trim().to_ascii_lowercase().as_str() {
        "approve" => Ok((None, out.issues)),
        "revise" => {
            let revised = out
                .revised_text
                .ok_or_else(|| "revised_text: a revision needs the revised text".to_owned())?;
            let text = validate_message(serde_json::json!({ "message_text": revised }))
                .map_err(|e| e.replace("message_text", "revised_text"))?;
            Ok((Some(text), out.issues))
        }
        other => Err(format!("verdict: `{other}` is neither approve nor revise")),
    }
}
