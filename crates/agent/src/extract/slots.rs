//! Facts from what the lead wrote, not from where the answer fell: every slot a message
//! holds is read whatever the agent asked ("Amit naam hai. JEE ke liye, 11th mein hu" is a
//! name, an exam and a class), and an answer to a question only fills that slot when it is
//! the kind of thing the slot holds ("Class 12, Neet" is no name).

use super::{has_any, normalize};
use crate::snapshot::Snapshot;
use closer_domain::contact_points::{Phone, country_of_timezone};
use regex::Regex;
use std::sync::LazyLock;

/// What a slot holds, told by its key and, for a choice, by the owner's own question.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotKind {
    Name,
    Email,
    Phone,
    City,
    Budget,
    /// A school class: "11th", "12th pass".
    Class,
    /// A home's size: "2 BHK".
    Bhk,
    /// One of the answers the owner's question offers ("JEE, NEET or MHT-CET?").
    Choice(Vec<String>),
    /// Whatever the lead answers when asked (a need, a goal): only an answer fills it.
    Free,
}

/// The kind of the checklist slot `key`, whose question (in every language) is `questions`.
pub fn kind_of<'a>(key: &str, questions: impl Iterator<Item = &'a str>) -> SlotKind {
    let words: Vec<&str> = key.split('_').collect();
    let any = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if any(&["name"]) {
        SlotKind::Name
    } else if any(&["email", "mail"]) {
        SlotKind::Email
    } else if any(&["phone", "mobile", "whatsapp", "number", "contact"]) {
        SlotKind::Phone
    } else if any(&["budget"]) {
        SlotKind::Budget
    } else if any(&["class", "grade", "standard", "std"]) {
        SlotKind::Class
    } else if any(&["bhk", "bedroom", "bedrooms", "configuration"]) {
        SlotKind::Bhk
    } else if any(&["city", "town"]) {
        SlotKind::City
    } else {
        let mut choices: Vec<String> = vec![];
        for q in questions {
            for c in choices_in(q) {
                if !choices.iter().any(|k| k.eq_ignore_ascii_case(&c)) {
                    choices.push(c);
                }
            }
        }
        if choices.is_empty() {
            choices = known_choices(&words);
        }
        if !choices.is_empty() {
            SlotKind::Choice(choices)
        } else if any(&["location", "area", "locality", "place"]) {
            SlotKind::City
        } else {
            SlotKind::Free
        }
    }
}

/// What a business usually offers for a slot nobody wrote choices for.
fn known_choices(words: &[&str]) -> Vec<String> {
    let list: &[&str] = if words.contains(&"exam") {
        &["JEE", "NEET", "MHT-CET", "CUET"]
    } else if words.contains(&"board") {
        &["CBSE", "ICSE", "State"]
    } else {
        &[]
    };
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The answers a question offers: "Which board: CBSE, ICSE or State?" → CBSE, ICSE, State.
pub fn choices_in(question: &str) -> Vec<String> {
    let tail = question.rsplit_once(':').map_or(question, |(_, t)| t);
    let tail = tail.trim().trim_end_matches(['?', '.', '!']);
    let mut parts: Vec<&str> = vec![];
    for chunk in tail.split([',', '/']) {
        for p in split_words(chunk, &[" or ", " ya "]) {
            let p = p.trim();
            if !p.is_empty() {
                parts.push(p);
            }
        }
    }
    if parts.len() < 2 {
        return vec![];
    }
    let short = |p: &str| p.split_whitespace().count() <= 2;
    let mut out: Vec<String> = vec![];
    // "Are you preparing for JEE, NEET or MHT-CET?": the first choice ends the lead-in.
    if !short(parts[0]) && parts[1..].iter().all(|p| short(p)) {
        out.extend(parts[0].split_whitespace().last().map(str::to_owned));
    }
    out.extend(parts.iter().filter(|p| short(p)).map(|p| (*p).to_owned()));
    out.retain(|c| !FILLER.contains(&c.to_lowercase().as_str()));
    out
}

/// `text` split at any of `separators` (lower-case words padded with spaces).
fn split_words<'a>(text: &'a str, separators: &[&str]) -> Vec<&'a str> {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return vec![text];
    }
    let mut cuts = vec![];
    for sep in separators {
        cuts.extend(lower.match_indices(sep).map(|(i, _)| (i, sep.len())));
    }
    cuts.sort_unstable();
    let mut out = vec![];
    let mut from = 0;
    for (i, len) in cuts {
        if i >= from {
            out.push(&text[from..i]);
            from = i + len;
        }
    }
    out.push(&text[from..]);
    out
}

/// Words that are never an answer on their own.
const FILLER: &[&str] = &[
    "hai", "hain", "is", "are", "the", "a", "an", "kya", "kaunsa", "kaunsi", "which", "what",
    "other", "others", "any", "koi", "ki", "ka", "ke", "in", "you", "prefer",
];

/// Other ways leads write a choice; each maps to the choice it contains.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "JEE",
        &[
            "iit",
            "iit jee",
            "jee main",
            "jee mains",
            "jee advanced",
            "jee adv",
        ],
    ),
    ("NEET", &["neet ug", "medical entrance"]),
    ("CET", &["mhcet", "mh cet"]),
    ("morning", &["subah", "mornings"]),
    ("evening", &["shaam", "sham", "evenings"]),
    (
        "State",
        &["state board", "ssc", "hsc", "maharashtra board", "msbshse"],
    ),
];

/// The choice the message names, when it names exactly one.
pub fn choice_in(norm: &str, choices: &[String]) -> Option<String> {
    let mut found: Vec<&String> = vec![];
    for c in choices {
        if spellings(c).iter().any(|v| mentions(norm, v)) && !found.contains(&c) {
            found.push(c);
        }
    }
    (found.len() == 1).then(|| found[0].clone())
}

/// "MHT-CET" is also "mht cet", "mhtcet" and "cet"; plus the aliases of what it contains.
fn spellings(choice: &str) -> Vec<String> {
    let norm = normalize(choice).trim().to_owned();
    let mut out = vec![norm.clone(), norm.replace(' ', "")];
    let parts: Vec<&str> = norm.split_whitespace().collect();
    if parts.len() > 1 {
        out.extend(
            parts
                .iter()
                .filter(|p| p.len() >= 3)
                .map(|p| (*p).to_owned()),
        );
    }
    for (canonical, aliases) in ALIASES {
        let c = canonical.to_lowercase();
        if parts.contains(&c.as_str()) || norm == c {
            out.extend(aliases.iter().map(|a| (*a).to_owned()));
        }
    }
    out
}

/// Whether `norm` holds `phrase` as words; "jee" after "haan" is the honorific, not the exam.
fn mentions(norm: &str, phrase: &str) -> bool {
    let padded = format!(" {phrase} ");
    norm.match_indices(&padded).any(|(i, _)| {
        let before = norm[..i].split_whitespace().last().unwrap_or("");
        !(phrase == "jee" && HONORIFIC_BEFORE.contains(&before))
    })
}

const HONORIFIC_BEFORE: &[&str] = &[
    "haan", "han", "ha", "ok", "okay", "theek", "thik", "nahi", "accha", "achha", "sahi", "ji",
];

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("regex"));
static DIGITS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\d[\d \t().-]*\d").expect("regex"));

pub fn email_in(text: &str) -> Option<String> {
    EMAIL.find(text).map(|m| m.as_str().to_lowercase())
}

/// Every phone number written in `text`, in E.164, with where it was written.
pub fn phones_in(text: &str, timezone: &str) -> Vec<(std::ops::Range<usize>, Phone)> {
    let country = country_of_timezone(timezone);
    DIGITS
        .find_iter(text)
        .filter_map(|m| {
            let raw = m.as_str();
            let plus = raw.starts_with('+');
            let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
            let mobile = |d: &str| d.starts_with(['6', '7', '8', '9']);
            let national = match country {
                _ if plus => (10..=15).contains(&digits.len()).then(|| raw.to_owned()),
                Some("IN") => match digits.len() {
                    10 if mobile(&digits) => Some(digits.clone()),
                    11 if digits.starts_with('0') && mobile(&digits[1..]) => Some(digits.clone()),
                    12 if digits.starts_with("91") && mobile(&digits[2..]) => {
                        Some(format!("+{digits}"))
                    }
                    _ => None,
                },
                _ => (8..=12).contains(&digits.len()).then(|| digits.clone()),
            }?;
            let phone = Phone::parse(&national, country).ok()?;
            Some((m.range(), phone))
        })
        .collect()
}

pub fn phone_in(text: &str, timezone: &str) -> Option<String> {
    phones_in(text, timezone)
        .into_iter()
        .next()
        .map(|(_, p)| p.as_str().to_owned())
}

/// `text` without its phone numbers and e-mail addresses: their digits are nobody's money.
pub fn without_contacts(text: &str, timezone: &str) -> String {
    let mut out = text.to_owned();
    let mut spans: Vec<std::ops::Range<usize>> = phones_in(text, timezone)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    spans.extend(EMAIL.find_iter(text).map(|m| m.range()));
    spans.sort_by_key(|r| std::cmp::Reverse(r.start));
    for r in spans {
        out.replace_range(r, " ");
    }
    out
}

