//! The CRM's leads: a lead is the contact the channel created (or a person added), with the
//! fields a team edits, its tags (one tag space per organisation), notes, custom field values
//! and owner. Every write is one transaction with its audit entry (and, for notes, its
//! activity-log entry, which the lead's timeline reads).
//!
//! Values arrive validated (phones in E.164, custom field values checked against their
//! definitions by `closer_domain::leads`); this module keeps identities unique, merges
//! patches, and remembers which fields a person set so the agent's slots never overwrite them
//! ([`OrgScope::fill_lead_from_slots`]).

use crate::activity::{self, NewActivity};
use crate::audit::{self, Actor};
use crate::entities::{
    action, activity as activity_row, calendar_event, conversation, conversation_state,
    custom_field, decision, followup, job, lead, lead_note, lead_tag, message, org_country, tag,
    user,
};
use crate::error::{Result, StoreError};
use crate::lead_filter::SetCheck;
use crate::team::OrgScope;
use crate::{new_id, now};
use base64::Engine;
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::contact_points::country_of_timezone;
use closer_domain::leads::{CustomFieldType, tag_folded};
use closer_domain::sales::{LeadSource, LeadStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Why a CRM write was refused, in the product's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeadError {
    #[error("a lead with this phone or WhatsApp id already exists")]
    Exists { lead_id: Uuid },
    #[error("a tag with this name already exists")]
    TagExists,
    #[error("a custom field with this key already exists")]
    FieldExists,
    /// A body names something of another organisation or nothing (`owner_id`).
    #[error("{message}")]
    Reference {
        field: &'static str,
        message: String,
    },
    #[error("only the note's author or an owner/admin may change it")]
    NotAuthor,
    #[error("this lead's personal data was erased: the person opts in again by writing START")]
    Erased,
}

/// A lead as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadRecord {
    pub id: Uuid,
    pub phone: Option<String>,
    pub bsuid: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub business: Option<String>,
    pub website: Option<String>,
    pub city: Option<String>,
    pub language: Option<String>,
    pub lead_status: LeadStatus,
    pub score: i32,
    pub value_minor: Option<i64>,
    pub owner: Option<(Uuid, String)>,
    pub tags: Vec<String>,
    pub custom_fields: Map<String, Value>,
    pub lead_source: LeadSource,
    pub campaign: Option<Value>,
    pub opted_out: bool,
    pub opted_out_at: Option<DateTime<Utc>>,
    /// When a member erased the lead's personal data.
    pub erased_at: Option<DateTime<Utc>>,
    pub conversation_id: Option<Uuid>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The lead's stage and place on the pipeline board.
    pub placement: Option<crate::pipeline::Placement>,
}

/// A change to a lead: `None` leaves a field as it is, `Some(None)` clears it. Values are
/// already validated.
#[derive(Debug, Clone, Default)]
pub struct LeadChanges {
    pub phone: Option<Option<String>>,
    pub bsuid: Option<Option<String>>,
    pub name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub business: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub language: Option<Option<String>>,
    pub lead_status: Option<LeadStatus>,
    pub score: Option<i32>,
    pub value_minor: Option<Option<i64>>,
    pub owner_id: Option<Option<Uuid>>,
    pub lead_source: Option<LeadSource>,
    /// Replaces the set; names not yet tags become tags.
    pub tags: Option<Vec<String>>,
    /// Merged per key; `Value::Null` removes a key.
    pub custom_fields: Option<Map<String, Value>>,
    /// The pipeline stage to move the lead to (on top; a history row by the actor).
    pub stage_id: Option<Uuid>,
}

impl LeadChanges {
    /// The fields this change sets, as [`lead::Model::person_fields`] names them.
    fn touched(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut mark = |set: bool, name: &str| {
            if set {
                out.push(name.to_owned());
            }
        };
        mark(self.name.is_some(), "name");
        mark(self.email.is_some(), "email");
        mark(self.business.is_some(), "business");
        mark(self.website.is_some(), "website");
        mark(self.city.is_some(), "city");
        mark(self.language.is_some(), "language");
        mark(self.value_minor.is_some(), "value_minor");
        for key in self.custom_fields.iter().flat_map(|m| m.keys()) {
            out.push(format!("custom_fields.{key}"));
        }
        out
    }
}

/// How the list is ordered (`-` = newest/highest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadSortKey {
    LastSeenAt,
    CreatedAt,
    Name,
    Score,
    ValueMinor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadSort {
    pub key: LeadSortKey,
    pub descending: bool,
}

impl Default for LeadSort {
    fn default() -> Self {
        LeadSort {
            key: LeadSortKey::LastSeenAt,
            descending: true,
        }
    }
}

impl std::str::FromStr for LeadSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (descending, name) = match s.trim().strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.trim()),
        };
        let key = match name {
            "last_seen_at" => LeadSortKey::LastSeenAt,
            "created_at" => LeadSortKey::CreatedAt,
            "name" => LeadSortKey::Name,
            "score" => LeadSortKey::Score,
            "value_minor" => LeadSortKey::ValueMinor,
            _ => {
                return Err(
                    "one of last_seen_at, created_at, name, score, value_minor (- for descending)"
                        .into(),
                );
            }
        };
        Ok(LeadSort { key, descending })
    }
}

/// What the list is narrowed to: every given condition holds (AND).
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Words prefix-matching name, email, city, business, tags or notes; phone-like text
    /// matches phones instead (`phone_digits`, `phone_exact`).
    pub words: Vec<String>,
    pub phone_digits: Option<String>,
    pub phone_exact: Option<String>,
    pub lead_status: Option<LeadStatus>,
    /// Any of these tags (names, any case).
    pub tags: Vec<String>,
    /// `Some(None)` = leads without an owner.
    pub owner_id: Option<Option<Uuid>>,
    pub lead_source: Option<LeadSource>,
    pub opted_out: Option<bool>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub last_seen_after: Option<DateTime<Utc>>,
    pub last_seen_before: Option<DateTime<Utc>>,
    /// A filter document (a saved view's, or `filter=`), checked: see `crate::lead_filter`.
    pub doc: Option<closer_domain::lead_filter::Filter>,
    /// Only these leads (a bulk operation's selection); another organisation's never match.
    pub ids: Option<Vec<Uuid>>,
}

/// From how many taggings checking each lead in the list's order beats fetching the tagged
/// leads and sorting them, for `rows` rows of `total` leads: walking costs about `rows ×
/// total / tagged` index steps of ~5 µs, fetching ~7 µs per tagged lead; equal when
/// `tagged² = rows × total × 5/7`. Never below 1,000, so a small organisation keeps the set.
pub(crate) fn walk_pays_from(total: u64, rows: u64) -> u64 {
    let square = rows.saturating_mul(total) as f64 * 5.0 / 7.0;
    Ord::max(square.sqrt().ceil() as u64, 1_000)
}

/// How one page asks its set conditions (tags, search words): see `OrgScope::page_checks`.
/// Counts, exports and bulk operations read every match anyway and ask by set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageChecks {
    pub tags: SetCheck,
    pub words: SetCheck,
}

impl PageChecks {
    pub(crate) const SETS: Self = Self {
        tags: SetCheck::Set,
        words: SetCheck::Set,
    };
}

