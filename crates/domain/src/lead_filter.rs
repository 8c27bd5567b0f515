//! The filter document of the CRM (API.md, *CRM*, "Filter:"): `[{field, operator, value,
//! glue}]`, at most 30 conditions, `glue` `and` (default) or `or`, AND binding tighter than
//! OR. One parser for every door — the leads list (`filter=`), saved views, export, bulk
//! operations and, later, broadcast audiences — so a filter means the same thing everywhere.
//!
//! [`parse`] checks the raw JSON against the organisation's custom fields and returns a typed
//! [`Filter`] (an OR of AND groups), or every problem by path (`filter[2].operator`). The
//! store turns a `Filter` into SQL; nothing here knows about databases.

use crate::leads::CustomFieldType;
use crate::sales::{LeadSource, LeadStatus};
use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

/// Most conditions one filter may hold.
pub const MAX_CONDITIONS: usize = 30;
/// Most values an `in`/`not_in`/`all_of` list may hold.
pub const MAX_VALUES: usize = 200;

/// A custom field as the filter needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub key: String,
    pub kind: CustomFieldType,
    pub options: Vec<String>,
}

/// A lead column a filter may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Phone,
    Bsuid,
    Name,
    Email,
    Business,
    Website,
    City,
    Language,
    LeadStatus,
    LeadSource,
    Score,
    ValueMinor,
    OptedOut,
    CreatedAt,
    UpdatedAt,
    FirstSeenAt,
    LastSeenAt,
    StageId,
    OwnerId,
    Campaign,
}

/// What a filter condition is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Column(Column),
    Tags,
    Custom(FieldDef),
    /// A fact of the event an automation reacts to (only in automation conditions).
    Event(EventField),
}

text_enum!(
    /// The facts of an automation's event a condition may name besides the lead's fields.
    EventField {
        MessageText = "message.text",
        MessageType = "message.type",
        Tag = "tag",
        StageFrom = "stage.from",
        StageTo = "stage.to",
        CtaType = "cta.type",
        CampaignId = "campaign.id",
        ConversationMode = "conversation.mode",
    }
);

impl EventField {
    fn kind(self) -> Kind {
        match self {
            EventField::MessageText | EventField::Tag | EventField::CampaignId => Kind::Text,
            EventField::MessageType
            | EventField::StageFrom
            | EventField::StageTo
            | EventField::CtaType
            | EventField::ConversationMode => Kind::Enum,
        }
    }
}

impl Field {
    /// The name a filter document uses for the field.
    pub fn name(&self) -> String {
        match self {
            Field::Tags => "tags".into(),
            Field::Custom(def) => format!("custom_fields.{}", def.key),
            Field::Event(e) => e.as_str().into(),
            Field::Column(c) => COLUMNS
                .iter()
                .find(|(_, col, _)| col == c)
                .map(|(n, _, _)| (*n).to_owned())
                .unwrap_or_default(),
        }
    }

    /// How the field's values compare.
    pub fn kind(&self) -> Kind {
        match self {
            Field::Tags => Kind::Set,
            Field::Custom(def) => kind_of_custom(def.kind),
            Field::Event(e) => e.kind(),
            Field::Column(c) => COLUMNS
                .iter()
                .find(|(_, col, _)| col == c)
                .map(|(_, _, k)| *k)
                .unwrap_or(Kind::Text),
        }
    }
}

/// How a field's values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    /// A timestamp column (compared by day) or a custom date (`YYYY-MM-DD` text).
    Date,
    /// One of a closed set: lead_status, lead_source, stage_id, owner_id, select fields.
    Enum,
    Boolean,
    /// Tags and multiselect fields: a set of values.
    Set,
}

