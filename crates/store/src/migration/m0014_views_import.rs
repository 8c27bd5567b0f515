//! Saved views, CSV imports and bulk operations of the CRM (issue 11, items 3-5).
//!
//! `saved_views` keep a filter document with its name, search text and sort, private to their
//! creator unless shared. `lead_imports` keep the uploaded file itself (so a job resumes
//! after a restart at `processed_rows`, and the error report repeats each row's own cells),
//! the detected columns, the confirmed mapping and the running counts; `lead_import_rows`
//! hold one line per rejected or skipped row. At most one import per organisation is queued
//! or running, held by a partial unique index. `lead_bulk_ops` track the large bulk
//! operations that run as a job.

use super::m0001_accounts::{at, at_null, id, text, text_null, uuid};
use super::m0002_channel::{flag, index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_views_import"
    }
}

#[derive(DeriveIden)]
enum SavedViews {
    Table,
    Id,
    OrgId,
    Name,
    Filter,
    Q,
    Sort,
    Shared,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LeadImports {
    Table,
    Id,
    OrgId,
    Status,
    Mode,
    FileName,
    Content,
    Columns,
    Mapping,
    TotalRows,
    ProcessedRows,
    Created,
    Updated,
    Skipped,
    Errors,
    Error,
    JobId,
    CreatedBy,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum LeadImportRows {
    Table,
    ImportId,
    Line,
    OrgId,
    Status,
    Reason,
    Field,
    Message,
}

#[derive(DeriveIden)]
enum LeadBulkOps {
    Table,
    Id,
    OrgId,
    Action,
    Request,
    Status,
    Matched,
    Processed,
    Affected,
    Error,
    CreatedBy,
    CreatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SavedViews::Table)
                .col(id(SavedViews::Id))
                .col(uuid(SavedViews::OrgId))
                .col(text(SavedViews::Name))
                .col(json(SavedViews::Filter))
                .col(text_null(SavedViews::Q))
                .col(text_null(SavedViews::Sort))
                .col(flag(SavedViews::Shared))
                .col(uuid(SavedViews::CreatedBy))
                .col(at(SavedViews::CreatedAt))
                .col(at(SavedViews::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "saved_views_org",
            SavedViews::Table,
            vec![SavedViews::OrgId.into_iden(), SavedViews::Id.into_iden()],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LeadImports::Table)
                .col(id(LeadImports::Id))
                .col(uuid(LeadImports::OrgId))
                .col(text(LeadImports::Status))
                .col(text_null(LeadImports::Mode))
                .col(text_null(LeadImports::FileName))
                .col(text(LeadImports::Content))
                .col(json(LeadImports::Columns))
                .col(json(LeadImports::Mapping))
                .col(int(LeadImports::TotalRows))
                .col(int(LeadImports::ProcessedRows))
                .col(int(LeadImports::Created))
                .col(int(LeadImports::Updated))
                .col(int(LeadImports::Skipped))
                .col(int(LeadImports::Errors))
                .col(text_null(LeadImports::Error))
                .col(ColumnDef::new(LeadImports::JobId).uuid().null())
                .col(ColumnDef::new(LeadImports::CreatedBy).uuid().null())
                .col(at(LeadImports::CreatedAt))
                .col(at_null(LeadImports::StartedAt))
                .col(at_null(LeadImports::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "lead_imports_org",
            LeadImports::Table,
            vec![LeadImports::OrgId.into_iden(), LeadImports::Id.into_iden()],
            false,
        ))
        .await?;
        // One import at a time per organisation, held by the database itself.
        m.create_index(
            index(
                "lead_imports_one_active",
                LeadImports::Table,
                vec![LeadImports::OrgId.into_iden()],
                true,
            )
            .and_where(Expr::col(LeadImports::Status).is_in(["queued", "running"]))
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LeadImportRows::Table)
                .col(uuid(LeadImportRows::ImportId))
                .col(int(LeadImportRows::Line))
                .col(uuid(LeadImportRows::OrgId))
                .col(text(LeadImportRows::Status))
                .col(text(LeadImportRows::Reason))
                .col(text_null(LeadImportRows::Field))
                .col(text_null(LeadImportRows::Message))
                .primary_key(
                    Index::create()
                        .col(LeadImportRows::ImportId)
                        .col(LeadImportRows::Line),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LeadBulkOps::Table)
                .col(id(LeadBulkOps::Id))
                .col(uuid(LeadBulkOps::OrgId))
                .col(text(LeadBulkOps::Action))
                .col(json(LeadBulkOps::Request))
                .col(text(LeadBulkOps::Status))
                .col(int(LeadBulkOps::Matched))
                .col(int(LeadBulkOps::Processed))
                .col(int(LeadBulkOps::Affected))
                .col(text_null(LeadBulkOps::Error))
                .col(ColumnDef::new(LeadBulkOps::CreatedBy).uuid().null())
                .col(at(LeadBulkOps::CreatedAt))
                .col(at_null(LeadBulkOps::FinishedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            LeadBulkOps::Table.into_iden(),
            LeadImportRows::Table.into_iden(),
            LeadImports::Table.into_iden(),
            SavedViews::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
