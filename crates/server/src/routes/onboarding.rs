//! The onboarding questionnaire (SPEC §6, seeds/001 §3): its answers, saved step by step by
//! the wizard, and the five agent documents generated from them. Generating saves nothing of
//! the agent: the owner reviews the documents and saves them with `PUT /agent/profile`.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member};
use crate::routes::agent::knowledge::KnowledgeView;
use crate::routes::schema::UserRef;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use closer_agent::AgentProfile;
use closer_agent::context::{ContextBudget, stable_fits};
use closer_agent::onboarding::{
    self, BusinessBasics, IdealCustomer, Offer, OnboardingAnswers, PolicyGuardrails, SalesProcess,
    TonePreferences,
};
use closer_domain::agent::{EngineMode, PlacementKind};
use closer_domain::work::{ErrorCode, KnowledgeKind};
use closer_llm::Usage;
use closer_store::agent_config::NewKnowledge;
use closer_store::onboarding::OnboardingRecord;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::time::Duration;
use utoipa::ToSchema;

/// The model must answer within the request's own deadline (30 s), or the rules write the
/// documents instead.
const MODEL_DEADLINE: Duration = Duration::from_secs(25);

#[derive(Serialize, ToSchema)]
pub struct OnboardingView {
    /// The answers saved so far, by section; `{}` before the first save.
    #[schema(value_type = schema::OnboardingAnswers)]
    pub answers: Value,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<UserRef>,
    /// When the answers last became documents (`POST /onboarding/generate`).
    pub generated_at: Option<DateTime<Utc>>,
}

impl From<OnboardingRecord> for OnboardingView {
    fn from(r: OnboardingRecord) -> Self {
        OnboardingView {
            answers: Value::Object(r.answers),
            updated_at: r.updated_at,
            updated_by: r.updated_by.map(|(id, name)| UserRef { id, name }),
            generated_at: r.generated_at,
        }
    }
}

/// Sections to save; a section left out keeps its saved answers, a section sent replaces
/// them whole.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardingUpdate {
    #[schema(value_type = Option<schema::BusinessBasics>)]
    pub business: Option<BusinessBasics>,
    #[schema(value_type = Option<schema::Offer>)]
    pub offer: Option<Offer>,
    #[schema(value_type = Option<schema::IdealCustomer>)]
    pub customer: Option<IdealCustomer>,
    #[schema(value_type = Option<schema::SalesProcess>)]
    pub sales: Option<SalesProcess>,
    #[schema(value_type = Option<schema::PolicyGuardrails>)]
    pub guardrails: Option<PolicyGuardrails>,
    #[schema(value_type = Option<schema::TonePreferences>)]
    pub tone: Option<TonePreferences>,
}

/// Field path → what is wrong with it, as `details.fields` carries them.
fn fields(problems: Vec<(String, String)>) -> Map<String, Value> {
    problems
        .into_iter()
        .map(|(field, why)| (field, Value::String(why)))
        .collect()
}

fn saved_answers(record: &OnboardingRecord) -> ApiResult<OnboardingAnswers> {
    serde_json::from_value(Value::Object(record.answers.clone()))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored onboarding answers invalid: {e}")))
}

