//! Assembles the HTTP application and runs it.

use crate::config::ServeArgs;
use crate::error::ApiError;
use crate::extract::API_BODY_LIMIT;
use crate::login_limits::LoginLimits;
use crate::openapi::{ApiDoc, DOCS_PAGE, DOCS_SCRIPT};
use crate::routes;
use crate::state::AppState;
use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use closer_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", routes::api())
        .split_for_parts()
}

pub fn router(state: AppState) -> Router {
    let public_https = state
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let (api, doc) = api_parts();
    let doc_json = Arc::new(doc.to_json().expect("the OpenAPI document serialises"));
    let api = api
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let body = doc_json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        (*body).clone(),
                    )
                }
            }),
        )
        .route("/api/docs", get(|| async { Html(DOCS_PAGE) }))
        .route(
            "/api/docs.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], DOCS_SCRIPT) }),
        )
        .route("/api/v1/ws", get(routes::realtime::connect))
        // Unknown API paths answer in the API's error format instead of the dashboard's page.
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .method_not_allowed_fallback(|| async {
            ApiError::BadRequest("this method is not allowed on this path".into())
        });
    let webhooks = Router::new()
        .route(
            "/webhooks/whatsapp",
            get(routes::webhooks::verify).post(routes::webhooks::receive),
        )
        .layer(DefaultBodyLimit::max(routes::webhooks::WEBHOOK_BODY_LIMIT));
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .merge(webhooks)
        .route("/readyz", get(routes::health::readyz))
        // A member's calendar feed: the secret in the path is the key, no bearer.
        .route("/calendar/{file}", get(routes::calendar::feed))
        .merge(api)
        .fallback(crate::web::serve)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            public_https,
            crate::headers::security_headers,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
}

async fn api_not_found() -> impl IntoResponse {
    ApiError::NotFound
}

/// Opens the database, migrates it and builds the shared state.
pub async fn prepare(args: &ServeArgs) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&args.db.data_dir)
        .with_context(|| format!("creating data dir {}", args.db.data_dir.display()))?;
    let url = args.db.database_url();
    tracing::info!(database = %url, "opening database");
    let secrets = crate::secret_key::load_or_create(args.secret_key.as_deref(), &args.db.data_dir)?;
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("connecting to {url}"))?
        .with_secret_box(secrets.clone());
    store.migrate().await.context("applying migrations")?;
    let listed = closer_store::compliance::list_earlier_opt_outs(&store)
        .await
        .context("listing earlier opt-outs")?;
    if listed > 0 {
        tracing::info!(listed, "opted-out leads put on the opt-out list");
    }
    let egress = args.egress()?;
    if egress.allows_private() {
        tracing::warn!(allowed = ?args.egress_allow, "organisations may reach private addresses named in CLOSER_EGRESS_ALLOW");
    }
    let media = crate::media::store_from(&args.media, &args.db.data_dir)?;
    tracing::info!("media files are kept in {}", media.describe());
    Ok(AppState {
        media,
        store,
        secrets,
        login_limits: Arc::new(LoginLimits::with_signup_burst(args.signup_burst)),
        graph: closer_whatsapp::GraphClient::new(
            &args.whatsapp_graph_url,
            &args.whatsapp_graph_version,
            Duration::from_secs(15),
        ),
        public_url: args.public_url.clone(),
        models: Arc::new(crate::llm_provider::ModelCache::new(egress.clone())),
        egress,
        webhook_costs: Arc::default(),
        trusted_proxies: args.trusted_proxies.clone().into(),
    })
}

/// A running server: its address, and a handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub shutdown: tokio::sync::oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Binds and serves until `shutdown` fires; used by `closer serve` and by the tests.
pub async fn start(args: &ServeArgs) -> anyhow::Result<Running> {
    let state = prepare(args).await?;
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let limits = state.login_limits.clone();
    let forget = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits.forget_idle();
        }
    });
    let listener_task = state
        .store
        .start_listener()
        .await
        .context("listening for events on PostgreSQL")?;
    let checkpointer = state.store.start_checkpointer();
    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let workers = (args.workers > 0).then(|| {
        crate::worker::spawn(
            state.store.clone(),
            state.graph.clone(),
            state.models.clone(),
            crate::worker::WorkerConfig {
                media: state.media.clone(),
                concurrency: args.workers,
                lease: Duration::from_secs(args.job_lease_secs),
                egress: state.egress.clone(),
                links: crate::notify::Links {
                    public_url: state.public_url.clone(),
                },
            },
            workers_stopped,
        )
    });
    if args.workers > 0 {
        tokio::spawn(crate::routes::templates::sync_all_from_meta(state.clone()));
    }
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await?;
        let _ = stop_workers.send(true);
        if let Some(workers) = workers {
            let _ = workers.await;
        }
        if let Some(listener_task) = listener_task {
            listener_task.abort();
        }
        forget.abort();
        if let Some(checkpointer) = checkpointer {
            checkpointer.abort();
        }
        state.store.close().await?;
        Ok(())
    });
    Ok(Running {
        addr,
        shutdown: tx,
        task,
    })
}

#[cfg(test)]
mod tests {
    /// The web app's API types are generated from web/openapi.json; this keeps that file
    /// equal to what the code publishes, so the types can never drift from the server.
    #[test]
    fn the_web_app_has_the_current_openapi_document() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/openapi.json");
        let committed = std::fs::read_to_string(path).expect("web/openapi.json exists");
        let current = super::openapi().to_pretty_json().unwrap();
        assert!(
            committed.trim() == current.trim(),
            "web/openapi.json is stale: run `make api-types` and commit the result"
        );
    }
}
