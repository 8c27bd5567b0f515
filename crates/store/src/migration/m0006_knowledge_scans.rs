//! Website scans of the knowledge base: one row per scan, updated as its job crawls, so the
//! dashboard can show progress and the outcome (pages read, chunks stored, pages skipped and
//! why) after the fact.

use super::m0001_accounts::{at, at_null, id, text, text_null, uuid};
use super::m0002_channel::{index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_knowledge_scans"
    }
}

#[derive(DeriveIden)]
enum KnowledgeScans {
    Table,
    Id,
    OrgId,
    Url,
    Status,
    PagesFound,
    PagesDone,
    ChunksStored,
    Skipped,
    Error,
    JobId,
    CreatedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(KnowledgeScans::Table)
                .col(id(KnowledgeScans::Id))
                .col(uuid(KnowledgeScans::OrgId))
                .col(text(KnowledgeScans::Url))
                .col(text(KnowledgeScans::Status))
                .col(int(KnowledgeScans::PagesFound))
                .col(int(KnowledgeScans::PagesDone))
                .col(int(KnowledgeScans::ChunksStored))
                .col(json(KnowledgeScans::Skipped))
                .col(text_null(KnowledgeScans::Error))
                .col(ColumnDef::new(KnowledgeScans::JobId).uuid().null())
                .col(ColumnDef::new(KnowledgeScans::CreatedBy).uuid().null())
                .col(at(KnowledgeScans::CreatedAt))
                .col(at_null(KnowledgeScans::StartedAt))
                .col(at_null(KnowledgeScans::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "knowledge_scans_org",
            KnowledgeScans::Table,
            vec![
                KnowledgeScans::OrgId.into_iden(),
                KnowledgeScans::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        // One unfinished scan per organisation, held by the database itself: two clicks at
        // once (or two replicas) cannot both start one.
        m.create_index(
            index(
                "knowledge_scans_one_active",
                KnowledgeScans::Table,
                vec![KnowledgeScans::OrgId.into_iden()],
                true,
            )
            .and_where(Expr::col(KnowledgeScans::Status).is_in(["queued", "running"]))
            .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(KnowledgeScans::Table).to_owned())
            .await
    }
}
