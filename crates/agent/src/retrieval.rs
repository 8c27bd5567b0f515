//! Finding what is relevant to the lead's message: the business's knowledge (FAQ entries and
//! website chunks) and earlier messages of this conversation. Lexical scoring (BM25-style term
//! weights) is always available offline; relevance is the share of the query's weight a
//! candidate covers, filtered, then ranked 70 % relevance + 30 % recency, top 3 (SPEC §5.4).

use crate::extract::normalize;
use crate::snapshot::{KnowledgeEntry, Turn};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Candidates below this relevance are dropped before ranking.
pub const MIN_RELEVANCE: f32 = 0.45;
pub const TOP: usize = 3;
/// Recency halves every week for past messages.
const HALF_LIFE_DAYS: f32 = 7.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SnippetSource {
    Knowledge,
    Message,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snippet {
    pub source: SnippetSource,
    pub id: String,
    /// For FAQ entries the question, for pages the URL, for messages empty.
    pub title: String,
    pub text: String,
    pub relevance: f32,
    pub score: f32,
    pub stale: bool,
}

const STOPWORDS: &[&str] = &[
    "the", "a", "an", "is", "are", "was", "be", "to", "of", "and", "or", "in", "on", "for", "it",
    "i", "you", "me", "my", "your", "we", "our", "do", "does", "can", "what", "how", "this",
    "that", "with", "have", "has", "at", "by", "from", "hi", "hello", "please", "tell", "about",
    "there", "any", "will", "would", "could", "hai", "hain", "kya", "ka", "ki", "ke", "ko", "se",
    "mein", "me", "aap", "aapka", "aapki", "mujhe", "bhi", "toh", "ye", "yeh", "is", "us", "ho",
    "hun", "main", "ok", "okay", "so", "just", "want", "know", "get", "namaste", "namaskar",
    "kitni", "kitna", "kitne", "batao", "bataiye", "batayiye", "sir", "ji", "plz", "pls", "bhai",
    "kaise", "kab", "kahan", "pe", "par", "hoti", "hota", "hote", "hoga", "hogi", "milega",
    "milegi", "milta", "milti", "wala", "wali", "wale", "koi", "kuch", "chahiye",
];

/// Words leads use for the same thing the business wrote another way: each is read as the
/// second ("weekend pe classes hoti hai?" asks about the weekend *batches* of the FAQ).
const SAME_THING: &[(&str, &str)] = &[("class", "batch"), ("price", "fee")];

pub fn terms(text: &str) -> Vec<String> {
    let norm = normalize(text);
    norm_terms(&norm).map(str::to_owned).collect()
}

/// The terms of already-normalized text, borrowed from it.
fn norm_terms(norm: &str) -> impl Iterator<Item = &str> {
    norm.split_whitespace()
        .filter(|w| w.chars().count() >= 2 && !STOPWORDS.contains(w))
        .map(|w| {
            // The lightest stemming that helps: "fees" ~ "fee", "courses" ~ "course".
            let w = w
                .strip_suffix("es")
                .filter(|s| s.len() > 3 && s.ends_with(['s', 'x', 'h']))
                .unwrap_or(w);
            w.strip_suffix('s')
                .filter(|s| s.len() > 2 && !s.ends_with('s'))
                .unwrap_or(w)
        })
        .map(|w| {
            SAME_THING
                .iter()
                .find(|(said, _)| *said == w)
                .map_or(w, |(_, meant)| meant)
        })
}

struct Candidate<'a> {
    source: SnippetSource,
    id: &'a str,
    title: &'a str,
    text: &'a str,
    /// Which of the query's terms the candidate holds, by the query term's index.
    has: Vec<bool>,
    recency: f32,
    stale: bool,
}

/// Which of `query_terms` appear among the terms of `texts`. Only the query's terms matter,
/// so a candidate's own terms are never collected: this runs for every knowledge entry on
/// every think.
fn holds(query_terms: &HashMap<String, usize>, texts: &[&str]) -> Vec<bool> {
    let mut has = vec![false; query_terms.len()];
    for text in texts {
        let norm = normalize(text);
        for term in norm_terms(&norm) {
            if let Some(i) = query_terms.get(term) {
                has[*i] = true;
            }
        }
    }
    has
}

