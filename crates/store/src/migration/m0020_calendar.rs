//! The calendar (issue 16): an event gets a kind (call, demo, meeting), a status (booked,
//! rescheduled, cancelled, done), the booking action it came from, and may have no time yet
//! (a booking whose time is to be agreed) or no conversation (a meeting a person set up on a
//! lead). SQLite cannot drop NOT NULL from a column, so the table is rebuilt the same way on
//! both databases: renamed aside, created anew, rows copied, the old one dropped.
//!
//! Each member's calendar feed is a secret URL; only the token's SHA-256 is kept.

use super::m0001_accounts::{at, at_null, id, text, uuid};
use super::m0002_channel::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0020_calendar"
    }
}

#[derive(DeriveIden)]
enum CalendarEvents {
    Table,
    Id,
    OrgId,
    ConversationId,
    ContactId,
    ActionId,
    Kind,
    Status,
    Title,
    StartAt,
    EndAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CalendarFeeds {
    Table,
    Id,
    OrgId,
    UserId,
    TokenHash,
    CreatedAt,
}

const ASIDE: &str = "calendar_events_m0004";

fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().to_owned()
}

/// Events the agent booked before kinds existed: their title starts with the CTA's label
/// (`Schedule a demo: Asha`), which names the kind. Each is linked to its conversation's
/// latest booking action.
const COPY: [&str; 2] = [
    "INSERT INTO calendar_events (id, org_id, conversation_id, contact_id, kind, status, title, \
     start_at, end_at, created_at, updated_at) \
     SELECT id, org_id, conversation_id, contact_id, \
     CASE WHEN title LIKE 'Schedule a demo%' THEN 'demo' \
     WHEN title LIKE 'Join%' THEN 'meeting' ELSE 'call' END, \
     'booked', title, start_at, end_at, created_at, created_at FROM calendar_events_m0004",
    "UPDATE calendar_events SET action_id = (SELECT a.id FROM actions a \
     WHERE a.org_id = calendar_events.org_id AND a.conversation_id = calendar_events.conversation_id \
     AND a.kind = 'booking' ORDER BY a.created_at DESC LIMIT 1)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: the rebuild is all or nothing, and every statement
    /// runs on one connection (another pooled connection may still have the old schema in
    /// memory and refuse to create an index it thinks exists).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("calendar_events_org_start")
                .table(CalendarEvents::Table)
                .to_owned(),
        )
        .await?;
        m.rename_table(
            Table::rename()
                .table(CalendarEvents::Table, Alias::new(ASIDE))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CalendarEvents::Table)
                .col(id(CalendarEvents::Id))
                .col(uuid(CalendarEvents::OrgId))
                .col(uuid_null(CalendarEvents::ConversationId))
                .col(uuid(CalendarEvents::ContactId))
                .col(uuid_null(CalendarEvents::ActionId))
                .col(text(CalendarEvents::Kind))
                .col(text(CalendarEvents::Status))
                .col(text(CalendarEvents::Title))
                .col(at_null(CalendarEvents::StartAt))
                .col(at_null(CalendarEvents::EndAt))
                .col(uuid_null(CalendarEvents::CreatedBy))
                .col(at(CalendarEvents::CreatedAt))
                .col(at(CalendarEvents::UpdatedAt))
                .to_owned(),
        )
        .await?;
        for sql in COPY {
            m.get_connection().execute_unprepared(sql).await?;
        }
        m.drop_table(Table::drop().table(Alias::new(ASIDE)).to_owned())
            .await?;
        // A range of the calendar; a conversation's events; a booking action's event.
        for (name, col) in [
            ("calendar_events_org_start", CalendarEvents::StartAt),
            (
                "calendar_events_org_conversation",
                CalendarEvents::ConversationId,
            ),
            ("calendar_events_org_action", CalendarEvents::ActionId),
        ] {
            m.create_index(index(
                name,
                CalendarEvents::Table,
                vec![CalendarEvents::OrgId.into_iden(), col.into_iden()],
                false,
            ))
            .await?;
        }

        m.create_table(
            Table::create()
                .table(CalendarFeeds::Table)
                .col(id(CalendarFeeds::Id))
                .col(uuid(CalendarFeeds::OrgId))
                .col(uuid(CalendarFeeds::UserId))
                .col(text(CalendarFeeds::TokenHash))
                .col(at(CalendarFeeds::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "calendar_feeds_org_user",
            CalendarFeeds::Table,
            vec![
                CalendarFeeds::OrgId.into_iden(),
                CalendarFeeds::UserId.into_iden(),
            ],
            true,
        ))
        .await?;
        // A feed is found by its token alone (the URL is all a calendar app has).
        m.create_index(index(
            "calendar_feeds_token",
            CalendarFeeds::Table,
            vec![CalendarFeeds::TokenHash.into_iden()],
            true,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CalendarFeeds::Table).to_owned())
            .await?;
        // Events without a time or a conversation have no place in the old table.
        m.get_connection()
            .execute_unprepared(
                "DELETE FROM calendar_events WHERE start_at IS NULL OR end_at IS NULL \
                 OR conversation_id IS NULL",
            )
            .await?;
        for name in [
            "calendar_events_org_start",
            "calendar_events_org_conversation",
            "calendar_events_org_action",
        ] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(CalendarEvents::Table)
                    .to_owned(),
            )
            .await?;
        }
        m.rename_table(
            Table::rename()
                .table(CalendarEvents::Table, Alias::new(ASIDE))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CalendarEvents::Table)
                .col(id(CalendarEvents::Id))
                .col(uuid(CalendarEvents::OrgId))
                .col(uuid(CalendarEvents::ConversationId))
                .col(uuid(CalendarEvents::ContactId))
                .col(text(CalendarEvents::Title))
                .col(at(CalendarEvents::StartAt))
                .col(at(CalendarEvents::EndAt))
                .col(at(CalendarEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO calendar_events (id, org_id, conversation_id, contact_id, title, \
                 start_at, end_at, created_at) SELECT id, org_id, conversation_id, contact_id, \
                 title, start_at, end_at, created_at FROM calendar_events_m0004",
            )
            .await?;
        m.drop_table(Table::drop().table(Alias::new(ASIDE)).to_owned())
            .await?;
        m.create_index(index(
            "calendar_events_org_start",
            CalendarEvents::Table,
            vec![
                CalendarEvents::OrgId.into_iden(),
                CalendarEvents::StartAt.into_iden(),
            ],
            false,
        ))
        .await
    }
}
