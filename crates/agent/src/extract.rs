//! Reading the lead's new messages: facts (slots), promises, mood, buying intent, language,
//! and the signals the hard rules and escalation act on. Deterministic lexicons in English,
//! Hinglish and Hindi; the LLM engine may add to this, never replace the hard signals.

pub mod slots;

use crate::decision::ReplyButton;
use crate::language;
use crate::snapshot::Snapshot;
use crate::state::Commitment;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use closer_domain::sales::{Intent, Sentiment};
use closer_domain::slots::Observation;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub slots: Vec<(String, Observation)>,
    pub commitments: Vec<Commitment>,
    pub sentiment: Option<(Sentiment, f32)>,
    pub intent: Option<Intent>,
    pub language: Option<&'static str>,
    pub opt_out: bool,
    pub wants_human: bool,
    pub confused: bool,
    pub payment_failure: bool,
    pub compliance_risk: bool,
    pub is_question: bool,
    pub asks_price: bool,
    pub objection: Option<String>,
    pub accepts: bool,
    /// "Can I book a call?": the lead asks for the booking before anything was offered.
    pub asks_to_book: bool,
    /// "Send the payment link": the calls to action the lead asks for by name, best first.
    pub asks_for: Vec<closer_domain::sales::CtaType>,
    /// "Not now", "let me think about it": the lead pauses (also a decline, for now).
    pub defers: bool,
    /// "Send me the link": the link of the offer on the table, or of the first one.
    pub asks_for_link: bool,
    /// "hmm", "hmm ok", "👍": the lead heard us and said nothing yet; neither a yes nor a no.
    pub filler: bool,
    /// "ok thanks", "theek hai thanks": the lead closes politely; not a yes to the offer.
    pub thanks: bool,
    pub declines: bool,
    pub completed: bool,
    pub renewed_interest: bool,
    pub proposed_time: Option<DateTime<Utc>>,
    /// The day a lead asks to come or talk on, with no time yet ("can I see the flat this
    /// Sunday?"), in the business's calendar.
    pub proposed_day: Option<NaiveDate>,
    /// The new time of the call the lead booked earlier ("6pm not 5pm"): a move, not a new
    /// booking nor an answer to the next offer.
    pub moves_booking_to: Option<DateTime<Utc>>,
    pub correction: bool,
    /// "As I said", "pehle bataya": the answer is earlier in the conversation.
    pub references_past: bool,
    /// "morning", "shaam ko", "weekends, after 7pm": the message only says when (the lead's
    /// time), so it answers no question but one about when.
    pub only_when: bool,
    /// "What is this?", "who are you?", "aap kaun ho?": a lead who does not know whom they are
    /// writing to (an ad, a forwarded number).
    pub asks_who_we_are: bool,
    /// "I want details of the NEET repeater batch", "hostel ki details bhejo": what the lead
    /// asks the details of, in their words, when they name something (not "I want details").
    pub wants_details_of: Option<String>,
    /// "hello??", "??", "anyone there?", "koi hai": the lead checks that someone is reading,
    /// and says nothing else.
    pub checks_presence: bool,
}

/// Lower-cased, punctuation turned into spaces, padded: `" phrase "` then matches whole words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let keep = c.is_alphanumeric() || ('\u{0900}'..='\u{097F}').contains(&c) || c == '₹';
        if keep {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// Whether the normalized text holds any of the phrases as whole words (Devanagari phrases
/// as substrings: its vowel signs are not alphanumeric).
pub fn has_any(norm: &str, phrases: &[&str]) -> bool {
    // No allocation: this runs for every lexicon on every think.
    phrases.iter().any(|p| {
        if p.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)) {
            norm.contains(p)
        } else {
            norm.match_indices(p)
                .any(|(i, _)| norm[..i].ends_with(' ') && norm[i + p.len()..].starts_with(' '))
        }
    })
}

/// Words that start a question.
const QUESTION_STARTS: &[&str] = &[
    "what", "how", "when", "where", "which", "who", "why", "can", "could", "do", "does", "is",
    "are", "will", "would", "should", "any", "kya", "kaise", "kitna", "kitne", "kitni", "kab",
    "kahan", "kaun", "kyun", "kaunsa", "kaunsi", "wat", "whats", "wht",
];
/// Hindi question words, which come anywhere in the sentence ("fees kitni hai?").
const QUESTION_WORDS: &[&str] = &[
    "kya",
    "kitna",
    "kitni",
    "kitne",
    "kab",
    "kahan",
    "kaha",
    "kaun",
    "kaunsa",
    "kaunsi",
    "kaunse",
    "kaise",
    "kyun",
    "kyu",
    "kidhar",
    "क्या",
    "कितनी",
    "कितना",
    "कितने",
    "कब",
    "कहाँ",
    "कहां",
    "कौन",
    "कैसे",
    "क्यों",
];
/// Asking without a question mark: "details of the repeater batch", "address bhejo".
const REQUESTS: &[&str] = &[
    "details",
    "detail",
    "info",
    "information",
    "tell me",
    "let me know",
    "want to know",
    "bhejo",
    "bhejiye",
    "bhej do",
    "send me",
    "share",
    "batao",
    "bataiye",
    "bata do",
    "jankari",
    "jaankari",
    "explain",
    "email me",
    "price list",
];

pub(crate) fn starts_like_a_question(norm: &str) -> bool {
    let mut words = norm.split_whitespace().filter(|w| !SALUTATIONS.contains(w));
    let Some(first) = words.next() else {
        return false;
    };
    if !LEAD_INS.contains(&first) {
        return QUESTION_STARTS.contains(&first);
    }
    // After "ok" only a question word asks: "ok what about loan" does, "ok do it" and "ok
    // will think" do not.
    words
        .find(|w| !LEAD_INS.contains(w))
        .is_some_and(|w| WH_WORDS.contains(&w))
}

/// The words that ask whatever comes before them.
const WH_WORDS: &[&str] = &[
    "what", "whats", "how", "when", "where", "which", "who", "why", "kya", "kaise", "kitna",
    "kitne", "kitni", "kab", "kahan", "kaun", "kaunsa",
];

/// Words before what a lead asks the details of: "details of the repeater batch".
const DETAILS_OF: &[&str] = &[
    "details of",
    "details about",
    "details on",
    "details regarding",
    "details for",
    "detail of",
    "detail about",
    "info of",
    "info about",
    "info on",
    "info regarding",
    "information of",
    "information about",
    "information on",
    "information regarding",
    "tell me about",
    "tell me more about",
];
/// The same after it, in Hinglish: "hostel ki details bhejo", "fees ki jankari".
const DETAILS_AFTER: &[&str] = &[
    "ki details",
    "ke details",
    "ka details",
    "ki detail",
    "ki info",
    "ki jankari",
    "ki jaankari",
    "ke baare mein",
    "ke bare mein",
];
/// Words that name no particular thing to get details of: the business itself, or all it
/// offers ("details of your courses" asks what the lead wants first).
const NOTHING_IN_PARTICULAR: &[&str] = &[
    "course",
    "batch",
    "prepare",
    "institute",
    "academy",
    "company",
    "business",
    "service",
    "product",
    "yourself",
    "yourselves",
    "more",
    "everything",
];

/// What a request for details names, in the lead's words with what carries no topic around
/// it trimmed ("Hello, I want details of the NEET repeater batch" → "NEET repeater batch");
/// `None` when it names nothing in particular.
fn details_asked(text: &str, business_name: &str) -> Option<String> {
    let own = crate::retrieval::terms(business_name);
    crate::guardrails::sentences(text)
        .iter()
        .find_map(|sentence| {
            // Each clause on its own: "Hi, I want details of X, and my name is Amit".
            sentence.split([',', ';']).find_map(|clause| {
                let words: Vec<&str> = clause.split_whitespace().collect();
                let bare: Vec<String> = words
                    .iter()
                    .map(|w| normalize(w).trim().to_owned())
                    .collect();
                let topic = marked_topic(&words, &bare)?;
                let topic = without_empty_ends(&topic);
                let named = crate::retrieval::terms(&topic.join(" "))
                    .into_iter()
                    .any(|t| !own.contains(&t) && !NOTHING_IN_PARTICULAR.contains(&t.as_str()));
                (named && topic.len() <= 6).then(|| {
                    let said = topic.join(" ");
                    said.trim_matches(|c: char| !c.is_alphanumeric()).to_owned()
                })
            })
        })
}

