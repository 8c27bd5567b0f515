//! WhatsApp message templates: what a draft is made of, Meta's limits as one lint that names
//! every offending field by path, and how a template's placeholders are filled for one lead.
//! Meta refuses a bad template hours later by webhook; the lint refuses it before it leaves.

use crate::send_policy::TemplateCategory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

text_enum!(
    /// Where a template is in Meta's review: ours until submitted, then Meta's word.
    TemplateStatus {
        Draft = "draft",
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Paused = "paused",
        Disabled = "disabled",
    }
);

impl TemplateStatus {
    /// Only a draft or a rejected template may still be edited; the rest is Meta's copy.
    pub fn editable(self) -> bool {
        matches!(self, TemplateStatus::Draft | TemplateStatus::Rejected)
    }
}

text_enum!(
    /// How placeholders are written: `{{first_name}}` or `{{1}}`.
    ParameterFormat { Named = "named", Positional = "positional" }
);

text_enum!(
    /// What a template's header shows.
    HeaderFormat {
        Text = "text",
        Image = "image",
        Video = "video",
        Document = "document",
    }
);

text_enum!(
    /// A template button.
    ButtonType {
        QuickReply = "quick_reply",
        Url = "url",
        PhoneNumber = "phone_number",
        CopyCode = "copy_code",
    }
);

text_enum!(
    /// Where a mapped placeholder takes its value: a qualification slot, a lead field, fixed text.
    VariableSource { Slot = "slot", Contact = "contact", Static = "static" }
);

text_enum!(
    /// Where a filled placeholder's value came from in a preview or a send.
    ValueSource {
        Given = "given",
        Slot = "slot",
        Contact = "contact",
        Static = "static",
        Fallback = "fallback",
        Example = "example",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateHeader {
    pub format: HeaderFormat,
    #[serde(default)]
    pub text: Option<String>,
    /// A sample for the header's placeholder (text headers).
    #[serde(default)]
    pub example: Option<String>,
    /// A public link to the media (media headers); also Meta's sample.
    #[serde(default)]
    pub media_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateBody {
    pub text: String,
    /// A sample value for each placeholder, by placeholder (`first_name`, `1`).
    #[serde(default)]
    pub examples: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateFooter {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateButton {
    #[serde(rename = "type")]
    pub kind: ButtonType,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
    /// A sample: the full URL for a URL with `{{1}}`, the code for a copy-code button.
    #[serde(default)]
    pub example: Option<String>,
}

/// What a placeholder is filled with when a template goes to a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariableMapping {
    pub source: VariableSource,
    /// The slot or lead field (`name`, `first_name`, `phone`, `email`, `city`), or the text.
    pub key: String,
    #[serde(default)]
    pub fallback: Option<String>,
}

/// Everything Meta needs to review a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateContent {
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub parameter_format: ParameterFormat,
    #[serde(default)]
    pub header: Option<TemplateHeader>,
    pub body: TemplateBody,
    #[serde(default)]
    pub footer: Option<TemplateFooter>,
    #[serde(default)]
    pub buttons: Vec<TemplateButton>,
}

pub const NAME_MAX: usize = 512;
pub const HEADER_MAX: usize = 60;
pub const BODY_MAX: usize = 1024;
pub const FOOTER_MAX: usize = 60;
pub const BUTTONS_MAX: usize = 10;
pub const URL_BUTTONS_MAX: usize = 2;
pub const BUTTON_TEXT_MAX: usize = 25;
pub const LANGUAGE_MAX: usize = 15;
/// The lead fields a variable may name.
pub const CONTACT_FIELDS: &[&str] = &["name", "first_name", "phone", "email", "city"];
/// The quick reply suggested on marketing templates: a tap is a marketing opt-out.
pub const STOP_PROMOTIONS: &str = "Stop promotions";

/// One `{{...}}` in a text: its name and where it starts and ends (bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// Every `{{...}}` in `text`, in order, names trimmed.
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| i + from) {
        let Some(close) = text[open + 2..].find("}}").map(|i| i + open + 2) else {
            break;
        };
        out.push(Placeholder {
            name: text[open + 2..close].trim().to_owned(),
            start: open,
            end: close + 2,
        });
        from = close + 2;
    }
    out
}

/// The distinct placeholder names of `text`, in first-seen order.
pub fn placeholder_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for p in placeholders(text) {
        if !names.contains(&p.name) {
            names.push(p.name);
        }
    }
    names
}

