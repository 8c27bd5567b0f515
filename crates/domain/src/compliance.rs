//! Compliance rules: how a lead came onto the opt-out list, and erasure's redaction — the one
//! function that turns a lead's personal data inside free text (messages, the agent's memory,
//! its decisions, hand-over briefs) into `[redacted]` and leaves every other word as it was,
//! so what a business counts (messages, stages, costs) survives an erasure.

use crate::contact_points::Phone;
use crate::sales::LeadStatus;
use regex::Regex;
use serde_json::Value;
use std::borrow::Cow;

text_enum!(
    /// How a lead came onto the opt-out list.
    OptOutSource {
        /// The lead wrote STOP (or one of its Hindi/Hinglish forms).
        Keyword = "keyword",
        /// The lead tapped a reply button that says stop.
        Button = "button",
        /// A member opted the lead out, with a reason.
        Manual = "manual",
        /// A bulk operation on leads.
        Bulk = "bulk",
        /// A CSV import marked the lead opted out.
        Import = "import",
        /// The lead's personal data was erased; the number stays suppressed.
        Erasure = "erasure",
    }
);

/// What replaces a lead's personal data.
pub const REDACTED: &str = "[redacted]";

/// Longest reason a member gives for an opt-out or opt-in.
pub const MAX_REASON: usize = 500;

/// A member's reason, trimmed; empty is no reason.
pub fn reason(raw: Option<&str>) -> Result<Option<String>, crate::ValidationError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_REASON {
        return Err(crate::ValidationError(format!(
            "must be at most {MAX_REASON} characters"
        )));
    }
    Ok(Some(text.to_owned()))
}

/// An import's `opted_out` cell: yes puts the lead on the opt-out list; no or empty leaves the
/// lead as it is (an import never opts anyone back in: only the person can).
pub fn opted_out_cell(cell: &str) -> Result<bool, crate::ValidationError> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "opted out" | "opted_out" | "dnd" | "stop" => Ok(true),
        "no" | "n" | "false" | "0" | "" => Ok(false),
        _ => Err(crate::ValidationError(
            "must be yes (opted out) or no".into(),
        )),
    }
}

/// The lead's status once they may be messaged again: "opted out" gives way to "engaged" (as
/// START after STOP does); any other status a person or the pipeline gave stays.
pub fn status_after_opt_in(current: LeadStatus) -> LeadStatus {
    match current {
        LeadStatus::OptedOut => LeadStatus::Engaged,
        other => other,
    }
}

/// A lead's personal data, as erasure looks for it in free text.
#[derive(Debug, Clone, Default)]
pub struct PersonalData {
    /// The lead's name and WhatsApp profile name: matched whole, and each part of three
    /// letters or more ("Hi Priya!" loses "Priya" too).
    pub names: Vec<String>,
    /// Found in any spelling: `+91 98765 43210`, `098765-43210`, `9876543210`, `919876543210`.
    pub phones: Vec<Phone>,
    /// Email addresses, WhatsApp ids: matched whole, in any case.
    pub identifiers: Vec<String>,
    /// Profile fields, custom field text and the agent's slot values: matched whole, in any
    /// case, when three characters or longer (a two-letter value would take every "ok").
    pub values: Vec<String>,
}

/// Shortest name part or value looked for inside text.
const MIN_TERM: usize = 3;

/// Finds a lead's personal data in text. Built once per erasure from [`PersonalData`].
#[derive(Debug, Clone)]
pub struct Redactor {
    words: Option<Regex>,
    phones: Vec<Regex>,
    /// Every email address, not only the lead's known one (see [`Redactor::with_any_email`]).
    any_email: Option<Regex>,
}

/// Characters people put between the digits of a phone number.
const SEPARATORS: &str = r"[\s\-./()]*";

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `term` as a pattern matching it as a whole word, in any case.
fn whole(term: &str) -> String {
    let start = if term.starts_with(is_word_char) {
        r"\b"
    } else {
        ""
    };
    let end = if term.ends_with(is_word_char) {
        r"\b"
    } else {
        ""
    };
    format!("{start}{}{end}", regex::escape(term))
}

