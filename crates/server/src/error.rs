//! One error type for the HTTP edge. Every failure leaves as
//! `{"error": {"code", "message", "details"}}` with the status API.md fixes for it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use closer_domain::send_policy::SendRule;
use closer_domain::work::ErrorCode;
use closer_store::StoreError;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("sign in to continue")]
    Unauthorized,
    #[error("the webhook signature is missing or does not match")]
    InvalidSignature,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("enter the 6-digit code from your authenticator app, or a recovery code")]
    SecondFactorRequired,
    /// A wrong or reused code: 401 at sign-in, 422 on the account's own security endpoints.
    #[error("that code is not valid (or was already used)")]
    InvalidSecondFactor(StatusCode),
    #[error("your organisation requires two-factor sign-in: set it up in Settings → Security")]
    TwoFactorEnrollmentRequired,
    #[error("requests signed in by cookie must carry the X-Closer-CSRF header")]
    CsrfHeaderMissing,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// A 409 that says more in `details` (`lead_exists` names the lead).
    #[error("{message}")]
    ConflictWith {
        code: ErrorCode,
        message: String,
        details: Value,
    },
    #[error("the request body is larger than the {0} byte limit")]
    PayloadTooLarge(usize),
    /// A body within the byte limit that asks for more work than one request may.
    #[error("{0}")]
    TooMuchWork(String),
    #[error("requests must be sent as application/json")]
    UnsupportedMediaType,
    #[error("some fields are not valid")]
    Validation(Map<String, Value>),
    /// A 422 with its own code: the request is well formed but the state forbids it.
    #[error("{message}")]
    Unprocessable {
        code: ErrorCode,
        message: String,
        details: Option<Value>,
    },
    #[error("too many attempts; try again in {0} seconds")]
    RateLimited(u64),
    #[error("{0}")]
    BadGateway(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// The error body every endpoint answers with on failure.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable code, stable across releases.
    pub code: ErrorCode,
    /// A sentence for humans.
    pub message: String,
    /// For `validation_failed`: `{"fields": {"email": "is required"}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl ApiError {
    /// A 422 naming one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = Map::new();
        fields.insert(name.to_owned(), Value::String(message.into()));
        ApiError::Validation(fields)
    }

    /// A 422 naming every field that is wrong (the first message for a field named twice).
    pub fn fields(problems: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut fields = Map::new();
        for (name, message) in problems {
            fields.entry(name).or_insert(Value::String(message));
        }
        ApiError::Validation(fields)
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden("your role does not allow this".into())
    }

    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            ApiError::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials)
            }
            ApiError::InvalidSignature => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidSignature),
            ApiError::SecondFactorRequired => {
                (StatusCode::UNAUTHORIZED, ErrorCode::SecondFactorRequired)
            }
            ApiError::InvalidSecondFactor(status) => (*status, ErrorCode::InvalidSecondFactor),
            ApiError::TwoFactorEnrollmentRequired => (
                StatusCode::FORBIDDEN,
                ErrorCode::TwoFactorEnrollmentRequired,
            ),
            ApiError::CsrfHeaderMissing => (StatusCode::FORBIDDEN, ErrorCode::CsrfHeaderMissing),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
            ApiError::ConflictWith { code, .. } => (StatusCode::CONFLICT, *code),
            ApiError::PayloadTooLarge(_) | ApiError::TooMuchWork(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
            ),
            ApiError::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            ApiError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::BadGateway(_) => (StatusCode::BAD_GATEWAY, ErrorCode::UpstreamUnavailable),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = ?err, "request failed");
        }
        let details = match &self {
            ApiError::Validation(fields) => Some(json!({ "fields": fields })),
            ApiError::Unprocessable { details, .. } => details.clone(),
            ApiError::ConflictWith { details, .. } => Some(details.clone()),
            ApiError::InvalidSecondFactor(StatusCode::UNPROCESSABLE_ENTITY) => {
                Some(json!({ "fields": { "code": self.to_string() } }))
            }
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.to_string(),
                details,
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if let ApiError::RateLimited(secs) = self {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::EmailTaken => ApiError::Conflict {
                code: ErrorCode::EmailTaken,
                message: err.to_string(),
            },
            StoreError::LastOwner => ApiError::Conflict {
                code: ErrorCode::LastOwner,
                message: err.to_string(),
            },
            // An unusable invite is reported as not found: its existence is not the caller's
            // business.
            StoreError::PhoneNumberTaken => ApiError::Conflict {
                code: ErrorCode::PhoneNumberTaken,
                message: err.to_string(),
            },
            StoreError::NoSecretKey => ApiError::Internal(anyhow::anyhow!(err.to_string())),
            StoreError::InviteInvalid => ApiError::NotFound,
            StoreError::InviteEmailMismatch => ApiError::field("email", err.to_string()),
            StoreError::InvalidSecondFactor => {
                ApiError::InvalidSecondFactor(StatusCode::UNPROCESSABLE_ENTITY)
            }
            StoreError::Forbidden(msg) => ApiError::Forbidden(msg.to_owned()),
            StoreError::CtaExists => ApiError::Conflict {
                code: ErrorCode::CtaExists,
                message: err.to_string(),
            },
            StoreError::Conflict(msg) => ApiError::Conflict {
                code: ErrorCode::Conflict,
                message: msg.to_owned(),
            },
            StoreError::SendRefused {
                refused,
                window_open_until,
            } => ApiError::Unprocessable {
                code: refused.rule.into(),
                message: refusal_message(refused.rule),
                details: Some(json!({
                    "rule": refused.rule,
                    "detail": refused.detail,
                    "window_open_until": window_open_until,
                })),
            },
            StoreError::Template(e) => template_refusal(e),
            StoreError::Campaign(e) => campaign_refusal(e),
            StoreError::Lead(e) => crate::routes::leads::refusal(e),
            StoreError::Pipeline(e) => crate::routes::pipeline::refusal(e),
            StoreError::Action(refusal) => action_refusal(refusal),
            StoreError::Calendar(refusal) => event_refusal(refusal),
            StoreError::ShortcutExists => ApiError::Conflict {
                code: ErrorCode::ShortcutExists,
                message: err.to_string(),
            },
            StoreError::NotAMember => ApiError::field("user_id", err.to_string()),
            StoreError::ModeRefused(
                closer_domain::conversation_rules::ModeRefusal::PauseClosed,
            ) => ApiError::Conflict {
                code: ErrorCode::ModeChangeRefused,
                message: "a closed conversation is reopened or taken over, not paused".into(),
            },
            StoreError::MediaUnusable(_) => ApiError::field("media_id", err.to_string()),
            StoreError::Db(db) => ApiError::Internal(db.into()),
        }
    }
}