/// The questionnaire's answers saved so far.
#[utoipa::path(get, path = "/onboarding", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = OnboardingView)))]
pub async fn get_answers(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<OnboardingView>> {
    let record = state.store.org(member.org_id()).onboarding().await?;
    Ok(Json(record.into()))
}

/// Saves the sections sent (owner or admin). Half-filled sections are fine; wrong values are
/// a 422 naming each field (e.g. `tone.emoji_policy`) and change nothing.
#[utoipa::path(put, path = "/onboarding", tag = "agent", request_body = OnboardingUpdate, security(("bearer" = [])),
    responses((status = 200, body = OnboardingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_answers(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(update): ApiJson<OnboardingUpdate>,
) -> ApiResult<Json<OnboardingView>> {
    let sent = OnboardingAnswers {
        business: update.business.clone().unwrap_or_default(),
        offer: update.offer.clone().unwrap_or_default(),
        customer: update.customer.clone().unwrap_or_default(),
        sales: update.sales.clone().unwrap_or_default(),
        guardrails: update.guardrails.clone().unwrap_or_default(),
        tone: update.tone.clone().unwrap_or_default(),
    }
    .tidied();
    let problems = sent.problems();
    if !problems.is_empty() {
        return Err(ApiError::Validation(fields(problems)));
    }
    let tidied = serde_json::to_value(&sent).map_err(|e| ApiError::Internal(e.into()))?;
    let mut sections = Map::new();
    for (name, given) in [
        ("business", update.business.is_some()),
        ("offer", update.offer.is_some()),
        ("customer", update.customer.is_some()),
        ("sales", update.sales.is_some()),
        ("guardrails", update.guardrails.is_some()),
        ("tone", update.tone.is_some()),
    ] {
        if given {
            sections.insert(name.to_owned(), tidied[name].clone());
        }
    }
    if sections.is_empty() {
        return Err(ApiError::field("body", "send at least one section"));
    }
    let record = state
        .store
        .org(member.org_id())
        .save_onboarding(&member.0.user.as_actor(), sections)
        .await?;
    if update.business.is_some() {
        update_organisation(&state, &member, &sent.business).await?;
    }
    Ok(Json(record.into()))
}

/// The business basics are the organisation's own details: what the owner answered replaces
/// Settings → Organisation's value, what they left blank keeps it.
async fn update_organisation(
    state: &AppState,
    member: &Member,
    b: &BusinessBasics,
) -> ApiResult<()> {
    let scope = state.store.org(member.org_id());
    let org = scope.details().await?;
    let name = match &b.name {
        Some(n) => {
            closer_domain::OrgName::parse(n).map_err(|e| ApiError::field("business.name", e.0))?
        }
        None => closer_domain::OrgName::parse(&org.name).map_err(|e| {
            ApiError::Internal(anyhow::anyhow!("stored organisation name: {}", e.0))
        })?,
    };
    let mut p = org.profile.clone();
    let keep = |answer: &Option<String>, saved: &mut Option<String>| {
        if let Some(v) = answer {
            *saved = Some(v.clone());
        }
    };
    keep(&b.industry, &mut p.industry);
    keep(&b.city, &mut p.city);
    keep(&b.timezone, &mut p.timezone);
    keep(&b.support_email, &mut p.support_email);
    if let Some(url) = &b.website_url {
        p.website = Some(onboarding::web_address(url).unwrap_or_else(|| url.clone()));
    }
    if let Some(phone) = &b.support_phone {
        let country = p
            .timezone
            .as_deref()
            .and_then(closer_domain::contact_points::country_of_timezone);
        let parsed = closer_domain::contact_points::Phone::parse(phone, country)
            .map_err(|e| ApiError::field("business.support_phone", e.0))?;
        p.support_phone = Some(parsed.to_string());
    }
    if p != org.profile || name.as_str() != org.name {
        scope
            .update_details(&member.0.user.as_actor(), &name, &p)
            .await?;
    }
    Ok(())
}

/// The five documents, as `PUT /agent/profile` takes them.
#[derive(Serialize, ToSchema)]
pub struct GeneratedDocuments {
    pub business_config: Value,
    pub sales_rules: Value,
    pub tone_profile: Value,
    pub guardrails: Value,
    pub script_library: Value,
}

#[derive(Serialize, ToSchema)]
pub struct GeneratedProfile {
    /// `llm` when the organisation's model wrote the documents, `rules` otherwise.
    pub engine: String,
    pub documents: GeneratedDocuments,
    /// The engine mode to save the profile with: the saved profile's, or `llm` when a model
    /// is configured, else `rules`.
    pub mode: EngineMode,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
    /// Tokens the five documents take of the agent's context on every reply.
    pub context_tokens: usize,
    pub context_limit: usize,
    /// Where each of the owner's answers went: document fields, knowledge entries (the
    /// facts kept whole, see `knowledge`) and organisation fields.
    pub placements: Vec<PlacementView>,
    /// The facts filed whole in the knowledge base when the documents are saved
    /// (`POST /onboarding/knowledge`): fees, refund policy, dates, what is sold.
    pub knowledge: Vec<SetupFactView>,
    /// Why the model's documents were not used, when it was asked and failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    pub generated_at: DateTime<Utc>,
}

/// One place an answer went.
#[derive(Serialize, ToSchema)]
pub struct PlaceView {
    pub kind: PlacementKind,
    /// A document field (`business_config.pricing_summary`), a knowledge entry's title, or
    /// an organisation field (`timezone`).
    pub target: String,
}

/// Where one of the owner's answers went.
#[derive(Serialize, ToSchema)]
pub struct PlacementView {
    /// The answer's path, e.g. `offer.pricing`.
    pub answer: String,
    pub places: Vec<PlaceView>,
    /// Every word is somewhere the agent reads; false when the documents hold a shortened
    /// version only.
    pub whole: bool,
}

/// A fact from the answers, filed as a knowledge entry.
#[derive(Serialize, ToSchema)]
pub struct SetupFactView {
    /// The answer it comes from, e.g. `offer.pricing`.
    pub answer: String,
    pub title: String,
    pub content: String,
}

fn placement_views(
    answers: &OnboardingAnswers,
    profile: &AgentProfile,
) -> (Vec<PlacementView>, Vec<SetupFactView>) {
    let facts = onboarding::knowledge_facts(answers);
    let placements = onboarding::placements(answers, profile, &facts)
        .into_iter()
        .map(|p| PlacementView {
            answer: p.answer,
            places: p
                .places
                .into_iter()
                .map(|x| PlaceView {
                    kind: x.kind,
                    target: x.target,
                })
                .collect(),
            whole: p.whole,
        })
        .collect();
    let facts = facts
        .into_iter()
        .map(|f| SetupFactView {
            answer: f.answer,
            title: f.title,
            content: f.content,
        })
        .collect();
    (placements, facts)
}

/// The knowledge entries filed from the answers.
#[derive(Serialize, ToSchema)]
pub struct SetupKnowledge {
    /// Entries of kind `setup`; they replace the ones filed before.
    pub items: Vec<KnowledgeView>,
    /// How many earlier `setup` entries they replaced is not reported: filing is idempotent.
    pub created: usize,
}

/// Files the facts of the saved answers (fees, refund policy, dates, what is sold, …) whole
/// in the knowledge base as entries of kind `setup`, replacing those filed before (owner or
/// admin). The wizard calls it when the documents are saved, so what did not fit the
/// documents' budget is still what the agent answers from.
#[utoipa::path(post, path = "/onboarding/knowledge", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = SetupKnowledge), (status = 403, body = ErrorBody)))]
pub async fn file_knowledge(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<SetupKnowledge>> {
    let org_id = member.org_id();
    let record = state.store.org(org_id).onboarding().await?;
    let answers = saved_answers(&record)?;
    let entries = onboarding::knowledge_facts(&answers)
        .into_iter()
        .map(|f| NewKnowledge {
            kind: KnowledgeKind::Setup,
            title: f.title,
            content: f.content,
            source_url: None,
        })
        .collect();
    let items = state
        .store
        .org(org_id)
        .replace_setup_knowledge(&member.0.user.as_actor(), entries)
        .await?;
    Ok(Json(SetupKnowledge {
        created: items.len(),
        items: items.into_iter().map(KnowledgeView::from).collect(),
    }))
}

/// Builds the five agent documents from the saved answers (owner or admin), with the
/// organisation's language model when one is configured (falling back to the rules, with a
/// warning, when it fails) and by rules otherwise. Nothing is saved to the agent.
#[utoipa::path(post, path = "/onboarding/generate", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = GeneratedProfile), (status = 403, body = ErrorBody),
        (status = 422, description = "`onboarding_incomplete` (details.fields names what is missing) or `onboarding_too_long`", body = ErrorBody)))]
pub async fn generate(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<GeneratedProfile>> {
    let org_id = member.org_id();
    let record = state.store.org(org_id).onboarding().await?;
    let answers = saved_answers(&record)?;
    if let Err(missing) = onboarding::validate_for_generation(&answers) {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::OnboardingIncomplete,
            message: "Some answers the agent needs are missing or not valid.".into(),
            details: Some(json!({ "fields": fields(missing) })),
        });
    }
    let model = state.models.chat_model(&state.store, org_id).await?;
    let mut usage = Usage::default();
    let mut warning = None;
    let mut written = None;
    if let Some(model) = &model {
        match tokio::time::timeout(
            MODEL_DEADLINE,
            onboarding::generate_with_model(model.as_ref(), &answers),
        )
        .await
        {
            Ok(Ok((profile, spent))) => {
                usage = spent;
                written = Some(profile);
            }
            Ok(Err(failure)) => {
                tracing::warn!(%org_id, error = %failure.error, "the model's onboarding documents were not used");
                usage = failure.usage;
                warning = Some(format!(
                    "The language model's documents could not be used ({}), so these were written by rules.",
                    failure.error
                ));
            }
            Err(_) => {
                warning = Some(format!(
                    "The language model did not answer within {} s, so these documents were written by rules.",
                    MODEL_DEADLINE.as_secs()
                ));
            }
        }
    }
    let engine = if written.is_some() { "llm" } else { "rules" };
    let profile: AgentProfile = written.unwrap_or_else(|| onboarding::generate(&answers));

    let budget = ContextBudget::default();
    let mut docs = profile.documents();
    let compact = serde_json::to_string(&docs).unwrap_or_default();
    let context_tokens = stable_fits(&compact, &budget).map_err(|n| ApiError::Unprocessable {
        code: ErrorCode::OnboardingTooLong,
        message: format!(
            "Your answers make documents of {n} tokens; the agent reads at most {} on every reply. Shorten the longest answers and try again.",
            budget.stable
        ),
        details: Some(json!({ "tokens": n, "limit": budget.stable })),
    })?;

    // Only the saved version's mode matters here: no need to parse its documents.
    let saved = state.store.org(org_id).agent_profile().await?;
    let mode = match (saved, &model) {
        (Some(v), _) => v.mode,
        (None, Some(_)) => EngineMode::Llm,
        (None, None) => EngineMode::Rules,
    };
    let generated_at = state
        .store
        .org(org_id)
        .mark_onboarding_generated(&member.0.user.as_actor(), engine)
        .await?;
    let (placements, knowledge) = placement_views(&answers, &profile);
    let mut take = |k: &str| docs.remove(k).unwrap_or_else(|| json!({}));
    Ok(Json(GeneratedProfile {
        engine: engine.to_owned(),
        documents: GeneratedDocuments {
            business_config: take("business_config"),
            sales_rules: take("sales_rules"),
            tone_profile: take("tone_profile"),
            guardrails: take("guardrails"),
            script_library: take("script_library"),
        },
        mode,
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cost_usd: model.as_ref().map_or(0.0, |m| m.prices().cost_usd(&usage)),
        context_tokens,
        context_limit: budget.stable,
        placements,
        knowledge,
        warning,
        generated_at,
    }))
}

