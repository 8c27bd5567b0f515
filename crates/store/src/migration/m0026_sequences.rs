//! Drip sequences (issue 13 item 5): the owner's sequences (steps and conditions as JSON,
//! validated by `closer_domain::sequences`) and each lead's enrolment in one, with one active
//! enrolment per lead enforced by a partial unique index on both databases.

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::{flag, index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0026_sequences"
    }
}

#[derive(DeriveIden)]
enum Sequences {
    Table,
    Id,
    OrgId,
    Name,
    Enabled,
    Steps,
    StartConditions,
    StopConditions,
    StopOnReply,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SequenceEnrollments {
    Table,
    Id,
    OrgId,
    SequenceId,
    LeadId,
    ConversationId,
    Status,
    Step,
    NextStepAt,
    StopReason,
    StopOnReply,
    Source,
    JobId,
    LastMessageId,
    LastSkip,
    CreatedAt,
    UpdatedAt,
    EndedAt,
}

fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Sequences::Table)
                .col(id(Sequences::Id))
                .col(uuid(Sequences::OrgId))
                .col(text(Sequences::Name))
                .col(flag(Sequences::Enabled))
                .col(json(Sequences::Steps))
                .col(json(Sequences::StartConditions))
                .col(json(Sequences::StopConditions))
                .col(flag(Sequences::StopOnReply))
                .col(uuid_null(Sequences::CreatedBy))
                .col(at(Sequences::CreatedAt))
                .col(at(Sequences::UpdatedAt))
                .foreign_key(&mut org_fk(Sequences::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "sequences_org",
            Sequences::Table,
            vec![Sequences::OrgId.into_iden(), Sequences::Id.into_iden()],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(SequenceEnrollments::Table)
                .col(id(SequenceEnrollments::Id))
                .col(uuid(SequenceEnrollments::OrgId))
                .col(uuid(SequenceEnrollments::SequenceId))
                .col(uuid(SequenceEnrollments::LeadId))
                .col(uuid_null(SequenceEnrollments::ConversationId))
                .col(text(SequenceEnrollments::Status))
                .col(int(SequenceEnrollments::Step))
                .col(at_null(SequenceEnrollments::NextStepAt))
                .col(text_null(SequenceEnrollments::StopReason))
                .col(flag(SequenceEnrollments::StopOnReply))
                .col(text(SequenceEnrollments::Source))
                .col(uuid_null(SequenceEnrollments::JobId))
                .col(uuid_null(SequenceEnrollments::LastMessageId))
                .col(text_null(SequenceEnrollments::LastSkip))
                .col(at(SequenceEnrollments::CreatedAt))
                .col(at(SequenceEnrollments::UpdatedAt))
                .col(at_null(SequenceEnrollments::EndedAt))
                .foreign_key(&mut org_fk(SequenceEnrollments::Table))
                .to_owned(),
        )
        .await?;
        // A sequence's enrolments, newest first.
        m.create_index(index(
            "sequence_enrollments_sequence",
            SequenceEnrollments::Table,
            vec![
                SequenceEnrollments::OrgId.into_iden(),
                SequenceEnrollments::SequenceId.into_iden(),
                SequenceEnrollments::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        // One active enrolment per lead, whatever races; it also serves the lead's own
        // lookups (a reply, an opt-out) that only ever look for the active one.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX sequence_enrollments_one_active \
                 ON sequence_enrollments (org_id, lead_id) WHERE status = 'active'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SequenceEnrollments::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Sequences::Table).to_owned())
            .await
    }
}
