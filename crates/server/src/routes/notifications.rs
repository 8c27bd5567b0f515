//! The member's own notifications: the bell's list and unread count, marking read, their
//! channels per kind, and their browsers' push subscriptions. Every member (viewers too)
//! manages their own; nobody reads another member's.

use crate::announce;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Member};
use crate::routes::schema::ListParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::notify::{ChannelChoice, NotificationKind};
use closer_store::events::RealtimeEvent;
use closer_store::notifications::NotificationItem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The most ids one "mark read" names.
const READ_IDS_MAX: usize = 500;
/// The longest push endpoint kept (push services' URLs are far shorter).
const ENDPOINT_MAX: usize = 2_000;

#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// The dashboard's path to open (e.g. `/inbox/{conversation_id}`), if any.
    pub link: Option<String>,
    /// Null while unread.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn view(n: NotificationItem) -> NotificationView {
    NotificationView {
        id: n.id,
        kind: n.kind,
        title: n.title,
        body: n.body,
        link: n.link,
        read_at: n.read_at,
        created_at: n.created_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// The member's unread notifications, all pages together: the bell's count.
    pub unread: u64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// `true`: only those not read yet.
    #[serde(default)]
    pub unread: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The signed-in member's notifications, newest first, with their unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(NotificationParams),
    responses((status = 200, body = NotificationList), (status = 422, body = ErrorBody)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(q): ApiQuery<NotificationParams>,
) -> ApiResult<Json<NotificationList>> {
    let page = ListParams {
        limit: q.limit,
        cursor: q.cursor,
    }
    .page()?;
    let scope = state.store.org(member.org_id());
    let user_id = member.0.user.id;
    let found = scope
        .notifications(user_id, q.unread.unwrap_or(false), page)
        .await?;
    Ok(Json(NotificationList {
        items: found.items.into_iter().map(view).collect(),
        next_cursor: found.next_cursor,
        unread: scope.unread_notifications(user_id).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    /// These notifications (others' ids are ignored). Give this or `all`.
    pub ids: Option<Vec<Uuid>>,
    /// `true`: every notification of the member.
    pub all: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ReadResult {
    /// How many turned from unread to read.
    pub marked: u64,
    pub unread: u64,
}

/// Marks notifications read (the member's own only); their other devices hear
/// `notification:read`.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications", security(("bearer" = [])),
    request_body = ReadRequest,
    responses((status = 200, body = ReadResult), (status = 422, body = ErrorBody)))]
pub async fn read_notifications(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<ReadRequest>,
) -> ApiResult<Json<ReadResult>> {
    let ids = match (req.ids, req.all) {
        (None, Some(true)) => None,
        (Some(_), Some(true)) => return Err(ApiError::field("all", "give ids or all, not both")),
        (Some(ids), _) if ids.len() > READ_IDS_MAX => {
            return Err(ApiError::field(
                "ids",
                format!("at most {READ_IDS_MAX} at once"),
            ));
        }
        (Some(ids), _) => Some(ids),
        (None, _) => return Err(ApiError::field("ids", "give ids, or all: true")),
    };
    let org_id = member.org_id();
    let user_id = member.0.user.id;
    let scope = state.store.org(org_id);
    let marked = scope.read_notifications(user_id, ids).await?;
    if marked > 0 {
        announce::publish(
            &state.store,
            org_id,
            vec![RealtimeEvent::NotificationsRead { user_id }],
        )
        .await;
    }
    Ok(Json(ReadResult {
        marked,
        unread: scope.unread_notifications(user_id).await?,
    }))
}

/// `{kind: {in_app, email, push}}`, every kind present.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PreferencesView(pub BTreeMap<NotificationKind, ChannelChoice>);

/// The member's channels per kind (defaults for the kinds they never changed).
#[utoipa::path(get, path = "/notifications/preferences", tag = "notifications",
    security(("bearer" = [])), responses((status = 200, body = PreferencesView)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<PreferencesView>> {
    let all = state
        .store
        .org(member.org_id())
        .notification_preferences(member.0.user.id)
        .await?;
    Ok(Json(PreferencesView(all)))
}

/// Saves the kinds given (`{kind: {in_app, email, push}}`); the others keep their choice.
#[utoipa::path(put, path = "/notifications/preferences", tag = "notifications",
    security(("bearer" = [])), request_body = PreferencesView,
    responses((status = 200, body = PreferencesView), (status = 422, body = ErrorBody)))]
pub async fn update_preferences(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<PreferencesView>,
) -> ApiResult<Json<PreferencesView>> {
    let all = state
        .store
        .org(member.org_id())
        .save_notification_preferences(member.0.user.id, &req.0)
        .await?;
    Ok(Json(PreferencesView(all)))
}

/// The browser's keys of a `PushSubscription` (`subscription.toJSON().keys`).
#[derive(Deserialize, ToSchema)]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// Its 16-byte auth secret, base64url.
    pub auth: String,
}

/// A browser's `PushSubscription.toJSON()`.
#[derive(Deserialize, ToSchema)]
pub struct PushSubscriptionRequest {
    /// The push service's https URL for this browser.
    pub endpoint: String,
    /// Browsers also send `expirationTime`, which is ignored.
    pub keys: PushKeys,
}

#[derive(Serialize, ToSchema)]
pub struct PushSubscriptionView {
    pub id: Uuid,
}

/// Subscribes one of the member's browsers to pushes (the same endpoint again updates it).
#[utoipa::path(post, path = "/push/subscriptions", tag = "notifications",
    security(("bearer" = [])), request_body = PushSubscriptionRequest,
    responses((status = 201, body = PushSubscriptionView), (status = 422, body = ErrorBody)))]