/// The words after an English marker or before a Hinglish one.
fn marked_topic<'a>(words: &[&'a str], bare: &[String]) -> Option<Vec<&'a str>> {
    let at = |marker: &str| {
        let m: Vec<&str> = marker.split(' ').collect();
        (0..=bare.len().checked_sub(m.len())?).find(|&i| (0..m.len()).all(|j| bare[i + j] == m[j]))
    };
    DETAILS_OF
        .iter()
        .find_map(|m| at(m).map(|i| words[i + m.split(' ').count()..].to_vec()))
        .or_else(|| {
            DETAILS_AFTER
                .iter()
                .find_map(|m| at(m).map(|i| words[..i].to_vec()))
        })
}

/// `words` without the words at either end that carry no topic ("the", "please", "bhejo").
fn without_empty_ends<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let empty = |w: &&str| crate::retrieval::terms(w).is_empty();
    let start = words.iter().position(|w| !empty(w)).unwrap_or(words.len());
    let end = words
        .iter()
        .rposition(|w| !empty(w))
        .map_or(start, |i| i + 1);
    words[start..end.max(start)].to_vec()
}

/// The whole message asks whom the lead is writing to ("what is this course" asks something
/// else, so only the bare question counts, after a greeting).
fn asks_who_we_are(norm: &str) -> bool {
    const WHO: &[&str] = &[
        "what is this",
        "whats this",
        "who are you",
        "who is this",
        "who r u",
        "which company",
        "which company is this",
        "what company is this",
        "aap kaun",
        "aap kaun ho",
        "aap kaun hain",
        "kaun ho",
        "kaun ho aap",
        "kaun hai",
        "ye kya hai",
        "yeh kya hai",
        "ye kaun hai",
        "yeh kaun hai",
    ];
    let words: Vec<&str> = (norm.split_whitespace())
        .skip_while(|w| SALUTATIONS.contains(w) || LEAD_INS.contains(w))
        .collect();
    WHO.contains(&words.join(" ").as_str())
}

/// Words a chat puts before its next question: "ok what about loan", "and how much is
/// parking", "achha how many floors".
const LEAD_INS: &[&str] = &[
    "ok", "okay", "k", "and", "so", "also", "btw", "but", "then", "sorry", "hmm", "achha", "acha",
    "accha", "thik", "theek",
];

/// Greetings and forms of address before what the lead says: "Hi, what is the fees…" and
/// "sir what is the fees…" start with the question all the same.
const SALUTATIONS: &[&str] = &[
    "hi",
    "hii",
    "hello",
    "hey",
    "namaste",
    "namaskar",
    "sir",
    "mam",
    "maam",
    "madam",
    "ji",
    "dear",
    "good",
    "morning",
    "afternoon",
    "evening",
];

/// The questions a message asks, each on its own, and requests for information ("details
/// of the repeater batch"): "Hi, I saw your ad. Do you have weekend batches?" asks one;
/// "What are the fees and do you have weekend batches?" two. Greetings and "still there?"
/// ask nothing the knowledge could answer.
pub fn question_clauses(text: &str) -> Vec<String> {
    asked_sentences(text, true)
        .iter()
        .flat_map(|s| split_questions(s))
        .collect()
}

/// Whether the message asks a question (a request for details is not one: "I want details"
/// names nothing to answer, and the agent learns what the lead wants first; one that names
/// something is read as [`Extraction::wants_details_of`]).
pub fn asks_a_question(text: &str) -> bool {
    !asked_sentences(text, false).is_empty()
}

fn asked_sentences(text: &str, with_requests: bool) -> Vec<String> {
    let norm = normalize(text);
    if PRESENCE_PINGS.contains(&norm.trim()) {
        return vec![];
    }
    crate::guardrails::sentences(text)
        .into_iter()
        .filter(|sentence| {
            let n = normalize(sentence);
            // "Will think about it" starts like "Will you…?" but is a pause, not a question.
            let pause = pauses(&n) && !sentence.ends_with('?');
            let asks = sentence.ends_with('?')
                || (!pause && starts_like_a_question(&n))
                || has_any(&n, QUESTION_WORDS)
                || (with_requests && has_any(&n, REQUESTS));
            asks && !PRESENCE_PINGS.contains(&n.trim())
        })
        .collect()
}

