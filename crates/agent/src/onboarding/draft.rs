//! The five documents written from the answers by rule: no model, no network, the same
//! answers always give the same documents.

use super::phrasebook::{self as say, Voice};
use super::{BudgetTiming, Language, OnboardingAnswers, key_of};
use crate::context::{ContextBudget, stable_fits};
use crate::guardrails::drop_sentences;
use crate::profile::{
    AgentProfile, BusinessConfig, CtaSequencing, DEFAULT_ESCALATION_TRIGGERS, EmojiPolicy,
    EngineMode, Formality, GuardrailsDoc, Persuasion, Requirement, SYSTEM_GUARDRAILS, SalesRules,
    Script, ScriptLibrary, ToneProfile, contact_link_key,
};
use closer_domain::hours::parse_working_hours;
use closer_domain::sales::CtaType;
use std::collections::BTreeMap;

/// How much of the owner's text, and how many languages, the documents carry. The agent reads
/// all five documents on every reply, so they must fit its context budget; the first room
/// that fits wins, the last one fits any answers the questionnaire accepts.
#[derive(Debug, Clone, Copy)]
struct Room {
    /// English and Hinglish besides the chosen language (leads switch languages).
    all_languages: bool,
    /// English besides the chosen language.
    with_english: bool,
    /// Longest piece of the owner's text kept.
    text: usize,
    /// Most entries kept of a list.
    items: usize,
    /// Forbidden phrases and disclaimers are kept whole, and all of them, except in the
    /// last resort.
    enforced: usize,
    /// Opt-out and handoff exits besides the graceful one (the agent has built-in lines for
    /// both).
    all_exits: bool,
}

const ROOMS: [Room; 7] = [
    Room {
        all_languages: true,
        with_english: true,
        text: 300,
        items: 10,
        enforced: 20,
        all_exits: true,
    },
    Room {
        all_languages: false,
        with_english: true,
        text: 200,
        items: 8,
        enforced: 20,
        all_exits: true,
    },
    Room {
        all_languages: false,
        with_english: false,
        text: 140,
        items: 6,
        enforced: 20,
        all_exits: true,
    },
    Room {
        all_languages: false,
        with_english: false,
        text: 90,
        items: 4,
        enforced: 20,
        all_exits: true,
    },
    Room {
        all_languages: false,
        with_english: false,
        text: 60,
        items: 3,
        enforced: 20,
        all_exits: false,
    },
    Room {
        all_languages: false,
        with_english: false,
        text: 30,
        items: 2,
        enforced: 4,
        all_exits: false,
    },
    // The owner's rules are kept whole, so the rest gives way further still.
    Room {
        all_languages: false,
        with_english: false,
        text: 20,
        items: 1,
        enforced: 3,
        all_exits: false,
    },
];

/// The five documents for these answers. Unanswered questions get the starter profile's
/// choices, so even an empty questionnaire gives a valid agent.
pub fn generate(answers: &OnboardingAnswers) -> AgentProfile {
    let budget = ContextBudget::default();
    let mut last = None;
    for room in ROOMS {
        let profile = draft(answers, room);
        let compact = serde_json::to_string(&profile.model_documents()).unwrap_or_default();
        if stable_fits(&compact, &budget).is_ok() {
            return profile;
        }
        last = Some(profile);
    }
    last.expect("there is always a room")
}

/// `text` cut to `max` characters at a word boundary, marked with "…" when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > cut.len() / 2 => &cut[..i],
        _ => &cut,
    };
    format!(
        "{}…",
        at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:.-".contains(c))
    )
}

/// A phrase placed mid-sentence: "Live trading courses" → "live trading courses", but
/// "SEO audits" stays.
fn mid_sentence(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or_default();
    let mut chars = first_word.chars();
    let shouty = chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_uppercase);
    if shouty {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut it = text.chars();
    if let Some(c) = it.next() {
        out.extend(c.to_lowercase());
    }
    out.extend(it);
    out
}

