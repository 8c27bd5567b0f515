//! Analytics rollups: one row per (organisation, metric, local day, dimension), added to in the
//! transaction of the change that is counted — activity appended, a decision applied, a
//! message priced — so a report reads a few hundred rows, never the messages. Each writer
//! gathers its counts into [`Tallies`] and writes them in one statement per group of changes
//! (an ingest group of many organisations included). `rollups_rebuild` recomputes everything
//! from the tables with the same counting functions.

use crate::activity::NewActivity;
use crate::entities::analytics::{campaign, conversation_fact, lead_fact, rollup, rollup_month};
use crate::entities::{contact, org, pipeline_stage, stage_history};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use closer_domain::activity::ActivityKind;
use closer_domain::agent::{DecisionEngine, GuardAction};
use closer_domain::analytics::{
    NO_DIMENSION, RollupMetric as M, SentimentGroup, SourceKey, ad_name, hour_key, local_day,
    month_of, to_micros, zone,
};
use closer_domain::funnel::{FunnelCount, FunnelMove, LeadFunnel, StagePlace};
use closer_domain::pipeline::StageKind;
use closer_domain::sales::{CtaType, LeadSource, LeadStatus, ReasonCode, Sentiment};
use sea_orm::sea_query::{Alias, Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

const CHUNK: usize = 500;

/// Counts to add, merged by key before they are written.
#[derive(Debug, Default)]
pub(crate) struct Tallies {
    counts: BTreeMap<(Uuid, M, NaiveDate, String), i64>,
    /// The timezones read while counting: a later count in the same transaction (an ingest
    /// group's activity after its placements) reads only those it lacks.
    zones: HashMap<Uuid, Tz>,
}

impl Tallies {
    pub(crate) fn add(&mut self, org: Uuid, metric: M, day: NaiveDate, dim: &str, value: i64) {
        if value != 0 {
            *self
                .counts
                .entry((org, metric, day, dim.to_owned()))
                .or_default() += value;
        }
    }

    /// The timezones of `orgs`: those already read in this count, and the rest in one query.
    async fn zones_for(
        &mut self,
        db: &impl ConnectionTrait,
        orgs: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, Tz>> {
        let orgs: BTreeSet<Uuid> = orgs.into_iter().collect();
        let missing = orgs.iter().filter(|o| !self.zones.contains_key(o)).copied();
        let read = zones(db, missing.collect::<Vec<_>>()).await?;
        self.zones.extend(read);
        Ok(orgs
            .into_iter()
            .filter_map(|o| Some((o, *self.zones.get(&o)?)))
            .collect())
    }

    pub(crate) fn len(&self) -> usize {
        self.counts.len()
    }

    pub(crate) fn one(&mut self, org: Uuid, metric: M, day: NaiveDate) {
        self.add(org, metric, day, NO_DIMENSION, 1);
    }

    /// Adds the counts to the daily rollups and to their months': one upsert per `CHUNK`
    /// rows of each.
    pub(crate) async fn write(self, db: &impl ConnectionTrait) -> Result<()> {
        let mut months: BTreeMap<(Uuid, M, NaiveDate, String), i64> = BTreeMap::new();
        for ((org, metric, day, dim), value) in &self.counts {
            *months
                .entry((*org, *metric, month_of(*day), dim.clone()))
                .or_default() += value;
        }
        let days = self.counts.into_iter().filter(|(_, v)| *v != 0).map(
            |((org_id, metric, day, dim), value)| {
                rollup::ActiveModel::from(rollup::Model {
                    org_id,
                    metric,
                    day,
                    dim,
                    value,
                })
            },
        );
        add_rows(db, days, add_on_conflict(ROLLUP_KEY, "analytics_rollups")).await?;
        let months = months.into_iter().filter(|(_, v)| *v != 0).map(
            |((org_id, metric, month, dim), value)| {
                rollup_month::ActiveModel::from(rollup_month::Model {
                    org_id,
                    metric,
                    month,
                    dim,
                    value,
                })
            },
        );
        add_rows(
            db,
            months,
            add_on_conflict(MONTH_KEY, "analytics_rollups_monthly"),
        )
        .await
    }
}

const ROLLUP_KEY: [rollup::Column; 4] = [
    rollup::Column::OrgId,
    rollup::Column::Metric,
    rollup::Column::Day,
    rollup::Column::Dim,
];

const MONTH_KEY: [rollup_month::Column; 4] = [
    rollup_month::Column::OrgId,
    rollup_month::Column::Metric,
    rollup_month::Column::Month,
    rollup_month::Column::Dim,
];

/// Upserts `rows`, `CHUNK` to a statement.
async fn add_rows<A>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = A>,
    on_conflict: OnConflict,
) -> Result<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        A::Entity::insert_many(chunk)
            .on_conflict(on_conflict.clone())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// An existing row is added to, never overwritten: concurrent writers both count.
fn add_on_conflict<C: sea_orm::sea_query::IntoIden + Copy + 'static>(
    key: [C; 4],
    table: &str,
) -> OnConflict {
    OnConflict::columns(key)
        .value(
            Alias::new("value"),
            Expr::cust(format!("{table}.value + excluded.value")),
        )
        .to_owned()
}