static CLASS_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:class|std|standard|grade|kaksha)\s*[:.-]?\s*(\d{1,2}|xii|xi|x|ix|viii)(?:st|nd|rd|th)?\b")
        .expect("regex")
});
static CLASS_ORDINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2}|xii|xi|ix|viii)\s?(?:st|nd|rd|th|vi|vin|veen|wi)\b").expect("regex")
});
static CLASS_HINDI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})\s*वीं|कक्षा\s*(\d{1,2})").expect("regex"));
static TWELFTH_DONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:passed|completed|finished|done)\s+(?:my\s+|the\s+)?12th\b|\b12th\s+(?:pass|passed|done|complete)\b|\bdrop\s+(?:le|liya|year)\b")
        .expect("regex")
});

/// Hindi ordinals leads type in Latin letters.
const CLASS_WORDS: &[(&str, u32)] = &[
    ("gyarahvi", 11),
    ("gyarvi", 11),
    ("gyarahvin", 11),
    ("barahvi", 12),
    ("barvi", 12),
    ("barahvin", 12),
    ("dasvi", 10),
    ("dasvin", 10),
    ("nauvi", 9),
    ("aathvi", 8),
];

fn class_number(raw: &str) -> Option<u32> {
    match raw.to_lowercase().as_str() {
        "xii" => Some(12),
        "xi" => Some(11),
        "x" => Some(10),
        "ix" => Some(9),
        "viii" => Some(8),
        n => n.parse().ok(),
    }
    .filter(|n| (1..=12).contains(n))
}

/// The lead's class: "11th", "class XII", "10vi", "11वीं", "12th pass" for a dropper. A
/// message naming two classes ("11th 12th dono ka") or marks ("92% in 10th") says none.
pub fn class_in(text: &str, norm: &str, answering: bool) -> Option<String> {
    if text.contains('%') || has_any(norm, &["marks", "scored", "percent"]) {
        return None;
    }
    if TWELFTH_DONE.is_match(text) {
        return Some("12th pass".into());
    }
    let mut found: Vec<u32> = vec![];
    let caps = CLASS_NAMED
        .captures_iter(text)
        .chain(CLASS_ORDINAL.captures_iter(text))
        .chain(CLASS_HINDI.captures_iter(text));
    for c in caps {
        let raw = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        found.extend(class_number(raw));
    }
    for (word, n) in CLASS_WORDS {
        if mentions(norm, word) {
            found.push(*n);
        }
    }
    if found.is_empty() && answering {
        // "12" answering "which class?".
        found.extend(norm.split_whitespace().next().and_then(class_number));
    }
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [n] => Some(format!("{n}{}", ordinal_suffix(*n))),
        _ => None,
    }
}

fn ordinal_suffix(n: u32) -> &'static str {
    match n {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    }
}

static BHK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d)\s*-?\s*(?:bhk|bedrooms?|bed\s*rooms?|बीएचके)").expect("regex")
});

/// "2BHK", "3 bhk", "2 बीएचके"; a bare "2" answering "how many bedrooms?".
pub fn bhk_in(text: &str, norm: &str, answering: bool) -> Option<String> {
    let n: u32 = match BHK.captures(text) {
        Some(c) => c.get(1)?.as_str().parse().ok()?,
        None if answering => norm.trim().parse().ok()?,
        None => return None,
    };
    (1..=6).contains(&n).then(|| format!("{n} BHK"))
}

/// Words that are never a person's name, whatever the capitals: greetings, fillers, and the
/// words of a lead's situation. A name is accepted only when it is none of these.
const NOT_A_NAME: &[&str] = &[
    "है",
    "हैं",
    "हूँ",
    "हूं",
    "नमस्ते",
    "मेरा",
    "नाम",
    "hi",
    "hii",
    "hello",
    "helo",
    "hey",
    "hai",
    "namaste",
    "namaskar",
    "good",
    "morning",
    "evening",
    "afternoon",
    "night",
    "again",
    "ok",
    "okay",
    "yes",
    "no",
    "ya",
    "yeah",
    "yep",
    "haan",
    "ha",
    "han",
    "hmm",
    "thanks",
    "thank",
    "you",
    "sir",
    "madam",
    "mam",
    "maam",
    "ji",
    "bhai",
    "bhaiya",
    "didi",
    "dear",
    "please",
    "pls",
    "plz",
    // Chat fillers after a name ("my name is Karan btw").
    "btw",
    "actually",
    "only",
    "sure",
    "fine",
    "done",
    "class",
    "std",
    "standard",
    "grade",
    "board",
    "exam",
    "course",
    "coaching",
    "batch",
    "fees",
    "fee",
    "price",
    "details",
    "detail",
    "info",
    "interested",
    "looking",
    "from",
    "not",
    "a",
    "an",
    "the",
    "in",
    "here",
    "just",
    "also",
    "still",
    "new",
    "student",
    "parent",
    "father",
    "mother",
    "son",
    "daughter",
    "beta",
    "beti",
    "my",
    "me",
    "i",
    "is",
    "am",
    "are",
    "for",
    "and",
    "of",
    "to",
    "it",
    "its",
    "this",
    "that",
    "what",
    "which",
    "who",
    "why",
    "how",
    "when",
    "where",
    "kya",
    "hu",
    "hun",
    "hoon",
    "mein",
    "main",
    "mai",
    "se",
    "ke",
    "ka",
    "ki",
    "ko",
    "aur",
    "bhi",
    "toh",
    "nahi",
    "abhi",
    "sorry",
    "wait",
    "call",
    "number",
    "email",
    "phone",
    "mobile",
    "whatsapp",
    "flat",
    "bhk",
    "plot",
    "villa",
    "rent",
    "buy",
    "site",
    "visit",
    "budget",
    "lakh",
    "crore",
    "ready",
    "busy",
    "very",
    "so",
    "trying",
    "planning",
    "going",
    "thinking",
    "confused",
    "available",
    "calling",
    "working",
    "back",
    "asking",
    "happy",
    "glad",
    "bot",
    "human",
    "beginner",
    "free",
    "there",
    "all",
    "bye",
    "test",
    "demo",
    "need",
    "want",
    "know",
    "your",
    "our",
    "name",
    "naam",
    "mera",
    "meri",
    "mere",
    "humara",
    "science",
    "commerce",
    "arts",
    "pcm",
    "pcb",
    "repeater",
    "dropper",
    "online",
    "offline",
    "weekend",
    "today",
    "tomorrow",
    "kal",
    "aaj",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "single",
    "married",
    "stop",
    "start",
    "resume",
    "with",
    "at",
    "on",
    "by",
    "be",
    "will",
    "can",
    "do",
    "did",
    "have",
    "has",
    "we",
    "he",
    "she",
    "bol",
    "bolta",
    "bolti",
    "raha",
    "rahi",
    "rahe",
    "speaking",
    "aapka",
    "aapki",
    "aapke",
    "apna",
    "apni",
    "tumhara",
    "yeh",
    "woh",
    "kuch",
    "sab",
    "soch",
    "anyone",
    "anybody",
    "someone",
    "somebody",
    "nobody",
    "everyone",
    "everything",
    "worried",
    "tired",
    "sad",
    "angry",
    "upset",
    "excited",
    "unsure",
    "late",
    "alone",
    "old",
    "sick",
    "curious",
    "they",
    "theek",
    "thik",
    "achha",
    "accha",
    "acha",
    "bas",
    "chalo",
    "wala",
    "wali",
];

static NAME_SAID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:my name is|my name's|name is|mera naam|naam)\s+([\p{L}][\p{L}\p{M}'-]*(?:\s+[\p{L}][\p{L}\p{M}'-]*){0,2})")
        .expect("regex")
});
static NAME_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^\s*(?:full\s+|student'?s?\s+)?name\s*[:=-]\s*([^\n,;]+)").expect("regex")
});
static NAME_BEFORE_NAAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b([\p{L}][\p{L}\p{M}'-]*(?:\s+[\p{L}][\p{L}\p{M}'-]*)?)\s+naam\s+(?:hai|he|h)\b",
    )
    .expect("regex")
});
static NAME_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(myself|this is|i am|i'm|im|main|mai)\s+([\p{L}][\p{L}\p{M}'-]*(?:\s+[\p{L}][\p{L}\p{M}'-]*){0,2})")
        .expect("regex")
});
static NAME_HERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[,.!]\s*|\b(?:hi|hello|hey|hii)\s+)(\p{Lu}[\p{L}\p{M}'-]*(?:\s+\p{Lu}[\p{L}\p{M}'-]*)?)\s+(?i:here|this side)\b")
        .expect("regex")
});
static NAME_HINDI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"नाम\s+(\S+(?:\s+\S+)?)\s+(?:है|हैं)").expect("regex"));

