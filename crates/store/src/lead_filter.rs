//! The one translation of a checked filter document (`closer_domain::lead_filter::Filter`)
//! into SQL, used wherever leads are selected by a filter: the list and search, saved views,
//! export, bulk operations (and, later, broadcast audiences). It is reached through
//! [`crate::leads::LeadFilter::doc`], so every caller shares the list's query.
//!
//! Text compares ignore case. Timestamps compare by UTC day (`equal_to 2026-03-01` is that
//! whole day; `between` includes both days). Custom field values live in the lead's JSON
//! column and are read with each database's JSON functions.

use crate::Backend;
use crate::entities::{lead, lead_tag, pipeline_card, tag};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use closer_domain::lead_filter::{Column, Condition as Cond, Field, Filter, Operand, Operator};
use closer_domain::leads::{CustomFieldType, tag_folded};
use sea_orm::sea_query::{Expr, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ExprTrait};
use uuid::Uuid;

/// The SQL condition a filter stands for (every group is an AND; any group holding is enough).
pub(crate) fn condition(
    backend: Backend,
    org_id: Uuid,
    f: &Filter,
    now: DateTime<Utc>,
) -> Condition {
    condition_with(backend, org_id, f, now, SetCheck::Set)
}

/// How "is among these leads" is asked, for a tag ("has tag X") or a search word: `Set` = the
/// lead is among the set's leads, which may drive the plan; `PerLead` = the lead's own rows are
/// checked while the list's order is walked (see `OrgScope::leads` for when each is quicker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetCheck {
    Set,
    PerLead,
}

pub(crate) fn condition_with(
    backend: Backend,
    org_id: Uuid,
    f: &Filter,
    now: DateTime<Utc>,
    tags: SetCheck,
) -> Condition {
    let mut any = Condition::any();
    for group in &f.groups {
        let mut all = Condition::all();
        for c in group {
            all = all.add(one(backend, org_id, c, now, tags));
        }
        any = any.add(all);
    }
    any
}

/// The tags a filter requires a lead to carry (`in`, `all_of`), as written.
pub(crate) fn required_tags(f: &Filter) -> Vec<String> {
    f.groups
        .iter()
        .flatten()
        .filter(|c| matches!(c.field, Field::Tags))
        .filter(|c| matches!(c.operator, Operator::In | Operator::AllOf))
        .flat_map(|c| texts(&c.operand).1)
        .collect()
}

