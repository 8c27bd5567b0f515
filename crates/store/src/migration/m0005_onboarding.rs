//! The onboarding questionnaire's answers: one row per organisation, saved as the wizard goes,
//! and when they last became the agent's documents.

use super::m0001_accounts::{at, at_null, id};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_onboarding"
    }
}

#[derive(DeriveIden)]
enum OnboardingAnswers {
    Table,
    OrgId,
    Answers,
    UpdatedBy,
    UpdatedAt,
    GeneratedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OnboardingAnswers::Table)
                .col(id(OnboardingAnswers::OrgId))
                .col(ColumnDef::new(OnboardingAnswers::Answers).json().not_null())
                .col(ColumnDef::new(OnboardingAnswers::UpdatedBy).uuid().null())
                .col(at(OnboardingAnswers::UpdatedAt))
                .col(at_null(OnboardingAnswers::GeneratedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OnboardingAnswers::Table).to_owned())
            .await
    }
}