/// The name in `text`, if it says one and it looks like one. `not_names` are this business's
/// other answers (a city, an area, an exam): "Kothrud" is a place, not a lead.
pub fn name_in(text: &str, not_names: &dyn Fn(&str) -> bool) -> Option<String> {
    let accept = |raw: &str| as_name(raw, not_names);
    if let Some(name) = NAME_FIELD.captures(text).and_then(|c| accept(&c[1])) {
        return Some(name);
    }
    for re in [&*NAME_SAID, &*NAME_HERE] {
        if let Some(name) = re.captures_iter(text).find_map(|c| accept(&c[1])) {
            return Some(name);
        }
    }
    // "Hi Amit naam hai": the words just before "naam" are the name.
    let before_naam = NAME_BEFORE_NAAM.captures(text).and_then(|c| {
        let words: Vec<&str> = c[1]
            .split_whitespace()
            .skip_while(|w| NOT_A_NAME.contains(&w.to_lowercase().as_str()))
            .collect();
        accept(&words.join(" "))
    });
    if before_naam.is_some() {
        return before_naam;
    }
    if let Some(name) = NAME_HINDI.captures(text).and_then(|c| accept(&c[1])) {
        return Some(name);
    }
    NAME_INTRO.captures_iter(text).find_map(|c| {
        // "this is" and "I am" as often bring an opinion ("this is useless"): there a name
        // needs a capital letter or a message that is little else.
        let opener = c[1].to_lowercase();
        let weak = ["this is", "i am", "i'm", "im", "main", "mai"].contains(&opener.as_str());
        let capital = c[2].chars().next().is_some_and(char::is_uppercase);
        if weak && !capital && text.split_whitespace().count() > 5 {
            return None;
        }
        let name = accept(&c[2])?;
        // Hindi "main" starts any sentence ("main trading seekhna chahta hun"): a name after
        // it is one word, then "hun" or the end of what is said ("main Rohit hun").
        if ["main", "mai"].contains(&opener.as_str()) {
            let first = name.split_whitespace().next()?;
            let after = c[2].split_whitespace().nth(1).map(str::to_lowercase);
            let ends = ["hun", "hu", "hoon", "hoo", "here", "bol", "baat"];
            let said_alone = c[2]
                .split_whitespace()
                .next()
                .is_some_and(|w| w.ends_with([',', '.', '!']));
            return (after.is_none_or(|a| ends.contains(&a.as_str())) || said_alone)
                .then(|| first.to_owned());
        }
        Some(name)
    })
}

/// What follows "Jai" in a salute used as a profile name.
const HAIL: &[&str] = &[
    "shree",
    "shri",
    "sri",
    "siya",
    "mata",
    "maa",
    "hind",
    "bharat",
    "maharashtra",
    "bhim",
    "hanuman",
    "ganesh",
    "ganesha",
    "gurudev",
    "jinendra",
    "shiv",
    "bajrang",
    "श्री",
    "माता",
    "मां",
    "हिंद",
    "भारत",
    "हनुमान",
    "महाराष्ट्र",
];

/// Words WhatsApp profile names use that are no person's name: a phone ("Redmi Note"), a
/// place ("Home"), a relation, a shop, a mood.
const PROFILE_NOT_NAMES: &[&str] = &[
    "home",
    "office",
    "work",
    "mom",
    "mummy",
    "mumma",
    "maa",
    "dad",
    "daddy",
    "papa",
    "bhai",
    "didi",
    "family",
    "redmi",
    "note",
    "samsung",
    "galaxy",
    "iphone",
    "apple",
    "vivo",
    "oppo",
    "realme",
    "poco",
    "oneplus",
    "nokia",
    "moto",
    "motorola",
    "xiaomi",
    "mi",
    "pro",
    "max",
    "plus",
    "lite",
    "android",
    "phone",
    "mobile",
    "user",
    "whatsapp",
    "business",
    "official",
    "admin",
    "shop",
    "store",
    "traders",
    "trader",
    "enterprises",
    "services",
    "solutions",
    "group",
    "team",
    "love",
    "life",
    "king",
    "queen",
    "boss",
    "angel",
    "princess",
    "prince",
    "smile",
    "attitude",
    "unknown",
    "private",
    "number",
    "jio",
    "airtel",
    "god",
    "dream",
    "dreams",
    "lucky",
    "sweet",
    "cute",
    "rockstar",
    "dude",
    "sir",
    "madam",
    "mam",
    "ji",
    // A greeting to a god ("Radhe Radhe") is no name either; see `HAIL` for "Jai …".
    "radhe",
    "mahadev",
    // The same words in Devanagari: its names are names too (see `letter_or_mark`).
    "मम्मी",
    "मम्मा",
    "माँ",
    "मां",
    "पापा",
    "भाई",
    "भैया",
    "दीदी",
    "घर",
    "ऑफिस",
    "मोबाइल",
    "फोन",
    "राधे",
    "महादेव",
];

/// The WhatsApp profile name as the lead's name, when it looks like a real one ("Rahul
/// Sharma", "Rahul S"): one to three words, the first a plausible name, the others names or
/// initials. "🙂", "Home" or "Redmi Note" are no name: the agent asks.
pub fn name_from_profile(profile: &str) -> Option<String> {
    let words: Vec<&str> = profile.split_whitespace().collect();
    (1..=3).contains(&words.len()).then_some(())?;
    // "Jai Shree Ram", "Jai Hind": a salute, though "Jai Sharma" is a name.
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    if ["jai", "jay", "जय"].contains(&lower[0].as_str())
        && lower.get(1).is_some_and(|w| HAIL.contains(&w.as_str()))
    {
        return None;
    }
    let junk = |w: &str| PROFILE_NOT_NAMES.contains(&w.to_lowercase().as_str());
    let initial = |w: &str| {
        let letters: Vec<char> = w.trim_end_matches('.').chars().collect();
        letters.len() == 1 && letters[0].is_alphabetic()
    };
    let first = words[0];
    let named = as_name(first, &|_| false)
        .is_some_and(|n| n.chars().count() == first.chars().count() && !junk(first));
    let rest_fits = words[1..].iter().all(|w| {
        initial(w)
            || as_name(w, &|_| false)
                .is_some_and(|n| n.chars().count() == w.chars().count() && !junk(w))
    });
    (named && rest_fits).then(|| title_case(&words.join(" ")))
}

/// The answer to "May I know your name?": the first words, when they look like a name.
pub fn name_answering(text: &str, not_names: &dyn Fn(&str) -> bool) -> Option<String> {
    let first = text.split(['.', ',', '\n', ';', '!', '?']).next()?.trim();
    let words: Vec<&str> = first
        .split_whitespace()
        .filter(|w| !["hi", "hello", "ji", "sir", "here"].contains(&w.to_lowercase().as_str()))
        .collect();
    (1..=3).contains(&words.len()).then_some(())?;
    let joined = words.join(" ");
    let name = as_name(&joined, not_names)?;
    // Every word must be the name: "Sneha Patil", not "Sneha from Pune".
    (name.split_whitespace().count() == words.len()).then_some(name)
}

/// The lead's own name, when the message is nothing else and it is the name WhatsApp shows
/// for them (all of it, or its first word): "Amit" from "Amit Sharma".
fn says_profile_name(
    s: &Snapshot,
    r: &Reading,
    not_names: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let profile = s.profile_name.as_deref().and_then(name_from_profile)?;
    let said = name_answering(r.text, not_names)?;
    let first = profile.split_whitespace().next()?;
    let bare = r
        .text
        .trim()
        .trim_end_matches(['.', '!'])
        .split_whitespace()
        .count();
    (bare == said.split_whitespace().count()
        && (said.eq_ignore_ascii_case(&profile) || said.eq_ignore_ascii_case(first)))
    .then_some(said)
}

/// The facts of `found` only a person has: a class, an exam, a phone, an e-mail. A place
/// ("Kothrud, Pune") or a flat's size ("Kharadi, 2 BHK") follows a locality as often as a
/// name.
fn personal(kinds: &[(String, SlotKind)], found: &[Found]) -> Vec<Found> {
    found
        .iter()
        .filter(|(k, ..)| {
            is_exam(k)
                || kinds.iter().any(|(key, kind)| {
                    key == k && matches!(kind, SlotKind::Class | SlotKind::Phone | SlotKind::Email)
                })
        })
        .cloned()
        .collect()
}

/// The name that opens a list of facts the message gives: "Priya, 12th, NEET" — a word or
/// two, written as a name is (a capital, not an acronym like "CBSE"), before clauses that
/// told other facts (`found`). Alone, "Priya" unasked could be anything; at the head of the
/// lead's own facts it is who they are.
fn name_heading_a_list(
    text: &str,
    found: &[Found],
    tz: &str,
    not_names: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let clauses: Vec<&str> = text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let (head, rest) = clauses.split_first()?;
    let told = |clause: &str| {
        let norm = normalize(clause);
        found
            .iter()
            .any(|(_, v, _)| mentions(&norm, normalize(v).trim()))
            || class_in(clause, &norm, false).is_some()
            || phone_in(clause, tz).is_some()
            || email_in(clause).is_some()
    };
    if rest.is_empty() || told(head) || !rest.iter().any(|c| told(c)) {
        return None;
    }
    let words: Vec<&str> = head.split_whitespace().collect();
    let written_as_a_name = |w: &str| {
        let mut letters = w.chars().filter(|c| c.is_alphabetic());
        letters.next().is_some_and(char::is_uppercase) && !letters.all(char::is_uppercase)
    };
    ((1..=2).contains(&words.len()) && words.iter().all(|w| written_as_a_name(w)))
        .then(|| name_answering(head, not_names))
        .flatten()
}

/// The leading words of `raw` that look like a name, title-cased; none if the first doesn't.
fn as_name(raw: &str, not_names: &dyn Fn(&str) -> bool) -> Option<String> {
    let mut words: Vec<&str> = vec![];
    for w in raw.split_whitespace().take(3) {
        let w = w.trim_matches(|c: char| !letter_or_mark(c));
        let lower = w.to_lowercase();
        let plausible = (2..=20).contains(&w.chars().count())
            && w.chars().next().is_some_and(char::is_alphabetic)
            && !w.chars().next().is_some_and(is_mark)
            && w.chars()
                .all(|c| letter_or_mark(c) || c == '\'' || c == '-')
            && !NOT_A_NAME.contains(&lower.as_str())
            && !not_names(&lower);
        if !plausible {
            break;
        }
        words.push(w);
    }
    (!words.is_empty()).then(|| title_case(&words.join(" ")))
}

/// A letter, or a mark that is part of one: Devanagari's vowel signs, its virama ("शर्मा")
/// and nukta are marks, as are other scripts' accents.
fn letter_or_mark(c: char) -> bool {
    c.is_alphabetic() || is_mark(c)
}

