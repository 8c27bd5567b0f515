//! The columns of a leads CSV: what an import can write (its *targets*), how a header is
//! recognised as one (synonyms such as `Mobile`, `E-mail`, `Full Name`; a custom field's key
//! or label; the export's own headers), and the export's header row, so an export imports
//! back onto itself.

/// Lead fields an import writes directly, as export headers name them.
pub const LEAD_TARGETS: &[&str] = &[
    "phone",
    "bsuid",
    "name",
    "email",
    "business",
    "website",
    "city",
    "language",
    "lead_status",
    "score",
    "value_minor",
    "lead_source",
];

/// Targets besides the lead fields and `custom_fields.KEY`. `opted_out` puts a lead on the
/// opt-out list (a business's own do-not-contact list); it never takes one off.
pub const OTHER_TARGETS: &[&str] = &["stage", "owner_email", "tags", "note", "opted_out"];

/// Export columns an import reads but does not write (they describe the lead, they are not
/// set by a person).
pub const READ_ONLY_HEADERS: &[&str] = &["id", "created_at", "last_seen_at", "updated_at"];

/// The export's header row before the custom fields (`cf.KEY` follow).
pub const EXPORT_HEADERS: &[&str] = &[
    "id",
    "phone",
    "bsuid",
    "name",
    "email",
    "business",
    "website",
    "city",
    "language",
    "lead_status",
    "score",
    "value_minor",
    "lead_source",
    "stage",
    "owner_email",
    "tags",
    "opted_out",
    "created_at",
    "last_seen_at",
];

/// `E-mail Address` → `emailaddress`.
fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "phone",
        &[
            "phone",
            "phonenumber",
            "phoneno",
            "mobile",
            "mobilenumber",
            "mobileno",
            "mobilephone",
            "mob",
            "cell",
            "cellphone",
            "cellnumber",
            "whatsapp",
            "whatsappnumber",
            "whatsappno",
            "contactnumber",
            "contactno",
            "telephone",
            "tel",
            "number",
        ],
    ),
    (
        "bsuid",
        &["bsuid", "whatsappid", "wauserid", "whatsappuserid"],
    ),
    (
        "name",
        &[
            "name",
            "fullname",
            "contactname",
            "leadname",
            "customername",
            "customer",
            "contact",
            "client",
            "clientname",
            "studentname",
            "nameofclient",
            "nameofcustomer",
        ],
    ),
    ("email", &["email", "emailaddress", "mail", "emailid"]),
    (
        "business",
        &[
            "business",
            "company",
            "companyname",
            "businessname",
            "organisation",
            "organization",
            "firm",
        ],
    ),
    ("website", &["website", "url", "web", "site", "homepage"]),
    ("city", &["city", "town", "location"]),
    ("language", &["language", "lang"]),
    ("lead_status", &["leadstatus", "status"]),
    ("score", &["score", "leadscore"]),
    ("value_minor", &["valueminor"]),
    ("lead_source", &["leadsource", "source"]),
    ("stage", &["stage", "pipelinestage", "dealstage"]),
    (
        "owner_email",
        &["owneremail", "owner", "assignedto", "assignee"],
    ),
    ("tags", &["tags", "tag", "labels", "label"]),
    ("note", &["note", "notes", "comment", "comments", "remarks"]),
    (
        "opted_out",
        &[
            "optedout",
            "optout",
            "dnd",
            "donotdisturb",
            "donotcontact",
            "donotcall",
            "unsubscribed",
        ],
    ),
];

/// A custom field as detection needs it.
#[derive(Debug, Clone)]
pub struct CustomColumn {
    pub key: String,
    pub label: String,
}

/// The target a header most likely means, or `None` (the column is not imported).
pub fn detect(header: &str, custom: &[CustomColumn]) -> Option<String> {
    let h = header.trim();
    let lower = h.to_lowercase();
    if let Some(key) = lower
        .strip_prefix("cf.")
        .or_else(|| lower.strip_prefix("custom_fields."))
    {
        return custom
            .iter()
            .find(|c| c.key == key)
            .map(|c| format!("custom_fields.{}", c.key));
    }
    if READ_ONLY_HEADERS.contains(&lower.as_str()) {
        return None;
    }
    let c = compact(h);
    if c.is_empty() {
        return None;
    }
    if let Some(f) = custom
        .iter()
        .find(|f| compact(&f.key) == c || compact(&f.label) == c)
    {
        return Some(format!("custom_fields.{}", f.key));
    }
    SYNONYMS
        .iter()
        .find(|(_, words)| words.contains(&c.as_str()))
        .map(|(t, _)| (*t).to_owned())
        .or_else(|| {
            ENDINGS
                .iter()
                .find(|(ending, _)| c.ends_with(ending))
                .map(|(_, t)| (*t).to_owned())
        })
}