/// One page of leads.
#[derive(Debug, Clone)]
pub struct LeadPage {
    pub items: Vec<LeadRecord>,
    pub next_cursor: Option<String>,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagRecord {
    pub id: Uuid,
    pub name: String,
    pub color: String,
    pub lead_count: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoteRecord {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub body: String,
    pub author: Option<(Uuid, String)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldDef {
    pub id: Uuid,
    pub key: String,
    pub label: String,
    pub kind: CustomFieldType,
    pub options: Vec<String>,
    pub currency: Option<String>,
    pub position: i32,
}

/// A conversation of a lead, briefly.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadConversation {
    pub id: Uuid,
    pub stage: closer_domain::sales::ConversationStage,
    pub mode: closer_domain::messaging::ConversationMode,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_message_text: Option<String>,
}

/// What a lead's detail page shows besides the lead.
#[derive(Debug, Clone)]
pub struct LeadExtras {
    pub conversations: Vec<LeadConversation>,
    /// The newest conversation's slots (`{NAME: {value, confidence, source_message_id}}`).
    pub slots: Value,
    pub notes: Vec<NoteRecord>,
}

/// A colour for a tag created without one: the same name always gets the same colour.
pub fn tag_color_for(name: &str) -> String {
    const PALETTE: [&str; 8] = [
        "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
    ];
    let h = tag_folded(name)
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    PALETTE[(h as usize) % PALETTE.len()].to_owned()
}

fn unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// The fields a person set on a lead (see [`lead::Model::person_fields`]), read inside the
/// caller's transaction: the agent's own writes skip them.
pub(crate) async fn person_fields_of(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
) -> Result<Vec<String>> {
    Ok(lead::Entity::find()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.eq(lead_id))
        .one(db)
        .await?
        .map(|m| person_fields(&m))
        .transpose()?
        .unwrap_or_default())
}

/// The fields of a lead a person set, which the agent and imports leave alone.
pub(crate) fn person_fields(m: &lead::Model) -> Result<Vec<String>> {
    crate::stored::or_default("fields a person set", m.person_fields.clone())
}

fn encode_cursor(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn decode_cursor(raw: &str) -> Option<Value> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl OrgScope<'_> {
    // ----- the organisation's phone country -----

    /// The ISO country a phone written without its country code is read in: the one the
    /// organisation set, else its time zone's, else India.
    pub async fn default_country(&self) -> Result<String> {
        let row = org_country::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(effective_country(&row))
    }

    /// Whether the organisation set its country itself (`None`: derived).
    pub async fn set_default_country(&self, country: Option<String>) -> Result<String> {
        org_country::Entity::update_many()
            .filter(org_country::Column::Id.eq(self.org_id))
            .col_expr(org_country::Column::DefaultCountry, Expr::value(country))
            .exec(&self.store.db)
            .await?;
        self.default_country().await
    }

    /// The currency deal values are counted in: the one the organisation chose, else its
    /// country's, else the Indian rupee (the country's own fallback).
    pub async fn currency(&self) -> Result<String> {
        let row = org_country::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(effective_currency(&row))
    }

    /// Chooses the currency (`None`: the country's).
    pub async fn set_currency(&self, currency: Option<String>) -> Result<String> {
        org_country::Entity::update_many()
            .filter(org_country::Column::Id.eq(self.org_id))
            .col_expr(org_country::Column::Currency, Expr::value(currency))
            .exec(&self.store.db)
            .await?;
        self.currency().await
    }

    // ----- custom field definitions -----

    pub async fn custom_fields(&self) -> Result<Vec<CustomFieldDef>> {
        let rows = custom_field::Entity::find()
            .filter(custom_field::Column::OrgId.eq(self.org_id))
            .order_by_asc(custom_field::Column::Position)
            .order_by_asc(custom_field::Column::Id)
            .all(&self.store.db)
            .await?;
        rows.into_iter().map(field_def).collect()
    }

    /// Whether the organisation defined any custom field (one indexed row read).
    pub(crate) async fn has_custom_fields(&self) -> Result<bool> {
        Ok(custom_field::Entity::find()
            .filter(custom_field::Column::OrgId.eq(self.org_id))
            .one(&self.store.db)
            .await?
            .is_some())
    }

    pub async fn create_custom_field(
        &self,
        actor: &Actor,
        key: &str,
        label: &str,
        kind: CustomFieldType,
        options: &[String],
        currency: Option<String>,
    ) -> Result<CustomFieldDef> {
        let txn = self.store.begin_write().await?;
        let position = custom_field::Entity::find()
            .filter(custom_field::Column::OrgId.eq(self.org_id))
            .count(&*txn)
            .await? as i32;
        let at = now();
        let model = custom_field::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            key: Set(key.to_owned()),
            label: Set(label.to_owned()),
            field_type: Set(kind),
            options: Set(Some(json!(options))),
            currency: Set(currency),
            position: Set(position),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&*txn)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                LeadError::FieldExists.into()
            } else {
                StoreError::Db(e)
            }
        })?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "custom_field.created",
            format!("custom_field:{}", model.id),
            json!({ "key": key, "type": kind }),
        )
        .await?;
        txn.commit().await?;
        field_def(model)
    }

    pub async fn custom_field(&self, id: Uuid) -> Result<CustomFieldDef> {
        custom_field::Entity::find()
            .filter(custom_field::Column::OrgId.eq(self.org_id))
            .filter(custom_field::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .map(field_def)
            .ok_or(StoreError::NotFound)?
    }

    /// A new label, options or currency (key and type never change).
    pub async fn update_custom_field(
        &self,
        actor: &Actor,
        id: Uuid,
        label: &str,
        options: &[String],
        currency: Option<String>,
    ) -> Result<CustomFieldDef> {
        let current = self.custom_field(id).await?;
        let txn = self.store.begin_write().await?;
        custom_field::Entity::update_many()
            .filter(custom_field::Column::OrgId.eq(self.org_id))
            .filter(custom_field::Column::Id.eq(id))
            .col_expr(custom_field::Column::Label, Expr::value(label))
            .col_expr(custom_field::Column::Options, Expr::value(json!(options)))
            .col_expr(custom_field::Column::Currency, Expr::value(currency))
            .col_expr(custom_field::Column::UpdatedAt, Expr::value(now()))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "custom_field.updated",
            format!("custom_field:{id}"),
            json!({ "key": current.key }),
        )
        .await?;
        txn.commit().await?;
        self.custom_field(id).await
    }

    /// The definition goes; leads' values under its key are no longer shown (and a field
    /// created again with the key starts empty for them: the values are removed).
    pub async fn delete_custom_field(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let current = self.custom_field(id).await?;
        let txn = self.store.begin_write().await?;
        custom_field::Entity::delete_many()
            .filter(custom_field::Column::OrgId.eq(self.org_id))
            .filter(custom_field::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        // Strip the key from the leads that have it (JSON differs per database: done here).
        let leads = lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::CustomFields.is_not_null())
            .all(&*txn)
            .await?;
        for l in leads {
            let Some(Value::Object(mut map)) = l.custom_fields.clone() else {
                continue;
            };
            if map.remove(&current.key).is_some() {
                lead::Entity::update_many()
                    .filter(lead::Column::OrgId.eq(self.org_id))
                    .filter(lead::Column::Id.eq(l.id))
                    .col_expr(lead::Column::CustomFields, Expr::value(Value::Object(map)))
                    .exec(&*txn)
                    .await?;
            }
        }
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "custom_field.deleted",
            format!("custom_field:{id}"),
            json!({ "key": current.key }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    // ----- tags -----

    pub async fn tags(&self) -> Result<Vec<TagRecord>> {
        let rows = tag::Entity::find()
            .filter(tag::Column::OrgId.eq(self.org_id))
            .order_by_asc(tag::Column::NameFolded)
            .all(&self.store.db)
            .await?;
        let counts = self.tag_counts(&self.store.db).await?;
        Ok(rows
            .into_iter()
            .map(|t| TagRecord {
                lead_count: counts.get(&t.id).copied().unwrap_or(0),
                id: t.id,
                name: t.name,
                color: t.color,
            })
            .collect())
    }

    async fn tag_counts(&self, db: &impl ConnectionTrait) -> Result<HashMap<Uuid, u64>> {
        let rows: Vec<(Uuid, i64)> = lead_tag::Entity::find()
            .select_only()
            .column(lead_tag::Column::TagId)
            .column_as(lead_tag::Column::ContactId.count(), "n")
            .filter(lead_tag::Column::OrgId.eq(self.org_id))
            .group_by(lead_tag::Column::TagId)
            .into_tuple()
            .all(db)
            .await?;
        Ok(rows.into_iter().map(|(id, n)| (id, n as u64)).collect())
    }

    pub async fn tag(&self, id: Uuid) -> Result<TagRecord> {
        self.tags()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_tag(
        &self,
        actor: &Actor,
        name: &str,
        color: Option<String>,
    ) -> Result<TagRecord> {
        let txn = self.store.begin_write().await?;
        let at = now();
        let color = color.unwrap_or_else(|| tag_color_for(name));
        let model = tag::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            name: Set(name.to_owned()),
            name_folded: Set(tag_folded(name)),
            color: Set(color),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&*txn)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                LeadError::TagExists.into()
            } else {
                StoreError::Db(e)
            }
        })?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "tag.created",
            format!("tag:{}", model.id),
            json!({ "name": name }),
        )
        .await?;
        txn.commit().await?;
        Ok(TagRecord {
            id: model.id,
            name: model.name,
            color: model.color,
            lead_count: 0,
        })
    }

    /// A rename reaches every lead at once: leads hold the tag's id, not its name.
    pub async fn update_tag(
        &self,
        actor: &Actor,
        id: Uuid,
        name: Option<String>,
        color: Option<String>,
    ) -> Result<TagRecord> {
        let current = self.tag(id).await?;
        let txn = self.store.begin_write().await?;
        let mut q = tag::Entity::update_many()
            .filter(tag::Column::OrgId.eq(self.org_id))
            .filter(tag::Column::Id.eq(id))
            .col_expr(tag::Column::UpdatedAt, Expr::value(now()));
        if let Some(n) = &name {
            q = q
                .col_expr(tag::Column::Name, Expr::value(n.clone()))
                .col_expr(tag::Column::NameFolded, Expr::value(tag_folded(n)));
        }
        if let Some(c) = &color {
            q = q.col_expr(tag::Column::Color, Expr::value(c.clone()));
        }
        q.exec(&*txn).await.map_err(|e| {
            if unique_violation(&e) {
                LeadError::TagExists.into()
            } else {
                StoreError::Db(e)
            }
        })?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "tag.updated",
            format!("tag:{id}"),
            json!({ "from": current.name, "name": name, "color": color }),
        )
        .await?;
        txn.commit().await?;
        self.tag(id).await
    }

    /// The tag leaves every lead.
    pub async fn delete_tag(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let current = self.tag(id).await?;
        let txn = self.store.begin_write().await?;
        lead_tag::Entity::delete_many()
            .filter(lead_tag::Column::OrgId.eq(self.org_id))
            .filter(lead_tag::Column::TagId.eq(id))
            .exec(&*txn)
            .await?;
        tag::Entity::delete_many()
            .filter(tag::Column::OrgId.eq(self.org_id))
            .filter(tag::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "tag.deleted",
            format!("tag:{id}"),
            json!({ "name": current.name, "lead_count": current.lead_count }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The ids of `names`' tags, creating those that do not exist yet (any case matches).
    pub(crate) async fn tag_ids_creating(
        &self,
        db: &impl ConnectionTrait,
        names: &[String],
    ) -> Result<Vec<Uuid>> {
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            let folded = tag_folded(name);
            let found = tag::Entity::find()
                .filter(tag::Column::OrgId.eq(self.org_id))
                .filter(tag::Column::NameFolded.eq(folded.clone()))
                .one(db)
                .await?;
            let id = match found {
                Some(t) => t.id,
                None => {
                    let at = now();
                    let id = new_id();
                    tag::Entity::insert(tag::ActiveModel {
                        id: Set(id),
                        org_id: Set(self.org_id),
                        name: Set(name.clone()),
                        name_folded: Set(folded),
                        color: Set(tag_color_for(name)),
                        created_at: Set(at),
                        updated_at: Set(at),
                    })
                    .exec_without_returning(db)
                    .await?;
                    id
                }
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    async fn set_lead_tags(
        &self,
        db: &impl ConnectionTrait,
        lead_id: Uuid,
        names: &[String],
    ) -> Result<()> {
        let ids = self.tag_ids_creating(db, names).await?;
        lead_tag::Entity::delete_many()
            .filter(lead_tag::Column::OrgId.eq(self.org_id))
            .filter(lead_tag::Column::ContactId.eq(lead_id))
            .exec(db)
            .await?;
        if ids.is_empty() {
            return Ok(());
        }
        let at = now();
        lead_tag::Entity::insert_many(ids.into_iter().map(|tag_id| lead_tag::ActiveModel {
            org_id: Set(self.org_id),
            contact_id: Set(lead_id),
            tag_id: Set(tag_id),
            created_at: Set(at),
        }))
        .exec_without_returning(db)
        .await?;
        Ok(())
    }

    /// Tag names of each lead, in name order.
    async fn tags_of(
        &self,
        db: &impl ConnectionTrait,
        lead_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<String>>> {
        if lead_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(Uuid, String)> = lead_tag::Entity::find()
            .select_only()
            .column(lead_tag::Column::ContactId)
            .column_as(Expr::col((tag::Entity, tag::Column::Name)), "name")
            .join_rev(
                sea_orm::JoinType::InnerJoin,
                tag::Entity::belongs_to(lead_tag::Entity)
                    .from(tag::Column::Id)
                    .to(lead_tag::Column::TagId)
                    .into(),
            )
            // The page's leads by the primary key (contact_id first) and the organisation on
            // the tag: `lead_tags.org_id = ?` lets SQLite, whose sampled statistics can
            // believe an organisation small, walk every tagging of it instead.
            .filter(lead_tag::Column::ContactId.is_in(lead_ids.to_vec()))
            .filter(Expr::col((tag::Entity, tag::Column::OrgId)).eq(self.org_id))
            .order_by_asc(Expr::col((tag::Entity, tag::Column::NameFolded)))
            .into_tuple()
            .all(db)
            .await?;
        let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (id, name) in rows {
            out.entry(id).or_default().push(name);
        }
        Ok(out)
    }

    // ----- leads -----

    async fn lead_row(&self, db: &impl ConnectionTrait, id: Uuid) -> Result<lead::Model> {
        lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The API's view of rows: tags, owner names and the newest conversation filled in.
    pub(crate) async fn records(
        &self,
        db: &impl ConnectionTrait,
        rows: Vec<lead::Model>,
    ) -> Result<Vec<LeadRecord>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut tags = self.tags_of(db, &ids).await?;
        let owner_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.owner_id).collect();
        let owners: HashMap<Uuid, String> = if owner_ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::OrgId.eq(self.org_id))
                .filter(user::Column::Id.is_in(owner_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        };
        let mut conversations: HashMap<Uuid, Uuid> = HashMap::new();
        if !ids.is_empty() {
            // Unordered on purpose: an `ORDER BY id` lets SQLite walk every conversation of
            // the organisation by (org_id, id) instead of looking up the page's leads (a
            // second per page on a million). Ids are time-ordered: the greatest is the newest.
            let convs: Vec<(Uuid, Uuid)> = conversation::Entity::find()
                .select_only()
                .column(conversation::Column::ContactId)
                .column(conversation::Column::Id)
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::ContactId.is_in(ids.clone()))
                .into_tuple()
                .all(db)
                .await?;
            for (lead_id, conversation_id) in convs {
                let newest = conversations.entry(lead_id).or_insert(conversation_id);
                *newest = Ord::max(*newest, conversation_id);
            }
        }
        let mut placed = crate::pipeline::placements(db, self.org_id, &ids).await?;
        let defined: Vec<String> = self
            .custom_fields()
            .await?
            .into_iter()
            .map(|d| d.key)
            .collect();
        Ok(rows
            .into_iter()
            .map(|m| {
                let custom_fields = match &m.custom_fields {
                    Some(Value::Object(map)) => map
                        .iter()
                        .filter(|(k, _)| defined.contains(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    _ => Map::new(),
                };
                LeadRecord {
                    id: m.id,
                    phone: m.phone,
                    bsuid: m.wa_user_id,
                    name: m.name.or(m.profile_name),
                    email: m.email,
                    business: m.business,
                    website: m.website,
                    city: m.city,
                    language: m.language,
                    lead_status: m.lead_status,
                    score: m.score,
                    value_minor: m.value_minor,
                    owner: m
                        .owner_id
                        .and_then(|o| owners.get(&o).map(|n| (o, n.clone()))),
                    tags: tags.remove(&m.id).unwrap_or_default(),
                    custom_fields,
                    lead_source: m.lead_source,
                    campaign: m.campaign.filter(|c| !c.is_null()),
                    opted_out: m.opted_out,
                    opted_out_at: m.opted_out_at,
                    erased_at: m.erased_at,
                    conversation_id: conversations.get(&m.id).copied(),
                    first_seen_at: m.first_seen_at,
                    last_seen_at: m.last_seen_at,
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                    placement: placed.remove(&m.id),
                }
            })
            .collect())
    }

    pub async fn lead(&self, id: Uuid) -> Result<LeadRecord> {
        let row = self.lead_row(&self.store.db, id).await?;
        Ok(self
            .records(&self.store.db, vec![row])
            .await?
            .pop()
            .expect("one row in, one out"))
    }

    /// The detail page's extras: conversations, the newest one's slots, the notes.
    pub async fn lead_extras(&self, id: Uuid) -> Result<LeadExtras> {
        let db = &self.store.db;
        let convs = conversation::Entity::find()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::ContactId.eq(id))
            .order_by_desc(conversation::Column::Id)
            .all(db)
            .await?;
        let slots = match convs.first() {
            Some(c) => conversation_state::Entity::find()
                .filter(conversation_state::Column::OrgId.eq(self.org_id))
                .filter(conversation_state::Column::ConversationId.eq(c.id))
                .one(db)
                .await?
                .and_then(|s| s.state)
                .and_then(|s| s.get("slots").cloned())
                .unwrap_or_else(|| json!({})),
            None => json!({}),
        };
        Ok(LeadExtras {
            conversations: convs
                .into_iter()
                .map(|c| LeadConversation {
                    id: c.id,
                    stage: c.stage,
                    mode: c.mode,
                    last_message_at: c.last_message_at,
                    last_message_text: c.last_message_text,
                })
                .collect(),
            slots,
            notes: self.notes(id).await?,
        })
    }

    /// A page of the organisation's leads.
    pub async fn leads(
        &self,
        f: &LeadFilter,
        sort: LeadSort,
        cursor: Option<&str>,
        limit: u64,
        count: bool,
    ) -> Result<LeadPage> {
        let db = &self.store.db;
        let cond = self.filter_condition(f);
        self.store
            .fold_rank_counts_now_and_then(self.org_id)
            .await?;
        let total = match count {
            // Every lead: the running total, not a count of the table.
            true if f.is_everything() => Some(
                self.store
                    .lead_totals(self.org_id)
                    .await?
                    .get(&None)
                    .map_or(0, |t| u64::try_from(t.leads).unwrap_or(0)),
            ),
            // Only tags: the taggings' own index, not a lookup of every tagged lead.
            true if f.is_only_tags() => Some(self.count_tagged(&f.tags).await?),
            true => Some(lead::Entity::find().filter(cond).count(db).await?),
            false => None,
        };
        let key = sort_expr(sort.key);
        let checks = self.page_checks(f, limit).await?;
        let mut q = lead::Entity::find().filter(self.filter_condition_with(f, checks));
        if let Some(c) = cursor {
            // A cursor that does not decode starts over rather than failing the request.
            if let Some((v, id)) = decode_cursor(c).and_then(|c| cursor_parts(sort.key, &c)) {
                // `key <= v AND (key < v OR id < last)`: the first half bounds the index range,
                // so a deep page starts where the cursor points instead of scanning to it.
                let id_col = Expr::col((lead::Entity, lead::Column::Id));
                let after = if sort.descending {
                    Condition::all()
                        .add(key.clone().lte(v.clone()))
                        .add(Condition::any().add(key.clone().lt(v)).add(id_col.lt(id)))
                } else {
                    Condition::all()
                        .add(key.clone().gte(v.clone()))
                        .add(Condition::any().add(key.clone().gt(v)).add(id_col.gt(id)))
                };
                q = q.filter(after);
            }
        }
        let order = if sort.descending {
            sea_orm::Order::Desc
        } else {
            sea_orm::Order::Asc
        };
        let rows = q
            .order_by(key, order.clone())
            .order_by(lead::Column::Id, order)
            .limit(limit + 1)
            .all(db)
            .await?;
        let more = rows.len() as u64 > limit;
        let mut rows = rows;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last()
                .map(|r| encode_cursor(&json!([cursor_value(sort.key, r), r.id])))
        } else {
            None
        };
        Ok(LeadPage {
            items: self.records(db, rows).await?,
            next_cursor,
            total,
        })
    }

    /// How many leads carry any of `tags` (a lead's tags are distinct; a lead with two of
    /// them counts once).
    async fn count_tagged(&self, tags: &[String]) -> Result<u64> {
        let links = crate::lead_filter::tagged(self.org_id, Some(tags.to_vec()));
        self.count_links("COUNT(DISTINCT links.contact_id)", links)
            .await
    }

    /// `count` (an aggregate over the subquery `links`) of the taggings `links` selects.
    async fn count_links(
        &self,
        count: &'static str,
        links: sea_orm::sea_query::SelectStatement,
    ) -> Result<u64> {
        let q = Query::select()
            .expr_as(Expr::cust(count), "n")
            .from_subquery(links, "links")
            .to_owned();
        let n: i64 = self
            .store
            .db
            .query_one(&q)
            .await?
            .map_or(Ok(0), |r| r.try_get("", "n"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(crate) fn filter_condition(&self, f: &LeadFilter) -> Condition {
        self.filter_condition_with(f, PageChecks::SETS)
    }

    /// How one page asks its tags and search words (see [`Self::page_tag_lookup`] and
    /// [`Self::page_word_lookup`]); the organisation's lead count is read once for both.
    async fn page_checks(&self, f: &LeadFilter, limit: u64) -> Result<PageChecks> {
        let mut wanted = f.tags.clone();
        if let Some(doc) = &f.doc {
            wanted.extend(crate::lead_filter::required_tags(doc));
        }
        // Tags are only ever checked per lead on SQLite (see `page_tag_lookup`).
        let tags_may_walk = !wanted.is_empty() && self.store.backend() == crate::Backend::Sqlite;
        if !tags_may_walk && f.words.is_empty() {
            return Ok(PageChecks::SETS);
        }
        let total = self
            .store
            .lead_totals(self.org_id)
            .await?
            .get(&None)
            .map_or(0, |t| u64::try_from(t.leads).unwrap_or(0));
        let enough = walk_pays_from(total, limit + 1);
        Ok(PageChecks {
            tags: self.page_tag_lookup(&wanted, enough).await?,
            words: self.page_word_lookup(f, enough).await?,
        })
    }

    /// How a page checks its search words. A common word ("ami" finds one lead in fifty)
    /// fetched and sorted every match to keep fifty (150 ms on SQLite, 400 on PostgreSQL at a
    /// million leads) where walking the list's order stops after a few thousand; a rare one
    /// walks everything. So: per lead when the index finds at least `enough` leads for all
    /// the words together — on both databases, as neither planner can tell from the query.
    async fn page_word_lookup(&self, f: &LeadFilter, enough: u64) -> Result<SetCheck> {
        let Some(count) = crate::lead_search::index_matches_capped(
            self.store.backend(),
            self.org_id,
            &f.words,
            enough,
        ) else {
            return Ok(SetCheck::Set);
        };
        let n: i64 = match self.store.db.query_one_raw(count).await? {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };
        Ok(if n as u64 >= enough {
            SetCheck::PerLead
        } else {
            SetCheck::Set
        })
    }

    /// How a page of the list checks its tags. SQLite takes `IN (the tag's leads)` as the
    /// plan's driver: every tagged lead fetched and sorted to keep fifty (430 ms for a tag of
    /// 60,000 of a million leads), where walking the list's order and checking each lead's
    /// own tags stops after a few hundred (5 ms) — but walks everything for a rare tag. So:
    /// per lead when the tags are common enough that the walk ends soon (the taggings,
    /// counted up to what makes the walk pay, tell). PostgreSQL plans both alike.
    async fn page_tag_lookup(&self, wanted: &[String], enough: u64) -> Result<SetCheck> {
        if wanted.is_empty() || self.store.backend() != crate::Backend::Sqlite {
            return Ok(SetCheck::Set);
        }
        let folded: Vec<String> = wanted.iter().map(|t| tag_folded(t)).collect();
        let capped = crate::lead_filter::tagged(self.org_id, Some(folded))
            .limit(enough)
            .to_owned();
        let n = self.count_links("COUNT(*)", capped).await?;
        Ok(if n >= enough {
            SetCheck::PerLead
        } else {
            SetCheck::Set
        })
    }

    pub(crate) fn filter_condition_with(&self, f: &LeadFilter, checks: PageChecks) -> Condition {
        let tags = checks.tags;
        let mut c = Condition::all().add(lead::Column::OrgId.eq(self.org_id));
        if let Some(doc) = f.doc.as_ref().filter(|d| !d.is_empty()) {
            c = c.add(crate::lead_filter::condition_with(
                self.store.backend(),
                self.org_id,
                doc,
                now(),
                tags,
            ));
        }
        if let Some(ids) = &f.ids {
            c = c.add(lead::Column::Id.is_in(ids.clone()));
        }
        let backend = self.store.backend();
        for w in &f.words {
            c = c.add(crate::lead_search::word_condition(
                backend,
                self.org_id,
                w,
                checks.words,
            ));
        }
        if f.phone_digits.is_some() || f.phone_exact.is_some() {
            let mut any = Condition::any();
            if let Some(d) = &f.phone_digits {
                any = any.add(crate::lead_search::phone_digits_condition(backend, d));
            }
            if let Some(p) = &f.phone_exact {
                any = any.add(lead::Column::Phone.eq(p.clone()));
            }
            c = c.add(any);
        }
        if let Some(s) = f.lead_status {
            c = c.add(lead::Column::LeadStatus.eq(s.as_str()));
        }
        if !f.tags.is_empty() {
            let folded: Vec<String> = f.tags.iter().map(|t| tag_folded(t)).collect();
            c = c.add(match tags {
                SetCheck::Set => lead::Column::Id
                    .in_subquery(crate::lead_filter::tagged(self.org_id, Some(folded))),
                SetCheck::PerLead => {
                    Expr::exists(crate::lead_filter::lead_tagged(self.org_id, &folded))
                }
            });
        }
        match f.owner_id {
            Some(Some(o)) => c = c.add(lead::Column::OwnerId.eq(o)),
            Some(None) => c = c.add(lead::Column::OwnerId.is_null()),
            None => {}
        }
        if let Some(s) = f.lead_source {
            c = c.add(lead::Column::LeadSource.eq(s.as_str()));
        }
        if let Some(o) = f.opted_out {
            c = c.add(lead::Column::OptedOut.eq(o));
        }
        if let Some(t) = f.created_after {
            c = c.add(lead::Column::CreatedAt.gte(t));
        }
        if let Some(t) = f.created_before {
            c = c.add(lead::Column::CreatedAt.lt(t));
        }
        if let Some(t) = f.last_seen_after {
            c = c.add(lead::Column::LastSeenAt.gte(t));
        }
        if let Some(t) = f.last_seen_before {
            c = c.add(lead::Column::LastSeenAt.lt(t));
        }
        c
    }

    /// 422 (as a `LeadError::Reference`) unless `owner_id` is an active member.
    pub(crate) async fn check_owner(
        &self,
        db: &impl ConnectionTrait,
        owner: Option<Uuid>,
    ) -> Result<()> {
        let Some(owner) = owner else { return Ok(()) };
        let found = user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(owner))
            .filter(user::Column::Active.eq(true))
            .one(db)
            .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(LeadError::Reference {
                field: "owner_id",
                message: "is not a member of this organisation".into(),
            }
            .into()),
        }
    }

    /// The lead already holding one of these identities, if any (other than `except`).
    async fn identity_holder(
        &self,
        db: &impl ConnectionTrait,
        phone: Option<&str>,
        bsuid: Option<&str>,
        except: Option<Uuid>,
    ) -> Result<Option<Uuid>> {
        let mut any = Condition::any();
        if let Some(p) = phone {
            any = any.add(lead::Column::Phone.eq(p));
        }
        if let Some(b) = bsuid {
            any = any.add(lead::Column::WaUserId.eq(b));
        }
        if phone.is_none() && bsuid.is_none() {
            return Ok(None);
        }
        let mut q = lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(any);
        if let Some(e) = except {
            q = q.filter(lead::Column::Id.ne(e));
        }
        Ok(q.one(db).await?.map(|l| l.id))
    }

    /// A lead a person added (`lead_source` `manual` unless given).
    pub async fn create_lead(&self, actor: &Actor, c: LeadChanges) -> Result<LeadRecord> {
        let txn = self.store.begin_write().await?;
        let phone = c.phone.clone().flatten();
        let bsuid = c.bsuid.clone().flatten();
        if let Some(lead_id) = self
            .identity_holder(&*txn, phone.as_deref(), bsuid.as_deref(), None)
            .await?
        {
            return Err(LeadError::Exists { lead_id }.into());
        }
        self.check_owner(&*txn, c.owner_id.flatten()).await?;
        let at = now();
        let id = new_id();
        let custom: Map<String, Value> = c
            .custom_fields
            .clone()
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect();
        let model = lead::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            phone: Set(phone),
            wa_user_id: Set(bsuid),
            name: Set(c.name.clone().flatten()),
            profile_name: Set(None),
            email: Set(c.email.clone().flatten()),
            city: Set(c.city.clone().flatten()),
            language: Set(c.language.clone().flatten()),
            lead_status: Set(c.lead_status.unwrap_or(LeadStatus::New)),
            score: Set(c.score.unwrap_or(0)),
            tags: Set(None),
            notes: Set(None),
            custom_fields: Set(Some(Value::Object(custom))),
            lead_source: Set(c.lead_source.unwrap_or(LeadSource::Manual)),
            campaign: Set(None),
            opted_out: Set(false),
            opted_out_at: Set(None),
            marketing_opt_out: Set(false),
            marketing_opt_out_at: Set(None),
            first_seen_at: Set(at),
            last_seen_at: Set(at),
            created_at: Set(at),
            updated_at: Set(at),
            business: Set(c.business.clone().flatten()),
            website: Set(c.website.clone().flatten()),
            owner_id: Set(c.owner_id.flatten()),
            value_minor: Set(c.value_minor.flatten()),
            person_fields: Set(Some(json!(c.touched()))),
            erased_at: Set(None),
        };
        lead::Entity::insert(model)
            .exec_without_returning(&*txn)
            .await
            .map_err(|e| {
                if unique_violation(&e) {
                    // A simultaneous create took the identity first.
                    StoreError::Conflict("a lead with this phone or WhatsApp id already exists")
                } else {
                    StoreError::Db(e)
                }
            })?;
        if let Some(tags) = &c.tags {
            self.set_lead_tags(&*txn, id, tags).await?;
        }
        crate::pipeline::place_new_lead(
            &*txn,
            self.org_id,
            id,
            c.stage_id,
            crate::pipeline::MoveBy {
                actor: closer_domain::pipeline::MoveActor::User,
                actor_id: Some(actor.user_id),
                reason: Some("created".into()),
                evidence_message_id: None,
            },
        )
        .await?;
        activity::append(
            &*txn,
            self.org_id,
            vec![NewActivity {
                contact_id: Some(id),
                conversation_id: None,
                kind: ActivityKind::LeadCreated,
                actor: ActivityActor::Member,
                actor_user_id: Some(actor.user_id),
                payload: json!({ "source": "manual" }),
            }],
        )
        .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "lead.created",
            format!("lead:{id}"),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        self.lead(id).await
    }

    /// A person's change: absent fields stay, `null` clears, tags replace the set, custom
    /// fields merge per key.
    pub async fn update_lead(&self, actor: &Actor, id: Uuid, c: LeadChanges) -> Result<LeadRecord> {
        let txn = self.store.begin_write().await?;
        let current = self.lead_row(&*txn, id).await?;
        let phone = c.phone.clone().flatten();
        let bsuid = c.bsuid.clone().flatten();
        if let Some(lead_id) = self
            .identity_holder(&*txn, phone.as_deref(), bsuid.as_deref(), Some(id))
            .await?
        {
            return Err(LeadError::Exists { lead_id }.into());
        }
        let final_phone = c.phone.clone().unwrap_or(current.phone.clone());
        let final_bsuid = c.bsuid.clone().unwrap_or(current.wa_user_id.clone());
        if final_phone.is_none() && final_bsuid.is_none() {
            return Err(LeadError::Reference {
                field: "phone",
                message: "a lead needs a phone or a WhatsApp id".into(),
            }
            .into());
        }
        if let Some(o) = c.owner_id {
            self.check_owner(&*txn, o).await?;
        }
        let mut person = person_fields(&current)?;
        for f in c.touched() {
            if !person.contains(&f) {
                person.push(f);
            }
        }
        let mut m: lead::ActiveModel = current.clone().into();
        if let Some(v) = c.phone.clone() {
            m.phone = Set(v);
        }
        if let Some(v) = c.bsuid.clone() {
            m.wa_user_id = Set(v);
        }
        if let Some(v) = c.name.clone() {
            // A cleared name must not fall back to the WhatsApp profile name silently.
            if v.is_none() {
                m.profile_name = Set(None);
            }
            m.name = Set(v);
        }
        if let Some(v) = c.email.clone() {
            m.email = Set(v);
        }
        if let Some(v) = c.business.clone() {
            m.business = Set(v);
        }
        if let Some(v) = c.website.clone() {
            m.website = Set(v);
        }
        if let Some(v) = c.city.clone() {
            m.city = Set(v);
        }
        if let Some(v) = c.language.clone() {
            m.language = Set(v);
        }
        if let Some(v) = c.lead_status {
            m.lead_status = Set(v);
        }
        if let Some(v) = c.score {
            m.score = Set(v);
        }
        if let Some(v) = c.value_minor {
            m.value_minor = Set(v);
        }
        if let Some(v) = c.owner_id {
            m.owner_id = Set(v);
        }
        if let Some(v) = c.lead_source {
            m.lead_source = Set(v);
        }
        if let Some(changes) = &c.custom_fields {
            let mut map = match &current.custom_fields {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            for (k, v) in changes {
                if v.is_null() {
                    map.remove(k);
                } else {
                    map.insert(k.clone(), v.clone());
                }
            }
            m.custom_fields = Set(Some(Value::Object(map)));
        }
        m.person_fields = Set(Some(json!(person)));
        m.updated_at = Set(now());
        m.update(&*txn).await.map_err(|e| {
            if unique_violation(&e) {
                StoreError::Conflict("a lead with this phone or WhatsApp id already exists")
            } else {
                StoreError::Db(e)
            }
        })?;
        let mut log = vec![];
        if let Some(tags) = &c.tags {
            let before = self
                .tags_of(&*txn, &[id])
                .await?
                .remove(&id)
                .unwrap_or_default();
            self.set_lead_tags(&*txn, id, tags).await?;
            let before: Vec<String> = before.iter().map(|t| tag_folded(t)).collect();
            for t in tags.iter().filter(|t| !before.contains(&tag_folded(t))) {
                log.push(member_entry(
                    actor,
                    id,
                    ActivityKind::TagAdded,
                    json!({ "tag": t }),
                ));
            }
        }
        // A person qualifying (or otherwise re-rating) the lead is counted like the agent's.
        if let Some(status) = c.lead_status.filter(|s| *s != current.lead_status) {
            let changed = NewActivity {
                contact_id: Some(id),
                conversation_id: None,
                kind: ActivityKind::LeadStatusChanged,
                actor: ActivityActor::Member,
                actor_user_id: Some(actor.user_id),
                payload: json!({ "from": current.lead_status, "to": status }),
            };
            activity::append(&*txn, self.org_id, vec![changed]).await?;
        }
        if let Some(stage_id) = c.stage_id {
            self.move_lead_in(&*txn, actor, id, stage_id, 0, None)
                .await?;
        }
        let mut changed: Vec<String> = c.touched();
        if c.tags.is_some() {
            changed.push("tags".into());
        }
        if c.lead_status.is_some() {
            changed.push("lead_status".into());
        }
        if c.owner_id.is_some() {
            changed.push("owner_id".into());
        }
        if c.phone.is_some() {
            changed.push("phone".into());
        }
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "lead.updated",
            format!("lead:{id}"),
            json!({ "fields": changed }),
        )
        .await?;
        if !changed.is_empty() {
            let fields = json!({ "fields": changed });
            log.push(member_entry(actor, id, ActivityKind::LeadUpdated, fields));
        }
        activity::append(&*txn, self.org_id, log).await?;
        txn.commit().await?;
        self.lead(id).await
    }

    /// The lead and everything that hangs off it: conversations, their messages, state,
    /// decisions, actions, follow-ups, calendar events and pending jobs; notes, tags, the
    /// activity log. The audit log keeps the deletion (without personal data).
    pub async fn delete_lead(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let txn = self.store.begin_write().await?;
        self.lead_row(&*txn, id).await?;
        let conv_ids: Vec<Uuid> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::ContactId.eq(id))
            .into_tuple()
            .all(&*txn)
            .await?;
        let org = self.org_id;
        if !conv_ids.is_empty() {
            message::Entity::delete_many()
                .filter(message::Column::OrgId.eq(org))
                .filter(message::Column::ConversationId.is_in(conv_ids.clone()))
                .exec(&*txn)
                .await?;
            conversation_state::Entity::delete_many()
                .filter(conversation_state::Column::OrgId.eq(org))
                .filter(conversation_state::Column::ConversationId.is_in(conv_ids.clone()))
                .exec(&*txn)
                .await?;
            decision::Entity::delete_many()
                .filter(decision::Column::OrgId.eq(org))
                .filter(decision::Column::ConversationId.is_in(conv_ids.clone()))
                .exec(&*txn)
                .await?;
            action::Entity::delete_many()
                .filter(action::Column::OrgId.eq(org))
                .filter(action::Column::ConversationId.is_in(conv_ids.clone()))
                .exec(&*txn)
                .await?;
            job::Entity::delete_many()
                .filter(job::Column::OrgId.eq(org))
                .filter(job::Column::ConversationId.is_in(conv_ids.clone()))
                .filter(job::Column::Status.ne(closer_domain::work::JobStatus::Running.as_str()))
                .exec(&*txn)
                .await?;
            conversation::Entity::delete_many()
                .filter(conversation::Column::OrgId.eq(org))
                .filter(conversation::Column::Id.is_in(conv_ids))
                .exec(&*txn)
                .await?;
        }
        followup::Entity::delete_many()
            .filter(followup::Column::OrgId.eq(org))
            .filter(followup::Column::ContactId.eq(id))
            .exec(&*txn)
            .await?;
        calendar_event::Entity::delete_many()
            .filter(calendar_event::Column::OrgId.eq(org))
            .filter(calendar_event::Column::ContactId.eq(id))
            .exec(&*txn)
            .await?;
        activity_row::Entity::delete_many()
            .filter(activity_row::Column::OrgId.eq(org))
            .filter(activity_row::Column::ContactId.eq(id))
            .exec(&*txn)
            .await?;
        crate::automations::forget_lead_runs(&*txn, org, id).await?;
        lead_note::Entity::delete_many()
            .filter(lead_note::Column::OrgId.eq(org))
            .filter(lead_note::Column::ContactId.eq(id))
            .exec(&*txn)
            .await?;
        lead_tag::Entity::delete_many()
            .filter(lead_tag::Column::OrgId.eq(org))
            .filter(lead_tag::Column::ContactId.eq(id))
            .exec(&*txn)
            .await?;
        crate::pipeline::forget_lead(&*txn, org, id).await?;
        lead::Entity::delete_many()
            .filter(lead::Column::OrgId.eq(org))
            .filter(lead::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            org,
            Some(actor),
            "lead.deleted",
            format!("lead:{id}"),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The agent's slots fill the lead's fields a person never set: `name`, `email`, `city`,
    /// `business`, `website`, `language`, and custom fields of the same key whose value
    /// passes the field's type. Call it after the agent saved a conversation's state (with
    /// the slot name → value of its slots); a person's value is never overwritten. Returns the
    /// fields written.
    pub async fn fill_lead_from_slots(
        &self,
        lead_id: Uuid,
        slots: &BTreeMap<String, String>,
    ) -> Result<Vec<String>> {
        let defs = self.custom_fields().await?;
        let txn = self.store.begin_write().await?;
        let current = self.lead_row(&*txn, lead_id).await?;
        let person = person_fields(&current)?;
        let mut written = Vec::new();
        let mut m: lead::ActiveModel = current.clone().into();
        let mut custom = match &current.custom_fields {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        for (slot, value) in slots {
            let key = slot.trim().to_lowercase();
            let value = value.trim();
            if value.is_empty() || person.contains(&key) {
                continue;
            }
            let v = Some(value.to_owned());
            let set = match key.as_str() {
                "name" if current.name.as_deref() != Some(value) => {
                    m.name = Set(v);
                    true
                }
                "email" if current.email.as_deref() != Some(value) => {
                    match closer_domain::EmailAddress::parse(value) {
                        Ok(e) => {
                            m.email = Set(Some(e.to_string()));
                            true
                        }
                        Err(_) => false,
                    }
                }
                "city" if current.city.as_deref() != Some(value) => {
                    m.city = Set(v);
                    true
                }
                "business" if current.business.as_deref() != Some(value) => {
                    m.business = Set(v);
                    true
                }
                "language" if current.language.as_deref() != Some(value) => {
                    m.language = Set(v);
                    true
                }
                _ => {
                    let path = format!("custom_fields.{key}");
                    match defs.iter().find(|d| d.key == key) {
                        Some(d) if !person.contains(&path) => {
                            match closer_domain::leads::field_value(
                                d.kind,
                                &d.options,
                                &Value::String(value.to_owned()),
                            ) {
                                Ok(stored) if custom.get(&key) != Some(&stored) => {
                                    custom.insert(key.clone(), stored);
                                    true
                                }
                                _ => false,
                            }
                        }
                        _ => false,
                    }
                }
            };
            if set {
                written.push(key);
            }
        }
        if written.is_empty() {
            return Ok(written);
        }
        m.custom_fields = Set(Some(Value::Object(custom)));
        m.updated_at = Set(now());
        m.update(&*txn).await?;
        txn.commit().await?;
        Ok(written)
    }

    /// The text of messages a timeline names (`message_id` in their payload), by id.
    pub async fn message_texts(&self, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(Uuid, Option<String>)> = message::Entity::find()
            .select_only()
            .column(message::Column::Id)
            .column(message::Column::Text)
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, t)| Some((id, t?)))
            .collect())
    }

    // ----- notes -----

    pub async fn notes(&self, lead_id: Uuid) -> Result<Vec<NoteRecord>> {
        let rows = lead_note::Entity::find()
            .filter(lead_note::Column::OrgId.eq(self.org_id))
            .filter(lead_note::Column::ContactId.eq(lead_id))
            .order_by_desc(lead_note::Column::Id)
            .all(&self.store.db)
            .await?;
        Ok(rows.into_iter().map(note_record).collect())
    }

    async fn note_row(&self, lead_id: Uuid, note_id: Uuid) -> Result<lead_note::Model> {
        lead_note::Entity::find()
            .filter(lead_note::Column::OrgId.eq(self.org_id))
            .filter(lead_note::Column::ContactId.eq(lead_id))
            .filter(lead_note::Column::Id.eq(note_id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn add_note(&self, actor: &Actor, lead_id: Uuid, body: &str) -> Result<NoteRecord> {
        let txn = self.store.begin_write().await?;
        self.lead_row(&*txn, lead_id).await?;
        let at = now();
        let model = lead_note::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            contact_id: Set(lead_id),
            body: Set(body.to_owned()),
            author_id: Set(Some(actor.user_id)),
            author_name: Set(Some(actor.name.clone())),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&*txn)
        .await?;
        activity::append(
            &*txn,
            self.org_id,
            vec![NewActivity {
                contact_id: Some(lead_id),
                conversation_id: None,
                kind: ActivityKind::NoteAdded,
                actor: ActivityActor::Member,
                actor_user_id: Some(actor.user_id),
                payload: json!({ "note_id": model.id, "body": body }),
            }],
        )
        .await?;
        txn.commit().await?;
        Ok(note_record(model))
    }

    fn may_change_note(actor: &Actor, note: &lead_note::Model) -> Result<()> {
        if note.author_id == Some(actor.user_id) || actor.role.can_manage_org() {
            Ok(())
        } else {
            Err(LeadError::NotAuthor.into())
        }
    }

    pub async fn update_note(
        &self,
        actor: &Actor,
        lead_id: Uuid,
        note_id: Uuid,
        body: &str,
    ) -> Result<NoteRecord> {
        let note = self.note_row(lead_id, note_id).await?;
        Self::may_change_note(actor, &note)?;
        let txn = self.store.begin_write().await?;
        lead_note::Entity::update_many()
            .filter(lead_note::Column::OrgId.eq(self.org_id))
            .filter(lead_note::Column::Id.eq(note_id))
            .col_expr(lead_note::Column::Body, Expr::value(body))
            .col_expr(lead_note::Column::UpdatedAt, Expr::value(now()))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(note_record(self.note_row(lead_id, note_id).await?))
    }

    pub async fn delete_note(&self, actor: &Actor, lead_id: Uuid, note_id: Uuid) -> Result<()> {
        let note = self.note_row(lead_id, note_id).await?;
        Self::may_change_note(actor, &note)?;
        let txn = self.store.begin_write().await?;
        lead_note::Entity::delete_many()
            .filter(lead_note::Column::OrgId.eq(self.org_id))
            .filter(lead_note::Column::Id.eq(note_id))
            .exec(&*txn)
            .await?;
        if note.author_id != Some(actor.user_id) {
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                "lead.note_deleted",
                format!("lead:{lead_id}"),
                json!({ "note_id": note_id }),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

fn effective_country(row: &org_country::Model) -> String {
    row.default_country
        .clone()
        .or_else(|| {
            row.timezone
                .as_deref()
                .and_then(country_of_timezone)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "IN".to_owned())
}

fn effective_currency(row: &org_country::Model) -> String {
    row.currency
        .clone()
        .or_else(|| closer_domain::leads::currency_of_country(&effective_country(row)))
        .unwrap_or_else(|| "INR".to_owned())
}

fn field_def(m: custom_field::Model) -> Result<CustomFieldDef> {
    Ok(CustomFieldDef {
        id: m.id,
        key: m.key,
        label: m.label,
        kind: m.field_type,
        options: crate::stored::or_default("custom field's options", m.options)?,
        currency: m.currency,
        position: m.position,
    })
}

fn note_record(m: lead_note::Model) -> NoteRecord {
    NoteRecord {
        id: m.id,
        lead_id: m.contact_id,
        body: m.body,
        author: m
            .author_id
            .map(|id| (id, m.author_name.unwrap_or_default())),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// The expression a sort orders by (nullable columns folded so both databases agree). The
/// name and value expressions are written out as m0016 indexes them, literals inline: an index
/// on an expression serves a query only when the query holds the same expression.
fn sort_expr(key: LeadSortKey) -> SimpleExpr {
    match key {
        LeadSortKey::LastSeenAt => Expr::col((lead::Entity, lead::Column::LastSeenAt)),
        LeadSortKey::CreatedAt => Expr::col((lead::Entity, lead::Column::CreatedAt)),
        LeadSortKey::Score => Expr::col((lead::Entity, lead::Column::Score)),
        LeadSortKey::Name => Expr::cust(
            r#"COALESCE(LOWER("contacts"."name"), LOWER("contacts"."profile_name"), '')"#,
        ),
        LeadSortKey::ValueMinor => Expr::cust(r#"COALESCE("contacts"."value_minor", -1)"#),
    }
}

fn cursor_value(key: LeadSortKey, m: &lead::Model) -> Value {
    match key {
        LeadSortKey::LastSeenAt => json!(m.last_seen_at),
        LeadSortKey::CreatedAt => json!(m.created_at),
        LeadSortKey::Score => json!(m.score),
        LeadSortKey::Name => json!(
            m.name
                .clone()
                .or(m.profile_name.clone())
                .unwrap_or_default()
                .to_lowercase()
        ),
        LeadSortKey::ValueMinor => json!(m.value_minor.unwrap_or(-1)),
    }
}

fn cursor_parts(key: LeadSortKey, c: &Value) -> Option<(sea_orm::Value, Uuid)> {
    let id: Uuid = c.get(1)?.as_str()?.parse().ok()?;
    let v = c.get(0)?;
    let value: sea_orm::Value = match key {
        LeadSortKey::LastSeenAt | LeadSortKey::CreatedAt => {
            let t: DateTime<Utc> = serde_json::from_value(v.clone()).ok()?;
            t.into()
        }
        LeadSortKey::Score => (v.as_i64()? as i32).into(),
        LeadSortKey::Name => v.as_str()?.to_owned().into(),
        LeadSortKey::ValueMinor => v.as_i64()?.into(),
    };
    Some((value, id))
}

/// A member's change to a lead, for the activity log (automations react to it).
fn member_entry(actor: &Actor, lead_id: Uuid, kind: ActivityKind, payload: Value) -> NewActivity {
    NewActivity {
        contact_id: Some(lead_id),
        conversation_id: None,
        kind,
        actor: ActivityActor::Member,
        actor_user_id: Some(actor.user_id),
        payload,
    }
}

#[cfg(test)]
mod walk_tests {
    use super::walk_pays_from;

    #[test]
    fn a_walk_pays_from_the_square_root_of_the_work_and_never_for_a_small_tag() {
        // A page of 51 rows of a million leads: about six thousand taggings.
        assert_eq!(walk_pays_from(1_000_000, 51), 6_036);
        // A small organisation keeps the set: below a thousand taggings it is cheap anyway.
        assert_eq!(walk_pays_from(1_200, 51), 1_000);
        assert_eq!(walk_pays_from(0, 51), 1_000);
        // More leads or longer pages need more taggings before walking pays.
        assert!(walk_pays_from(4_000_000, 51) > walk_pays_from(1_000_000, 51));
        assert!(walk_pays_from(1_000_000, 201) > walk_pays_from(1_000_000, 51));
    }
}
