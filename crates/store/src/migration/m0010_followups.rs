//! Follow-ups as rows (one pending per conversation, enforced by a partial unique index on
//! both databases) and each organisation's follow-up settings.

use super::m0001_accounts::{at, id, text, text_null, uuid};
use super::m0002_channel::{flag, index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_followups"
    }
}

#[derive(DeriveIden)]
enum Followups {
    Table,
    Id,
    OrgId,
    ConversationId,
    ContactId,
    Kind,
    Step,
    DueAt,
    Status,
    Reason,
    StatusReason,
    TemplateId,
    TemplateName,
    MessageId,
    DecisionId,
    JobId,
    Forced,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FollowupSettings {
    Table,
    OrgId,
    Settings,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Followups::Table)
                .col(id(Followups::Id))
                .col(uuid(Followups::OrgId))
                .col(uuid(Followups::ConversationId))
                .col(uuid(Followups::ContactId))
                .col(text(Followups::Kind))
                .col(int(Followups::Step))
                .col(at(Followups::DueAt))
                .col(text(Followups::Status))
                .col(text(Followups::Reason))
                .col(text_null(Followups::StatusReason))
                .col(ColumnDef::new(Followups::TemplateId).uuid().null())
                .col(text_null(Followups::TemplateName))
                .col(ColumnDef::new(Followups::MessageId).uuid().null())
                .col(ColumnDef::new(Followups::DecisionId).uuid().null())
                .col(ColumnDef::new(Followups::JobId).uuid().null())
                .col(flag(Followups::Forced))
                .col(ColumnDef::new(Followups::CreatedBy).uuid().null())
                .col(at(Followups::CreatedAt))
                .col(at(Followups::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // A conversation's follow-ups, newest first; the organisation's by status and time.
        m.create_index(index(
            "followups_conversation",
            Followups::Table,
            vec![
                Followups::OrgId.into_iden(),
                Followups::ConversationId.into_iden(),
                Followups::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_index(index(
            "followups_status_due",
            Followups::Table,
            vec![
                Followups::OrgId.into_iden(),
                Followups::Status.into_iden(),
                Followups::DueAt.into_iden(),
            ],
            false,
        ))
        .await?;
        // One pending follow-up per conversation, whatever races: a partial unique index
        // (both SQLite and PostgreSQL have them; sea-query cannot write the WHERE).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX followups_one_pending ON followups (org_id, conversation_id) \
                 WHERE status = 'pending'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(FollowupSettings::Table)
                .col(
                    ColumnDef::new(FollowupSettings::OrgId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(json(FollowupSettings::Settings))
                .col(at(FollowupSettings::UpdatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(FollowupSettings::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Followups::Table).to_owned())
            .await
    }
}
