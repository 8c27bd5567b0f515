//! The team's working day (issue 16): the action center's life of an item — who claimed it,
//! who resolved it with what outcome, until when it is snoozed, when a booking is due — and
//! its order (`urgency`, the priority's rank, so "critical first, then oldest" is one index);
//! canned replies with a shortcut unique in the organisation.

use super::m0001_accounts::{at, at_null, id, text, text_null, uuid};
use super::m0002_channel::{index, int};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_team_work"
    }
}

#[derive(DeriveIden)]
enum Actions {
    Table,
    OrgId,
    Status,
    Urgency,
    DueAt,
    ClaimedBy,
    ClaimedAt,
    ResolvedBy,
    Outcome,
    SnoozedUntil,
    CreatedAt,
    Id,
}

#[derive(DeriveIden)]
enum CannedReplies {
    Table,
    Id,
    OrgId,
    Shortcut,
    Text,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

fn uuid_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).uuid().null().to_owned()
}

/// Items written before priorities were always set get their kind's priority
/// (`ActionKind::priority`), and every item its rank.
const BACKFILL: [&str; 3] = [
    "UPDATE actions SET priority = 'medium' WHERE priority IS NULL \
     AND kind IN ('cta_accepted', 'human_attention')",
    "UPDATE actions SET priority = 'high' WHERE priority IS NULL",
    "UPDATE actions SET urgency = CASE priority WHEN 'critical' THEN 3 WHEN 'high' THEN 2 \
     WHEN 'medium' THEN 1 ELSE 0 END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            int(Actions::Urgency),
            at_null(Actions::DueAt),
            uuid_null(Actions::ClaimedBy),
            at_null(Actions::ClaimedAt),
            uuid_null(Actions::ResolvedBy),
            text_null(Actions::Outcome),
            at_null(Actions::SnoozedUntil),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Actions::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for sql in BACKFILL {
            m.get_connection().execute_unprepared(sql).await?;
        }
        // The queue's order: most urgent first, then oldest, keyset-paged by id.
        m.create_index(index(
            "actions_org_queue",
            Actions::Table,
            vec![
                Actions::OrgId.into_iden(),
                Actions::Status.into_iden(),
                Actions::Urgency.into_iden(),
                Actions::CreatedAt.into_iden(),
                Actions::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CannedReplies::Table)
                .col(id(CannedReplies::Id))
                .col(uuid(CannedReplies::OrgId))
                .col(text(CannedReplies::Shortcut))
                .col(text(CannedReplies::Text))
                .col(uuid_null(CannedReplies::CreatedBy))
                .col(at(CannedReplies::CreatedAt))
                .col(at(CannedReplies::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "canned_replies_org_shortcut",
            CannedReplies::Table,
            vec![
                CannedReplies::OrgId.into_iden(),
                CannedReplies::Shortcut.into_iden(),
            ],
            true,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CannedReplies::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("actions_org_queue")
                .table(Actions::Table)
                .to_owned(),
        )
        .await?;
        for col in [
            Actions::SnoozedUntil,
            Actions::Outcome,
            Actions::ResolvedBy,
            Actions::ClaimedAt,
            Actions::ClaimedBy,
            Actions::DueAt,
            Actions::Urgency,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Actions::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
