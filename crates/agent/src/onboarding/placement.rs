//! Where the owner's answers went: which document field, which knowledge entry, which
//! organisation field. The documents have a token budget, so long facts are summarised
//! there; the facts leads ask about (fees, refund policy, dates, what is sold) are also filed
//! whole in the knowledge base, and the review step lists all of it, so nothing the owner
//! typed is dropped without them seeing where it is.

use super::OnboardingAnswers;
use crate::profile::AgentProfile;
use closer_domain::agent::PlacementKind;
use serde::Serialize;

/// A fact filed in the knowledge base as a question and its whole answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupFact {
    /// The answer it comes from, e.g. `offer.pricing`.
    pub answer: String,
    /// Worded as a lead asks it, so retrieval finds it.
    pub title: String,
    pub content: String,
}

/// One place an answer was put.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub kind: PlacementKind,
    /// `business_config.pricing_summary`, a knowledge entry's title, or an organisation
    /// field (`timezone`).
    pub target: String,
}

/// Where one answer went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// The answer's path, e.g. `offer.pricing`.
    pub answer: String,
    pub places: Vec<Place>,
    /// Every word of it is somewhere the agent reads (a document or a knowledge entry);
    /// false when the documents hold a shortened version only.
    pub whole: bool,
}

fn joined(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| list.join("; "))
}

/// The facts a lead may ask about, filed whole whatever room the documents had.
pub fn knowledge_facts(a: &OnboardingAnswers) -> Vec<SetupFact> {
    let name = a.business.name.as_deref().unwrap_or("you");
    let mut facts = Vec::new();
    let mut add = |answer: &str, title: String, content: Option<String>| {
        if let Some(content) = content.filter(|c| !c.trim().is_empty()) {
            facts.push(SetupFact {
                answer: answer.to_owned(),
                title,
                content: content.chars().take(4_000).collect(),
            });
        }
    };
    add(
        "offer.products",
        "What courses, products or services do you offer?".into(),
        joined(&a.offer.products),
    );
    add(
        "offer.pricing",
        "What are the fees and prices?".into(),
        a.offer.pricing.clone(),
    );
    add(
        "offer.refund_policy",
        "What is the refund policy?".into(),
        a.offer.refund_policy.clone(),
    );
    add(
        "offer.delivery_timeline",
        "When does it start, and how long does it take?".into(),
        a.offer.delivery_timeline.clone(),
    );
    add(
        "offer.usp",
        format!("Why choose {name}?"),
        a.offer.usp.clone(),
    );
    let who = [
        a.customer.description.clone(),
        joined(&a.customer.use_cases).map(|u| format!("Common reasons to join: {u}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    add(
        "customer.description",
        "Who is it for?".into(),
        (!who.is_empty()).then(|| who.join(". ")),
    );
    add(
        "business.working_hours",
        "What are your working hours?".into(),
        a.business.working_hours.clone(),
    );
    add(
        "business.city",
        "Where are you located?".into(),
        a.business
            .city
            .as_ref()
            .map(|c| format!("{name} is in {c}.")),
    );
    // The owner's answers to objections are their talking points: the playbook may only
    // have room for a summary, and leads ask them as questions ("is it too expensive?").
    for (i, o) in a.sales.objections.iter().enumerate() {
        if !o.answer.is_empty() {
            add(
                &format!("sales.objections[{i}]"),
                format!("What if {}?", o.objection.trim_end_matches('?')),
                Some(o.answer.clone()),
            );
        }
    }
    facts
}

/// Every string in the five documents, lower-cased, for finding the owner's words in them.
fn document_strings(profile: &AgentProfile) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.to_lowercase()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for doc in profile.documents().values() {
        walk(doc, &mut out);
    }
    out
}

/// An answer's path, its texts (None: unanswered) and where it is put.
type Routed<'a> = (&'a str, Option<Vec<&'a str>>, Vec<(PlacementKind, &'a str)>);

