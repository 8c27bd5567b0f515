//! The CRM (API.md, *CRM*): leads — list, search, create, edit, delete, the detail page with
//! its timeline — their notes, the organisation's tags and custom field definitions.
//!
//! Roles: every member reads; anyone but a viewer writes leads, their tags and notes (a note
//! only by its author or an owner/admin); owner/admin also delete leads and define tags and
//! fields. The role is checked before the body is read.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, parse_id};
use crate::routes::schema::page_limit;
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use closer_domain::activity::ActivityKind;
use closer_domain::contact_points::{Phone, WebAddress};
use closer_domain::leads::{self, CustomFieldType};
use closer_domain::messaging::ConversationMode;
use closer_domain::realtime::RealtimeEvent;
use closer_domain::sales::{ConversationStage, LeadSource, LeadStatus};
use closer_domain::work::ErrorCode;
use closer_domain::{EmailAddress, ValidationError};
use closer_store::leads::{
    CustomFieldDef, LeadChanges, LeadError, LeadFilter, LeadRecord, NoteRecord, TagRecord,
};
use closer_store::{PageRequest, activity::ActivityEntry};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A member who works leads (anyone but a viewer): edits leads, their tags and notes.
pub struct LeadWriter(pub Member);

impl FromRequestParts<AppState> for LeadWriter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let member = Member::from_request_parts(parts, state).await?;
        if member.role().can_work_conversations() {
            Ok(LeadWriter(member))
        } else {
            Err(ApiError::Forbidden(
                "viewers can read and search leads but not change them".into(),
            ))
        }
    }
}

/// A CRM refusal as the API answers it.
pub fn refusal(e: LeadError) -> ApiError {
    let message = e.to_string();
    match e {
        LeadError::Exists { lead_id } => ApiError::ConflictWith {
            code: ErrorCode::LeadExists,
            message,
            details: json!({ "lead_id": lead_id }),
        },
        LeadError::TagExists => ApiError::Conflict {
            code: ErrorCode::TagExists,
            message,
        },
        LeadError::FieldExists => ApiError::Conflict {
            code: ErrorCode::FieldExists,
            message,
        },
        LeadError::Reference { field, message } => ApiError::field(field, message),
        LeadError::NotAuthor => ApiError::Forbidden(message),
        LeadError::Erased => ApiError::Conflict {
            code: ErrorCode::LeadErased,
            message,
        },
    }
}

// ----- views -----

#[derive(Serialize, ToSchema)]
pub struct MemberRef {
    pub id: Uuid,
    pub name: String,
}

/// A pipeline stage, briefly.
#[derive(Serialize, ToSchema)]
pub struct StageRef {
    pub id: Uuid,
    pub name: String,
    pub kind: closer_domain::pipeline::StageKind,
}

