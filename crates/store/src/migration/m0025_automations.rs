//! Automations (issue 13 item 4): the rules (event, conditions, ordered actions, delay), each
//! firing of a rule (a run: which conditions matched, what each action did, when a delayed one
//! falls due), and the organisation's per-conversation cap. A run is unique per rule and
//! triggering event, so a retried event job never runs a rule twice.

use super::m0001_accounts::{at, at_null, id, org_fk, text, text_null, uuid};
use super::m0002_channel::{flag, index, int, json};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0025_automations"
    }
}

#[derive(DeriveIden)]
enum Automations {
    Table,
    Id,
    OrgId,
    Name,
    Enabled,
    Event,
    EventParams,
    Conditions,
    Actions,
    DelaySeconds,
    CancelOn,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AutomationRuns {
    Table,
    Id,
    OrgId,
    RuleId,
    Event,
    TriggerId,
    ConversationId,
    LeadId,
    Status,
    Reason,
    Conditions,
    Actions,
    EventAt,
    DueAt,
    ExecutedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AutomationSettings {
    Table,
    OrgId,
    MaxRunsPerConversationPerHour,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Automations::Table)
                .col(id(Automations::Id))
                .col(uuid(Automations::OrgId))
                .col(text(Automations::Name))
                .col(flag(Automations::Enabled))
                .col(text(Automations::Event))
                .col(json(Automations::EventParams))
                .col(json(Automations::Conditions))
                .col(json(Automations::Actions))
                .col(int(Automations::DelaySeconds))
                .col(text(Automations::CancelOn))
                .col(ColumnDef::new(Automations::CreatedBy).uuid().null())
                .col(at(Automations::CreatedAt))
                .col(at(Automations::UpdatedAt))
                .foreign_key(&mut org_fk(Automations::Table))
                .to_owned(),
        )
        .await?;
        // The events an organisation's enabled rules react to, looked up as events happen.
        m.create_index(index(
            "automations_org_event",
            Automations::Table,
            vec![
                Automations::OrgId.into_iden(),
                Automations::Event.into_iden(),
                Automations::Enabled.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AutomationRuns::Table)
                .col(id(AutomationRuns::Id))
                .col(uuid(AutomationRuns::OrgId))
                .col(uuid(AutomationRuns::RuleId))
                .col(text(AutomationRuns::Event))
                .col(uuid(AutomationRuns::TriggerId))
                .col(ColumnDef::new(AutomationRuns::ConversationId).uuid().null())
                .col(ColumnDef::new(AutomationRuns::LeadId).uuid().null())
                .col(text(AutomationRuns::Status))
                .col(text_null(AutomationRuns::Reason))
                .col(json(AutomationRuns::Conditions))
                .col(json(AutomationRuns::Actions))
                .col(at(AutomationRuns::EventAt))
                .col(at_null(AutomationRuns::DueAt))
                .col(at_null(AutomationRuns::ExecutedAt))
                .col(at(AutomationRuns::CreatedAt))
                .col(at(AutomationRuns::UpdatedAt))
                .foreign_key(&mut org_fk(AutomationRuns::Table))
                .to_owned(),
        )
        .await?;
        // One run per rule and triggering event: a retried job finds it and does nothing.
        m.create_index(index(
            "automation_runs_trigger",
            AutomationRuns::Table,
            vec![
                AutomationRuns::RuleId.into_iden(),
                AutomationRuns::TriggerId.into_iden(),
            ],
            true,
        ))
        .await?;
        // A rule's run log, newest first.
        m.create_index(index(
            "automation_runs_rule",
            AutomationRuns::Table,
            vec![
                AutomationRuns::OrgId.into_iden(),
                AutomationRuns::RuleId.into_iden(),
                AutomationRuns::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        // The per-conversation cap counts a conversation's runs of the last hour.
        m.create_index(index(
            "automation_runs_conversation",
            AutomationRuns::Table,
            vec![
                AutomationRuns::OrgId.into_iden(),
                AutomationRuns::ConversationId.into_iden(),
                AutomationRuns::ExecutedAt.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(AutomationSettings::Table)
                .col(
                    ColumnDef::new(AutomationSettings::OrgId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AutomationSettings::MaxRunsPerConversationPerHour)
                        .integer()
                        .not_null(),
                )
                .col(at(AutomationSettings::UpdatedAt))
                .foreign_key(&mut org_fk(AutomationSettings::Table))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AutomationSettings::Table.into_iden(),
            AutomationRuns::Table.into_iden(),
            Automations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