/// Each organisation's timezone, in one query.
pub(crate) async fn zones(
    db: &impl ConnectionTrait,
    orgs: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Tz>> {
    let ids: BTreeSet<Uuid> = orgs.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Option<String>)> = org::Entity::find()
        .select_only()
        .column(org::Column::Id)
        .column(org::Column::Timezone)
        .filter(org::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, tz)| (id, zone(tz.as_deref())))
        .collect())
}

pub(crate) fn zone_of(zones: &HashMap<Uuid, Tz>, org: Uuid) -> Tz {
    zones.get(&org).copied().unwrap_or(Tz::UTC)
}

/// The source a lead is counted under, from its row.
pub(crate) fn source_of(lead_source: LeadSource, campaign: Option<&Value>) -> SourceKey {
    let campaign_id = match lead_source {
        LeadSource::ClickToChatAd => campaign.and_then(closer_domain::analytics::ad_id),
        _ => None,
    };
    SourceKey {
        lead_source,
        campaign_id,
    }
}

/// A moment named in an activity's payload (`sent_at`: the WhatsApp timestamp), or `at`.
fn moment(payload: &Value, key: &str, at: DateTime<Utc>) -> DateTime<Utc> {
    payload
        .get(key)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or(at)
}

fn counted(kind: ActivityKind) -> bool {
    use ActivityKind as K;
    matches!(
        kind,
        K::LeadCreated
            | K::MessageReceived
            | K::MessageSent
            | K::CtaAccepted
            | K::HandoffRequested
            | K::TakeoverStarted
            | K::LeadStatusChanged
            | K::LeadMoved
    )
}

/// Counts activity appended at `at`, in the appending transaction, and writes them with the
/// caller's other counts `t`. Queries are per call (one ingest group, one decision), never per
/// event.
pub(crate) async fn note_activity(
    db: &impl ConnectionTrait,
    events: &[(Uuid, NewActivity)],
    at: DateTime<Utc>,
    mut t: Tallies,
) -> Result<()> {
    let all = events;
    let events: Vec<&(Uuid, NewActivity)> =
        events.iter().filter(|(_, e)| counted(e.kind)).collect();
    if events.is_empty() {
        return t.write(db).await;
    }
    let zones = t.zones_for(db, events.iter().map(|(org, _)| *org)).await?;
    // The rows of the leads created here, and of those whose conversation started here, in
    // one read: a new-lead ingest group needs both.
    let started = conversations_started(all);
    let origins = lead_rows(db, &new_leads(all, &started)).await?;
    note_new_leads(db, &events, &origins, &zones, &mut t).await?;
    note_new_conversations(db, &events, &origins, &started, &zones, &mut t, at).await?;
    note_first_replies(db, &events, &zones, &mut t, at).await?;
    let sources = lead_sources(db, &events).await?;
    for (org, e) in &events {
        let tz = zone_of(&zones, *org);
        let source = e.contact_id.and_then(|c| sources.get(&(*org, c)));
        count_event(
            &mut t,
            *org,
            tz,
            e.kind,
            &e.payload,
            at,
            source.map(String::as_str),
        );
    }
    t.write(db).await
}