/// One sentence's questions: split at "and do you…", "and what…", and at "aur".
fn split_questions(sentence: &str) -> Vec<String> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut out = vec![];
    let mut current: Vec<&str> = vec![];
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_lowercase();
        let next = words.get(i + 1).map(|n| normalize(n)).unwrap_or_default();
        let splits = (lower == "and" && starts_like_a_question(&next)) || lower == "aur";
        if splits && !current.is_empty() {
            out.push(current.join(" "));
            current.clear();
        } else {
            current.push(w);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

const OPT_OUT: &[&str] = &[
    "unsubscribe",
    "opt out",
    "optout",
    "remove me",
    "stop messaging",
    "stop sending",
    "stop texting",
    "stop messages",
    "don t message",
    "dont message",
    "do not message",
    "don t contact",
    "do not contact",
    "no more messages",
    "band karo",
    "band kar do",
    "bandh karo",
    "band kijiye",
    "mat bhejo",
    "mat bhejiye",
    "message mat karo",
    "msg mat karo",
    "message na bheje",
    "messages band",
    "pareshan mat karo",
    "बंद करो",
    "बंद कर दो",
    "मत भेजो",
    "मैसेज मत",
];
/// Whole-message keywords (WhatsApp's own convention): "STOP", "stop please".
const OPT_OUT_ALONE: &[&str] = &[
    " stop ",
    " stop please ",
    " please stop ",
    " stop all ",
    " end ",
    " quit ",
];

const ANGRY: &[&str] = &[
    "worst",
    "fraud",
    "scam",
    "cheat",
    "cheater",
    "cheating",
    "pathetic",
    "useless",
    "rubbish",
    "nonsense",
    "bakwas",
    "bekar",
    "ghatiya",
    "chor",
    "idiot",
    "stupid",
    "hate",
    "angry",
    "furious",
    "disgusting",
    "bewakoof",
    "pagal",
    "wtf",
    "shut up",
    "ridiculous",
    "looting",
    "bakwaas",
    "बकवास",
    "धोखा",
    // A complaint about the business itself is for a person to answer, however calmly
    // written: "I called your office but nobody picked up", "very bad service".
    "bad service",
    "poor service",
    "horrible",
    "terrible",
    "nobody picked",
    "no one picked",
    "nobody picks",
    "no one picks",
    "didn t pick",
    "did not pick",
    "nobody answered",
    "no one answered",
    "nobody answers",
    "phone nahi uthaya",
    "call nahi uthaya",
    "phone nahi uthate",
    "call nahi uthate",
];
const FRUSTRATED: &[&str] = &[
    "not working",
    "still waiting",
    "no reply",
    "no response",
    // Waiting on us, not the course's length: "how long is the course" asks a duration.
    "how long do i have to wait",
    "how long should i wait",
    "how long will you take",
    "how much longer",
    "kab tak wait",
    "kab tak intezaar",
    "kab tak rukna",
    "again and again",
    "disappointed",
    "annoyed",
    "frustrated",
    "waste",
    "confusing",
    "problem",
    "issue",
    "delay",
    "nahi chal",
    "kaam nahi",
    "pareshan",
    "fed up",
    "tired of",
    "not happy",
    "bad experience",
];
const VERY_POSITIVE: &[&str] = &[
    "amazing",
    "awesome",
    "excellent",
    "love it",
    "love this",
    "fantastic",
    "perfect",
    "bahut badhiya",
    "zabardast",
    "mast",
    "superb",
    "wonderful",
    "brilliant",
];
const POSITIVE: &[&str] = &[
    "thanks",
    "thank you",
    "great",
    "good",
    "nice",
    "cool",
    "achha",
    "accha",
    "badhiya",
    "shukriya",
    "dhanyavad",
    "interested",
    "sounds good",
    "helpful",
    "happy",
    "glad",
];
const WANTS_HUMAN: &[&str] = &[
    "human",
    "real person",
    "representative",
    "talk to someone",
    "speak to someone",
    "talk to a person",
    "speak to a person",
    "manager",
    "customer care",
    "insaan",
    "kisi se baat",
    "aadmi se baat",
    "team se baat",
    "agent se baat",
    "live agent",
    "actual person",
    "someone from your team",
    // Devanagari: "किसी इंसान से बात करनी है".
    "इंसान",
    "किसी से बात",
    "व्यक्ति से बात",
    "टीम से बात",
    "मैनेजर",
];
const CONFUSED: &[&str] = &[
    "didn t understand",
    "dont understand",
    "don t understand",
    "not clear",
    "what do you mean",
    "confused",
    "confusing",
    "samajh nahi",
    "samjha nahi",
    "samjhi nahi",
    "kya matlab",
    "matlab kya",
    "huh",
    "makes no sense",
    "you didn t answer",
    "that s not what i asked",
];
const PAYMENT_FAILURE: &[&str] = &[
    "payment failed",
    "payment fail",
    "transaction failed",
    "money deducted",
    "amount deducted",
    "paisa kat gaya",
    "paise kat gaye",
    "payment nahi hua",
    "payment not going",
    "card declined",
    "upi failed",
    "payment declined",
    "booking failed",
    "couldn t book",
    "cannot book",
    "can t book",
    "link not working",
    "link is not working",
    "payment stuck",
];
const COMPLIANCE: &[&str] = &[
    "legal action",
    "lawyer",
    "court",
    "police",
    "consumer forum",
    "sue",
    "report you",
    "complaint to",
    "rbi",
    "sebi",
    "gdpr",
    "harass",
    "harassment",
    "fir",
    "legal notice",
];
/// "Still there?", "hello??", "koi hai?": a lead checking that someone is listening, not a
/// question the knowledge base should answer (nor one to hand to the team).
const PRESENCE_PINGS: &[&str] = &[
    "still there",
    "are you there",
    "anyone here",
    "anybody there",
    "someone there",
    "you there",
    "anyone there",
    "is anyone there",
    "hello",
    "helo",
    "hellooo",
    "hi",
    "hey",
    "hello ji",
    "hi there",
    "reply",
    "reply please",
    "please reply",
    "plz reply",
    "pls reply",
    "koi hai",
    "hai koi",
    "kya aap ho",
    "aap ho",
];
/// Whether `text` only checks that someone is there: a presence ping ("hello??", "anyone
/// there?") or question marks alone ("??").
fn checks_presence(text: &str) -> bool {
    let marks_alone = text.contains('?')
        && text
            .chars()
            .all(|c| matches!(c, '?' | '!' | '.') || c.is_whitespace());
    let norm = normalize(text);
    // "hello anyone there": a greeting before the ping is still the ping.
    let rest = (norm.split_whitespace())
        .skip_while(|w| SALUTATIONS.contains(w))
        .collect::<Vec<_>>()
        .join(" ");
    marks_alone
        || PRESENCE_PINGS.contains(&norm.trim())
        || (!rest.is_empty() && PRESENCE_PINGS.contains(&rest.as_str()))
}

/// A check that we are there which is no greeting: "??", "hello??", "anyone there". A bare
/// "hi" after a while greets again; it does not ask whether anyone is reading.
pub(crate) fn asks_if_anyone_is_there(text: &str) -> bool {
    let greeting = PRESENCE_GREETINGS.contains(&normalize(text).trim());
    checks_presence(text) && (!greeting || text.contains('?'))
}

/// Pings that are also greetings.
const PRESENCE_GREETINGS: &[&str] = &[
    "hello", "helo", "hellooo", "hi", "hey", "hello ji", "hi there",
];

const PRICE: &[&str] = &[
    "price", "prices", "pricing", "cost", "costs", "fee", "fees", "charge", "charges", "kitna",
    "kitne", "kitni", "rate", "how much", "emi", "discount", "₹", "paisa", "paise", "plans",
];
const ACCEPT_ALONE: &[&str] = &[
    " yes ",
    " yes please ",
    " ok ",
    " okay ",
    " sure ",
    " haan ",
    " ha ",
    " haa ",
    " han ",
    " ji ",
    " ji haan ",
    " book it ",
    " go ahead ",
    " let s do it ",
    " chalo ",
    " theek hai ",
    " thik hai ",
    " ok book ",
    " yes interested ",
    " sounds good ",
    " yep ",
    " yeah ",
    " done ",
];
const ACCEPT: &[&str] = &[
    "yes please",
    "book it",
    "book a call",
    "book the call",
    "let s do it",
    "go ahead",
    "send the link",
    "send link",
    "link bhejo",
    "call me",
    "i want to book",
    "i d like to book",
    "interested",
    "sign me up",
];
// "Book" as a verb only: "do you give a book?" asks about study material.
const BOOK_REQUEST: &[&str] = &[
    "book a",
    "book an",
    "book the",
    "book my",
    "book me",
    "book us",
    "can i book",
    "set up a call",
    "arrange a call",
    "fix a call",
    "to book",
    "slot book",
    "booking karni",
    "booking karna",
    "book karna",
    "book karni",
    "book kar do",
    "book kardo",
    "book kar sakte",
    "appointment",
    "schedule a call",
    "schedule a demo",
    "call me",
    "call back",
    "callback",
    "call karo",
    "call kar sakte",
    "call book",
    "baat karni hai",
    "milna hai",
];
/// Asking to come and see, or to try, on a day: "can I see the flat this Sunday?", "demo
/// kal ho sakta hai?", "trial class on Saturday". With a day or a time it is a request to
/// book; without one ("can I try the gym before joining?") it is a question for the FAQ.
const VISIT_REQUEST: &[&str] = &[
    "can i see",
    "can i visit",
    "can i come",
    "could i see",
    "could i visit",
    "could i come",
    "can we see",
    "can we visit",
    "can we come",
    "i want to see",
    "i want to visit",
    "want to see the",
    "visit the",
    "site visit",
    "come and see",
    "come see",
    "come over",
    "demo",
    "trial class",
    "trial session",
    "free trial",
    "dekhne aa",
    "dekhna hai",
    "dekh sakte",
    "visit karna",
    "visit kar",
    "drop by",
    "come by",
    "walk in",
    // Hinglish "may I come": "office aau kya parso?", "Sunday ko milne aana hai".
    "aa jau",
    "aa jaun",
    "aana hai",
    "aana tha",
    "aau",
    "aaun",
    "aaoon",
    "milne aa",
    "milne aana",
    "visit karni",
    "visit karu",
    "visit karun",
    "आना है",
    "मिलने आ",
];
/// "Can come" in Hinglish is also "I can come": "kya main Sunday ko aa sakta hu?" asks to
/// come, "sirf Sunday ko aa sakta hu, koi batch hai?" says when they can attend. A visit
/// request only where the part of the message that says it asks.
const VISIT_IF_ASKED: &[&str] = &[
    "aa sakta",
    "aa sakti",
    "aa sakte",
    "aa jaye",
    "aa jayen",
    "आ सकता",
    "आ सकती",
    "आ सकते",
];

/// Whether the message asks to come (see [`VISIT_REQUEST`], [`VISIT_IF_ASKED`]).
fn asks_to_come(text: &str, norm: &str) -> bool {
    has_any(norm, VISIT_REQUEST)
        || text.split([',', '.', '\n', ';', '!']).any(|part| {
            let n = normalize(part);
            has_any(&n, VISIT_IF_ASKED)
                && (part.trim_end().ends_with('?') || has_any(&n, &["kya", "क्या"]))
        })
}
const COMPLETED: &[&str] = &[
    "downloaded",
    "installed",
    "paid",
    "payment done",
    "filled",
    "submitted",
    "registered",
    "signed up",
    "kar diya",
    "ho gaya",
    "done it",
];
const DECLINE: &[&str] = &[
    "not interested",
    "no thanks",
    "no thank you",
    "not now",
    "abhi nahi",
    "baad mein",
    "nahi chahiye",
    "don t want",
    "dont want",
    "interest nahi",
    "not for me",
];
const DECLINE_ALONE: &[&str] = &[" no ", " nope ", " nahi ", " na ", " nah ", " later "];
/// A pause: the lead will come back (the follow-ups decide when), not a no.
const DEFER: &[&str] = &[
    "not now",
    "later",
    "baad mein",
    "baad me",
    "abhi nahi",
    "think about it",
    "let me think",
    "will think",
    "i ll think",
    "need to think",
    "need time",
    "soch ke",
    "sochke",
    "sochta hu",
    "sochti hu",
    "sochenge",
    "sochkar",
    "will let you know",
    "let you know",
    "get back to you",
    "discuss with",
    "family se baat",
    "ghar pe baat",
    "maybe later",
];
/// A pause when it ends the message ("ok let me see", "dekhta hu", "will check"): mid-message
/// "let me see the brochure" asks for something.
const DEFER_AT_END: &[&str] = &[
    " let me see ",
    " let me check ",
    " will see ",
    " will check ",
    " i ll check ",
    " i ll see ",
    " will check and tell ",
    " dekhta hu ",
    " dekhta hun ",
    " dekhta hoon ",
    " dekhti hu ",
    " dekhti hun ",
    " dekhti hoon ",
    " dekhte hai ",
    " dekhte hain ",
    " dekh ke batata hu ",
    " dekh ke batati hu ",
    " dekh leta hu ",
    " dekh leti hu ",
];
/// Whether a message only nods ("hmm", "hmm ok", "👍"): heard, nothing said. A question mark
/// asks something, even alone.
fn only_nods(text: &str) -> bool {
    !text.trim().is_empty()
        && !text.contains('?')
        && normalize(text)
            .split_whitespace()
            .all(|w| FILLER.contains(&w))
}

/// Words that thank ("thanks", "thank you", "shukriya"); one of them makes a closing.
const THANK_WORDS: &[&str] = &[
    "thanks",
    "thank",
    "thankyou",
    "thanku",
    "thnx",
    "thx",
    "tq",
    "ty",
    "tysm",
    "dhanyavad",
    "dhanyavaad",
    "dhanyawad",
    "shukriya",
];
/// Words that go with a thank-you without saying yes to anything ("ok thanks", "theek hai
/// thank you so much ji"). "yes" and "sure" are not here: "sure, thanks" still takes the offer.
const THANKS_COMPANIONS: &[&str] = &[
    "ok",
    "okay",
    "okk",
    "k",
    "theek",
    "thik",
    "hai",
    "acha",
    "achha",
    "accha",
    "hmm",
    "cool",
    "great",
    "you",
    "so",
    "much",
    "a",
    "lot",
    "very",
    "ji",
    "sir",
    "mam",
    "maam",
    "bro",
    "bhai",
    "for",
    "the",
    "info",
    "information",
];

/// Whether a message only thanks: a polite close, neither a yes nor a question.
fn only_thanks(norm: &str) -> bool {
    let words: Vec<&str> = norm.split_whitespace().collect();
    words.iter().any(|w| THANK_WORDS.contains(w))
        && words
            .iter()
            .all(|w| THANK_WORDS.contains(w) || THANKS_COMPANIONS.contains(w))
}

/// Whether the normalized text puts the decision off ("will think about it", "ok let me see").
fn pauses(norm: &str) -> bool {
    has_any(norm, DEFER) || DEFER_AT_END.iter().any(|p| norm.ends_with(p))
}

/// Words that answer nothing: the lead is still reading ("hmm", "hmm ok", "oh"). "ok" alone
/// stays a yes (the rule before this list); with these it is only a nod.
const FILLER: &[&str] = &[
    "hmm", "hm", "hmmm", "hmmmm", "hmmmmm", "mm", "mmm", "umm", "um", "uh", "oh", "ohh", "ooh",
    "ok", "okay", "okk", "k", "kk", "achha", "accha", "acha", "ohk", "i", "see", "right",
];

/// Words that ask for a call to action by name, and the ones they ask for.
const CTA_REQUESTS: &[(&[&str], &[closer_domain::sales::CtaType])] = &[
    (
        &[
            "payment link",
            "pay link",
            "link to pay",
            "link for payment",
            "want to pay",
            "ready to pay",
            "pay now",
            "pay karna",
            "payment karna",
            "payment karni",
            "how do i pay",
            "how can i pay",
            "where do i pay",
        ],
        &[closer_domain::sales::CtaType::Payment],
    ),
    (
        &[
            "app link",
            "download link",
            "download the app",
            "app download",
        ],
        &[closer_domain::sales::CtaType::AppDownload],
    ),
    (
        &[
            "brochure",
            "send documents",
            "send the documents",
            "send docs",
        ],
        &[closer_domain::sales::CtaType::SendDocs],
    ),
    (
        &["form link", "application form", "registration form"],
        &[closer_domain::sales::CtaType::FillForm],
    ),
    (
        &["website link", "your website"],
        &[closer_domain::sales::CtaType::VisitWebsite],
    ),
];

const LINK_REQUEST: &[&str] = &[
    "send the link",
    "send link",
    "send me the link",
    "share the link",
    "share link",
    "link bhejo",
    "link bhej do",
    "link bhejiye",
    "link share karo",
    "link do",
];

fn requested_ctas(norm: &str) -> Vec<closer_domain::sales::CtaType> {
    CTA_REQUESTS
        .iter()
        .filter(|(words, _)| has_any(norm, words))
        .flat_map(|(_, ctas)| ctas.iter().copied())
        .collect()
}

const RENEWED: &[&str] = &[
    "interested now",
    "ready now",
    "i m ready",
    "actually interested",
    "want to book now",
    "ab ready",
    "ab interested",
    "changed my mind",
    "let s do it now",
];
const CORRECTION: &[&str] = &[
    "actually",
    "sorry i meant",
    "i meant",
    "correction",
    "not anymore",
    "now i can",
    "changed",
    "galti se",
    "asal mein",
    "update",
    "instead",
];
const REFERENCES_PAST: &[&str] = &[
    "as i said",
    "i told you",
    "earlier",
    "already told",
    "pehle bataya",
    "bataya tha",
    "like i said",
];
const BUY_NOW: &[&str] = &[
    "buy", "purchase", "pay now", "sign up", "enroll", "enrol", "join", "kharidna", "lena hai",
    "register",
];
const CURIOUS: &[&str] = &[
    "tell me more",
    "details",
    "detail",
    "info",
    "information",
    "more about",
    "batao",
    "bataiye",
    "interested",
];
const LOW_INTENT: &[&str] = &[
    "just looking",
    "just checking",
    "not interested",
    "maybe later",
    "baad mein",
    "abhi nahi",
    "not sure",
];
const PROMISE: &[&str] = &[
    "i will",
    "i ll",
    "will let you know",
    "let me check",
    "let me think",
    "let me discuss",
    "get back",
    "batata hun",
    "batati hun",
    "bata dunga",
    "bata dungi",
    "kar dunga",
    "kar dungi",
    "soch ke",
    "sochke",
    "check karke",
];

/// Built-in cues for the common objection keys; any other playbook key matches when all
/// its words appear.
fn objection_cues(key: &str) -> &'static [&'static str] {
    match key {
        "too_expensive" | "price" | "expensive" => &[
            "expensive",
            "costly",
            "too much",
            "mehenga",
            "mehnga",
            "mahanga",
            "afford nahi",
            "budget nahi",
            "can t afford",
            "cannot afford",
            "too high",
            "zyada hai",
        ],
        "no_time" | "busy" => &[
            "no time",
            "busy",
            "time nahi",
            "waqt nahi",
            "don t have time",
        ],
        "not_interested" => &["not interested", "interest nahi", "nahi chahiye"],
        "need_to_think" | "think_about_it" => &[
            "think about it",
            "sochna",
            "soch ke",
            "sochke",
            "discuss with",
            "family se",
            "let me think",
        ],
        "trust" | "is_it_genuine" => &["genuine", "legit", "fake", "trust", "real or"],
        _ => &[],
    }
}

