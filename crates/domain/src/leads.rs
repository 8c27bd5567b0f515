//! The CRM's rules for what a lead carries besides its identity: tags (one tag space per
//! organisation), notes, and the custom fields an owner defines — their keys, their types and
//! the values each type accepts. Checked here once for every write path (the API, and later
//! CSV import and bulk edits), so a value that got in through one door gets in through all.

use crate::ValidationError;
use serde_json::Value;

text_enum!(
    /// What a custom field holds.
    CustomFieldType {
        /// Free text, at most 2,000 characters.
        Text = "text",
        /// Any finite number.
        Number = "number",
        /// A calendar day, `YYYY-MM-DD`.
        Date = "date",
        /// One of the field's options.
        Select = "select",
        /// Any of the field's options (an array, no repeats).
        Multiselect = "multiselect",
        Boolean = "boolean",
        /// An http(s) address.
        Url = "url",
        /// An amount as a decimal string with at most two places (`"2999.50"`).
        Currency = "currency",
    }
);

impl CustomFieldType {
    /// A field the lead picks from a list: it needs options.
    pub fn has_options(self) -> bool {
        matches!(self, CustomFieldType::Select | CustomFieldType::Multiselect)
    }
}

/// Longest text value.
pub const MAX_TEXT: usize = 2_000;
/// Longest tag name.
pub const MAX_TAG: usize = 50;
/// Longest note.
pub const MAX_NOTE: usize = 10_000;
/// Most options a choice field may offer, and the longest one.
pub const MAX_OPTIONS: usize = 200;
pub const MAX_OPTION_LEN: usize = 100;
/// Longest field label.
pub const MAX_LABEL: usize = 100;

fn refuse<T>(why: impl Into<String>) -> Result<T, ValidationError> {
    Err(ValidationError(why.into()))
}

/// A custom field's key: `^[a-z][a-z0-9_]{0,39}$` (it names the field in API bodies,
/// filters and CSV headers, so it never changes once created).
pub fn field_key(raw: &str) -> Result<String, ValidationError> {
    let ok = (1..=40).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(raw.to_owned())
    } else {
        refuse("must start with a lowercase letter and use only a-z, 0-9 and _ (at most 40)")
    }
}

/// A tag's name as shown: trimmed, 1–50 characters, without `,` or `;` (the separators of a
/// CSV cell of tags). Uniqueness ignores case: see [`tag_folded`].
pub fn tag_name(raw: &str) -> Result<String, ValidationError> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return refuse("is required");
    }
    if name.chars().count() > MAX_TAG {
        return refuse(format!("must be at most {MAX_TAG} characters"));
    }
    if name.contains([',', ';']) {
        return refuse("must not contain , or ;");
    }
    Ok(name)
}

/// The form of a tag name two tags may not share ("VIP" and "vip" are one tag).
pub fn tag_folded(name: &str) -> String {
    name.to_lowercase()
}

/// A note's text: 1–10,000 characters once trimmed.
pub fn note_body(raw: &str) -> Result<String, ValidationError> {
    let body = raw.trim();
    if body.is_empty() {
        return refuse("is required");
    }
    if body.chars().count() > MAX_NOTE {
        return refuse(format!("must be at most {MAX_NOTE} characters"));
    }
    Ok(body.to_owned())
}

/// A field's label: 1–100 characters once trimmed.
pub fn field_label(raw: &str) -> Result<String, ValidationError> {
    let label = raw.trim();
    if label.is_empty() {
        return refuse("is required");
    }
    if label.chars().count() > MAX_LABEL {
        return refuse(format!("must be at most {MAX_LABEL} characters"));
    }
    Ok(label.to_owned())
}

