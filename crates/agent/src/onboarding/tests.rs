use super::*;
use crate::context::{ContextBudget, stable_fits};
use crate::profile::{AgentProfile, EngineMode, Requirement, Script};
use closer_llm::{ChatModel, ChatRequest, ChatResponse, LlmError, LlmErrorKind, Prices, Usage};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// The seeds' trading academy, every section answered.
fn academy() -> OnboardingAnswers {
    serde_json::from_value(json!({
        "business": {
            "name": "JustStock Academy", "industry": "Education", "city": "Mumbai",
            "working_hours": "9 AM-9 PM Mon-Sat", "timezone": "Asia/Kolkata",
            "website_url": "juststock.example", "support_email": "help@juststock.example",
            "support_phone": "+91 98765 43210"
        },
        "offer": {
            "products": ["Live trading courses", "Mentorship"],
            "pricing": "₹2999 / ₹5999 / ₹9999", "usp": "Live market sessions with SEBI-registered mentors",
            "delivery_timeline": "Starts every Monday", "refund_policy": "Full refund within 7 days"
        },
        "customer": {
            "description": "Working professionals who want a second income",
            "disqualifiers": ["under 18", "outside India"], "use_cases": ["swing trading"]
        },
        "sales": {
            "primary_ctas": [
                {"type": "app_download", "link": "https://juststock.example/app"},
                {"type": "book_call", "phone": "+91 98765 43210"},
                {"type": "payment", "link": "https://pay.example/juststock"}
            ],
            "qualification": [
                {"topic": "Experience level", "question": "Pehle trading ki hai?"},
                {"topic": "goal"},
                {"topic": "interest category"}
            ],
            "budget_timing": "late",
            "hot_lead_definition": "Asked for the fee twice",
            "escalation_triggers": ["payment_failure", "angry_sentiment"],
            "objections": [{"objection": "No time", "answer": "Weekend batch aur recorded sessions hain!"}]
        },
        "guardrails": {
            "forbidden_claims": ["guaranteed returns", "risk-free", "Never promise a job"],
            "required_disclaimers": ["Trading involves risk."],
            "language_restrictions": ["No slang"], "custom_rules": ["Mention the free demo class"]
        },
        "tone": {
            "language": "hi-en", "honorifics": true, "message_length": 15, "questions_per_message": 1,
            "emoji_policy": "never", "formality": "professional", "persuasion": "moderate"
        }
    }))
    .expect("the academy's answers parse")
}

fn round_trip(p: &AgentProfile) -> AgentProfile {
    let docs = p.documents();
    AgentProfile::from_documents(
        EngineMode::Rules,
        &docs.iter().map(|(k, v)| (*k, v.clone())).collect(),
    )
    .expect("generated documents validate")
}

fn fits(p: &AgentProfile) -> bool {
    let compact = serde_json::to_string(&p.model_documents()).unwrap();
    stable_fits(&compact, &ContextBudget::default()).is_ok()
}

fn line(s: &Script, lang: &str) -> String {
    s.for_language(lang).unwrap().to_owned()
}

#[test]
fn wrong_types_and_unknown_fields_name_the_field() {
    let err = |v: Value| {
        let e = serde_path_to_error::deserialize::<_, OnboardingAnswers>(v).unwrap_err();
        e.path().to_string()
    };
    assert_eq!(
        err(json!({"tone": {"emoji_policy": "lots"}})),
        "tone.emoji_policy"
    );
    assert_eq!(err(json!({"tone": {"language": "fr"}})), "tone.language");
    assert_eq!(
        err(json!({"sales": {"budget_timing": "sometimes"}})),
        "sales.budget_timing"
    );
    assert_eq!(
        err(json!({"sales": {"primary_ctas": [{"type": "teleport"}]}})),
        "sales.primary_ctas[0].type"
    );
    assert_eq!(err(json!({"business": {"nme": "x"}})), "business.nme");
    assert_eq!(err(json!({"extra": {}})), "extra");
}

