use sea_orm::{DbErr, SqlErr};

/// What can go wrong in the store, in the product's words; the server maps these to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("that email address already belongs to an account")]
    EmailTaken,
    #[error("an organisation must keep at least one active owner")]
    LastOwner,
    #[error("the invite is unknown, expired, revoked or already used")]
    InviteInvalid,
    #[error("this WhatsApp number is connected to another organisation")]
    PhoneNumberTaken,
    #[error("a CTA of this type already exists")]
    CtaExists,
    #[error("no secret key is configured for secrets at rest")]
    NoSecretKey,
    #[error("this invite was sent to another email address")]
    InviteEmailMismatch,
    #[error("that code is not valid (or was already used)")]
    InvalidSecondFactor,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    /// The send policy refused the message (`refused.rule` says which rule).
    #[error("{refused}")]
    SendRefused {
        refused: closer_domain::send_policy::Refused,
        window_open_until: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// A template operation or send refused (`TemplateError` says why).
    #[error(transparent)]
    Template(#[from] crate::templates::TemplateError),
    /// A CRM write refused (`LeadError` says why).
    #[error(transparent)]
    Lead(#[from] crate::leads::LeadError),
    /// A pipeline write refused (`PipelineError` says why).
    #[error(transparent)]
    Pipeline(crate::pipeline::PipelineError),
    /// A member's change to an action-center item refused (`ActionRefusal` says why).
    #[error("{0:?}")]
    Action(closer_domain::work::ActionRefusal),
    /// A member's change to a calendar event refused (`EventRefusal` says why).
    #[error("{0:?}")]
    Calendar(closer_domain::calendar::EventRefusal),
    /// A change of a conversation's mode refused (`ModeRefusal` says why).
    #[error("{0:?}")]
    ModeRefused(closer_domain::conversation_rules::ModeRefusal),
    #[error("a canned reply with this shortcut already exists")]
    ShortcutExists,
    /// Work handed to someone who is not an active member of the organisation.
    #[error("is not an active member of this organisation")]
    NotAMember,
    /// A file named for sending cannot be sent (the text says why, for `media_id`).
    #[error("{0}")]
    MediaUnusable(&'static str),
    /// A campaign change refused (`CampaignError` says why).
    #[error(transparent)]
    Campaign(#[from] crate::campaigns::CampaignError),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    /// Turns a unique violation on the users' email into `EmailTaken`, so two simultaneous
    /// sign-ups with one address give one account and one clear 409, never a 500.
    pub(crate) fn from_user_insert(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) if msg.contains("email") => {
                StoreError::EmailTaken
            }
            _ => StoreError::Db(err),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