static NOT_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:not|instead of|na ki)\s+(?:the\s+|class\s+|in\s+)?([\p{L}\d+-]+)")
        .expect("regex")
});
/// Hinglish puts the value taken back first: "CBSE nahi, ICSE".
static VALUE_NAHI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([\p{L}\d+-]+)\s+(?:nahi|nahin|nhi)\b").expect("regex"));

/// What a message takes back ("Baner not Wakad", "Class 11 not 12"): the text without it,
/// the words taken back (only a value the agent holds counts, so "not sure" stays), and the
/// name given in place of a name taken back ("it's Amit not Amith": Amit).
struct TakenBack {
    said: String,
    words: Vec<String>,
    new_name: Option<String>,
}

/// Words that follow "not" without being a fact the lead gave: "not now", "not sure".
const NOT_TAKEN_BACK: &[&str] = &[
    "now",
    "sure",
    "yet",
    "really",
    "interested",
    "that",
    "this",
    "much",
    "for",
    "the",
];

/// The number a word writes, ordinal or not: "12th", "12" — 12; "2BHK" is no number.
pub(crate) fn number_of(word: &str) -> Option<u32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let rest = &word[digits.len()..];
    (!digits.is_empty() && ["", "st", "nd", "rd", "th"].contains(&rest))
        .then(|| digits.parse().ok())
        .flatten()
}