fn is_mark(c: char) -> bool {
    static MARK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{M}$").expect("regex"));
    !c.is_ascii() && MARK.is_match(c.encode_utf8(&mut [0; 4]))
}

pub fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| {
                    f.to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// Indian cities leads name, longest spelling first where one holds another.
const CITIES: &[&str] = &[
    "Pimpri Chinchwad",
    "Navi Mumbai",
    "New Delhi",
    "Greater Noida",
    "Pune",
    "Mumbai",
    "Thane",
    "Nashik",
    "Nagpur",
    "Aurangabad",
    "Chhatrapati Sambhajinagar",
    "Kolhapur",
    "Satara",
    "Sangli",
    "Solapur",
    "Ahmednagar",
    "Latur",
    "Jalgaon",
    "Amravati",
    "Nanded",
    "Pimpri",
    "Chinchwad",
    "Baramati",
    "Lonavala",
    "Ratnagiri",
    "Akola",
    "Dhule",
    "Wardha",
    "Chandrapur",
    "Delhi",
    "Noida",
    "Gurgaon",
    "Gurugram",
    "Ghaziabad",
    "Faridabad",
    "Bangalore",
    "Bengaluru",
    "Hyderabad",
    "Secunderabad",
    "Chennai",
    "Kolkata",
    "Ahmedabad",
    "Surat",
    "Vadodara",
    "Baroda",
    "Rajkot",
    "Jaipur",
    "Jodhpur",
    "Udaipur",
    "Kota",
    "Lucknow",
    "Kanpur",
    "Indore",
    "Bhopal",
    "Gwalior",
    "Jabalpur",
    "Raipur",
    "Patna",
    "Ranchi",
    "Bhubaneswar",
    "Chandigarh",
    "Ludhiana",
    "Amritsar",
    "Dehradun",
    "Kochi",
    "Cochin",
    "Thiruvananthapuram",
    "Trivandrum",
    "Coimbatore",
    "Madurai",
    "Mysore",
    "Mysuru",
    "Mangalore",
    "Mangaluru",
    "Hubli",
    "Belgaum",
    "Belagavi",
    "Goa",
    "Panaji",
    "Visakhapatnam",
    "Vizag",
    "Vijayawada",
    "Guwahati",
    "Agra",
    "Varanasi",
    "Prayagraj",
    "Allahabad",
    "Meerut",
    "Dubai",
    "Singapore",
    "London",
];

/// Each city as normalized text finds it: " pimpri chinchwad ".
static CITY_NEEDLES: LazyLock<Vec<String>> = LazyLock::new(|| {
    CITIES
        .iter()
        .map(|c| format!(" {} ", c.to_lowercase()))
        .collect()
});

/// Words after "from" that are not places.
const NOT_A_PLACE: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "tomorrow",
    "home",
    "office",
    "work",
    "college",
    "school",
    "instagram",
    "facebook",
    "google",
    "youtube",
    "your",
    "you",
    "the",
    "a",
    "my",
    "next",
    "last",
    "this",
    "there",
    "here",
    "june",
    "july",
    "march",
    "april",
    "may",
    "january",
    "february",
    "august",
    "september",
    "october",
    "november",
    "december",
    "iit",
    "aiims",
    "class",
    "std",
];

static CITY_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b(?:i am from|i'm from|im from|we are from|we're from|i live in|we live in|living in|based in|staying in|located in|relocating from|moving from|shifting from)\s+(\p{Lu}[\p{L}]+(?:\s+\p{Lu}[\p{L}]+)?))|(?:(\p{Lu}[\p{L}]+(?:\s+\p{Lu}[\p{L}]+)?)\s+(?i:se)\s+(?i:hu|hun|hoon|hain|hai|he)\b)")
        .expect("regex")
});

/// The lead's city: named after "I'm from", "based in", "… se hain", or a known city in a
/// statement ("Kothrud, Pune"); never the place they are moving to, nor one they ask about.
pub fn city_in(text: &str) -> Option<(String, f32)> {
    if let Some(c) = CITY_CUE.captures(text) {
        let raw = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        let known = CITIES
            .iter()
            .find(|k| has_any(&normalize(raw), &[&k.to_lowercase()]));
        if let Some(city) = known {
            return Some(((*city).to_owned(), 0.9));
        }
        let first = raw.split_whitespace().next().unwrap_or("").to_lowercase();
        if !NOT_A_PLACE.contains(&first.as_str()) && !NOT_A_NAME.contains(&first.as_str()) {
            return Some((title_case(raw), 0.8));
        }
    }
    text.split_inclusive(['.', '?', '!', '\n'])
        .find_map(|sentence| known_city_in(sentence).map(|c| (c.to_owned(), 0.8)))
}

/// A known city a sentence says the lead is in: a statement, or a question that says where
/// they live ("online bhi padhate ho? hum Satara mein rehte hain").
fn known_city_in(sentence: &str) -> Option<&'static str> {
    let norm = normalize(sentence);
    let mut found: Vec<(usize, &'static str)> = vec![];
    for (city, needle) in CITIES.iter().zip(CITY_NEEDLES.iter()) {
        for (i, _) in norm.match_indices(needle.as_str()) {
            let before: Vec<&str> = norm[..i].split_whitespace().rev().take(2).collect();
            let heading_there = matches!(before.as_slice(), ["to", ..]);
            let inside_longer = found.iter().any(|(j, c)| *j <= i && i < j + c.len() + 1);
            if !heading_there && !inside_longer {
                found.push((i, city));
            }
        }
    }
    found.sort_by_key(|(i, _)| *i);
    let lives = has_any(
        &norm,
        &[
            "we are in",
            "i am in",
            "i m in",
            "rehte",
            "rehti",
            "rehta",
            "live",
            "stay",
        ],
    );
    let asks = sentence.trim_end().ends_with('?') || super::starts_like_a_question(&norm);
    found.first().filter(|_| !asks || lives).map(|(_, c)| *c)
}

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(₹|\brs\.?|\binr)?\s*(\d[\d,]*(?:\.\d+)?)\s*(k|lakhs?|lacs?|l|cr|crores?|thousand|hazaa?r|hajar|hazzar|हज़ार|हजार|लाख|करोड़)?(?:\b|\s|$)\s*(rupees|rs|/-)?")
        .expect("regex")
});

/// Number words leads write before a unit ("do lakh", "bees hazar", "dedh crore").
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("ek", "1"),
    ("one", "1"),
    ("do", "2"),
    ("two", "2"),
    ("teen", "3"),
    ("three", "3"),
    ("char", "4"),
    ("chaar", "4"),
    ("four", "4"),
    ("paanch", "5"),
    ("panch", "5"),
    ("five", "5"),
    ("das", "10"),
    ("ten", "10"),
    ("bees", "20"),
    ("twenty", "20"),
    ("pachas", "50"),
    ("fifty", "50"),
    ("dedh", "1.5"),
    ("dhai", "2.5"),
    ("dhaai", "2.5"),
];
const UNIT_WORDS: &[&str] = &[
    "lakh", "lakhs", "lac", "crore", "cr", "hazar", "hazaar", "thousand", "k",
];

/// `text` with number words before a unit written as digits.
fn digits_for_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_lowercase();
        let unit_next = words.get(i + 1).is_some_and(|n| {
            UNIT_WORDS.contains(
                &n.to_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
            )
        });
        match NUMBER_WORDS.iter().find(|(k, _)| *k == lower) {
            Some((_, d)) if unit_next => out.push(d),
            _ => out.push(w),
        }
    }
    out.join(" ")
}

/// Every amount in `text` ("15k", "20 hazar", "2 lakh", "1.5L", "₹15,000"), in rupees, and
/// whether it was written as money (a currency or a unit) rather than a bare number.
pub fn amounts_in(text: &str) -> Vec<(f64, bool)> {
    let text = digits_for_words(text);
    AMOUNT
        .captures_iter(&text)
        .filter_map(|c| {
            let n: f64 = c.get(2)?.as_str().replace(',', "").parse().ok()?;
            let unit = c.get(3).map(|u| u.as_str().to_lowercase());
            let factor = match unit.as_deref() {
                Some(
                    "k" | "thousand" | "hazar" | "hazaar" | "hajar" | "hazzar" | "हज़ार" | "हजार",
                ) => 1_000.0,
                Some("lakh" | "lakhs" | "lac" | "lacs" | "l" | "लाख") => 100_000.0,
                Some("cr" | "crore" | "crores" | "करोड़") => 10_000_000.0,
                _ => 1.0,
            };
            let marked = c.get(1).is_some() || unit.is_some() || c.get(4).is_some();
            Some((n * factor, marked))
        })
        .collect()
}

/// Words that make an amount the lead's budget.
const BUDGET_CUES: &[&str] = &[
    "budget",
    "afford",
    "spend",
    "kharch",
    "can pay",
    "pay upto",
    "pay up to",
    "invest",
    "limit",
    "max",
    "maximum",
    "upto",
    "up to",
    "tak",
    "within",
    "under",
    "range",
    "de sakte",
    "de sakta",
    "de sakti",
    "de payenge",
];
/// Words that make an amount something else: what they earn, what they scored.
const NOT_BUDGET: &[&str] = &[
    "salary", "income", "earn", "earning", "earnings", "ctc", "package", "kamata", "kamati",
    "kamai", "marks", "score", "scored", "rank", "percent",
];

