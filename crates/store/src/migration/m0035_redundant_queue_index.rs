//! `conversations_needs_human (org_id, needs_human)` is the prefix of
//! `conversations_needs_human_queue (org_id, needs_human, mode, priority)`, which serves every
//! read the shorter one served. Each index is a leaf page rewritten per organisation in every
//! ingest commit (a launch-day surge writes a few dozen new conversations per commit), so the
//! copy goes.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0035_redundant_queue_index"
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    OrgId,
    NeedsHuman,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("conversations_needs_human")
                .table(Conversations::Table)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("conversations_needs_human")
                .table(Conversations::Table)
                .col(Conversations::OrgId)
                .col(Conversations::NeedsHuman)
                .to_owned(),
        )
        .await
    }
}