/// Whole sentences dropped from the end (sparing the question) until `text` has at most
/// `max` words, the way the max-words guardrail would cut it when sent.
fn fit_words(text: &str, max: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        if ".!?।".contains(c) && chars.peek().is_none_or(|n| n.is_whitespace()) {
            parts.push(cur.trim().to_owned());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        // A trailing emoji belongs to the sentence before it.
        match parts.last_mut() {
            Some(last) if !cur.chars().any(char::is_alphanumeric) => {
                last.push(' ');
                last.push_str(cur.trim());
            }
            _ => parts.push(cur.trim().to_owned()),
        }
    }
    drop_sentences(&mut parts, max);
    parts.join(" ")
}

/// Scripts in the languages the room allows, chosen language first.
struct Scripts {
    languages: Vec<Language>,
    voice: Voice,
    max_words: usize,
}

impl Scripts {
    fn new(chosen: Language, voice: Voice, max_words: usize, room: Room) -> Scripts {
        let mut languages = vec![chosen];
        let mut add = |l: Language| {
            if !languages.contains(&l) {
                languages.push(l);
            }
        };
        if room.all_languages {
            add(Language::En);
            add(Language::HiEn);
        } else if room.with_english {
            add(Language::En);
        }
        Scripts {
            languages,
            voice,
            max_words,
        }
    }

    fn line(&self, write: impl Fn(Language, Voice) -> String) -> Script {
        let lines: Vec<(String, String)> = self
            .languages
            .iter()
            .map(|l| {
                (
                    l.code().to_owned(),
                    fit_words(&write(*l, self.voice), self.max_words),
                )
            })
            .collect();
        if lines.len() == 1 {
            Script::One(lines.into_iter().next().expect("one line").1)
        } else {
            Script::PerLanguage(lines.into_iter().collect())
        }
    }
}

/// A claim the owner forbids, as a rule: "guaranteed profits" → "Never claim guaranteed
/// profits"; a rule already ("Never promise jobs") stays as written.
fn claim_rule(claim: &str) -> String {
    let lower = claim.to_lowercase();
    if ["never ", "don't ", "do not ", "no ", "avoid "]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        claim.to_owned()
    } else {
        format!("Never claim {}", mid_sentence(claim))
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !item.is_empty() && !list.iter().any(|i| i.eq_ignore_ascii_case(&item)) {
        list.push(item);
    }
}

