//! Delivering notifications outside the dashboard: email through the organisation's mail
//! server (lettre), and web push to the member's browsers (RFC 8291 `aes128gcm`, signed with
//! the installation's VAPID key, RFC 8292). Both run in `deliver_notification` jobs; both go
//! through the egress guard, since the addresses come from outside.

use crate::worker::JobFailure;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use closer_domain::notify::{DeliveryState, NotificationChannel, SmtpTls};
use closer_egress::EgressPolicy;
use closer_store::Store;
use closer_store::email_settings::SmtpServer;
use closer_store::notifications::DeliveryTask;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use uuid::Uuid;
use web_push_native::jwt_simple::algorithms::ES256KeyPair;
use web_push_native::p256;
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;

/// Longest a mail server or push service may take.
const TIMEOUT: Duration = Duration::from_secs(20);
/// How long a push service keeps a push for a browser that is offline.
const PUSH_TTL: Duration = Duration::from_secs(24 * 60 * 60);
const VAPID_KEY: &str = "vapid_p256";
/// Who the push services may contact about our pushes (RFC 8292 `sub`).
const VAPID_CONTACT: &str = "mailto:notifications@closer.invalid";

/// A send that did not go through, and whether trying again may help.
#[derive(Debug)]
pub struct SendFailure {
    pub message: String,
    pub retryable: bool,
}

impl SendFailure {
    fn permanent(message: impl Into<String>) -> Self {
        SendFailure {
            message: message.into(),
            retryable: false,
        }
    }
    fn retry(message: impl Into<String>) -> Self {
        SendFailure {
            message: message.into(),
            retryable: true,
        }
    }
}

/// Refuses a mail server at a private address unless CLOSER_EGRESS_ALLOW names it.
async fn check_host(egress: &EgressPolicy, host: &str, port: u16) -> Result<(), SendFailure> {
    let url = reqwest::Url::parse(&format!("http://{host}:{port}/"))
        .map_err(|_| SendFailure::permanent(format!("{host} is not a host name")))?;
    egress
        .check_resolved(&url)
        .await
        .map_err(|r| SendFailure::permanent(r.to_string()))
}

/// Sends one plain-text email through `server`. A refusal of the message (5xx) is final; a
/// server that cannot be reached or answers 4xx may take it later.
pub async fn send_email(
    egress: &EgressPolicy,
    server: &SmtpServer,
    to: &str,
    subject: &str,
    text: &str,
) -> Result<(), SendFailure> {
    check_host(egress, &server.host, server.port).await?;
    let from: Mailbox = server
        .from
        .parse()
        .map_err(|e| SendFailure::permanent(format!("the sender address: {e}")))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| SendFailure::permanent(format!("the recipient address: {e}")))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .body(text.to_owned())
        .map_err(|e| SendFailure::permanent(e.to_string()))?;
    let tls = || {
        TlsParameters::new(server.host.clone()).map_err(|e| SendFailure::permanent(e.to_string()))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host)
        .port(server.port)
        .timeout(Some(TIMEOUT))
        .tls(match server.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(tls()?),
            SmtpTls::Tls => Tls::Wrapper(tls()?),
        });
    if let Some(user) = &server.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            server.password.clone().unwrap_or_default(),
        ));
    }
    match builder.build().send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendFailure::permanent(e.to_string())),
        Err(e) => Err(SendFailure::retry(e.to_string())),
    }
}

/// The installation's VAPID key pair: made once, sealed in the database, shared by replicas.
pub async fn vapid_key(store: &Store) -> anyhow::Result<ES256KeyPair> {
    let raw = store
        .installation_key(VAPID_KEY, || {
            URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes())
        })
        .await?;
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| ES256KeyPair::from_bytes(&b).ok())
        .ok_or_else(|| anyhow::anyhow!("the stored VAPID key is unreadable"))
}

/// The public half as browsers want it for `applicationServerKey`: the uncompressed P-256
/// point, base64url without padding.
pub fn vapid_public_key(key: &ES256KeyPair) -> String {
    let secret = p256::SecretKey::from_slice(&key.to_bytes()).expect("a P-256 scalar");
    URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes())
}

/// Whether a browser's subscription keys are usable: a P-256 point and a 16-byte secret.
pub fn valid_subscription_keys(p256dh: &str, auth: &str) -> (bool, bool) {
    let key = URL_SAFE_NO_PAD
        .decode(p256dh.trim_end_matches('='))
        .ok()
        .is_some_and(|b| p256::PublicKey::from_sec1_bytes(&b).is_ok());
    let secret = URL_SAFE_NO_PAD
        .decode(auth.trim_end_matches('='))
        .is_ok_and(|b| b.len() == 16);
    (key, secret)
}

