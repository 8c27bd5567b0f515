//! The onboarding questionnaire (seeds/001 §3, sections A–G) and the five agent documents
//! built from it. Every answer is optional so a half-filled wizard can be saved; generation
//! needs the few answers listed in [`validate_for_generation`]. The documents come either
//! from [`generate`] (deterministic, offline) or from a model that rewrites that draft
//! ([`generate_with_model`]); either way they pass [`AgentProfile::from_documents`] and fit
//! the agent's context budget.

mod draft;
mod phrasebook;
mod placement;
mod with_model;

pub use draft::generate;
pub use placement::{Place, Placement, SetupFact, knowledge_facts, placements};
pub use with_model::{GenerationFailure, generate_with_model};

use crate::profile::{EmojiPolicy, Formality, Persuasion};
use closer_domain::contact_points::{Phone, WebAddress};
use closer_domain::sales::CtaType;
use closer_domain::{EmailAddress, ValidationError};
use serde::{Deserialize, Serialize};

/// A field path (`tone.emoji_policy`, `offer.products[2]`) and what is wrong with it.
pub type FieldProblem = (String, String);

/// Everything the owner told the wizard, section by section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OnboardingAnswers {
    pub business: BusinessBasics,
    pub offer: Offer,
    pub customer: IdealCustomer,
    pub sales: SalesProcess,
    pub guardrails: PolicyGuardrails,
    pub tone: TonePreferences,
}

/// A. Business basics.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessBasics {
    pub name: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    /// As the owner says it, e.g. "9 AM–9 PM, Mon–Sat".
    pub working_hours: Option<String>,
    /// IANA, e.g. Asia/Kolkata.
    pub timezone: Option<String>,
    pub website_url: Option<String>,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
}

/// B. What is sold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Offer {
    pub products: Vec<String>,
    pub pricing: Option<String>,
    pub usp: Option<String>,
    pub delivery_timeline: Option<String>,
    pub refund_policy: Option<String>,
}

/// C. Who it is for.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdealCustomer {
    pub description: Option<String>,
    pub disqualifiers: Vec<String>,
    pub use_cases: Vec<String>,
}

pub use closer_domain::agent::BudgetTiming;

/// A call to action the owner wants, with where it leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CtaChoice {
    #[serde(rename = "type")]
    pub kind: CtaType,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Something the agent should find out about every lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualifier {
    /// e.g. "experience level"; becomes the slot `experience_level`.
    pub topic: String,
    /// The owner's own wording of the question; a generic one otherwise.
    #[serde(default)]
    pub question: Option<String>,
}

/// An objection leads raise and how the owner answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionAnswer {
    /// e.g. "too expensive"; becomes the playbook key `too_expensive`.
    pub objection: String,
    pub answer: String,
}

/// D. How the owner sells.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SalesProcess {
    /// In the order the agent should offer them.
    pub primary_ctas: Vec<CtaChoice>,
    pub qualification: Vec<Qualifier>,
    pub budget_timing: Option<BudgetTiming>,
    pub hot_lead_definition: Option<String>,
    /// Codes such as `payment_failure`, or the owner's own words.
    pub escalation_triggers: Vec<String>,
    pub objections: Vec<ObjectionAnswer>,
}

/// F. What the agent must never say, and what it must always say.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyGuardrails {
    pub forbidden_claims: Vec<String>,
    pub required_disclaimers: Vec<String>,
    pub language_restrictions: Vec<String>,
    pub custom_rules: Vec<String>,
}

/// The reply language: English, Hinglish or Hindi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "hi-en")]
    HiEn,
    #[serde(rename = "hi")]
    Hi,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::HiEn => "hi-en",
            Language::Hi => "hi",
        }
    }
}

/// G. How the agent sounds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TonePreferences {
    pub language: Option<Language>,
    pub honorifics: Option<bool>,
    /// Most words in one message, 5 to 25.
    pub message_length: Option<u32>,
    /// One question per message is a guardrail; 1 is the only accepted answer.
    pub questions_per_message: Option<u32>,
    pub emoji_policy: Option<EmojiPolicy>,
    pub formality: Option<Formality>,
    pub persuasion: Option<Persuasion>,
    /// Messages in the owner's voice.
    pub examples: Vec<String>,
}

