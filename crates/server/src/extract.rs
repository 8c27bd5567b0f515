//! Request extractors that fail the way API.md says: JSON bodies and query strings with
//! field-level 422s, and the signed-in member from the bearer token.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use closer_domain::Role;
use closer_store::AuthSession;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Largest JSON body the API accepts.
pub const API_BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body. Syntax errors are 400 `malformed_json`; well-formed JSON of the wrong shape is
/// 422 `validation_failed` naming the field; an oversized body is 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(unreadable_body)?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// 415 unless a declared content type is JSON (none declared is taken as JSON).
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default();
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    Ok(())
}

/// A body that could not be read: 413 past the API's body limit, 400 otherwise.
pub fn unreadable_body(rej: BytesRejection) -> ApiError {
    if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(API_BODY_LIMIT)
    } else {
        ApiError::BadRequest(rej.body_text())
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so that a broken document is told apart from a wrong shape.
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    closer_domain::text::make_storable(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        let field = if path == "." {
            // "missing field `email`" names its field only in the message.
            inner
                .split('`')
                .nth(1)
                .map(str::to_owned)
                .unwrap_or_else(|| "body".into())
        } else {
            path
        };
        ApiError::field(&field, inner)
    })
}

/// A query parameter left blank (`?status=`) means "no filter", as a form's empty select
/// sends it; anything else must be a valid value.
pub fn blank_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw: Option<String> = serde::Deserialize::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// A query string, with 422 on bad values (e.g. `limit=abc`).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        // Decoded values without NUL, which no database search can take.
        let query = if raw.contains("%00") {
            let mut clean = form_urlencoded::Serializer::new(String::new());
            for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
                clean.append_pair(
                    &closer_domain::text::storable(&k),
                    &closer_domain::text::storable(&v),
                );
            }
            clean.finish()
        } else {
            raw.to_owned()
        };
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                ApiError::field(&path, err.into_inner().to_string())
            })
    }
}

/// The signed-in member, resolved from `Authorization: Bearer <token>`.
pub struct Member(pub AuthSession);

impl Member {
    pub fn role(&self) -> Role {
        self.0.user.role
    }

    pub fn org_id(&self) -> Uuid {
        self.0.org_id
    }
}

/// The signed-in member when `allowed` lets their role through; otherwise `refused`.
async fn member_who(
    parts: &mut Parts,
    state: &AppState,
    allowed: fn(Role) -> bool,
    refused: fn() -> ApiError,
) -> Result<Member, ApiError> {
    let member = Member::from_request_parts(parts, state).await?;
    if allowed(member.role()) {
        Ok(member)
    } else {
        Err(refused())
    }
}

/// A member who runs the organisation (owner or admin): settings, team, audit log, jobs.
/// Anyone else is answered 403 before the handler runs.
pub struct Manager(pub Member);

impl FromRequestParts<AppState> for Manager {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        member_who(parts, state, Role::can_manage_org, ApiError::forbidden)
            .await
            .map(Manager)
    }
}

/// A member who works conversations (anyone but a viewer): replies, takeovers, the simulator.
pub struct Responder(pub Member);

impl FromRequestParts<AppState> for Responder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let refused =
            || ApiError::Forbidden("viewers can read conversations but not answer them".into());
        member_who(parts, state, Role::can_work_conversations, refused)
            .await
            .map(Responder)
    }
}

pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(ApiError::Unauthorized)?;
        state
            .store
            .authenticate(&closer_store::token_hash(token))
            .await?
            .map(Member)
            .ok_or(ApiError::Unauthorized)
    }
}

/// Ids in paths: anything that is not a UUID cannot name a row, so it is simply not found.
pub fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}