/// Encrypts `payload` for one subscription and POSTs it to its push service.
async fn send_push(
    egress: &EgressPolicy,
    key: &ES256KeyPair,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    payload: &str,
) -> Result<(), PushOutcome> {
    let gone = |m: &str| PushOutcome::Failed(SendFailure::permanent(m.to_owned()));
    let ua_public = URL_SAFE_NO_PAD
        .decode(p256dh.trim_end_matches('='))
        .ok()
        .and_then(|b| p256::PublicKey::from_sec1_bytes(&b).ok())
        .ok_or_else(|| gone("the subscription's key is not a P-256 point"))?;
    let ua_auth = URL_SAFE_NO_PAD
        .decode(auth.trim_end_matches('='))
        .ok()
        .filter(|b| b.len() == 16)
        .ok_or_else(|| gone("the subscription's auth secret is not 16 bytes"))?;
    let request = web_push_native::WebPushBuilder::new(
        endpoint
            .parse()
            .map_err(|_| gone("the subscription's endpoint is not a URL"))?,
        ua_public,
        web_push_native::Auth::clone_from_slice(&ua_auth),
    )
    .with_valid_duration(PUSH_TTL)
    .with_vapid(key, VAPID_CONTACT)
    .build(payload.as_bytes().to_vec())
    .map_err(|e| gone(&e.to_string()))?;
    let url = reqwest::Url::parse(endpoint).map_err(|_| gone("the endpoint is not a URL"))?;
    egress.check_url(&url).map_err(|r| gone(&r.to_string()))?;
    let client = egress
        .client_builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| PushOutcome::Failed(SendFailure::retry(e.to_string())))?;
    let request =
        reqwest::Request::try_from(request).map_err(|e| gone(&format!("the push request: {e}")))?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| PushOutcome::Failed(SendFailure::retry(e.to_string())))?;
    let status = response.status();
    match status.as_u16() {
        200..=299 => Ok(()),
        404 | 410 => Err(PushOutcome::Gone),
        429 | 500..=599 => Err(PushOutcome::Failed(SendFailure::retry(format!(
            "the push service answered {status}"
        )))),
        _ => Err(PushOutcome::Failed(SendFailure::permanent(format!(
            "the push service refused the push ({status})"
        )))),
    }
}

enum PushOutcome {
    /// The browser unsubscribed: the subscription is forgotten.
    Gone,
    Failed(SendFailure),
}

/// Where the server runs, as notification emails link to it.
#[derive(Clone, Debug, Default)]
pub struct Links {
    pub public_url: Option<String>,
}

/// A `deliver_notification` job: sends the delivery once. A delivery already sent (or given
/// up) is left alone, so a job that runs again after its sender crashed before recording the
/// outcome is the only way a member could get one twice.
pub async fn deliver(
    store: &Store,
    egress: &EgressPolicy,
    links: &Links,
    org_id: Uuid,
    delivery_id: Uuid,
    last_attempt: bool,
) -> Result<(), JobFailure> {
    let scope = store.org(org_id);
    let task = scope.delivery(delivery_id).await?;
    if task.state != DeliveryState::Pending {
        return Ok(());
    }
    let outcome = match task.channel {
        NotificationChannel::Email => email(store, egress, links, &task).await,
        NotificationChannel::Push => push(store, egress, &task).await,
        NotificationChannel::InApp => Ok(()),
    };
    match outcome {
        Ok(()) => Ok(scope.finish_delivery(task.id, None).await?),
        Err(f) if f.retryable && !last_attempt => Err(JobFailure::retry(f.message)),
        Err(f) => {
            scope.finish_delivery(task.id, Some(&f.message)).await?;
            tracing::warn!(delivery = %task.id, error = %f.message, "a notification was not delivered");
            Ok(())
        }
    }
}

async fn email(
    store: &Store,
    egress: &EgressPolicy,
    links: &Links,
    task: &DeliveryTask,
) -> Result<(), SendFailure> {
    let server = store
        .org(task.org_id)
        .smtp_server()
        .await
        .map_err(|e| SendFailure::retry(e.to_string()))?
        .ok_or_else(|| SendFailure::permanent("email is not set up"))?;
    let base = links
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/');
    let text = task.body.replace("{base}", base);
    send_email(egress, &server, &task.recipient, &task.subject, &text).await
}

async fn push(
    store: &Store,
    egress: &EgressPolicy,
    task: &DeliveryTask,
) -> Result<(), SendFailure> {
    let scope = store.org(task.org_id);
    let Ok(sub_id) = task.recipient.parse::<Uuid>() else {
        return Err(SendFailure::permanent("not a subscription"));
    };
    let sub = match scope.push_subscription(sub_id).await {
        Ok(s) => s,
        Err(closer_store::StoreError::NotFound) => {
            return Err(SendFailure::permanent("the browser unsubscribed"));
        }
        Err(e) => return Err(SendFailure::retry(e.to_string())),
    };
    let key = vapid_key(store)
        .await
        .map_err(|e| SendFailure::retry(e.to_string()))?;
    match send_push(
        egress,
        &key,
        &sub.endpoint,
        &sub.p256dh,
        &sub.auth,
        &task.body,
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(PushOutcome::Gone) => {
            scope
                .forget_push_subscription(sub.id)
                .await
                .map_err(|e| SendFailure::retry(e.to_string()))?;
            Err(SendFailure::permanent("the browser unsubscribed"))
        }
        Err(PushOutcome::Failed(f)) => Err(f),
    }
}