/// The conversations these events say were created in this transaction.
fn conversations_started(events: &[(Uuid, NewActivity)]) -> BTreeSet<Uuid> {
    events
        .iter()
        .filter(|(_, e)| e.kind == ActivityKind::ConversationCreated)
        .filter_map(|(_, e)| e.conversation_id)
        .collect()
}

/// The leads created by these events, and those whose conversation `started` here.
fn new_leads(events: &[(Uuid, NewActivity)], started: &BTreeSet<Uuid>) -> BTreeSet<(Uuid, Uuid)> {
    events
        .iter()
        .filter(|(_, e)| {
            e.kind == ActivityKind::LeadCreated
                || e.conversation_id.is_some_and(|c| started.contains(&c))
        })
        .filter_map(|(org, e)| Some((*org, e.contact_id?)))
        .collect()
}

/// The counts one event makes by itself (the lead and conversation facts aside).
pub(crate) fn count_event(
    t: &mut Tallies,
    org: Uuid,
    tz: Tz,
    kind: ActivityKind,
    payload: &Value,
    at: DateTime<Utc>,
    source: Option<&str>,
) {
    let day = local_day(at, tz);
    let source = source.unwrap_or(LeadSource::Unknown.as_str());
    let to = payload.get("to").and_then(Value::as_str);
    match kind {
        ActivityKind::MessageReceived => {
            let sent = moment(payload, "sent_at", at);
            count_message_in(t, org, tz, sent);
        }
        ActivityKind::MessageSent => t.one(
            org,
            M::MessagesOut,
            local_day(moment(payload, "sent_at", at), tz),
        ),
        ActivityKind::CtaAccepted => {
            let cta = payload
                .get("cta")
                .and_then(Value::as_str)
                .and_then(|c| c.parse::<CtaType>().ok());
            if cta.is_some_and(CtaType::is_booking) {
                t.one(org, M::Bookings, day);
            }
        }
        ActivityKind::HandoffRequested => t.one(org, M::Handoffs, day),
        ActivityKind::TakeoverStarted => t.one(org, M::Takeovers, day),
        ActivityKind::LeadStatusChanged if to == Some(LeadStatus::Qualified.as_str()) => {
            t.one(org, M::Qualified, day);
            t.add(org, M::SourceQualified, day, source, 1);
        }
        ActivityKind::LeadMoved => {
            let kind = payload.get("to_kind").and_then(Value::as_str);
            count_move(t, org, day, kind.and_then(|k| k.parse().ok()), source);
        }
        _ => {}
    }
}

pub(crate) fn count_message_in(t: &mut Tallies, org: Uuid, tz: Tz, sent: DateTime<Utc>) {
    let day = local_day(sent, tz);
    t.one(org, M::MessagesIn, day);
    t.add(org, M::MessagesInByHour, day, &hour_key(sent, tz), 1);
}

/// A lead entering a won or lost stage.
pub(crate) fn count_move(
    t: &mut Tallies,
    org: Uuid,
    day: NaiveDate,
    kind: Option<StageKind>,
    source: &str,
) {
    match kind {
        Some(StageKind::Won) => {
            t.one(org, M::Won, day);
            t.add(org, M::SourceWon, day, source, 1);
        }
        Some(StageKind::Lost) => t.one(org, M::Lost, day),
        _ => {}
    }
}

/// The sources of the leads events are about that count by source (qualified, won).
async fn lead_sources(
    db: &impl ConnectionTrait,
    events: &[&(Uuid, NewActivity)],
) -> Result<HashMap<(Uuid, Uuid), String>> {
    let wanted: BTreeSet<(Uuid, Uuid)> = events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e.kind,
                ActivityKind::LeadStatusChanged | ActivityKind::LeadMoved
            )
        })
        .filter_map(|(org, e)| Some((*org, e.contact_id?)))
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Uuid, String)> = lead_fact::Entity::find()
        .select_only()
        .columns([
            lead_fact::Column::OrgId,
            lead_fact::Column::ContactId,
            lead_fact::Column::Source,
        ])
        .filter(
            lead_fact::Column::OrgId.is_in(wanted.iter().map(|(o, _)| *o).collect::<BTreeSet<_>>()),
        )
        .filter(lead_fact::Column::ContactId.is_in(wanted.iter().map(|(_, c)| *c)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(o, c, s)| ((o, c), s)).collect())
}

