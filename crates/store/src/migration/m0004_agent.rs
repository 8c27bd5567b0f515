//! The agent: its versioned configuration, CTAs, knowledge, LLM settings, each
//! conversation's memory, the decision log, the action center's items and booked meetings.

use super::m0001_accounts::{at, at_null, id, text, text_null, uuid};
use super::m0002_channel::{flag, index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_agent"
    }
}

#[derive(DeriveIden)]
enum AgentProfiles {
    Table,
    Id,
    OrgId,
    Version,
    Mode,
    BusinessConfig,
    SalesRules,
    ToneProfile,
    Guardrails,
    ScriptLibrary,
    Changed,
    RolledBackFrom,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Ctas {
    Table,
    Id,
    OrgId,
    Kind,
    Name,
    Link,
    Phone,
    Enabled,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnowledgeDocs {
    Table,
    Id,
    OrgId,
    Kind,
    Title,
    Content,
    SourceUrl,
    LastVerifiedAt,
    Stale,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LlmSettings {
    Table,
    OrgId,
    Provider,
    BaseUrl,
    Model,
    ApiKey,
    TimeoutMs,
    InputUsdPerMtok,
    OutputUsdPerMtok,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConversationStates {
    Table,
    OrgId,
    ConversationId,
    State,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    OrgId,
    ConversationId,
    Trigger,
    Engine,
    ShouldSend,
    MessageType,
    ReasonCode,
    CtaType,
    MessageText,
    Confidence,
    RetrievalUsed,
    InputTokens,
    OutputTokens,
    CostUsd,
    PromptTokens,
    Guardrails,
    HandoffRequired,
    HandoffPriority,
    Handoff,
    StateAfter,
    MessageId,
    Error,
    LatencyMs,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Actions {
    Table,
    Id,
    OrgId,
    ConversationId,
    Kind,
    CtaType,
    Priority,
    Title,
    Details,
    Status,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum CalendarEvents {
    Table,
    Id,
    OrgId,
    ConversationId,
    ContactId,
    Title,
    StartAt,
    EndAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Intent,
}

fn real(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .double()
        .not_null()
        .default(0.0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AgentProfiles::Table)
                .col(id(AgentProfiles::Id))
                .col(uuid(AgentProfiles::OrgId))
                .col(int(AgentProfiles::Version))
                .col(text(AgentProfiles::Mode))
                .col(json(AgentProfiles::BusinessConfig))
                .col(json(AgentProfiles::SalesRules))
                .col(json(AgentProfiles::ToneProfile))
                .col(json(AgentProfiles::Guardrails))
                .col(json(AgentProfiles::ScriptLibrary))
                .col(json(AgentProfiles::Changed))
                .col(
                    ColumnDef::new(AgentProfiles::RolledBackFrom)
                        .integer()
                        .null(),
                )
                .col(ColumnDef::new(AgentProfiles::CreatedBy).uuid().null())
                .col(at(AgentProfiles::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "agent_profiles_org_version",
            AgentProfiles::Table,
            vec![
                AgentProfiles::OrgId.into_iden(),
                AgentProfiles::Version.into_iden(),
            ],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Ctas::Table)
                .col(id(Ctas::Id))
                .col(uuid(Ctas::OrgId))
                .col(text(Ctas::Kind))
                .col(text(Ctas::Name))
                .col(text_null(Ctas::Link))
                .col(text_null(Ctas::Phone))
                .col(flag(Ctas::Enabled))
                .col(int(Ctas::Position))
                .col(at(Ctas::CreatedAt))
                .col(at(Ctas::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ctas_org_kind",
            Ctas::Table,
            vec![Ctas::OrgId.into_iden(), Ctas::Kind.into_iden()],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(KnowledgeDocs::Table)
                .col(id(KnowledgeDocs::Id))
                .col(uuid(KnowledgeDocs::OrgId))
                .col(text(KnowledgeDocs::Kind))
                .col(text(KnowledgeDocs::Title))
                .col(text(KnowledgeDocs::Content))
                .col(text_null(KnowledgeDocs::SourceUrl))
                .col(at_null(KnowledgeDocs::LastVerifiedAt))
                .col(flag(KnowledgeDocs::Stale))
                .col(at(KnowledgeDocs::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "knowledge_docs_org",
            KnowledgeDocs::Table,
            vec![
                KnowledgeDocs::OrgId.into_iden(),
                KnowledgeDocs::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LlmSettings::Table)
                .col(id(LlmSettings::OrgId))
                .col(text(LlmSettings::Provider))
                .col(text(LlmSettings::BaseUrl))
                .col(text(LlmSettings::Model))
                .col(text_null(LlmSettings::ApiKey))
                .col(int(LlmSettings::TimeoutMs))
                .col(real(LlmSettings::InputUsdPerMtok))
                .col(real(LlmSettings::OutputUsdPerMtok))
                .col(at(LlmSettings::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ConversationStates::Table)
                .col(uuid(ConversationStates::OrgId))
                .col(uuid(ConversationStates::ConversationId))
                .col(json(ConversationStates::State))
                .col(at(ConversationStates::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(ConversationStates::OrgId)
                        .col(ConversationStates::ConversationId),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Decisions::Table)
                .col(id(Decisions::Id))
                .col(uuid(Decisions::OrgId))
                .col(uuid(Decisions::ConversationId))
                .col(text(Decisions::Trigger))
                .col(text(Decisions::Engine))
                .col(flag(Decisions::ShouldSend))
                .col(text(Decisions::MessageType))
                .col(text(Decisions::ReasonCode))
                .col(text_null(Decisions::CtaType))
                .col(text_null(Decisions::MessageText))
                .col(real(Decisions::Confidence))
                .col(flag(Decisions::RetrievalUsed))
                .col(int(Decisions::InputTokens))
                .col(int(Decisions::OutputTokens))
                .col(real(Decisions::CostUsd))
                .col(int(Decisions::PromptTokens))
                .col(json(Decisions::Guardrails))
                .col(flag(Decisions::HandoffRequired))
                .col(text_null(Decisions::HandoffPriority))
                .col(json(Decisions::Handoff))
                .col(json(Decisions::StateAfter))
                .col(ColumnDef::new(Decisions::MessageId).uuid().null())
                .col(text_null(Decisions::Error))
                .col(int(Decisions::LatencyMs))
                .col(at(Decisions::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "decisions_org_conversation",
            Decisions::Table,
            vec![
                Decisions::OrgId.into_iden(),
                Decisions::ConversationId.into_iden(),
                Decisions::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Actions::Table)
                .col(id(Actions::Id))
                .col(uuid(Actions::OrgId))
                .col(uuid(Actions::ConversationId))
                .col(text(Actions::Kind))
                .col(text_null(Actions::CtaType))
                .col(text_null(Actions::Priority))
                .col(text(Actions::Title))
                .col(json(Actions::Details))
                .col(text(Actions::Status))
                .col(at(Actions::CreatedAt))
                .col(at_null(Actions::ResolvedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "actions_org_status",
            Actions::Table,
            vec![
                Actions::OrgId.into_iden(),
                Actions::Status.into_iden(),
                Actions::Id.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CalendarEvents::Table)
                .col(id(CalendarEvents::Id))
                .col(uuid(CalendarEvents::OrgId))
                .col(uuid(CalendarEvents::ConversationId))
                .col(uuid(CalendarEvents::ContactId))
                .col(text(CalendarEvents::Title))
                .col(at(CalendarEvents::StartAt))
                .col(at(CalendarEvents::EndAt))
                .col(at(CalendarEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "calendar_events_org_start",
            CalendarEvents::Table,
            vec![
                CalendarEvents::OrgId.into_iden(),
                CalendarEvents::StartAt.into_iden(),
            ],
            false,
        ))
        .await?;

        m.alter_table(
            Table::alter()
                .table(Conversations::Table)
                .add_column(text_null(Conversations::Intent))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AgentProfiles::Table.into_iden(),
            Ctas::Table.into_iden(),
            KnowledgeDocs::Table.into_iden(),
            LlmSettings::Table.into_iden(),
            ConversationStates::Table.into_iden(),
            Decisions::Table.into_iden(),
            Actions::Table.into_iden(),
            CalendarEvents::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
