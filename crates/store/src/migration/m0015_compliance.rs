//! Compliance (issue 11, item 7): the opt-out list and the suppression list in one table, and
//! when a lead's personal data was erased.
//!
//! `opt_outs` holds one row per person who may not be messaged: how (`source`), when, by whom,
//! why, the lead message that said stop, and keyed hashes of the phone (E.164) and WhatsApp id
//! — never the number itself — so the row outlives the lead's deletion or erasure and a later
//! message or import from the same number comes back opted out. `contact_id` follows the
//! newest lead of that person. Opting in deletes the row (the lead's timeline keeps the story).

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_compliance"
    }
}

#[derive(DeriveIden)]
enum OptOuts {
    Table,
    Id,
    OrgId,
    ContactId,
    PhoneHash,
    BsuidHash,
    Source,
    Reason,
    ByUserId,
    MessageId,
    At,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    ErasedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OptOuts::Table)
                .col(id(OptOuts::Id))
                .col(uuid(OptOuts::OrgId))
                .col(ColumnDef::new(OptOuts::ContactId).uuid().null())
                .col(text_null(OptOuts::PhoneHash))
                .col(text_null(OptOuts::BsuidHash))
                .col(text(OptOuts::Source))
                .col(text_null(OptOuts::Reason))
                .col(ColumnDef::new(OptOuts::ByUserId).uuid().null())
                .col(ColumnDef::new(OptOuts::MessageId).uuid().null())
                .col(at(OptOuts::At))
                .foreign_key(&mut org_fk(OptOuts::Table))
                .to_owned(),
        )
        .await?;
        // The suppression check of a new lead: one probe of one of these (NULLs never collide).
        for (name, col) in [
            ("opt_outs_phone", OptOuts::PhoneHash),
            ("opt_outs_bsuid", OptOuts::BsuidHash),
        ] {
            m.create_index(index(
                name,
                OptOuts::Table,
                vec![OptOuts::OrgId.into_iden(), col.into_iden()],
                true,
            ))
            .await?;
        }
        m.create_index(index(
            "opt_outs_contact",
            OptOuts::Table,
            vec![OptOuts::OrgId.into_iden(), OptOuts::ContactId.into_iden()],
            false,
        ))
        .await?;
        // The list, newest first, paged by (at, id).
        m.create_index(index(
            "opt_outs_list",
            OptOuts::Table,
            vec![
                OptOuts::OrgId.into_iden(),
                OptOuts::At.into_iden(),
                OptOuts::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(at_null(Contacts::ErasedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .drop_column(Contacts::ErasedAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(OptOuts::Table).to_owned())
            .await
    }
}
