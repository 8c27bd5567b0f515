//! The realtime hub: one WebSocket per open dashboard, hearing its organisation's events from
//! every replica (the store's bus). Events name ids; the dashboard fetches what it shows.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use closer_store::events::Event;
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

const PING_EVERY: Duration = Duration::from_secs(25);
/// How often an open socket re-checks its token, so a logout or a deactivation ends it.
const REAUTH_EVERY: Duration = Duration::from_secs(60);

#[derive(Deserialize)]
pub struct WsParams {
    token: Option<String>,
}

/// `GET /api/v1/ws?token=…`: 401 before the upgrade when the token is not a live session.
pub async fn connect(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    ws: WebSocketUpgrade,
) -> Response {
    let Some(token) = params.token.filter(|t| !t.is_empty()) else {
        return ApiError::Unauthorized.into_response();
    };
    let hash = closer_store::token_hash(&token);
    let session = match state.store.authenticate(&hash).await {
        Ok(Some(s)) => s,
        Ok(None) => return ApiError::Unauthorized.into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    // Subscribed before the upgrade answers, so nothing published after the client connected
    // is missed.
    let events = state.store.subscribe();
    ws.on_upgrade(move |socket| serve(socket, state, session.org_id, hash, events))
}

fn frame(event: &Event) -> Message {
    let body = serde_json::to_string(&event.event).unwrap_or_default();
    Message::Text(body.into())
}

async fn serve(
    mut socket: WebSocket,
    state: AppState,
    org_id: Uuid,
    token_hash: String,
    mut events: tokio::sync::broadcast::Receiver<Event>,
) {
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut reauth = tokio::time::interval(REAUTH_EVERY);
    reauth.tick().await;
    loop {
        tokio::select! {
            received = events.recv() => match received {
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
                if !matches!(state.store.authenticate(&token_hash).await, Ok(Some(_))) {
                    let _ = socket.send(Message::Close(Some(axum::extract::ws::CloseFrame {
                        code: 4401,
                        reason: "session ended".into(),
                    }))).await;
                    return;
                }
            }
        }
    }
}