const COLUMNS: &[(&str, Column, Kind)] = &[
    ("phone", Column::Phone, Kind::Text),
    ("bsuid", Column::Bsuid, Kind::Text),
    ("name", Column::Name, Kind::Text),
    ("email", Column::Email, Kind::Text),
    ("business", Column::Business, Kind::Text),
    ("website", Column::Website, Kind::Text),
    ("city", Column::City, Kind::Text),
    ("language", Column::Language, Kind::Text),
    ("lead_status", Column::LeadStatus, Kind::Enum),
    ("lead_source", Column::LeadSource, Kind::Enum),
    ("score", Column::Score, Kind::Number),
    ("value_minor", Column::ValueMinor, Kind::Number),
    ("opted_out", Column::OptedOut, Kind::Boolean),
    ("created_at", Column::CreatedAt, Kind::Date),
    ("updated_at", Column::UpdatedAt, Kind::Date),
    ("first_seen_at", Column::FirstSeenAt, Kind::Date),
    ("last_seen_at", Column::LastSeenAt, Kind::Date),
    ("stage_id", Column::StageId, Kind::Enum),
    ("owner_id", Column::OwnerId, Kind::Enum),
    ("campaign", Column::Campaign, Kind::Text),
];

/// Every field name a filter accepts besides `custom_fields.KEY`.
pub fn column_names() -> impl Iterator<Item = &'static str> {
    COLUMNS
        .iter()
        .map(|(n, _, _)| *n)
        .chain(std::iter::once("tags"))
}

text_enum!(
    /// How a condition compares.
    Operator {
        EqualTo = "equal_to",
        NotEqualTo = "not_equal_to",
        Contains = "contains",
        DoesNotContain = "does_not_contain",
        StartsWith = "starts_with",
        In = "in",
        NotIn = "not_in",
        GreaterThan = "greater_than",
        LessThan = "less_than",
        Between = "between",
        WithinLastDays = "within_last_days",
        AllOf = "all_of",
        IsPresent = "is_present",
        IsNotPresent = "is_not_present",
    }
);

impl Kind {
    /// The operators a field of this kind takes.
    pub fn operators(self) -> &'static [Operator] {
        use Operator as O;
        match self {
            Kind::Text => &[
                O::EqualTo,
                O::NotEqualTo,
                O::Contains,
                O::DoesNotContain,
                O::StartsWith,
                O::In,
                O::NotIn,
                O::IsPresent,
                O::IsNotPresent,
            ],
            Kind::Number => &[
                O::EqualTo,
                O::GreaterThan,
                O::LessThan,
                O::Between,
                O::IsPresent,
                O::IsNotPresent,
            ],
            Kind::Date => &[
                O::EqualTo,
                O::GreaterThan,
                O::LessThan,
                O::Between,
                O::WithinLastDays,
                O::IsPresent,
                O::IsNotPresent,
            ],
            Kind::Enum | Kind::Boolean => &[
                O::EqualTo,
                O::NotEqualTo,
                O::In,
                O::NotIn,
                O::IsPresent,
                O::IsNotPresent,
            ],
            Kind::Set => &[O::In, O::AllOf, O::NotIn, O::IsPresent, O::IsNotPresent],
        }
    }
}

/// A checked operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    None,
    Text(String),
    Texts(Vec<String>),
    Number(f64),
    NumberRange(f64, f64),
    /// A day; `between` holds both ends, inclusive.
    Date(NaiveDate),
    DateRange(NaiveDate, NaiveDate),
    Days(u32),
    Bool(bool),
    Bools(Vec<bool>),
}

/// One checked condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: Field,
    pub operator: Operator,
    pub operand: Operand,
}

/// A checked filter: any group holds (OR) when all of its conditions hold (AND). Empty = all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub groups: Vec<Vec<Condition>>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(Vec::is_empty)
    }
}

/// A problem with the document, by path (`filter[2].operator`).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

fn kind_of_custom(t: CustomFieldType) -> Kind {
    match t {
        CustomFieldType::Text | CustomFieldType::Url => Kind::Text,
        CustomFieldType::Number | CustomFieldType::Currency => Kind::Number,
        CustomFieldType::Date => Kind::Date,
        CustomFieldType::Select => Kind::Enum,
        CustomFieldType::Boolean => Kind::Boolean,
        CustomFieldType::Multiselect => Kind::Set,
    }
}

