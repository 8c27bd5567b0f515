//! The five documents that configure an organisation's agent (seeds/001 §3), with the
//! defaults a new organisation starts from so the agent works before onboarding, and the
//! checks a saved document must pass.

use closer_domain::hours::{WorkingSchedule, parse_working_hours};
use closer_domain::sales::CtaType;
use serde::{Deserialize, Serialize};
use serde_json::Map;
use std::collections::BTreeMap;

pub use closer_domain::agent::EngineMode;

/// Where a CTA's link is kept among the business's contact links; `website_url` stands in
/// for any that is missing.
pub fn contact_link_key(cta: CtaType) -> &'static str {
    match cta {
        CtaType::AppDownload => "app_url",
        CtaType::BookCall | CtaType::ScheduleDemo | CtaType::JoinWebinar => "booking_url",
        CtaType::Payment => "payment_url",
        CtaType::FillForm => "form_url",
        CtaType::SendDocs => "docs_url",
        CtaType::VisitWebsite => "website_url",
    }
}

/// The rules every agent keeps, whatever the owner configures.
pub const SYSTEM_GUARDRAILS: [&str; 3] = [
    "Never claim to be human",
    "Respect opt-out immediately",
    "No spam if user unresponsive >72h",
];

/// What hands a conversation to a human when the owner names nothing else.
pub const DEFAULT_ESCALATION_TRIGGERS: [&str; 3] =
    ["payment_failure", "angry_sentiment", "complex_question_3x"];

/// Compact facts about the business.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessConfig {
    pub business_name: String,
    pub offer_summary: String,
    pub pricing_summary: String,
    pub primary_ctas: Vec<CtaType>,
    pub disqualifiers: Vec<String>,
    pub working_hours: String,
    /// The working hours as days and times in `timezone`; empty: read from `working_hours`
    /// when it can be ([`BusinessConfig::schedule`]).
    #[serde(skip_serializing_if = "WorkingSchedule::is_empty")]
    pub working_schedule: WorkingSchedule,
    pub contact_links: BTreeMap<String, String>,
    pub timezone: String,
    /// What the business prices in (ISO 4217, `INR`): a budget read back to the lead is in it.
    /// Empty: the organisation's currency, filled in when the agent runs (else the rupee).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub currency: String,
}

impl BusinessConfig {
    /// When a person of the business is at work: the schedule the owner set, else what their
    /// free text says ("Mon-Sat 9am-7pm"); empty when neither tells.
    pub fn schedule(&self) -> WorkingSchedule {
        if !self.working_schedule.is_empty() {
            return self.working_schedule.clone();
        }
        parse_working_hours(&self.working_hours).unwrap_or_default()
    }
}

pub use closer_domain::agent::{EmojiPolicy, Formality, Persuasion, Requirement};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CtaSequencing {
    pub first: Option<CtaType>,
    pub fallback: Option<CtaType>,
}

/// The sales methodology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SalesRules {
    /// Slot name → requirement, in the order the owner wants them asked.
    pub qualification_checklist: Vec<(String, Requirement)>,
    /// Objection key (e.g. `too_expensive`) → how to answer it.
    pub objection_playbook: BTreeMap<String, String>,
    pub cta_sequencing: CtaSequencing,
    pub escalation_triggers: Vec<String>,
}

/// Style rules for every message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToneProfile {
    /// `en`, `hi` or `hi-en` (Hinglish): the default reply language.
    pub language: String,
    pub message_length_max_words: u32,
    pub questions_per_message: u32,
    pub honorifics: bool,
    pub emoji_policy: EmojiPolicy,
    pub formality: Formality,
    pub persuasion_level: Persuasion,
    pub examples: Vec<String>,
}

impl Default for ToneProfile {
    fn default() -> Self {
        ToneProfile {
            language: "en".into(),
            message_length_max_words: 25,
            questions_per_message: 1,
            honorifics: false,
            emoji_policy: EmojiPolicy::Never,
            formality: Formality::Professional,
            persuasion_level: Persuasion::Moderate,
            examples: vec![],
        }
    }
}

/// System and business rules; forbidden phrases and disclaimers are enforced in code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GuardrailsDoc {
    pub system_guardrails: Vec<String>,
    pub business_guardrails: Vec<String>,
    pub forbidden_phrases: Vec<String>,
    pub required_disclaimers: Vec<String>,
}

/// A script line, either one text or one per language (`{"en": .., "hi-en": ..}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Script {
    One(String),
    PerLanguage(BTreeMap<String, String>),
}