fn draft(a: &OnboardingAnswers, room: Room) -> AgentProfile {
    let text = |t: &str| shorten(t, room.text);
    let starter = ToneProfile::default();
    let language = a.tone.language.unwrap_or(Language::En);
    let voice = Voice {
        formality: a.tone.formality.unwrap_or(Formality::Professional),
        honorifics: a.tone.honorifics.unwrap_or(false),
        emoji: a.tone.emoji_policy.unwrap_or(EmojiPolicy::Never),
        persuasion: a.tone.persuasion.unwrap_or(Persuasion::Moderate),
    };
    let max_words = a
        .tone
        .message_length
        .filter(|n| super::MESSAGE_WORDS.contains(n))
        .unwrap_or(starter.message_length_max_words);
    let scripts = Scripts::new(language, voice, max_words as usize, room);

    let name = a
        .business
        .name
        .as_deref()
        .map(|n| shorten(n, 100))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "our team".into());
    let products: Vec<String> = a
        .offer
        .products
        .iter()
        .take(room.items)
        .map(|p| shorten(p, 80))
        .collect();
    let ctas: Vec<CtaType> = a.sales.primary_ctas.iter().map(|c| c.kind).collect();

    // A. and B.: the compact facts.
    let mut offer = Vec::new();
    if !products.is_empty() {
        offer.push(products.join(", "));
    }
    if let Some(usp) = &a.offer.usp {
        offer.push(text(usp));
    }
    if let Some(icp) = &a.customer.description {
        offer.push(format!("For {}", mid_sentence(&text(icp))));
    }
    let use_cases: Vec<String> = a
        .customer
        .use_cases
        .iter()
        .take(room.items)
        .map(|u| shorten(u, 60))
        .collect();
    if !use_cases.is_empty() {
        offer.push(format!("Use cases: {}", use_cases.join(", ")));
    }
    if let Some(d) = &a.offer.delivery_timeline {
        offer.push(format!("Delivery: {}", text(d)));
    }
    if let Some(r) = &a.offer.refund_policy {
        offer.push(format!("Refunds: {}", text(r)));
    }
    let offer_summary = shorten(
        &offer
            .iter()
            .map(|s| s.trim_end_matches('.'))
            .collect::<Vec<_>>()
            .join(". "),
        room.text * 2,
    );

    let mut contact_links = BTreeMap::new();
    if let Some(url) = &a.business.website_url {
        contact_links.insert("website_url".to_owned(), url.clone());
    }
    for cta in &a.sales.primary_ctas {
        if let Some(link) = &cta.link {
            contact_links
                .entry(contact_link_key(cta.kind).to_owned())
                .or_insert_with(|| link.clone());
        }
    }
    if let Some(email) = &a.business.support_email {
        contact_links.insert("support_email".into(), email.clone());
    }
    if let Some(phone) = &a.business.support_phone {
        contact_links.insert("support_phone".into(), phone.clone());
    }

    let business_config = BusinessConfig {
        business_name: name.clone(),
        offer_summary,
        pricing_summary: a.offer.pricing.as_deref().map(text).unwrap_or_default(),
        primary_ctas: ctas.clone(),
        disqualifiers: a
            .customer
            .disqualifiers
            .iter()
            .take(room.items)
            .map(|d| shorten(d, room.text.min(100)))
            .collect(),
        working_hours: a
            .business
            .working_hours
            .as_deref()
            .map(|w| shorten(w, room.text.min(100)))
            .unwrap_or_default(),
        // The days and times the owner's words say ("9 AM-9 PM Mon-Sat"), so Settings → Agent
        // → Business shows them and the owner corrects a misreading there; read from the whole
        // text, not the shortened one. Empty when the words cannot be read.
        working_schedule: a
            .business
            .working_hours
            .as_deref()
            .and_then(parse_working_hours)
            .unwrap_or_default(),
        contact_links,
        timezone: a
            .business
            .timezone
            .clone()
            .filter(|tz| tz.parse::<chrono_tz::Tz>().is_ok())
            .unwrap_or_default(),
        // The wizard asks no currency: the organisation's own stands (Settings → Organisation).
        currency: String::new(),
    };

    // D.: what to learn about a lead, in order, with budget where the owner wants it.
    let mut qualification = BTreeMap::new();
    let mut checklist: Vec<(String, Requirement)> = vec![("name".into(), Requirement::Required)];
    qualification.insert("name".to_owned(), scripts.line(say::ask_name));
    let mut topics: Vec<(String, Requirement)> = Vec::new();
    for q in a.sales.qualification.iter().take(room.items) {
        let key = key_of(&q.topic);
        if key.is_empty() || checklist.iter().chain(&topics).any(|(k, _)| *k == key) {
            continue;
        }
        let script = match &q.question {
            Some(own) => Script::One(text(own)),
            None => {
                let topic = mid_sentence(&shorten(&q.topic, 60));
                scripts.line(|l, v| say::ask(l, v, &topic))
            }
        };
        qualification.insert(key.clone(), script);
        let requirement = if key == "budget" {
            Requirement::AskLate
        } else {
            Requirement::Required
        };
        topics.push((key, requirement));
    }
    if topics.is_empty() {
        topics.push(("need".into(), Requirement::Required));
        topics.push(("timeline".into(), Requirement::Optional));
        qualification.insert("need".into(), scripts.line(say::ask_need));
        qualification.insert("timeline".into(), scripts.line(say::ask_timeline));
    }
    let timing = a.sales.budget_timing.unwrap_or(BudgetTiming::Late);
    let owner_budget = topics.iter().position(|(k, _)| k == "budget");
    let budget_requirement = match timing {
        BudgetTiming::Early => Requirement::AskEarly,
        BudgetTiming::Mid => Requirement::Required,
        BudgetTiming::Late => Requirement::AskLate,
        BudgetTiming::Never => Requirement::Never,
    };
    let budget = match owner_budget {
        Some(i) => topics.remove(i).0,
        None => {
            qualification.insert("budget".into(), scripts.line(say::ask_budget));
            "budget".into()
        }
    };
    let middle = topics.len().div_ceil(2);
    match timing {
        BudgetTiming::Early => checklist.push((budget, budget_requirement)),
        BudgetTiming::Mid => topics.insert(middle, (budget, budget_requirement)),
        BudgetTiming::Late | BudgetTiming::Never => topics.push((budget, budget_requirement)),
    }
    checklist.extend(topics);

    // Objections: the owner's answers, then the common ones they did not cover.
    let mut playbook = BTreeMap::new();
    let mut handlers = BTreeMap::new();
    for o in a.sales.objections.iter().take(room.items) {
        let key = key_of(&o.objection);
        if key.is_empty() || o.answer.is_empty() {
            continue;
        }
        playbook.insert(key.clone(), text(&o.answer));
        handlers.insert(key, Script::One(text(&o.answer)));
    }
    let refund = a.offer.refund_policy.as_deref().map(|r| shorten(r, 80));
    let defaults: [(&str, String, Script); 3] = [
        (
            "too_expensive",
            match &a.offer.pricing {
                Some(p) => format!("Acknowledge, then show the option that fits: {}", text(p)),
                None => "Acknowledge, then show the option that fits their budget".into(),
            },
            scripts.line(|l, _| say::too_expensive(l)),
        ),
        (
            "no_time",
            "Offer a short chat at a time that suits them".into(),
            scripts.line(|l, _| say::no_time(l)),
        ),
        (
            "need_to_think",
            match &refund {
                Some(r) => format!("Give them time; mention the refund policy: {r}"),
                None => "Give them time and stay available".into(),
            },
            scripts.line(|l, _| say::need_to_think(l, refund.as_deref())),
        ),
    ];
    for (key, advice, script) in defaults {
        if playbook.len() < room.items.max(2) && !playbook.contains_key(key) {
            playbook.insert(key.to_owned(), advice);
            handlers.insert(key.to_owned(), script);
        }
    }

    // Triggers are the owner's rules: kept whole, every one of them.
    let mut triggers: Vec<String> = Vec::new();
    for t in &a.sales.escalation_triggers {
        push_unique(&mut triggers, t.trim().to_owned());
    }
    if triggers.is_empty() {
        triggers = DEFAULT_ESCALATION_TRIGGERS.map(String::from).to_vec();
    }

    let sales_rules = SalesRules {
        qualification_checklist: checklist,
        objection_playbook: playbook,
        cta_sequencing: CtaSequencing {
            first: ctas.first().copied(),
            fallback: ctas.get(1).copied(),
        },
        escalation_triggers: triggers,
    };

    // F.: the owner's rules, whole and all of them whatever the room ("Never badmouth other
    // institutes" must not become "Never badmouth…"; the questionnaire bounds their total
    // length so they always fit), and the phrases and disclaimers the guardrails enforce.
    let g = &a.guardrails;
    let mut business_guardrails = Vec::new();
    for claim in &g.forbidden_claims {
        push_unique(&mut business_guardrails, claim_rule(claim));
    }
    for rule in g.language_restrictions.iter().chain(&g.custom_rules) {
        push_unique(&mut business_guardrails, rule.clone());
    }
    if let Some(hot) = &a.sales.hot_lead_definition {
        let offer_first = ctas
            .first()
            .map(|c| format!("; offer {} right away", c.label().to_lowercase()))
            .unwrap_or_default();
        push_unique(
            &mut business_guardrails,
            format!(
                "Hot lead: {}{offer_first}",
                hot.trim().trim_end_matches('.')
            ),
        );
    }
    if !a.customer.disqualifiers.is_empty() {
        push_unique(
            &mut business_guardrails,
            "Close politely with disqualified leads".into(),
        );
    }
    let mut forbidden_phrases = Vec::new();
    for claim in &g.forbidden_claims {
        let short = claim.split_whitespace().count() <= 6;
        if short && claim.chars().count() >= 3 && claim_rule(claim) != *claim {
            push_unique(&mut forbidden_phrases, claim.to_lowercase());
        }
    }
    forbidden_phrases.truncate(room.enforced);
    let mut required_disclaimers = g.required_disclaimers.clone();
    required_disclaimers.truncate(room.enforced);
    let guardrails = GuardrailsDoc {
        system_guardrails: SYSTEM_GUARDRAILS.map(String::from).to_vec(),
        business_guardrails,
        forbidden_phrases,
        required_disclaimers,
    };

    // The script library, in the owner's voice.
    let product = products.first().map(|p| mid_sentence(&shorten(p, 40)));
    let openers = BTreeMap::from([(
        "new_lead".to_owned(),
        // The offer is named only when the greeting still fits the word limit with it.
        scripts.line(|l, v| {
            let named = say::opener(l, v, &name, product.as_deref());
            if named.split_whitespace().count() <= max_words as usize {
                named
            } else {
                say::opener(l, v, &name, None)
            }
        }),
    )]);
    let cta_scripts: BTreeMap<String, Script> = ctas
        .iter()
        .map(|c| {
            (
                c.as_str().to_owned(),
                scripts.line(|l, v| say::cta(l, v, *c)),
            )
        })
        .collect();
    let mut exits = BTreeMap::from([("graceful".to_owned(), scripts.line(say::graceful))]);
    if room.all_exits {
        exits.insert("opt_out".into(), scripts.line(|l, _| say::opt_out(l)));
        exits.insert("handoff".into(), scripts.line(|l, _| say::handoff(l)));
    }

    // G.: the tone, with examples in the owner's words or the library's own lines.
    let examples: Vec<String> = if a.tone.examples.is_empty() {
        let first_question = sales_rules
            .qualification_checklist
            .iter()
            .find(|(k, _)| k != "name")
            .and_then(|(k, _)| qualification.get(k))
            .and_then(|s| s.for_language(language.code()))
            .map(str::to_owned);
        let first_cta = ctas.first().map(|c| {
            say::cta(language, voice, *c)
                .replace("[LINK]", "")
                .trim_end_matches([':', ' '])
                .to_owned()
        });
        first_question.into_iter().chain(first_cta).collect()
    } else {
        a.tone
            .examples
            .iter()
            .take(room.items.min(3))
            .map(|e| text(e))
            .collect()
    };
    let tone_profile = ToneProfile {
        language: language.code().into(),
        message_length_max_words: max_words,
        questions_per_message: 1,
        honorifics: voice.honorifics,
        emoji_policy: voice.emoji,
        formality: voice.formality,
        persuasion_level: voice.persuasion,
        examples,
    };

    AgentProfile {
        mode: EngineMode::Rules,
        business_config,
        sales_rules,
        tone_profile,
        guardrails,
        script_library: ScriptLibrary {
            openers,
            qualification,
            objection_handlers: handlers,
            cta_scripts,
            exits,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(
            shorten("Live trading courses with mentors", 20),
            "Live trading…"
        );
        assert_eq!(shorten("abcdefghijklmnop", 6), "abcde…");
    }

    #[test]
    fn mid_sentence_keeps_acronyms() {
        assert_eq!(mid_sentence("Live courses"), "live courses");
        assert_eq!(mid_sentence("SEO audits"), "SEO audits");
    }

    #[test]
    fn fit_words_spares_the_question() {
        assert_eq!(
            fit_words(
                "Hello! Thanks for writing to us today. What do you need?",
                6
            ),
            "Hello! What do you need?"
        );
        assert_eq!(fit_words("One two three.", 2), "One two three.");
    }

    #[test]
    fn claims_become_rules() {
        assert_eq!(
            claim_rule("Guaranteed profits"),
            "Never claim guaranteed profits"
        );
        assert_eq!(claim_rule("Never promise jobs"), "Never promise jobs");
    }
}
