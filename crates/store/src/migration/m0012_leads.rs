//! The CRM's first slice: leads (the `contacts` table gains the fields a person edits, its
//! owner and deal value), one tag space per organisation (`tags`, joined to leads by
//! `lead_tags` so a rename reaches every lead and a tag knows its count), notes with their
//! author (`lead_notes`), custom field definitions (`custom_fields`; the values stay in
//! `contacts.custom_fields`), and the organisation's `default_country` for reading phones.
//!
//! `contacts.tags` and `contacts.notes` (JSON/text from the first schema) were never written
//! by any path and are superseded by the tables here; they stay, unused, until a later
//! migration drops them.

use super::m0001_accounts::{at, id, text, text_null, uuid};
use super::m0002_channel::{index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_leads"
    }
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    OrgId,
    Business,
    Website,
    OwnerId,
    ValueMinor,
    PersonFields,
    LastSeenAt,
    CreatedAt,
    Id,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    DefaultCountry,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Id,
    OrgId,
    Name,
    NameFolded,
    Color,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LeadTags {
    Table,
    OrgId,
    ContactId,
    TagId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LeadNotes {
    Table,
    Id,
    OrgId,
    ContactId,
    Body,
    AuthorId,
    AuthorName,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CustomFields {
    Table,
    Id,
    OrgId,
    Key,
    Label,
    FieldType,
    Options,
    Currency,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for col in [
            text_null(Contacts::Business),
            text_null(Contacts::Website),
            ColumnDef::new(Contacts::OwnerId).uuid().null().to_owned(),
            ColumnDef::new(Contacts::ValueMinor)
                .big_integer()
                .null()
                .to_owned(),
            json(Contacts::PersonFields),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Orgs::Table)
                .add_column(text_null(Orgs::DefaultCountry))
                .to_owned(),
        )
        .await?;
        // The list's default and second sort orders, keyset-paged by id.
        m.create_index(index(
            "contacts_last_seen",
            Contacts::Table,
            vec![
                Contacts::OrgId.into_iden(),
                Contacts::LastSeenAt.into_iden(),
                Contacts::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_index(index(
            "contacts_created",
            Contacts::Table,
            vec![
                Contacts::OrgId.into_iden(),
                Contacts::CreatedAt.into_iden(),
                Contacts::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Tags::Table)
                .col(id(Tags::Id))
                .col(uuid(Tags::OrgId))
                .col(text(Tags::Name))
                .col(text(Tags::NameFolded))
                .col(text(Tags::Color))
                .col(at(Tags::CreatedAt))
                .col(at(Tags::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // Unique in any case: "VIP" and "vip" are one tag.
        m.create_index(index(
            "tags_name",
            Tags::Table,
            vec![Tags::OrgId.into_iden(), Tags::NameFolded.into_iden()],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LeadTags::Table)
                .col(uuid(LeadTags::OrgId))
                .col(uuid(LeadTags::ContactId))
                .col(uuid(LeadTags::TagId))
                .col(at(LeadTags::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(LeadTags::ContactId)
                        .col(LeadTags::TagId),
                )
                .to_owned(),
        )
        .await?;
        // The leads of a tag (filters, counts, rename/delete).
        m.create_index(index(
            "lead_tags_tag",
            LeadTags::Table,
            vec![
                LeadTags::OrgId.into_iden(),
                LeadTags::TagId.into_iden(),
                LeadTags::ContactId.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LeadNotes::Table)
                .col(id(LeadNotes::Id))
                .col(uuid(LeadNotes::OrgId))
                .col(uuid(LeadNotes::ContactId))
                .col(text(LeadNotes::Body))
                .col(ColumnDef::new(LeadNotes::AuthorId).uuid().null())
                .col(text_null(LeadNotes::AuthorName))
                .col(at(LeadNotes::CreatedAt))
                .col(at(LeadNotes::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "lead_notes_contact",
            LeadNotes::Table,
            vec![
                LeadNotes::OrgId.into_iden(),
                LeadNotes::ContactId.into_iden(),
                LeadNotes::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CustomFields::Table)
                .col(id(CustomFields::Id))
                .col(uuid(CustomFields::OrgId))
                .col(text(CustomFields::Key))
                .col(text(CustomFields::Label))
                .col(text(CustomFields::FieldType))
                .col(json(CustomFields::Options))
                .col(text_null(CustomFields::Currency))
                .col(int(CustomFields::Position))
                .col(at(CustomFields::CreatedAt))
                .col(at(CustomFields::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "custom_fields_key",
            CustomFields::Table,
            vec![
                CustomFields::OrgId.into_iden(),
                CustomFields::Key.into_iden(),
            ],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CustomFields::Table.into_iden(),
            LeadNotes::Table.into_iden(),
            LeadTags::Table.into_iden(),
            Tags::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for name in ["contacts_created", "contacts_last_seen"] {
            m.drop_index(Index::drop().name(name).table(Contacts::Table).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Orgs::Table)
                .drop_column(Orgs::DefaultCountry)
                .to_owned(),
        )
        .await?;
        for col in [
            Contacts::PersonFields,
            Contacts::ValueMinor,
            Contacts::OwnerId,
            Contacts::Website,
            Contacts::Business,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Contacts::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
