//! The inbox's orders (issue 16 item 5): the most urgent request for a person first, and the
//! longest-waiting lead first. Both are expression indexes, written exactly as the inbox's
//! query spells the expressions (`store::inbox`), so SQLite and PostgreSQL read each order
//! from its index instead of sorting an organisation's conversations. The same SQL serves
//! both databases.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_inbox_order"
    }
}

const UP: [&str; 2] = [
    "CREATE INDEX ix_conversations_org_priority ON conversations (org_id, \
     (CASE priority WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 \
     WHEN 'low' THEN 0 ELSE -1 END) DESC, updated_at DESC, id DESC)",
    "CREATE INDEX ix_conversations_org_waiting ON conversations (org_id, \
     (CASE WHEN last_message_direction = 'in' AND mode <> 'closed' THEN 1 ELSE 0 END) DESC, \
     (COALESCE(last_message_at, created_at)), id)",
];

const DOWN: [&str; 2] = [
    "DROP INDEX ix_conversations_org_waiting",
    "DROP INDEX ix_conversations_org_priority",
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
