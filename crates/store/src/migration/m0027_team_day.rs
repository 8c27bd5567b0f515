//! The team's day (issue 16, items 3 and 6): whether a member takes new conversations now
//! (`users.available`), the organisation's round-robin switch and whose turn it was last
//! (`assignment_rotations`: in the database, so every replica hands out the same turn), and
//! one `daily_digests` row per member and local day, unique, so the digest goes out once.

use super::m0001_accounts::{at, at_null, id, org_fk, text, uuid};
use super::m0002_channel::{flag, index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0027_team_day"
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Available,
}

#[derive(DeriveIden)]
enum AssignmentRotations {
    Table,
    OrgId,
    RoundRobin,
    LastUserId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DailyDigests {
    Table,
    Id,
    OrgId,
    UserId,
    Day,
    SentAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Everyone is available until they say otherwise: turning round-robin on shares
        // conversations among the whole working team at once.
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(
                    ColumnDef::new(Users::Available)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AssignmentRotations::Table)
                .col(
                    ColumnDef::new(AssignmentRotations::OrgId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(flag(AssignmentRotations::RoundRobin))
                .col(
                    ColumnDef::new(AssignmentRotations::LastUserId)
                        .uuid()
                        .null(),
                )
                .col(at(AssignmentRotations::UpdatedAt))
                .foreign_key(&mut org_fk(AssignmentRotations::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DailyDigests::Table)
                .col(id(DailyDigests::Id))
                .col(uuid(DailyDigests::OrgId))
                .col(uuid(DailyDigests::UserId))
                // The member's local day, `YYYY-MM-DD` in the organisation's timezone.
                .col(text(DailyDigests::Day))
                .col(at_null(DailyDigests::SentAt))
                .col(at(DailyDigests::CreatedAt))
                .foreign_key(&mut org_fk(DailyDigests::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "daily_digests_once",
            DailyDigests::Table,
            vec![
                DailyDigests::OrgId.into_iden(),
                DailyDigests::UserId.into_iden(),
                DailyDigests::Day.into_iden(),
            ],
            true,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DailyDigests::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AssignmentRotations::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::Available)
                .to_owned(),
        )
        .await
    }
}
