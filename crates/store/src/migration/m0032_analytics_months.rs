//! Analytics at a year's scale (issue 15 item 3): the rollups also kept per calendar month
//! (`analytics_rollups_monthly`, the same rows with the month's first day), so a report over
//! a year reads twelve months and the days around them instead of 365 days of rows; and an
//! index that counts the dashboard's queue of conversations waiting for a person by priority
//! from the index alone. Existing daily rows are summed into months here; the funnel's new
//! rollups come from `closer rollups rebuild`.

use super::m0001_accounts::{org_fk, text, uuid};
use super::m0002_channel::index;
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0032_analytics_months"
    }
}

#[derive(DeriveIden)]
enum AnalyticsRollupsMonthly {
    Table,
    OrgId,
    Metric,
    Month,
    Dim,
    Value,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    OrgId,
    NeedsHuman,
    Mode,
    Priority,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AnalyticsRollupsMonthly::Table)
                .col(uuid(AnalyticsRollupsMonthly::OrgId))
                .col(text(AnalyticsRollupsMonthly::Metric))
                .col(
                    ColumnDef::new(AnalyticsRollupsMonthly::Month)
                        .date()
                        .not_null(),
                )
                .col(text(AnalyticsRollupsMonthly::Dim))
                .col(
                    ColumnDef::new(AnalyticsRollupsMonthly::Value)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .primary_key(
                    Index::create()
                        .col(AnalyticsRollupsMonthly::OrgId)
                        .col(AnalyticsRollupsMonthly::Metric)
                        .col(AnalyticsRollupsMonthly::Month)
                        .col(AnalyticsRollupsMonthly::Dim),
                )
                .foreign_key(&mut org_fk(AnalyticsRollupsMonthly::Table))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let month = match db.get_database_backend() {
            DbBackend::Postgres => "CAST(date_trunc('month', day) AS date)",
            _ => "date(day, 'start of month')",
        };
        db.execute_unprepared(&format!(
            "INSERT INTO analytics_rollups_monthly (org_id, metric, month, dim, value) \
             SELECT org_id, metric, {month}, dim, SUM(value) FROM analytics_rollups \
             GROUP BY org_id, metric, {month}, dim"
        ))
        .await?;
        m.create_index(index(
            "conversations_needs_human_queue",
            Conversations::Table,
            vec![
                Conversations::OrgId.into_iden(),
                Conversations::NeedsHuman.into_iden(),
                Conversations::Mode.into_iden(),
                Conversations::Priority.into_iden(),
            ],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("conversations_needs_human_queue")
                .table(Conversations::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(
            Table::drop()
                .table(AnalyticsRollupsMonthly::Table)
                .to_owned(),
        )
        .await
    }
}