/// Why an action-center item could not be changed: its state (409) or the request (422).
fn action_refusal(refusal: closer_domain::work::ActionRefusal) -> ApiError {
    use closer_domain::work::ActionRefusal as R;
    match refusal {
        R::AlreadyResolved => ApiError::Conflict {
            code: ErrorCode::ActionResolved,
            message: "this action is resolved already".into(),
        },
        R::ClaimedByAnother => ApiError::Conflict {
            code: ErrorCode::ActionClaimed,
            message: "another member has claimed this action".into(),
        },
        R::SnoozeInThePast => ApiError::field("until", "must be in the future"),
    }
}

/// Why a calendar event could not be changed: it is closed (409), or has no time yet to
/// have taken place (422 on `status`).
fn event_refusal(refusal: closer_domain::calendar::EventRefusal) -> ApiError {
    use closer_domain::calendar::EventRefusal as R;
    match refusal {
        R::Closed => ApiError::Conflict {
            code: ErrorCode::EventClosed,
            message: "this event is cancelled or done already".into(),
        },
        R::NoTimeYet => ApiError::field(
            "status",
            "an event whose time is still to be agreed cannot be done",
        ),
    }
}

impl From<closer_store::campaigns::CampaignError> for ApiError {
    fn from(e: closer_store::campaigns::CampaignError) -> Self {
        campaign_refusal(e)
    }
}