/// Longest one-line answer (a name, a city, a phrase in a list).
const SHORT: usize = 200;
/// Longest free-text answer (pricing, refund policy): the FAQ holds the long versions.
const LONG: usize = 1_000;
/// Most entries in any list answer.
const ITEMS: usize = 20;
/// The owner's rules are kept whole in the documents the agent reads on every reply, so
/// together they are bounded rather than shortened: forbidden claims, language restrictions
/// and custom rules (section F) ...
pub const RULES_CHARS: usize = 600;
/// ... escalation triggers ...
pub const TRIGGERS_CHARS: usize = 200;
/// ... and the hot-lead definition.
pub const HOT_LEAD_CHARS: usize = 150;
pub const MESSAGE_WORDS: std::ops::RangeInclusive<u32> = 5..=25;

/// Trims a text answer; blank means unanswered.
fn tidy(text: &mut Option<String>) {
    *text = text
        .take()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
}

fn tidy_list(list: &mut Vec<String>) {
    for item in list.iter_mut() {
        *item = item.trim().to_owned();
    }
    list.retain(|item| !item.is_empty());
}

/// Whether `text` is one of our stock answers to an objection (in any language): the
/// wizard's, or the starter profile's ("It pays for itself quickly"), which a new profile
/// holds until the owner writes their own. Our words, not the owner's.
pub fn is_stock_objection_answer(text: &str) -> bool {
    let wizard = [Language::En, Language::HiEn, Language::Hi]
        .into_iter()
        .any(|l| phrasebook::too_expensive(l) == text || phrasebook::no_time(l) == text);
    wizard
        || crate::profile::starter_objection_handlers()
            .values()
            .any(|line| line.says(text))
}

/// `example.com/x` → `https://example.com/x`; `None` when it cannot be a web address.
pub fn web_address(raw: &str) -> Option<String> {
    WebAddress::parse(raw)
        .ok()
        .map(|w| w.to_string())
        .filter(|w| w.len() <= 300)
}

fn phone_ok(raw: &str) -> bool {
    Phone::parse(raw, None).is_ok()
}

/// A slot or playbook key from the owner's words: `Experience level` → `experience_level`.
pub fn key_of(words: &str) -> String {
    let mut key = String::new();
    for c in words.trim().chars() {
        if c.is_whitespace() || c.is_ascii_punctuation() {
            if !key.is_empty() && !key.ends_with('_') {
                key.push('_');
            }
        } else {
            key.extend(c.to_lowercase());
        }
    }
    let key = key.trim_end_matches('_');
    // The documents allow 60 bytes per key.
    let mut end = key.len().min(60);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    key[..end].trim_end_matches('_').to_owned()
}

/// Collects problems under their field paths.
#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    fn text(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(v) = value
            && v.chars().count() > max
        {
            self.add(field, format!("must be at most {max} characters"));
        }
    }

    /// Lists kept whole together: too long, the problem is named on the last one answered.
    fn together(&mut self, lists: &[(&str, &[String])], max: usize, what: &str) {
        let total: usize = lists
            .iter()
            .flat_map(|(_, l)| l.iter())
            .map(|i| i.chars().count())
            .sum();
        if total > max
            && let Some((field, _)) = lists.iter().rev().find(|(_, l)| !l.is_empty())
        {
            self.add(
                *field,
                format!(
                    "{what} together must be at most {max} characters (now {total}): the agent keeps every one whole and reads them on every reply"
                ),
            );
        }
    }

    fn list(&mut self, field: &str, list: &[String], max_items: usize, max_chars: usize) {
        if list.len() > max_items {
            self.add(field, format!("at most {max_items} entries"));
        }
        for (i, item) in list.iter().enumerate() {
            if item.chars().count() > max_chars {
                self.add(
                    format!("{field}[{i}]"),
                    format!("must be at most {max_chars} characters"),
                );
            }
        }
    }
}