/// A pattern for one phone in the spellings people write: the national number with any
/// separators between its digits, after an optional `+CC`, `00CC`, `(+CC)`, `CC` or trunk `0`.
fn phone_pattern(phone: &Phone) -> Option<Regex> {
    let (code, national) = phone.parts();
    if national.len() < 4 {
        return None;
    }
    let digits: Vec<String> = national.chars().map(|d| d.to_string()).collect();
    let body = digits.join(SEPARATORS);
    let prefix = if code.is_empty() {
        format!(r"(?:0{SEPARATORS})?")
    } else {
        format!(r"(?:\(?(?:\+|00)?{code}\)?{SEPARATORS}|0{SEPARATORS})?")
    };
    Regex::new(&format!("{prefix}{body}")).ok()
}

impl Redactor {
    /// Everything of [`PersonalData`]: for the lead's own conversations.
    pub fn new(data: &PersonalData) -> Redactor {
        Redactor::build(data, true)
    }

    /// Only what identifies the lead beyond doubt — whole names, phones, identifiers — for
    /// text shared with other leads (an imported file), where a first name or a city would
    /// take other people's words too.
    pub fn identity_only(data: &PersonalData) -> Redactor {
        Redactor::build(data, false)
    }

    fn build(data: &PersonalData, everything: bool) -> Redactor {
        let mut terms: Vec<String> = Vec::new();
        let mut add = |t: &str, min: usize| {
            let t = t.trim();
            if t.chars().count() >= min && !terms.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                terms.push(t.to_owned());
            }
        };
        for name in &data.names {
            add(name, 1);
            if everything {
                for part in name.split_whitespace() {
                    add(part.trim_matches(|c: char| !is_word_char(c)), MIN_TERM);
                }
            }
        }
        for id in &data.identifiers {
            add(id, 1);
        }
        if everything {
            for v in &data.values {
                add(v, MIN_TERM);
            }
        }
        // Longest first: "Priya Shah" is one redaction, not two around a space.
        terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        let words = (!terms.is_empty()).then(|| {
            let alternatives: Vec<String> = terms.iter().map(|t| whole(t)).collect();
            Regex::new(&format!("(?i)(?:{})", alternatives.join("|")))
                .expect("escaped terms make a valid pattern")
        });
        Redactor {
            words,
            phones: data.phones.iter().filter_map(phone_pattern).collect(),
            any_email: None,
        }
    }

    /// Also every email address: for what the lead wrote, where an address is theirs (or
    /// someone they named) even when the CRM never learned it — "priya@example.com" must not
    /// come out as "[redacted]@example.com".
    pub fn with_any_email(mut self) -> Redactor {
        self.any_email = Some(
            Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
                .expect("a valid pattern"),
        );
        self
    }

    /// `text` with the lead's personal data replaced by [`REDACTED`]; borrowed when nothing
    /// was found.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        if let Some(emails) = &self.any_email
            && let Cow::Owned(replaced) = emails.replace_all(&out, REDACTED)
        {
            out = Cow::Owned(replaced);
        }
        for phone in &self.phones {
            if let Some(replaced) = replace_phone(phone, &out) {
                out = Cow::Owned(replaced);
            }
        }
        if let Some(words) = &self.words
            && let Cow::Owned(replaced) = words.replace_all(&out, REDACTED)
        {
            out = Cow::Owned(replaced);
        }
        out
    }

    /// Redacts every string of a JSON document (keys stay); true when anything changed.
    pub fn redact_json(&self, doc: &mut Value) -> bool {
        match doc {
            Value::String(s) => match self.redact(s) {
                Cow::Owned(clean) => {
                    *s = clean;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.redact_json(v) | changed),
            Value::Object(map) => map
                .values_mut()
                .fold(false, |changed, v| self.redact_json(v) | changed),
            _ => false,
        }
    }
}