#[test]
fn bad_values_are_problems_with_their_paths() {
    let answers: OnboardingAnswers = serde_json::from_value(json!({
        "business": {"timezone": "Mars/Olympus", "website_url": "not a site", "support_email": "nope",
                     "support_phone": "12"},
        "sales": {"primary_ctas": [{"type": "book_call", "link": "ftp://x"}, {"type": "book_call"}],
                  "qualification": [{"topic": "goal"}, {"topic": "Goal!"}]},
        "guardrails": {"forbidden_claims": ["ok"]},
        "tone": {"message_length": 30, "questions_per_message": 2}
    }))
    .unwrap();
    let fields: Vec<String> = answers
        .tidied()
        .problems()
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        fields,
        [
            "business.timezone",
            "business.website_url",
            "business.support_email",
            "business.support_phone",
            "sales.primary_ctas[0].link",
            "sales.primary_ctas[1].type",
            "sales.qualification[1].topic",
            "guardrails.forbidden_claims[0]",
            "tone.message_length",
            "tone.questions_per_message",
        ]
    );
    assert!(academy().tidied().problems().is_empty());
}

#[test]
fn tidying_trims_and_completes_addresses() {
    let answers: OnboardingAnswers = serde_json::from_value(json!({
        "business": {"name": "  Acme  ", "city": "   ", "website_url": "acme.example/about"},
        "offer": {"products": ["  Widgets ", "", "  "]}
    }))
    .unwrap();
    let t = answers.tidied();
    assert_eq!(t.business.name.as_deref(), Some("Acme"));
    assert_eq!(t.business.city, None);
    assert_eq!(
        t.business.website_url.as_deref(),
        Some("https://acme.example/about")
    );
    assert_eq!(t.offer.products, ["Widgets"]);
}

#[test]
fn generation_needs_the_basics() {
    let missing: Vec<String> = validate_for_generation(&OnboardingAnswers::default())
        .unwrap_err()
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        missing,
        [
            "business.name",
            "business.website_url",
            "business.timezone",
            "offer.products",
            "sales.primary_ctas"
        ]
    );
    let mut bad_tz = academy();
    bad_tz.business.timezone = Some("Asia/Nowhere".into());
    let problems = validate_for_generation(&bad_tz).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].0, "business.timezone");
    assert!(validate_for_generation(&academy().tidied()).is_ok());
}

#[test]
fn the_academy_gets_its_documents() {
    let p = generate(&academy().tidied());
    assert_eq!(round_trip(&p), p);
    assert!(fits(&p));
    let b = &p.business_config;
    assert_eq!(b.business_name, "JustStock Academy");
    assert_eq!(
        b.primary_ctas,
        [CtaType::AppDownload, CtaType::BookCall, CtaType::Payment]
    );
    assert_eq!(b.timezone, "Asia/Kolkata");
    // "9 AM-9 PM Mon-Sat" is filled in as days and times for Settings → Agent → Business.
    let days = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
    ];
    let hours = &b.working_schedule.0;
    assert_eq!(hours.len(), 1, "{hours:?}");
    assert_eq!(hours[0].days, days);
    assert_eq!(hours[0].open.to_string(), "09:00:00");
    assert_eq!(hours[0].close.to_string(), "21:00:00");
    assert_eq!(b.disqualifiers, ["under 18", "outside India"]);
    assert_eq!(b.pricing_summary, "₹2999 / ₹5999 / ₹9999");
    assert!(
        b.offer_summary
            .starts_with("Live trading courses, Mentorship.")
    );
    assert!(
        b.offer_summary
            .contains("Refunds: Full refund within 7 days")
    );
    assert_eq!(b.contact_links["website_url"], "https://juststock.example");
    assert_eq!(b.contact_links["app_url"], "https://juststock.example/app");
    assert_eq!(
        b.contact_links["payment_url"],
        "https://pay.example/juststock"
    );

    let s = &p.sales_rules;
    assert_eq!(
        s.qualification_checklist,
        [
            ("name".to_owned(), Requirement::Required),
            ("experience_level".to_owned(), Requirement::Required),
            ("goal".to_owned(), Requirement::Required),
            ("interest_category".to_owned(), Requirement::Required),
            ("budget".to_owned(), Requirement::AskLate),
        ]
    );
    assert_eq!(s.cta_sequencing.first, Some(CtaType::AppDownload));
    assert_eq!(s.cta_sequencing.fallback, Some(CtaType::BookCall));
    assert_eq!(
        s.escalation_triggers,
        ["payment_failure", "angry_sentiment"]
    );
    assert_eq!(
        s.objection_playbook["no_time"],
        "Weekend batch aur recorded sessions hain!"
    );
    assert!(s.objection_playbook.contains_key("too_expensive"));

    let g = &p.guardrails;
    assert_eq!(g.forbidden_phrases, ["guaranteed returns", "risk-free"]);
    assert_eq!(g.required_disclaimers, ["Trading involves risk."]);
    assert!(
        g.business_guardrails
            .contains(&"Never claim guaranteed returns".to_owned())
    );
    assert!(
        g.business_guardrails
            .contains(&"Never promise a job".to_owned())
    );
    assert!(g.business_guardrails.contains(&"No slang".to_owned()));
    assert!(
        g.system_guardrails
            .contains(&"Never claim to be human".to_owned())
    );

    let t = &p.tone_profile;
    assert_eq!(t.language, "hi-en");
    assert_eq!(t.message_length_max_words, 15);
    assert!(t.honorifics);
    assert!(!t.examples.is_empty());

    // Scripts speak the chosen language, with English for leads who write it.
    let lib = &p.script_library;
    let opener = line(&lib.openers["new_lead"], "hi-en");
    assert!(opener.starts_with("Namaste ji!"), "{opener}");
    assert!(line(&lib.openers["new_lead"], "en").starts_with("Hello!"));
    assert_eq!(
        line(&lib.qualification["experience_level"], "hi-en"),
        "Pehle trading ki hai?"
    );
    assert_eq!(
        line(&lib.qualification["goal"], "hi-en"),
        "Aapka goal kya hai?"
    );
    for cta in ["app_download", "book_call", "payment"] {
        assert!(line(&lib.cta_scripts[cta], "hi-en").contains("[LINK]"));
        assert!(line(&lib.cta_scripts[cta], "en").contains("[LINK]"));
    }
    for exit in ["graceful", "opt_out", "handoff"] {
        assert!(lib.exits.contains_key(exit));
    }
    // Every generated line keeps to the word limit.
    for script in lib.openers.values().chain(lib.exits.values()) {
        if let Script::PerLanguage(lines) = script {
            for l in lines.values() {
                assert!(l.split_whitespace().count() <= 15, "{l}");
            }
        }
    }
    assert_eq!(generate(&academy().tidied()), p, "deterministic");
}

