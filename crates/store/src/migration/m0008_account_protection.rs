//! Account protection: what a session was opened from and when it was last used (the
//! sessions list), TOTP second factors with single-use recovery codes, and an organisation's
//! rule that every member must use one.

use super::m0001_accounts::{at, at_null, id, text, text_null, uuid};
use super::m0002_channel::{flag, index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_account_protection"
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Device,
    Ip,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    OrgId,
    Id,
    TotpSecret,
    TotpPendingSecret,
    TotpEnabledAt,
    TotpLastStep,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    OrgId,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

/// SQLite adds one column per ALTER TABLE.
async fn add_column(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: ColumnDef,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

async fn drop_column(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: impl IntoIden,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, Sessions::Table, text_null(Sessions::Device)).await?;
        add_column(m, Sessions::Table, text_null(Sessions::Ip)).await?;
        add_column(m, Sessions::Table, at_null(Sessions::LastSeenAt)).await?;
        // Sealed with the secret box: the confirmed secret, and one being set up.
        add_column(m, Users::Table, text_null(Users::TotpSecret)).await?;
        add_column(m, Users::Table, text_null(Users::TotpPendingSecret)).await?;
        add_column(m, Users::Table, at_null(Users::TotpEnabledAt)).await?;
        // The last accepted time step: a code is never accepted twice.
        add_column(
            m,
            Users::Table,
            ColumnDef::new(Users::TotpLastStep)
                .big_integer()
                .null()
                .to_owned(),
        )
        .await?;
        add_column(m, Orgs::Table, flag(Orgs::RequireTwoFactor)).await?;
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(id(RecoveryCodes::Id))
                .col(uuid(RecoveryCodes::OrgId))
                .col(uuid(RecoveryCodes::UserId))
                .col(text(RecoveryCodes::CodeHash))
                .col(at(RecoveryCodes::CreatedAt))
                .col(at_null(RecoveryCodes::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            RecoveryCodes::Table,
                            (RecoveryCodes::OrgId, RecoveryCodes::UserId),
                        )
                        .to(Users::Table, (Users::OrgId, Users::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_recovery_codes_user",
            RecoveryCodes::Table,
            vec![
                RecoveryCodes::OrgId.into_iden(),
                RecoveryCodes::UserId.into_iden(),
                RecoveryCodes::CodeHash.into_iden(),
            ],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        drop_column(m, Orgs::Table, Orgs::RequireTwoFactor).await?;
        for col in [
            Users::TotpLastStep,
            Users::TotpEnabledAt,
            Users::TotpPendingSecret,
            Users::TotpSecret,
        ] {
            drop_column(m, Users::Table, col).await?;
        }
        for col in [Sessions::LastSeenAt, Sessions::Ip, Sessions::Device] {
            drop_column(m, Sessions::Table, col).await?;
        }
        Ok(())
    }
}