/// Replaces the phone's matches that are not part of a longer number (no digit right before
/// or after); `None` when there was none.
fn replace_phone(pattern: &Regex, text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in pattern.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        out.push_str(&text[last..m.start()]);
        out.push_str(REDACTED);
        last = m.end();
    }
    (last > 0).then(|| {
        out.push_str(&text[last..]);
        out
    })
}

/// The agent's memory with every slot's value replaced (`slots.NAME.value`), whatever its
/// length: a slot holds only what the lead told.
pub fn clear_slot_values(state: &mut Value) {
    if let Some(Value::Object(slots)) = state.get_mut("slots") {
        for slot in slots.values_mut() {
            match slot {
                Value::Object(s) if s.contains_key("value") => {
                    s.insert("value".into(), Value::String(REDACTED.into()));
                }
                Value::Object(_) => {}
                other => *other = Value::String(REDACTED.into()),
            }
        }
    }
}

/// The slot values of the agent's memory (`slots.NAME.value`), as text.
pub fn slot_values(state: &Value) -> Vec<String> {
    let Some(Value::Object(slots)) = state.get("slots") else {
        return Vec::new();
    };
    slots
        .values()
        .filter_map(|s| match s.get("value").unwrap_or(s) {
            Value::String(t) => Some(t.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn priya() -> Redactor {
        Redactor::new(&PersonalData {
            names: vec!["Priya Shah".into(), "Priya S".into()],
            phones: vec![Phone::parse("+919876543210", None).unwrap()],
            identifiers: vec!["priya@example.com".into()],
            values: vec!["2BHK in Baner".into(), "Pune".into(), "ok".into()],
        })
    }

    #[test]
    fn a_phone_in_any_spelling_is_redacted() {
        let r = priya();
        for spelling in [
            "+91 98765 43210",
            "+919876543210",
            "919876543210",
            "9876543210",
            "098765 43210",
            "98765-43210",
            "(+91) 98765.43210",
            "0091 98765 43210",
            "+91-987-654-3210",
        ] {
            let text = format!("call me on {spelling} after 6");
            assert_eq!(
                r.redact(&text),
                "call me on [redacted] after 6",
                "{spelling}"
            );
        }
    }

    proptest::proptest! {
        /// However the digits are spaced, dashed or dotted, the number never survives.
        #[test]
        fn no_spelling_of_the_number_survives(
            seps in proptest::collection::vec("[ .-]{0,2}", 9),
            prefix in proptest::sample::select(vec!["", "+91 ", "91", "0", "(+91) ", "0091-"]),
            before in "[a-z ]{0,8}",
            after in "[a-z ]{0,8}",
        ) {
            let national = "9876543210";
            let mut spelled = prefix.to_string();
            for (i, d) in national.chars().enumerate() {
                spelled.push(d);
                if i < seps.len() {
                    spelled.push_str(&seps[i]);
                }
            }
            let spelled = spelled.trim_end_matches([' ', '.', '-']).to_owned();
            let text = format!("{before} {spelled} {after}");
            let out = priya().redact(&text).into_owned();
            let digits: String = out.chars().filter(char::is_ascii_digit).collect();
            proptest::prop_assert!(!digits.contains("9876543210"), "{} -> {}", text, out);
            proptest::prop_assert!(out.contains(REDACTED));
        }
    }

    #[test]
    fn other_numbers_stay() {
        let r = priya();
        for text in [
            "my other number is 9876543211",
            "order 19876543210 shipped",
            "budget 98765 only",
            "+44 20 7946 0001",
        ] {
            assert_eq!(r.redact(text), text);
        }
    }

    #[test]
    fn names_emails_and_values_in_any_case_as_whole_words() {
        let r = priya();
        assert_eq!(
            r.redact("Hi PRIYA, is priya@EXAMPLE.com right? A 2bhk in baner, pune."),
            "Hi [redacted], is [redacted] right? A [redacted], [redacted]."
        );
        assert_eq!(
            r.redact("Priya Shah wrote"),
            "[redacted] wrote",
            "the whole name is one redaction"
        );
        // Inside longer words nothing is touched; two-letter values are not searched for.
        assert_eq!(
            r.redact("Punekar said ok, Shahrukh too"),
            "Punekar said ok, Shahrukh too"
        );
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn what_the_lead_wrote_loses_every_email_address() {
        let r = Redactor::new(&PersonalData {
            names: vec!["Priya".into()],
            ..Default::default()
        });
        assert_eq!(
            r.redact("mail priya@example.com"),
            "mail [redacted]@example.com",
            "only the known name"
        );
        let r = r.with_any_email();
        assert_eq!(
            r.redact("mail priya@example.com or p.shah+crm@mail.co.in, Priya"),
            "mail [redacted] or [redacted], [redacted]"
        );
    }

    #[test]
    fn identity_only_leaves_first_names_and_values() {
        let r = Redactor::identity_only(&PersonalData {
            names: vec!["Priya Shah".into()],
            phones: vec![Phone::parse("+919876543210", None).unwrap()],
            identifiers: vec!["priya@example.com".into()],
            values: vec!["Pune".into()],
        });
        assert_eq!(
            r.redact(
                "Priya Shah,+91 98765 43210,priya@example.com,Pune\nPriya Rao,9812345678,,Pune"
            ),
            "[redacted],[redacted],[redacted],Pune\nPriya Rao,9812345678,,Pune"
        );
    }

    #[test]
    fn names_in_other_scripts_and_punctuation() {
        let r = Redactor::new(&PersonalData {
            names: vec!["प्रिया".into(), "D'Souza".into()],
            ..Default::default()
        });
        assert_eq!(r.redact("नमस्ते प्रिया जी"), "नमस्ते [redacted] जी");
        assert_eq!(r.redact("Mr d'souza!"), "Mr [redacted]!");
    }

    #[test]
    fn json_strings_are_redacted_and_slots_cleared() {
        let r = priya();
        let mut state = json!({
            "slots": {"NAME": {"value": "Priya", "confidence": 0.9},
                      "SIZE": {"value": "2", "confidence": 0.5}},
            "summary": ["Priya wants a flat", 3],
            "Priya": "keys stay"
        });
        assert_eq!(slot_values(&state), vec!["Priya", "2"]);
        assert!(r.redact_json(&mut state));
        clear_slot_values(&mut state);
        assert_eq!(state["slots"]["NAME"]["value"], REDACTED);
        assert_eq!(state["slots"]["SIZE"]["value"], REDACTED);
        assert_eq!(state["slots"]["NAME"]["confidence"], 0.9);
        assert_eq!(state["summary"][0], "[redacted] wants a flat");
        assert_eq!(state["Priya"], "keys stay");
        let mut plain = json!({"a": "nothing"});
        assert!(!r.redact_json(&mut plain));
    }

    #[test]
    fn an_import_cell_opts_out_or_leaves_alone() {
        for yes in ["yes", "TRUE", " 1 ", "DND", "Opted out"] {
            assert_eq!(opted_out_cell(yes), Ok(true), "{yes}");
        }
        for no in ["no", "false", "0", ""] {
            assert_eq!(opted_out_cell(no), Ok(false), "{no}");
        }
        assert!(opted_out_cell("maybe").is_err());
    }

    #[test]
    fn reasons_and_the_status_after_opt_in() {
        assert_eq!(reason(Some("  ")).unwrap(), None);
        assert_eq!(
            reason(Some(" asked on a call ")).unwrap().as_deref(),
            Some("asked on a call")
        );
        assert!(reason(Some(&"x".repeat(501))).is_err());
        assert_eq!(
            status_after_opt_in(LeadStatus::OptedOut),
            LeadStatus::Engaged
        );
        assert_eq!(status_after_opt_in(LeadStatus::Won), LeadStatus::Won);
    }
}
