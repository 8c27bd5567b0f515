//! One file in the inbox (m0022): a lead's image, video, document, audio, voice note or
//! sticker fetched from Meta, or a member's upload waiting to be sent.

use closer_domain::media::MediaStatus;
use closer_domain::messaging::MessageType;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Option<Uuid>,
    /// The message that carries it; none for an upload not sent yet.
    pub message_id: Option<Uuid>,
    pub kind: MessageType,
    /// Meta's id: the inbound media id, or the id an upload got at Meta when it was sent.
    pub provider_media_id: Option<String>,
    pub mime_type: String,
    pub size_bytes: Option<i64>,
    pub file_name: Option<String>,
    pub sha256: Option<String>,
    pub status: MediaStatus,
    /// Where the media store keeps the bytes, once stored.
    pub storage_key: Option<String>,
    /// A voice note's words, when a speech-to-text provider heard it.
    pub transcript: Option<String>,
    /// Why it was refused or could not be fetched.
    pub error: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
