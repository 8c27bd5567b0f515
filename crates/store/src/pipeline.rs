//! The pipeline (API.md, *CRM*): an organisation's stages, each lead's card on the board and
//! every move between stages.
//!
//! Every lead has one card (`pipeline_cards`): its stage, its rank in the column (sparse, so a
//! move writes one row; `position` is the card's index, 0 = top, counted when read) and who
//! made the last move. Every stage change — a member's, the agent's, an import's — writes a
//! `stage_history` row and a `lead_moved` activity entry in the transaction of the change; a
//! reorder within a column writes neither. Won/lost stages set the lead's `lead_status`.
//!
//! Default stages are created with the organisation (and by the migration for those that
//! existed); [`ensure_stages`] creates them in any write that finds none, safely under
//! concurrency: the unique (org, folded name) index makes a second creation insert nothing.

use crate::activity::{self, NewActivity};
use crate::audit::{self, Actor};
use crate::entities::{conversation, lead, pipeline_card, pipeline_stage, stage_history};
use crate::error::{Result, StoreError};
use crate::leads::{LeadFilter, LeadRecord};
use crate::team::OrgScope;
use crate::{new_id, now};
use base64::Engine;
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::pipeline::{
    self as rules, DEFAULT_STAGES, LastMove, MoveActor, RANK_GAP, StageKind, StageSpot,
    stage_folded,
};
use closer_domain::sales::{ConversationStage, LeadStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationDef,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// Why a pipeline write was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    #[error("a stage with this name already exists")]
    StageExists,
    #[error("the stage still holds leads: give move_to, the stage they go to")]
    StageNotEmpty,
    #[error("the pipeline needs at least one open stage")]
    LastOpenStage,
    /// A body (or `move_to`) names no stage of this organisation.
    #[error("{message}")]
    Reference {
        field: &'static str,
        message: String,
    },
}

/// A stage as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRecord {
    pub id: Uuid,
    pub name: String,
    pub position: i32,
    pub kind: StageKind,
    pub color: String,
    pub conversation_stages: Vec<ConversationStage>,
}

/// A new stage, validated.
#[derive(Debug, Clone)]
pub struct NewStage {
    pub name: String,
    pub kind: StageKind,
    pub color: String,
    pub conversation_stages: Vec<ConversationStage>,
    /// Where it goes (0 = first); the end when absent.
    pub position: Option<i32>,
}

/// A change to a stage; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct StageChanges {
    pub name: Option<String>,
    pub kind: Option<StageKind>,
    pub color: Option<String>,
    pub conversation_stages: Option<Vec<ConversationStage>>,
    pub position: Option<i32>,
}

/// Where a lead sits on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub stage_id: Uuid,
    pub stage_name: String,
    pub stage_kind: StageKind,
    /// 0 = the top of the column.
    pub position: i32,
    pub entered_at: DateTime<Utc>,
}

/// One move.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub id: Uuid,
    pub from_stage: Option<(Uuid, String)>,
    pub to_stage: (Uuid, String),
    pub actor: MoveActor,
    pub actor_id: Option<Uuid>,
    pub reason: Option<String>,
    pub evidence_message_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub seconds_in_from_stage: Option<i64>,
}

/// One column of the board.
#[derive(Debug, Clone)]
pub struct BoardColumn {
    pub stage: StageRecord,
    /// Every matching lead in the stage, not just this page.
    pub count: u64,
    pub value_sum_minor: i64,
    pub cards: Vec<LeadRecord>,
    pub next_cursor: Option<String>,
}

/// Who moves a lead, and why.
#[derive(Debug, Clone)]
pub struct MoveBy {
    pub actor: MoveActor,
    pub actor_id: Option<Uuid>,
    pub reason: Option<String>,
    pub evidence_message_id: Option<Uuid>,
}

fn stage_record(m: pipeline_stage::Model) -> StageRecord {
    let conversation_stages = m
        .conversation_stages
        .as_ref()
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    StageRecord {
        id: m.id,
        name: m.name,
        position: m.position,
        kind: m.kind,
        color: m.color,
        conversation_stages,
    }
}

fn history_record(m: stage_history::Model) -> HistoryRecord {
    HistoryRecord {
        id: m.id,
        from_stage: m
            .from_stage_id
            .map(|id| (id, m.from_stage_name.unwrap_or_default())),
        to_stage: (m.to_stage_id, m.to_stage_name),
        actor: m.actor,
        actor_id: m.actor_id,
        reason: m.reason,
        evidence_message_id: m.evidence_message_id,
        at: m.at,
        seconds_in_from_stage: m.seconds_in_from_stage,
    }
}

fn unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

fn card_join() -> RelationDef {
    lead::Entity::belongs_to(pipeline_card::Entity)
        .from(lead::Column::Id)
        .to(pipeline_card::Column::ContactId)
        .into()
}

fn encode_cursor(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn decode_cursor(raw: &str) -> Option<(i64, Uuid, u64)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    Some((
        v.get(0)?.as_i64()?,
        v.get(1)?.as_str()?.parse().ok()?,
        v.get(2)?.as_u64()?,
    ))
}

async fn stage_rows(db: &impl ConnectionTrait, org_id: Uuid) -> Result<Vec<pipeline_stage::Model>> {
    Ok(pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::OrgId.eq(org_id))
        .order_by_asc(pipeline_stage::Column::Position)
        .order_by_asc(pipeline_stage::Column::Id)
        .all(db)
        .await?)
}