/// What a lead's row says of where it came from: its source, its ad, when it first wrote.
type LeadOrigin = (LeadSource, Option<Value>, DateTime<Utc>);
type LeadRow = (Uuid, Uuid, LeadSource, Option<Value>, DateTime<Utc>);

/// Each lead's row, for its source.
async fn lead_rows(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<(Uuid, Uuid)>,
) -> Result<HashMap<(Uuid, Uuid), LeadOrigin>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<LeadRow> = contact::Entity::find()
        .select_only()
        .columns([
            contact::Column::OrgId,
            contact::Column::Id,
            contact::Column::LeadSource,
            contact::Column::Campaign,
            contact::Column::FirstSeenAt,
        ])
        .filter(contact::Column::OrgId.is_in(ids.iter().map(|(o, _)| *o).collect::<BTreeSet<_>>()))
        .filter(contact::Column::Id.is_in(ids.iter().map(|(_, c)| *c)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(o, c, s, camp, first)| ((o, c), (s, camp, first)))
        .collect())
}

/// New leads: their fact (source frozen as first seen), their ad's name, and their count on
/// the day of their first message.
async fn note_new_leads(
    db: &impl ConnectionTrait,
    events: &[&(Uuid, NewActivity)],
    origins: &HashMap<(Uuid, Uuid), LeadOrigin>,
    zones: &HashMap<Uuid, Tz>,
    t: &mut Tallies,
) -> Result<()> {
    let created: BTreeSet<(Uuid, Uuid)> = events
        .iter()
        .filter(|(_, e)| e.kind == ActivityKind::LeadCreated)
        .filter_map(|(org, e)| Some((*org, e.contact_id?)))
        .collect();
    let mut facts = vec![];
    let mut ads = vec![];
    for &(org, id) in &created {
        let Some((lead_source, campaign, first_at)) = origins.get(&(org, id)) else {
            continue;
        };
        // Dated by the first message (a lead a member added: when it was added).
        let first_at = *first_at;
        let source = source_of(*lead_source, campaign.as_ref());
        count_lead(t, org, zone_of(zones, org), first_at, &source);
        if let (Some(ad), Some(name)) = (&source.campaign_id, campaign.as_ref().and_then(ad_name)) {
            ads.push(campaign::Model {
                org_id: org,
                campaign_id: ad.clone(),
                name,
            });
        }
        facts.push(lead_fact::Model {
            org_id: org,
            contact_id: id,
            source: source.key(),
            first_at,
        });
    }
    insert_lead_facts(db, facts).await?;
    name_campaigns(db, ads).await
}

pub(crate) fn count_lead(
    t: &mut Tallies,
    org: Uuid,
    tz: Tz,
    first_at: DateTime<Utc>,
    source: &SourceKey,
) {
    let day = local_day(first_at, tz);
    t.one(org, M::Leads, day);
    t.add(org, M::SourceLeads, day, &source.key(), 1);
}