/// The answers' shape for the OpenAPI document (and so the dashboard's types). The types that
/// parse them are `closer_agent::onboarding`'s; a test keeps the two in step.
#[allow(dead_code)]
pub mod schema {
    // The product's own enums, so the document lists the same words the parser accepts.
    pub use closer_domain::agent::{BudgetTiming, EmojiPolicy, Formality, Persuasion};
    pub use closer_domain::sales::CtaType;
    use serde::{Deserialize, Serialize};
    use utoipa::ToSchema;

    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingAnswers)]
    pub struct OnboardingAnswers {
        pub business: Option<BusinessBasics>,
        pub offer: Option<Offer>,
        pub customer: Option<IdealCustomer>,
        pub sales: Option<SalesProcess>,
        pub guardrails: Option<PolicyGuardrails>,
        pub tone: Option<TonePreferences>,
    }

    /// A. Business basics.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingBusiness)]
    pub struct BusinessBasics {
        pub name: Option<String>,
        pub industry: Option<String>,
        pub city: Option<String>,
        /// As the owner says it, e.g. "9 AM–9 PM, Mon–Sat".
        pub working_hours: Option<String>,
        /// IANA time zone, e.g. Asia/Kolkata.
        pub timezone: Option<String>,
        /// Required to generate; `example.com` is read as `https://example.com`.
        pub website_url: Option<String>,
        pub support_email: Option<String>,
        pub support_phone: Option<String>,
    }

    /// B. What is sold.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingOffer)]
    pub struct Offer {
        /// At most 20; at least one to generate.
        #[schema(required = false)]
        pub products: Vec<String>,
        pub pricing: Option<String>,
        pub usp: Option<String>,
        pub delivery_timeline: Option<String>,
        pub refund_policy: Option<String>,
    }

    /// C. Who it is for.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingCustomer)]
    pub struct IdealCustomer {
        pub description: Option<String>,
        #[schema(required = false)]
        pub disqualifiers: Vec<String>,
        #[schema(required = false)]
        pub use_cases: Vec<String>,
    }

    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingCta)]
    pub struct CtaChoice {
        #[serde(rename = "type")]
        pub kind: CtaType,
        pub link: Option<String>,
        pub phone: Option<String>,
    }

    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingQualifier)]
    pub struct Qualifier {
        /// e.g. "experience level"; becomes the slot `experience_level`.
        pub topic: String,
        /// The owner's wording; a generic question otherwise.
        pub question: Option<String>,
    }

    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingObjection)]
    pub struct ObjectionAnswer {
        pub objection: String,
        pub answer: String,
    }

    /// D. How the owner sells.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingSales)]
    pub struct SalesProcess {
        /// In the order the agent offers them; each type once; at least one to generate.
        #[schema(required = false)]
        pub primary_ctas: Vec<CtaChoice>,
        #[schema(required = false)]
        pub qualification: Vec<Qualifier>,
        pub budget_timing: Option<BudgetTiming>,
        pub hot_lead_definition: Option<String>,
        /// The escalation codes (payment_failure, angry_sentiment, human_requested,
        /// complex_question_3x, compliance_risk, declining_sentiment) or the owner's words.
        #[schema(required = false)]
        pub escalation_triggers: Vec<String>,
        #[schema(required = false)]
        pub objections: Vec<ObjectionAnswer>,
    }

    /// F. Policy guardrails.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingGuardrails)]
    pub struct PolicyGuardrails {
        #[schema(required = false)]
        pub forbidden_claims: Vec<String>,
        /// At most 3, each at most 120 characters: they are appended word for word.
        #[schema(required = false)]
        pub required_disclaimers: Vec<String>,
        #[schema(required = false)]
        pub language_restrictions: Vec<String>,
        #[schema(required = false)]
        pub custom_rules: Vec<String>,
    }

    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = ReplyLanguage)]
    pub enum Language {
        #[serde(rename = "en")]
        En,
        #[serde(rename = "hi-en")]
        HiEn,
        #[serde(rename = "hi")]
        Hi,
    }

    /// G. Tone and personality.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[schema(as = OnboardingTone)]
    pub struct TonePreferences {
        pub language: Option<Language>,
        pub honorifics: Option<bool>,
        /// Most words per message, 5 to 25.
        #[schema(minimum = 5, maximum = 25)]
        pub message_length: Option<u32>,
        /// Must be 1 (a guardrail).
        #[schema(minimum = 1, maximum = 1)]
        pub questions_per_message: Option<u32>,
        pub emoji_policy: Option<EmojiPolicy>,
        pub formality: Option<Formality>,
        pub persuasion: Option<Persuasion>,
        #[schema(required = false)]
        pub examples: Vec<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_agent::onboarding::{CtaChoice, ObjectionAnswer, Qualifier};
    use closer_domain::sales::CtaType;
    use utoipa::PartialSchema;

    fn properties<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let mut keys: Vec<String> = schema["properties"]
            .as_object()
            .expect("an object schema")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    fn keys(v: Value) -> Vec<String> {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The documented shape and the parsed one name the same fields.
    #[test]
    fn the_schema_matches_the_answers() {
        let full = serde_json::to_value(OnboardingAnswers::default()).unwrap();
        assert_eq!(
            properties::<schema::OnboardingAnswers>(),
            keys(full.clone())
        );
        assert_eq!(
            properties::<schema::BusinessBasics>(),
            keys(full["business"].clone())
        );
        assert_eq!(properties::<schema::Offer>(), keys(full["offer"].clone()));
        assert_eq!(
            properties::<schema::IdealCustomer>(),
            keys(full["customer"].clone())
        );
        assert_eq!(
            properties::<schema::SalesProcess>(),
            keys(full["sales"].clone())
        );
        assert_eq!(
            properties::<schema::PolicyGuardrails>(),
            keys(full["guardrails"].clone())
        );
        assert_eq!(
            properties::<schema::TonePreferences>(),
            keys(full["tone"].clone())
        );
        let cta = CtaChoice {
            kind: CtaType::BookCall,
            link: None,
            phone: None,
        };
        assert_eq!(
            properties::<schema::CtaChoice>(),
            keys(serde_json::to_value(cta).unwrap())
        );
        let q = Qualifier {
            topic: "goal".into(),
            question: None,
        };
        assert_eq!(
            properties::<schema::Qualifier>(),
            keys(serde_json::to_value(q).unwrap())
        );
        let o = ObjectionAnswer {
            objection: "x".into(),
            answer: "y".into(),
        };
        assert_eq!(
            properties::<schema::ObjectionAnswer>(),
            keys(serde_json::to_value(o).unwrap())
        );
        let cta_types: Vec<String> =
            serde_json::to_value(schema::CtaType::schema()).unwrap()["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
        let known: Vec<String> = CtaType::ALL.iter().map(|c| c.as_str().to_owned()).collect();
        assert_eq!(cta_types, known);
    }
}