/// The organisation's stages, creating the defaults when it has none. Two writers creating
/// them at once insert one set: the unique name index turns the second into nothing.
pub(crate) async fn ensure_stages(
    db: &impl ConnectionTrait,
    org_id: Uuid,
) -> Result<Vec<pipeline_stage::Model>> {
    let rows = stage_rows(db, org_id).await?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    let at = now();
    for (i, d) in DEFAULT_STAGES.iter().enumerate() {
        pipeline_stage::Entity::insert(pipeline_stage::ActiveModel {
            id: Set(new_id()),
            org_id: Set(org_id),
            name: Set(d.name.to_owned()),
            name_folded: Set(stage_folded(d.name)),
            position: Set(i as i32),
            kind: Set(d.kind),
            color: Set(d.color.to_owned()),
            conversation_stages: Set(Some(json!(d.conversation_stages))),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .on_conflict(
            OnConflict::columns([
                pipeline_stage::Column::OrgId,
                pipeline_stage::Column::NameFolded,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    stage_rows(db, org_id).await
}

/// The top rank of a stage's column (above every card), or 0 for an empty column.
async fn top_rank(db: &impl ConnectionTrait, org_id: Uuid, stage_id: Uuid) -> Result<i64> {
    let first: Option<i64> = pipeline_card::Entity::find()
        .select_only()
        .column(pipeline_card::Column::Rank)
        .filter(pipeline_card::Column::OrgId.eq(org_id))
        .filter(pipeline_card::Column::StageId.eq(stage_id))
        .order_by_asc(pipeline_card::Column::Rank)
        .into_tuple()
        .one(db)
        .await?;
    Ok(rank_above(first))
}

/// The rank a card put on top of a column whose first card has rank `first` takes: a gap
/// above it, or 0 in an empty column.
fn rank_above(first: Option<i64>) -> i64 {
    first.map_or(0, |r| r.saturating_sub(RANK_GAP))
}

/// Puts a new lead on top of a column — `into`, else the first open stage — in the caller's
/// transaction; a history row with no `from_stage` records its entry. Nothing happens if the
/// lead has a card already.
pub(crate) async fn place_new_lead(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    into: Option<Uuid>,
    by: MoveBy,
) -> Result<()> {
    let stages = ensure_stages(db, org_id).await?;
    let stage = match into {
        Some(id) => stages
            .iter()
            .find(|s| s.id == id)
            .ok_or(PipelineError::Reference {
                field: "stage_id",
                message: "is not a stage of this pipeline".into(),
            })?,
        None => match stages.iter().find(|s| s.kind == StageKind::Open) {
            Some(s) => s,
            None => return Ok(()),
        },
    };
    let at = now();
    let rank = top_rank(db, org_id, stage.id).await?;
    let inserted = pipeline_card::Entity::insert(pipeline_card::ActiveModel {
        contact_id: Set(lead_id),
        org_id: Set(org_id),
        stage_id: Set(stage.id),
        rank: Set(rank),
        entered_at: Set(at),
        moved_by: Set(by.actor),
        moved_at_conversation_stage: Set(None),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(pipeline_card::Column::ContactId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(());
    }
    set_status(db, org_id, &[lead_id], stage.kind, at).await?;
    write_history(db, org_id, lead_id, None, stage, &by, at).await?;
    Ok(())
}

/// Many new leads at once (an import): on top of the first open stage in the given order
/// (the first id highest), one entry history row each, in the caller's transaction. Leads
/// that have a card already are left where they are.
pub async fn place_new_leads(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_ids: &[Uuid],
    by: MoveBy,
) -> Result<()> {
    place_new_leads_of(db, &[(org_id, lead_ids.to_vec())], by)
        .await?
        .write(db)
        .await
}

/// New leads of several organisations at once (an ingest group): each organisation's list as
/// [`place_new_leads`] places it. The statements are the same few however many organisations
/// the leads belong to: a launch-day group spans many, and a statement each per organisation
/// was most of its write. Every lead must have been created in the caller's transaction.
/// Answers the funnel counts of their entries, for the caller to write.
pub(crate) async fn place_new_leads_of(
    db: &impl ConnectionTrait,
    leads: &[(Uuid, Vec<Uuid>)],
    by: MoveBy,
) -> Result<crate::rollups::Tallies> {
    let (entries, stages) = entry_stages(db, leads.iter().map(|(org, _)| *org)).await?;
    let tops = top_ranks(db, entries.values()).await?;
    let at = now();
    let (mut cards, mut moves, mut history) = (vec![], vec![], vec![]);
    for (org_id, ids) in leads {
        let Some(stage) = entries.get(org_id) else {
            continue;
        };
        let top = tops.get(&stage.id).copied().unwrap_or(0);
        let n = ids.len() as i64;
        for (index, id) in ids.iter().enumerate() {
            cards.push(pipeline_card::ActiveModel {
                contact_id: Set(*id),
                org_id: Set(*org_id),
                stage_id: Set(stage.id),
                rank: Set(top.saturating_sub((n - 1 - index as i64).saturating_mul(RANK_GAP))),
                entered_at: Set(at),
                moved_by: Set(by.actor),
                moved_at_conversation_stage: Set(None),
                updated_at: Set(at),
            });
            moves.push((
                *org_id,
                crate::rollups::NewMove {
                    lead: *id,
                    from: None,
                    to: stage.id,
                    seconds_in_from: None,
                    at,
                },
            ));
            history.push(stage_history::ActiveModel {
                id: Set(new_id()),
                org_id: Set(*org_id),
                contact_id: Set(*id),
                from_stage_id: Set(None),
                from_stage_name: Set(None),
                to_stage_id: Set(stage.id),
                to_stage_name: Set(stage.name.clone()),
                actor: Set(by.actor),
                actor_id: Set(by.actor_id),
                reason: Set(by.reason.clone()),
                evidence_message_id: Set(None),
                seconds_in_from_stage: Set(None),
                at: Set(at),
            });
        }
    }
    for chunk in chunked(cards) {
        pipeline_card::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(pipeline_card::Column::ContactId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    // Every lead placed here was created in this transaction: it has no history yet.
    let counts = crate::rollups::count_first_moves(db, &moves, &stages).await?;
    for chunk in chunked(history) {
        stage_history::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(counts)
}

/// Rows per insert statement: a card or history row binds about a dozen values, and SQLite
/// takes 32,766 per statement.
fn chunked<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut rows = rows.into_iter().peekable();
    let mut out = vec![];
    while rows.peek().is_some() {
        out.push(rows.by_ref().take(500).collect());
    }
    out
}

/// Each organisation's entry stage (its first open one), in one read, with all their stages;
/// an organisation with no stages yet gets the defaults first. An organisation with no open
/// stage has no entry.
async fn entry_stages(
    db: &impl ConnectionTrait,
    orgs: impl IntoIterator<Item = Uuid>,
) -> Result<(
    HashMap<Uuid, pipeline_stage::Model>,
    Vec<pipeline_stage::Model>,
)> {
    let orgs: std::collections::BTreeSet<Uuid> = orgs.into_iter().collect();
    let rows = pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::OrgId.is_in(orgs.iter().copied()))
        .order_by_asc(pipeline_stage::Column::Position)
        .order_by_asc(pipeline_stage::Column::Id)
        .all(db)
        .await?;
    let mut entries = HashMap::new();
    let mut staged = std::collections::BTreeSet::new();
    for row in &rows {
        staged.insert(row.org_id);
        if row.kind == StageKind::Open && !entries.contains_key(&row.org_id) {
            entries.insert(row.org_id, row.clone());
        }
    }
    let mut all = rows;
    for org in orgs.difference(&staged) {
        let stages = ensure_stages(db, *org).await?;
        if let Some(first) = stages.iter().find(|s| s.kind == StageKind::Open) {
            entries.insert(*org, first.clone());
        }
        all.extend(stages);
    }
    Ok((entries, all))
}

/// The top rank of each stage's column (see [`top_rank`]), in one statement: a column each
/// of one row, so every stage's top is its own index look-up.
async fn top_ranks<'a>(
    db: &impl ConnectionTrait,
    stages: impl IntoIterator<Item = &'a pipeline_stage::Model>,
) -> Result<HashMap<Uuid, i64>> {
    use sea_orm::sea_query::{Alias, Order, Query};
    let stages: Vec<&pipeline_stage::Model> = stages.into_iter().collect();
    if stages.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = Query::select();
    for (i, stage) in stages.iter().enumerate() {
        let first = Query::select()
            .column(pipeline_card::Column::Rank)
            .from(pipeline_card::Entity)
            .and_where(pipeline_card::Column::OrgId.eq(stage.org_id))
            .and_where(pipeline_card::Column::StageId.eq(stage.id))
            .order_by(pipeline_card::Column::Rank, Order::Asc)
            .limit(1)
            .to_owned();
        select.expr_as(
            SimpleExpr::SubQuery(None, Box::new(first.into())),
            Alias::new(format!("top{i}")),
        );
    }
    let row = db
        .query_one(&select)
        .await?
        .ok_or_else(|| StoreError::Db(sea_orm::DbErr::RecordNotFound("top ranks".into())))?;
    let mut tops = HashMap::new();
    for (i, stage) in stages.iter().enumerate() {
        let first: Option<i64> = row.try_get("", &format!("top{i}"))?;
        tops.insert(stage.id, rank_above(first));
    }
    Ok(tops)
}

/// Leads entering a won/lost stage take its status — except an opted-out lead, whose
/// status says it may not be messaged and stays.
async fn set_status(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_ids: &[Uuid],
    kind: StageKind,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(status) = kind.lead_status() else {
        return Ok(());
    };
    for chunk in lead_ids.chunks(500) {
        lead::Entity::update_many()
            .filter(lead::Column::OrgId.eq(org_id))
            .filter(lead::Column::Id.is_in(chunk.to_vec()))
            .filter(lead::Column::LeadStatus.ne(LeadStatus::OptedOut.as_str()))
            .col_expr(lead::Column::LeadStatus, Expr::value(status))
            .col_expr(lead::Column::UpdatedAt, Expr::value(at))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn write_history(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    from: Option<(&pipeline_stage::Model, DateTime<Utc>)>,
    to: &pipeline_stage::Model,
    by: &MoveBy,
    at: DateTime<Utc>,
) -> Result<HistoryRecord> {
    let row = stage_history::Model {
        id: new_id(),
        org_id,
        contact_id: lead_id,
        from_stage_id: from.map(|(s, _)| s.id),
        from_stage_name: from.map(|(s, _)| s.name.clone()),
        to_stage_id: to.id,
        to_stage_name: to.name.clone(),
        actor: by.actor,
        actor_id: by.actor_id,
        reason: by.reason.clone(),
        evidence_message_id: by.evidence_message_id,
        seconds_in_from_stage: from.map(|(_, entered)| Ord::max((at - entered).num_seconds(), 0)),
        at,
    };
    crate::rollups::note_stage_moves(
        db,
        org_id,
        &[crate::rollups::NewMove {
            lead: lead_id,
            from: row.from_stage_id,
            to: row.to_stage_id,
            seconds_in_from: row.seconds_in_from_stage,
            at,
        }],
    )
    .await?;
    stage_history::Entity::insert(stage_history::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await?;
    if from.is_some() {
        let (actor, actor_user_id) = match by.actor {
            MoveActor::User => (ActivityActor::Member, by.actor_id),
            MoveActor::Ai => (ActivityActor::Agent, None),
            // Only automations move a known lead as a rule: what they cause fires no rule.
            MoveActor::Rule => (ActivityActor::Automation, None),
            _ => (ActivityActor::System, None),
        };
        activity::append(
            db,
            org_id,
            vec![NewActivity {
                contact_id: Some(lead_id),
                conversation_id: None,
                kind: ActivityKind::LeadMoved,
                actor,
                actor_user_id,
                payload: json!({
                    "from_stage_id": row.from_stage_id,
                    "from": row.from_stage_name,
                    "to_stage_id": row.to_stage_id,
                    "to": row.to_stage_name,
                    "to_kind": to.kind,
                    "by": by.actor,
                    "reason": by.reason,
                }),
            }],
        )
        .await?;
    }
    Ok(history_record(row))
}

/// Renumbers a column `RANK_GAP` apart, keeping its order (when two neighbours left no room).
async fn renumber(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    stage_id: Uuid,
    except: Uuid,
) -> Result<()> {
    let ids: Vec<Uuid> = pipeline_card::Entity::find()
        .select_only()
        .column(pipeline_card::Column::ContactId)
        .filter(pipeline_card::Column::OrgId.eq(org_id))
        .filter(pipeline_card::Column::StageId.eq(stage_id))
        .filter(pipeline_card::Column::ContactId.ne(except))
        .order_by_asc(pipeline_card::Column::Rank)
        .order_by_asc(pipeline_card::Column::ContactId)
        .into_tuple()
        .all(db)
        .await?;
    for (i, id) in ids.into_iter().enumerate() {
        pipeline_card::Entity::update_many()
            .filter(pipeline_card::Column::ContactId.eq(id))
            .col_expr(
                pipeline_card::Column::Rank,
                Expr::value(i as i64 * RANK_GAP),
            )
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The rank that puts a card at `position` of a column (counted without the card itself).
async fn rank_at(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    stage_id: Uuid,
    lead_id: Uuid,
    position: u64,
) -> Result<i64> {
    for _ in 0..2 {
        let neighbours = |offset: u64, limit: u64| {
            pipeline_card::Entity::find()
                .select_only()
                .column(pipeline_card::Column::Rank)
                .filter(pipeline_card::Column::OrgId.eq(org_id))
                .filter(pipeline_card::Column::StageId.eq(stage_id))
                .filter(pipeline_card::Column::ContactId.ne(lead_id))
                .order_by_asc(pipeline_card::Column::Rank)
                .order_by_asc(pipeline_card::Column::ContactId)
                .offset(offset)
                .limit(limit)
                .into_tuple::<i64>()
        };
        let (above, below) = if position == 0 {
            (None, neighbours(0, 1).one(db).await?)
        } else {
            let two = neighbours(position - 1, 2).all(db).await?;
            (two.first().copied(), two.get(1).copied())
        };
        if let Some(r) = rules::rank_between(above, below) {
            return Ok(r);
        }
        renumber(db, org_id, stage_id, lead_id).await?;
    }
    Err(StoreError::Conflict("the column could not be reordered"))
}

/// Moves a lead to `to` at `position` (0 = top) in the caller's transaction. A stage change
/// writes history (returned), a reorder within the stage none. Won/lost stages set the lead's
/// status. `conversation_stage` is the lead's conversation's stage now (the agent's rule
/// compares it later).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn move_card(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    to: &pipeline_stage::Model,
    stages: &[pipeline_stage::Model],
    position: u64,
    by: MoveBy,
    conversation_stage: Option<ConversationStage>,
) -> Result<Option<HistoryRecord>> {
    let at = now();
    let card = pipeline_card::Entity::find_by_id(lead_id)
        .filter(pipeline_card::Column::OrgId.eq(org_id))
        .one(db)
        .await?;
    let rank = rank_at(db, org_id, to.id, lead_id, position).await?;
    let from = card.as_ref().and_then(|c| {
        stages
            .iter()
            .find(|s| s.id == c.stage_id)
            .map(|s| (s, c.entered_at))
    });
    let changes_stage = card.as_ref().is_none_or(|c| c.stage_id != to.id);
    let entered_at = match &card {
        Some(c) if !changes_stage => c.entered_at,
        _ => at,
    };
    let (moved_by, moved_conv) = match &card {
        Some(c) if !changes_stage => (c.moved_by, c.moved_at_conversation_stage.clone()),
        _ => (by.actor, conversation_stage.map(|s| s.as_str().to_owned())),
    };
    pipeline_card::Entity::insert(pipeline_card::ActiveModel {
        contact_id: Set(lead_id),
        org_id: Set(org_id),
        stage_id: Set(to.id),
        rank: Set(rank),
        entered_at: Set(entered_at),
        moved_by: Set(moved_by),
        moved_at_conversation_stage: Set(moved_conv),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(pipeline_card::Column::ContactId)
            .update_columns([
                pipeline_card::Column::StageId,
                pipeline_card::Column::Rank,
                pipeline_card::Column::EnteredAt,
                pipeline_card::Column::MovedBy,
                pipeline_card::Column::MovedAtConversationStage,
                pipeline_card::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if !changes_stage {
        return Ok(None);
    }
    lead::Entity::update_many()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.eq(lead_id))
        .col_expr(lead::Column::UpdatedAt, Expr::value(at))
        .exec(db)
        .await?;
    set_status(db, org_id, &[lead_id], to.kind, at).await?;
    Ok(Some(
        write_history(db, org_id, lead_id, from, to, &by, at).await?,
    ))
}

/// The agent's move after a conversation entered `conversation_stage` (see
/// [`closer_domain::pipeline::ai_move`]), in the decision's transaction.
pub(crate) async fn follow_conversation(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    conversation_stage: ConversationStage,
    by: MoveBy,
) -> Result<Option<HistoryRecord>> {
    let stages = ensure_stages(db, org_id).await?;
    let Some(target) = stages.iter().find(|s| {
        stage_record((*s).clone())
            .conversation_stages
            .contains(&conversation_stage)
    }) else {
        return Ok(None);
    };
    let card = pipeline_card::Entity::find_by_id(lead_id)
        .filter(pipeline_card::Column::OrgId.eq(org_id))
        .one(db)
        .await?;
    let spot = |s: &pipeline_stage::Model| StageSpot {
        position: s.position,
        kind: s.kind,
    };
    let current = card
        .as_ref()
        .and_then(|c| stages.iter().find(|s| s.id == c.stage_id));
    let moves = match (current, &card) {
        (Some(cur), Some(c)) => {
            let last = LastMove {
                actor: c.moved_by,
                conversation_stage: c
                    .moved_at_conversation_stage
                    .as_deref()
                    .and_then(|s| s.parse().ok()),
            };
            rules::ai_move(spot(cur), spot(target), Some(last), conversation_stage).is_some()
        }
        _ => true,
    };
    if !moves {
        return Ok(None);
    }
    move_card(
        db,
        org_id,
        lead_id,
        target,
        &stages,
        0,
        by,
        Some(conversation_stage),
    )
    .await
}

/// Every lead's card and history go with it.
pub(crate) async fn forget_lead(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
) -> Result<()> {
    pipeline_card::Entity::delete_many()
        .filter(pipeline_card::Column::OrgId.eq(org_id))
        .filter(pipeline_card::Column::ContactId.eq(lead_id))
        .exec(db)
        .await?;
    stage_history::Entity::delete_many()
        .filter(stage_history::Column::OrgId.eq(org_id))
        .filter(stage_history::Column::ContactId.eq(lead_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Each lead's place on the board: stage, index in the column (0 = top), since when.
pub(crate) async fn placements(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_ids: &[Uuid],
) -> Result<HashMap<Uuid, Placement>> {
    if lead_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Uuid, DateTime<Utc>, i64, i64)> = pipeline_card::Entity::find()
        .select_only()
        .column(pipeline_card::Column::ContactId)
        .column(pipeline_card::Column::StageId)
        .column(pipeline_card::Column::EnteredAt)
        .column(pipeline_card::Column::Rank)
        .expr_as(
            above_in_bucket(db.get_database_backend(), org_id),
            "above_in_bucket",
        )
        // By the primary key (contact_id) alone: with `org_id = ?` beside it SQLite may walk
        // the organisation's whole column index (pipeline_cards_column starts with org_id)
        // instead of looking up the page's cards. A card's lead names its organisation; the
        // stages below are the organisation's, so another's card would find no stage.
        .filter(pipeline_card::Column::ContactId.is_in(lead_ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let stages: HashMap<Uuid, pipeline_stage::Model> = stage_rows(db, org_id)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let shift = crate::migration::RANK_BUCKET_SHIFT;
    let in_stages: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let deepest = rows.iter().map(|r| r.3 >> shift).max().unwrap_or(0);
    let buckets = bucket_cards(db, org_id, &in_stages, deepest).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(lead, stage, entered_at, rank, above_in_bucket)| {
            let s = stages.get(&stage)?;
            let bucket = rank >> shift;
            // The cards of the buckets above the card's own, then those above it in its own.
            let above: i64 = buckets
                .get(&stage)
                .map(|b| b.range(..bucket).map(|(_, n)| n).sum())
                .unwrap_or(0);
            Some((
                lead,
                Placement {
                    stage_id: s.id,
                    stage_name: s.name.clone(),
                    stage_kind: s.kind,
                    position: (above + above_in_bucket) as i32,
                    entered_at,
                },
            ))
        })
        .collect())
}

/// Each of `stages`' cards per rank bucket above `below` (m0016's running counts, summed): a
/// page of the newest leads, at the top of their columns, reads a few. Read once for a
/// page of leads, where a sum per card read up to every bucket above it — a page of leads
/// from deep in long columns (a phone search's) spent 20–45 ms on PostgreSQL doing that.
async fn bucket_cards(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    stages: &[Uuid],
    below: i64,
) -> Result<HashMap<Uuid, std::collections::BTreeMap<i64, i64>>> {
    let mut stages = stages.to_vec();
    stages.sort_unstable();
    stages.dedup();
    if stages.is_empty() {
        return Ok(HashMap::new());
    }
    use sea_orm::sea_query::{Alias, Query};
    let q = Query::select()
        .column(Alias::new("stage_id"))
        .column(Alias::new("bucket"))
        .expr_as(
            Expr::cust("CAST(SUM(cards) AS BIGINT)"),
            Alias::new("cards"),
        )
        .from(Alias::new("pipeline_rank_counts"))
        .and_where(Expr::col(Alias::new("org_id")).eq(org_id))
        .and_where(Expr::col(Alias::new("stage_id")).is_in(stages))
        .and_where(Expr::col(Alias::new("bucket")).lt(below))
        .group_by_col(Alias::new("stage_id"))
        .group_by_col(Alias::new("bucket"))
        .to_owned();
    let mut rows = vec![];
    for r in db.query_all(&q).await? {
        let stage: Uuid = r.try_get("", "stage_id")?;
        let bucket: i64 = r.try_get("", "bucket")?;
        let cards: i64 = r.try_get("", "cards")?;
        rows.push((stage, bucket, cards));
    }
    let mut out: HashMap<Uuid, std::collections::BTreeMap<i64, i64>> = HashMap::new();
    for (stage, bucket, cards) in rows {
        out.entry(stage).or_default().insert(bucket, cards);
    }
    Ok(out)
}

/// How many cards of its column sit above the card of the row being read (`pipeline_cards`)
/// inside its own rank bucket: a few hundred index entries however long the column.
fn above_in_bucket(backend: sea_orm::DbBackend, org_id: Uuid) -> SimpleExpr {
    let shift = crate::migration::RANK_BUCKET_SHIFT;
    let backend = match backend {
        sea_orm::DbBackend::Postgres => crate::Backend::Postgres,
        _ => crate::Backend::Sqlite,
    };
    let card = r#""pipeline_cards""#;
    crate::lead_search::sql_with_values(
        backend,
        &format!(
            "(SELECT COUNT(*) FROM pipeline_cards q WHERE q.org_id = ? \
             AND q.stage_id = {card}.stage_id \
             AND q.rank >= (({card}.rank >> {shift}) << {shift}) AND q.rank <= {card}.rank \
             AND (q.rank < {card}.rank OR q.contact_id < {card}.contact_id))"
        ),
        [org_id],
    )
}

/// The newest conversation's stage of a lead.
pub(crate) async fn conversation_stage_of(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
) -> Result<Option<ConversationStage>> {
    Ok(conversation::Entity::find()
        .select_only()
        .column(conversation::Column::Stage)
        .filter(conversation::Column::OrgId.eq(org_id))
        .filter(conversation::Column::ContactId.eq(lead_id))
        .order_by_desc(conversation::Column::Id)
        .into_tuple()
        .one(db)
        .await?)
}

impl OrgScope<'_> {
    /// The organisation's stages in board order.
    pub async fn stages(&self) -> Result<Vec<StageRecord>> {
        let rows = stage_rows(&self.store.db, self.org_id).await?;
        if !rows.is_empty() {
            return Ok(rows.into_iter().map(stage_record).collect());
        }
        let txn = self.store.begin_write().await?;
        let rows = ensure_stages(&*txn, self.org_id).await?;
        txn.commit().await?;
        Ok(rows.into_iter().map(stage_record).collect())
    }

    pub async fn stage(&self, id: Uuid) -> Result<StageRecord> {
        self.stages()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Gives `conversation_stages` to `keep` only: a conversation stage moves a lead to one
    /// stage, so listing it on one stage takes it off the others.
    async fn take_conversation_stages(
        &self,
        db: &impl ConnectionTrait,
        rows: &[pipeline_stage::Model],
        keep: Uuid,
        taken: &[ConversationStage],
    ) -> Result<()> {
        for s in rows.iter().filter(|s| s.id != keep) {
            let rec = stage_record(s.clone());
            if rec.conversation_stages.iter().any(|c| taken.contains(c)) {
                let left: Vec<ConversationStage> = rec
                    .conversation_stages
                    .into_iter()
                    .filter(|c| !taken.contains(c))
                    .collect();
                pipeline_stage::Entity::update_many()
                    .filter(pipeline_stage::Column::Id.eq(s.id))
                    .col_expr(
                        pipeline_stage::Column::ConversationStages,
                        Expr::value(json!(left)),
                    )
                    .exec(db)
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes positions 0.. in `order`.
    async fn set_positions(&self, db: &impl ConnectionTrait, order: &[Uuid]) -> Result<()> {
        for (i, id) in order.iter().enumerate() {
            pipeline_stage::Entity::update_many()
                .filter(pipeline_stage::Column::OrgId.eq(self.org_id))
                .filter(pipeline_stage::Column::Id.eq(*id))
                .col_expr(pipeline_stage::Column::Position, Expr::value(i as i32))
                .exec(db)
                .await?;
        }
        Ok(())
    }

    /// A new stage (owner/admin); the stages after it shift. 409 when the name is taken.
    pub async fn create_stage(&self, actor: &Actor, s: NewStage) -> Result<StageRecord> {
        let txn = self.store.begin_write().await?;
        let rows = ensure_stages(&*txn, self.org_id).await?;
        if rows.len() >= rules::MAX_STAGES {
            return Err(PipelineError::Reference {
                field: "name",
                message: format!("a pipeline has at most {} stages", rules::MAX_STAGES),
            }
            .into());
        }
        if rows.iter().any(|r| r.name_folded == stage_folded(&s.name)) {
            return Err(PipelineError::StageExists.into());
        }
        let at = now();
        let id = new_id();
        pipeline_stage::Entity::insert(pipeline_stage::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            name: Set(s.name.clone()),
            name_folded: Set(stage_folded(&s.name)),
            position: Set(rows.len() as i32),
            kind: Set(s.kind),
            color: Set(s.color),
            conversation_stages: Set(Some(json!(s.conversation_stages))),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&*txn)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                StoreError::from(PipelineError::StageExists)
            } else {
                StoreError::Db(e)
            }
        })?;
        let mut order: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let at_index = s
            .position
            .map(|p| (Ord::max(p, 0) as usize).min(order.len()))
            .unwrap_or(order.len());
        order.insert(at_index, id);
        self.set_positions(&*txn, &order).await?;
        self.take_conversation_stages(&*txn, &rows, id, &s.conversation_stages)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "pipeline.stage_created",
            format!("stage:{id}"),
            json!({ "name": s.name }),
        )
        .await?;
        txn.commit().await?;
        self.stage(id).await
    }

    /// Rename, recolour, re-kind, reorder a stage or change what it lists (owner/admin).
    pub async fn update_stage(
        &self,
        actor: &Actor,
        id: Uuid,
        c: StageChanges,
    ) -> Result<StageRecord> {
        let txn = self.store.begin_write().await?;
        let rows = ensure_stages(&*txn, self.org_id).await?;
        let current = rows
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if let Some(name) = &c.name
            && rows
                .iter()
                .any(|r| r.id != id && r.name_folded == stage_folded(name))
        {
            return Err(PipelineError::StageExists.into());
        }
        if let Some(kind) = c.kind
            && kind.is_closed()
            && current.kind == StageKind::Open
            && !rows.iter().any(|r| r.id != id && r.kind == StageKind::Open)
        {
            return Err(PipelineError::LastOpenStage.into());
        }
        let mut m: pipeline_stage::ActiveModel = current.clone().into();
        if let Some(name) = &c.name {
            m.name = Set(name.clone());
            m.name_folded = Set(stage_folded(name));
        }
        if let Some(kind) = c.kind {
            m.kind = Set(kind);
        }
        if let Some(color) = &c.color {
            m.color = Set(color.clone());
        }
        if let Some(list) = &c.conversation_stages {
            m.conversation_stages = Set(Some(json!(list)));
        }
        m.updated_at = Set(now());
        m.update(&*txn).await.map_err(|e| {
            if unique_violation(&e) {
                StoreError::from(PipelineError::StageExists)
            } else {
                StoreError::Db(e)
            }
        })?;
        if let Some(p) = c.position {
            let mut order: Vec<Uuid> = rows.iter().map(|r| r.id).filter(|r| *r != id).collect();
            order.insert((Ord::max(p, 0) as usize).min(order.len()), id);
            self.set_positions(&*txn, &order).await?;
        }
        if let Some(list) = &c.conversation_stages {
            self.take_conversation_stages(&*txn, &rows, id, list)
                .await?;
        }
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "pipeline.stage_updated",
            format!("stage:{id}"),
            json!({ "name": c.name, "position": c.position, "kind": c.kind, "color": c.color }),
        )
        .await?;
        txn.commit().await?;
        self.stage(id).await
    }

    /// Deletes a stage (owner/admin); its leads go to `move_to` (each move in history),
    /// refused without it while the stage holds leads, and for the last open stage.
    pub async fn delete_stage(&self, actor: &Actor, id: Uuid, move_to: Option<Uuid>) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let rows = ensure_stages(&*txn, self.org_id).await?;
        let current = rows
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if current.kind == StageKind::Open
            && !rows.iter().any(|r| r.id != id && r.kind == StageKind::Open)
        {
            return Err(PipelineError::LastOpenStage.into());
        }
        let target = match move_to {
            Some(t) => Some(
                rows.iter()
                    .find(|r| r.id == t && r.id != id)
                    .cloned()
                    .ok_or(PipelineError::Reference {
                        field: "move_to",
                        message: "is not another stage of this pipeline".into(),
                    })?,
            ),
            None => None,
        };
        let cards: Vec<pipeline_card::Model> = pipeline_card::Entity::find()
            .filter(pipeline_card::Column::OrgId.eq(self.org_id))
            .filter(pipeline_card::Column::StageId.eq(id))
            .order_by_asc(pipeline_card::Column::Rank)
            .order_by_asc(pipeline_card::Column::ContactId)
            .all(&*txn)
            .await?;
        if !cards.is_empty() {
            let Some(target) = target else {
                return Err(PipelineError::StageNotEmpty.into());
            };
            // Below the target's cards, in their order.
            let bottom: Option<i64> = pipeline_card::Entity::find()
                .select_only()
                .column(pipeline_card::Column::Rank)
                .filter(pipeline_card::Column::OrgId.eq(self.org_id))
                .filter(pipeline_card::Column::StageId.eq(target.id))
                .order_by_desc(pipeline_card::Column::Rank)
                .into_tuple()
                .one(&*txn)
                .await?;
            let base = bottom.map(|b| b.saturating_add(RANK_GAP)).unwrap_or(0);
            let at = now();
            let by = MoveBy {
                actor: MoveActor::User,
                actor_id: Some(actor.user_id),
                reason: Some("stage_deleted".into()),
                evidence_message_id: None,
            };
            for (i, card) in cards.iter().enumerate() {
                pipeline_card::Entity::update_many()
                    .filter(pipeline_card::Column::ContactId.eq(card.contact_id))
                    .col_expr(pipeline_card::Column::StageId, Expr::value(target.id))
                    .col_expr(
                        pipeline_card::Column::Rank,
                        Expr::value(base.saturating_add(i as i64 * RANK_GAP)),
                    )
                    .col_expr(pipeline_card::Column::EnteredAt, Expr::value(at))
                    .col_expr(pipeline_card::Column::MovedBy, Expr::value(MoveActor::User))
                    .col_expr(pipeline_card::Column::UpdatedAt, Expr::value(at))
                    .exec(&*txn)
                    .await?;
                write_history(
                    &*txn,
                    self.org_id,
                    card.contact_id,
                    Some((&current, card.entered_at)),
                    &target,
                    &by,
                    at,
                )
                .await?;
            }
            let ids: Vec<Uuid> = cards.iter().map(|c| c.contact_id).collect();
            set_status(&*txn, self.org_id, &ids, target.kind, at).await?;
        }
        pipeline_stage::Entity::delete_many()
            .filter(pipeline_stage::Column::OrgId.eq(self.org_id))
            .filter(pipeline_stage::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        let order: Vec<Uuid> = rows.iter().map(|r| r.id).filter(|r| *r != id).collect();
        self.set_positions(&*txn, &order).await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "pipeline.stage_deleted",
            format!("stage:{id}"),
            json!({ "name": current.name, "moved": cards.len(), "move_to": move_to }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The board: every stage with its matching leads' count and value sum and the first
    /// `per_column` cards (or, with `only`, one column from `cursor`).
    pub async fn board(
        &self,
        f: &LeadFilter,
        per_column: u64,
        only: Option<Uuid>,
        cursor: Option<&str>,
    ) -> Result<Vec<BoardColumn>> {
        let stages = self.stages().await?;
        if let Some(o) = only
            && !stages.iter().any(|s| s.id == o)
        {
            return Err(StoreError::NotFound);
        }
        let db = &self.store.db;
        let cond = self.filter_condition(f);
        self.store
            .fold_rank_counts_now_and_then(self.org_id)
            .await?;
        let sums = if f.is_everything() {
            // Every lead: each stage's running totals, not a count of the table.
            self.store
                .lead_totals(self.org_id)
                .await?
                .into_iter()
                .filter_map(|(stage, t)| Some((stage?, (t.leads, t.value_minor))))
                .collect()
        } else {
            self.stage_sums(&cond).await?
        };
        let mut out = Vec::new();
        for stage in stages {
            if only.is_some_and(|o| o != stage.id) {
                continue;
            }
            let after = if only.is_some() {
                cursor.and_then(decode_cursor)
            } else {
                None
            };
            let mut q = lead::Entity::find()
                .join(sea_orm::JoinType::InnerJoin, card_join())
                .filter(cond.clone())
                // The card's own org_id too: the column's index starts with it, so a page
                // of a column reads its first cards instead of joining every lead.
                .filter(
                    Expr::col((pipeline_card::Entity, pipeline_card::Column::OrgId))
                        .eq(self.org_id),
                )
                .filter(
                    Expr::col((pipeline_card::Entity, pipeline_card::Column::StageId)).eq(stage.id),
                );
            if let Some((rank, id, _)) = after {
                let rank_col = Expr::col((pipeline_card::Entity, pipeline_card::Column::Rank));
                let id_col = Expr::col((pipeline_card::Entity, pipeline_card::Column::ContactId));
                q = q.filter(
                    Condition::any()
                        .add(rank_col.clone().gt(rank))
                        .add(rank_col.eq(rank).and(id_col.gt(id))),
                );
            }
            let rows = q
                .order_by_asc(Expr::col((
                    pipeline_card::Entity,
                    pipeline_card::Column::Rank,
                )))
                .order_by_asc(Expr::col((
                    pipeline_card::Entity,
                    pipeline_card::Column::ContactId,
                )))
                .limit(per_column + 1)
                .all(db)
                .await?;
            let more = rows.len() as u64 > per_column;
            let mut rows = rows;
            rows.truncate(per_column as usize);
            let offset = after.map(|(_, _, o)| o).unwrap_or(0);
            let next_cursor = match (more, rows.last()) {
                (true, Some(last)) => {
                    let rank: Option<i64> = pipeline_card::Entity::find_by_id(last.id)
                        .select_only()
                        .column(pipeline_card::Column::Rank)
                        .into_tuple()
                        .one(db)
                        .await?;
                    rank.map(|r| encode_cursor(&json!([r, last.id, offset + rows.len() as u64])))
                }
                _ => None,
            };
            let (count, value_sum_minor) = sums.get(&stage.id).copied().unwrap_or((0, 0));
            out.push(BoardColumn {
                stage,
                count: count as u64,
                value_sum_minor,
                cards: self.records(db, rows).await?,
                next_cursor,
            });
        }
        Ok(out)
    }

    /// Each stage's count and value sum of the leads `cond` selects.
    async fn stage_sums(&self, cond: &Condition) -> Result<HashMap<Uuid, (i64, i64)>> {
        let sums: Vec<(Uuid, i64, Option<i64>)> = lead::Entity::find()
            .select_only()
            .column_as(
                Expr::col((pipeline_card::Entity, pipeline_card::Column::StageId)),
                "stage_id",
            )
            .column_as(Expr::col((lead::Entity, lead::Column::Id)).count(), "n")
            .column_as(
                Expr::cust("CAST(SUM(contacts.value_minor) AS BIGINT)"),
                "value_sum",
            )
            .join(sea_orm::JoinType::InnerJoin, card_join())
            .filter(cond.clone())
            .group_by(Expr::col((
                pipeline_card::Entity,
                pipeline_card::Column::StageId,
            )))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(sums
            .into_iter()
            .map(|(s, n, v)| (s, (n, v.unwrap_or(0))))
            .collect())
    }

    /// A person's move (the board, the lead's page): to `stage_id` at `position` (0 = top).
    /// Returns the history row when the stage changed (a reorder writes none).
    pub async fn move_lead(
        &self,
        actor: &Actor,
        lead_id: Uuid,
        stage_id: Uuid,
        position: u64,
        reason: Option<String>,
    ) -> Result<Option<HistoryRecord>> {
        let txn = self.store.begin_write().await?;
        let moved = self
            .move_lead_in(&*txn, actor, lead_id, stage_id, position, reason)
            .await?;
        txn.commit().await?;
        Ok(moved)
    }

    /// [`Self::move_lead`] in the caller's transaction (the lead's `PUT` with `stage_id`).
    pub(crate) async fn move_lead_in(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
        lead_id: Uuid,
        stage_id: Uuid,
        position: u64,
        reason: Option<String>,
    ) -> Result<Option<HistoryRecord>> {
        lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::Id.eq(lead_id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let stages = ensure_stages(db, self.org_id).await?;
        let to = stages
            .iter()
            .find(|s| s.id == stage_id)
            .ok_or(PipelineError::Reference {
                field: "stage_id",
                message: "is not a stage of this pipeline".into(),
            })?;
        let conv_stage = conversation_stage_of(db, self.org_id, lead_id).await?;
        let moved = move_card(
            db,
            self.org_id,
            lead_id,
            to,
            &stages,
            position,
            MoveBy {
                actor: MoveActor::User,
                actor_id: Some(actor.user_id),
                reason,
                evidence_message_id: None,
            },
            conv_stage,
        )
        .await?;
        if let Some(h) = &moved {
            audit::record(
                db,
                self.org_id,
                Some(actor),
                "lead.moved",
                format!("lead:{lead_id}"),
                json!({ "from_stage_id": h.from_stage.as_ref().map(|s| s.0), "to_stage_id": h.to_stage.0 }),
            )
            .await?;
        }
        Ok(moved)
    }

    /// A lead's moves, newest first.
    pub async fn lead_history(&self, lead_id: Uuid) -> Result<Vec<HistoryRecord>> {
        let db = &self.store.db;
        lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::Id.eq(lead_id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(stage_history::Entity::find()
            .filter(stage_history::Column::OrgId.eq(self.org_id))
            .filter(stage_history::Column::ContactId.eq(lead_id))
            .order_by_desc(stage_history::Column::Id)
            .limit(500)
            .all(db)
            .await?
            .into_iter()
            .map(history_record)
            .collect())
    }

    /// How many leads each stage holds (every lead, no filter): the running totals, not a
    /// count of the cards (a quarter of a second on every board and stage list at a million).
    pub async fn stage_counts(&self) -> Result<HashMap<Uuid, u64>> {
        Ok(self
            .store
            .lead_totals(self.org_id)
            .await?
            .into_iter()
            .filter_map(|(stage, t)| Some((stage?, u64::try_from(t.leads).unwrap_or(0))))
            .collect())
    }
}

impl From<PipelineError> for StoreError {
    fn from(e: PipelineError) -> Self {
        StoreError::Pipeline(e)
    }
}