fn field_of(name: &str, defs: &[FieldDef], events: bool) -> Option<(Field, Kind)> {
    if events && let Ok(e) = name.parse::<EventField>() {
        // Only the canonical spelling: `tag` must not read as a lead column.
        if e.as_str() == name {
            return Some((Field::Event(e), e.kind()));
        }
    }
    if name == "tags" {
        return Some((Field::Tags, Kind::Set));
    }
    if let Some(key) = name.strip_prefix("custom_fields.") {
        let def = defs.iter().find(|d| d.key == key)?;
        return Some((Field::Custom(def.clone()), kind_of_custom(def.kind)));
    }
    COLUMNS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, c, k)| (Field::Column(*c), *k))
}

/// Parses a filter document (the JSON array) with the organisation's custom fields.
pub fn parse(raw: &Value, defs: &[FieldDef]) -> Result<Filter, Vec<Problem>> {
    parse_at("filter", raw, defs)
}

/// As [`parse`], naming problems under `root` (`filter`, or a view's `filter`).
pub fn parse_at(root: &str, raw: &Value, defs: &[FieldDef]) -> Result<Filter, Vec<Problem>> {
    parse_with(root, raw, defs, false)
}

/// An automation's conditions: the CRM filter plus the facts of its event ([`EventField`]).
pub fn parse_with_events(
    root: &str,
    raw: &Value,
    defs: &[FieldDef],
) -> Result<Filter, Vec<Problem>> {
    parse_with(root, raw, defs, true)
}

fn parse_with(
    root: &str,
    raw: &Value,
    defs: &[FieldDef],
    events: bool,
) -> Result<Filter, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut fail = |path: String, message: &str| {
        problems.push(Problem {
            path,
            message: message.to_owned(),
        })
    };
    let items = match raw {
        Value::Null => return Ok(Filter::default()),
        Value::Array(items) => items,
        _ => {
            fail(root.to_owned(), "must be a list of conditions");
            return Err(problems);
        }
    };
    if items.len() > MAX_CONDITIONS {
        fail(
            root.to_owned(),
            &format!("at most {MAX_CONDITIONS} conditions"),
        );
        return Err(problems);
    }
    let mut groups: Vec<Vec<Condition>> = vec![Vec::new()];
    for (i, item) in items.iter().enumerate() {
        let at = |k: &str| format!("{root}[{i}].{k}");
        let Value::Object(obj) = item else {
            fail(format!("{root}[{i}]"), "must be an object");
            continue;
        };
        if let Some(k) = obj
            .keys()
            .find(|k| !["field", "operator", "value", "glue"].contains(&k.as_str()))
        {
            fail(at(k), "unknown key; use field, operator, value, glue");
        }
        match obj.get("glue") {
            None | Some(Value::Null) => {}
            Some(Value::String(g)) if g == "and" => {}
            Some(Value::String(g)) if g == "or" => {
                if i > 0 {
                    groups.push(Vec::new());
                }
            }
            Some(_) => fail(at("glue"), "must be and or or"),
        }
        let field = match obj.get("field").and_then(Value::as_str) {
            None => {
                fail(at("field"), "is required");
                None
            }
            Some(name) => match field_of(name, defs, events) {
                Some(f) => Some(f),
                None => {
                    fail(
                        at("field"),
                        "unknown field; use a lead field, tags or custom_fields.KEY",
                    );
                    None
                }
            },
        };
        let operator = match obj.get("operator").and_then(Value::as_str) {
            None => {
                fail(at("operator"), "is required");
                None
            }
            Some(op) => match op.parse::<Operator>() {
                Ok(op) => Some(op),
                Err(_) => {
                    fail(at("operator"), "unknown operator");
                    None
                }
            },
        };
        let (Some((field, kind)), Some(operator)) = (field, operator) else {
            continue;
        };
        if !kind.operators().contains(&operator) {
            let allowed: Vec<&str> = kind.operators().iter().map(|o| o.as_str()).collect();
            fail(
                at("operator"),
                &format!("this field takes {}", allowed.join(", ")),
            );
            continue;
        }
        let value = obj.get("value").unwrap_or(&Value::Null);
        match operand(&field, kind, operator, value) {
            Ok(operand) => groups.last_mut().expect("a group").push(Condition {
                field,
                operator,
                operand,
            }),
            Err(msg) => fail(at("value"), &msg),
        }
    }
    if problems.is_empty() {
        groups.retain(|g| !g.is_empty());
        Ok(Filter { groups })
    } else {
        Err(problems)
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty() && s.len() <= 500),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