/// A campaign change refused: its status, unmapped variables (422), or what the pre-flight
/// found (409 with the blocking code).
fn campaign_refusal(e: closer_store::campaigns::CampaignError) -> ApiError {
    use closer_domain::campaigns::PreflightIssue;
    use closer_store::campaigns::CampaignError as E;
    let message = e.to_string();
    match e {
        E::Status(status) => ApiError::ConflictWith {
            code: ErrorCode::CampaignStatus,
            message,
            details: serde_json::json!({ "status": status }),
        },
        E::Unmapped(keys) => ApiError::Unprocessable {
            code: ErrorCode::UnmappedVariables,
            message,
            details: Some(serde_json::json!({ "variables": keys })),
        },
        E::Blocked(issue) => ApiError::Conflict {
            code: match issue {
                PreflightIssue::TemplateNotApproved => ErrorCode::TemplateNotApproved,
                PreflightIssue::WhatsappNotConnected => ErrorCode::WhatsappNotConnected,
                PreflightIssue::OverMessagingLimit => ErrorCode::OverMessagingLimit,
                _ => ErrorCode::EmptyAudience,
            },
            message,
        },
        E::OverLimit {
            recipients,
            remaining,
        } => ApiError::ConflictWith {
            code: ErrorCode::OverMessagingLimit,
            message,
            details: serde_json::json!({ "recipients": recipients, "remaining": remaining }),
        },
    }
}

/// A template operation's refusal: a conflict with the template's state, or a send refused.
fn template_refusal(e: closer_store::templates::TemplateError) -> ApiError {
    use closer_store::templates::TemplateError as E;
    let message = e.to_string();
    let (code, details) = match &e {
        E::Exists => {
            return ApiError::Conflict {
                code: ErrorCode::TemplateExists,
                message,
            };
        }
        E::Locked => {
            return ApiError::Conflict {
                code: ErrorCode::TemplateLocked,
                message,
            };
        }
        E::InUse | E::UsedByCampaign(_) => {
            return ApiError::Conflict {
                code: ErrorCode::TemplateInUse,
                message,
            };
        }
        E::NotConnected => {
            return ApiError::Conflict {
                code: ErrorCode::WhatsappNotConnected,
                message,
            };
        }
        E::AlreadySubmitted => {
            return ApiError::Conflict {
                code: ErrorCode::AlreadySubmitted,
                message,
            };
        }
        E::NotApproved(status) => (ErrorCode::TemplateNotApproved, json!({ "status": status })),
        E::MissingVariables(missing) => {
            (ErrorCode::MissingVariables, json!({ "missing": missing }))
        }
        E::AccountRestricted(until) => (ErrorCode::AccountRestricted, json!({ "until": until })),
    };
    ApiError::Unprocessable {
        code,
        message,
        details: Some(details),
    }
}

/// What a person sees when the send policy refuses their message.
fn refusal_message(rule: SendRule) -> String {
    match rule {
        SendRule::OptedOut => {
            "This lead opted out: nothing more may be sent to them unless they write again and opt back in."
        }
        SendRule::MarketingOptedOut => "This lead stopped promotional messages.",
        SendRule::WindowClosed => {
            "the 24-hour service window is closed: only an approved template may be sent"
        }
        SendRule::HumanLock => "A person owns this conversation: the bot stays quiet.",
        SendRule::Stale => "This lead has been quiet too long for more outreach.",
        SendRule::BudgetSpent => "Enough unanswered messages went to this lead already.",
        SendRule::RateLimited => "Too many messages went to this lead in the last hour.",
        SendRule::QuietHours => "It is night for this lead: proactive messages wait until morning.",
    }
    .to_owned()
}

pub type ApiResult<T> = Result<T, ApiError>;