/// What the caller has already read from the message.
pub struct Reading<'a> {
    pub text: &'a str,
    pub norm: &'a str,
    pub is_question: bool,
    pub correction: bool,
    /// Values the message takes back ("12" in "class 11 not 12"), lower-cased.
    pub taken_back: &'a [String],
    /// The message only gives a time ("tomorrow 5pm", "6pm not 5pm"): when to talk, not what
    /// they need.
    pub time_only: bool,
    /// The message says nothing but when ("morning", "shaam ko"): it answers only a question
    /// about when, and is the lead's preferred time.
    pub only_when: bool,
    /// The message is about something else than our question (an opt-out, an objection, a
    /// "no", confusion, a plain acknowledgement): it answers nothing.
    pub answers_nothing: bool,
}

/// A slot value read from the message, with how sure the reading is.
pub type Found = (String, String, f32);

/// Every slot the message holds: the checklist's, and name, e-mail, phone, city and budget
/// for every business.
pub fn read(s: &Snapshot, r: &Reading) -> Vec<Found> {
    let kinds = slot_kinds(s);
    let pending = s.state.pending_question.as_deref();
    let choices: Vec<String> = kinds
        .iter()
        .filter_map(|(_, k)| match k {
            SlotKind::Choice(c) => Some(c.iter().flat_map(|c| spellings(c))),
            _ => None,
        })
        .flatten()
        .collect();
    let not_names = |w: &str| {
        choices.iter().any(|c| c == w) || CITIES.iter().any(|c| c.eq_ignore_ascii_case(w))
    };
    let tz = &s.profile.business_config.timezone;
    let mut out = vec![];
    // Two slots that both ask what the lead wants (`need`, `interest_category`) mean the
    // same: the answer to one answers the other, which is then not asked again.
    let pending_wants = pending.is_some_and(|p| {
        asks_what_they_want(p)
            && kinds
                .iter()
                .any(|(k, kind)| k == p && *kind == SlotKind::Free)
    });
    let mut free: Vec<(&String, bool)> = vec![];
    for (key, kind) in &kinds {
        let same_meaning = pending_wants
            && *kind == SlotKind::Free
            && asks_what_they_want(key)
            && !s.state.slots.contains_key(key);
        // "morning" answers "when do you work out?", never "what is your goal?".
        let asked = (pending == Some(key.as_str()) || same_meaning)
            && !r.answers_nothing
            && !r.is_question
            && (!r.only_when || is_about_time(key));
        let found = match kind {
            SlotKind::Name => name_in(r.text, &not_names).map(|n| (n, 0.9)).or_else(|| {
                asked
                    .then(|| name_answering(r.text, &not_names))
                    .flatten()
                    .map(|n| (n, 0.85))
            }),
            SlotKind::Email => email_in(r.text).map(|e| (e, 0.95)),
            SlotKind::Phone => phone_in(r.text, tz).map(|p| (p, 0.95)),
            SlotKind::City => city_in(r.text).or_else(|| {
                asked
                    .then(|| name_answering(r.text, &|_| false))
                    .flatten()
                    .map(|c| (c, 0.8))
            }),
            SlotKind::Budget => budget_in(s, r, key, asked),
            SlotKind::Class => class_in(r.text, r.norm, asked).map(|c| (c, 0.9)),
            SlotKind::Bhk => bhk_in(r.text, r.norm, asked).map(|b| (b, 0.9)),
            // "What time do you open in the morning?" asks about the business: a time the
            // lead prefers is one they say, not one they ask about.
            SlotKind::Choice(c) if is_about_time(key) => {
                choice_in(&normalize(&told(r.text)), c).map(|c| (c, 0.9))
            }
            SlotKind::Choice(c) => choice_in(r.norm, c).map(|c| (c, 0.9)),
            // Read below, once the facts this message corrects are known.
            SlotKind::Free => {
                free.push((key, asked));
                None
            }
        };
        if let Some((value, confidence)) = found {
            out.push((key.clone(), value, confidence));
        }
    }
    // "Priya, 12th, NEET": a list of facts about the lead opens with their name.
    if let Some((key, _)) = kinds.iter().find(|(_, k)| *k == SlotKind::Name)
        && !out.iter().any(|(k, ..)| k == key)
        && !r.answers_nothing
        && let Some(name) = name_heading_a_list(r.text, &personal(&kinds, &out), tz, &|w| {
            // "Kothrud, 12th": a place the business itself names is no lead's name.
            not_names(w)
                || s.knowledge
                    .iter()
                    .any(|k| mentions(&normalize(&k.content), w))
        })
    {
        out.push((key.clone(), name, 0.8));
    }
    // "Amit" from a lead WhatsApp shows as "Amit Sharma", whatever we asked last: the lead
    // told us their name, not what they want.
    let says_own_name = says_profile_name(s, r, &not_names);
    if let Some(name) = &says_own_name
        && let Some((key, _)) = kinds.iter().find(|(_, k)| *k == SlotKind::Name)
        && !out.iter().any(|(k, ..)| k == key)
    {
        out.push((key.clone(), name.clone(), 0.9));
    }
    // "Sorry, I meant class 11 not 12" fixes an old answer: it answers none of our questions,
    // and it changes a free answer only where that answer held what it takes back.
    let fixes_old = r.correction
        && (!r.taken_back.is_empty()
            || out
                .iter()
                .any(|(k, v, _)| s.state.slot_value(k).is_some_and(|old| old != v)));
    // The exam they prepare for is what a coaching lead wants: "JEE" in "Sneha naam hai,
    // 12th mein hu, JEE" fills the need, which is then not asked.
    let exam = out
        .iter()
        .find(|(k, ..)| is_exam(k))
        .map(|(_, v, _)| v.clone());
    for (key, asked) in free.into_iter().filter(|_| says_own_name.is_none()) {
        let wants = asks_what_they_want(key) && !s.state.slots.contains_key(key);
        let found = if fixes_old {
            corrected_free(s, key, r).map(|a| (a, 0.8))
        } else {
            // What they want, said unasked ("interested in options trading") fills the
            // slots that ask for it, so the agent does not ask again.
            (asked && (!r.time_only || asks_when(key)))
                .then(
                    || match untold(tz, r, &kinds, &out, asks_what_they_want(key)) {
                        // The answer told other facts too: only the rest answers our question.
                        Some(rest) => {
                            wanted_in_clause(&rest).or(Some(rest).filter(|t| !t.is_empty()))
                        }
                        None => free_answer(r),
                    },
                )
                .flatten()
                .map(|a| (a, 0.75))
                .or_else(|| wants.then(|| wanted_in(r)).flatten().map(|a| (a, 0.75)))
                .or_else(|| {
                    wants
                        .then(|| asked_about(r.text))
                        .flatten()
                        .map(|a| (a, 0.7))
                })
                .or_else(|| wants.then(|| exam.clone()).flatten().map(|a| (a, 0.7)))
        };
        if let Some((value, confidence)) = found {
            out.push((key.clone(), value, confidence));
        }
    }
    if r.only_when {
        out.extend(preferred_time(s, &kinds, &out, r));
    }
    out
}

/// Where a message that only says when goes, when no slot took it yet: the checklist's
/// free-text time (`workout_time`, `preferred_slot`), else the lead's preferred time, kept as
/// a fact for the team. A time the checklist's choices name ("morning or evening?") was read
/// as that choice already.
fn preferred_time(
    s: &Snapshot,
    kinds: &[(String, SlotKind)],
    read: &[Found],
    r: &Reading,
) -> Option<Found> {
    // Said unasked, or to the name question that follows our greeting, "morning" is more
    // likely a greeting than a time.
    let greets = s.state.pending_question.as_deref().is_none_or(|p| {
        kinds
            .iter()
            .any(|(k, kind)| k == p && *kind == SlotKind::Name)
    });
    if greets || read.iter().any(|(k, ..)| is_about_time(k)) {
        return None;
    }
    let said = r.text.trim().trim_end_matches(['.', '!']).trim();
    let free = kinds.iter().find(|(k, kind)| {
        prefers_a_time(k) && *kind == SlotKind::Free && !s.state.slots.contains_key(k)
    });
    let key = match free {
        Some((k, _)) => k.clone(),
        None => PREFERRED_TIME.to_owned(),
    };
    Some((key, said.chars().take(60).collect(), 0.75))
}

/// The sentences of `text` that ask nothing.
fn told(text: &str) -> String {
    crate::guardrails::sentences(text)
        .into_iter()
        .filter(|s| !crate::extract::asks_a_question(s))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fact a lead's preferred time is kept as when the checklist has no place for it.
pub const PREFERRED_TIME: &str = "preferred_time";

/// A slot that holds when the lead prefers to come or talk (`workout_time`, `batch_timing`,
/// `preferred_slot`), not when they start (`timeline`).
fn prefers_a_time(key: &str) -> bool {
    key == PREFERRED_TIME
        || key.split('_').any(|w| {
            [
                "time", "timing", "timings", "slot", "slots", "shift", "schedule",
            ]
            .contains(&w)
        })
}

/// A slot a time answers: a preferred time or a time to start.
pub fn is_about_time(key: &str) -> bool {
    prefers_a_time(key) || asks_when(key)
}

static CORRECTION_PREAMBLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\s|[,.!:-]|sorry|oops|no|actually|correction|i\s+meant|i\s+mean|meant|it'?s|it\s+is|make\s+it|for)+\b")
        .expect("regex")
});