fn without_taken_back(text: &str, s: &Snapshot) -> TakenBack {
    let held: Vec<String> = s
        .state
        .slots
        .values()
        .map(|v| v.value.to_lowercase())
        .collect();
    // The words of a short answer ("class 12" as what they need) can be taken back alone;
    // of a long one ("I want coaching for class 12") its numbers.
    let held_words: Vec<String> = held
        .iter()
        .flat_map(|v| {
            let short = v.split_whitespace().count() <= 4;
            normalize(v)
                .split_whitespace()
                .filter(|w| short || w.chars().any(|c| c.is_ascii_digit()))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let held_back = |word: &str| {
        let w = word.to_lowercase();
        let digits = w.chars().all(|c| c.is_ascii_digit());
        // "12" takes back "12th" and "12th" takes back "12"; a lone letter takes back
        // nothing, a lone digit does ("3 weeks not 2").
        (w.chars().count() > 1 || digits)
            && (held.iter().any(|v| *v == w || v.starts_with(&w) && digits)
                || ((w.chars().count() > 2 || digits)
                    && !NOT_TAKEN_BACK.contains(&w.as_str())
                    && held_words.contains(&w))
                || number_of(&w)
                    .is_some_and(|n| held_words.iter().any(|h| number_of(h) == Some(n))))
    };
    let name = s.state.slot_value("name").map(str::to_lowercase);
    let mut words = vec![];
    let mut new_name = None;
    let out = NOT_VALUE.replace_all(text, |c: &regex::Captures| {
        if !held_back(&c[1]) {
            return c[0].to_owned();
        }
        words.push(c[1].to_lowercase());
        let was_name = name.as_deref().and_then(|n| n.split_whitespace().next())
            == Some(c[1].to_lowercase().as_str());
        if was_name {
            let start = c.get(0).map_or(0, |m| m.start());
            let before = text[..start].trim_end().trim_end_matches(',');
            new_name = before
                .split_whitespace()
                .last()
                .and_then(|w| slots::name_answering(w, &|_| false));
        }
        String::new()
    });
    let out = VALUE_NAHI.replace_all(&out, |c: &regex::Captures| {
        if held_back(&c[1]) {
            words.push(c[1].to_lowercase());
            String::new()
        } else {
            c[0].to_owned()
        }
    });
    TakenBack {
        said: out.into_owned(),
        words,
        new_name,
    }
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|baje|o'clock)").expect("regex")
});

/// "10k", "₹5,000", "1.5 lakh" → the number; a lone small number ("2 kids", "5 pm") is
/// no money.
pub fn parse_amount(text: &str) -> Option<f64> {
    slots::amounts_in(text)
        .into_iter()
        .map(|(v, _)| v)
        .find(|v| *v >= 100.0)
}

/// A day and time the lead proposes ("tomorrow 5pm", "kal 11 baje", "Friday 3:30 pm"), read
/// in the business's time zone.
pub fn proposed_time(text: &str, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let norm = normalize(text);
    let local_now = now.with_timezone(&tz);
    let today = local_now.date_naive();
    let time = clock_time(text)?;
    // A bare time is today's if still ahead, else tomorrow's.
    let day = named_day(&norm, today).unwrap_or(if time > local_now.time() {
        today
    } else {
        today + Duration::days(1)
    });
    let at = tz
        .from_local_datetime(&day.and_time(time))
        .earliest()?
        .with_timezone(&Utc);
    (at > now).then_some(at)
}

/// The time a message names on a day agreed before ("11am" for Sunday's visit).
fn proposed_time_on(
    text: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Option<DateTime<Utc>> {
    let at = tz
        .from_local_datetime(&day.and_time(clock_time(text)?))
        .earliest()?
        .with_timezone(&Utc);
    (at > now).then_some(at)
}

/// The day a message names ("tomorrow", "kal", "parso", "Friday"), from the business's today.
fn named_day(norm: &str, today: NaiveDate) -> Option<NaiveDate> {
    let weekdays = [
        (["monday", "somvar", "सोमवार"], Weekday::Mon),
        (["tuesday", "mangalvar", "मंगलवार"], Weekday::Tue),
        (["wednesday", "budhvar", "बुधवार"], Weekday::Wed),
        (["thursday", "guruvar", "गुरुवार"], Weekday::Thu),
        (["friday", "shukravar", "शुक्रवार"], Weekday::Fri),
        (["saturday", "shanivar", "शनिवार"], Weekday::Sat),
        (["sunday", "ravivar", "रविवार"], Weekday::Sun),
    ];
    if has_any(norm, &["day after tomorrow", "parso"]) {
        Some(today + Duration::days(2))
    } else if has_any(norm, &["tomorrow", "tmrw", "kal"]) {
        Some(today + Duration::days(1))
    } else if has_any(norm, &["today", "aaj", "tonight"]) {
        Some(today)
    } else {
        weekdays
            .iter()
            .find(|(names, _)| has_any(norm, names))
            .map(|(_, wd)| {
                let ahead = (wd.num_days_from_monday() as i64
                    - today.weekday().num_days_from_monday() as i64)
                    .rem_euclid(7);
                today + Duration::days(if ahead == 0 { 7 } else { ahead })
            })
    }
}

/// The clock time a message names with its marker ("5pm", "11:30 am", "6 baje"); a time the
/// lead takes back ("not 5pm", "5pm nahi") is skipped.
fn clock_time(text: &str) -> Option<NaiveTime> {
    TIME.captures_iter(text).find_map(|caps| {
        let whole = caps.get(0)?;
        let before = text[..whole.start()].to_lowercase();
        let after = normalize(&text[whole.end()..]);
        if before.trim_end().ends_with("not")
            || before.trim_end().ends_with("instead of")
            || after.starts_with(" nahi ")
            || after.starts_with(" nahin ")
        {
            return None;
        }
        let mut hour: u32 = caps.get(1)?.as_str().parse().ok()?;
        let minute: u32 = caps.get(2).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let marker = caps.get(3)?.as_str().to_lowercase();
        if marker.starts_with('p') && hour < 12 {
            hour += 12;
        } else if marker.starts_with('a') && hour == 12 {
            hour = 0;
        } else if (marker == "baje" || marker == "o'clock") && (1..=7).contains(&hour) {
            // "5 baje" in a sales chat means the afternoon.
            hour += 12;
        }
        NaiveTime::from_hms_opt(hour, minute, 0)
    })
}

static BARE_HOUR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})(?::(\d{2}))?\b").expect("regex"));

/// Words that say when: a time of day, a day, a part of the week.
const WHEN_WORDS: &[&str] = &[
    "morning",
    "mornings",
    "evening",
    "evenings",
    "afternoon",
    "afternoons",
    "night",
    "nights",
    "noon",
    "subah",
    "savere",
    "shaam",
    "sham",
    "raat",
    "dopahar",
    "weekend",
    "weekends",
    "weekday",
    "weekdays",
    "today",
    "tonight",
    "tomorrow",
    "kal",
    "aaj",
    "parso",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mondays",
    "tuesdays",
    "wednesdays",
    "thursdays",
    "fridays",
    "saturdays",
    "sundays",
    "am",
    "pm",
    "baje",
];

