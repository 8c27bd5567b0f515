//! The work that runs behind the inbox: which worker holds a job, when an outbound send was
//! handed to the provider, when the agent may read a lead message, and the leases replicas use
//! to elect the one that runs the scheduler.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_work"
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    LockedBy,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    /// The job attempt that handed this message to the provider: a send found already started
    /// by an earlier attempt may have reached the lead, so it is never made again.
    SendAttempt,
    /// When the processing job made this lead message available to the agent.
    ReadyAt,
}

#[derive(DeriveIden)]
enum LeaderLeases {
    Table,
    Name,
    Holder,
    LeaseUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Jobs::Table)
                .add_column(ColumnDef::new(Jobs::LockedBy).text().null())
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .add_column(ColumnDef::new(Messages::SendAttempt).integer().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .add_column(
                    ColumnDef::new(Messages::ReadyAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(LeaderLeases::Table)
                .col(
                    ColumnDef::new(LeaderLeases::Name)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(LeaderLeases::Holder).text().not_null())
                .col(
                    ColumnDef::new(LeaderLeases::LeaseUntil)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LeaderLeases::Table).to_owned())
            .await
    }
}