impl OnboardingAnswers {
    /// Trims every text, drops blank list entries and completes web addresses, so what is
    /// stored is what generation reads.
    pub fn tidied(mut self) -> OnboardingAnswers {
        let b = &mut self.business;
        for t in [
            &mut b.name,
            &mut b.industry,
            &mut b.city,
            &mut b.working_hours,
            &mut b.timezone,
            &mut b.website_url,
            &mut b.support_email,
            &mut b.support_phone,
        ] {
            tidy(t);
        }
        if let Some(url) = &b.website_url {
            b.website_url = Some(web_address(url).unwrap_or_else(|| url.clone()));
        }
        let o = &mut self.offer;
        tidy_list(&mut o.products);
        for t in [
            &mut o.pricing,
            &mut o.usp,
            &mut o.delivery_timeline,
            &mut o.refund_policy,
        ] {
            tidy(t);
        }
        let c = &mut self.customer;
        tidy(&mut c.description);
        tidy_list(&mut c.disqualifiers);
        tidy_list(&mut c.use_cases);
        let s = &mut self.sales;
        for cta in &mut s.primary_ctas {
            tidy(&mut cta.link);
            tidy(&mut cta.phone);
            if let Some(link) = &cta.link {
                cta.link = Some(web_address(link).unwrap_or_else(|| link.clone()));
            }
        }
        for q in &mut s.qualification {
            q.topic = q.topic.trim().to_owned();
            tidy(&mut q.question);
        }
        s.qualification.retain(|q| !q.topic.is_empty());
        tidy(&mut s.hot_lead_definition);
        tidy_list(&mut s.escalation_triggers);
        for o in &mut s.objections {
            o.objection = o.objection.trim().to_owned();
            o.answer = o.answer.trim().to_owned();
        }
        s.objections
            .retain(|o| !o.objection.is_empty() || !o.answer.is_empty());
        let g = &mut self.guardrails;
        tidy_list(&mut g.forbidden_claims);
        tidy_list(&mut g.required_disclaimers);
        tidy_list(&mut g.language_restrictions);
        tidy_list(&mut g.custom_rules);
        tidy_list(&mut self.tone.examples);
        self
    }

    /// What is wrong with the answers given so far (unanswered questions are fine here).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Problems::default();
        let b = &self.business;
        p.text("business.name", &b.name, 100);
        p.text("business.industry", &b.industry, 100);
        p.text("business.city", &b.city, 100);
        p.text("business.working_hours", &b.working_hours, SHORT);
        if let Some(tz) = &b.timezone
            && tz.parse::<chrono_tz::Tz>().is_err()
        {
            p.add(
                "business.timezone",
                "must be an IANA time zone such as Asia/Kolkata",
            );
        }
        if let Some(url) = &b.website_url
            && web_address(url).is_none()
        {
            p.add(
                "business.website_url",
                "must be a web address such as https://example.com",
            );
        }
        if let Some(email) = &b.support_email
            && let Err(ValidationError(why)) = EmailAddress::parse(email)
        {
            p.add("business.support_email", why);
        }
        if let Some(phone) = &b.support_phone
            && !phone_ok(phone)
        {
            p.add(
                "business.support_phone",
                "must be a phone number such as +91 98765 43210",
            );
        }

        let o = &self.offer;
        p.list("offer.products", &o.products, ITEMS, SHORT);
        p.text("offer.pricing", &o.pricing, LONG);
        p.text("offer.usp", &o.usp, LONG);
        p.text("offer.delivery_timeline", &o.delivery_timeline, LONG);
        p.text("offer.refund_policy", &o.refund_policy, LONG);

        let c = &self.customer;
        p.text("customer.description", &c.description, LONG);
        p.list("customer.disqualifiers", &c.disqualifiers, ITEMS, SHORT);
        p.list("customer.use_cases", &c.use_cases, ITEMS, SHORT);