/// A choice field's options: trimmed, non-empty, unique, at most 200 of at most 100
/// characters; required for `select`/`multiselect`, refused for other types.
pub fn field_options(
    kind: CustomFieldType,
    raw: &[String],
) -> Result<Vec<String>, ValidationError> {
    if !kind.has_options() {
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        return refuse("only select and multiselect fields have options");
    }
    if raw.is_empty() {
        return refuse("a choice field needs at least one option");
    }
    if raw.len() > MAX_OPTIONS {
        return refuse(format!("at most {MAX_OPTIONS} options"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for o in raw {
        let o = o.trim();
        if o.is_empty() || o.chars().count() > MAX_OPTION_LEN {
            return refuse(format!("each option has 1 to {MAX_OPTION_LEN} characters"));
        }
        if out.iter().any(|seen| seen == o) {
            return refuse(format!("\"{o}\" is listed twice"));
        }
        out.push(o.to_owned());
    }
    Ok(out)
}

/// A currency field's ISO 4217 code (`INR`), uppercased; optional.
pub fn currency_code(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) if c.len() == 3 && c.chars().all(|c| c.is_ascii_alphabetic()) => {
            Ok(Some(c.to_ascii_uppercase()))
        }
        Some(_) => refuse("must be a three-letter ISO 4217 code such as INR"),
    }
}

/// The organisation's currency (deal values, the board's column sums): a current ISO 4217
/// code (`INR`), uppercased. Funds and superseded codes are refused: nobody prices a deal in
/// them.
pub fn org_currency(raw: &str) -> Result<String, ValidationError> {
    let code = raw.trim().to_ascii_uppercase();
    match iso_currency::Currency::from_code(&code) {
        Some(c) if !c.is_fund() && !c.is_special() && c.is_superseded().is_none() => Ok(code),
        _ => refuse("must be a currency code such as INR, USD or EUR"),
    }
}

/// The currency of a country (`IN` → `INR`), for an organisation that has not chosen one.
pub fn currency_of_country(country: &str) -> Option<String> {
    let country: iso_currency::Country = country.parse().ok()?;
    Some(iso_currency::Currency::from(country).code().to_owned())
}

/// An ISO 3166 alpha-2 country (`IN`) whose phone numbering is known, uppercased: the
/// organisation's `default_country` for reading local phone numbers.
pub fn country_code(raw: &str) -> Result<String, ValidationError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && code.parse::<phonenumber::country::Id>().is_ok() {
        Ok(code)
    } else {
        refuse("must be a two-letter country code such as IN")
    }
}

/// The stored form of a value for a field of `kind` with `options`, or why it is refused.
/// Lenient where people are (a number or a boolean may come as text from a form or a CSV
/// cell; a currency may come as a number), strict about what the value means.
pub fn field_value(
    kind: CustomFieldType,
    options: &[String],
    value: &Value,
) -> Result<Value, ValidationError> {
    use CustomFieldType as T;
    match kind {
        T::Text => match value {
            Value::String(s) if s.chars().count() <= MAX_TEXT => Ok(Value::String(s.clone())),
            Value::String(_) => refuse(format!("must be at most {MAX_TEXT} characters")),
            _ => refuse("must be text"),
        },
        T::Number => {
            let n = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match n
                .filter(|n| n.is_finite())
                .and_then(serde_json::Number::from_f64)
            {
                // Whole numbers stay whole (`3`, not `3.0`).
                Some(_) if matches!(value, Value::Number(_)) => Ok(value.clone()),
                Some(num) => Ok(whole_or(num)),
                None => refuse("must be a number"),
            }
        }
        T::Date => match value {
            Value::String(s) => {
                let s = s.trim();
                let parsed = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d");
                match parsed {
                    Ok(d) if d.format("%Y-%m-%d").to_string() == s => Ok(Value::String(s.into())),
                    _ => refuse("must be a date written YYYY-MM-DD"),
                }
            }
            _ => refuse("must be a date written YYYY-MM-DD"),
        },
        T::Select => match value {
            Value::String(s) => match options.iter().find(|o| *o == s.trim()) {
                Some(o) => Ok(Value::String(o.clone())),
                None => refuse(format!("must be one of: {}", options.join(", "))),
            },
            _ => refuse(format!("must be one of: {}", options.join(", "))),
        },
        T::Multiselect => {
            let Value::Array(items) = value else {
                return refuse("must be a list of options");
            };
            let mut out: Vec<Value> = Vec::with_capacity(items.len());
            for item in items {
                let Some(o) = item
                    .as_str()
                    .and_then(|s| options.iter().find(|o| *o == s.trim()))
                else {
                    return refuse(format!("each must be one of: {}", options.join(", ")));
                };
                let v = Value::String(o.clone());
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Ok(Value::Array(out))
        }
        T::Boolean => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "0" => Ok(Value::Bool(false)),
                _ => refuse("must be true or false"),
            },
            _ => refuse("must be true or false"),
        },
        T::Url => match value {
            Value::String(s) => {
                let s = s.trim();
                let explicit = s.starts_with("http://") || s.starts_with("https://");
                match crate::contact_points::WebAddress::parse(s) {
                    Ok(w) if explicit || !s.contains("://") => Ok(Value::String(w.to_string())),
                    _ => refuse("must be an http:// or https:// address"),
                }
            }
            _ => refuse("must be an http:// or https:// address"),
        },
        T::Currency => {
            let text = match value {
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                _ => return refuse("must be an amount such as \"2999.50\""),
            };
            match currency_amount(&text) {
                Some(normal) => Ok(Value::String(normal)),
                None => {
                    refuse("must be an amount with at most two decimal places, e.g. \"2999.50\"")
                }
            }
        }
    }
}

