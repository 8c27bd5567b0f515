//! WhatsApp templates (one per organisation, name and language), a lead's marketing opt-out
//! (Meta's "stop promotions"), and what Meta last said about a number's health.

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::{flag, index, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_templates"
    }
}

#[derive(DeriveIden)]
enum Templates {
    Table,
    Id,
    OrgId,
    Name,
    Language,
    Category,
    ParameterFormat,
    Content,
    Variables,
    Status,
    RejectedReason,
    StatusDetail,
    Quality,
    ProviderId,
    PausedUntil,
    History,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    MarketingOptOut,
    MarketingOptOutAt,
}

#[derive(DeriveIden)]
enum WhatsappAccounts {
    Table,
    QualityEvent,
    AccountEvent,
    Restrictions,
}

async fn add_column(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: ColumnDef,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Templates::Table)
                .col(id(Templates::Id))
                .col(uuid(Templates::OrgId))
                .col(text(Templates::Name))
                .col(text(Templates::Language))
                .col(text(Templates::Category))
                .col(text(Templates::ParameterFormat))
                .col(ColumnDef::new(Templates::Content).json().not_null())
                .col(json(Templates::Variables))
                .col(text(Templates::Status))
                .col(text_null(Templates::RejectedReason))
                .col(text_null(Templates::StatusDetail))
                .col(text_null(Templates::Quality))
                .col(text_null(Templates::ProviderId))
                .col(at_null(Templates::PausedUntil))
                .col(json(Templates::History))
                .col(at(Templates::CreatedAt))
                .col(at(Templates::UpdatedAt))
                .foreign_key(&mut org_fk(Templates::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_templates_name_language",
            Templates::Table,
            vec![
                Templates::OrgId.into_iden(),
                Templates::Name.into_iden(),
                Templates::Language.into_iden(),
            ],
            true,
        ))
        .await?;
        add_column(m, Contacts::Table, flag(Contacts::MarketingOptOut)).await?;
        add_column(m, Contacts::Table, at_null(Contacts::MarketingOptOutAt)).await?;
        add_column(
            m,
            WhatsappAccounts::Table,
            text_null(WhatsappAccounts::QualityEvent),
        )
        .await?;
        add_column(
            m,
            WhatsappAccounts::Table,
            text_null(WhatsappAccounts::AccountEvent),
        )
        .await?;
        add_column(
            m,
            WhatsappAccounts::Table,
            json(WhatsappAccounts::Restrictions),
        )
        .await?;
        Ok(())
    }
}