fn is_named(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_positional(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) && !name.starts_with('0')
}

/// Field path → what is wrong with it.
pub type LintErrors = BTreeMap<String, String>;

/// Meta's limits, checked all at once so an editor can show every problem beside its field.
pub fn lint(t: &TemplateContent) -> Result<(), LintErrors> {
    let mut errors = LintErrors::new();
    let mut fail = |path: &str, why: String| {
        errors.entry(path.to_owned()).or_insert(why);
    };
    let name_ok = (1..=NAME_MAX).contains(&t.name.len())
        && t.name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !name_ok {
        fail("name", format!("use 1 to {NAME_MAX} of a-z, 0-9 and _"));
    }
    let lang = t.language.trim();
    if lang.is_empty()
        || lang.len() > LANGUAGE_MAX
        || !lang.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
    {
        fail("language", "a language code such as en_US".into());
    }
    lint_header(t, &mut fail);
    lint_body(t, &mut fail);
    if let Some(footer) = &t.footer {
        lint_text("footer.text", &footer.text, FOOTER_MAX, &mut fail);
        if !placeholders(&footer.text).is_empty() {
            fail("footer.text", "a footer takes no placeholders".into());
        }
    }
    lint_buttons(t, &mut fail);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn lint_text(path: &str, text: &str, max: usize, fail: &mut impl FnMut(&str, String)) {
    let n = text.chars().count();
    if text.trim().is_empty() {
        fail(path, "is required".into());
    } else if n > max {
        fail(path, format!("{n} characters, at most {max}"));
    }
}

fn lint_header(t: &TemplateContent, fail: &mut impl FnMut(&str, String)) {
    let Some(h) = &t.header else { return };
    if h.format != HeaderFormat::Text {
        let https = h
            .media_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        if !https {
            fail(
                "header.media_url",
                "a media header needs an https link to a sample".into(),
            );
        }
        return;
    }
    let text = h.text.as_deref().unwrap_or_default();
    lint_text("header.text", text, HEADER_MAX, fail);
    let found = placeholders(text);
    if found.len() > 1 {
        fail(
            "header.text",
            "a header takes at most one placeholder".into(),
        );
    } else if let Some(p) = found.first() {
        if !format_matches(t.parameter_format, &p.name)
            || (t.parameter_format == ParameterFormat::Positional && p.name != "1")
        {
            fail(
                "header.text",
                format!(
                    "`{{{{{}}}}}` does not fit the {} format",
                    p.name, t.parameter_format
                ),
            );
        }
        if h.example.as_deref().is_none_or(|e| e.trim().is_empty()) {
            fail("header.example", "give a sample for the placeholder".into());
        }
    }
}

fn format_matches(format: ParameterFormat, name: &str) -> bool {
    match format {
        ParameterFormat::Named => is_named(name),
        ParameterFormat::Positional => is_positional(name),
    }
}

fn lint_body(t: &TemplateContent, fail: &mut impl FnMut(&str, String)) {
    let text = &t.body.text;
    lint_text("body.text", text, BODY_MAX, fail);
    let found = placeholders(text);
    if let Some(bad) = found
        .iter()
        .find(|p| !format_matches(t.parameter_format, &p.name))
    {
        fail(
            "body.text",
            format!(
                "`{{{{{}}}}}` does not fit the {} format",
                bad.name, t.parameter_format
            ),
        );
        return;
    }
    if t.parameter_format == ParameterFormat::Positional {
        let names = placeholder_names(text);
        let mut numbers: Vec<usize> = names.iter().filter_map(|n| n.parse().ok()).collect();
        numbers.sort_unstable();
        if numbers.iter().enumerate().any(|(i, n)| *n != i + 1) {
            fail(
                "body.text",
                "number the placeholders {{1}} to {{n}} without gaps".into(),
            );
        }
    }
    if found
        .windows(2)
        .any(|w| text[w[0].end..w[1].start].trim().is_empty())
    {
        fail("body.text", "put words between placeholders".into());
    }
    let trimmed = text.trim();
    if trimmed.starts_with("{{") || trimmed.ends_with("}}") {
        fail(
            "body.text",
            "the text may not start or end with a placeholder".into(),
        );
    }
    for name in placeholder_names(text) {
        if t.body
            .examples
            .get(&name)
            .is_none_or(|e| e.trim().is_empty())
        {
            fail(
                &format!("body.examples.{name}"),
                "give a sample value".into(),
            );
        }
    }
}

fn lint_buttons(t: &TemplateContent, fail: &mut impl FnMut(&str, String)) {
    let count = |k: ButtonType| t.buttons.iter().filter(|b| b.kind == k).count();
    if t.buttons.len() > BUTTONS_MAX {
        fail("buttons", format!("at most {BUTTONS_MAX} buttons"));
    }
    if count(ButtonType::Url) > URL_BUTTONS_MAX {
        fail("buttons", format!("at most {URL_BUTTONS_MAX} URL buttons"));
    }
    if count(ButtonType::PhoneNumber) > 1 {
        fail("buttons", "at most one phone number button".into());
    }
    if count(ButtonType::CopyCode) > 1 {
        fail("buttons", "at most one copy code button".into());
    }
    if count(ButtonType::CopyCode) > 0 && t.category != TemplateCategory::Marketing {
        fail(
            "buttons",
            "a copy code button is for marketing templates".into(),
        );
    }
    for (i, b) in t.buttons.iter().enumerate() {
        let path = |f: &str| format!("buttons[{i}].{f}");
        if b.kind != ButtonType::CopyCode {
            lint_text(
                &path("text"),
                b.text.as_deref().unwrap_or_default(),
                BUTTON_TEXT_MAX,
                fail,
            );
        }
        match b.kind {
            ButtonType::Url => lint_url_button(b, &path("url"), &path("example"), fail),
            ButtonType::PhoneNumber => {
                let digits = b
                    .phone_number
                    .as_deref()
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .count();
                if !(6..=20).contains(&digits) {
                    fail(
                        &path("phone_number"),
                        "a phone number with country code".into(),
                    );
                }
            }
            ButtonType::CopyCode => {
                if b.example
                    .as_deref()
                    .is_none_or(|e| e.trim().is_empty() || e.len() > 15)
                {
                    fail(
                        &path("example"),
                        "a sample code of at most 15 characters".into(),
                    );
                }
            }
            ButtonType::QuickReply => {}
        }
    }
}

fn lint_url_button(
    b: &TemplateButton,
    url_path: &str,
    example_path: &str,
    fail: &mut impl FnMut(&str, String),
) {
    let url = b.url.as_deref().unwrap_or_default();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
        fail(url_path, "an http(s) address".into());
        return;
    }
    let found = placeholders(url);
    match found.as_slice() {
        [] => {}
        [p] if p.name == "1" && p.end == url.len() => {
            if b.example.as_deref().is_none_or(|e| !e.starts_with("http")) {
                fail(example_path, "a sample of the full address".into());
            }
        }
        _ => fail(url_path, "only one {{1}}, at the end of the address".into()),
    }
}