/// A lead: the CRM record of a contact (`id` = the conversation's `contact.id`).
#[derive(Serialize, ToSchema)]
pub struct LeadView {
    pub id: Uuid,
    /// E.164.
    pub phone: Option<String>,
    /// WhatsApp's business-scoped user id, when Meta sends no phone.
    pub bsuid: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub business: Option<String>,
    pub website: Option<String>,
    pub city: Option<String>,
    pub language: Option<String>,
    pub lead_status: LeadStatus,
    pub score: i32,
    /// Deal value in the currency's minor unit (paise, cents).
    pub value_minor: Option<i64>,
    /// The pipeline stage (every lead has one; null only for a lead not yet placed).
    pub stage: Option<StageRef>,
    /// The card's place in its stage's column, 0 = top.
    pub position: Option<i32>,
    /// When the lead entered its stage.
    pub stage_entered_at: Option<DateTime<Utc>>,
    pub owner: Option<MemberRef>,
    pub tags: Vec<String>,
    #[schema(value_type = std::collections::HashMap<String, Value>)]
    pub custom_fields: Map<String, Value>,
    pub lead_source: LeadSource,
    /// Click-to-WhatsApp ad referral (`source_id`, `headline`, `source_url`…) when the lead came
    /// from an ad.
    pub campaign: Option<Value>,
    pub opted_out: bool,
    pub conversation_id: Option<Uuid>,
    /// When a member erased the lead's personal data (`POST /privacy/erase`): identity,
    /// profile and fields are gone, and lists show the lead as "Erased lead".
    pub erased_at: Option<DateTime<Utc>>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn view(l: LeadRecord) -> LeadView {
    LeadView {
        id: l.id,
        phone: l.phone,
        bsuid: l.bsuid,
        name: l.name,
        email: l.email,
        business: l.business,
        website: l.website,
        city: l.city,
        language: l.language,
        lead_status: l.lead_status,
        score: l.score,
        value_minor: l.value_minor,
        stage: l.placement.as_ref().map(|p| StageRef {
            id: p.stage_id,
            name: p.stage_name.clone(),
            kind: p.stage_kind,
        }),
        position: l.placement.as_ref().map(|p| p.position),
        stage_entered_at: l.placement.as_ref().map(|p| p.entered_at),
        owner: l.owner.map(|(id, name)| MemberRef { id, name }),
        tags: l.tags,
        custom_fields: l.custom_fields,
        lead_source: l.lead_source,
        campaign: l.campaign,
        opted_out: l.opted_out,
        conversation_id: l.conversation_id,
        erased_at: l.erased_at,
        first_seen_at: l.first_seen_at,
        last_seen_at: l.last_seen_at,
        created_at: l.created_at,
        updated_at: l.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct LeadList {
    pub items: Vec<LeadView>,
    pub next_cursor: Option<String>,
    /// With `count=true`: every match, not just this page.
    pub total: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteView {
    pub id: Uuid,
    pub body: String,
    pub author: Option<MemberRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn note_view(n: NoteRecord) -> NoteView {
    NoteView {
        id: n.id,
        body: n.body,
        author: n.author.map(|(id, name)| MemberRef { id, name }),
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct NoteList {
    pub items: Vec<NoteView>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadConversationView {
    pub id: Uuid,
    pub stage: ConversationStage,
    pub mode: ConversationMode,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_message_text: Option<String>,
}

/// How and when an opted-out lead came onto the opt-out list.
#[derive(Serialize, ToSchema)]
pub struct OptOutView {
    pub at: Option<DateTime<Utc>>,
    /// Null only for an erased lead whose person came back as a newer lead (which the list
    /// names now).
    pub source: Option<closer_domain::compliance::OptOutSource>,
    /// The member who opted the lead out; null when the lead did.
    pub by: Option<MemberRef>,
    pub reason: Option<String>,
    /// The lead's message that said stop.
    pub message_id: Option<Uuid>,
}

/// One entry of a lead's timeline, read from the activity log.
#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    /// `message`, `stage_change`, `note`, `cta`, `handoff`, `opt_out`, `opt_in`, `erased`,
    /// `mode_change`, `calendar` (booked, rescheduled, cancelled: `data.event`),
    /// `assignment`.
    #[serde(rename = "type")]
    pub kind: String,
    pub at: DateTime<Utc>,
    /// `lead`, `agent`, `member` or `system`.
    pub actor: String,
    pub actor_user_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub data: Value,
}

#[derive(Serialize, ToSchema)]
pub struct Timeline {
    pub items: Vec<TimelineEntry>,
    pub next_cursor: Option<String>,
}

/// A lead with what its page shows.
#[derive(Serialize, ToSchema)]
pub struct LeadDetail {
    #[serde(flatten)]
    pub lead: LeadView,
    /// The newest conversation's slots: `{NAME: {value, confidence, source_message_id}}`.
    pub slots: Value,
    pub conversations: Vec<LeadConversationView>,
    pub notes: Vec<NoteView>,
    /// When the lead opted out; null while they may be messaged.
    pub opt_out: Option<OptOutView>,
    pub timeline: Timeline,
}

fn timeline_type(kind: ActivityKind) -> Option<&'static str> {
    Some(match kind {
        ActivityKind::MessageReceived | ActivityKind::MessageSent => "message",
        // A campaign's template, shown as the message it was.
        ActivityKind::CampaignSent => "message",
        ActivityKind::CampaignReplied => return None,
        ActivityKind::StageChanged | ActivityKind::LeadMoved => "stage_change",
        ActivityKind::NoteAdded => "note",
        ActivityKind::CtaAccepted => "cta",
        ActivityKind::HandoffRequested | ActivityKind::TakeoverStarted => "handoff",
        ActivityKind::OptedOut => "opt_out",
        ActivityKind::OptedIn => "opt_in",
        ActivityKind::Erased => "erased",
        ActivityKind::ModeChanged | ActivityKind::TakeoverEnded => "mode_change",
        ActivityKind::CalendarBooked
        | ActivityKind::CalendarRescheduled
        | ActivityKind::CalendarCancelled => "calendar",
        ActivityKind::Assigned => "assignment",
        ActivityKind::LeadCreated
        | ActivityKind::LeadStatusChanged
        | ActivityKind::ActionResolved
        | ActivityKind::ConversationCreated
        | ActivityKind::LeadUpdated
        | ActivityKind::TagAdded => return None,
    })
}

/// The timeline's entries, messages with their text (`data.payload.text`).
async fn timeline(
    org: &closer_store::OrgScope<'_>,
    page: closer_store::Page<ActivityEntry>,
) -> ApiResult<Timeline> {
    let message_ids: Vec<Uuid> = page
        .items
        .iter()
        .filter(|e| timeline_type(e.kind) == Some("message"))
        .filter_map(|e| e.payload.get("message_id")?.as_str()?.parse().ok())
        .collect();
    let texts = org.message_texts(message_ids).await?;
    Ok(Timeline {
        items: page
            .items
            .into_iter()
            .filter_map(|e| {
                let mut payload = e.payload;
                let id = payload
                    .get("message_id")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<Uuid>().ok());
                if let (Some(id), Value::Object(map)) = (id, &mut payload)
                    && let Some(text) = texts.get(&id)
                {
                    map.insert("text".into(), Value::String(text.clone()));
                }
                Some(TimelineEntry {
                    kind: timeline_type(e.kind)?.to_owned(),
                    at: e.at,
                    actor: e.actor.as_str().to_owned(),
                    actor_user_id: e.actor_user_id,
                    conversation_id: e.conversation_id,
                    data: json!({ "event": e.kind, "payload": payload }),
                })
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}

// ----- input -----

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A lead's fields as written. On `PUT`: absent = unchanged, `null` = cleared, `tags` replaces
/// the set (names not yet tags become tags), `custom_fields` merges per key (`null` removes).
#[derive(Deserialize, ToSchema, Default)]
pub struct LeadInput {
    /// Any format (`+91 98765 43210`, `098765 43210`); read in the organisation's
    /// `default_country` without a country code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub bsuid: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub business: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub language: Option<Option<String>>,
    #[serde(default)]
    pub lead_status: Option<LeadStatus>,
    #[serde(default)]
    pub score: Option<i32>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub value_minor: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    /// Moves the lead to this pipeline stage, on top (a history row, actor `user`); another
    /// organisation's stage or `null` is 422 `stage_id`. On create: the first open stage when
    /// absent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub stage_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub lead_source: Option<LeadSource>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Option<std::collections::HashMap<String, Value>>)]
    pub custom_fields: Option<Map<String, Value>>,
}

const MAX_TEXT: usize = 200;
const MAX_TAGS_PER_LEAD: usize = 50;

fn text_field(
    raw: Option<Option<String>>,
    max: usize,
) -> Result<Option<Option<String>>, ValidationError> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(t)) => {
            let t = t.trim();
            if t.is_empty() {
                Ok(Some(None))
            } else if t.chars().count() > max {
                Err(ValidationError(format!("must be at most {max} characters")))
            } else {
                Ok(Some(Some(t.to_owned())))
            }
        }
    }
}

fn mapped<T>(
    raw: Option<Option<String>>,
    max: usize,
    parse: impl Fn(&str) -> Result<T, ValidationError>,
    out: impl Fn(T) -> String,
) -> Result<Option<Option<String>>, ValidationError> {
    match text_field(raw, max)? {
        Some(Some(t)) => Ok(Some(Some(out(parse(&t)?)))),
        other => Ok(other),
    }
}

/// The validated change, or 422 naming every bad field (`custom_fields.KEY`, `tags[2]`).
fn checked(
    input: LeadInput,
    defs: &[CustomFieldDef],
    country: &str,
    creating: bool,
) -> ApiResult<LeadChanges> {
    let mut v = Validator::default();
    let phone = mapped(
        input.phone,
        40,
        |p| Phone::parse(p, Some(country)),
        |p| p.to_string(),
    );
    let bsuid = text_field(input.bsuid, 128);
    let identity_bad = phone.is_err() || bsuid.is_err();
    let phone = v.check("phone", phone).flatten();
    let bsuid = v.check("bsuid", bsuid).flatten();
    if creating
        && phone.clone().flatten().is_none()
        && bsuid.clone().flatten().is_none()
        && !identity_bad
    {
        v.fail("phone", "a lead needs a phone number or a WhatsApp id");
    }
    let email = v
        .check(
            "email",
            mapped(input.email, 254, EmailAddress::parse, |e| e.to_string()),
        )
        .flatten();
    let website = v
        .check(
            "website",
            mapped(input.website, 300, WebAddress::parse, |w| w.to_string()),
        )
        .flatten();
    let name = v.check("name", text_field(input.name, MAX_TEXT)).flatten();
    let business = v
        .check("business", text_field(input.business, MAX_TEXT))
        .flatten();
    let city = v.check("city", text_field(input.city, MAX_TEXT)).flatten();
    let language = v
        .check("language", text_field(input.language, 35))
        .flatten();
    if let Some(s) = input.score
        && !(0..=100).contains(&s)
    {
        v.fail("score", "must be between 0 and 100");
    }
    if let Some(Some(val)) = input.value_minor
        && val < 0
    {
        v.fail("value_minor", "must not be negative");
    }
    if let Some(None) = input.stage_id {
        v.fail("stage_id", "a lead is always in a pipeline stage");
    }
    let tags = input.tags.map(|tags| {
        if tags.len() > MAX_TAGS_PER_LEAD {
            v.fail("tags", "at most 50 tags per lead");
        }
        let mut out: Vec<String> = Vec::new();
        for (i, t) in tags.iter().enumerate() {
            if let Some(name) = v.check(&format!("tags[{i}]"), leads::tag_name(t))
                && !out
                    .iter()
                    .any(|o| leads::tag_folded(o) == leads::tag_folded(&name))
            {
                out.push(name);
            }
        }
        out
    });
    let custom_fields = input.custom_fields.map(|fields| {
        let mut out = Map::new();
        for (key, value) in fields {
            let path = format!("custom_fields.{key}");
            let Some(def) = defs.iter().find(|d| d.key == key) else {
                v.fail(&path, "no custom field has this key");
                continue;
            };
            if value.is_null() {
                out.insert(key, Value::Null);
                continue;
            }
            if let Some(stored) = v.check(&path, leads::field_value(def.kind, &def.options, &value))
            {
                out.insert(key, stored);
            }
        }
        out
    });
    v.finish()?;
    Ok(LeadChanges {
        phone,
        bsuid,
        name,
        email,
        business,
        website,
        city,
        language,
        lead_status: input.lead_status,
        score: input.score,
        value_minor: input.value_minor,
        owner_id: input.owner_id,
        lead_source: input.lead_source,
        tags,
        custom_fields,
        stage_id: input.stage_id.flatten(),
    })
}

// ----- list -----

/// The list's query (`tag` may repeat: any of them).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct LeadListParams {
    /// Words prefix-matching name, email, city, business, tags and notes; phone-like text
    /// (`98765 43210`) matches phones with its digits.
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::blank_as_none")]
    #[param(value_type = Option<LeadStatus>)]
    pub lead_status: Option<LeadStatus>,
    /// Repeatable: leads with any of these tags.
    pub tag: Option<Vec<String>>,
    /// A member's id, or `none` for leads without an owner.
    pub owner_id: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::blank_as_none")]
    #[param(value_type = Option<LeadSource>)]
    pub lead_source: Option<LeadSource>,
    pub opted_out: Option<bool>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub last_seen_after: Option<DateTime<Utc>>,
    pub last_seen_before: Option<DateTime<Utc>>,
    /// `-last_seen_at` (default), `created_at`, `name`, `score`, `value_minor`; `-` = descending.
    pub sort: Option<String>,
    /// A saved view's id: its filter, search and sort apply (with the other parameters).
    pub view_id: Option<String>,
    /// A filter document `[{field, operator, value, glue}]` as URL-encoded JSON.
    pub filter: Option<String>,
    /// Adds `total`.
    pub count: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The query string with repeated `tag`s, NULs removed.
pub(crate) fn list_params(raw: Option<String>) -> ApiResult<LeadListParams> {
    let raw = raw.unwrap_or_default();
    let mut tags = Vec::new();
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, val) in form_urlencoded::parse(raw.as_bytes()) {
        let k = closer_domain::text::storable(&k);
        let val = closer_domain::text::storable(&val);
        if k == "tag" {
            if !val.trim().is_empty() {
                tags.push(val.trim().to_owned());
            }
        } else {
            rest.append_pair(&k, &val);
        }
    }
    let rest = rest.finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(rest.as_bytes()));
    let mut p: LeadListParams = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        ApiError::field(&path, err.into_inner().to_string())
    })?;
    p.tag = Some(tags);
    Ok(p)
}

pub(crate) async fn filter_of(
    store: &closer_store::Store,
    org_id: Uuid,
    p: &LeadListParams,
) -> ApiResult<LeadFilter> {
    let mut f = LeadFilter {
        lead_status: p.lead_status,
        tags: p.tag.clone().unwrap_or_default(),
        lead_source: p.lead_source,
        opted_out: p.opted_out,
        created_after: p.created_after,
        created_before: p.created_before,
        last_seen_after: p.last_seen_after,
        last_seen_before: p.last_seen_before,
        ..Default::default()
    };
    f.owner_id = match p.owner_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(id) => Some(Some(Uuid::parse_str(id).map_err(|_| {
            ApiError::field("owner_id", "must be a member's id or none")
        })?)),
    };
    if let Some(q) = p.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 200 {
            return Err(ApiError::field("q", "must be at most 200 characters"));
        }
        if let Some(digits) = leads::phone_like_digits(q) {
            let country = store.org(org_id).default_country().await?;
            f.phone_exact = Phone::parse(q, Some(&country)).ok().map(|p| p.to_string());
            // A local spelling's leading 0 (trunk prefix) is not in the stored number.
            f.phone_digits =
                Some(digits.trim_start_matches('0').to_owned()).filter(|d| d.len() >= 4);
            if f.phone_digits.is_none() && f.phone_exact.is_none() {
                f.phone_digits = Some(digits);
            }
        } else {
            f.words = q.split_whitespace().take(8).map(str::to_owned).collect();
        }
    }
    Ok(f)
}