/// Headers the exact words miss, by how they end: "Client Name", "Mobile No.", "Parent's
/// WhatsApp", "Official Email ID". Tried after every exact word ("Company Name" is the
/// business), and a column whose target an earlier column took is not imported.
const ENDINGS: &[(&str, &str)] = &[
    ("name", "name"),
    ("mobile", "phone"),
    ("mobileno", "phone"),
    ("mobilenumber", "phone"),
    ("phone", "phone"),
    ("phoneno", "phone"),
    ("phonenumber", "phone"),
    ("whatsapp", "phone"),
    ("whatsappno", "phone"),
    ("whatsappnumber", "phone"),
    ("email", "email"),
    ("emailid", "email"),
    ("emailaddress", "email"),
];

/// Whether `target` is something an import may write.
pub fn is_target(target: &str, custom: &[CustomColumn]) -> bool {
    LEAD_TARGETS.contains(&target)
        || OTHER_TARGETS.contains(&target)
        || target
            .strip_prefix("custom_fields.")
            .is_some_and(|k| custom.iter().any(|c| c.key == k))
}

/// Every target an import may write, in the order a mapping picker lists them.
pub fn all_targets(custom: &[CustomColumn]) -> Vec<String> {
    LEAD_TARGETS
        .iter()
        .chain(OTHER_TARGETS)
        .map(|t| (*t).to_owned())
        .chain(custom.iter().map(|c| format!("custom_fields.{}", c.key)))
        .collect()
}

/// Tags in one cell: `;` or `,` separated.
pub fn split_tags(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A cell as it is safe to open in a spreadsheet. A cell starting with `=`, `@`, a tab or a
/// carriage return — or with `+`/`-` followed by anything but a plain number — would run as a
/// formula in Excel or Sheets (CSV injection: a lead who calls themselves
/// `=HYPERLINK("http://evil",…)`), so it gets a leading `'`, which spreadsheets show as text.
/// Phones (`+91 98765 43210`) and negative numbers stay as they are.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell read back from a file we exported (or a spreadsheet that kept our guard): the `'`
/// [`spreadsheet_safe`] added is dropped, so exporting and importing again changes nothing.
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

fn needs_guard(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !cell[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '(' | ')' | '-')),
        // A cell that itself starts with our guard: guarded again, so reading it back
        // keeps its own quote.
        Some('\'') => needs_guard(&cell[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_come_back_unchanged() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "@SUM(A1:A2)",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "\t=1",
        ] {
            let safe = spreadsheet_safe(formula);
            assert!(safe.starts_with('\''), "{formula}");
            assert_eq!(from_spreadsheet(&safe), formula);
        }
        // A cell that starts with the guard itself keeps its quote through the round trip.
        assert_eq!(spreadsheet_safe("'=1"), "''=1");
        assert_eq!(from_spreadsheet("''=1"), "'=1");
        for plain in [
            "+91 98765 43210",
            "-1500",
            "Asha Patil",
            "",
            "'quoted' name",
            "2999.50",
        ] {
            assert_eq!(spreadsheet_safe(plain), plain);
            assert_eq!(from_spreadsheet(plain), plain);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_cell_survives_the_round_trip(cell in "\\PC{0,12}") {
            let safe = spreadsheet_safe(&cell);
            proptest::prop_assert_eq!(from_spreadsheet(&safe), cell.as_str());
        }
    }

    fn custom() -> Vec<CustomColumn> {
        vec![CustomColumn {
            key: "budget".into(),
            label: "Monthly Budget".into(),
        }]
    }

    #[test]
    fn headers_are_recognised_by_their_synonyms() {
        let c = custom();
        for (h, t) in [
            ("Mobile", Some("phone")),
            ("E-mail", Some("email")),
            ("Full Name", Some("name")),
            // A Pune real-estate agency's own sheet.
            ("Client Name", Some("name")),
            ("Mobile No.", Some("phone")),
            ("Email ID", Some("email")),
            ("Company Name", Some("business")),
            ("Parent's WhatsApp Number", Some("phone")),
            ("Official Email Address", Some("email")),
            ("WhatsApp Number", Some("phone")),
            ("Company", Some("business")),
            ("Monthly budget", Some("custom_fields.budget")),
            ("budget", Some("custom_fields.budget")),
            ("cf.budget", Some("custom_fields.budget")),
            ("cf.unknown", None),
            ("owner_email", Some("owner_email")),
            ("Tags", Some("tags")),
            ("DND", Some("opted_out")),
            ("Do not contact", Some("opted_out")),
            ("opted_out", Some("opted_out")),
            ("id", None),
            ("created_at", None),
            ("Favourite colour", None),
            ("", None),
        ] {
            assert_eq!(detect(h, &c).as_deref(), t, "{h}");
        }
    }

    #[test]
    fn every_export_header_maps_back_to_itself_or_nothing() {
        let c = custom();
        for h in EXPORT_HEADERS {
            match detect(h, &c) {
                Some(t) => assert_eq!(t, *h),
                None => assert!(READ_ONLY_HEADERS.contains(h), "{h}"),
            }
        }
        assert!(is_target("custom_fields.budget", &c));
        assert!(!is_target("custom_fields.nope", &c));
        assert!(!is_target("id", &c));
        assert_eq!(split_tags("vip; hot ,,x"), vec!["vip", "hot", "x"]);
    }
}