impl Script {
    /// The line for a reply in `language`, only when it is written in that language: the
    /// owner's line for it, or a line in no other language ("Shall we? [LINK]"). An English
    /// line in a Hinglish reply would make one reply two languages; the caller says its own
    /// line in the reply language instead.
    pub fn for_reply(&self, language: &str) -> Option<&str> {
        let fits = |t: &&str| crate::language::fits(t, language);
        match self {
            Script::One(s) => Some(s.as_str()).filter(fits),
            Script::PerLanguage(m) => m
                .get(language)
                .or_else(|| (language == "hi").then(|| m.get("hi-en")).flatten())
                .map(String::as_str)
                .or_else(|| m.values().map(String::as_str).find(fits)),
        }
    }

    /// Whether `text` is this line in any of its languages.
    pub fn says(&self, text: &str) -> bool {
        match self {
            Script::One(s) => s == text,
            Script::PerLanguage(m) => m.values().any(|s| s == text),
        }
    }

    /// The languages the owner wrote this line in, by name (a single line has none).
    fn languages(&self) -> impl Iterator<Item = &str> {
        let named = match self {
            Script::One(_) => None,
            Script::PerLanguage(m) => Some(m.keys().map(String::as_str)),
        };
        named.into_iter().flatten()
    }

    pub fn for_language(&self, language: &str) -> Option<&str> {
        match self {
            Script::One(s) => Some(s.as_str()),
            // A lead writing Devanagari reads the Hinglish line before the English one.
            Script::PerLanguage(m) => m
                .get(language)
                .or_else(|| (language == "hi").then(|| m.get("hi-en")).flatten())
                .or_else(|| m.get("en"))
                .or_else(|| m.values().next())
                .map(String::as_str),
        }
    }
}

/// Indexed micro-templates the rules engine speaks with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ScriptLibrary {
    pub openers: BTreeMap<String, Script>,
    pub qualification: BTreeMap<String, Script>,
    pub objection_handlers: BTreeMap<String, Script>,
    pub cta_scripts: BTreeMap<String, Script>,
    pub exits: BTreeMap<String, Script>,
}

impl ScriptLibrary {
    fn all(&self) -> impl Iterator<Item = &Script> {
        [
            &self.openers,
            &self.qualification,
            &self.objection_handlers,
            &self.cta_scripts,
            &self.exits,
        ]
        .into_iter()
        .flat_map(BTreeMap::values)
    }
}

impl AgentProfile {
    /// Whether the owner lets the agent answer in `language`: the organisation's own, or
    /// one they wrote lines in. An organisation that wrote English only answers in English
    /// whatever the lead writes: its lines would otherwise sit beside the agent's Hinglish
    /// ones in one reply.
    pub fn allows_language(&self, language: &str) -> bool {
        let family = crate::language::family;
        family(language) == family(&self.tone_profile.language)
            || self
                .script_library
                .all()
                .flat_map(Script::languages)
                .any(|l| family(l) == family(language))
    }
}

/// Everything the agent is configured with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AgentProfile {
    pub mode: EngineMode,
    pub business_config: BusinessConfig,
    pub sales_rules: SalesRules,
    pub tone_profile: ToneProfile,
    pub guardrails: GuardrailsDoc,
    pub script_library: ScriptLibrary,
}

/// A document that does not pass its checks: which one, which field, why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{document}.{field}: {message}")]
pub struct DocumentError {
    pub document: &'static str,
    pub field: String,
    pub message: String,
}

fn doc_error(document: &'static str, field: &str, message: impl Into<String>) -> DocumentError {
    DocumentError {
        document,
        field: field.into(),
        message: message.into(),
    }
}