pub async fn subscribe_push(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<PushSubscriptionRequest>,
) -> ApiResult<(StatusCode, Json<PushSubscriptionView>)> {
    let mut fields = serde_json::Map::new();
    let endpoint = req.endpoint.trim();
    let url_ok = reqwest::Url::parse(endpoint)
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
    if !url_ok || endpoint.len() > ENDPOINT_MAX {
        fields.insert("endpoint".into(), "must be the push service's URL".into());
    } else if let Ok(url) = reqwest::Url::parse(endpoint)
        && let Err(refused) = state.egress.check_url(&url)
    {
        fields.insert("endpoint".into(), refused.to_string().into());
    }
    let (key_ok, auth_ok) =
        crate::notify::valid_subscription_keys(&req.keys.p256dh, &req.keys.auth);
    if !key_ok {
        fields.insert(
            "keys.p256dh".into(),
            "must be a P-256 public key, base64url".into(),
        );
    }
    if !auth_ok {
        fields.insert("keys.auth".into(), "must be 16 bytes, base64url".into());
    }
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    let id = state
        .store
        .org(member.org_id())
        .save_push_subscription(member.0.user.id, endpoint, &req.keys.p256dh, &req.keys.auth)
        .await?;
    Ok((StatusCode::CREATED, Json(PushSubscriptionView { id })))
}

#[derive(Serialize, ToSchema)]
pub struct VapidKeyView {
    /// The installation's VAPID public key (uncompressed P-256, base64url): the
    /// `applicationServerKey` of `pushManager.subscribe`.
    pub public_key: String,
}

/// The key browsers subscribe with; made once per installation.
#[utoipa::path(get, path = "/push/vapid-public-key", tag = "notifications",
    security(("bearer" = [])), responses((status = 200, body = VapidKeyView)))]
pub async fn vapid_public_key(
    State(state): State<AppState>,
    _member: Member,
) -> ApiResult<Json<VapidKeyView>> {
    let key = crate::notify::vapid_key(&state.store).await?;
    Ok(Json(VapidKeyView {
        public_key: crate::notify::vapid_public_key(&key),
    }))
}
