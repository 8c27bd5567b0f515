//! The activity log (one row per domain event, written in the transaction of the change); when
//! a lead opted out, so a message queued before the opt-out is never handed to Meta while the
//! one confirmation queued with it still is; and lead phones in E.164 (`+919876543210`) rather
//! than Meta's bare digits, the one way every part of the product writes a phone.

use super::m0001_accounts::{at, at_null, id, text, uuid};
use super::m0002_channel::{index, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_activity"
    }
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    OrgId,
    ContactId,
    ConversationId,
    Kind,
    Actor,
    ActorUserId,
    Payload,
    At,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    OptedOutAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Activities::Table)
                .col(id(Activities::Id))
                .col(uuid(Activities::OrgId))
                .col(ColumnDef::new(Activities::ContactId).uuid().null())
                .col(ColumnDef::new(Activities::ConversationId).uuid().null())
                .col(text(Activities::Kind))
                .col(text(Activities::Actor))
                .col(ColumnDef::new(Activities::ActorUserId).uuid().null())
                .col(json(Activities::Payload))
                .col(at(Activities::At))
                .to_owned(),
        )
        .await?;
        // A lead's timeline, newest first (ids are time-ordered), and the whole organisation's
        // log for automations and analytics.
        m.create_index(index(
            "activities_contact",
            Activities::Table,
            vec![
                Activities::OrgId.into_iden(),
                Activities::ContactId.into_iden(),
                Activities::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_index(index(
            "activities_org",
            Activities::Table,
            vec![Activities::OrgId.into_iden(), Activities::Id.into_iden()],
            false,
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(at_null(Contacts::OptedOutAt))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE contacts SET phone = '+' || phone \
                 WHERE phone IS NOT NULL AND phone NOT LIKE '+%'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "UPDATE contacts SET phone = substr(phone, 2) WHERE phone LIKE '+%'",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .drop_column(Contacts::OptedOutAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Activities::Table).to_owned())
            .await
    }
}
