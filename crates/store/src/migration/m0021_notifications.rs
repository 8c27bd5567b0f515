//! Notifications (issue 16 item 6): what each member was told (the bell's list), their
//! choices per kind, their browsers' push subscriptions, each email or push on its way (one
//! row per notification × channel × address, unique, so a retried job never sends twice),
//! the organisation's mail server, password-reset tokens (hashed), and the installation's
//! own keys (the VAPID key pair, sealed).

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::{flag, index, int};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0021_notifications"
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    OrgId,
    UserId,
    Kind,
    Title,
    Body,
    Link,
    ConversationId,
    InApp,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationPreferences {
    Table,
    OrgId,
    UserId,
    Choices,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    OrgId,
    UserId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationDeliveries {
    Table,
    Id,
    OrgId,
    IdempotencyKey,
    Channel,
    NotificationId,
    Recipient,
    Subject,
    Body,
    State,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailSettings {
    Table,
    OrgId,
    SmtpHost,
    SmtpPort,
    Username,
    Password,
    FromAddress,
    Tls,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    OrgId,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum InstallationKeys {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(id(Notifications::Id))
                .col(uuid(Notifications::OrgId))
                .col(uuid(Notifications::UserId))
                .col(text(Notifications::Kind))
                .col(text(Notifications::Title))
                .col(text(Notifications::Body))
                .col(text_null(Notifications::Link))
                .col(ColumnDef::new(Notifications::ConversationId).uuid().null())
                .col(flag(Notifications::InApp))
                .col(at_null(Notifications::ReadAt))
                .col(at(Notifications::CreatedAt))
                .foreign_key(&mut org_fk(Notifications::Table))
                .to_owned(),
        )
        .await?;
        // A member's bell: newest first, unread ones counted.
        m.create_index(index(
            "notifications_member",
            Notifications::Table,
            vec![
                Notifications::OrgId.into_iden(),
                Notifications::UserId.into_iden(),
                Notifications::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(NotificationPreferences::Table)
                .col(uuid(NotificationPreferences::OrgId))
                .col(uuid(NotificationPreferences::UserId))
                .col(
                    ColumnDef::new(NotificationPreferences::Choices)
                        .json()
                        .not_null(),
                )
                .col(at(NotificationPreferences::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(NotificationPreferences::OrgId)
                        .col(NotificationPreferences::UserId),
                )
                .foreign_key(&mut org_fk(NotificationPreferences::Table))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PushSubscriptions::Table)
                .col(id(PushSubscriptions::Id))
                .col(uuid(PushSubscriptions::OrgId))
                .col(uuid(PushSubscriptions::UserId))
                .col(text(PushSubscriptions::Endpoint))
                .col(text(PushSubscriptions::P256dh))
                .col(text(PushSubscriptions::Auth))
                .col(at(PushSubscriptions::CreatedAt))
                .foreign_key(&mut org_fk(PushSubscriptions::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "push_subscriptions_endpoint",
            PushSubscriptions::Table,
            vec![
                PushSubscriptions::OrgId.into_iden(),
                PushSubscriptions::Endpoint.into_iden(),
            ],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(NotificationDeliveries::Table)
                .col(id(NotificationDeliveries::Id))
                .col(uuid(NotificationDeliveries::OrgId))
                .col(text(NotificationDeliveries::IdempotencyKey))
                .col(text(NotificationDeliveries::Channel))
                .col(
                    ColumnDef::new(NotificationDeliveries::NotificationId)
                        .uuid()
                        .null(),
                )
                .col(text(NotificationDeliveries::Recipient))
                .col(text(NotificationDeliveries::Subject))
                .col(text(NotificationDeliveries::Body))
                .col(text(NotificationDeliveries::State))
                .col(text_null(NotificationDeliveries::LastError))
                .col(at_null(NotificationDeliveries::SentAt))
                .col(at(NotificationDeliveries::CreatedAt))
                .foreign_key(&mut org_fk(NotificationDeliveries::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "notification_deliveries_key",
            NotificationDeliveries::Table,
            vec![
                NotificationDeliveries::OrgId.into_iden(),
                NotificationDeliveries::IdempotencyKey.into_iden(),
            ],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(EmailSettings::Table)
                .col(id(EmailSettings::OrgId))
                .col(text(EmailSettings::SmtpHost))
                .col(int(EmailSettings::SmtpPort))
                .col(text_null(EmailSettings::Username))
                .col(text_null(EmailSettings::Password))
                .col(text(EmailSettings::FromAddress))
                .col(text(EmailSettings::Tls))
                .col(at(EmailSettings::UpdatedAt))
                .foreign_key(&mut org_fk(EmailSettings::Table))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(id(PasswordResets::Id))
                .col(uuid(PasswordResets::OrgId))
                .col(uuid(PasswordResets::UserId))
                .col(text(PasswordResets::TokenHash))
                .col(at(PasswordResets::ExpiresAt))
                .col(at_null(PasswordResets::UsedAt))
                .col(at(PasswordResets::CreatedAt))
                .foreign_key(&mut org_fk(PasswordResets::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "password_resets_token",
            PasswordResets::Table,
            vec![PasswordResets::TokenHash.into_iden()],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(InstallationKeys::Table)
                .col(
                    ColumnDef::new(InstallationKeys::Name)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(text(InstallationKeys::Value))
                .col(at(InstallationKeys::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            InstallationKeys::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            EmailSettings::Table.into_iden(),
            NotificationDeliveries::Table.into_iden(),
            PushSubscriptions::Table.into_iden(),
            NotificationPreferences::Table.into_iden(),
            Notifications::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