/// Where each answer the owner gave went, in the questionnaire's order.
pub fn placements(
    a: &OnboardingAnswers,
    profile: &AgentProfile,
    facts: &[SetupFact],
) -> Vec<Placement> {
    let docs = document_strings(profile);
    let in_docs = |t: &str| {
        let n = t.trim().trim_end_matches('.').to_lowercase();
        n.is_empty() || docs.iter().any(|s| s.contains(&n))
    };
    let mut out = Vec::new();
    let mut put = |answer: &str, texts: Vec<&str>, targets: &[(PlacementKind, &str)]| {
        let filed: Vec<&SetupFact> = facts
            .iter()
            .filter(|f| f.answer == answer || f.answer.starts_with(&format!("{answer}[")))
            .collect();
        let mut places: Vec<Place> = targets
            .iter()
            .map(|(kind, target)| Place {
                kind: *kind,
                target: (*target).to_owned(),
            })
            .collect();
        places.extend(filed.iter().map(|f| Place {
            kind: PlacementKind::Knowledge,
            target: f.title.clone(),
        }));
        let whole = texts
            .iter()
            .all(|t| in_docs(t) || filed.iter().any(|f| f.content.contains(t.trim())));
        out.push(Placement {
            answer: answer.to_owned(),
            places,
            whole,
        });
    };
    use PlacementKind::{Document as D, Organisation as O};
    let b = &a.business;
    fn opt(v: &Option<String>) -> Option<Vec<&str>> {
        v.as_deref().map(|s| vec![s])
    }
    fn list(l: &[String]) -> Option<Vec<&str>> {
        (!l.is_empty()).then(|| l.iter().map(String::as_str).collect())
    }
    let answered: Vec<Routed> = vec![
        (
            "business.name",
            opt(&b.name),
            vec![(O, "name"), (D, "business_config.business_name")],
        ),
        ("business.industry", opt(&b.industry), vec![(O, "industry")]),
        ("business.city", opt(&b.city), vec![(O, "city")]),
        (
            "business.working_hours",
            opt(&b.working_hours),
            vec![(D, "business_config.working_hours")],
        ),
        (
            "business.timezone",
            opt(&b.timezone),
            vec![(O, "timezone"), (D, "business_config.timezone")],
        ),
        (
            "business.website_url",
            opt(&b.website_url),
            vec![
                (O, "website"),
                (D, "business_config.contact_links.website_url"),
            ],
        ),
        (
            "business.support_email",
            opt(&b.support_email),
            vec![
                (O, "support_email"),
                (D, "business_config.contact_links.support_email"),
            ],
        ),
        (
            "business.support_phone",
            opt(&b.support_phone),
            vec![
                (O, "support_phone"),
                (D, "business_config.contact_links.support_phone"),
            ],
        ),
        (
            "offer.products",
            list(&a.offer.products),
            vec![(D, "business_config.offer_summary")],
        ),
        (
            "offer.pricing",
            opt(&a.offer.pricing),
            vec![(D, "business_config.pricing_summary")],
        ),
        (
            "offer.usp",
            opt(&a.offer.usp),
            vec![(D, "business_config.offer_summary")],
        ),
        (
            "offer.delivery_timeline",
            opt(&a.offer.delivery_timeline),
            vec![(D, "business_config.offer_summary")],
        ),
        (
            "offer.refund_policy",
            opt(&a.offer.refund_policy),
            vec![(D, "business_config.offer_summary")],
        ),
        (
            "customer.description",
            opt(&a.customer.description),
            vec![(D, "business_config.offer_summary")],
        ),
        (
            "customer.disqualifiers",
            list(&a.customer.disqualifiers),
            vec![(D, "business_config.disqualifiers")],
        ),
        (
            "customer.use_cases",
            list(&a.customer.use_cases),
            vec![(D, "business_config.offer_summary")],
        ),
        (
            "sales.primary_ctas",
            (!a.sales.primary_ctas.is_empty()).then(Vec::new),
            vec![
                (D, "business_config.primary_ctas"),
                (D, "sales_rules.cta_sequencing"),
                (D, "script_library.cta_scripts"),
            ],
        ),
        (
            "sales.qualification",
            (!a.sales.qualification.is_empty()).then(|| {
                a.sales
                    .qualification
                    .iter()
                    .filter_map(|q| q.question.as_deref())
                    .collect()
            }),
            vec![
                (D, "sales_rules.qualification_checklist"),
                (D, "script_library.qualification"),
            ],
        ),
        (
            "sales.budget_timing",
            a.sales.budget_timing.map(|_| vec![]),
            vec![(D, "sales_rules.qualification_checklist.budget")],
        ),
        (
            "sales.hot_lead_definition",
            opt(&a.sales.hot_lead_definition),
            vec![(D, "guardrails.business_guardrails")],
        ),
        (
            "sales.escalation_triggers",
            list(&a.sales.escalation_triggers),
            vec![(D, "sales_rules.escalation_triggers")],
        ),
        (
            "sales.objections",
            (!a.sales.objections.is_empty()).then(|| {
                a.sales
                    .objections
                    .iter()
                    .map(|o| o.answer.as_str())
                    .collect()
            }),
            vec![
                (D, "sales_rules.objection_playbook"),
                (D, "script_library.objection_handlers"),
            ],
        ),
        (
            "guardrails.forbidden_claims",
            list(&a.guardrails.forbidden_claims),
            vec![
                (D, "guardrails.business_guardrails"),
                (D, "guardrails.forbidden_phrases"),
            ],
        ),
        (
            "guardrails.required_disclaimers",
            list(&a.guardrails.required_disclaimers),
            vec![(D, "guardrails.required_disclaimers")],
        ),
        (
            "guardrails.language_restrictions",
            list(&a.guardrails.language_restrictions),
            vec![(D, "guardrails.business_guardrails")],
        ),
        (
            "guardrails.custom_rules",
            list(&a.guardrails.custom_rules),
            vec![(D, "guardrails.business_guardrails")],
        ),
        (
            "tone.language",
            a.tone.language.map(|_| vec![]),
            vec![(D, "tone_profile.language")],
        ),
        (
            "tone.honorifics",
            a.tone.honorifics.map(|_| vec![]),
            vec![(D, "tone_profile.honorifics")],
        ),
        (
            "tone.message_length",
            a.tone.message_length.map(|_| vec![]),
            vec![(D, "tone_profile.message_length_max_words")],
        ),
        (
            "tone.emoji_policy",
            a.tone.emoji_policy.map(|_| vec![]),
            vec![(D, "tone_profile.emoji_policy")],
        ),
        (
            "tone.formality",
            a.tone.formality.map(|_| vec![]),
            vec![(D, "tone_profile.formality")],
        ),
        (
            "tone.persuasion",
            a.tone.persuasion.map(|_| vec![]),
            vec![(D, "tone_profile.persuasion_level")],
        ),
        (
            "tone.examples",
            list(&a.tone.examples),
            vec![(D, "tone_profile.examples")],
        ),
    ];
    for (answer, texts, targets) in answered {
        if let Some(texts) = texts {
            put(answer, texts, &targets);
        }
    }
    out
}