#[test]
fn budget_follows_its_timing() {
    let checklist = |timing: BudgetTiming| {
        let mut a = academy();
        a.sales.budget_timing = Some(timing);
        generate(&a.tidied()).sales_rules.qualification_checklist
    };
    assert_eq!(
        checklist(BudgetTiming::Early)[1],
        ("budget".into(), Requirement::AskEarly)
    );
    assert_eq!(
        checklist(BudgetTiming::Mid)[3],
        ("budget".into(), Requirement::Required)
    );
    assert_eq!(
        checklist(BudgetTiming::Never).last().unwrap(),
        &("budget".into(), Requirement::Never)
    );
}

#[test]
fn hindi_and_english_voices() {
    let mut a = academy();
    a.tone.language = Some(Language::Hi);
    a.tone.persuasion = Some(Persuasion::Soft);
    let p = generate(&a.clone().tidied());
    round_trip(&p);
    let cta = line(&p.script_library.cta_scripts["app_download"], "hi");
    assert_eq!(cta, "क्या आप हमारा ऐप डाउनलोड करना चाहेंगे? [LINK]");

    a.tone.language = Some(Language::En);
    a.tone.formality = Some(Formality::Casual);
    a.tone.persuasion = Some(Persuasion::Firm);
    a.tone.emoji_policy = Some(EmojiPolicy::Sparingly);
    let p = generate(&a.tidied());
    let lib = &p.script_library;
    assert!(
        line(&lib.openers["new_lead"], "en")
            .starts_with("Hi! 🙂 I'm the virtual assistant of JustStock Academy")
    );
    assert_eq!(
        line(&lib.cta_scripts["book_call"], "en"),
        "The next step is to book a quick call with our team: [LINK]"
    );
    assert_eq!(line(&lib.qualification["goal"], "en"), "What's your goal?");
}

#[test]
fn an_empty_questionnaire_still_gives_a_working_agent() {
    let p = generate(&OnboardingAnswers::default());
    assert_eq!(round_trip(&p), p);
    assert!(fits(&p));
    let keys: Vec<&str> = p
        .sales_rules
        .qualification_checklist
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["name", "need", "timeline", "budget"]);
}