        let s = &self.sales;
        let mut seen = Vec::new();
        for (i, cta) in s.primary_ctas.iter().enumerate() {
            let at = format!("sales.primary_ctas[{i}]");
            if seen.contains(&cta.kind) {
                p.add(format!("{at}.type"), "each call to action once");
            }
            seen.push(cta.kind);
            if let Some(link) = &cta.link
                && web_address(link).is_none()
            {
                p.add(format!("{at}.link"), "must be an http(s) URL");
            }
            if let Some(phone) = &cta.phone
                && !phone_ok(phone)
            {
                p.add(format!("{at}.phone"), "must be a phone number");
            }
        }
        if s.qualification.len() > 10 {
            p.add("sales.qualification", "at most 10 entries");
        }
        let mut keys = Vec::new();
        for (i, q) in s.qualification.iter().enumerate() {
            let key = key_of(&q.topic);
            if q.topic.chars().count() > 60 || key.is_empty() {
                p.add(
                    format!("sales.qualification[{i}].topic"),
                    "must be 1 to 60 characters of words",
                );
            } else if keys.contains(&key) {
                p.add(format!("sales.qualification[{i}].topic"), "asked twice");
            }
            keys.push(key);
            p.text(
                &format!("sales.qualification[{i}].question"),
                &q.question,
                SHORT,
            );
        }
        p.text(
            "sales.hot_lead_definition",
            &s.hot_lead_definition,
            HOT_LEAD_CHARS,
        );
        p.list(
            "sales.escalation_triggers",
            &s.escalation_triggers,
            10,
            SHORT,
        );
        p.together(
            &[("sales.escalation_triggers", &s.escalation_triggers)],
            TRIGGERS_CHARS,
            "escalation triggers",
        );
        if s.objections.len() > 10 {
            p.add("sales.objections", "at most 10 entries");
        }
        for (i, ob) in s.objections.iter().enumerate() {
            if ob.objection.is_empty() || key_of(&ob.objection).is_empty() {
                p.add(format!("sales.objections[{i}].objection"), "is required");
            } else if ob.objection.chars().count() > 100 {
                p.add(
                    format!("sales.objections[{i}].objection"),
                    "must be at most 100 characters",
                );
            }
            if ob.answer.is_empty() {
                p.add(format!("sales.objections[{i}].answer"), "is required");
            } else if ob.answer.chars().count() > 500 {
                p.add(
                    format!("sales.objections[{i}].answer"),
                    "must be at most 500 characters",
                );
            }
        }

        let g = &self.guardrails;
        p.list(
            "guardrails.forbidden_claims",
            &g.forbidden_claims,
            ITEMS,
            100,
        );
        for (i, claim) in g.forbidden_claims.iter().enumerate() {
            if claim.chars().count() < 3 {
                p.add(
                    format!("guardrails.forbidden_claims[{i}]"),
                    "needs at least 3 characters",
                );
            }
        }
        // Disclaimers are appended word for word, so they are never shortened to fit.
        p.list(
            "guardrails.required_disclaimers",
            &g.required_disclaimers,
            3,
            120,
        );
        p.list(
            "guardrails.language_restrictions",
            &g.language_restrictions,
            10,
            SHORT,
        );
        p.list("guardrails.custom_rules", &g.custom_rules, 10, SHORT);
        p.together(
            &[
                ("guardrails.forbidden_claims", &g.forbidden_claims),
                ("guardrails.language_restrictions", &g.language_restrictions),
                ("guardrails.custom_rules", &g.custom_rules),
            ],
            RULES_CHARS,
            "forbidden claims, language restrictions and custom rules",
        );

        let t = &self.tone;
        if let Some(n) = t.message_length
            && !MESSAGE_WORDS.contains(&n)
        {
            p.add("tone.message_length", "must be between 5 and 25 words");
        }
        if let Some(n) = t.questions_per_message
            && n != 1
        {
            p.add(
                "tone.questions_per_message",
                "one question per message is a guardrail: it must be 1",
            );
        }
        p.list("tone.examples", &t.examples, 5, SHORT);
        p.0
    }
}

/// Problems that stop generation: everything [`OnboardingAnswers::problems`] finds, plus the
/// answers generation cannot do without.
pub fn validate_for_generation(answers: &OnboardingAnswers) -> Result<(), Vec<FieldProblem>> {
    let mut missing = Vec::new();
    let b = &answers.business;
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&b.name) {
        missing.push(("business.name".into(), "is required".into()));
    }
    if blank(&b.website_url) {
        missing.push(("business.website_url".into(), "is required".into()));
    }
    if blank(&b.timezone) {
        missing.push(("business.timezone".into(), "is required".into()));
    }
    if answers.offer.products.iter().all(|p| p.trim().is_empty()) {
        missing.push((
            "offer.products".into(),
            "name at least one product or service".into(),
        ));
    }
    if answers.sales.primary_ctas.is_empty() {
        missing.push((
            "sales.primary_ctas".into(),
            "choose at least one call to action".into(),
        ));
    }
    let mut all = answers.problems();
    all.retain(|(field, _)| !missing.iter().any(|(m, _)| m == field));
    missing.extend(all);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests;
