//! The WhatsApp channel: connected numbers, contacts (leads), conversations, messages and the
//! jobs queue.

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_channel"
    }
}

#[derive(DeriveIden)]
enum WhatsappAccounts {
    Table,
    Id,
    OrgId,
    PhoneNumberId,
    WabaId,
    DisplayPhoneNumber,
    AccessToken,
    AppSecret,
    VerifyToken,
    Status,
    QualityRating,
    MessagingLimit,
    LastWebhookAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    OrgId,
    Phone,
    WaUserId,
    Name,
    ProfileName,
    Email,
    City,
    Language,
    LeadStatus,
    Score,
    Tags,
    Notes,
    CustomFields,
    LeadSource,
    Campaign,
    OptedOut,
    FirstSeenAt,
    LastSeenAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    OrgId,
    ContactId,
    Channel,
    Mode,
    Stage,
    NeedsHuman,
    Priority,
    AssignedUserId,
    UnreadCount,
    WindowOpenUntil,
    LastMessageAt,
    LastMessageText,
    LastMessageDirection,
    LastMessageAuthor,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    OrgId,
    ConversationId,
    Direction,
    Author,
    Kind,
    Text,
    Media,
    ProviderMessageId,
    ReplyTo,
    Status,
    ErrorCode,
    ErrorTitle,
    SentBy,
    EditedAt,
    DeletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    OrgId,
    Kind,
    ConversationId,
    Payload,
    Status,
    RunAt,
    Attempts,
    MaxAttempts,
    LeaseUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}

pub(super) fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}
pub(super) fn json(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).json().null().to_owned()
}
pub(super) fn flag(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}

