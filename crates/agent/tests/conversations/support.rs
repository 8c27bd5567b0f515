//! A business to talk to: the starter agent of "Acme Academy" with its FAQ and a call to book.

use chrono::{DateTime, TimeZone, Utc};
use closer_agent::AgentProfile;
use closer_agent::simulator::Conversation;
use closer_agent::snapshot::{CtaConfig, KnowledgeEntry};
use closer_domain::sales::CtaType;

pub const BOOKING_LINK: &str = "https://cal.example.com/acme";

/// 10 AM in India.
pub fn morning_in_india() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 17, 4, 30, 0).unwrap()
}

pub fn faq(question: &str, answer: &str) -> KnowledgeEntry {
    KnowledgeEntry {
        id: format!("faq-{}", question.len()),
        kind: closer_domain::work::KnowledgeKind::Faq,
        title: question.into(),
        content: answer.into(),
        source_url: None,
        stale: false,
    }
}

pub fn book_call() -> CtaConfig {
    CtaConfig {
        kind: CtaType::BookCall,
        name: "Free counselling call".into(),
        link: Some(BOOKING_LINK.into()),
        phone: None,
        enabled: true,
        position: 0,
    }
}

pub fn profile() -> AgentProfile {
    let mut p = AgentProfile::starter("Acme Academy");
    p.business_config
        .contact_links
        .insert("booking_url".into(), BOOKING_LINK.into());
    p.business_config.timezone = "Asia/Kolkata".into();
    p
}

pub fn conversation(profile: AgentProfile) -> Conversation {
    Conversation::new(profile, morning_in_india())
        .with_ctas(vec![book_call()])
        .with_knowledge(fees_and_weekends())
}

/// The two FAQ entries every scripted business has: fees and weekend batches.
pub fn fees_and_weekends() -> Vec<KnowledgeEntry> {
    vec![
        faq(
            "What are the fees?",
            "The course costs ₹2999 for three months. EMI is available.",
        ),
        faq(
            "Do you have weekend batches?",
            "Yes, batches run every Saturday and Sunday at 10 AM.",
        ),
    ]
}

/// A business of the evaluation set (`crates/agent/eval/businesses.json`), as its owner set
/// it up: "pathshala" is a Pune coaching institute asking name, exam, class and board.
pub fn business(id: &str) -> closer_agent::eval::Business {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval");
    let set = closer_agent::eval::EvalSet::load(&dir).expect("the evaluation set reads");
    set.business(id).expect("the business").clone()
}

/// "Pathshala Pune" as a fresh organisation sets it up: four FAQ entries (fees with a 10 %
/// early-bird discount, weekend batches, EMI, refunds), a call to book, open 9 to 7 Mon–Sat.
/// Nothing on scholarships or a repeater batch: the scenes played against it ask about both.
pub fn pathshala_pune() -> Conversation {
    let mut p = AgentProfile::starter("Pathshala Pune");
    p.business_config
        .contact_links
        .insert("booking_url".into(), BOOKING_LINK.into());
    p.business_config.timezone = "Asia/Kolkata".into();
    p.business_config.working_hours = "Mon-Sat 9am-7pm".into();
    Conversation::new(p, morning_in_india())
        .with_ctas(vec![book_call()])
        .with_knowledge(vec![
            faq(
                "What are the fees?",
                "The NEET and JEE programmes cost ₹85,000 a year. Enrol before 31 March for a \
                 10% early-bird discount.",
            ),
            faq(
                "Do you have weekend batches?",
                "Yes, weekend batches run Saturday and Sunday, 9 AM to 1 PM.",
            ),
            faq(
                "Can I pay in EMI or instalments?",
                "Yes, the fee can be paid in 3 instalments or as a 6-month EMI.",
            ),
            faq(
                "What is your refund policy?",
                "Full refund within 7 days of joining; after that, no refund.",
            ),
        ])
}

/// "Shree Homes Realty", a Pune real-estate agency as a fresh organisation sets it up: six
/// FAQ entries (2BHK price in Baner, possession, home loans, site visits, RERA, amenities) and
/// a call to book a site visit. Nothing on 1BHK flats, parking or a brochure.
pub fn shree_homes() -> Conversation {
    let mut p = AgentProfile::starter("Shree Homes Realty");
    p.business_config.timezone = "Asia/Kolkata".into();
    Conversation::new(p, morning_in_india())
        .with_ctas(vec![book_call()])
        .with_knowledge(vec![
            faq(
                "What is the price of a 2BHK in Baner?",
                "Our 2BHK flats in Baner start at ₹85 lakh (all inclusive, 980 sq ft carpet).",
            ),
            faq(
                "When is possession?",
                "Tower A possession is December 2027; Tower B is June 2028.",
            ),
            faq(
                "Do you help with home loans?",
                "Yes, we have tie-ups with SBI, HDFC and ICICI for up to 90% of the value.",
            ),
            faq(
                "What are the site visit timings?",
                "Site visits are open every day from 10 am to 7 pm; our sample flat is ready.",
            ),
            faq(
                "What is the RERA number?",
                "The project is RERA registered: P52100012345.",
            ),
            faq(
                "What amenities are there?",
                "Clubhouse, swimming pool, gym, kids' play area and 24x7 security.",
            ),
        ])
}
