//! Lead reads measured on the million-lead data set (issue 11, item 8), the indexes the
//! read benchmark (`scripts/bench-lead-reads.sh`) showed missing.
//!
//! **Status.** The list's `lead_status` filter and its `count=true` read every lead of the
//! organisation without an index on the status (SQLite: seconds on a million leads). Leading
//! with the status and then the default order (`-last_seen_at`, keyset by id) serves both:
//! the first page walks the index in order, the count reads the index entries alone.

use super::m0002_channel::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0031_lead_reads"
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    OrgId,
    LeadStatus,
    LastSeenAt,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "contacts_status_last_seen",
            Contacts::Table,
            vec![
                Contacts::OrgId.into_iden(),
                Contacts::LeadStatus.into_iden(),
                Contacts::LastSeenAt.into_iden(),
                Contacts::Id.into_iden(),
            ],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("contacts_status_last_seen")
                .table(Contacts::Table)
                .to_owned(),
        )
        .await
    }
}