pub(super) fn index(
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

macro_rules! cols {
    ($($c:expr),+) => { vec![$($c.into_iden()),+] };
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WhatsappAccounts::Table)
                .col(id(WhatsappAccounts::Id))
                .col(uuid(WhatsappAccounts::OrgId))
                .col(text(WhatsappAccounts::PhoneNumberId))
                .col(text(WhatsappAccounts::WabaId))
                .col(text_null(WhatsappAccounts::DisplayPhoneNumber))
                .col(text(WhatsappAccounts::AccessToken))
                .col(text(WhatsappAccounts::AppSecret))
                .col(text(WhatsappAccounts::VerifyToken))
                .col(text(WhatsappAccounts::Status))
                .col(text_null(WhatsappAccounts::QualityRating))
                .col(text_null(WhatsappAccounts::MessagingLimit))
                .col(at_null(WhatsappAccounts::LastWebhookAt))
                .col(at(WhatsappAccounts::CreatedAt))
                .col(at(WhatsappAccounts::UpdatedAt))
                .foreign_key(&mut org_fk(WhatsappAccounts::Table))
                .to_owned(),
        )
        .await?;
        // A number belongs to one organisation; one number per organisation for now.
        m.create_index(index(
            "ux_whatsapp_accounts_phone_number_id",
            WhatsappAccounts::Table,
            cols!(WhatsappAccounts::PhoneNumberId),
            true,
        ))
        .await?;
        m.create_index(index(
            "ux_whatsapp_accounts_org_id",
            WhatsappAccounts::Table,
            cols!(WhatsappAccounts::OrgId),
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_whatsapp_accounts_verify_token",
            WhatsappAccounts::Table,
            cols!(WhatsappAccounts::VerifyToken),
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(id(Contacts::Id))
                .col(uuid(Contacts::OrgId))
                .col(text_null(Contacts::Phone))
                .col(text_null(Contacts::WaUserId))
                .col(text_null(Contacts::Name))
                .col(text_null(Contacts::ProfileName))
                .col(text_null(Contacts::Email))
                .col(text_null(Contacts::City))
                .col(text_null(Contacts::Language))
                .col(text(Contacts::LeadStatus))
                .col(int(Contacts::Score))
                .col(json(Contacts::Tags))
                .col(text_null(Contacts::Notes))
                .col(json(Contacts::CustomFields))
                .col(text(Contacts::LeadSource))
                .col(json(Contacts::Campaign))
                .col(flag(Contacts::OptedOut))
                .col(at(Contacts::FirstSeenAt))
                .col(at(Contacts::LastSeenAt))
                .col(at(Contacts::CreatedAt))
                .col(at(Contacts::UpdatedAt))
                .foreign_key(&mut org_fk(Contacts::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_contacts_org_id_id",
            Contacts::Table,
            cols!(Contacts::OrgId, Contacts::Id),
            true,
        ))
        .await?;
        m.create_index(index(
            "ux_contacts_org_id_phone",
            Contacts::Table,
            cols!(Contacts::OrgId, Contacts::Phone),
            true,
        ))
        .await?;
        m.create_index(index(
            "ux_contacts_org_id_wa_user_id",
            Contacts::Table,
            cols!(Contacts::OrgId, Contacts::WaUserId),
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Conversations::Table)
                .col(id(Conversations::Id))
                .col(uuid(Conversations::OrgId))
                .col(uuid(Conversations::ContactId))
                .col(text(Conversations::Channel))
                .col(text(Conversations::Mode))
                .col(text(Conversations::Stage))
                .col(flag(Conversations::NeedsHuman))
                .col(text_null(Conversations::Priority))
                .col(ColumnDef::new(Conversations::AssignedUserId).uuid().null())
                .col(int(Conversations::UnreadCount))
                .col(at_null(Conversations::WindowOpenUntil))
                .col(at_null(Conversations::LastMessageAt))
                .col(text_null(Conversations::LastMessageText))
                .col(text_null(Conversations::LastMessageDirection))
                .col(text_null(Conversations::LastMessageAuthor))
                .col(at(Conversations::CreatedAt))
                .col(at(Conversations::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            Conversations::Table,
                            (Conversations::OrgId, Conversations::ContactId),
                        )
                        .to(Contacts::Table, (Contacts::OrgId, Contacts::Id))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_conversations_org_id_id",
            Conversations::Table,
            cols!(Conversations::OrgId, Conversations::Id),
            true,
        ))
        .await?;
        m.create_index(index(
            "ux_conversations_org_contact_channel",
            Conversations::Table,
            cols!(
                Conversations::OrgId,
                Conversations::ContactId,
                Conversations::Channel
            ),
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_conversations_org_id_updated_at",
            Conversations::Table,
            cols!(Conversations::OrgId, Conversations::UpdatedAt),
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Messages::Table)
                .col(id(Messages::Id))
                .col(uuid(Messages::OrgId))
                .col(uuid(Messages::ConversationId))
                .col(text(Messages::Direction))
                .col(text(Messages::Author))
                .col(text(Messages::Kind))
                .col(text_null(Messages::Text))
                .col(json(Messages::Media))
                .col(text_null(Messages::ProviderMessageId))
                .col(text_null(Messages::ReplyTo))
                .col(text(Messages::Status))
                .col(ColumnDef::new(Messages::ErrorCode).big_integer().null())
                .col(text_null(Messages::ErrorTitle))
                .col(ColumnDef::new(Messages::SentBy).uuid().null())
                .col(at_null(Messages::EditedAt))
                .col(at_null(Messages::DeletedAt))
                .col(at(Messages::CreatedAt))
                .col(at(Messages::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Messages::Table, (Messages::OrgId, Messages::ConversationId))
                        .to(
                            Conversations::Table,
                            (Conversations::OrgId, Conversations::Id),
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A duplicate webhook inserts nothing: Meta's id is unique per organisation.
        m.create_index(index(
            "ux_messages_org_id_provider_message_id",
            Messages::Table,
            cols!(Messages::OrgId, Messages::ProviderMessageId),
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_messages_org_conversation_id",
            Messages::Table,
            cols!(Messages::OrgId, Messages::ConversationId, Messages::Id),
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(id(Jobs::Id))
                .col(uuid(Jobs::OrgId))
                .col(text(Jobs::Kind))
                .col(ColumnDef::new(Jobs::ConversationId).uuid().null())
                .col(json(Jobs::Payload))
                .col(text(Jobs::Status))
                .col(at(Jobs::RunAt))
                .col(int(Jobs::Attempts))
                .col(int(Jobs::MaxAttempts))
                .col(at_null(Jobs::LeaseUntil))
                .col(text_null(Jobs::LastError))
                .col(at(Jobs::CreatedAt))
                .col(at(Jobs::UpdatedAt))
                .foreign_key(&mut org_fk(Jobs::Table))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_jobs_status_run_at",
            Jobs::Table,
            cols!(Jobs::Status, Jobs::RunAt),
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_jobs_org_conversation",
            Jobs::Table,
            cols!(Jobs::OrgId, Jobs::ConversationId, Jobs::Status),
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Jobs::Table.into_iden(),
            Messages::Table.into_iden(),
            Conversations::Table.into_iden(),
            Contacts::Table.into_iden(),
            WhatsappAccounts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