/// Realistic words, in Devanagari (the costliest to tokenize) or Latin letters.
fn words(lang: Language, chars: usize, seed: usize) -> String {
    let vocabulary: &[&str] = match lang {
        Language::Hi => &[
            "हमारा",
            "कोर्स",
            "लाइव",
            "ट्रेडिंग",
            "सीखें",
            "मेंटर",
            "के",
            "साथ",
            "हर",
            "हफ़्ते",
            "नया",
            "बैच",
        ],
        _ => &[
            "live",
            "trading",
            "course",
            "with",
            "mentors",
            "every",
            "week",
            "new",
            "batch",
            "for",
            "beginners",
            "online",
        ],
    };
    let mut out = String::new();
    let mut i = seed;
    while out.chars().count() < chars {
        out.push_str(vocabulary[i % vocabulary.len()]);
        out.push(' ');
        i = (i * 7 + 3) % 1_000_003;
    }
    out.chars()
        .take(chars)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Every list at its longest and every text at its limit: the last room still fits (in Latin
/// letters), and every rule the owner wrote is there whole.
#[test]
fn the_largest_answers_fit_the_context_budget() {
    for lang in [Language::Hi, Language::HiEn, Language::En] {
        let long = |n: usize| words(lang, n, n);
        let list = |items: usize, chars: usize| {
            (0..items)
                .map(|i| words(lang, chars, i))
                .collect::<Vec<_>>()
        };
        let mut a = academy();
        a.business.name = Some(long(100));
        a.business.working_hours = Some(long(200));
        a.offer.products = list(20, 200);
        a.offer.pricing = Some(long(1000));
        a.offer.usp = Some(long(1000));
        a.offer.delivery_timeline = Some(long(1000));
        a.offer.refund_policy = Some(long(1000));
        a.customer.description = Some(long(1000));
        a.customer.disqualifiers = list(20, 200);
        a.customer.use_cases = list(20, 200);
        a.sales.primary_ctas = CtaType::ALL
            .iter()
            .map(|k| CtaChoice {
                kind: *k,
                link: Some(format!(
                    "https://www.example-business.com/start/{k}?utm_source=whatsapp"
                )),
                phone: None,
            })
            .collect();
        a.sales.qualification = (0..10)
            .map(|i| Qualifier {
                topic: format!("{i} {}", words(lang, 50, i)),
                question: Some(words(lang, 200, i + 1)),
            })
            .collect();
        a.sales.hot_lead_definition = Some(long(super::HOT_LEAD_CHARS));
        a.sales.escalation_triggers = list(2, super::TRIGGERS_CHARS / 2);
        a.sales.objections = (0..10)
            .map(|i| ObjectionAnswer {
                objection: format!("{i} {}", words(lang, 90, i)),
                answer: long(500),
            })
            .collect();
        // The rules at their combined limit, kept whole.
        a.guardrails.forbidden_claims = (0..6).map(|i| words(lang, 30, i)).collect();
        a.guardrails.required_disclaimers = list(3, 120);
        a.guardrails.language_restrictions = list(2, 100);
        a.guardrails.custom_rules = list(3, (super::RULES_CHARS - 380) / 3);
        a.tone.examples = list(5, 200);
        a.tone.language = Some(lang);
        let a = a.tidied();
        assert!(a.problems().is_empty(), "{:?}", a.problems());
        let p = generate(&a);
        round_trip(&p);
        // Devanagari costs about three times the tokens of Latin letters: with every answer at
        // its limit at once the rules, kept whole, do not leave room, and the server says so
        // (`onboarding_too_long`) rather than dropping one.
        if lang != Language::Hi {
            assert!(fits(&p), "{lang:?} does not fit");
        }
        // Whatever was cut, the owner's disclaimers, rules and CTAs were not.
        assert_eq!(
            p.guardrails.required_disclaimers,
            a.guardrails.required_disclaimers
        );
        for rule in a
            .guardrails
            .custom_rules
            .iter()
            .chain(&a.guardrails.language_restrictions)
        {
            assert!(
                p.guardrails.business_guardrails.contains(rule),
                "{rule} lost"
            );
        }
        assert_eq!(
            p.sales_rules.escalation_triggers,
            a.sales.escalation_triggers
        );
        assert_eq!(p.script_library.cta_scripts.len(), CtaType::ALL.len());
    }
}

/// Letter soup does not tokenize like words and may not fit (the server says so), but the
/// documents are still valid.
#[test]
fn letter_soup_still_gives_valid_documents() {
    let soup = |n: usize| {
        (0..n)
            .map(|i| char::from(b'a' + ((i * 7919) % 26) as u8))
            .collect::<String>()
    };
    let mut a = academy();
    a.business.name = Some(soup(100));
    a.offer.products = (0..20).map(|_| soup(200)).collect();
    a.guardrails.required_disclaimers = (0..3).map(|_| soup(120)).collect();
    let p = generate(&a.tidied());
    assert_eq!(round_trip(&p), p);
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "([A-Za-z]{1,10}[ ,.!?]{1,2}){0,25}",
        "(₹[0-9]{3,5} ){0,4}",
        "((हमारा|कोर्स|लाइव|सीखें|मेंटर|के|साथ)[ ।]){0,20}",
    ])
}