/// Words that may stand around a time without saying anything else: "early morning, around
/// 6am", "after office", "shaam ko 7 baje ke baad".
const AROUND_WHEN: &[&str] = &[
    "early",
    "late",
    "in",
    "the",
    "at",
    "around",
    "after",
    "before",
    "by",
    "on",
    "only",
    "mostly",
    "usually",
    "prefer",
    "preferably",
    "i",
    "ko",
    "mein",
    "me",
    "se",
    "tak",
    "ke",
    "baad",
    "pehle",
    "between",
    "and",
    "or",
    "to",
    "ya",
    "aur",
    "office",
    "work",
    "college",
    "school",
    "ok",
    "okay",
    "both",
    "any",
    "anytime",
    "time",
    "best",
    "works",
    "is",
    "better",
    "also",
    "every",
    "daily",
    "everyday",
    "bhi",
    "ka",
    "ki",
    "sirf",
];

/// The message only says when: every word is a time or stands around one ("Morning sir" is a
/// greeting).
fn only_says_when(norm: &str) -> bool {
    let clock = |w: &str| {
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && ["", "am", "pm"].contains(&&w[digits.len()..])
    };
    let words: Vec<&str> = norm.split_whitespace().collect();
    words
        .iter()
        .any(|w| WHEN_WORDS.contains(w) || (clock(w) && w.ends_with('m')))
        && words
            .iter()
            .all(|w| WHEN_WORDS.contains(w) || AROUND_WHEN.contains(w) || clock(w))
}

/// Words that move a booking already made: "instead", "6pm not 5pm", "make it", "kar do".
const MOVES_BOOKING: &[&str] = &[
    "instead",
    "make it",
    "change",
    "reschedule",
    "shift",
    "move",
    "postpone",
    "prepone",
    "rather",
    "can we do",
    "how about",
    "what about",
    "kar do",
    "kar dijiye",
    "kar dena",
    "kar sakte",
    "rakh do",
    "rakhte",
    "badal",
];
/// "6pm not 5pm", "5 baje nahi, 6 baje": a move only when a new time is named ("not free
/// tomorrow" moves nothing).
const TAKES_TIME_BACK: &[&str] = &["not", "nahi", "nahin"];

