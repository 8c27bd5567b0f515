//! Organisations, their members, sessions, invites and the audit log.
//!
//! Every table but `orgs` carries `org_id`, and keys between org-owned tables include it, so
//! the schema can later be distributed by organisation. The three global unique keys (user
//! email, session and invite token hashes) are looked up before the organisation is known.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_accounts"
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    Name,
    Industry,
    Website,
    Timezone,
    City,
    SupportEmail,
    SupportPhone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    OrgId,
    Name,
    Email,
    PasswordHash,
    Role,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    OrgId,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    Id,
    OrgId,
    TokenHash,
    Role,
    Email,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    UsedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLogs {
    Table,
    Id,
    OrgId,
    ActorId,
    ActorName,
    ActorEmail,
    Action,
    Target,
    Details,
    At,
}

pub(super) fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

pub(super) fn uuid<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().to_owned()
}

pub(super) fn text<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().not_null().to_owned()
}

pub(super) fn text_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().null().to_owned()
}

pub(super) fn at<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub(super) fn at_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// `table.org_id` references the organisation and goes with it.
pub(super) fn org_fk<T: IntoIden + 'static>(table: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, Users::OrgId)
        .to(Orgs::Table, Orgs::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Orgs::Table)
                .col(id(Orgs::Id))
                .col(text(Orgs::Name))
                .col(text_null(Orgs::Industry))
                .col(text_null(Orgs::Website))
                .col(text_null(Orgs::Timezone))
                .col(text_null(Orgs::City))
                .col(text_null(Orgs::SupportEmail))
                .col(text_null(Orgs::SupportPhone))
                .col(at(Orgs::CreatedAt))
                .col(at(Orgs::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(id(Users::Id))
                .col(uuid(Users::OrgId))
                .col(text(Users::Name))
                .col(text(Users::Email).unique_key())
                .col(text(Users::PasswordHash))
                .col(text(Users::Role))
                .col(ColumnDef::new(Users::Active).boolean().not_null())
                .col(at(Users::CreatedAt))
                .col(at(Users::UpdatedAt))
                .foreign_key(&mut org_fk(Users::Table))
                .to_owned(),
        )
        .await?;
        // The composite key other org-owned tables point at.
        m.create_index(
            Index::create()
                .name("ux_users_org_id_id")
                .table(Users::Table)
                .col(Users::OrgId)
                .col(Users::Id)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(id(Sessions::Id))
                .col(uuid(Sessions::OrgId))
                .col(uuid(Sessions::UserId))
                .col(text(Sessions::TokenHash).unique_key())
                .col(at(Sessions::CreatedAt))
                .col(at(Sessions::ExpiresAt))
                .col(at_null(Sessions::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, (Sessions::OrgId, Sessions::UserId))
                        .to(Users::Table, (Users::OrgId, Users::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_org_id_user_id")
                .table(Sessions::Table)
                .col(Sessions::OrgId)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invites::Table)
                .col(id(Invites::Id))
                .col(uuid(Invites::OrgId))
                .col(text(Invites::TokenHash).unique_key())
                .col(text(Invites::Role))
                .col(text_null(Invites::Email))
                .col(ColumnDef::new(Invites::CreatedBy).uuid().null())
                .col(at(Invites::CreatedAt))
                .col(at(Invites::ExpiresAt))
                .col(at_null(Invites::UsedAt))
                .col(ColumnDef::new(Invites::UsedBy).uuid().null())
                .col(at_null(Invites::RevokedAt))
                .foreign_key(&mut org_fk(Invites::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_invites_org_id_id")
                .table(Invites::Table)
                .col(Invites::OrgId)
                .col(Invites::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLogs::Table)
                .col(id(AuditLogs::Id))
                .col(uuid(AuditLogs::OrgId))
                .col(ColumnDef::new(AuditLogs::ActorId).uuid().null())
                .col(text_null(AuditLogs::ActorName))
                .col(text_null(AuditLogs::ActorEmail))
                .col(text(AuditLogs::Action))
                .col(text(AuditLogs::Target))
                .col(ColumnDef::new(AuditLogs::Details).json().not_null())
                .col(at(AuditLogs::At))
                .foreign_key(&mut org_fk(AuditLogs::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_logs_org_id_id")
                .table(AuditLogs::Table)
                .col(AuditLogs::OrgId)
                .col(AuditLogs::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLogs::Table.into_iden(),
            Invites::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            Orgs::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