fn list() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("([a-z]{2,9} ){1,5}", 0..8)
}

prop_compose! {
    fn answers()(
        name in text(), hours in text(), products in list(), pricing in text(), usp in text(),
        icp in text(), disq in list(), ctas in proptest::sample::subsequence(CtaType::ALL.to_vec(), 0..=8),
        topics in proptest::collection::vec("([a-z]{2,9} ){1,3}", 0..8),
        timing in proptest::option::of(prop_oneof![Just(BudgetTiming::Early), Just(BudgetTiming::Mid), Just(BudgetTiming::Late), Just(BudgetTiming::Never)]),
        claims in list(), disclaimers in proptest::collection::vec("([A-Za-z]{2,9}[ .]){2,12}", 0..3),
        lang in proptest::option::of(prop_oneof![Just(Language::En), Just(Language::HiEn), Just(Language::Hi)]),
        words in proptest::option::of(5u32..=25),
        emoji in proptest::option::of(prop_oneof![Just(EmojiPolicy::Never), Just(EmojiPolicy::Sparingly), Just(EmojiPolicy::Frequent)]),
        persuasion in proptest::option::of(prop_oneof![Just(Persuasion::Soft), Just(Persuasion::Moderate), Just(Persuasion::Firm)]),
        formality in proptest::option::of(prop_oneof![Just(Formality::Formal), Just(Formality::Professional), Just(Formality::Casual)]),
    ) -> OnboardingAnswers {
        let mut a = OnboardingAnswers::default();
        a.business.name = name;
        a.business.working_hours = hours;
        a.business.timezone = Some("Europe/London".into());
        a.offer.products = products;
        a.offer.pricing = pricing;
        a.offer.usp = usp;
        a.customer.description = icp;
        a.customer.disqualifiers = disq;
        a.sales.primary_ctas = ctas.into_iter().map(|kind| CtaChoice { kind, link: None, phone: None }).collect();
        a.sales.qualification = topics.into_iter().map(|topic| Qualifier { topic, question: None }).collect();
        a.sales.budget_timing = timing;
        a.guardrails.forbidden_claims = claims;
        a.guardrails.required_disclaimers = disclaimers;
        a.tone.language = lang;
        a.tone.message_length = words;
        a.tone.emoji_policy = emoji;
        a.tone.persuasion = persuasion;
        a.tone.formality = formality;
        a.tidied()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_answers_give_valid_documents_that_fit(a in answers()) {
        let p = generate(&a);
        prop_assert_eq!(round_trip(&p), p.clone());
        prop_assert!(fits(&p));
        prop_assert_eq!(p.tone_profile.questions_per_message, 1);
        for cta in &p.business_config.primary_ctas {
            prop_assert!(p.script_library.cta_scripts.contains_key(cta.as_str()));
        }
        let budget = p.sales_rules.qualification_checklist.iter().filter(|(k, _)| k == "budget").count();
        prop_assert_eq!(budget, 1);
        // The schedule is exactly what the owner's hours say, empty when they say nothing
        // readable.
        let read = a.business.working_hours.as_deref().and_then(closer_domain::hours::parse_working_hours);
        prop_assert_eq!(&p.business_config.working_schedule, &read.unwrap_or_default());
    }

    /// Hours written the common ways always reach the schedule, whatever else was answered.
    #[test]
    fn readable_hours_fill_the_schedule(
        mut a in answers(),
        open in 6u32..=11,
        close in 1u32..=10,
        days in proptest::sample::select(vec!["Mon-Sat", "Monday to Friday", "daily", "Mon-Fri"]),
    ) {
        a.business.working_hours = Some(format!("{days} {open} AM - {close} PM"));
        let p = generate(&a);
        prop_assert!(!p.business_config.working_schedule.is_empty());
        prop_assert!(fits(&p));
        let first = &p.business_config.working_schedule.0[0];
        prop_assert_eq!(first.open.to_string(), format!("{open:02}:00:00"));
        prop_assert_eq!(first.close.to_string(), format!("{:02}:00:00", close + 12));
    }
}

/// A model with canned answers that records what it was asked.
struct Canned {
    answers: Mutex<VecDeque<Result<String, LlmError>>>,
    asked: Mutex<Vec<ChatRequest>>,
}

impl Canned {
    fn new(answers: Vec<Result<String, LlmError>>) -> Canned {
        Canned {
            answers: Mutex::new(answers.into()),
            asked: Mutex::new(vec![]),
        }
    }

    fn asked(&self) -> Vec<ChatRequest> {
        self.asked.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl ChatModel for Canned {
    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
        self.asked.lock().unwrap().push(request.clone());
        let text = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .expect("a canned answer is left")?;
        Ok(ChatResponse {
            text,
            usage: Usage {
                input_tokens: 1_000,
                output_tokens: 500,
            },
            model: "canned".into(),
            attempts: 1,
        })
    }

    fn prices(&self) -> Prices {
        Prices {
            input_usd_per_mtok: 1.0,
            output_usd_per_mtok: 2.0,
        }
    }
}

/// What a model that did its job answers: the draft, better worded (and a liberty or two).
fn improved(a: &OnboardingAnswers) -> String {
    let mut docs = generate(a).documents();
    docs.get_mut("script_library").unwrap()["openers"]["new_lead"] = json!({"en": "Hello! Welcome to JustStock Academy, where traders learn live.", "hi-en": "Namaste ji! JustStock Academy mein swagat hai."});
    docs.get_mut("business_config").unwrap()["offer_summary"] =
        json!("Live trading courses and mentorship with SEBI-registered mentors");
    // Liberties the owner's answers overrule.
    docs.get_mut("business_config").unwrap()["business_name"] = json!("JustStock");
    docs.get_mut("tone_profile").unwrap()["message_length_max_words"] = json!(40);
    docs.get_mut("guardrails").unwrap()["required_disclaimers"] = json!([]);
    format!(
        "Here you go:\n```json\n{}\n```",
        serde_json::to_string(&docs).unwrap()
    )
}

#[tokio::test]
async fn the_models_documents_are_used_with_the_owners_choices() {
    let a = academy().tidied();
    let model = Canned::new(vec![Ok(improved(&a))]);
    let (p, usage) = generate_with_model(&model, &a).await.unwrap();
    assert_eq!(usage.input_tokens, 1_000);
    assert_eq!(
        p.business_config.offer_summary,
        "Live trading courses and mentorship with SEBI-registered mentors"
    );
    assert_eq!(
        line(&p.script_library.openers["new_lead"], "hi-en"),
        "Namaste ji! JustStock Academy mein swagat hai."
    );
    assert_eq!(p.business_config.business_name, "JustStock Academy");
    assert_eq!(p.tone_profile.message_length_max_words, 15);
    assert_eq!(
        p.guardrails.required_disclaimers,
        ["Trading involves risk."]
    );
    let asked = model.asked();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].json);
    assert!(asked[0].messages[0].content.contains("## Draft documents"));
    assert!(asked[0].messages[0].content.contains("JustStock Academy"));
}