/// The new free answer of a message that takes back a word of the held one: "class 12" as
/// what they need, then "sorry, I meant for class 11 not 12" — "class 11".
fn corrected_free(s: &Snapshot, key: &str, r: &Reading) -> Option<String> {
    let held = normalize(s.state.slot_value(key)?);
    let number = crate::extract::number_of;
    r.taken_back
        .iter()
        .any(|w| {
            held.split_whitespace()
                .any(|h| h == w || number(h).is_some_and(|n| number(w) == Some(n)))
        })
        .then_some(())?;
    let said = CORRECTION_PREAMBLE.replace(r.text.trim(), "");
    let said = said.trim().trim_end_matches([',', '.', '!']).trim();
    if said.is_empty() {
        return None;
    }
    // A long answer keeps its words, the one taken back replaced: "I want coaching for
    // class 12", then "I meant class 11 not 12" — "I want coaching for class 11".
    let old = s.state.slot_value(key)?;
    if let Some(fixed) = replaced_in(old, r.taken_back, said) {
        return Some(fixed);
    }
    Some(said.chars().take(120).collect())
}

/// `old` with its word taken back replaced by the word of `said` written like it (a number
/// for a number), when `said` holds exactly one such word `old` does not.
fn replaced_in(old: &str, taken_back: &[String], said: &str) -> Option<String> {
    let digits = |w: &str| w.chars().any(|c| c.is_ascii_digit());
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let old_words: Vec<&str> = old.split_whitespace().collect();
    // "12th" takes back the "12" of "class 12 ke liye".
    let number = crate::extract::number_of;
    let same = |w: &str, t: &str| w == t || number(w).is_some_and(|n| number(t) == Some(n));
    let at = old_words
        .iter()
        .position(|w| taken_back.iter().any(|t| same(&bare(w), t)))?;
    let was = bare(old_words[at]);
    // The new word as the lead wrote it ("NEET"), a number for a number.
    let new: Vec<&str> = said
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && digits(w) == digits(&was))
        .filter(|w| !old_words.iter().any(|o| bare(o) == bare(w)))
        .collect();
    let [new] = new.as_slice() else {
        return None;
    };
    let mut words: Vec<String> = old_words.iter().map(|w| (*w).to_owned()).collect();
    // Only the word itself changes: "12," stays followed by its comma.
    let written = old_words[at].trim_matches(|c: char| !c.is_alphanumeric());
    words[at] = old_words[at].replacen(written, new, 1);
    Some(words.join(" "))
}

/// The checklist's slots with their kinds, then the facts every lead may tell.
pub fn slot_kinds(s: &Snapshot) -> Vec<(String, SlotKind)> {
    let lib = &s.profile.script_library.qualification;
    let mut kinds: Vec<(String, SlotKind)> = s
        .profile
        .sales_rules
        .qualification_checklist
        .iter()
        .map(|(key, _)| {
            let questions = lib.get(key).map(script_texts).unwrap_or_default();
            (
                key.clone(),
                kind_of(key, questions.iter().map(String::as_str)),
            )
        })
        .collect();
    let always = [
        ("name", SlotKind::Name),
        ("email", SlotKind::Email),
        ("phone", SlotKind::Phone),
        ("city", SlotKind::City),
        ("budget", SlotKind::Budget),
    ];
    for (key, kind) in always {
        if !kinds.iter().any(|(_, k)| *k == kind) {
            kinds.push((key.to_owned(), kind));
        }
    }
    // A coaching institute set up with the wizard's own checklist (name, what they want,
    // when) still hears "12th mein hu, JEE": the class and the exam are facts its leads tell
    // unasked, kept for the team and never asked.
    if teaches(s, &kinds) {
        if !kinds.iter().any(|(_, k)| *k == SlotKind::Class) {
            kinds.push((CLASS.to_owned(), SlotKind::Class));
        }
        if !kinds.iter().any(|(k, _)| is_exam(k)) {
            kinds.push((EXAM.to_owned(), SlotKind::Choice(known_choices(&[EXAM]))));
        }
    }
    kinds
}

/// The facts a school lead tells, kept under these keys when the checklist has none.
const CLASS: &str = "class";
const EXAM: &str = "exam";

/// A slot that holds the exam the lead prepares for (`exam`, `target_exam`).
fn is_exam(key: &str) -> bool {
    key.split('_').any(|w| w == EXAM || w == "exams")
}

/// A business that prepares school students for their exams: its checklist asks a class or
/// an exam, or what it tells leads (its knowledge, offer, prices) names an entrance exam.
/// A gym's "zumba classes" or a flat "on the 12th floor" make none.
fn teaches(s: &Snapshot, kinds: &[(String, SlotKind)]) -> bool {
    if kinds
        .iter()
        .any(|(k, kind)| *kind == SlotKind::Class || is_exam(k))
    {
        return true;
    }
    let exams = known_choices(&[EXAM]);
    let names_an_exam = |text: &str| {
        let norm = normalize(text);
        exams
            .iter()
            .any(|e| spellings(e).iter().any(|v| mentions(&norm, v)))
    };
    let c = &s.profile.business_config;
    names_an_exam(&c.offer_summary)
        || names_an_exam(&c.pricing_summary)
        || s.knowledge
            .iter()
            .any(|k| names_an_exam(&k.title) || names_an_exam(&k.content))
}

fn script_texts(s: &crate::profile::Script) -> Vec<String> {
    match s {
        crate::profile::Script::One(t) => vec![t.clone()],
        crate::profile::Script::PerLanguage(m) => m.values().cloned().collect(),
    }
}

/// The lead's budget: an amount they say they can spend, or the amount answering our budget
/// question; a salary, a score or a phone number is never one.
fn budget_in(s: &Snapshot, r: &Reading, key: &str, asked: bool) -> Option<(String, f32)> {
    let clean = without_contacts(r.text, &s.profile.business_config.timezone);
    let amounts = amounts_in(&clean);
    let cue = has_any(r.norm, BUDGET_CUES);
    let counter = has_any(r.norm, NOT_BUDGET) || r.text.contains('%');
    let corrects = r.correction && s.state.slots.contains_key(key);
    let big = |(v, _): &&(f64, bool)| *v >= 100.0;
    let marked = amounts.iter().filter(big).find(|(_, m)| *m);
    let (value, confidence) = if (cue && !counter) || asked || corrects {
        (marked.or_else(|| amounts.iter().find(big))?.0, 0.9)
    } else if !counter && !r.is_question {
        // "2BHK Baner 1.2 Cr": money, said unprompted, is likely the budget; confirmed
        // before an offer.
        (marked.filter(|(v, _)| *v >= 1_000.0)?.0, 0.5)
    } else {
        return None;
    };
    Some((format!("{value}"), confidence))
}

/// Replies that acknowledge rather than answer ("sounds good" is nobody's need).
const ACKNOWLEDGEMENTS: &[&str] = &[
    "ok",
    "okay",
    "sure",
    "sounds good",
    "yes",
    "yeah",
    "no",
    "nope",
    "hmm",
    "thanks",
    "thank you",
    "fine",
    "cool",
    "great",
    "haan",
    "theek hai",
    "thik hai",
    "accha",
    "achha",
    "acha",
    "hi",
    "hello",
    "hey",
    "hii",
    "namaste",
    "start",
    "stop",
    "resume",
];

/// Key words of a free-text slot that holds what the lead wants: `need`, `interest_category`,
/// `course`, `requirement`.
const WANT_SLOT_WORDS: &[&str] = &[
    "need",
    "needs",
    "interest",
    "interests",
    "interested",
    "looking",
    "requirement",
    "requirements",
    "course",
    "courses",
    "program",
    "programme",
    "category",
    "subject",
    "subjects",
    "service",
    "services",
    "product",
    "products",
    "topic",
    "want",
    "wants",
];

/// A free-text slot that holds a time (`timeline`, `start_date`): a time answers it.
fn asks_when(key: &str) -> bool {
    key.split('_').any(|w| {
        [
            "time", "timeline", "when", "start", "date", "day", "schedule", "timing", "urgency",
        ]
        .contains(&w)
    })
}

fn asks_what_they_want(key: &str) -> bool {
    key.split('_').any(|w| WANT_SLOT_WORDS.contains(&w))
}

/// Phrases after which the lead names what they want ("looking for a weekend batch").
const WANT_CUES: &[&str] = &[
    "interested in",
    "interest in",
    "looking for",
    "want to learn",
    "wanted to learn",
    "want to join",
    "i want",
    "i need",
    "we want",
    "we need",
];

/// What may follow "I want" / "I need" without naming a want: "I want to know the fees" asks.
const NOT_A_WANT_AFTER: &[&str] = &["to", "you", "your", "it", "this", "that", "more"];
/// Words before "ke liye" that say for whom or when, not what ("mere bete ke liye").
const NOT_WANTS: &[&str] = &[
    "mere", "mera", "meri", "apne", "apni", "bete", "beti", "beta", "bachhe", "bacche", "bachche",
    "kal", "aaj", "abhi", "is", "iss", "us", "uss", "kis", "kiske", "kya", "call", "demo",
];

/// What the lead says they want, in a sentence that is not a question: the words after
/// "interested in" / "looking for", or before "ke liye" ("options trading ke liye").
fn wanted_in(r: &Reading) -> Option<String> {
    // "3 BHK in Baner under 1.2 Cr": a decimal point ends no sentence. It is held as a
    // one-dot leader while the text is cut, and given back after.
    let text = DECIMAL_POINT.replace_all(r.text, "${1}\u{2024}${2}");
    text.split_inclusive(['.', '!', '?', '\n'])
        .filter(|sentence| !sentence.trim_end().ends_with('?'))
        .flat_map(|sentence| sentence.split([',', ';', '.', '!', '\n']))
        .find_map(wanted_in_clause)
        .map(|w| w.replace('\u{2024}', "."))
}