/// What is known about the lead a template goes to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadValues {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub slots: BTreeMap<String, String>,
}

impl LeadValues {
    fn field(&self, key: &str) -> Option<String> {
        let first_name = || {
            self.name
                .as_deref()
                .and_then(|n| n.split_whitespace().next())
                .map(str::to_owned)
        };
        let v = match key {
            "name" => self.name.clone(),
            "first_name" => first_name(),
            "phone" => self.phone.clone(),
            "email" => self.email.clone(),
            "city" => self.city.clone(),
            _ => None,
        };
        v.filter(|v| !v.trim().is_empty())
    }
}

/// A placeholder's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilledValue {
    pub value: String,
    pub source: ValueSource,
}

/// Every placeholder of a template, by key: the body's names, `header`, `button:INDEX`.
pub fn variable_keys(t: &TemplateContent) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(h) = t.header.as_ref().filter(|h| h.format == HeaderFormat::Text)
        && !placeholders(h.text.as_deref().unwrap_or_default()).is_empty()
    {
        keys.push("header".to_owned());
    }
    keys.extend(placeholder_names(&t.body.text));
    for (i, b) in t.buttons.iter().enumerate() {
        if b.kind == ButtonType::Url
            && !placeholders(b.url.as_deref().unwrap_or_default()).is_empty()
        {
            keys.push(format!("button:{i}"));
        }
    }
    keys
}