/// The top snippets for `query`, best first.
pub fn retrieve(
    query: &str,
    knowledge: &[KnowledgeEntry],
    past: &[Turn],
    now: DateTime<Utc>,
) -> Vec<Snippet> {
    // Each distinct term of the query, numbered in order of first use.
    let mut index: HashMap<String, usize> = HashMap::new();
    for t in terms(query) {
        let next = index.len();
        index.entry(t).or_insert(next);
    }
    if index.is_empty() {
        return vec![];
    }
    let mut candidates: Vec<Candidate> = knowledge
        .iter()
        .map(|k| Candidate {
            source: SnippetSource::Knowledge,
            id: &k.id,
            title: &k.title,
            text: &k.content,
            // An FAQ's question counts as much as its answer.
            has: holds(&index, &[&k.title, &k.content]),
            // Knowledge is as fresh as its last verification; a stale page ranks lower.
            recency: if k.stale { 0.3 } else { 1.0 },
            stale: k.stale,
        })
        .collect();
    candidates.extend(past.iter().map(|t| {
        let days = (now - t.at).num_seconds().max(0) as f32 / 86_400.0;
        Candidate {
            source: SnippetSource::Message,
            id: &t.id,
            title: "",
            text: &t.text,
            has: holds(&index, &[&t.text]),
            recency: 0.5f32.powf(days / HALF_LIFE_DAYS),
            stale: false,
        }
    }));
    if candidates.is_empty() {
        return vec![];
    }
    // Rare terms weigh more (inverse document frequency over the candidates).
    let n = candidates.len() as f32;
    let idf: Vec<f32> = (0..index.len())
        .map(|i| {
            let df = candidates.iter().filter(|c| c.has[i]).count() as f32;
            ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
        })
        .collect();
    let total: f32 = idf.iter().sum();
    let mut scored: Vec<Snippet> = candidates
        .into_iter()
        .filter_map(|c| {
            let covered: f32 = idf
                .iter()
                .zip(&c.has)
                .filter(|(_, has)| **has)
                .map(|(w, _)| w)
                .sum();
            let relevance = if total > 0.0 { covered / total } else { 0.0 };
            (relevance >= MIN_RELEVANCE).then(|| Snippet {
                source: c.source,
                id: c.id.to_owned(),
                title: c.title.to_owned(),
                text: c.text.to_owned(),
                relevance,
                score: 0.7 * relevance + 0.3 * c.recency,
                stale: c.stale,
            })
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    scored.truncate(TOP);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use closer_domain::messaging::Author;

    fn faq(id: &str, q: &str, a: &str) -> KnowledgeEntry {
        KnowledgeEntry {
            id: id.into(),
            kind: closer_domain::work::KnowledgeKind::Faq,
            title: q.into(),
            content: a.into(),
            source_url: None,
            stale: false,
        }
    }

    /// Replayed as Pune Pathshala: the Hinglish question found nothing (its particles counted
    /// as words, "classes" was not "batches") and the lead was handed to the team.
    #[test]
    fn a_hinglish_question_finds_the_faq_it_means() {
        let now = Utc::now();
        let kb = vec![
            faq(
                "1",
                "What is the fee for JEE coaching?",
                "The JEE two-year programme is Rs 1,20,000; EMI available.",
            ),
            faq(
                "2",
                "Do you have weekend batches?",
                "Yes, Saturday and Sunday batches from 8 am to 1 pm.",
            ),
        ];
        let got = retrieve("namaste, weekend pe classes hoti hai kya?", &kb, &[], now);
        assert_eq!(got.first().map(|s| s.id.as_str()), Some("2"), "{got:?}");
    }

    #[test]
    fn finds_the_matching_faq_and_drops_the_rest() {
        let now = Utc::now();
        let kb = vec![
            faq("1", "What are the course fees?", "The course costs ₹2999."),
            faq("2", "Do you offer EMI?", "Yes, 3-month EMI is available."),
            faq("3", "Where is your office?", "We are in Andheri, Mumbai."),
        ];
        let got = retrieve("what are your fees", &kb, &[], now);
        assert_eq!(got[0].id, "1");
        assert!(got.iter().all(|s| s.id != "3"));
        assert!(retrieve("hello there", &kb, &[], now).is_empty());
    }

    #[test]
    fn recency_breaks_ties_between_equally_relevant_messages() {
        let now = Utc::now();
        let turn = |id: &str, days: i64| Turn {
            reply_id: None,
            id: id.into(),
            author: Author::Lead,
            text: "my budget is ten thousand".into(),
            at: now - Duration::days(days),
        };
        let got = retrieve("budget", &[], &[turn("old", 30), turn("new", 1)], now);
        assert_eq!(got[0].id, "new");
        assert!(got[0].score > got[1].score);
    }
}