fn date_of(v: &Value) -> Option<NaiveDate> {
    let s = v.as_str()?.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&chrono::Utc).date_naive())
    })
}

fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The allowed values of an enum field, checked and in their stored spelling.
fn enum_value(field: &Field, v: &Value) -> Result<String, String> {
    let text = text_of(v).ok_or("must be a value")?;
    match field {
        Field::Column(Column::LeadStatus) => text
            .parse::<LeadStatus>()
            .map(|s| s.as_str().to_owned())
            .map_err(|e| e.0),
        Field::Column(Column::LeadSource) => text
            .parse::<LeadSource>()
            .map(|s| s.as_str().to_owned())
            .map_err(|e| e.0),
        Field::Event(EventField::MessageType) => text
            .parse::<crate::messaging::MessageType>()
            .map(|s| s.as_str().to_owned())
            .map_err(|e| e.0),
        Field::Event(EventField::ConversationMode) => text
            .parse::<crate::messaging::ConversationMode>()
            .map(|s| s.as_str().to_owned())
            .map_err(|e| e.0),
        Field::Event(EventField::CtaType) => text
            .parse::<crate::sales::CtaType>()
            .map(|s| s.as_str().to_owned())
            .map_err(|e| e.0),
        Field::Column(Column::StageId | Column::OwnerId)
        | Field::Event(EventField::StageFrom | EventField::StageTo) => Uuid::parse_str(&text)
            .map(|u| u.to_string())
            .map_err(|_| "must be an id".to_owned()),
        Field::Custom(def) => def
            .options
            .iter()
            .find(|o| **o == text)
            .cloned()
            .ok_or_else(|| format!("must be one of: {}", def.options.join(", "))),
        _ => Ok(text),
    }
}

fn list_of(v: &Value) -> Result<&Vec<Value>, String> {
    match v {
        Value::Array(items) if !items.is_empty() && items.len() <= MAX_VALUES => Ok(items),
        Value::Array(items) if items.is_empty() => Err("must list at least one value".into()),
        Value::Array(_) => Err(format!("at most {MAX_VALUES} values")),
        _ => Err("must be a list of values".into()),
    }
}