#[tokio::test]
async fn a_malformed_answer_gets_one_repair() {
    let a = academy().tidied();
    let model = Canned::new(vec![
        Ok("Sure! {\"business_config\": ".into()),
        Ok(improved(&a)),
    ]);
    let (p, usage) = generate_with_model(&model, &a).await.unwrap();
    assert_eq!(usage.input_tokens, 2_000);
    assert_eq!(usage.output_tokens, 1_000);
    assert_eq!(p.business_config.business_name, "JustStock Academy");
    let asked = model.asked();
    assert_eq!(asked.len(), 2);
    let repair = &asked[1].messages.last().unwrap().content;
    assert!(repair.starts_with("That answer was not valid"), "{repair}");
}

#[tokio::test]
async fn an_invalid_answer_quotes_the_document_error() {
    let a = academy().tidied();
    let mut docs = generate(&a).documents();
    docs.get_mut("tone_profile").unwrap()["language"] = json!("fr");
    let bad = serde_json::to_string(&docs).unwrap();
    let mut no_link = generate(&a).documents();
    no_link.get_mut("script_library").unwrap()["cta_scripts"]["payment"] = json!("Pay now!");
    let no_link = serde_json::to_string(&no_link).unwrap();
    let model = Canned::new(vec![Ok(bad), Ok(no_link)]);
    let err = generate_with_model(&model, &a).await.unwrap_err();
    assert!(err.error.contains("cta_scripts.payment"), "{}", err.error);
    assert_eq!(err.usage.input_tokens, 2_000);
    let asked = model.asked();
    assert!(
        asked[1]
            .messages
            .last()
            .unwrap()
            .content
            .contains("tone_profile.language"),
        "{:?}",
        asked[1].messages.last()
    );
}

