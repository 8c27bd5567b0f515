//! Broadcasts (issue 13): `campaigns` (the settings and the campaign's own pace),
//! `campaign_recipients` (the audience frozen at start, one row per lead, each send claimed
//! with a lease before the Graph call), `number_pacing` (each number's shared pace, read by
//! every replica) and the conversation's `broadcast` (the last campaign send it got, which a
//! lead's reply is attributed to without another query on the webhook path).

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::{index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0024_campaigns"
    }
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    OrgId,
    Name,
    Status,
    TemplateId,
    Variables,
    Audience,
    Schedule,
    Pacing,
    Retry,
    SequenceId,
    PausedReason,
    TemplateErrorStreak,
    NextSlotMs,
    Excluded,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    PausedAt,
    CompletedAt,
    CancelledAt,
}

#[derive(DeriveIden)]
enum CampaignRecipients {
    Table,
    Id,
    OrgId,
    CampaignId,
    LeadId,
    ConversationId,
    Phone,
    Name,
    Status,
    Reason,
    ErrorCode,
    ErrorTitle,
    Attempts,
    CapRetries,
    DueAt,
    RetryAt,
    LeaseUntil,
    MessageId,
    ProviderMessageId,
    SentAt,
    DeliveredAt,
    ReadAt,
    RepliedAt,
    FailedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NumberPacing {
    Table,
    OrgId,
    Number,
    NextSlotMs,
    Rate,
    MaxRate,
    PausedUntilMs,
    BackoffMs,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Broadcast,
}

fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().to_owned()
}

fn big(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

async fn create_campaigns(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Campaigns as C;
    m.create_table(
        Table::create()
            .table(C::Table)
            .col(id(C::Id))
            .col(uuid(C::OrgId))
            .col(text(C::Name))
            .col(text(C::Status))
            .col(uuid_null(C::TemplateId))
            .col(json(C::Variables))
            .col(json(C::Audience))
            .col(json(C::Schedule))
            .col(json(C::Pacing))
            .col(json(C::Retry))
            .col(uuid_null(C::SequenceId))
            .col(text_null(C::PausedReason))
            .col(int(C::TemplateErrorStreak))
            .col(big(C::NextSlotMs))
            .col(json(C::Excluded))
            .col(uuid_null(C::CreatedBy))
            .col(at(C::CreatedAt))
            .col(at(C::UpdatedAt))
            .col(at_null(C::StartedAt))
            .col(at_null(C::PausedAt))
            .col(at_null(C::CompletedAt))
            .col(at_null(C::CancelledAt))
            .foreign_key(&mut org_fk(C::Table))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "campaigns_org_status",
        C::Table,
        vec![
            C::OrgId.into_iden(),
            C::Status.into_iden(),
            C::Id.into_iden(),
        ],
        false,
    ))
    .await
}

async fn create_recipients(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    use CampaignRecipients as R;
    m.create_table(
        Table::create()
            .table(R::Table)
            .col(id(R::Id))
            .col(uuid(R::OrgId))
            .col(uuid(R::CampaignId))
            .col(uuid(R::LeadId))
            .col(uuid_null(R::ConversationId))
            .col(text_null(R::Phone))
            .col(text_null(R::Name))
            .col(text(R::Status))
            .col(text_null(R::Reason))
            .col(ColumnDef::new(R::ErrorCode).big_integer().null())
            .col(text_null(R::ErrorTitle))
            .col(int(R::Attempts))
            .col(int(R::CapRetries))
            .col(at(R::DueAt))
            .col(at_null(R::RetryAt))
            .col(at_null(R::LeaseUntil))
            .col(uuid_null(R::MessageId))
            .col(text_null(R::ProviderMessageId))
            .col(at_null(R::SentAt))
            .col(at_null(R::DeliveredAt))
            .col(at_null(R::ReadAt))
            .col(at_null(R::RepliedAt))
            .col(at_null(R::FailedAt))
            .col(at(R::CreatedAt))
            .col(at(R::UpdatedAt))
            .foreign_key(&mut org_fk(R::Table))
            .to_owned(),
    )
    .await?;
    // One recipient per lead of a campaign, whatever races freeze it.
    m.create_index(index(
        "campaign_recipients_lead",
        R::Table,
        vec![
            R::OrgId.into_iden(),
            R::CampaignId.into_iden(),
            R::LeadId.into_iden(),
        ],
        true,
    ))
    .await?;
    // The sender's claim: a campaign's waiting recipients, soonest first.
    m.create_index(index(
        "campaign_recipients_due",
        R::Table,
        vec![
            R::OrgId.into_iden(),
            R::CampaignId.into_iden(),
            R::Status.into_iden(),
            R::DueAt.into_iden(),
        ],
        false,
    ))
    .await?;
    // The recipients list, in order.
    m.create_index(index(
        "campaign_recipients_list",
        R::Table,
        vec![
            R::OrgId.into_iden(),
            R::CampaignId.into_iden(),
            R::Id.into_iden(),
        ],
        false,
    ))
    .await?;
    // A status webhook finds its recipient by the message.
    m.create_index(index(
        "campaign_recipients_message",
        R::Table,
        vec![R::OrgId.into_iden(), R::MessageId.into_iden()],
        false,
    ))
    .await?;
    // The marketing cap of a lead (131049 in the last day) at the next freeze.
    m.create_index(index(
        "campaign_recipients_lead_code",
        R::Table,
        vec![
            R::OrgId.into_iden(),
            R::LeadId.into_iden(),
            R::ErrorCode.into_iden(),
        ],
        false,
    ))
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_campaigns(m).await?;
        create_recipients(m).await?;
        m.create_table(
            Table::create()
                .table(NumberPacing::Table)
                .col(uuid(NumberPacing::OrgId))
                .col(text(NumberPacing::Number))
                .col(big(NumberPacing::NextSlotMs))
                .col(int(NumberPacing::Rate))
                .col(int(NumberPacing::MaxRate))
                .col(big(NumberPacing::PausedUntilMs))
                .col(big(NumberPacing::BackoffMs))
                .col(at(NumberPacing::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(NumberPacing::OrgId)
                        .col(NumberPacing::Number),
                )
                .foreign_key(&mut org_fk(NumberPacing::Table))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Conversations::Table)
                .add_column(json(Conversations::Broadcast))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Conversations::Table)
                .drop_column(Conversations::Broadcast)
                .to_owned(),
        )
        .await?;
        for t in [
            NumberPacing::Table.into_iden(),
            CampaignRecipients::Table.into_iden(),
            Campaigns::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
