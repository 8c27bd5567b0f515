//! The organisation's currency: what deal values and the board's column sums are counted in.
//! Null = the currency of the organisation's country.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_org_currency"
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Currency,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Orgs::Table)
                .add_column(ColumnDef::new(Orgs::Currency).string_len(3).null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Orgs::Table)
                .drop_column(Orgs::Currency)
                .to_owned(),
        )
        .await
    }
}
