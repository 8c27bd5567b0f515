//! Analytics (issue 15): rollups per (organisation, metric, day in the organisation's
//! timezone, dimension) added to as things happen, so a report reads a few hundred rows
//! instead of scanning messages; and the few facts the rollups are derived from that no
//! other table keeps in one place — where each lead came from, when each conversation started
//! and was first answered, and each click-to-WhatsApp ad's headline.

use super::m0001_accounts::{at, at_null, org_fk, text, uuid};
use super::m0002_channel::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0023_analytics"
    }
}

#[derive(DeriveIden)]
enum AnalyticsRollups {
    Table,
    OrgId,
    Metric,
    Day,
    Dim,
    Value,
}

#[derive(DeriveIden)]
enum AnalyticsLeads {
    Table,
    OrgId,
    ContactId,
    Source,
    FirstAt,
}

#[derive(DeriveIden)]
enum AnalyticsConversations {
    Table,
    OrgId,
    ConversationId,
    ContactId,
    Source,
    StartedAt,
    FirstReplyAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    OrgId,
    NeedsHuman,
}

#[derive(DeriveIden)]
enum AnalyticsCampaigns {
    Table,
    OrgId,
    CampaignId,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AnalyticsRollups::Table)
                .col(uuid(AnalyticsRollups::OrgId))
                .col(text(AnalyticsRollups::Metric))
                .col(ColumnDef::new(AnalyticsRollups::Day).date().not_null())
                .col(text(AnalyticsRollups::Dim))
                .col(
                    ColumnDef::new(AnalyticsRollups::Value)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                // A report reads one organisation's metric over a range of days.
                .primary_key(
                    Index::create()
                        .col(AnalyticsRollups::OrgId)
                        .col(AnalyticsRollups::Metric)
                        .col(AnalyticsRollups::Day)
                        .col(AnalyticsRollups::Dim),
                )
                .foreign_key(&mut org_fk(AnalyticsRollups::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AnalyticsLeads::Table)
                .col(uuid(AnalyticsLeads::OrgId))
                .col(uuid(AnalyticsLeads::ContactId))
                .col(text(AnalyticsLeads::Source))
                .col(at(AnalyticsLeads::FirstAt))
                .primary_key(
                    Index::create()
                        .col(AnalyticsLeads::OrgId)
                        .col(AnalyticsLeads::ContactId),
                )
                .foreign_key(&mut org_fk(AnalyticsLeads::Table))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AnalyticsConversations::Table)
                .col(uuid(AnalyticsConversations::OrgId))
                .col(uuid(AnalyticsConversations::ConversationId))
                .col(uuid(AnalyticsConversations::ContactId))
                .col(text(AnalyticsConversations::Source))
                .col(at(AnalyticsConversations::StartedAt))
                .col(at_null(AnalyticsConversations::FirstReplyAt))
                .primary_key(
                    Index::create()
                        .col(AnalyticsConversations::OrgId)
                        .col(AnalyticsConversations::ConversationId),
                )
                .foreign_key(&mut org_fk(AnalyticsConversations::Table))
                .to_owned(),
        )
        .await?;
        // A lead's conversations, when its source is needed from the lead.
        m.create_index(index(
            "analytics_conversations_contact",
            AnalyticsConversations::Table,
            vec![
                AnalyticsConversations::OrgId.into_iden(),
                AnalyticsConversations::ContactId.into_iden(),
            ],
            false,
        ))
        .await?;
        // The dashboard's queue of conversations waiting for a person, counted without a scan.
        m.create_index(index(
            "conversations_needs_human",
            Conversations::Table,
            vec![
                Conversations::OrgId.into_iden(),
                Conversations::NeedsHuman.into_iden(),
            ],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(AnalyticsCampaigns::Table)
                .col(uuid(AnalyticsCampaigns::OrgId))
                .col(text(AnalyticsCampaigns::CampaignId))
                .col(text(AnalyticsCampaigns::Name))
                .primary_key(
                    Index::create()
                        .col(AnalyticsCampaigns::OrgId)
                        .col(AnalyticsCampaigns::CampaignId),
                )
                .foreign_key(&mut org_fk(AnalyticsCampaigns::Table))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("conversations_needs_human")
                .table(Conversations::Table)
                .to_owned(),
        )
        .await?;
        for table in [
            AnalyticsCampaigns::Table.into_iden(),
            AnalyticsConversations::Table.into_iden(),
            AnalyticsLeads::Table.into_iden(),
            AnalyticsRollups::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
