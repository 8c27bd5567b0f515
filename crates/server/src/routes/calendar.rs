//! The calendar: booked calls, demos and meetings by range in the organisation's timezone;
//! moved, cancelled or marked done (the lead told through the send policy); meetings set up
//! by hand on a lead; and each member's secret iCalendar feed.

use crate::announce;
use crate::credentials::new_token;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Member, Responder, parse_id};
use crate::routes::inbox::ContactSummary;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use closer_domain::calendar::{
    self, EventChange, EventKind, EventStatus, MAX_RANGE_DAYS, TITLE_MAX,
};
use closer_domain::send_policy::SendRule;
use closer_store::calendar::{CalendarEvent, EventChanged, LeadNotice, NewEvent};
use closer_store::events::RealtimeEvent;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Start of the range (RFC 3339), inclusive.
    pub from: Option<String>,
    /// End of the range (RFC 3339), exclusive; at most 366 days after `from`.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarEventView {
    pub id: Uuid,
    pub kind: EventKind,
    pub title: String,
    /// Null while the time is to be agreed with the lead.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The organisation's timezone (IANA name), in which the dashboard and the lead read it.
    pub timezone: String,
    /// Null only if the lead was deleted since.
    pub contact: Option<ContactSummary>,
    /// Null for a meeting set up by hand on a lead who has no conversation.
    pub conversation_id: Option<Uuid>,
    pub status: EventStatus,
    /// The booking action it came from (resolved when the event is done or cancelled).
    pub action_id: Option<Uuid>,
    /// The member who set it up by hand; null when the agent booked it.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarList {
    /// Events starting in the range, earliest first, every status.
    pub items: Vec<CalendarEventView>,
    /// Bookings the lead accepted without a time the agent could read: time to be agreed.
    pub to_be_agreed: Vec<CalendarEventView>,
    pub timezone: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateEventRequest {
    pub lead_id: Uuid,
    pub kind: EventKind,
    /// Defaults to "<Kind> with <lead's name>".
    #[serde(default)]
    pub title: Option<String>,
    pub starts_at: DateTime<Utc>,
    /// Defaults to 30 minutes after the start.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeEventRequest {
    /// A new start (reschedules it, keeping its length; the first time for a booking whose
    /// time was to be agreed).
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    /// `cancelled` or `done`. One of `starts_at` and `status`, not both.
    #[serde(default)]
    pub status: Option<EventStatus>,
}

/// Whether the lead was told about the change, and if not why.
#[derive(Serialize, ToSchema)]
pub struct LeadNoticeView {
    pub told: bool,
    /// The message that tells them, queued through the send path.
    pub message_id: Option<Uuid>,
    /// The send policy's refusal (`opted_out`, `window_closed`) when not told.
    pub refused: Option<SendRule>,
    /// Why not, in words.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarChangeView {
    pub event: CalendarEventView,
    /// Null when the change is no news to the lead (marked done).
    pub lead_notice: Option<LeadNoticeView>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedTokenView {
    /// The secret: shown once, only its hash is kept.
    pub token: String,
    /// `/calendar/<token>.ics`, for calendar apps to subscribe to (no sign-in).
    pub path: String,
    /// The full URL when the server knows its public address.
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedStatusView {
    /// When the member's current feed URL was made; null when they have none.
    pub created_at: Option<DateTime<Utc>>,
}

fn contact(c: closer_store::inbox::ContactRef) -> ContactSummary {
    ContactSummary {
        id: c.id,
        name: c.name,
        phone: c.phone,
        opted_out: c.opted_out,
        marketing_opt_out: c.marketing_opt_out,
        erased_at: c.erased_at,
    }
}

fn view(e: CalendarEvent, tz: &str) -> CalendarEventView {
    CalendarEventView {
        id: e.id,
        kind: e.kind,
        title: e.title,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        timezone: tz.to_owned(),
        contact: e.contact.map(contact),
        conversation_id: e.conversation_id,
        status: e.status,
        action_id: e.action_id,
        created_by: e.created_by,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

async fn org_zone(state: &AppState, org_id: Uuid) -> ApiResult<chrono_tz::Tz> {
    let details = state.store.org(org_id).details().await?;
    Ok(calendar::zone(details.profile.timezone.as_deref()))
}

fn time_param(name: &str, raw: Option<&str>) -> ApiResult<DateTime<Utc>> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty());
    let raw = raw.ok_or_else(|| ApiError::field(name, "is required"))?;
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::field(name, "must be an RFC 3339 time"))
}

/// The calendar between `from` and `to`, in the organisation's timezone, and the bookings
/// whose time is still to be agreed.
#[utoipa::path(get, path = "/calendar", tag = "calendar", params(CalendarParams),
    security(("bearer" = [])),
    responses((status = 200, body = CalendarList), (status = 422, body = ErrorBody)))]