/// A page of leads as the list answers it.
pub(crate) fn list_of(page: closer_store::leads::LeadPage) -> LeadList {
    LeadList {
        items: page.items.into_iter().map(view).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }
}

/// Leads, newest activity first unless `sort` says otherwise; every condition holds.
#[utoipa::path(get, path = "/leads", tag = "crm", params(LeadListParams),
    security(("bearer" = [])),
    responses((status = 200, body = LeadList), (status = 422, body = ErrorBody)))]
pub async fn list_leads(
    State(state): State<AppState>,
    member: Member,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<LeadList>> {
    let p = list_params(raw)?;
    let limit = page_limit(p.limit)?;
    let (f, sort) = crate::routes::lead_data::selection(&state.store, &member, &p).await?;
    let page = state
        .store
        .org(member.org_id())
        .leads(
            &f,
            sort,
            p.cursor.as_deref().filter(|c| !c.is_empty()),
            limit,
            p.count.unwrap_or(false),
        )
        .await?;
    Ok(Json(LeadList {
        items: page.items.into_iter().map(view).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

/// A lead a person adds. 409 `lead_exists` (with `details.lead_id`) when its phone or WhatsApp
/// id belongs to a lead already.
#[utoipa::path(post, path = "/leads", tag = "crm", request_body = LeadInput,
    security(("bearer" = [])),
    responses((status = 201, body = LeadView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_lead(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<(StatusCode, Json<LeadView>)> {
    let org = state.store.org(member.org_id());
    let defs = org.custom_fields().await?;
    let country = org.default_country().await?;
    let changes = checked(input, &defs, &country, true)?;
    let lead = org.create_lead(&member.0.user.as_actor(), changes).await?;
    let event = RealtimeEvent::LeadCreated { lead_id: lead.id };
    crate::announce::lead(&state.store, member.org_id(), event).await;
    Ok((StatusCode::CREATED, Json(view(lead))))
}

/// A lead with its slots, conversations, notes, opt-out and the first page of its timeline.
#[utoipa::path(get, path = "/leads/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = LeadDetail), (status = 404, body = ErrorBody)))]
pub async fn get_lead(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<LeadDetail>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    let lead = org.lead(id).await?;
    let extras = org.lead_extras(id).await?;
    let page = org
        .lead_activity(
            id,
            PageRequest {
                limit: Some(50),
                cursor: None,
            },
        )
        .await?;
    let listed = match lead.opted_out {
        true => org.opt_out_of(id).await?,
        false => None,
    };
    let opt_out = lead.opted_out.then(|| OptOutView {
        at: listed.as_ref().map(|e| e.at).or(lead.opted_out_at),
        source: listed.as_ref().map(|e| e.source),
        by: listed
            .as_ref()
            .and_then(|e| e.by.clone())
            .map(|(id, name)| MemberRef { id, name }),
        reason: listed.as_ref().and_then(|e| e.reason.clone()),
        message_id: listed.as_ref().and_then(|e| e.message_id),
    });
    Ok(Json(LeadDetail {
        lead: view(lead),
        slots: extras.slots,
        conversations: extras
            .conversations
            .into_iter()
            .map(|c| LeadConversationView {
                id: c.id,
                stage: c.stage,
                mode: c.mode,
                last_message_at: c.last_message_at,
                last_message_text: c.last_message_text,
            })
            .collect(),
        notes: extras.notes.into_iter().map(note_view).collect(),
        opt_out,
        timeline: timeline(&org, page).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// More of a lead's timeline, newest first.
#[utoipa::path(get, path = "/leads/{id}/timeline", tag = "crm",
    params(("id" = String, Path), TimelineParams), security(("bearer" = [])),
    responses((status = 200, body = Timeline), (status = 404, body = ErrorBody)))]
pub async fn lead_timeline(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    crate::extract::ApiQuery(p): crate::extract::ApiQuery<TimelineParams>,
) -> ApiResult<Json<Timeline>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    org.lead(id).await?;
    let cursor = match p.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            Uuid::parse_str(c)
                .map_err(|_| ApiError::field("cursor", "is not a cursor this API gave out"))?,
        ),
        None => None,
    };
    let page = org
        .lead_activity(
            id,
            PageRequest {
                limit: Some(page_limit(p.limit)?),
                cursor,
            },
        )
        .await?;
    Ok(Json(timeline(&org, page).await?))
}

/// Change a lead: absent fields stay, `null` clears, `tags` replaces the set, `custom_fields`
/// merges per key.
#[utoipa::path(put, path = "/leads/{id}", tag = "crm", params(("id" = String, Path)),
    request_body = LeadInput, security(("bearer" = [])),
    responses((status = 200, body = LeadView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_lead(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<Json<LeadView>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    org.lead(id).await?;
    let defs = org.custom_fields().await?;
    let country = org.default_country().await?;
    let changes = checked(input, &defs, &country, false)?;
    let lead = org
        .update_lead(&member.0.user.as_actor(), id, changes)
        .await?;
    let event = RealtimeEvent::LeadUpdated { lead_id: id };
    crate::announce::lead(&state.store, member.org_id(), event).await;
    Ok(Json(view(lead)))
}

/// Delete a lead and everything that hangs off it (owner or admin).
#[utoipa::path(delete, path = "/leads/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_lead(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .delete_lead(&member.0.user.as_actor(), id)
        .await?;
    let event = RealtimeEvent::LeadDeleted { lead_id: id };
    crate::announce::lead(&state.store, member.org_id(), event).await;
    Ok(StatusCode::NO_CONTENT)
}

// ----- notes -----

#[derive(Deserialize, ToSchema)]
pub struct NoteInput {
    /// 1 to 10,000 characters.
    pub body: String,
}

/// A lead's notes, newest first.
#[utoipa::path(get, path = "/leads/{id}/notes", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = NoteList), (status = 404, body = ErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<NoteList>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    org.lead(id).await?;
    Ok(Json(NoteList {
        items: org.notes(id).await?.into_iter().map(note_view).collect(),
    }))
}

/// A note on a lead; it appears on the lead's timeline.
#[utoipa::path(post, path = "/leads/{id}/notes", tag = "crm", params(("id" = String, Path)),
    request_body = NoteInput, security(("bearer" = [])),
    responses((status = 201, body = NoteView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_note(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    let id = parse_id(&id)?;
    let body = leads::note_body(&input.body).map_err(|e| ApiError::field("body", e.0))?;
    let note = state
        .store
        .org(member.org_id())
        .add_note(&member.0.user.as_actor(), id, &body)
        .await?;
    let event = RealtimeEvent::LeadUpdated { lead_id: id };
    crate::announce::lead(&state.store, member.org_id(), event).await;
    Ok((StatusCode::CREATED, Json(note_view(note))))
}

/// Change a note (its author, or an owner/admin).
#[utoipa::path(put, path = "/leads/{id}/notes/{note_id}", tag = "crm",
    params(("id" = String, Path), ("note_id" = String, Path)), request_body = NoteInput,
    security(("bearer" = [])),
    responses((status = 200, body = NoteView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_note(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path((id, note_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<NoteInput>,
) -> ApiResult<Json<NoteView>> {
    let (id, note_id) = (parse_id(&id)?, parse_id(&note_id)?);
    let body = leads::note_body(&input.body).map_err(|e| ApiError::field("body", e.0))?;
    let note = state
        .store
        .org(member.org_id())
        .update_note(&member.0.user.as_actor(), id, note_id, &body)
        .await?;
    let event = RealtimeEvent::LeadUpdated { lead_id: id };
    crate::announce::lead(&state.store, member.org_id(), event).await;
    Ok(Json(note_view(note)))
}

/// Delete a note (its author, or an owner/admin).
#[utoipa::path(delete, path = "/leads/{id}/notes/{note_id}", tag = "crm",
    params(("id" = String, Path), ("note_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_note(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path((id, note_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, note_id) = (parse_id(&id)?, parse_id(&note_id)?);
    state
        .store
        .org(member.org_id())
        .delete_note(&member.0.user.as_actor(), id, note_id)
        .await?;
    let event = RealtimeEvent::LeadUpdated { lead_id: id };
    crate::announce::lead(&state.store, member.org_id(), event).await;
    Ok(StatusCode::NO_CONTENT)
}

// ----- tags -----

#[derive(Serialize, ToSchema)]
pub struct TagView {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub lead_count: u64,
}

fn tag_view(t: TagRecord) -> TagView {
    TagView {
        id: t.id,
        name: t.name,
        color: t.color,
        lead_count: t.lead_count,
    }
}

#[derive(Serialize, ToSchema)]
pub struct TagList {
    pub items: Vec<TagView>,
}

/// A tag as written: on `PUT`, absent fields stay.
#[derive(Deserialize, ToSchema)]
pub struct TagInput {
    /// 1 to 50 characters, no `,` or `;`, unique in any case.
    pub name: Option<String>,
    /// `#rrggbb`; a colour is picked from the name when none is given.
    pub color: Option<String>,
}

fn color(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c)
            if c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) =>
        {
            Ok(Some(c.to_ascii_lowercase()))
        }
        Some(_) => Err(ValidationError("must be a colour written #rrggbb".into())),
    }
}

/// The organisation's tags with how many leads carry each.
#[utoipa::path(get, path = "/tags", tag = "crm", security(("bearer" = [])),
    responses((status = 200, body = TagList)))]
pub async fn list_tags(State(state): State<AppState>, member: Member) -> ApiResult<Json<TagList>> {
    let tags = state.store.org(member.org_id()).tags().await?;
    Ok(Json(TagList {
        items: tags.into_iter().map(tag_view).collect(),
    }))
}

/// A new tag (owner or admin). 409 `tag_exists` when the name is taken in any case.
#[utoipa::path(post, path = "/tags", tag = "crm", request_body = TagInput,
    security(("bearer" = [])),
    responses((status = 201, body = TagView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_tag(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(input): ApiJson<TagInput>,
) -> ApiResult<(StatusCode, Json<TagView>)> {
    let mut v = Validator::default();
    let name = match input.name.as_deref() {
        Some(n) => v.check("name", leads::tag_name(n)),
        None => {
            v.fail("name", "is required");
            None
        }
    };
    let color = v.check("color", color(input.color.as_deref())).flatten();
    v.finish()?;
    let tag = state
        .store
        .org(member.org_id())
        .create_tag(&member.0.user.as_actor(), &name.expect("validated"), color)
        .await?;
    Ok((StatusCode::CREATED, Json(tag_view(tag))))
}

/// Rename or recolour a tag (owner or admin): every lead shows the new name.
#[utoipa::path(put, path = "/tags/{id}", tag = "crm", params(("id" = String, Path)),
    request_body = TagInput, security(("bearer" = [])),
    responses((status = 200, body = TagView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_tag(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TagInput>,
) -> ApiResult<Json<TagView>> {
    let id = parse_id(&id)?;
    let mut v = Validator::default();
    let name = input
        .name
        .as_deref()
        .and_then(|n| v.check("name", leads::tag_name(n)));
    let color = v.check("color", color(input.color.as_deref())).flatten();
    v.finish()?;
    let tag = state
        .store
        .org(member.org_id())
        .update_tag(&member.0.user.as_actor(), id, name, color)
        .await?;
    crate::announce::leads_bulk(&state.store, member.org_id()).await;
    Ok(Json(tag_view(tag)))
}

/// Delete a tag (owner or admin): it leaves every lead.
#[utoipa::path(delete, path = "/tags/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_tag(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .delete_tag(&member.0.user.as_actor(), id)
        .await?;
    crate::announce::leads_bulk(&state.store, member.org_id()).await;
    Ok(StatusCode::NO_CONTENT)
}

// ----- custom fields -----

#[derive(Serialize, ToSchema)]
pub struct CustomFieldView {
    pub id: Uuid,
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldType,
    pub options: Vec<String>,
    pub currency: Option<String>,
}

fn field_view(d: CustomFieldDef) -> CustomFieldView {
    CustomFieldView {
        id: d.id,
        key: d.key,
        label: d.label,
        kind: d.kind,
        options: d.options,
        currency: d.currency,
    }
}

#[derive(Serialize, ToSchema)]
pub struct CustomFieldList {
    pub items: Vec<CustomFieldView>,
}

/// A custom field as defined. `key` and `type` are fixed once created (a `PUT` that changes
/// them is refused); `options` are required for `select`/`multiselect`.
#[derive(Deserialize, ToSchema)]
pub struct CustomFieldInput {
    /// `^[a-z][a-z0-9_]{0,39}$`, unique.
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: CustomFieldType,
    #[serde(default)]
    pub options: Vec<String>,
    /// ISO 4217 (`INR`) for a currency field.
    #[serde(default)]
    pub currency: Option<String>,
}

/// The organisation's custom fields, in the order they were defined.
#[utoipa::path(get, path = "/custom-fields", tag = "crm", security(("bearer" = [])),
    responses((status = 200, body = CustomFieldList)))]
pub async fn list_custom_fields(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<CustomFieldList>> {
    let defs = state.store.org(member.org_id()).custom_fields().await?;
    Ok(Json(CustomFieldList {
        items: defs.into_iter().map(field_view).collect(),
    }))
}

/// Define a custom field (owner or admin). 409 `field_exists` when the key is taken.
#[utoipa::path(post, path = "/custom-fields", tag = "crm", request_body = CustomFieldInput,
    security(("bearer" = [])),
    responses((status = 201, body = CustomFieldView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_custom_field(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(input): ApiJson<CustomFieldInput>,
) -> ApiResult<(StatusCode, Json<CustomFieldView>)> {
    let mut v = Validator::default();
    let key = v.check("key", leads::field_key(input.key.trim()));
    let label = v.check("label", leads::field_label(&input.label));
    let options = v.check("options", leads::field_options(input.kind, &input.options));
    let currency = v
        .check("currency", leads::currency_code(input.currency.as_deref()))
        .flatten();
    v.finish()?;
    let def = state
        .store
        .org(member.org_id())
        .create_custom_field(
            &member.0.user.as_actor(),
            &key.expect("validated"),
            &label.expect("validated"),
            input.kind,
            &options.expect("validated"),
            currency,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(field_view(def))))
}

/// Change a custom field's label, options or currency (owner or admin).
#[utoipa::path(put, path = "/custom-fields/{id}", tag = "crm", params(("id" = String, Path)),
    request_body = CustomFieldInput, security(("bearer" = [])),
    responses((status = 200, body = CustomFieldView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_custom_field(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CustomFieldInput>,
) -> ApiResult<Json<CustomFieldView>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    let current = org.custom_field(id).await?;
    let mut v = Validator::default();
    if input.key.trim() != current.key {
        v.fail("key", "a field's key cannot change");
    }
    if input.kind != current.kind {
        v.fail("type", "a field's type cannot change");
    }
    let label = v.check("label", leads::field_label(&input.label));
    let options = v.check(
        "options",
        leads::field_options(current.kind, &input.options),
    );
    let currency = v
        .check("currency", leads::currency_code(input.currency.as_deref()))
        .flatten();
    v.finish()?;
    let def = org
        .update_custom_field(
            &member.0.user.as_actor(),
            id,
            &label.expect("validated"),
            &options.expect("validated"),
            currency,
        )
        .await?;
    Ok(Json(field_view(def)))
}

/// Delete a custom field (owner or admin); its values leave every lead.
#[utoipa::path(delete, path = "/custom-fields/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_custom_field(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .delete_custom_field(&member.0.user.as_actor(), id)
        .await?;
    crate::announce::leads_bulk(&state.store, member.org_id()).await;
    Ok(StatusCode::NO_CONTENT)
}
