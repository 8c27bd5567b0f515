//! The action center's reads with 100,000 actions (issue 16's benchmark). The queue's order is
//! most urgent first, then oldest: `actions_org_status_queue` holds urgency descending, so a
//! status's page (the first or one deep by cursor) is read in order off the index rather than
//! sorted from every row of the status. The sidebar count reads open and snoozed items by kind
//! from `actions_org_open_counts` alone (it covers the count), where SQLite had scanned the
//! table. The whole list unfiltered (not a page the dashboard shows) still sorts.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0029_action_queue_order"
    }
}

/// Plain SQL: both databases take `DESC` in an index the same way.
const UP: [&str; 3] = [
    "CREATE INDEX actions_org_status_queue ON actions (org_id, status, urgency DESC, created_at, id)",
    "CREATE INDEX actions_org_open_counts ON actions (org_id, status, kind, snoozed_until, id)",
    "DROP INDEX actions_org_queue",
];

const DOWN: [&str; 3] = [
    "CREATE INDEX actions_org_queue ON actions (org_id, status, urgency, created_at, id)",
    "DROP INDEX actions_org_open_counts",
    "DROP INDEX actions_org_status_queue",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for sql in UP {
            m.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for sql in DOWN {
            m.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
