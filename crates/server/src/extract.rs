//! Request extractors that fail the way API.md says: JSON bodies and query strings with
//! field-level 422s, and the signed-in member from the bearer token or the dashboard's cookie.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use closer_domain::Role;
use closer_store::AuthSession;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
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

/// The signed-in member of an organisation, allowed to use it: resolved like [`SignedIn`],
/// then refused (403 `two_factor_enrollment_required`) while the organisation requires
/// two-factor sign-in and the member has not set it up.
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

/// The organisation's owner: its security rules. Checked before the body is read, so a
/// member who may not is told so whatever they sent.
pub struct Owner(pub Member);

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        member_who(
            parts,
            state,
            |role| role == Role::Owner,
            ApiError::forbidden,
        )
        .await
        .map(Owner)
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

/// The dashboard's session cookie: the same opaque token API clients send as a bearer, kept
/// where the page's scripts cannot read it (HttpOnly).
pub const SESSION_COOKIE: &str = "closer_session";
/// A cookie-signed request with an unsafe method must carry this header. A page on another
/// site cannot add a custom header without a CORS preflight, which we never answer.
pub const CSRF_HEADER: &str = "x-closer-csrf";

/// The session cookie's token, from the request's `Cookie` headers.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` that starts the dashboard's session. `Secure` when the dashboard is reached
/// over https (so the cookie still works on a plain-http local install).
pub fn set_session_cookie(token: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"
    ))
    .expect("a token is URL-safe base64")
}

/// `Set-Cookie` that ends the dashboard's session in this browser.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    set_session_cookie("", 0, secure)
}

/// The client's address, seen through the trusted proxies: what per-client limits count.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        client_ip(parts, state)
            .map(ClientIp)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("served without the peer address")))
    }
}

/// The client's address, seen through the trusted proxies.
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| state.client_ip(addr.ip(), &parts.headers))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The session token of a request: a bearer token as API.md says, else the dashboard's
/// cookie — which, on an unsafe method, must come with the CSRF header.
fn request_token(parts: &Parts) -> Result<&str, ApiError> {
    if let Some(token) = bearer_token(parts) {
        return Ok(token);
    }
    let token = session_cookie(&parts.headers).ok_or(ApiError::Unauthorized)?;
    if !is_safe(&parts.method) && !parts.headers.contains_key(CSRF_HEADER) {
        return Err(ApiError::CsrfHeaderMissing);
    }
    Ok(token)
}

/// Whoever holds a live session, whatever their organisation's two-factor rule: for the
/// account's own endpoints (who am I, sign out, sessions, setting up two-factor).
pub struct SignedIn(pub AuthSession);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = request_token(parts)?;
        let session = state
            .store
            .authenticate(&closer_store::token_hash(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let ip = client_ip(parts, state).map(|ip| ip.to_string());
        if let Err(err) = state.store.touch_session(&session, ip).await {
            // Last-seen is shown, never relied on: a failed write does not fail the request.
            tracing::warn!(error = %err, "could not mark the session as seen");
        }
        Ok(SignedIn(session))
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SignedIn(session) = SignedIn::from_request_parts(parts, state).await?;
        if session.two_factor.must_enrol() {
            return Err(ApiError::TwoFactorEnrollmentRequired);
        }
        Ok(Member(session))
    }
}

/// Ids in paths: anything that is not a UUID cannot name a row, so it is simply not found.
pub fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}