pub(crate) async fn insert_lead_facts(
    db: &impl ConnectionTrait,
    facts: Vec<lead_fact::Model>,
) -> Result<()> {
    for chunk in facts.chunks(CHUNK) {
        lead_fact::Entity::insert_many(chunk.iter().cloned().map(lead_fact::ActiveModel::from))
            .on_conflict(
                OnConflict::columns([lead_fact::Column::OrgId, lead_fact::Column::ContactId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// An ad keeps the headline it was last seen with.
pub(crate) async fn name_campaigns(
    db: &impl ConnectionTrait,
    ads: Vec<campaign::Model>,
) -> Result<()> {
    let mut unique: BTreeMap<(Uuid, String), campaign::Model> = BTreeMap::new();
    for ad in ads {
        unique.insert((ad.org_id, ad.campaign_id.clone()), ad);
    }
    let ads: Vec<_> = unique.into_values().collect();
    for chunk in ads.chunks(CHUNK) {
        campaign::Entity::insert_many(chunk.iter().cloned().map(campaign::ActiveModel::from))
            .on_conflict(
                OnConflict::columns([campaign::Column::OrgId, campaign::Column::CampaignId])
                    .update_column(campaign::Column::Name)
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Conversations whose first lead message is among the events: their fact and count, dated by
/// that message's WhatsApp timestamp.
async fn note_new_conversations(
    db: &impl ConnectionTrait,
    events: &[&(Uuid, NewActivity)],
    origins: &HashMap<(Uuid, Uuid), LeadOrigin>,
    started: &BTreeSet<Uuid>,
    zones: &HashMap<Uuid, Tz>,
    t: &mut Tallies,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut first: BTreeMap<Uuid, (Uuid, Uuid, DateTime<Utc>)> = BTreeMap::new();
    for (org, e) in events
        .iter()
        .filter(|(_, e)| e.kind == ActivityKind::MessageReceived)
    {
        let (Some(conv), Some(lead)) = (e.conversation_id, e.contact_id) else {
            continue;
        };
        let sent = moment(&e.payload, "sent_at", at);
        let entry = first.entry(conv).or_insert((*org, lead, sent));
        entry.2 = entry.2.min(sent);
    }
    if first.is_empty() {
        return Ok(());
    }
    // A conversation started in this transaction has no fact yet; only older ones are looked up.
    let older: Vec<Uuid> = first
        .keys()
        .filter(|c| !started.contains(c))
        .copied()
        .collect();
    if !older.is_empty() {
        let orgs: BTreeSet<Uuid> = first.values().map(|(o, _, _)| *o).collect();
        let known: BTreeSet<Uuid> = conversation_fact::Entity::find()
            .select_only()
            .column(conversation_fact::Column::ConversationId)
            .filter(conversation_fact::Column::OrgId.is_in(orgs))
            .filter(conversation_fact::Column::ConversationId.is_in(older))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        first.retain(|conv, _| !known.contains(conv));
    }
    let missing: BTreeSet<(Uuid, Uuid)> = first
        .values()
        .map(|(o, l, _)| (*o, *l))
        .filter(|lead| !origins.contains_key(lead))
        .collect();
    let more = lead_rows(db, &missing).await?;
    let mut facts = vec![];
    for (conv, (org, lead, started_at)) in first {
        let source = origins
            .get(&(org, lead))
            .or_else(|| more.get(&(org, lead)))
            .map(|(s, camp, _)| source_of(*s, camp.as_ref()).key())
            .unwrap_or_else(|| LeadSource::Unknown.as_str().to_owned());
        t.one(
            org,
            M::Conversations,
            local_day(started_at, zone_of(zones, org)),
        );
        facts.push(conversation_fact::Model {
            org_id: org,
            conversation_id: conv,
            contact_id: lead,
            source,
            started_at,
            first_reply_at: None,
        });
    }
    insert_conversation_facts(db, facts).await
}

pub(crate) async fn insert_conversation_facts(
    db: &impl ConnectionTrait,
    facts: Vec<conversation_fact::Model>,
) -> Result<()> {
    for chunk in facts.chunks(CHUNK) {
        conversation_fact::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(conversation_fact::ActiveModel::from),
        )
        .on_conflict(
            OnConflict::columns([
                conversation_fact::Column::OrgId,
                conversation_fact::Column::ConversationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// A conversation's first reply: counted (with how long it took) on the day it started.
async fn note_first_replies(
    db: &impl ConnectionTrait,
    events: &[&(Uuid, NewActivity)],
    zones: &HashMap<Uuid, Tz>,
    t: &mut Tallies,
    at: DateTime<Utc>,
) -> Result<()> {
    for (org, e) in events
        .iter()
        .filter(|(_, e)| e.kind == ActivityKind::MessageSent)
    {
        let Some(conv) = e.conversation_id else {
            continue;
        };
        let sent = moment(&e.payload, "sent_at", at);
        let answered = conversation_fact::Entity::update_many()
            .col_expr(conversation_fact::Column::FirstReplyAt, Expr::value(sent))
            .filter(conversation_fact::Column::OrgId.eq(*org))
            .filter(conversation_fact::Column::ConversationId.eq(conv))
            .filter(conversation_fact::Column::FirstReplyAt.is_null())
            .filter(conversation_fact::Column::StartedAt.lte(sent))
            .exec_with_returning(db)
            .await?;
        for fact in answered {
            count_first_reply(t, *org, zone_of(zones, *org), fact.started_at, sent);
        }
    }
    Ok(())
}

pub(crate) fn count_first_reply(
    t: &mut Tallies,
    org: Uuid,
    tz: Tz,
    started: DateTime<Utc>,
    replied: DateTime<Utc>,
) {
    let day = local_day(started, tz);
    t.one(org, M::Replied, day);
    let seconds = closer_domain::analytics::response_bucket((replied - started).num_seconds());
    t.add(org, M::FirstResponseSeconds, day, &seconds.to_string(), 1);
}

/// What a decision adds to the agent's figures.
#[derive(Debug, Clone)]
pub(crate) struct DecisionFigures {
    pub engine: DecisionEngine,
    pub reason_code: ReasonCode,
    pub handoff_required: bool,
    pub retrieval_used: bool,
    pub guardrails: Value,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_usd: f64,
    /// The lead's latest sentiment in the state the decision left.
    pub sentiment: Option<Sentiment>,
}

/// The last sentiment of a conversation state document.
pub(crate) fn latest_sentiment(state: &Value) -> Option<Sentiment> {
    let last = state.get("sentiment_history")?.as_array()?.last()?;
    last.get("sentiment")?.as_str()?.parse().ok()
}

pub(crate) fn count_decision(
    t: &mut Tallies,
    org: Uuid,
    day: NaiveDate,
    d: &DecisionFigures,
    source: &str,
) {
    t.add(org, M::Decisions, day, d.engine.as_str(), 1);
    t.add(org, M::DecisionReasons, day, d.reason_code.as_str(), 1);
    if d.handoff_required {
        t.one(org, M::HandoffDecisions, day);
    }
    if d.retrieval_used {
        t.one(org, M::KnowledgeAnswers, day);
    }
    let repaired = GuardAction::Repaired.as_str();
    for g in d.guardrails.as_array().into_iter().flatten() {
        if g.get("action").and_then(Value::as_str) == Some(repaired) {
            let rule = g.get("rule").and_then(Value::as_str).unwrap_or("unknown");
            t.add(org, M::GuardrailRepairs, day, rule, 1);
        }
    }
    t.add(org, M::TokensIn, day, NO_DIMENSION, d.input_tokens);
    t.add(org, M::TokensOut, day, NO_DIMENSION, d.output_tokens);
    let micros = to_micros(d.cost_usd);
    t.add(org, M::ModelCostMicros, day, NO_DIMENSION, micros);
    t.add(org, M::SourceModelCostMicros, day, source, micros);
    if let Some(s) = d.sentiment {
        t.add(org, M::Sentiment, day, SentimentGroup::of(s).as_str(), 1);
    }
}

/// The source a conversation's lead is counted under.
async fn conversation_source(
    db: &impl ConnectionTrait,
    org: Uuid,
    conversation: Uuid,
) -> Result<String> {
    let source: Option<String> = conversation_fact::Entity::find()
        .select_only()
        .column(conversation_fact::Column::Source)
        .filter(conversation_fact::Column::OrgId.eq(org))
        .filter(conversation_fact::Column::ConversationId.eq(conversation))
        .into_tuple()
        .one(db)
        .await?;
    Ok(source.unwrap_or_else(|| LeadSource::Unknown.as_str().to_owned()))
}

/// Counts a decision applied at `at`, in its transaction.
pub(crate) async fn note_decision(
    db: &impl ConnectionTrait,
    org: Uuid,
    conversation: Uuid,
    figures: &DecisionFigures,
    at: DateTime<Utc>,
) -> Result<()> {
    let tz = zone_of(&zones(db, [org]).await?, org);
    let source = conversation_source(db, org, conversation).await?;
    let mut t = Tallies::default();
    count_decision(&mut t, org, local_day(at, tz), figures, &source);
    t.write(db).await
}

/// Meta's charge for a message: micro-units by currency, on the day the message was queued.
pub(crate) fn count_price(
    t: &mut Tallies,
    org: Uuid,
    day: NaiveDate,
    cost: Option<(f64, &str)>,
    sign: i64,
    source: &str,
) {
    if let Some((amount, currency)) = cost {
        let micros = sign * to_micros(amount);
        t.add(org, M::MetaCostMicros, day, currency, micros);
        t.add(
            org,
            M::SourceMetaCostMicros,
            day,
            &format!("{currency}|{source}"),
            micros,
        );
    }
}

/// A message's price changed (Meta's last word stands): the old one is taken back, the new
/// one counted.
pub(crate) async fn note_price(
    db: &impl ConnectionTrait,
    org: Uuid,
    conversation: Uuid,
    queued_at: DateTime<Utc>,
    old: Option<(f64, &str)>,
    new: Option<(f64, &str)>,
) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let tz = zone_of(&zones(db, [org]).await?, org);
    let source = conversation_source(db, org, conversation).await?;
    let day = local_day(queued_at, tz);
    let mut t = Tallies::default();
    count_price(&mut t, org, day, old, -1, &source);
    count_price(&mut t, org, day, new, 1, &source);
    t.write(db).await
}

/// A move about to be written to a lead's stage history.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewMove {
    pub lead: Uuid,
    pub from: Option<Uuid>,
    pub to: Uuid,
    pub seconds_in_from: Option<i64>,
    pub at: DateTime<Utc>,
}

/// The organisation's stages as the funnel rules need them.
pub(crate) async fn stage_places(
    db: &impl ConnectionTrait,
    org: Option<Uuid>,
) -> Result<HashMap<Uuid, StagePlace>> {
    let mut q = pipeline_stage::Entity::find();
    if let Some(org) = org {
        q = q.filter(pipeline_stage::Column::OrgId.eq(org));
    }
    places(q, db).await
}

/// The stages of `orgs` as the funnel rules need them (stage ids are unique across them).
async fn stage_places_of(
    db: &impl ConnectionTrait,
    orgs: &BTreeSet<Uuid>,
) -> Result<HashMap<Uuid, StagePlace>> {
    let q = pipeline_stage::Entity::find()
        .filter(pipeline_stage::Column::OrgId.is_in(orgs.iter().copied()));
    places(q, db).await
}

async fn places(
    q: sea_orm::Select<pipeline_stage::Entity>,
    db: &impl ConnectionTrait,
) -> Result<HashMap<Uuid, StagePlace>> {
    Ok(q.all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, place_of(&s)))
        .collect())
}

fn place_of(stage: &pipeline_stage::Model) -> StagePlace {
    StagePlace {
        position: stage.position,
        kind: stage.kind,
    }
}

/// A stage-history row as the funnel reads it: lead, from, to, seconds in from, when.
pub(crate) type HistoryRow = (Uuid, Option<Uuid>, Uuid, Option<i64>, DateTime<Utc>);

pub(crate) fn funnel_move(row: &HistoryRow, tz: Tz) -> FunnelMove {
    FunnelMove {
        from: row.1,
        to: row.2,
        day: local_day(row.4, tz),
        seconds_in_from: row.3,
    }
}

/// Adds what `counts` say to the tallies.
pub(crate) fn count_funnel(t: &mut Tallies, org: Uuid, counts: Vec<FunnelCount>) {
    for c in counts {
        let (metric, day, dim) = c.rollup();
        t.add(org, metric, day, &dim, 1);
    }
}

/// Counts moves about to be written into the funnel's rollups, after each lead's earlier
/// moves (call before inserting the history rows).
pub(crate) async fn note_stage_moves(
    db: &impl ConnectionTrait,
    org: Uuid,
    moves: &[NewMove],
) -> Result<()> {
    let moves: Vec<(Uuid, NewMove)> = moves.iter().map(|m| (org, *m)).collect();
    note_stage_moves_of(db, &moves).await
}

/// [`note_stage_moves`] for moves of several organisations, in the same few statements as
/// for one.
pub(crate) async fn note_stage_moves_of(
    db: &impl ConnectionTrait,
    moves: &[(Uuid, NewMove)],
) -> Result<()> {
    if moves.is_empty() {
        return Ok(());
    }
    let orgs: BTreeSet<Uuid> = moves.iter().map(|(org, _)| *org).collect();
    let zones = zones(db, orgs.iter().copied()).await?;
    let stages = stage_places_of(db, &orgs).await?;
    let funnels = earlier_funnels(db, moves, &orgs, &zones, &stages).await?;
    let mut t = Tallies::default();
    count_moves(&mut t, moves, &zones, &stages, funnels);
    t.write(db).await
}

/// The funnel counts of the first moves of leads created in this transaction (new leads onto
/// their boards), with their organisations' stages as the caller read them: such a lead has
/// no earlier history to read. The caller writes the counts with its others: each statement
/// saved is a hand-off less on the ingest writer.
pub(crate) async fn count_first_moves(
    db: &impl ConnectionTrait,
    moves: &[(Uuid, NewMove)],
    stages: &[pipeline_stage::Model],
) -> Result<Tallies> {
    if moves.is_empty() {
        return Ok(Tallies::default());
    }
    let mut t = Tallies::default();
    let zones = t.zones_for(db, moves.iter().map(|(org, _)| *org)).await?;
    let stages = stages.iter().map(|s| (s.id, place_of(s))).collect();
    count_moves(&mut t, moves, &zones, &stages, HashMap::new());
    Ok(t)
}

/// Each lead's funnel so far, from its stage history (call before inserting the new rows).
async fn earlier_funnels(
    db: &impl ConnectionTrait,
    moves: &[(Uuid, NewMove)],
    orgs: &BTreeSet<Uuid>,
    zones: &HashMap<Uuid, Tz>,
    stages: &HashMap<Uuid, StagePlace>,
) -> Result<HashMap<Uuid, LeadFunnel>> {
    let org_of: HashMap<Uuid, Uuid> = moves.iter().map(|(org, m)| (m.lead, *org)).collect();
    let leads: Vec<Uuid> = org_of
        .keys()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut funnels: HashMap<Uuid, LeadFunnel> = HashMap::new();
    for chunk in leads.chunks(CHUNK) {
        let earlier: Vec<HistoryRow> = stage_history::Entity::find()
            .select_only()
            .columns([
                stage_history::Column::ContactId,
                stage_history::Column::FromStageId,
                stage_history::Column::ToStageId,
                stage_history::Column::SecondsInFromStage,
                stage_history::Column::At,
            ])
            .filter(stage_history::Column::OrgId.is_in(orgs.iter().copied()))
            .filter(stage_history::Column::ContactId.is_in(chunk.to_vec()))
            .order_by_asc(stage_history::Column::At)
            .order_by_asc(stage_history::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        for row in &earlier {
            let tz = zone_of(zones, org_of[&row.0]);
            funnels
                .entry(row.0)
                .or_default()
                .apply(&funnel_move(row, tz), stages);
        }
    }
    Ok(funnels)
}

/// Counts what `moves` add to the funnel, after each lead's funnel so far.
fn count_moves(
    t: &mut Tallies,
    moves: &[(Uuid, NewMove)],
    zones: &HashMap<Uuid, Tz>,
    stages: &HashMap<Uuid, StagePlace>,
    mut funnels: HashMap<Uuid, LeadFunnel>,
) {
    for (org, m) in moves {
        let row = (m.lead, m.from, m.to, m.seconds_in_from, m.at);
        let counts = funnels
            .entry(m.lead)
            .or_default()
            .apply(&funnel_move(&row, zone_of(zones, *org)), stages);
        count_funnel(t, *org, counts);
    }
}
