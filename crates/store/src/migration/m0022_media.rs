//! Media in the inbox (issue 16 item 7): one `media` row per file a lead sent or a member
//! uploaded — Meta's id for it, its type, size and name, where it is kept in the media store,
//! its fetch status and a voice note's transcript — and each organisation's speech-to-text
//! provider (`transcription_settings`, the key sealed like every other secret).

use super::m0001_accounts::{at, id, org_fk, text, text_null, uuid};
use super::m0002_channel::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0022_media"
    }
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    OrgId,
    ConversationId,
    MessageId,
    Kind,
    ProviderMediaId,
    MimeType,
    SizeBytes,
    FileName,
    Sha256,
    Status,
    StorageKey,
    Transcript,
    Error,
    UploadedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TranscriptionSettings {
    Table,
    OrgId,
    BaseUrl,
    Model,
    ApiKey,
    UpdatedAt,
}

fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Media::Table)
                .col(id(Media::Id))
                .col(uuid(Media::OrgId))
                .col(uuid_null(Media::ConversationId))
                .col(uuid_null(Media::MessageId))
                .col(text(Media::Kind))
                .col(text_null(Media::ProviderMediaId))
                .col(text(Media::MimeType))
                .col(ColumnDef::new(Media::SizeBytes).big_integer().null())
                .col(text_null(Media::FileName))
                .col(text_null(Media::Sha256))
                .col(text(Media::Status))
                .col(text_null(Media::StorageKey))
                .col(text_null(Media::Transcript))
                .col(text_null(Media::Error))
                .col(uuid_null(Media::UploadedBy))
                .col(at(Media::CreatedAt))
                .col(at(Media::UpdatedAt))
                .foreign_key(&mut org_fk(Media::Table))
                .to_owned(),
        )
        .await?;
        // A message's file, found from the message (one per message).
        m.create_index(index(
            "media_message",
            Media::Table,
            vec![Media::OrgId.into_iden(), Media::MessageId.into_iden()],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(TranscriptionSettings::Table)
                .col(id(TranscriptionSettings::OrgId))
                .col(text(TranscriptionSettings::BaseUrl))
                .col(text(TranscriptionSettings::Model))
                .col(text_null(TranscriptionSettings::ApiKey))
                .col(at(TranscriptionSettings::UpdatedAt))
                .foreign_key(&mut org_fk(TranscriptionSettings::Table))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TranscriptionSettings::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}