#[tokio::test]
async fn too_large_or_missing_documents_are_refused_and_errors_pass_through() {
    let a = academy().tidied();
    let mut huge = generate(&a).documents();
    huge.get_mut("business_config").unwrap()["offer_summary"] = json!("word ".repeat(2_000));
    let model = Canned::new(vec![
        Ok(serde_json::to_string(&huge).unwrap()),
        Ok(json!({"business_config": {}}).to_string()),
    ]);
    let err = generate_with_model(&model, &a).await.unwrap_err();
    assert!(err.error.contains("sales_rules: missing"), "{}", err.error);
    let first_repair = model.asked()[1].messages.last().unwrap().content.clone();
    assert!(first_repair.contains("tokens"), "{first_repair}");

    let down = Canned::new(vec![Err(LlmError::new(
        LlmErrorKind::Timeout,
        "no answer in 30 s",
    ))]);
    let err = generate_with_model(&down, &a).await.unwrap_err();
    assert!(err.error.contains("no answer"), "{}", err.error);
    assert_eq!(err.usage, Usage::default());
}

#[test]
fn keys_come_from_the_owners_words() {
    assert_eq!(key_of("Experience level"), "experience_level");
    assert_eq!(key_of("  Too expensive!! "), "too_expensive");
    assert_eq!(key_of("अनुभव स्तर"), "अनुभव_स्तर");
    assert_eq!(key_of("?!"), "");
    assert!(key_of(&"क".repeat(40)).len() <= 60);
}

#[test]
fn answers_round_trip_through_json() {
    let a = academy();
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["tone"]["language"], "hi-en");
    assert_eq!(v["sales"]["primary_ctas"][0]["type"], "app_download");
    let back: OnboardingAnswers = serde_json::from_value(v).unwrap();
    assert_eq!(back, a);
    let _: BTreeMap<String, Value> = serde_json::from_value(json!({})).unwrap();
}

/// A Pune coaching institute that wrote a lot: fees with discounts and scholarships, a long
/// refund policy, batch dates, objection answers and a rule about other institutes.
fn talkative_institute() -> OnboardingAnswers {
    let mut a = academy();
    a.business.name = Some("Pune Success Academy".into());
    a.business.city = Some("Pune".into());
    a.offer.products = vec![
        "JEE Main + Advanced two-year classroom programme".into(),
        "NEET repeater batch".into(),
        "Class 11-12 board + JEE foundation".into(),
    ];
    a.offer.pricing = Some(
        "JEE two-year programme ₹1,45,000; NEET repeater ₹95,000; foundation ₹60,000 a year. \
         10% sibling discount, 15% early-bird discount until 31 March, merit scholarships up to \
         50% on our entrance test, EMI in 3 or 6 instalments with no interest."
            .into(),
    );
    a.offer.refund_policy = Some(
        "Full refund within 7 days of the first class; 50% refund until day 30 minus the \
         registration fee of ₹5,000; no refund after 30 days except on medical grounds with a \
         certificate, decided by the director within two weeks."
            .into(),
    );
    a.offer.delivery_timeline = Some(
        "New JEE batches start 15 April and 1 June; the NEET repeater batch starts 10 May; \
         weekend batches on Saturday and Sunday start every month."
            .into(),
    );
    a.sales.objections = vec![ObjectionAnswer {
        objection: "too expensive".into(),
        answer: "Per month it is less than private tuition for three subjects, and the merit \
                 scholarship test can take up to half off; EMI in 6 instalments without interest \
                 is also available, so the family does not pay it all at once."
            .into(),
    }];
    a.guardrails.custom_rules = vec![
        "Never badmouth other institutes".into(),
        "Always mention the free demo class on Saturday".into(),
    ];
    a.tone.language = Some(Language::En);
    a.tidied()
}