pub async fn list_calendar(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<CalendarParams>,
) -> ApiResult<Json<CalendarList>> {
    let from = time_param("from", p.from.as_deref())?;
    let to = time_param("to", p.to.as_deref())?;
    if to <= from {
        return Err(ApiError::field("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(ApiError::field(
            "to",
            format!("must be at most {MAX_RANGE_DAYS} days after from"),
        ));
    }
    let tz = org_zone(&state, member.org_id()).await?;
    let range = state.store.org(member.org_id()).calendar(from, to).await?;
    let tz = tz.name();
    Ok(Json(CalendarList {
        items: range.items.into_iter().map(|e| view(e, tz)).collect(),
        to_be_agreed: range
            .to_be_agreed
            .into_iter()
            .map(|e| view(e, tz))
            .collect(),
        timezone: tz.to_owned(),
    }))
}

/// A meeting (or call, or demo) a person sets up by hand on a lead; it is linked to the
/// lead's latest conversation. The lead is not messaged.
#[utoipa::path(post, path = "/calendar", tag = "calendar", request_body = CreateEventRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CalendarEventView), (status = 403, body = ErrorBody),
        (status = 404, description = "no such lead in this organisation", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_event(
    State(state): State<AppState>,
    Responder(member): Responder,
    ApiJson(req): ApiJson<CreateEventRequest>,
) -> ApiResult<(StatusCode, Json<CalendarEventView>)> {
    let ends_at = req
        .ends_at
        .unwrap_or(req.starts_at + Duration::minutes(calendar::DEFAULT_LENGTH_MINUTES));
    if ends_at <= req.starts_at {
        return Err(ApiError::field("ends_at", "must be after starts_at"));
    }
    let title = req
        .title
        .map(|t| t.replace('\0', "").trim().to_owned())
        .filter(|t| !t.is_empty());
    if title
        .as_ref()
        .is_some_and(|t| t.chars().count() > TITLE_MAX)
    {
        return Err(ApiError::field(
            "title",
            format!("must be at most {TITLE_MAX} characters"),
        ));
    }
    let scope = state.store.org(member.org_id());
    let title = match title {
        Some(t) => t,
        None => {
            let lead = scope.lead(req.lead_id).await?;
            let who = lead.name.unwrap_or_else(|| "the lead".into());
            format!("{} with {who}", capitalised(req.kind.noun()))
        }
    };
    let event = scope
        .create_calendar_event(
            &member.0.user.as_actor(),
            NewEvent {
                lead_id: req.lead_id,
                kind: req.kind,
                title,
                starts_at: req.starts_at,
                ends_at,
            },
        )
        .await?;
    let created = RealtimeEvent::CalendarCreated {
        event_id: event.id,
        status: event.status,
    };
    announce::publish(&state.store, member.org_id(), vec![created]).await;
    let tz = org_zone(&state, member.org_id()).await?;
    Ok((StatusCode::CREATED, Json(view(event, tz.name()))))
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Moves (`starts_at`), cancels or completes (`status`) an event. The lead is told of a move
/// or a cancellation through the send policy; when it refuses (the lead opted out, or the
/// 24 h window is closed and free text may not go) the change is made all the same and
/// `lead_notice` says the lead was not told and why. The booking action follows.
#[utoipa::path(patch, path = "/calendar/{id}", tag = "calendar", request_body = ChangeEventRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "event id")),
    responses((status = 200, body = CalendarChangeView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`event_closed`: cancelled or done already", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn change_event(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ChangeEventRequest>,
) -> ApiResult<Json<CalendarChangeView>> {
    let id = parse_id(&id)?;
    let change = match (req.starts_at, req.status) {
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                "status",
                "give either starts_at or status, not both",
            ));
        }
        (Some(start), None) => EventChange::Move(start),
        (None, Some(EventStatus::Cancelled)) => EventChange::Cancel,
        (None, Some(EventStatus::Done)) => EventChange::Done,
        (None, Some(_)) => {
            return Err(ApiError::field(
                "status",
                "must be cancelled or done (move an event with starts_at)",
            ));
        }
        (None, None) => return Err(ApiError::field("starts_at", "or status is required")),
    };
    let org_id = member.org_id();
    let changed = state
        .store
        .org(org_id)
        .change_calendar_event(&member.0.user.as_actor(), id, change)
        .await?;
    let tz = org_zone(&state, org_id).await?;
    announce_change(&state, org_id, &changed).await;
    let lead_notice = changed.notice.map(|n| match n {
        LeadNotice::Told { message_id } => LeadNoticeView {
            told: true,
            message_id: Some(message_id),
            refused: None,
            reason: None,
        },
        LeadNotice::Refused { rule, detail } => LeadNoticeView {
            told: false,
            message_id: None,
            refused: Some(rule),
            reason: Some(detail),
        },
        LeadNotice::NoConversation => LeadNoticeView {
            told: false,
            message_id: None,
            refused: None,
            reason: Some("the lead has no conversation to write in".into()),
        },
    });
    Ok(Json(CalendarChangeView {
        event: view(changed.event, tz.name()),
        lead_notice,
    }))
}

