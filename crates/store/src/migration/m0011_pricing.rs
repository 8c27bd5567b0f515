//! The price of every message: Meta's `pricing` as its status webhook said it, the cost the
//! organisation's rate card gave it then, and each organisation's rate card.

use super::m0001_accounts::at;
use super::m0002_channel::json;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_pricing"
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Pricing,
    CostAmount,
    CostCurrency,
}

#[derive(DeriveIden)]
enum RateCards {
    Table,
    OrgId,
    Card,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds one at a time.
        for col in [
            json(Messages::Pricing),
            ColumnDef::new(Messages::CostAmount)
                .double()
                .null()
                .to_owned(),
            ColumnDef::new(Messages::CostCurrency)
                .string()
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(RateCards::Table)
                .col(
                    ColumnDef::new(RateCards::OrgId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(json(RateCards::Card))
                .col(at(RateCards::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateCards::Table).to_owned())
            .await?;
        for col in [
            Messages::Pricing,
            Messages::CostAmount,
            Messages::CostCurrency,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