impl AgentProfile {
    /// Reads the five documents from JSON (an ordered checklist from an object), checking
    /// each; a missing document is its default.
    pub fn from_documents(
        mode: EngineMode,
        docs: &BTreeMap<&str, serde_json::Value>,
    ) -> Result<AgentProfile, DocumentError> {
        fn parse<T: serde::de::DeserializeOwned + Default>(
            name: &'static str,
            value: Option<&serde_json::Value>,
        ) -> Result<T, DocumentError> {
            match value {
                None | Some(serde_json::Value::Null) => Ok(T::default()),
                Some(v) => serde_path_to_error::deserialize(v).map_err(|e| {
                    let path = e.path().to_string();
                    doc_error(
                        name,
                        if path == "." { "" } else { &path },
                        e.into_inner().to_string(),
                    )
                }),
            }
        }
        let mut sales: SalesRules = {
            // The checklist is an object in the documents but order matters to us.
            let mut v = docs.get("sales_rules").cloned().unwrap_or_default();
            let checklist = v
                .as_object_mut()
                .and_then(|o| o.remove("qualification_checklist"));
            let mut rules: SalesRules = parse("sales_rules", Some(&v))?;
            rules.qualification_checklist = match checklist {
                None | Some(serde_json::Value::Null) => vec![],
                Some(serde_json::Value::Object(map)) => map
                    .into_iter()
                    .map(|(k, v)| {
                        serde_json::from_value::<Requirement>(v)
                            .map(|r| (k.clone(), r))
                            .map_err(|_| {
                                doc_error(
                                    "sales_rules",
                                    &format!("qualification_checklist.{k}"),
                                    "must be one of required, optional, ask_early, ask_late, never",
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => {
                    return Err(doc_error(
                        "sales_rules",
                        "qualification_checklist",
                        "must be an object of slot name → requirement",
                    ));
                }
            };
            rules
        };
        sales.escalation_triggers.retain(|t| !t.trim().is_empty());
        let profile = AgentProfile {
            mode,
            business_config: parse("business_config", docs.get("business_config"))?,
            sales_rules: sales,
            tone_profile: parse("tone_profile", docs.get("tone_profile"))?,
            guardrails: parse("guardrails", docs.get("guardrails"))?,
            script_library: parse("script_library", docs.get("script_library"))?,
        };
        profile.check()?;
        Ok(profile)
    }

    /// The five documents as JSON objects, shaped as in seeds/001 §3.
    /// The documents as the model reads them on every reply: the working schedule is left out
    /// when it only restates the owner's hours, which the model reads as written, so filling
    /// it in for Settings costs the context budget nothing.
    pub fn model_documents(&self) -> BTreeMap<&'static str, serde_json::Value> {
        let mut docs = self.documents();
        let b = &self.business_config;
        let restated =
            parse_working_hours(&b.working_hours).unwrap_or_default() == b.working_schedule;
        if restated
            && let Some(config) = docs
                .get_mut("business_config")
                .and_then(serde_json::Value::as_object_mut)
        {
            config.remove("working_schedule");
        }
        docs
    }

    pub fn documents(&self) -> BTreeMap<&'static str, serde_json::Value> {
        let mut sales = serde_json::to_value(&self.sales_rules).unwrap_or_default();
        let checklist: Map<String, serde_json::Value> = self
            .sales_rules
            .qualification_checklist
            .iter()
            .map(|(k, r)| (k.clone(), serde_json::to_value(r).unwrap_or_default()))
            .collect();
        if let Some(o) = sales.as_object_mut() {
            o.insert("qualification_checklist".into(), checklist.into());
        }
        BTreeMap::from([
            (
                "business_config",
                serde_json::to_value(&self.business_config).unwrap_or_default(),
            ),
            ("sales_rules", sales),
            (
                "tone_profile",
                serde_json::to_value(&self.tone_profile).unwrap_or_default(),
            ),
            (
                "guardrails",
                serde_json::to_value(&self.guardrails).unwrap_or_default(),
            ),
            (
                "script_library",
                serde_json::to_value(&self.script_library).unwrap_or_default(),
            ),
        ])
    }

    fn check(&self) -> Result<(), DocumentError> {
        let tone = &self.tone_profile;
        if !(5..=60).contains(&tone.message_length_max_words) {
            return Err(doc_error(
                "tone_profile",
                "message_length_max_words",
                "must be between 5 and 60",
            ));
        }
        if tone.questions_per_message != 1 {
            return Err(doc_error(
                "tone_profile",
                "questions_per_message",
                "one question per message is a guardrail: it must be 1",
            ));
        }
        if !["en", "hi", "hi-en"].contains(&tone.language.as_str()) {
            return Err(doc_error(
                "tone_profile",
                "language",
                "must be en, hi or hi-en",
            ));
        }
        let tz = &self.business_config.timezone;
        if !tz.is_empty() && tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(doc_error(
                "business_config",
                "timezone",
                format!("`{tz}` is not an IANA time zone"),
            ));
        }
        let currency = &self.business_config.currency;
        if !currency.trim().is_empty() && closer_domain::leads::org_currency(currency).is_err() {
            return Err(doc_error(
                "business_config",
                "currency",
                format!("`{currency}` is not a currency code such as INR, USD or EUR"),
            ));
        }
        for (i, p) in self.guardrails.forbidden_phrases.iter().enumerate() {
            if p.trim().chars().count() < 3 {
                return Err(doc_error(
                    "guardrails",
                    &format!("forbidden_phrases[{i}]"),
                    "a forbidden phrase needs at least 3 characters",
                ));
            }
        }
        for (k, _) in &self.sales_rules.qualification_checklist {
            if k.trim().is_empty() || k.len() > 60 {
                return Err(doc_error(
                    "sales_rules",
                    "qualification_checklist",
                    "slot names are 1 to 60 characters",
                ));
            }
        }
        Ok(())
    }

    /// What a new organisation starts with: a polite generic agent that qualifies by name,
    /// need and timeline, and offers a call.
    pub fn starter(business_name: &str) -> AgentProfile {
        let name = if business_name.trim().is_empty() {
            "our team".to_owned()
        } else {
            business_name.trim().to_owned()
        };
        AgentProfile {
            mode: EngineMode::Rules,
            business_config: BusinessConfig {
                business_name: name.clone(),
                primary_ctas: vec![CtaType::BookCall],
                ..Default::default()
            },
            sales_rules: SalesRules {
                qualification_checklist: vec![
                    ("name".into(), Requirement::Required),
                    ("need".into(), Requirement::Required),
                    ("timeline".into(), Requirement::Optional),
                    ("budget".into(), Requirement::AskLate),
                ],
                objection_playbook: BTreeMap::from([
                    (
                        "too_expensive".into(),
                        "Explain the value and any payment options".into(),
                    ),
                    (
                        "no_time".into(),
                        "Offer a short call at a time that suits them".into(),
                    ),
                ]),
                cta_sequencing: CtaSequencing {
                    first: Some(CtaType::BookCall),
                    fallback: None,
                },
                escalation_triggers: DEFAULT_ESCALATION_TRIGGERS.map(String::from).to_vec(),
            },
            tone_profile: ToneProfile::default(),
            guardrails: GuardrailsDoc {
                system_guardrails: SYSTEM_GUARDRAILS.map(String::from).to_vec(),
                business_guardrails: vec![],
                forbidden_phrases: vec!["guaranteed".into(), "risk-free".into()],
                required_disclaimers: vec![],
            },
            script_library: ScriptLibrary {
                openers: BTreeMap::from([(
                    "new_lead".into(),
                    script(
                        &format!(
                            "Hi! Thanks for reaching out to {name}. I'm the virtual assistant, happy to help."
                        ),
                        &format!(
                            "Namaste! {name} se contact karne ke liye thanks. Main virtual assistant hun, help karta hun."
                        ),
                    ),
                )]),
                qualification: BTreeMap::from([
                    (
                        "name".into(),
                        script("May I know your name?", "Aapka naam kya hai?"),
                    ),
                    (
                        "need".into(),
                        script("What are you looking for?", "Aap kya dhoondh rahe hain?"),
                    ),
                    (
                        "timeline".into(),
                        script(
                            "When would you like to get started?",
                            "Aap kab tak shuru karna chahenge?",
                        ),
                    ),
                    (
                        "budget".into(),
                        script(
                            "What budget do you have in mind?",
                            "Aapka budget kitna hai?",
                        ),
                    ),
                ]),
                objection_handlers: starter_objection_handlers(),
                cta_scripts: BTreeMap::from([(
                    "book_call".into(),
                    script(
                        "Shall we set up a quick call with our team? [LINK]",
                        "Team ke saath ek quick call set karein? [LINK]",
                    ),
                )]),
                exits: BTreeMap::from([
                    (
                        "graceful".into(),
                        script(
                            "No problem! Message us whenever you are ready.",
                            "Koi baat nahi! Jab ready ho, message karna.",
                        ),
                    ),
                    (
                        "opt_out".into(),
                        script(
                            "You're unsubscribed and won't get more messages from us. Reply START anytime to talk again.",
                            "Aapko ab humse messages nahi aayenge. Dobara baat karne ke liye START bhejein.",
                        ),
                    ),
                    (
                        "handoff".into(),
                        script(
                            "I'm bringing in a member of our team; they'll reply here shortly.",
                            "Main team ke member ko bula raha hun, woh jaldi yahin reply karenge.",
                        ),
                    ),
                ]),
            },
        }
    }
}

/// The starter's answers to the objections every business meets, in English and Hinglish: what
/// the rules engine says when the owner wrote guidance for one (`objection_playbook`) but no
/// words for the lead (`script_library.objection_handlers`).
/// A line in English and Hinglish.
fn script(en: &str, hinglish: &str) -> Script {
    Script::PerLanguage(BTreeMap::from([
        ("en".into(), en.into()),
        ("hi-en".into(), hinglish.into()),
    ]))
}

pub fn starter_objection_handlers() -> BTreeMap<String, Script> {
    BTreeMap::from([
        (
            "too_expensive".into(),
            script(
                "I understand. It pays for itself quickly, and we can find an option that fits.",
                "Samajh sakta hun. Aapke budget ke hisaab se option dekh sakte hain.",
            ),
        ),
        (
            "no_time".into(),
            script(
                "No problem, a short 10-minute call at your convenience is enough.",
                "Koi baat nahi, aapke time pe 10 minute ki call kaafi hai.",
            ),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The owner's schedule wins; without one the free text is read; a time that is not
    /// `HH:MM` is an error on its field, not a schedule silently dropped.
    #[test]
    fn the_working_schedule_is_the_owners_or_read_from_their_words() {
        let read = |config: serde_json::Value| {
            AgentProfile::from_documents(
                EngineMode::Rules,
                &BTreeMap::from([("business_config", config)]),
            )
        };
        let set = read(json!({"working_hours": "Mon-Sat 9am-7pm",
            "working_schedule": [{"days": ["Sun"], "open": "10:00", "close": "14:00"}]}))
        .unwrap();
        let days = |p: &AgentProfile| p.business_config.schedule().0[0].days.len();
        assert_eq!(days(&set), 1);
        let typed = read(json!({"working_hours": "Mon-Sat 9am-7pm"})).unwrap();
        assert_eq!(days(&typed), 6);
        assert!(typed.business_config.working_schedule.is_empty());
        // Nothing new is written back for an owner who set no schedule.
        let out = serde_json::to_value(&typed.business_config).unwrap();
        assert!(out.get("working_schedule").is_none(), "{out}");
        let wrong =
            read(json!({"working_schedule": [{"days": ["Mon"], "open": "9am", "close": "19:00"}]}));
        let e = wrong.expect_err("9am is not HH:MM");
        assert!(format!("{e:?}").contains("working_schedule"), "{e:?}");
    }

    #[test]
    fn the_seed_documents_parse_and_keep_the_checklist_order() {
        let docs = BTreeMap::from([
            (
                "business_config",
                json!({"business_name": "JustStock Academy", "primary_ctas": ["app_download", "book_call"],
                       "contact_links": {"app_url": "https://x.example/app"}, "timezone": "Asia/Kolkata"}),
            ),
            (
                "sales_rules",
                json!({"qualification_checklist": {"experience_level": "required", "interest_category": "required",
                       "goal": "required", "budget": "ask_late"},
                       "cta_sequencing": {"first": "app_download", "fallback": "book_call"}}),
            ),
            (
                "script_library",
                json!({"qualification": {"experience_check": "Pehle trading ki hai?"},
                       "exits": {"graceful": {"en": "No problem!", "hi-en": "Koi baat nahi!"}}}),
            ),
        ]);
        let p = AgentProfile::from_documents(EngineMode::Rules, &docs).unwrap();
        let keys: Vec<_> = p
            .sales_rules
            .qualification_checklist
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            keys,
            ["experience_level", "interest_category", "goal", "budget"]
        );
        let round = p.documents();
        let again = AgentProfile::from_documents(
            EngineMode::Rules,
            &round.iter().map(|(k, v)| (*k, v.clone())).collect(),
        )
        .unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn bad_documents_name_the_field() {
        let bad = |doc: &'static str, v: serde_json::Value| {
            AgentProfile::from_documents(EngineMode::Rules, &BTreeMap::from([(doc, v)]))
                .unwrap_err()
        };
        let e = bad("tone_profile", json!({"message_length_max_words": 200}));
        assert_eq!(e.field, "message_length_max_words");
        let e = bad("business_config", json!({"timezone": "Mars/Olympus"}));
        assert_eq!(e.field, "timezone");
        let e = bad("business_config", json!({"primary_ctas": ["teleport"]}));
        assert_eq!(
            (e.document, e.field.as_str()),
            ("business_config", "primary_ctas[0]")
        );
        let e = bad(
            "sales_rules",
            json!({"qualification_checklist": {"goal": "maybe"}}),
        );
        assert_eq!(e.field, "qualification_checklist.goal");
        let e = bad("guardrails", json!({"forbidden": []}));
        assert_eq!(e.document, "guardrails");
    }

    #[test]
    fn the_starter_profile_is_valid() {
        let p = AgentProfile::starter("Acme");
        let docs = p.documents();
        let again = AgentProfile::from_documents(
            EngineMode::Rules,
            &docs.iter().map(|(k, v)| (*k, v.clone())).collect(),
        )
        .unwrap();
        assert_eq!(again, p);
    }
}
