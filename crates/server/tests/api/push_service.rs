//! A local stand-in for a browser vendor's push service: records every push request (its
//! headers and encrypted body) and answers 201, or what a test scripts.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Push {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Shared {
    pushes: Arc<Mutex<Vec<Push>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

pub struct PushService {
    /// A browser's subscription endpoint at this service.
    pub endpoint: String,
    shared: Shared,
}

impl PushService {
    pub async fn start() -> PushService {
        let shared = Shared::default();
        let app = Router::new()
            .route("/push/{id}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        PushService {
            endpoint: format!("http://{addr}/push/browser-1"),
            shared,
        }
    }

    pub fn pushes(&self) -> Vec<Push> {
        self.shared.pushes.lock().unwrap().clone()
    }

    /// The next pushes get these statuses, in order (then 201).
    pub fn script(&self, statuses: impl IntoIterator<Item = u16>) {
        self.shared.script.lock().unwrap().extend(statuses);
    }
}

async fn receive(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    s.pushes.lock().unwrap().push(Push {
        headers,
        body: body.to_vec(),
    });
    let status = s.script.lock().unwrap().pop_front().unwrap_or(201);
    StatusCode::from_u16(status).unwrap()
}