fn example_of(t: &TemplateContent, key: &str) -> Option<String> {
    match key {
        "header" => t.header.as_ref().and_then(|h| h.example.clone()),
        k if k.starts_with("button:") => {
            let i: usize = k["button:".len()..].parse().ok()?;
            let b = t.buttons.get(i)?;
            let prefix = b.url.as_deref()?.split("{{").next()?;
            b.example
                .as_deref()?
                .strip_prefix(prefix)
                .map(str::to_owned)
        }
        k => t.body.examples.get(k).cloned(),
    }
}

/// Fills every placeholder: what the sender gave, else its mapping, else its fallback; with
/// `use_examples` (a preview) Meta's sample stands in for what is still missing. Answers the
/// values and the keys nothing filled.
pub fn fill(
    t: &TemplateContent,
    mappings: &BTreeMap<String, VariableMapping>,
    given: &BTreeMap<String, String>,
    lead: &LeadValues,
    use_examples: bool,
) -> (BTreeMap<String, FilledValue>, Vec<String>) {
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for key in variable_keys(t) {
        let filled = |value: String, source| Some(FilledValue { value, source });
        let mapped = mappings.get(&key);
        let found = given
            .get(&key)
            .filter(|v| !v.trim().is_empty())
            .and_then(|v| filled(v.clone(), ValueSource::Given))
            .or_else(|| {
                let m = mapped?;
                match m.source {
                    VariableSource::Slot => lead
                        .slots
                        .get(&m.key)
                        .filter(|v| !v.trim().is_empty())
                        .cloned()
                        .and_then(|v| filled(v, ValueSource::Slot)),
                    VariableSource::Contact => lead
                        .field(&m.key)
                        .and_then(|v| filled(v, ValueSource::Contact)),
                    VariableSource::Static => Some(m.key.clone())
                        .filter(|v| !v.trim().is_empty())
                        .and_then(|v| filled(v, ValueSource::Static)),
                }
            })
            .or_else(|| {
                mapped
                    .and_then(|m| m.fallback.clone())
                    .filter(|v| !v.trim().is_empty())
                    .and_then(|v| filled(v, ValueSource::Fallback))
            });
        match found {
            Some(v) => {
                values.insert(key, v);
            }
            None => {
                missing.push(key.clone());
                if use_examples && let Some(e) = example_of(t, &key) {
                    values.insert(
                        key,
                        FilledValue {
                            value: e,
                            source: ValueSource::Example,
                        },
                    );
                }
            }
        }
    }
    (values, missing)
}

/// `text` with each placeholder replaced by `values[key_of(name)]`, left as is when unknown.
pub fn render_with(text: &str, value_of: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for p in placeholders(text) {
        out.push_str(&text[last..p.start]);
        match value_of(&p.name) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&text[p.start..p.end]),
        }
        last = p.end;
    }
    out.push_str(&text[last..]);
    out
}

/// The template as the lead reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rendered {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// Button labels, in order.
    pub buttons: Vec<String>,
}

impl Rendered {
    /// One text for the inbox and the conversation's preview line.
    pub fn as_text(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(h) = self.header.as_deref() {
            parts.push(h);
        }
        parts.push(&self.body);
        if let Some(f) = self.footer.as_deref() {
            parts.push(f);
        }
        parts.join("\n\n")
    }
}

pub fn render(t: &TemplateContent, values: &BTreeMap<String, FilledValue>) -> Rendered {
    let get = |k: &str| values.get(k).map(|v| v.value.clone());
    Rendered {
        header: t
            .header
            .as_ref()
            .map(|h| match (h.format, h.text.as_deref()) {
                (HeaderFormat::Text, Some(text)) => render_with(text, |_| get("header")),
                (format, _) => format!("[{format}]"),
            }),
        body: render_with(&t.body.text, get),
        footer: t.footer.as_ref().map(|f| f.text.clone()),
        buttons: t
            .buttons
            .iter()
            .map(|b| b.text.clone().unwrap_or_else(|| "Copy code".into()))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