fn operand(field: &Field, kind: Kind, op: Operator, v: &Value) -> Result<Operand, String> {
    use Operator as O;
    if matches!(op, O::IsPresent | O::IsNotPresent) {
        return Ok(Operand::None);
    }
    match (kind, op) {
        (Kind::Text, O::In | O::NotIn) => list_of(v)?
            .iter()
            .map(|x| text_of(x).ok_or_else(|| "each must be text".to_owned()))
            .collect::<Result<_, _>>()
            .map(Operand::Texts),
        (Kind::Text, _) => text_of(v)
            .map(Operand::Text)
            .ok_or_else(|| "must be text of 1 to 500 characters".into()),
        (Kind::Date, O::WithinLastDays) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|d| (1..=36_500).contains(d))
            .map(|d| Operand::Days(d as u32))
            .ok_or_else(|| "must be a number of days from 1 to 36500".into()),
        (Kind::Number, O::Between) => match list_of(v)?.as_slice() {
            [a, b] => match (number_of(a), number_of(b)) {
                (Some(a), Some(b)) if a <= b => Ok(Operand::NumberRange(a, b)),
                _ => Err("must be two numbers, lowest first".into()),
            },
            _ => Err("must be two numbers, lowest first".into()),
        },
        (Kind::Number, _) => number_of(v)
            .map(Operand::Number)
            .ok_or_else(|| "must be a number".into()),
        (Kind::Date, O::Between) => match list_of(v)?.as_slice() {
            [a, b] => match (date_of(a), date_of(b)) {
                (Some(a), Some(b)) if a <= b => Ok(Operand::DateRange(a, b)),
                _ => Err("must be two dates YYYY-MM-DD, earliest first".into()),
            },
            _ => Err("must be two dates YYYY-MM-DD, earliest first".into()),
        },
        (Kind::Date, _) => date_of(v)
            .map(Operand::Date)
            .ok_or_else(|| "must be a date YYYY-MM-DD".into()),
        (Kind::Boolean, O::In | O::NotIn) => list_of(v)?
            .iter()
            .map(|x| bool_of(x).ok_or_else(|| "each must be true or false".to_owned()))
            .collect::<Result<_, _>>()
            .map(Operand::Bools),
        (Kind::Boolean, _) => bool_of(v)
            .map(Operand::Bool)
            .ok_or_else(|| "must be true or false".into()),
        (Kind::Enum, O::In | O::NotIn) => list_of(v)?
            .iter()
            .map(|x| enum_value(field, x))
            .collect::<Result<_, _>>()
            .map(Operand::Texts),
        (Kind::Enum, _) => enum_value(field, v).map(Operand::Text),
        (Kind::Set, _) => {
            let items = match v {
                Value::String(_) => vec![v.clone()],
                _ => list_of(v)?.clone(),
            };
            let mut out = Vec::new();
            for x in &items {
                let t = match field {
                    Field::Custom(_) => enum_value(field, x)?,
                    _ => text_of(x).ok_or("each must be a tag name")?,
                };
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            Ok(Operand::Texts(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn defs() -> Vec<FieldDef> {
        vec![
            FieldDef {
                key: "budget".into(),
                kind: CustomFieldType::Number,
                options: vec![],
            },
            FieldDef {
                key: "plan".into(),
                kind: CustomFieldType::Select,
                options: vec!["basic".into(), "pro".into()],
            },
            FieldDef {
                key: "langs".into(),
                kind: CustomFieldType::Multiselect,
                options: vec!["en".into(), "hi".into()],
            },
        ]
    }

    fn paths(raw: Value) -> Vec<String> {
        parse(&raw, &defs())
            .unwrap_err()
            .into_iter()
            .map(|p| p.path)
            .collect()
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let f = parse(
            &json!([
                {"field": "city", "operator": "equal_to", "value": "Pune"},
                {"field": "score", "operator": "greater_than", "value": 50, "glue": "and"},
                {"field": "tags", "operator": "in", "value": ["vip"], "glue": "or"},
                {"field": "custom_fields.plan", "operator": "equal_to", "value": "pro"}
            ]),
            &defs(),
        )
        .unwrap();
        assert_eq!(f.groups.len(), 2);
        assert_eq!(f.groups[0].len(), 2);
        assert_eq!(f.groups[1].len(), 2);
        assert_eq!(f.groups[1][1].operand, Operand::Text("pro".into()));
    }

    #[test]
    fn problems_are_named_by_path() {
        assert_eq!(
            paths(json!([
                {"field": "city", "operator": "equal_to", "value": "Pune"},
                {"field": "nope", "operator": "equal_to", "value": 1},
                {"field": "score", "operator": "contains", "value": "x"},
                {"field": "lead_status", "operator": "equal_to", "value": "warmish"},
                {"field": "custom_fields.plan", "operator": "in", "value": ["gold"]},
                {"field": "created_at", "operator": "between", "value": ["2026-02-01", "2026-01-01"]},
                {"field": "city", "operator": "equal_to", "value": "x", "glue": "xor"}
            ])),
            vec![
                "filter[1].field",
                "filter[2].operator",
                "filter[3].value",
                "filter[4].value",
                "filter[5].value",
                "filter[6].glue"
            ]
        );
        assert_eq!(paths(json!({"field": "city"})), vec!["filter"]);
        let many: Vec<Value> = (0..31)
            .map(|_| json!({"field": "city", "operator": "is_present"}))
            .collect();
        assert_eq!(paths(Value::Array(many)), vec!["filter"]);
        assert!(parse(&Value::Null, &defs()).unwrap().is_empty());
    }

    #[test]
    fn values_are_read_leniently_and_checked_strictly() {
        let f = parse(
            &json!([
                {"field": "opted_out", "operator": "equal_to", "value": "no"},
                {"field": "last_seen_at", "operator": "within_last_days", "value": "7"},
                {"field": "lead_status", "operator": "in", "value": ["HOT", "new"]},
                {"field": "custom_fields.langs", "operator": "all_of", "value": ["en", "hi", "en"]}
            ]),
            &defs(),
        )
        .unwrap();
        let ops: Vec<Operand> = f.groups[0].iter().map(|c| c.operand.clone()).collect();
        assert_eq!(
            ops,
            vec![
                Operand::Bool(false),
                Operand::Days(7),
                Operand::Texts(vec!["hot".into(), "new".into()]),
                Operand::Texts(vec!["en".into(), "hi".into()]),
            ]
        );
    }

    fn condition() -> impl Strategy<Value = Value> {
        let text_ops = prop::sample::select(vec![
            "equal_to",
            "not_equal_to",
            "contains",
            "does_not_contain",
            "starts_with",
        ]);
        prop_oneof![
            (
                prop::sample::select(vec!["name", "city", "email"]),
                text_ops,
                "[a-z]{1,10}"
            )
                .prop_map(|(f, o, v)| json!({"field": f, "operator": o, "value": v})),
            (
                prop::sample::select(vec!["greater_than", "less_than", "equal_to"]),
                0i64..1000
            )
                .prop_map(|(o, v)| json!({"field": "score", "operator": o, "value": v})),
            (0u32..10).prop_map(
                |d| json!({"field": "created_at", "operator": "within_last_days", "value": d + 1})
            ),
            prop::sample::select(vec!["is_present", "is_not_present"])
                .prop_map(|o| json!({"field": "owner_id", "operator": o})),
            prop::collection::vec("[a-z]{1,8}", 1..4)
                .prop_map(|v| json!({"field": "tags", "operator": "all_of", "value": v})),
        ]
    }

    proptest! {
        /// A well-formed document parses, and the groups hold exactly its conditions, split
        /// at each `or`.
        #[test]
        fn well_formed_documents_parse(
            conds in prop::collection::vec((condition(), any::<bool>()), 0..30)
        ) {
            let mut doc = Vec::new();
            let mut ors = 0;
            for (i, (mut c, or)) in conds.into_iter().enumerate() {
                if or {
                    c["glue"] = json!("or");
                    if i > 0 { ors += 1; }
                }
                doc.push(c);
            }
            let n = doc.len();
            let f = parse(&Value::Array(doc), &defs()).unwrap();
            prop_assert_eq!(f.groups.iter().map(Vec::len).sum::<usize>(), n);
            prop_assert_eq!(f.groups.len(), if n == 0 { 0 } else { ors + 1 });
        }

        /// Anything at all is either a filter or a list of problems under `filter`, never a
        /// panic.
        #[test]
        fn any_json_is_answered(
            field in "[a-z_.]{0,20}", op in "[a-z_]{0,16}", v in prop::option::of("[ -~]{0,10}"),
            n in 0usize..4
        ) {
            let item = json!({"field": field, "operator": op, "value": v});
            let doc = Value::Array(vec![item; n]);
            if let Err(problems) = parse(&doc, &defs()) {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(p.path.starts_with("filter["), "{}", p.path);
                }
            }
        }
    }
}
