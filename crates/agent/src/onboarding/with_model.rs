//! The five documents written by the organisation's model: it rewrites the rules' draft for
//! this business, and its answer is checked like an owner's edit before anyone sees it. The
//! owner's explicit choices (CTA order, checklist, tone settings, guardrails, links) are put
//! back as the owner gave them, whatever the model wrote.

use super::OnboardingAnswers;
use super::draft::generate;
use crate::context::{ContextBudget, stable_fits};
use crate::profile::{AgentProfile, EngineMode, Script};
use closer_llm::{ChatMessage, ChatModel, ChatRequest, Usage, ask_json};
use serde_json::Value;
use std::collections::BTreeMap;

const DOCUMENTS: [&str; 5] = [
    "business_config",
    "sales_rules",
    "tone_profile",
    "guardrails",
    "script_library",
];

const SYSTEM: &str = "You configure the WhatsApp sales assistant of a business from its \
owner's onboarding answers. You get the answers and a draft of the assistant's five \
configuration documents written by rules. Rewrite the draft so it sells well for this business: \
a crisp offer_summary and pricing_summary; an objection_playbook and objection_handlers specific \
to this offer; natural openers, qualification questions, CTA scripts and exits in the owner's \
language and tone; two or three tone examples. Keep the draft's shape: the same five documents \
with the same fields and types. A script is a string, or an object from language code (en, \
hi-en, hi) to string. Every CTA script keeps [LINK] where the link goes. The checklist, CTA \
sequencing, contact links, time zone, tone settings and guardrails are the owner's choices: \
keep them. Use only facts from the answers; never invent prices, results or promises. Every \
message stays within MAX_WORDS words with at most one question. All five documents together, \
as compact JSON, must stay under BUDGET tokens (about CHARS characters). Answer with one JSON \
object whose keys are exactly business_config, sales_rules, tone_profile, guardrails and \
script_library.";

/// Why the model's documents were not used, and what asking cost.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{error}")]
pub struct GenerationFailure {
    pub error: String,
    pub usage: Usage,
}

/// Asks `model` to write the documents for `answers`; on a malformed or invalid answer it
/// asks once more, quoting what was wrong, then gives up.
pub async fn generate_with_model(
    model: &dyn ChatModel,
    answers: &OnboardingAnswers,
) -> Result<(AgentProfile, Usage), GenerationFailure> {
    let draft = generate(answers);
    let budget = ContextBudget::default();
    let system = SYSTEM
        .replace(
            "MAX_WORDS",
            &draft.tone_profile.message_length_max_words.to_string(),
        )
        .replace("BUDGET", &budget.stable.to_string())
        .replace("CHARS", &(budget.stable * 3).to_string());
    let task = format!(
        "## Onboarding answers\n{}\n\n## Draft documents\n{}",
        serde_json::to_string_pretty(answers).unwrap_or_default(),
        serde_json::to_string_pretty(&draft.documents()).unwrap_or_default(),
    );
    let request = ChatRequest {
        system,
        messages: vec![ChatMessage::user(task)],
        max_tokens: 3_000,
        temperature: 0.4,
        json: true,
    };
    let mut spent = Usage::default();
    match ask_json(model, request, &mut spent, |v| {
        accept(v, answers, &draft, &budget)
    })
    .await
    {
        Ok(profile) => Ok((profile, spent)),
        Err(error) => Err(GenerationFailure {
            error,
            usage: spent,
        }),
    }
}

/// The model's documents, if they are what the agent can run on.
fn accept(
    value: Value,
    answers: &OnboardingAnswers,
    draft: &AgentProfile,
    budget: &ContextBudget,
) -> Result<AgentProfile, String> {
    let Value::Object(mut answer) = value else {
        return Err("the answer must be a JSON object".into());
    };
    let mut docs = BTreeMap::new();
    for name in DOCUMENTS {
        match answer.remove(name) {
            Some(doc @ Value::Object(_)) => {
                docs.insert(name, doc);
            }
            Some(_) => return Err(format!("{name}: must be a JSON object")),
            None => return Err(format!("{name}: missing")),
        }
    }
    let mut profile =
        AgentProfile::from_documents(EngineMode::Rules, &docs).map_err(|e| e.to_string())?;
    keep_owner_choices(&mut profile, answers, draft);

    let library = &profile.script_library;
    if library.openers.is_empty() {
        return Err("script_library.openers: write at least the new_lead opener".into());
    }
    for cta in &profile.business_config.primary_ctas {
        let key = cta.as_str();
        let script = library
            .cta_scripts
            .get(key)
            .ok_or_else(|| format!("script_library.cta_scripts.{key}: missing"))?;
        let lines: Vec<&String> = match script {
            Script::One(line) => vec![line],
            Script::PerLanguage(lines) => lines.values().collect(),
        };
        if lines.iter().any(|l| !l.contains("[LINK]")) {
            return Err(format!(
                "script_library.cta_scripts.{key}: every line must contain [LINK] where the link goes"
            ));
        }
    }
    let docs = profile.model_documents();
    let compact = serde_json::to_string(&docs).unwrap_or_default();
    stable_fits(&compact, budget).map_err(|n| {
        format!(
            "the five documents take {n} tokens as compact JSON; they must fit in {}: shorten the summaries and scripts",
            budget.stable
        )
    })?;
    // What the owner chose passed these checks in the draft; checked again as one profile.
    let docs: BTreeMap<&str, Value> = docs.into_iter().collect();
    AgentProfile::from_documents(EngineMode::Rules, &docs).map_err(|e| e.to_string())
}

/// Puts back what the owner decided in the questionnaire.
fn keep_owner_choices(
    profile: &mut AgentProfile,
    answers: &OnboardingAnswers,
    draft: &AgentProfile,
) {
    let (b, d) = (&mut profile.business_config, &draft.business_config);
    b.business_name = d.business_name.clone();
    b.primary_ctas = d.primary_ctas.clone();
    b.contact_links = d.contact_links.clone();
    b.timezone = d.timezone.clone();

    let (s, d) = (&mut profile.sales_rules, &draft.sales_rules);
    s.qualification_checklist = d.qualification_checklist.clone();
    s.cta_sequencing = d.cta_sequencing.clone();
    s.escalation_triggers = d.escalation_triggers.clone();

    let examples = std::mem::take(&mut profile.tone_profile.examples);
    profile.tone_profile = draft.tone_profile.clone();
    // Examples the owner wrote are theirs; otherwise the model's may replace the draft's.
    if answers.tone.examples.is_empty() && !examples.is_empty() {
        profile.tone_profile.examples = examples;
    }
    // Disclaimers are appended word for word and phrases are blocked as written: the owner's.
    profile.guardrails = draft.guardrails.clone();
}