static DECIMAL_POINT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d)\.(\d)").expect("regex"));

fn wanted_in_clause(clause: &str) -> Option<String> {
    let words: Vec<&str> = clause.split_whitespace().collect();
    let lower: Vec<String> = words
        .iter()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    let after = WANT_CUES.iter().find_map(|cue| {
        let cue: Vec<&str> = cue.split(' ').collect();
        (0..lower.len().saturating_sub(cue.len() - 1))
            .find(|&i| {
                lower[i..i + cue.len()]
                    .iter()
                    .zip(&cue)
                    .all(|(a, b)| a == b)
            })
            .map(|i| &words[i + cue.len()..])
            .filter(|rest| {
                let next = rest.first().map(|w| w.to_lowercase());
                next.is_some_and(|w| !NOT_A_WANT_AFTER.contains(&w.as_str()))
            })
    });
    let wanted: Vec<&str> = match after {
        Some(rest) => rest.iter().take(8).copied().collect(),
        None => {
            let at = lower
                .windows(2)
                .position(|w| w[0] == "ke" && w[1] == "liye")?;
            let before = &words[at.saturating_sub(4)..at];
            if before
                .iter()
                .any(|w| NOT_WANTS.contains(&w.to_lowercase().as_str()))
            {
                return None;
            }
            before.to_vec()
        }
    };
    let text = wanted.join(" ");
    let text = text.trim_matches(|c: char| !c.is_alphanumeric()).trim();
    // "I want details of the NEET repeater batch" wants the batch.
    let text = [
        "details of ",
        "details about ",
        "information about ",
        "info about ",
    ]
    .iter()
    .find_map(|cue| {
        text.get(..cue.len())
            .filter(|head| head.eq_ignore_ascii_case(cue))
            .and_then(|_| text.get(cue.len()..))
            .map(without_article)
    })
    .unwrap_or(text);
    (!text.is_empty()).then(|| text.to_owned())
}

/// A free-text answer to our question: the words themselves, when they are an answer.
fn free_answer(r: &Reading) -> Option<String> {
    answer_in(r.text, r.norm)
}

fn answer_in(text: &str, norm: &str) -> Option<String> {
    let words = norm.split_whitespace().count();
    if words == 0 || (has_any(norm, ACKNOWLEDGEMENTS) && words <= 3) {
        return None;
    }
    Some(text.trim().chars().take(120).collect())
}

/// What the message says besides the facts about the lead read from it (`found`: a name, a
/// class, a phone, a city, an amount): "Sneha naam hai, 12th mein hu, JEE" told a name and a
/// class, and "JEE" is left; "Mera naam Rahul hai, 11th" leaves nothing (empty). `None`
/// when the message told no such fact: all of it is the answer. A free-text slot asked
/// for takes only the rest, never the whole message.
/// `choices_answer`: whether a choice told (the exam) may still answer the question — it says
/// what a lead wants, never when they start.
fn untold(
    tz: &str,
    r: &Reading,
    kinds: &[(String, SlotKind)],
    found: &[Found],
    choices_answer: bool,
) -> Option<String> {
    let about_the_lead: Vec<(&SlotKind, &str)> = found
        .iter()
        .filter_map(|(k, v, _)| {
            let kind = kinds
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, kind)| kind)?;
            let kept = match kind {
                SlotKind::Free => true,
                SlotKind::Choice(_) => choices_answer,
                _ => false,
            };
            (!kept).then_some((kind, v.as_str()))
        })
        .collect();
    if about_the_lead.is_empty() {
        return None;
    }
    let rest: Vec<&str> = r
        .text
        .split([',', ';', '.', '!', '?', '\n'])
        .map(str::trim)
        .filter(|clause| {
            let norm = normalize(clause);
            !about_the_lead
                .iter()
                .any(|(kind, value)| tells(clause, &norm, kind, value, tz))
        })
        .map(without_label)
        .filter(|clause| answer_in(clause, &normalize(clause)).is_some())
        .collect();
    Some(rest.join(", "))
}

/// A form's field without its label: "Exam: JEE" says "JEE".
fn without_label(clause: &str) -> &str {
    let clause = clause.trim();
    match clause.split_once(':') {
        Some((label, value))
            if !value.trim().is_empty()
                && (1..=2).contains(&label.split_whitespace().count())
                && label.chars().all(|c| c.is_alphabetic() || c == ' ') =>
        {
            value.trim()
        }
        _ => clause,
    }
}

/// Whether `clause` tells the fact `value` of `kind`.
fn tells(clause: &str, norm: &str, kind: &SlotKind, value: &str, tz: &str) -> bool {
    match kind {
        SlotKind::Class => class_in(clause, norm, false).is_some(),
        SlotKind::Bhk => bhk_in(clause, norm, false).is_some(),
        SlotKind::Phone => phone_in(clause, tz).is_some(),
        SlotKind::Email => email_in(clause).is_some(),
        SlotKind::Budget => amounts_in(&without_contacts(clause, tz))
            .iter()
            .any(|(a, _)| format!("{a}") == value),
        _ => mentions(norm, normalize(value).trim()),
    }
}

/// Questions that ask whether the business has a thing, or for its details: "Do you have
/// weekend batches for JEE?", "details of the repeater batch".
const ASKS_ABOUT: &[&str] = &[
    "do you have",
    "do you offer",
    "do you run",
    "do you provide",
    "do you teach",
    "is there",
    "are there",
    "details of",
    "details about",
    "details for",
    "information about",
    "info about",
    "tell me about",
    "know about",
    "know more about",
];

/// Words that name something a business sells (a batch, a course, a flat), not a policy or a
/// payment ("Do you have EMI?" asks how to pay, not what they want).
const OFFERINGS: &[&str] = &[
    "batch",
    "batches",
    "course",
    "courses",
    "class",
    "classes",
    "program",
    "programs",
    "programme",
    "programmes",
    "coaching",
    "tuition",
    "membership",
    "memberships",
    "flat",
    "flats",
    "apartment",
    "apartments",
    "villa",
    "villas",
    "plot",
    "plots",
    "bhk",
];

/// What the lead's question asks the business to have, when it names an offering: "Do you
/// have weekend batches for JEE?" wants "weekend batches for JEE"; the agent answers it and
/// does not then ask what they are looking for.
fn asked_about(text: &str) -> Option<String> {
    text.split_inclusive(['.', '!', '?', '\n'])
        .find_map(|sentence| {
            let sentence = sentence.trim().trim_end_matches(['?', '.', '!']).trim();
            let lower = sentence.to_lowercase();
            if lower.len() != sentence.len() {
                return None;
            }
            let at = ASKS_ABOUT.iter().find_map(|cue| {
                lower
                    .match_indices(cue)
                    .find(|(i, _)| *i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric())
                    .map(|(i, _)| i + cue.len())
            })?;
            let rest = sentence
                .get(at..)?
                .trim_start_matches(|c: char| !c.is_alphanumeric());
            let rest = without_article(rest);
            let norm = normalize(rest);
            let words = norm.split_whitespace().count();
            // A demo or a trial is a step towards buying, not what they buy.
            let offering = OFFERINGS.iter().any(|o| mentions(&norm, o))
                && !has_any(&norm, &["demo", "trial", "free"]);
            ((1..=8).contains(&words) && offering).then(|| rest.to_owned())
        })
}

/// What the lead wants, known from the business's answer to their question: "weekend pe
/// classes hoti hai kya?" answered from the entry "Do you have weekend batches?" wants
/// weekend batches. Each empty free-text slot of the checklist that asks what they want,
/// with the offering the first answering entry's question names (`answered`: those
/// questions); none for an entry about a policy or a payment.
pub fn wanted_from_answer(
    s: &Snapshot,
    filled: &dyn Fn(&str) -> bool,
    answered: &[&str],
) -> Vec<(String, String)> {
    let Some(wanted) = answered.iter().find_map(|q| asked_about(q)) else {
        return vec![];
    };
    slot_kinds(s)
        .into_iter()
        .filter(|(k, kind)| *kind == SlotKind::Free && asks_what_they_want(k) && !filled(k))
        .map(|(k, _)| (k, wanted.clone()))
        .collect()
}