/// `LIKE` pattern text with its wildcards escaped (`\` is the escape).
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn always(yes: bool) -> Condition {
    let e: SimpleExpr = Expr::val(1).eq(if yes { 1 } else { 0 });
    Condition::all().add(e)
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

fn lower(e: SimpleExpr) -> SimpleExpr {
    Func::lower(e).into()
}

/// Text operators on a nullable text expression, ignoring case.
fn text_cond(e: SimpleExpr, op: Operator, operand: &Operand) -> Condition {
    let missing = || {
        Condition::any()
            .add(e.clone().is_null())
            .add(e.clone().eq(""))
    };
    match (op, operand) {
        (Operator::IsPresent, _) => missing().not(),
        (Operator::IsNotPresent, _) => missing(),
        (Operator::EqualTo, Operand::Text(t)) => {
            Condition::all().add(lower(e).eq(t.to_lowercase()))
        }
        (Operator::NotEqualTo, Operand::Text(t)) => Condition::any()
            .add(e.clone().is_null())
            .add(lower(e).ne(t.to_lowercase())),
        (Operator::Contains, Operand::Text(t)) => Condition::all().add(
            lower(e)
                .like(LikeExpr::new(format!("%{}%", like_escape(&t.to_lowercase()))).escape('\\')),
        ),
        (Operator::DoesNotContain, Operand::Text(t)) => Condition::any()
            .add(e.clone().is_null())
            .add(lower(e).not_like(
                LikeExpr::new(format!("%{}%", like_escape(&t.to_lowercase()))).escape('\\'),
            )),
        (Operator::StartsWith, Operand::Text(t)) => Condition::all().add(
            lower(e)
                .like(LikeExpr::new(format!("{}%", like_escape(&t.to_lowercase()))).escape('\\')),
        ),
        (Operator::In, Operand::Texts(ts)) => Condition::all()
            .add(lower(e).is_in(ts.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>())),
        (Operator::NotIn, Operand::Texts(ts)) => Condition::any()
            .add(e.clone().is_null())
            .add(lower(e).is_not_in(ts.iter().map(|t| t.to_lowercase()).collect::<Vec<_>>())),
        _ => always(false),
    }
}

/// Exact operators on a value of a closed set (`IN`, `=`), NULL counting as "not equal".
fn enum_cond<V: Into<sea_orm::Value> + Clone>(
    e: SimpleExpr,
    op: Operator,
    one: Option<V>,
    many: Vec<V>,
) -> Condition {
    match op {
        Operator::IsPresent => Condition::all().add(e.is_not_null()),
        Operator::IsNotPresent => Condition::all().add(e.is_null()),
        Operator::EqualTo => match one {
            Some(v) => Condition::all().add(e.eq(v.into())),
            None => always(false),
        },
        Operator::NotEqualTo => match one {
            Some(v) => Condition::any()
                .add(e.clone().is_null())
                .add(e.ne(v.into())),
            None => always(true),
        },
        Operator::In => Condition::all().add(
            e.is_in(
                many.into_iter()
                    .map(Into::into)
                    .collect::<Vec<sea_orm::Value>>(),
            ),
        ),
        Operator::NotIn => Condition::any().add(e.clone().is_null()).add(
            e.is_not_in(
                many.into_iter()
                    .map(Into::into)
                    .collect::<Vec<sea_orm::Value>>(),
            ),
        ),
        _ => always(false),
    }
}

fn number_cond(e: SimpleExpr, op: Operator, operand: &Operand) -> Condition {
    match (op, operand) {
        (Operator::IsPresent, _) => Condition::all().add(e.is_not_null()),
        (Operator::IsNotPresent, _) => Condition::all().add(e.is_null()),
        (Operator::EqualTo, Operand::Number(n)) => Condition::all().add(e.eq(*n)),
        (Operator::GreaterThan, Operand::Number(n)) => Condition::all().add(e.gt(*n)),
        (Operator::LessThan, Operand::Number(n)) => Condition::all().add(e.lt(*n)),
        (Operator::Between, Operand::NumberRange(a, b)) => {
            Condition::all().add(e.clone().gte(*a)).add(e.lte(*b))
        }
        _ => always(false),
    }
}

/// Timestamps, by UTC day.
fn time_cond(e: SimpleExpr, op: Operator, operand: &Operand, now: DateTime<Utc>) -> Condition {
    let next = |d: &NaiveDate| day_start(*d + Duration::days(1));
    match (op, operand) {
        (Operator::IsPresent, _) => Condition::all().add(e.is_not_null()),
        (Operator::IsNotPresent, _) => Condition::all().add(e.is_null()),
        (Operator::EqualTo, Operand::Date(d)) => Condition::all()
            .add(e.clone().gte(day_start(*d)))
            .add(e.lt(next(d))),
        (Operator::GreaterThan, Operand::Date(d)) => Condition::all().add(e.gte(next(d))),
        (Operator::LessThan, Operand::Date(d)) => Condition::all().add(e.lt(day_start(*d))),
        (Operator::Between, Operand::DateRange(a, b)) => Condition::all()
            .add(e.clone().gte(day_start(*a)))
            .add(e.lt(next(b))),
        (Operator::WithinLastDays, Operand::Days(n)) => {
            Condition::all().add(e.gte(now - Duration::days(i64::from(*n))))
        }
        _ => always(false),
    }
}

/// Custom dates are stored `YYYY-MM-DD`: text order is date order.
fn day_text_cond(e: SimpleExpr, op: Operator, operand: &Operand, now: DateTime<Utc>) -> Condition {
    let s = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
    match (op, operand) {
        (Operator::IsPresent, _) => Condition::all().add(e.is_not_null()),
        (Operator::IsNotPresent, _) => Condition::all().add(e.is_null()),
        (Operator::EqualTo, Operand::Date(d)) => Condition::all().add(e.eq(s(d))),
        (Operator::GreaterThan, Operand::Date(d)) => Condition::all().add(e.gt(s(d))),
        (Operator::LessThan, Operand::Date(d)) => Condition::all().add(e.lt(s(d))),
        (Operator::Between, Operand::DateRange(a, b)) => {
            Condition::all().add(e.clone().gte(s(a))).add(e.lte(s(b)))
        }
        (Operator::WithinLastDays, Operand::Days(n)) => {
            Condition::all().add(e.gte(s(&(now.date_naive() - Duration::days(i64::from(*n))))))
        }
        _ => always(false),
    }
}

fn bool_cond(e: SimpleExpr, op: Operator, operand: &Operand) -> Condition {
    match (op, operand) {
        (Operator::EqualTo, Operand::Bool(b)) => enum_cond(e, op, Some(*b), vec![]),
        (Operator::NotEqualTo, Operand::Bool(b)) => enum_cond(e, op, Some(*b), vec![]),
        (Operator::In | Operator::NotIn, Operand::Bools(bs)) => {
            enum_cond::<bool>(e, op, None, bs.clone())
        }
        _ => enum_cond::<bool>(e, op, None, vec![]),
    }
}

fn texts(operand: &Operand) -> (Option<String>, Vec<String>) {
    match operand {
        Operand::Text(t) => (Some(t.clone()), vec![t.clone()]),
        Operand::Texts(ts) => (ts.first().cloned(), ts.clone()),
        _ => (None, vec![]),
    }
}

fn col(c: lead::Column) -> SimpleExpr {
    Expr::col((lead::Entity, c))
}

/// Leads holding a tag whose folded name is one of `names` (`None`: any tag).
pub(crate) fn tagged(
    org_id: Uuid,
    names: Option<Vec<String>>,
) -> sea_orm::sea_query::SelectStatement {
    // `lead_tags_tag` starts with org_id: without it every tagging would be scanned.
    let mut q = Query::select()
        .column((lead_tag::Entity, lead_tag::Column::ContactId))
        .from(lead_tag::Entity)
        .and_where(Expr::col((lead_tag::Entity, lead_tag::Column::OrgId)).eq(org_id))
        .to_owned();
    if let Some(names) = names {
        // The taggings by the tags' ids (org_id, tag_id): as a join, SQLite's planner — whose
        // sampled statistics can believe an organisation small — may walk every tagging.
        let folded: Vec<String> = names.iter().map(|n| tag_folded(n)).collect();
        q.and_where(
            Expr::col((lead_tag::Entity, lead_tag::Column::TagId)).in_subquery(
                Query::select()
                    .column(tag::Column::Id)
                    .from(tag::Entity)
                    .and_where(Expr::col(tag::Column::OrgId).eq(org_id))
                    .and_where(Expr::col(tag::Column::NameFolded).is_in(folded))
                    .to_owned(),
            ),
        );
    }
    q
}

/// The lead of the row being filtered carries a tag whose folded name is one of `names`.
pub(crate) fn lead_tagged(org_id: Uuid, names: &[String]) -> sea_orm::sea_query::SelectStatement {
    let folded: Vec<String> = names.iter().map(|n| tag_folded(n)).collect();
    Query::select()
        .expr(Expr::val(1))
        .from(lead_tag::Entity)
        .inner_join(
            tag::Entity,
            Expr::col((tag::Entity, tag::Column::Id))
                .equals((lead_tag::Entity, lead_tag::Column::TagId)),
        )
        .and_where(
            Expr::col((lead_tag::Entity, lead_tag::Column::ContactId))
                .equals((lead::Entity, lead::Column::Id)),
        )
        .and_where(Expr::col((tag::Entity, tag::Column::OrgId)).eq(org_id))
        .and_where(Expr::col((tag::Entity, tag::Column::NameFolded)).is_in(folded))
        .to_owned()
}

/// Leads holding a tag whose folded name is one of `names`, as `check` asks it.
pub(crate) fn has_tag(org_id: Uuid, names: Vec<String>, check: SetCheck) -> SimpleExpr {
    match check {
        SetCheck::Set => lead::Column::Id.in_subquery(tagged(org_id, Some(names))),
        SetCheck::PerLead => Expr::exists(lead_tagged(org_id, &names)),
    }
}

fn tags_cond(org_id: Uuid, op: Operator, operand: &Operand, check: SetCheck) -> Condition {
    let (_, names) = texts(operand);
    match op {
        Operator::In => Condition::all().add(has_tag(org_id, names, check)),
        Operator::NotIn => {
            Condition::all().add(lead::Column::Id.not_in_subquery(tagged(org_id, Some(names))))
        }
        Operator::AllOf => names.into_iter().fold(Condition::all(), |c, n| {
            c.add(has_tag(org_id, vec![n], check))
        }),
        Operator::IsPresent => {
            Condition::all().add(lead::Column::Id.in_subquery(tagged(org_id, None)))
        }
        Operator::IsNotPresent => {
            Condition::all().add(lead::Column::Id.not_in_subquery(tagged(org_id, None)))
        }
        _ => always(false),
    }
}

/// The lead of the row being filtered has its pipeline card (see `crate::pipeline`) in one of
/// `stages` (any stage: `None`).
fn card_exists(org_id: Uuid, stages: Option<Vec<Uuid>>) -> sea_orm::sea_query::SelectStatement {
    let mut q = Query::select()
        .expr(Expr::val(1))
        .from(pipeline_card::Entity)
        .and_where(
            Expr::col((pipeline_card::Entity, pipeline_card::Column::ContactId))
                .equals((lead::Entity, lead::Column::Id)),
        )
        .and_where(Expr::col((pipeline_card::Entity, pipeline_card::Column::OrgId)).eq(org_id))
        .to_owned();
    if let Some(stages) = stages {
        q.and_where(
            Expr::col((pipeline_card::Entity, pipeline_card::Column::StageId)).is_in(stages),
        );
    }
    q
}

/// The stage as `EXISTS` over the lead's card: PostgreSQL makes it a semi-join, SQLite checks
/// it by the card's key while walking the list's order. Compared as a per-lead scalar
/// subquery, "stage X and tag Y" took 2.8 s on PostgreSQL at 1M leads; as `IN (the stage's
/// cards)`, SQLite built a list of 200,000 cards for every page (1.2 s).
fn stage_cond(org_id: Uuid, op: Operator, operand: &Operand) -> Condition {
    let (one, many) = texts(operand);
    let id = |s: String| Uuid::parse_str(&s).ok();
    let inside = |stages| Condition::all().add(Expr::exists(card_exists(org_id, stages)));
    let outside = |stages| Condition::all().add(Expr::exists(card_exists(org_id, stages)).not());
    match op {
        Operator::IsPresent => inside(None),
        Operator::IsNotPresent => outside(None),
        Operator::EqualTo => match one.and_then(id) {
            Some(s) => inside(Some(vec![s])),
            None => always(false),
        },
        Operator::NotEqualTo => match one.and_then(id) {
            Some(s) => outside(Some(vec![s])),
            None => always(true),
        },
        Operator::In => inside(Some(many.into_iter().filter_map(id).collect())),
        Operator::NotIn => outside(Some(many.into_iter().filter_map(id).collect())),
        _ => always(false),
    }
}

/// The value of custom field `key` (validated `^[a-z][a-z0-9_]*$`: safe inside SQL text).
fn custom_value(backend: Backend, key: &str, kind: CustomFieldType) -> SimpleExpr {
    let numeric = matches!(kind, CustomFieldType::Number | CustomFieldType::Currency);
    match (backend, numeric) {
        (Backend::Sqlite, false) => Expr::cust(format!(
            r#"json_extract("contacts"."custom_fields", '$.{key}')"#
        )),
        (Backend::Sqlite, true) => Expr::cust(format!(
            r#"CAST(json_extract("contacts"."custom_fields", '$.{key}') AS REAL)"#
        )),
        (Backend::Postgres, false) => {
            Expr::cust(format!(r#"("contacts"."custom_fields"->>'{key}')"#))
        }
        (Backend::Postgres, true) => Expr::cust(format!(
            r#"CAST(("contacts"."custom_fields"->>'{key}') AS DOUBLE PRECISION)"#
        )),
    }
}

/// A multiselect value holds any of `options`.
fn multi_any(backend: Backend, key: &str, options: &[String]) -> SimpleExpr {
    let marks = vec!["?"; options.len()].join(", ");
    let sql = match backend {
        Backend::Sqlite => format!(
            r#"EXISTS (SELECT 1 FROM json_each("contacts"."custom_fields", '$.{key}') WHERE json_each.value IN ({marks}))"#
        ),
        Backend::Postgres => format!(
            r#"EXISTS (SELECT 1 FROM json_array_elements_text(CASE WHEN json_typeof("contacts"."custom_fields"->'{key}') = 'array' THEN "contacts"."custom_fields"->'{key}' ELSE '[]'::json END) AS e(v) WHERE e.v IN ({marks}))"#
        ),
    };
    crate::lead_search::sql_with_values(backend, &sql, options.iter().cloned())
}

fn one(backend: Backend, org_id: Uuid, c: &Cond, now: DateTime<Utc>, tags: SetCheck) -> Condition {
    let op = c.operator;
    match &c.field {
        // The CRM's parser never yields event facts (automations evaluate them in memory).
        Field::Event(_) => Condition::all().add(Expr::val(1).eq(0)),
        Field::Tags => tags_cond(org_id, op, &c.operand, tags),
        Field::Column(column) => match column {
            Column::Phone => text_cond(col(lead::Column::Phone), op, &c.operand),
            Column::Bsuid => text_cond(col(lead::Column::WaUserId), op, &c.operand),
            Column::Name => text_cond(
                Func::coalesce([col(lead::Column::Name), col(lead::Column::ProfileName)]).into(),
                op,
                &c.operand,
            ),
            Column::Email => text_cond(col(lead::Column::Email), op, &c.operand),
            Column::Business => text_cond(col(lead::Column::Business), op, &c.operand),
            Column::Website => text_cond(col(lead::Column::Website), op, &c.operand),
            Column::City => text_cond(col(lead::Column::City), op, &c.operand),
            Column::Language => text_cond(col(lead::Column::Language), op, &c.operand),
            Column::Campaign => {
                let e: SimpleExpr =
                    Expr::col((lead::Entity, lead::Column::Campaign)).cast_as("text");
                match op {
                    Operator::IsPresent | Operator::IsNotPresent => {
                        let present = Condition::all()
                            .add(e.clone().is_not_null())
                            .add(e.ne("null"));
                        if op == Operator::IsPresent {
                            present
                        } else {
                            present.not()
                        }
                    }
                    // `equal_to` a campaign means its id or headline: matched inside the JSON.
                    Operator::EqualTo => text_cond(e, Operator::Contains, &c.operand),
                    _ => text_cond(e, op, &c.operand),
                }
            }
            Column::LeadStatus => {
                let (one, many) = texts(&c.operand);
                enum_cond(col(lead::Column::LeadStatus), op, one, many)
            }
            Column::LeadSource => {
                let (one, many) = texts(&c.operand);
                enum_cond(col(lead::Column::LeadSource), op, one, many)
            }
            Column::OwnerId => {
                let (one, many) = texts(&c.operand);
                let id = |s: String| Uuid::parse_str(&s).ok();
                enum_cond(
                    col(lead::Column::OwnerId),
                    op,
                    one.and_then(id),
                    many.into_iter().filter_map(id).collect(),
                )
            }
            Column::StageId => stage_cond(org_id, op, &c.operand),
            Column::Score => number_cond(col(lead::Column::Score), op, &c.operand),
            Column::ValueMinor => number_cond(col(lead::Column::ValueMinor), op, &c.operand),
            Column::OptedOut => bool_cond(col(lead::Column::OptedOut), op, &c.operand),
            Column::CreatedAt => time_cond(col(lead::Column::CreatedAt), op, &c.operand, now),
            Column::UpdatedAt => time_cond(col(lead::Column::UpdatedAt), op, &c.operand, now),
            Column::FirstSeenAt => time_cond(col(lead::Column::FirstSeenAt), op, &c.operand, now),
            Column::LastSeenAt => time_cond(col(lead::Column::LastSeenAt), op, &c.operand, now),
        },
        Field::Custom(def) => {
            let e = custom_value(backend, &def.key, def.kind);
            match def.kind {
                CustomFieldType::Text | CustomFieldType::Url => text_cond(e, op, &c.operand),
                CustomFieldType::Number | CustomFieldType::Currency => {
                    number_cond(e, op, &c.operand)
                }
                CustomFieldType::Date => day_text_cond(e, op, &c.operand, now),
                CustomFieldType::Select => {
                    let (one, many) = texts(&c.operand);
                    enum_cond(e, op, one, many)
                }
                CustomFieldType::Boolean => {
                    // SQLite's json_extract gives 1/0, PostgreSQL's ->> gives 'true'/'false'.
                    let as_db = |b: bool| -> sea_orm::Value {
                        match backend {
                            Backend::Sqlite => i32::from(b).into(),
                            Backend::Postgres => b.to_string().into(),
                        }
                    };
                    match &c.operand {
                        Operand::Bool(b) => enum_cond(e, op, Some(as_db(*b)), vec![]),
                        Operand::Bools(bs) => enum_cond::<sea_orm::Value>(
                            e,
                            op,
                            None,
                            bs.iter().map(|b| as_db(*b)).collect(),
                        ),
                        _ => enum_cond::<sea_orm::Value>(e, op, None, vec![]),
                    }
                }
                CustomFieldType::Multiselect => {
                    let (_, names) = texts(&c.operand);
                    let present = {
                        let raw: SimpleExpr = match backend {
                            Backend::Sqlite => Expr::cust(format!(
                                r#"json_array_length("contacts"."custom_fields", '$.{}')"#,
                                def.key
                            )),
                            Backend::Postgres => Expr::cust(format!(
                                r#"(CASE WHEN json_typeof("contacts"."custom_fields"->'{k}') = 'array' THEN json_array_length("contacts"."custom_fields"->'{k}') END)"#,
                                k = def.key
                            )),
                        };
                        Condition::all().add(raw.gt(0))
                    };
                    match op {
                        Operator::In => Condition::all().add(multi_any(backend, &def.key, &names)),
                        Operator::NotIn => {
                            Condition::all().add(multi_any(backend, &def.key, &names).not())
                        }
                        Operator::AllOf => names.iter().fold(Condition::all(), |acc, n| {
                            acc.add(multi_any(backend, &def.key, std::slice::from_ref(n)))
                        }),
                        Operator::IsPresent => present,
                        Operator::IsNotPresent => present.not(),
                        _ => always(false),
                    }
                }
            }
        }
    }
}