async fn announce_change(state: &AppState, org_id: Uuid, changed: &EventChanged) {
    let mut events = vec![RealtimeEvent::CalendarUpdated {
        event_id: changed.event.id,
        status: changed.event.status,
    }];
    if let Some((action_id, status)) = changed.action {
        events.push(RealtimeEvent::ActionUpdated { action_id, status });
    }
    announce::publish(&state.store, org_id, events).await;
    if let (Some(LeadNotice::Told { message_id }), Some(conversation_id)) =
        (&changed.notice, changed.event.conversation_id)
    {
        state.store.wake_workers().await;
        announce::message_sent(&state.store, org_id, conversation_id, *message_id, false).await;
    }
}

/// Whether the member has a feed URL, and since when (the URL itself is shown only once).
#[utoipa::path(get, path = "/calendar/feed-token", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = FeedStatusView)))]
pub async fn feed_status(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<FeedStatusView>> {
    let created_at = state
        .store
        .org(member.org_id())
        .calendar_feed_since(member.0.user.id)
        .await?;
    Ok(Json(FeedStatusView { created_at }))
}

/// A new secret feed URL for the signed-in member; the previous one stops working. Any
/// member, viewers included, may have one: it only reads the calendar they can already read.
#[utoipa::path(post, path = "/calendar/feed-token", tag = "calendar", security(("bearer" = [])),
    responses((status = 201, body = FeedTokenView)))]
pub async fn rotate_feed_token(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<(StatusCode, Json<FeedTokenView>)> {
    let token = new_token();
    let scope = state.store.org(member.org_id());
    scope
        .set_calendar_feed(member.0.user.id, closer_store::token_hash(&token))
        .await?;
    let created_at = scope
        .calendar_feed_since(member.0.user.id)
        .await?
        .unwrap_or_else(Utc::now);
    let path = format!("/calendar/{token}.ics");
    let url = state
        .public_url
        .as_deref()
        .map(|u| format!("{}{path}", u.trim_end_matches('/')));
    Ok((
        StatusCode::CREATED,
        Json(FeedTokenView {
            token,
            path,
            url,
            created_at,
        }),
    ))
}

/// `GET /calendar/{token}.ics`: the organisation's events as iCalendar, for Google Calendar,
/// Outlook and the like. No bearer: the secret in the URL is the key; unknown → 404.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    match feed_body(&state, &file).await {
        Ok(Some(body)) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            body,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such calendar").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn feed_body(state: &AppState, file: &str) -> ApiResult<Option<String>> {
    let Some(token) = file.strip_suffix(".ics").filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let hash = closer_store::token_hash(token);
    let Some((org_id, _user)) = state.store.calendar_feed_owner(&hash).await? else {
        return Ok(None);
    };
    let scope = state.store.org(org_id);
    let org = scope.details().await?;
    let tz = calendar::zone(org.profile.timezone.as_deref());
    let events = scope.calendar_feed_events().await?;
    Ok(Some(crate::calendar_feed::ics(
        &org.name,
        tz,
        state.public_url.as_deref(),
        &events,
    )))
}