/// "the NEET repeater batch" is the NEET repeater batch.
fn without_article(text: &str) -> &str {
    let text = text.trim();
    for a in ["the ", "a ", "an ", "your ", "any "] {
        if let (Some(head), Some(rest)) = (text.get(..a.len()), text.get(a.len()..))
            && head.eq_ignore_ascii_case(a)
            && !rest.trim().is_empty()
        {
            return rest.trim_start();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owners_question_gives_the_choices() {
        assert_eq!(
            choices_in("Are you preparing for JEE, NEET or MHT-CET?"),
            ["JEE", "NEET", "MHT-CET"]
        );
        assert_eq!(
            choices_in("Aapka board kaunsa hai: CBSE, ICSE ya State?"),
            ["CBSE", "ICSE", "State"]
        );
        assert!(choices_in("Which class are you in?").is_empty());
        let exams = choices_in("JEE, NEET ya MHT-CET, kiski taiyari hai?");
        assert_eq!(exams, ["JEE", "NEET", "MHT-CET"]);
        let read = |t: &str| choice_in(&normalize(t), &exams);
        assert_eq!(read("CET ki coaching hai kya?").as_deref(), Some("MHT-CET"));
        assert_eq!(read("IIT ki taiyari").as_deref(), Some("JEE"));
        assert_eq!(read("haan jee, theek hai"), None, "the honorific");
        assert_eq!(read("JEE or NEET, not sure"), None, "two choices name none");
    }

    #[test]
    fn what_the_lead_wants_is_read_where_they_say_it() {
        let wanted = |text: &str| {
            let norm = normalize(text);
            let r = Reading {
                text,
                norm: &norm,
                is_question: text.contains('?'),
                correction: false,
                taken_back: &[],
                time_only: false,
                only_when: false,
                answers_nothing: false,
            };
            wanted_in(&r)
        };
        assert_eq!(
            wanted("Hi I'm Ravi, interested in options trading").as_deref(),
            Some("options trading")
        );
        assert_eq!(
            wanted("Looking for a weekend batch for my son.").as_deref(),
            Some("a weekend batch for my son")
        );
        assert_eq!(
            wanted("Amit here. Options trading ke liye").as_deref(),
            Some("Options trading")
        );
        assert_eq!(
            wanted("Hello, I want coaching for class 12").as_deref(),
            Some("coaching for class 12")
        );
        assert_eq!(
            wanted("We need a 2 BHK in Kharadi").as_deref(),
            Some("a 2 BHK in Kharadi")
        );
        assert_eq!(
            wanted("I am looking for 3 BHK in Baner under 1.2 Cr").as_deref(),
            Some("3 BHK in Baner under 1.2 Cr")
        );
        assert_eq!(wanted("I want to know the fees"), None);
        assert_eq!(wanted("I need more time"), None);
        assert_eq!(wanted("mere bete ke liye coaching chahiye"), None);
        assert_eq!(wanted("Are you looking for students?"), None);
        assert_eq!(wanted("Hi, what are the fees?"), None);
        assert!(asks_what_they_want("interest_category"));
        assert!(asks_what_they_want("need"));
        assert!(!asks_what_they_want("timeline"));
        assert!(!asks_what_they_want("goal"));
    }

    fn reading<'a>(text: &'a str, norm: &'a str) -> Reading<'a> {
        Reading {
            text,
            norm,
            is_question: text.contains('?'),
            correction: false,
            taken_back: &[],
            time_only: false,
            only_when: false,
            answers_nothing: false,
        }
    }

    /// Replayed: "Sneha naam hai, 12th mein hu, JEE" answering "What are you looking for?"
    /// was filed whole as the need. What answers the question is what the message says
    /// besides the facts about the lead read from it.
    #[test]
    fn a_free_answer_is_what_is_left_once_the_facts_about_the_lead_are_read() {
        let kinds = [
            ("name".to_owned(), SlotKind::Name),
            ("class".to_owned(), SlotKind::Class),
            ("phone".to_owned(), SlotKind::Phone),
            ("city".to_owned(), SlotKind::City),
            (
                "exam".to_owned(),
                SlotKind::Choice(known_choices(&["exam"])),
            ),
        ];
        let rest = |text: &str, found: &[(&str, &str)]| {
            let norm = normalize(text);
            let found: Vec<Found> = found
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned(), 0.9))
                .collect();
            untold("Asia/Kolkata", &reading(text, &norm), &kinds, &found, true)
        };
        let sneha = "Sneha naam hai, 12th mein hu, JEE";
        let facts = [("name", "Sneha"), ("class", "12th"), ("exam", "JEE")];
        assert_eq!(rest(sneha, &facts).as_deref(), Some("JEE"));
        assert_eq!(
            rest(
                "Mera naam Rahul hai, 11th",
                &[("name", "Rahul"), ("class", "11th")]
            )
            .as_deref(),
            Some("")
        );
        assert_eq!(
            rest(
                "Hi, I'm Priya. Class 12, NEET",
                &[("name", "Priya"), ("class", "12th")]
            )
            .as_deref(),
            Some("NEET")
        );
        assert_eq!(
            rest(
                "Rohan, 98765 43210, foundation batch ke liye",
                &[("name", "Rohan"), ("phone", "+919876543210")]
            )
            .as_deref(),
            Some("foundation batch ke liye")
        );
        assert_eq!(
            rest(
                "Name: Sneha Patil, Class: 12, Exam: JEE",
                &[("name", "Sneha Patil"), ("class", "12th")]
            )
            .as_deref(),
            Some("JEE")
        );
        // Nothing about the lead read: the whole message answers.
        assert_eq!(rest("JEE crash course chahiye", &[("exam", "JEE")]), None);
    }

    /// "Do you have weekend batches for JEE?" says what the lead wants; "Do you have EMI?"
    /// asks how to pay, and a demo is a step, not what they buy.
    #[test]
    fn a_question_about_an_offering_says_what_the_lead_wants() {
        let about = asked_about;
        assert_eq!(
            about("Do you have weekend batches for JEE?").as_deref(),
            Some("weekend batches for JEE")
        );
        assert_eq!(
            about("Hi! Is there a crash course for MHT-CET?").as_deref(),
            Some("crash course for MHT-CET")
        );
        assert_eq!(
            about("Can you share details of the NEET repeater batch").as_deref(),
            Some("NEET repeater batch")
        );
        assert_eq!(about("Do you have EMI?"), None);
        assert_eq!(about("Is there a free demo class?"), None);
        assert_eq!(about("What are the fees?"), None);
        assert_eq!(about("नमस्ते, फीस कितनी है?"), None);
    }

    proptest::proptest! {
        /// Whatever the name, class and exam, a message telling all three in the shapes leads
        /// use leaves the exam alone as what they want, never their name or class.
        #[test]
        fn the_name_and_class_told_never_stay_in_the_free_answer(
            name in proptest::sample::select(vec!["Sneha", "Rahul", "Priya", "Amit", "Kavya", "Arjun"]),
            class in 8u32..=12,
            exam in proptest::sample::select(vec!["JEE", "NEET", "MHT-CET", "CUET"]),
            shape in 0usize..4,
        ) {
            let text = match shape {
                0 => format!("{name} naam hai, {class}th mein hu, {exam}"),
                1 => format!("I'm {name}, class {class}, {exam}"),
                2 => format!("Mera naam {name} hai. {class}th, {exam}"),
                _ => format!("{name} here; {class}th std; {exam}"),
            };
            let norm = normalize(&text);
            let kinds = [
                ("name".to_owned(), SlotKind::Name),
                ("class".to_owned(), SlotKind::Class),
            ];
            let found = vec![
                ("name".to_owned(), name.to_owned(), 0.9),
                ("class".to_owned(), format!("{class}th"), 0.9),
            ];
            let rest = untold("Asia/Kolkata", &reading(&text, &norm), &kinds, &found, true);
            proptest::prop_assert_eq!(rest.as_deref(), Some(exam));
        }
    }

    /// "Priya, 12th, NEET" opens with the name; "CBSE, 12th" or "Pune, 12th" do not, nor
    /// does a name with nothing after it that told a fact.
    #[test]
    fn a_name_heads_a_list_of_facts() {
        let exam = |v: &str| ("exam".to_owned(), v.to_owned(), 0.9);
        let none = |_: &str| false;
        let city = |w: &str| CITIES.iter().any(|c| c.eq_ignore_ascii_case(w));
        assert_eq!(
            name_heading_a_list("Priya, 12th, NEET", &[exam("NEET")], "Asia/Kolkata", &none)
                .as_deref(),
            Some("Priya")
        );
        assert_eq!(
            name_heading_a_list("Sneha Patil, class 11", &[], "Asia/Kolkata", &none).as_deref(),
            Some("Sneha Patil")
        );
        assert_eq!(
            name_heading_a_list("Rahul, 98765 43210", &[], "Asia/Kolkata", &none).as_deref(),
            Some("Rahul")
        );
        assert_eq!(
            name_heading_a_list("CBSE, 12th", &[], "Asia/Kolkata", &none),
            None
        );
        assert_eq!(
            name_heading_a_list("Pune, 12th", &[], "Asia/Kolkata", &city),
            None
        );
        assert_eq!(
            name_heading_a_list("Priya, thanks", &[], "Asia/Kolkata", &none),
            None
        );
        assert_eq!(
            name_heading_a_list("Priya", &[], "Asia/Kolkata", &none),
            None
        );
        assert_eq!(
            name_heading_a_list(
                "Weekend batch hai kya, JEE",
                &[exam("JEE")],
                "Asia/Kolkata",
                &none
            ),
            None
        );
    }

    #[test]
    fn classes() {
        let class = |t: &str| class_in(t, &normalize(t), false);
        assert_eq!(class("11th mein hu").as_deref(), Some("11th"));
        assert_eq!(class("son is in class XII").as_deref(), Some("12th"));
        assert_eq!(class("meri beti 10vi mein hai").as_deref(), Some("10th"));
        assert_eq!(class("मैं 11वीं में हूँ").as_deref(), Some("11th"));
        assert_eq!(
            class("I passed 12th this year").as_deref(),
            Some("12th pass")
        );
        assert_eq!(class("11th 12th dono ka"), None);
        assert_eq!(class("She got 92% in 10th"), None);
        assert_eq!(class_in("12", " 12 ", true).as_deref(), Some("12th"));
    }

    #[test]
    fn cities_where_the_lead_is_not_where_they_go_or_ask_about() {
        let city = |t: &str| city_in(t).map(|(c, _)| c);
        assert_eq!(city("Kothrud, Pune").as_deref(), Some("Pune"));
        assert_eq!(
            city("hum Pimpri Chinchwad se hain").as_deref(),
            Some("Pimpri Chinchwad")
        );
        assert_eq!(
            city("We are in Mumbai right now, shifting to Pune for work").as_deref(),
            Some("Mumbai")
        );
        assert_eq!(city("Is your centre in Pune?"), None);
        assert_eq!(city("I'm from Instagram ad"), None);
    }
}
