//! Agent tests (issue 10 item 7): the owner's scripted cases (`agent_tests`: the lead's turns
//! and the expectations, as JSON) and each run of them (`agent_test_runs`: which cases, the
//! draft profile when one was given, the per-case results and what the run cost).

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::{index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0028_agent_tests"
    }
}

#[derive(DeriveIden)]
enum AgentTests {
    Table,
    Id,
    OrgId,
    Name,
    Turns,
    Expect,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgentTestRuns {
    Table,
    Id,
    OrgId,
    Status,
    TestIds,
    Profile,
    Passed,
    Failed,
    Results,
    CostUsd,
    Error,
    CreatedBy,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AgentTests::Table)
                .col(id(AgentTests::Id))
                .col(uuid(AgentTests::OrgId))
                .col(text(AgentTests::Name))
                .col(ColumnDef::new(AgentTests::Turns).json().not_null())
                .col(ColumnDef::new(AgentTests::Expect).json().not_null())
                .col(at(AgentTests::CreatedAt))
                .col(at(AgentTests::UpdatedAt))
                .foreign_key(&mut org_fk(AgentTests::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "agent_tests_org",
            AgentTests::Table,
            vec![
                AgentTests::OrgId.into_iden(),
                AgentTests::CreatedAt.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(AgentTestRuns::Table)
                .col(id(AgentTestRuns::Id))
                .col(uuid(AgentTestRuns::OrgId))
                .col(text(AgentTestRuns::Status))
                .col(json(AgentTestRuns::TestIds))
                .col(json(AgentTestRuns::Profile))
                .col(int(AgentTestRuns::Passed))
                .col(int(AgentTestRuns::Failed))
                .col(json(AgentTestRuns::Results))
                .col(
                    ColumnDef::new(AgentTestRuns::CostUsd)
                        .double()
                        .not_null()
                        .default(0.0),
                )
                .col(text_null(AgentTestRuns::Error))
                .col(ColumnDef::new(AgentTestRuns::CreatedBy).uuid().null())
                .col(at(AgentTestRuns::StartedAt))
                .col(at_null(AgentTestRuns::FinishedAt))
                .foreign_key(&mut org_fk(AgentTestRuns::Table))
                .to_owned(),
        )
        .await?;
        // Runs newest first, per organisation.
        m.create_index(index(
            "agent_test_runs_org",
            AgentTestRuns::Table,
            vec![
                AgentTestRuns::OrgId.into_iden(),
                AgentTestRuns::StartedAt.into_iden(),
            ],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AgentTestRuns::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AgentTests::Table).to_owned())
            .await
    }
}