#[test]
fn facts_that_do_not_fit_are_filed_whole_in_the_knowledge_base() {
    let a = talkative_institute();
    let p = generate(&a);
    assert!(fits(&p));
    let facts = knowledge_facts(&a);
    let fact = |answer: &str| {
        facts
            .iter()
            .find(|f| f.answer == answer)
            .unwrap_or_else(|| panic!("{answer} not filed"))
    };
    assert_eq!(
        &fact("offer.pricing").content,
        a.offer.pricing.as_ref().unwrap()
    );
    assert!(fact("offer.pricing").title.contains("fees"));
    assert_eq!(
        &fact("offer.refund_policy").content,
        a.offer.refund_policy.as_ref().unwrap()
    );
    assert!(fact("offer.delivery_timeline").content.contains("10 May"));
    assert!(
        fact("offer.products")
            .content
            .contains("NEET repeater batch")
    );
    // Every rule the owner wrote is in the guardrails, word for word.
    for rule in &a.guardrails.custom_rules {
        assert!(p.guardrails.business_guardrails.contains(rule), "{rule}");
    }
}

#[test]
fn the_review_lists_what_went_where() {
    let a = talkative_institute();
    let p = generate(&a);
    let facts = knowledge_facts(&a);
    let list = placements(&a, &p, &facts);
    let at = |answer: &str| {
        list.iter()
            .find(|x| x.answer == answer)
            .unwrap_or_else(|| panic!("{answer} not placed"))
    };
    let kinds = |answer: &str| {
        at(answer)
            .places
            .iter()
            .map(|p| (p.kind, p.target.as_str()))
            .collect::<Vec<_>>()
    };
    use closer_domain::agent::PlacementKind as K;
    assert!(kinds("business.name").contains(&(K::Organisation, "name")));
    assert!(kinds("business.timezone").contains(&(K::Organisation, "timezone")));
    assert!(kinds("offer.pricing").contains(&(K::Document, "business_config.pricing_summary")));
    assert!(kinds("offer.pricing").contains(&(K::Knowledge, "What are the fees and prices?")));
    // Long answers are shortened in the documents but whole in the knowledge base.
    assert!(
        p.business_config.pricing_summary.chars().count() < a.offer.pricing.as_ref().unwrap().len()
    );
    assert!(at("offer.pricing").whole);
    assert!(at("offer.refund_policy").whole);
    assert!(at("guardrails.custom_rules").whole);
    assert!(at("sales.objections").whole, "{:?}", at("sales.objections"));
    assert!(kinds("tone.language").contains(&(K::Document, "tone_profile.language")));
    // Unanswered questions are not listed.
    let mut empty = OnboardingAnswers::default();
    empty.business.name = Some("X".into());
    let p = generate(&empty);
    let list = placements(&empty, &p, &knowledge_facts(&empty));
    assert_eq!(
        list.iter().map(|x| x.answer.as_str()).collect::<Vec<_>>(),
        ["business.name"]
    );
}

#[test]
fn the_owners_rules_are_bounded_together_not_shortened() {
    let mut a = OnboardingAnswers::default();
    a.guardrails.custom_rules = (0..10)
        .map(|i| format!("{i} {}", "x".repeat(100)))
        .collect();
    let problems = a.problems();
    assert!(
        problems
            .iter()
            .any(|(f, m)| f == "guardrails.custom_rules" && m.contains("together")),
        "{problems:?}"
    );
}