/// The new time of a booking the lead moves ("6pm not 5pm", "can we make it 6 instead", "kal
/// 6 baje kar do", "Friday instead"): the day named, else the booked one; the time named,
/// else the booked one; a bare hour is read on the booked half of the day (booked at 5 PM,
/// "6" is 6 PM). `None` when the message does not move it, or names the same time.
pub fn moved_booking(
    text: &str,
    booked: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Option<DateTime<Utc>> {
    let norm = normalize(text);
    let moves = has_any(&norm, MOVES_BOOKING);
    if !moves && !has_any(&norm, TAKES_TIME_BACK) {
        return None;
    }
    let booked_local = booked.with_timezone(&tz).naive_local();
    let today = now.with_timezone(&tz).date_naive();
    let day = named_day(&norm, today);
    let time = clock_time(text).or_else(|| {
        let caps = BARE_HOUR.captures(text)?;
        let hour: u32 = caps.get(1)?.as_str().parse().ok()?;
        let minute: u32 = caps.get(2).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let hour = match hour {
            1..=12 => {
                let booked_hour = booked_local.hour() as i64;
                let low = (hour % 12) as i64;
                if (low + 12 - booked_hour).abs() < (low - booked_hour).abs() {
                    low as u32 + 12
                } else {
                    low as u32
                }
            }
            13..=23 => hour,
            _ => return None,
        };
        NaiveTime::from_hms_opt(hour, minute, 0)
    });
    if time.is_none() && (day.is_none() || !moves) {
        return None;
    }
    let local = day
        .unwrap_or(booked_local.date())
        .and_time(time.unwrap_or(booked_local.time()));
    let at = tz
        .from_local_datetime(&local)
        .earliest()?
        .with_timezone(&Utc);
    (at > now && at != booked).then_some(at)
}

pub fn business_tz(snapshot: &Snapshot) -> chrono_tz::Tz {
    snapshot
        .profile
        .business_config
        .timezone
        .parse()
        .unwrap_or(chrono_tz::UTC)
}

/// Everything the new messages say.
pub fn extract(snapshot: &Snapshot) -> Extraction {
    let text = snapshot.new_text();
    let norm = normalize(&text);
    let mut x = Extraction {
        // A tap's text is our own button title, not the lead's words.
        language: if snapshot.new_messages.iter().all(|t| t.reply_id.is_some()) {
            None
        } else {
            language::detect(&text)
        },
        checks_presence: checks_presence(&text),
        ..Default::default()
    };
    if norm.trim().is_empty() {
        // An emoji or punctuation alone ("👍", "..."): heard, nothing said.
        x.filler = only_nods(&text);
        return x;
    }
    let source = snapshot.last_new_message_id().map(str::to_owned);
    let at = snapshot.now;
    let words = norm.split_whitespace().count();

    x.opt_out = has_any(&norm, OPT_OUT)
        || (words <= 3
            && OPT_OUT_ALONE
                .iter()
                .any(|p| norm == *p || norm.starts_with(p)));
    x.wants_human = has_any(&norm, WANTS_HUMAN);
    x.confused = has_any(&norm, CONFUSED) || text.trim().chars().all(|c| c == '?');
    x.payment_failure = has_any(&norm, PAYMENT_FAILURE);
    x.compliance_risk = has_any(&norm, COMPLIANCE);
    x.asks_price = has_any(&norm, PRICE);
    // "price batao", "send me the rate": a request that names the price asks it, as "I want
    // details" (which names nothing) does not.
    x.is_question = asks_a_question(&text) || (x.asks_price && has_any(&norm, REQUESTS));
    x.correction = has_any(&norm, CORRECTION);
    x.references_past = has_any(&norm, REFERENCES_PAST);
    x.renewed_interest = has_any(&norm, RENEWED);
    x.completed = has_any(&norm, COMPLETED);
    let short = words <= 4;
    x.accepts =
        (short && ACCEPT_ALONE.iter().any(|p| norm.starts_with(p))) || has_any(&norm, ACCEPT);
    x.declines =
        has_any(&norm, DECLINE) || (short && DECLINE_ALONE.iter().any(|p| norm.starts_with(p)));
    let tz = business_tz(snapshot);
    x.proposed_time = proposed_time(&text, at, tz);
    let today = at.with_timezone(&tz).date_naive();
    // "11am" answering "what time on Sun 22 Nov?" is on that day.
    if snapshot.state.pending_question.as_deref() == Some("booking_time")
        && let Some(day) = snapshot.state.requested_day
        && named_day(&norm, today).is_none()
    {
        x.proposed_time = proposed_time_on(&text, day, at, tz).or(x.proposed_time);
    }
    // The call booked, or the one the lead asked the team for: "6pm not 5pm" moves either.
    x.moves_booking_to = snapshot
        .state
        .booking
        .as_ref()
        .map(|b| b.at)
        .or(snapshot.state.call_requested)
        .and_then(|booked| moved_booking(&text, booked, at, tz));
    // "Not now", "will think about it": a pause, not a no; never answered with a push. "Call
    // me later at 6" names the time: a booking.
    x.defers = pauses(&norm) && x.proposed_time.is_none();
    x.declines |= x.defers;
    // A failed booking is a complaint, not a request (`payment_failure` takes it).
    let day = named_day(&norm, today);
    let visit = asks_to_come(&text, &norm) && (day.is_some() || x.proposed_time.is_some());
    x.asks_to_book = (has_any(&norm, BOOK_REQUEST) || visit) && !x.payment_failure;
    x.proposed_day = day.filter(|_| x.proposed_time.is_none() && x.asks_to_book);
    x.asks_for = requested_ctas(&norm);
    x.asks_for_link = has_any(&norm, LINK_REQUEST);
    if x.declines {
        x.accepts = false;
        x.asks_to_book = false;
        x.proposed_day = None;
        x.asks_for.clear();
        x.asks_for_link = false;
    }
    // "ok thanks" closes: the "ok" in it is politeness, not the offer's yes.
    x.thanks = only_thanks(&norm);
    if x.thanks {
        x.accepts = false;
    }
    // "hmm", "hmm ok": only nod words, and not the lone "ok" that already means yes.
    x.filler = !x.accepts && !x.declines && !x.thanks && only_nods(&text);
    // A tapped offer button says yes or no in any language.
    if let Some((_, yes)) = snapshot
        .new_messages
        .iter()
        .rev()
        .find_map(|t| t.reply_id.as_deref().and_then(ReplyButton::parse_id))
    {
        x.accepts = yes;
        x.declines = !yes;
    }
    x.objection = snapshot
        .profile
        .sales_rules
        .objection_playbook
        .keys()
        .chain(snapshot.profile.script_library.objection_handlers.keys())
        .find(|key| {
            let cues = objection_cues(key);
            if cues.is_empty() {
                let parts: Vec<&str> = key.split('_').filter(|p| p.len() > 2).collect();
                !parts.is_empty() && parts.iter().all(|p| norm.contains(p))
            } else {
                has_any(&norm, cues)
            }
        })
        .cloned();

    // Mood: the strongest cue wins.
    x.sentiment = Some(
        if has_any(&norm, ANGRY) || (text.contains("!!!") && has_any(&norm, FRUSTRATED)) {
            (Sentiment::Angry, 0.85)
        } else if has_any(&norm, FRUSTRATED) || x.payment_failure || x.confused {
            (Sentiment::Frustrated, 0.75)
        } else if has_any(&norm, VERY_POSITIVE) {
            (Sentiment::VeryPositive, 0.8)
        } else if has_any(&norm, POSITIVE) {
            (Sentiment::Positive, 0.75)
        } else {
            (Sentiment::Neutral, 0.6)
        },
    );

    x.intent = if (x.accepts && snapshot.state.last_cta.is_some()) || has_any(&norm, BUY_NOW) {
        Some(Intent::VeryHigh)
    } else if x.asks_price {
        Some(Intent::High)
    } else if has_any(&norm, LOW_INTENT) || x.declines {
        Some(Intent::Low)
    } else if has_any(&norm, CURIOUS) {
        Some(Intent::Medium)
    } else {
        None
    };

    // Slots: every fact the message holds, whatever we asked; "NEET not JEE" takes JEE back.
    let TakenBack {
        said,
        words: taken_back,
        new_name,
    } = without_taken_back(&text, snapshot);
    x.correction |= !taken_back.is_empty();
    let said_norm = normalize(&said);
    // A day named ("tomorrow 5pm") is a moment to meet, not the lead's usual time.
    x.only_when = words <= 8 && !x.is_question && day.is_none() && only_says_when(&norm);
    x.asks_who_we_are = asks_who_we_are(&norm);
    x.wants_details_of = details_asked(&text, &snapshot.profile.business_config.business_name);
    let reading = slots::Reading {
        text: &said,
        norm: &said_norm,
        is_question: x.is_question,
        correction: x.correction,
        taken_back: &taken_back,
        time_only: x.only_when
            || (words <= 6
                && !x.is_question
                && (x.proposed_time.is_some() || clock_time(&text).is_some())),
        only_when: x.only_when,
        answers_nothing: x.opt_out
            || x.objection.is_some()
            || x.declines
            || x.thanks
            || x.confused
            || PRESENCE_PINGS.contains(&norm.trim()),
    };
    x.slots = slots::read(snapshot, &reading)
        .into_iter()
        .map(|(key, value, confidence)| {
            let obs = Observation {
                value,
                confidence,
                correction: x.correction,
                source_message_id: source.clone(),
                at,
            };
            (key, obs)
        })
        .collect();
    if let Some(name) = new_name {
        x.slots.retain(|(k, _)| k != "name");
        let obs = Observation {
            value: name,
            confidence: 0.9,
            correction: true,
            source_message_id: source.clone(),
            at,
        };
        x.slots.push(("name".into(), obs));
    }

    if has_any(&norm, PROMISE) {
        let what: String = text
            .split(['.', '\n', '!'])
            .find(|s| has_any(&normalize(s), PROMISE))
            .unwrap_or(&text)
            .trim()
            .chars()
            .take(140)
            .collect();
        let due = x.proposed_time.or_else(|| {
            // "by Friday" without a time: the end of that business day.
            let evening = format!("{text} 6pm");
            proposed_time(&evening, at, tz).filter(|_| {
                has_any(
                    &norm,
                    &[
                        "tomorrow",
                        "kal",
                        "today",
                        "aaj",
                        "parso",
                        "monday",
                        "tuesday",
                        "wednesday",
                        "thursday",
                        "friday",
                        "saturday",
                        "sunday",
                        "weekend",
                    ],
                )
            })
        });
        x.commitments.push(Commitment {
            what,
            due,
            source_message_id: source.clone(),
        });
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a request for details names, in the lead's words; nothing when it names only
    /// the business or all it offers.
    #[test]
    fn a_request_for_details_names_what_it_wants() {
        let asked = |t: &str| details_asked(t, "Pathshala Pune");
        assert_eq!(
            asked("Hello, I want details of the NEET repeater batch").as_deref(),
            Some("NEET repeater batch")
        );
        assert_eq!(
            asked("hostel facility ki details bhejo").as_deref(),
            Some("hostel facility")
        );
        assert_eq!(
            asked("Please send info about the bus service?").as_deref(),
            Some("bus service")
        );
        for nothing in [
            "I want details",
            "send me more info please",
            "tell me about your institute",
            "details of your courses",
            "tell me about Pathshala Pune",
        ] {
            assert_eq!(asked(nothing), None, "{nothing}");
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("budget 10k"), Some(10_000.0));
        assert_eq!(parse_amount("around ₹5,000 only"), Some(5_000.0));
        assert_eq!(parse_amount("1.5 lakh"), Some(150_000.0));
        assert_eq!(parse_amount("I have 2 kids"), None);
        assert_eq!(parse_amount("20 hazar"), Some(20_000.0));
        assert_eq!(parse_amount("1.5L"), Some(150_000.0));
        assert_eq!(parse_amount("₹15,000"), Some(15_000.0));
        assert_eq!(parse_amount("do lakh tak"), Some(200_000.0));
        assert_eq!(parse_amount("1.2 Cr"), Some(12_000_000.0));
    }

    #[test]
    fn a_lead_who_asks_whom_they_write_to_is_told() {
        for said in [
            "what is this",
            "Who are you?",
            "hello, aap kaun ho?",
            "ye kya hai",
        ] {
            assert!(asks_who_we_are(&normalize(said)), "{said}");
        }
        for said in ["what is this course fee", "who are your teachers?", "hello"] {
            assert!(!asks_who_we_are(&normalize(said)), "{said}");
        }
    }

    #[test]
    fn a_question_after_ok_is_still_a_question() {
        assert!(asks_a_question("ok what about loan"));
        assert!(asks_a_question("and how much is parking"));
        assert!(asks_a_question("achha kitne floors hain"));
        assert!(!asks_a_question("ok do it"));
        assert!(!asks_a_question("ok will think about it"));
        assert!(!asks_a_question("ok thanks"));
    }

    #[test]
    fn asking_how_long_a_course_runs_is_no_frustration() {
        let frustrated = |t: &str| has_any(&normalize(t), FRUSTRATED);
        assert!(!frustrated("how long is the course"));
        assert!(!frustrated("JEE batch kab tak chalega?"));
        assert!(frustrated("how long do I have to wait for a reply"));
        assert!(frustrated("kab tak wait karu?"));
        assert!(frustrated("still waiting for the details"));
    }

    #[test]
    fn a_number_is_read_with_or_without_its_ordinal() {
        assert_eq!(number_of("12th"), Some(12));
        assert_eq!(number_of("12"), Some(12));
        assert_eq!(number_of("1st"), Some(1));
        assert_eq!(number_of("2bhk"), None);
        assert_eq!(number_of("class"), None);
    }

    #[test]
    fn names() {
        let name = |t: &str| slots::name_in(t, &|_| false);
        assert_eq!(
            name("Hi, my name is rajesh kumar").as_deref(),
            Some("Rajesh Kumar")
        );
        assert_eq!(name("I'm Priya from Pune").as_deref(), Some("Priya"));
        assert_eq!(name("my name is Karan btw").as_deref(), Some("Karan"));
        assert_eq!(name("mera naam Amit hai").as_deref(), Some("Amit"));
        assert_eq!(name("Amit naam hai. JEE ke liye").as_deref(), Some("Amit"));
        assert_eq!(name("main Rohit hun").as_deref(), Some("Rohit"));
        assert_eq!(name("main Rohit").as_deref(), Some("Rohit"));
        assert_eq!(name("mai Priya, 12th mein hu").as_deref(), Some("Priya"));
        // "main" starts a Hindi sentence: what follows is no name.
        assert_eq!(name("main trading seekhna chahta hun"), None);
        assert_eq!(name("main kal aa sakta hu"), None);
        assert_eq!(name("I am interested in the course"), None);
        assert_eq!(
            name("this is useless, I want to talk to a real person"),
            None
        );
        assert_eq!(
            name("this is Neha, I want to join").as_deref(),
            Some("Neha")
        );
        assert_eq!(name("im rahul from delhi").as_deref(), Some("Rahul"));
        assert_eq!(
            name("Name: Rahul Sharma\nClass: 11").as_deref(),
            Some("Rahul Sharma")
        );
        assert_eq!(name("Riya here, NEET aspirant").as_deref(), Some("Riya"));
        assert_eq!(name("Rohan this side").as_deref(), Some("Rohan"));
        assert_eq!(name("myself Aditya, 10th CBSE").as_deref(), Some("Aditya"));
        // Devanagari vowel signs and the virama are part of the name's letters.
        assert_eq!(name("मेरा नाम अमित शर्मा है").as_deref(), Some("अमित शर्मा"));
        assert_eq!(name("मेरा नाम राहुल है").as_deref(), Some("राहुल"));
        assert_eq!(name("mera naam प्रिया है").as_deref(), Some("प्रिया"));
    }

    #[test]
    fn an_answer_to_the_name_question_must_look_like_a_name() {
        let answer = |t: &str| slots::name_answering(t, &|w| w == "kothrud");
        assert_eq!(answer("Sneha Patil").as_deref(), Some("Sneha Patil"));
        assert_eq!(answer("Parth. 11th CBSE").as_deref(), Some("Parth"));
        assert_eq!(answer("अमित शर्मा").as_deref(), Some("अमित शर्मा"));
        for not_a_name in [
            "Class 12, Neet",
            "Hai. Jee",
            "Hello Again",
            "Good morning",
            "Kothrud",
        ] {
            assert_eq!(answer(not_a_name), None, "{not_a_name}");
        }
    }

    #[test]
    fn phones_are_written_in_e164_and_are_nobodys_budget() {
        let tz = "Asia/Kolkata";
        for written in [
            "+91 98765 43210",
            "9876543210",
            "098765 43210",
            "91-98765-43210",
        ] {
            assert_eq!(
                slots::phone_in(written, tz).as_deref(),
                Some("+919876543210"),
                "{written}"
            );
        }
        assert_eq!(slots::phone_in("NEET 2027, fees 1,20,000", tz), None);
        assert_eq!(
            parse_amount(&slots::without_contacts("call 9876543210", tz)),
            None
        );
    }

    #[test]
    fn a_new_time_after_a_booking_moves_it() {
        let tz: chrono_tz::Tz = "Asia/Kolkata".parse().unwrap();
        // Booked Wed 18 Nov 5 PM IST; it is Tue 17 Nov, 10 AM IST.
        let now = DateTime::parse_from_rfc3339("2026-11-17T04:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let booked = DateTime::parse_from_rfc3339("2026-11-18T11:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let six_pm_wed = "2026-11-18T12:30:00+00:00";
        for moved in [
            "6pm not 5pm",
            "not 5pm but 6pm",
            "can we make it 6 instead?",
            "kal 6 baje kar do",
            "5 baje nahi, 6 baje",
            "how about 6?",
        ] {
            let at = moved_booking(moved, booked, now, tz);
            assert_eq!(
                at.map(|a| a.to_rfc3339()).as_deref(),
                Some(six_pm_wed),
                "{moved}"
            );
        }
        let friday = moved_booking("can we do Friday instead", booked, now, tz).unwrap();
        assert_eq!(friday.to_rfc3339(), "2026-11-20T11:30:00+00:00");
        for not_moved in [
            "ok thanks",
            "I am not sure about the fees",
            "not free on Friday",
            "tomorrow 5pm is fine, not a problem",
        ] {
            assert_eq!(
                moved_booking(not_moved, booked, now, tz),
                None,
                "{not_moved}"
            );
        }
    }

    /// "morning" answering "What is your fitness goal?" was filed as the goal: a message that
    /// only says when is a time, whatever was asked.
    #[test]
    fn a_message_that_only_says_when() {
        for when in [
            "morning",
            "Mornings",
            "early morning, around 6am",
            "shaam ko",
            "weekends after 7pm",
            "after office, 7 pm",
        ] {
            assert!(only_says_when(&normalize(when)), "{when}");
        }
        for not in [
            "lose weight in the morning",
            "ok",
            "7",
            "Rahul",
            "good morning",
            "Morning sir",
        ] {
            assert!(!only_says_when(&normalize(not)), "{not}");
        }
    }

    /// "Hi, what is the fees for class 11 batch ji" got the name question: the greeting hid
    /// the question it starts, written without a question mark.
    #[test]
    fn a_question_after_a_greeting_is_a_question() {
        assert!(asks_a_question(
            "Hi, what is the fees for class 11 batch ji"
        ));
        assert!(asks_a_question("sir how long is the course"));
        assert!(asks_a_question("Good evening, do you have weekend batches"));
        assert!(!asks_a_question("Hi, I am Amit"));
        assert!(!asks_a_question("good morning"));
    }

    #[test]
    fn a_thank_you_closes_and_is_no_yes() {
        for closing in [
            "ok thanks",
            "thanks",
            "ok thank you",
            "theek hai thanks",
            "Thank you so much!",
            "ok ji, shukriya",
        ] {
            assert!(only_thanks(&normalize(closing)), "{closing}");
        }
        for other in [
            "ok",
            "yes",
            "haan",
            "sure",
            "sure, thanks",
            "no thanks",
            "thanks, what are the fees?",
        ] {
            assert!(!only_thanks(&normalize(other)), "{other}");
        }
    }

    #[test]
    fn a_lead_who_will_see_pauses_and_a_hmm_says_nothing() {
        let norm = |t: &str| normalize(t);
        for pause in [
            "ok let me see",
            "let me see",
            "dekhta hu",
            "will check",
            "Ok, I'll check",
        ] {
            assert!(pauses(&norm(pause)), "{pause}");
        }
        for nod in ["hmm", "hmm ok", "Hmmm...", "👍", "oh i see"] {
            assert!(only_nods(nod), "{nod}");
        }
        for not_a_nod in ["hmm what are the fees", "?", "hmm, 12th", ""] {
            assert!(!only_nods(not_a_nod), "{not_a_nod}");
        }
        for not_a_pause in ["let me see the brochure", "ok", "yes please"] {
            assert!(!pauses(&norm(not_a_pause)), "{not_a_pause}");
        }
    }

    #[test]
    fn times_in_the_business_zone() {
        let tz: chrono_tz::Tz = "Asia/Kolkata".parse().unwrap();
        // 2026-11-21 10:00 IST.
        let now = DateTime::parse_from_rfc3339("2026-11-21T04:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = proposed_time("tomorrow 5pm works", now, tz).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-22T11:30:00+00:00");
        let at = proposed_time("kal 5 baje", now, tz).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-22T11:30:00+00:00");
        let at = proposed_time("3:30 pm", now, tz).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-21T10:00:00+00:00");
        assert!(proposed_time("sometime next week", now, tz).is_none());
    }
}
