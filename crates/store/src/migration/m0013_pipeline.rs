//! The pipeline: an organisation's stages (`pipeline_stages`, unique names in any case), each
//! lead's place on the board (`pipeline_cards`: one row per lead — its stage, its rank in the
//! column, since when, and who put it there) and every move (`stage_history`, with stage names
//! copied so history outlives a deleted stage, and the seconds spent in the stage left, so
//! time in stage and conversion are one query for analytics).
//!
//! Organisations that exist get the default stages here, and their leads a card in the first
//! stage (newest on top); organisations created later get them at sign-up.

use super::m0001_accounts::{at, id, text, text_null, uuid};
use super::m0002_channel::{index, int, json};
use closer_domain::pipeline::{DEFAULT_STAGES, RANK_GAP, stage_folded};
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_pipeline"
    }
}

#[derive(DeriveIden)]
enum PipelineStages {
    Table,
    Id,
    OrgId,
    Name,
    NameFolded,
    Position,
    Kind,
    Color,
    ConversationStages,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PipelineCards {
    Table,
    ContactId,
    OrgId,
    StageId,
    Rank,
    EnteredAt,
    MovedBy,
    MovedAtConversationStage,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StageHistory {
    Table,
    Id,
    OrgId,
    ContactId,
    FromStageId,
    FromStageName,
    ToStageId,
    ToStageName,
    Actor,
    ActorId,
    Reason,
    EvidenceMessageId,
    SecondsInFromStage,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PipelineStages::Table)
                .col(id(PipelineStages::Id))
                .col(uuid(PipelineStages::OrgId))
                .col(text(PipelineStages::Name))
                .col(text(PipelineStages::NameFolded))
                .col(int(PipelineStages::Position))
                .col(text(PipelineStages::Kind))
                .col(text(PipelineStages::Color))
                .col(json(PipelineStages::ConversationStages))
                .col(at(PipelineStages::CreatedAt))
                .col(at(PipelineStages::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // Unique in any case; it also makes creating the defaults twice (two replicas at once)
        // insert them once.
        m.create_index(index(
            "pipeline_stages_name",
            PipelineStages::Table,
            vec![
                PipelineStages::OrgId.into_iden(),
                PipelineStages::NameFolded.into_iden(),
            ],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(PipelineCards::Table)
                .col(id(PipelineCards::ContactId))
                .col(uuid(PipelineCards::OrgId))
                .col(uuid(PipelineCards::StageId))
                .col(ColumnDef::new(PipelineCards::Rank).big_integer().not_null())
                .col(at(PipelineCards::EnteredAt))
                .col(text(PipelineCards::MovedBy))
                .col(text_null(PipelineCards::MovedAtConversationStage))
                .col(at(PipelineCards::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // A column in order: the board's cards, counts and sums.
        m.create_index(index(
            "pipeline_cards_column",
            PipelineCards::Table,
            vec![
                PipelineCards::OrgId.into_iden(),
                PipelineCards::StageId.into_iden(),
                PipelineCards::Rank.into_iden(),
                PipelineCards::ContactId.into_iden(),
            ],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(StageHistory::Table)
                .col(id(StageHistory::Id))
                .col(uuid(StageHistory::OrgId))
                .col(uuid(StageHistory::ContactId))
                .col(ColumnDef::new(StageHistory::FromStageId).uuid().null())
                .col(text_null(StageHistory::FromStageName))
                .col(uuid(StageHistory::ToStageId))
                .col(text(StageHistory::ToStageName))
                .col(text(StageHistory::Actor))
                .col(ColumnDef::new(StageHistory::ActorId).uuid().null())
                .col(text_null(StageHistory::Reason))
                .col(
                    ColumnDef::new(StageHistory::EvidenceMessageId)
                        .uuid()
                        .null(),
                )
                .col(
                    ColumnDef::new(StageHistory::SecondsInFromStage)
                        .big_integer()
                        .null(),
                )
                .col(at(StageHistory::At))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "stage_history_contact",
            StageHistory::Table,
            vec![
                StageHistory::OrgId.into_iden(),
                StageHistory::ContactId.into_iden(),
                StageHistory::Id.into_iden(),
            ],
            false,
        ))
        .await?;
        // Conversion between stages over a period.
        m.create_index(index(
            "stage_history_at",
            StageHistory::Table,
            vec![
                StageHistory::OrgId.into_iden(),
                StageHistory::At.into_iden(),
            ],
            false,
        ))
        .await?;

        backfill(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            StageHistory::Table.into_iden(),
            PipelineCards::Table.into_iden(),
            PipelineStages::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// The default stages for every organisation that exists, and a card in the first one for
/// each of its leads (newest on top).
async fn backfill(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = db.get_database_backend();
    let orgs = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id FROM orgs".to_owned(),
        ))
        .await?;
    let now = chrono::Utc::now();
    for row in orgs {
        let org_id: uuid::Uuid = row.try_get("", "id")?;
        let mut first = None;
        for (i, d) in DEFAULT_STAGES.iter().enumerate() {
            let stage_id = uuid::Uuid::now_v7();
            first.get_or_insert(stage_id);
            let stages: Vec<&str> = d.conversation_stages.iter().map(|c| c.as_str()).collect();
            let insert = Query::insert()
                .into_table(PipelineStages::Table)
                .columns([
                    PipelineStages::Id,
                    PipelineStages::OrgId,
                    PipelineStages::Name,
                    PipelineStages::NameFolded,
                    PipelineStages::Position,
                    PipelineStages::Kind,
                    PipelineStages::Color,
                    PipelineStages::ConversationStages,
                    PipelineStages::CreatedAt,
                    PipelineStages::UpdatedAt,
                ])
                .values_panic([
                    stage_id.into(),
                    org_id.into(),
                    d.name.into(),
                    stage_folded(d.name).into(),
                    (i as i32).into(),
                    d.kind.as_str().into(),
                    d.color.into(),
                    serde_json::json!(stages).into(),
                    now.into(),
                    now.into(),
                ])
                .to_owned();
            m.exec_stmt(insert).await?;
        }
        let first = first.expect("default stages");
        let contacts = db
            .query_all_raw(
                backend.build(
                    &Query::select()
                        .column(Alias::new("id"))
                        .column(Alias::new("created_at"))
                        .from(Alias::new("contacts"))
                        .and_where(Expr::col(Alias::new("org_id")).eq(org_id))
                        .order_by(Alias::new("created_at"), Order::Desc)
                        .order_by(Alias::new("id"), Order::Desc)
                        .to_owned(),
                ),
            )
            .await?;
        for chunk in contacts.chunks(200).enumerate() {
            let (n, rows) = chunk;
            let mut insert = Query::insert()
                .into_table(PipelineCards::Table)
                .columns([
                    PipelineCards::ContactId,
                    PipelineCards::OrgId,
                    PipelineCards::StageId,
                    PipelineCards::Rank,
                    PipelineCards::EnteredAt,
                    PipelineCards::MovedBy,
                    PipelineCards::UpdatedAt,
                ])
                .to_owned();
            for (i, c) in rows.iter().enumerate() {
                let contact_id: uuid::Uuid = c.try_get("", "id")?;
                let created: chrono::DateTime<chrono::Utc> = c.try_get("", "created_at")?;
                let rank = ((n * 200 + i) as i64) * RANK_GAP;
                insert.values_panic([
                    contact_id.into(),
                    org_id.into(),
                    first.into(),
                    rank.into(),
                    created.into(),
                    "rule".into(),
                    now.into(),
                ]);
            }
            m.exec_stmt(insert).await?;
        }
    }
    Ok(())
}