fn whole_or(num: serde_json::Number) -> Value {
    let f = num.as_f64().unwrap_or_default();
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Value::Number(num)
    }
}

/// `"2999.5"` → `"2999.50"`; `-` allowed, at most 2 decimals and 15 integer digits.
fn currency_amount(text: &str) -> Option<String> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() || int.len() > 15 || !all_digits(int) || frac.len() > 2 || !all_digits(frac) {
        return None;
    }
    if digits.contains('.') && frac.is_empty() {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = format!("{frac:0<2}");
    let zero = int == "0" && frac == "00";
    Some(format!(
        "{}{int}.{frac}",
        if neg && !zero { "-" } else { "" }
    ))
}

/// Digits of a search text that looks like a phone (`+91 98765`, `98765-43210`): at least 4
/// digits and nothing but digits and phone punctuation. Matched against stored phones.
pub fn phone_like_digits(q: &str) -> Option<String> {
    let q = q.trim();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let only_phone = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    (only_phone && digits.len() >= 4).then_some(digits)
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_organisation_prices_deals_in_a_real_currency() {
        assert_eq!(org_currency(" inr ").unwrap(), "INR");
        assert_eq!(org_currency("EUR").unwrap(), "EUR");
        for bad in ["", "RS", "XYZ", "rupees", "XAU", "VEF"] {
            assert!(org_currency(bad).is_err(), "{bad}");
        }
        assert_eq!(currency_of_country("IN").as_deref(), Some("INR"));
        assert_eq!(currency_of_country("AE").as_deref(), Some("AED"));
        assert_eq!(currency_of_country("DE").as_deref(), Some("EUR"));
        assert_eq!(currency_of_country("ZZ"), None);
    }

    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn opts() -> Vec<String> {
        vec!["Pune".into(), "Mumbai".into()]
    }

    #[test]
    fn each_type_takes_its_values_and_refuses_the_rest() {
        use CustomFieldType as T;
        let ok = |k, v: Value| field_value(k, &opts(), &v).unwrap();
        let bad = |k, v: Value| assert!(field_value(k, &opts(), &v).is_err(), "{k} {v}");
        assert_eq!(ok(T::Text, json!("hi")), json!("hi"));
        bad(T::Text, json!("x".repeat(2001)));
        bad(T::Text, json!(3));
        assert_eq!(ok(T::Number, json!(3)), json!(3));
        assert_eq!(ok(T::Number, json!("2.5")), json!(2.5));
        assert_eq!(ok(T::Number, json!("7")), json!(7));
        bad(T::Number, json!("seven"));
        assert_eq!(ok(T::Date, json!("2026-02-28")), json!("2026-02-28"));
        bad(T::Date, json!("2026-02-30"));
        bad(T::Date, json!("28/02/2026"));
        bad(T::Date, json!("2026-2-28"));
        assert_eq!(ok(T::Select, json!("Pune")), json!("Pune"));
        bad(T::Select, json!("Delhi"));
        assert_eq!(
            ok(T::Multiselect, json!(["Pune", "Mumbai", "Pune"])),
            json!(["Pune", "Mumbai"])
        );
        bad(T::Multiselect, json!("Pune"));
        bad(T::Multiselect, json!(["Delhi"]));
        assert_eq!(ok(T::Boolean, json!("yes")), json!(true));
        bad(T::Boolean, json!("maybe"));
        assert_eq!(
            ok(T::Url, json!("https://example.com/x")),
            json!("https://example.com/x")
        );
        assert_eq!(
            ok(T::Url, json!("example.com")),
            json!("https://example.com")
        );
        bad(T::Url, json!("ftp://example.com"));
        bad(T::Url, json!("javascript:alert(1)"));
        assert_eq!(ok(T::Currency, json!("2999.5")), json!("2999.50"));
        assert_eq!(ok(T::Currency, json!(12)), json!("12.00"));
        assert_eq!(ok(T::Currency, json!("0099")), json!("99.00"));
        bad(T::Currency, json!("2999.505"));
        bad(T::Currency, json!("1e3"));
        bad(T::Currency, json!("12."));
        bad(T::Currency, json!(""));
    }

    #[test]
    fn keys_tags_notes_and_options() {
        assert!(field_key("budget").is_ok());
        assert!(field_key("b2_x").is_ok());
        for bad in ["", "Budget", "2x", "_x", "a-b", &"a".repeat(41)] {
            assert!(field_key(bad).is_err(), "{bad}");
        }
        assert_eq!(tag_name("  hot   lead ").unwrap(), "hot lead");
        assert!(tag_name("a,b").is_err());
        assert!(tag_name("a;b").is_err());
        assert!(tag_name(" ").is_err());
        assert!(tag_name(&"t".repeat(51)).is_err());
        assert_eq!(tag_folded("VIP"), tag_folded("vip"));
        assert!(note_body(" ").is_err());
        assert!(note_body(&"n".repeat(10_001)).is_err());
        assert!(field_options(CustomFieldType::Select, &[]).is_err());
        assert!(field_options(CustomFieldType::Select, &["a".into(), "a".into()]).is_err());
        assert!(field_options(CustomFieldType::Text, &["a".into()]).is_err());
        assert_eq!(currency_code(Some("inr")).unwrap().as_deref(), Some("INR"));
        assert!(currency_code(Some("rupees")).is_err());
        assert_eq!(country_code(" in").unwrap(), "IN");
        assert!(country_code("XX").is_err());
        assert!(country_code("IND").is_err());
    }

    #[test]
    fn phone_like_searches() {
        assert_eq!(
            phone_like_digits("+91 98765 43210").as_deref(),
            Some("919876543210")
        );
        assert_eq!(phone_like_digits("98765").as_deref(), Some("98765"));
        assert_eq!(phone_like_digits("priya 98765"), None);
        assert_eq!(phone_like_digits("123"), None);
    }

    proptest! {
        /// A stored value is accepted again unchanged: validating is idempotent, so a value
        /// read back from a lead (or an export) can always be written back.
        #[test]
        fn a_stored_value_validates_to_itself(
            kind in prop::sample::select(CustomFieldType::ALL.to_vec()),
            text in ".{0,40}",
            n in -1.0e12f64..1.0e12,
            cents in -1_000_000_000i64..1_000_000_000,
            pick in prop::collection::vec(0usize..2, 0..4),
            b in any::<bool>(),
            day in 0i64..40_000,
        ) {
            let options = opts();
            let input = match kind {
                CustomFieldType::Text => json!(text),
                CustomFieldType::Number => json!(n),
                CustomFieldType::Date => json!((chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                    + chrono::Duration::days(day)).format("%Y-%m-%d").to_string()),
                CustomFieldType::Select => json!(options[pick.first().copied().unwrap_or(0)]),
                CustomFieldType::Multiselect => json!(pick.iter().map(|i| options[*i].clone()).collect::<Vec<_>>()),
                CustomFieldType::Boolean => json!(b),
                CustomFieldType::Url => json!("https://example.com/p"),
                CustomFieldType::Currency => json!(format!("{}.{:02}", cents / 100, (cents % 100).abs())),
            };
            let stored = field_value(kind, &options, &input).unwrap();
            prop_assert_eq!(field_value(kind, &options, &stored).unwrap(), stored);
        }

        /// Currency amounts keep exactly two places and their value.
        #[test]
        fn currency_keeps_the_amount(whole in 0u64..1_000_000_000, frac in 0u32..100) {
            let v = field_value(CustomFieldType::Currency, &[], &json!(format!("{whole}.{frac}"))).unwrap();
            let s = v.as_str().unwrap().to_owned();
            let (w, f) = s.split_once('.').unwrap();
            prop_assert_eq!(w.parse::<u64>().unwrap(), whole);
            prop_assert_eq!(f.len(), 2);
        }

        /// No tag name that passes carries a separator or exceeds the limit.
        #[test]
        fn tag_names_are_bounded(raw in ".{0,80}") {
            if let Ok(name) = tag_name(&raw) {
                prop_assert!(!name.contains([',', ';']));
                prop_assert!((1..=MAX_TAG).contains(&name.chars().count()));
                prop_assert_eq!(tag_name(&name).unwrap(), name);
            }
        }
    }
}
