//! The realtime hub: one WebSocket per open dashboard, hearing its organisation's events from
//! every replica (the store's bus). Events name ids; the dashboard fetches what it shows.
//!
//! A socket closes (code 4401) the moment its session ends — sign-out, revoked from the
//! sessions list, the member deactivated or removed — on whichever replica it is open, by the
//! store's revocation signal; a periodic re-check covers a signal lost in a reconnect.

use crate::error::ApiError;
use crate::extract::session_cookie;
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use closer_store::AuthSession;
use closer_store::events::{Event, Revocation};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

const PING_EVERY: Duration = Duration::from_secs(25);
/// How often an open socket re-checks its token, in case a revocation signal was lost.
const REAUTH_EVERY: Duration = Duration::from_secs(60);
/// The close code telling the dashboard its session ended.
const SESSION_ENDED: u16 = 4401;

#[derive(Deserialize)]
pub struct WsParams {
    token: Option<String>,
}

/// Whether the page asking for the socket is our own: its Origin names the host it connects
/// to. A cookie rides along on any page's WebSocket, so without this another site could open
/// a socket as the signed-in member (cross-site WebSocket hijacking).
fn same_origin(headers: &HeaderMap) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// The token the socket is opened with: `?token=` as API.md says, or the dashboard's session
/// cookie when the page is our own.
fn socket_token(params: WsParams, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(token) = params.token.filter(|t| !t.is_empty()) {
        return Ok(token);
    }
    let cookie = session_cookie(headers).ok_or(ApiError::Unauthorized)?;
    if !same_origin(headers) {
        return Err(ApiError::Forbidden(
            "the realtime socket accepts the session cookie only from this site's pages".into(),
        ));
    }
    Ok(cookie.to_owned())
}

/// `GET /api/v1/ws?token=…` (or the session cookie from our own pages): 401 before the
/// upgrade when there is no live session, 403 for a member who must first set up two-factor.
pub async fn connect(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let token = match socket_token(params, &headers) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let hash = closer_store::token_hash(&token);
    // Subscribed before the session is checked: a revocation committed after the check is
    // not missed.
    let revocations = state.store.subscribe_revocations();
    let session = match state.store.authenticate(&hash).await {
        Ok(Some(s)) => s,
        Ok(None) => return ApiError::Unauthorized.into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if session.two_factor.must_enrol() {
        return ApiError::TwoFactorEnrollmentRequired.into_response();
    }
    // Subscribed before the upgrade answers, so nothing published after the client connected
    // is missed.
    let events = state.store.subscribe();
    let socket = Socket {
        state,
        session,
        token_hash: hash,
        events,
        revocations,
    };
    ws.on_upgrade(move |ws| socket.serve(ws))
}

fn frame(event: &Event) -> Message {
    let body = serde_json::to_string(&event.event).unwrap_or_default();
    Message::Text(body.into())
}

struct Socket {
    state: AppState,
    session: AuthSession,
    token_hash: String,
    events: Receiver<Event>,
    revocations: Receiver<Revocation>,
}

impl Socket {
    fn ended_by(&self, revocation: &Revocation) -> bool {
        let s = &self.session;
        revocation.ends(s.org_id, s.user.id, s.session_id)
    }

    async fn still_valid(&self) -> bool {
        matches!(
            self.state.store.authenticate(&self.token_hash).await,
            Ok(Some(_))
        )
    }

    async fn serve(mut self, mut socket: WebSocket) {
        let org_id = self.session.org_id;
        let mut ping = tokio::time::interval(PING_EVERY);
        let mut reauth = tokio::time::interval(REAUTH_EVERY);
        reauth.tick().await;
        loop {
            tokio::select! {
                received = self.events.recv() => match received {
                    Ok(event) if event.is_for(org_id) => {
                        if socket.send(frame(&event)).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    // Too slow to keep up: tell the client to refetch instead of dropping it.
                    Err(RecvError::Lagged(_)) => {
                        if socket.send(frame(&Event::resync())).await.is_err() {
                            return;
                        }
                    }
                    Err(RecvError::Closed) => return,
                },
                revoked = self.revocations.recv() => match revoked {
                    Ok(r) if self.ended_by(&r) => return end(socket).await,
                    Ok(_) => {}
                    // Signals were missed: ask the database instead.
                    Err(RecvError::Lagged(_)) => {
                        if !self.still_valid().await {
                            return end(socket).await;
                        }
                    }
                    Err(RecvError::Closed) => return,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
                _ = ping.tick() => {
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        return;
                    }
                }
                _ = reauth.tick() => {
                    if !self.still_valid().await {
                        return end(socket).await;
                    }
                }
            }
        }
    }
}

/// Tells the dashboard its session ended, then closes.
async fn end(mut socket: WebSocket) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: SESSION_ENDED,
            reason: "session ended".into(),
        })))
        .await;
}
