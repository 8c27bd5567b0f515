//! `closer rollups rebuild`: the rollups recomputed from scratch from the tables themselves —
//! leads, messages, decisions, stage history and the activity log — with the counting
//! functions the live path uses, in one transaction. For after a bug fix, a timezone change,
//! or data written before m0023 (or by `seed-demo`, which writes tables directly).

use crate::Store;
use crate::entities::analytics::{campaign, conversation_fact, lead_fact, rollup, rollup_month};
use crate::entities::{activity, contact, conversation, decision, message, org, stage_history};
use crate::error::Result;
use crate::rollups::{
    DecisionFigures, HistoryRow, Tallies, count_decision, count_event, count_first_reply,
    count_funnel, count_lead, count_message_in, count_move, count_price, funnel_move,
    insert_conversation_facts, insert_lead_facts, latest_sentiment, name_campaigns, source_of,
    stage_places, zone_of,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use closer_domain::activity::ActivityKind;
use closer_domain::analytics::{RollupMetric as M, ad_name, local_day, zone};
use closer_domain::funnel::LeadFunnel;
use closer_domain::messaging::{Author, Direction};
use closer_domain::sales::LeadSource;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

const PAGE: u64 = 10_000;

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildSummary {
    pub leads: usize,
    pub conversations: usize,
    pub messages: usize,
    pub rollup_rows: usize,
    pub elapsed: Duration,
}

/// What is known of each conversation while the messages stream past.
#[derive(Default)]
struct Thread {
    org: Uuid,
    lead: Uuid,
    first_in: Option<DateTime<Utc>>,
    outbound: Vec<DateTime<Utc>>,
}

struct Rebuild {
    zones: HashMap<Uuid, Tz>,
    /// Lead → its source key.
    sources: HashMap<Uuid, String>,
    threads: HashMap<Uuid, Thread>,
    t: Tallies,
    messages: usize,
}

impl Rebuild {
    fn tz(&self, org: Uuid) -> Tz {
        zone_of(&self.zones, org)
    }

    fn source(&self, lead: Uuid) -> &str {
        self.sources
            .get(&lead)
            .map_or(LeadSource::Unknown.as_str(), String::as_str)
    }

    fn thread_source(&self, conversation: Uuid) -> &str {
        self.threads
            .get(&conversation)
            .map_or(LeadSource::Unknown.as_str(), |t| self.source(t.lead))
    }
}

impl Store {
    /// Recomputes every organisation's rollups from the tables.
    pub async fn rebuild_rollups(&self) -> Result<RebuildSummary> {
        let started = Instant::now();
        let txn = self.begin_write().await?;
        let db = &*txn;
        rollup::Entity::delete_many().exec(db).await?;
        rollup_month::Entity::delete_many().exec(db).await?;
        lead_fact::Entity::delete_many().exec(db).await?;
        conversation_fact::Entity::delete_many().exec(db).await?;
        campaign::Entity::delete_many().exec(db).await?;
        let zones = org::Entity::find().all(db).await?;
        let mut r = Rebuild {
            zones: zones
                .into_iter()
                .map(|o| (o.id, zone(o.timezone.as_deref())))
                .collect(),
            sources: HashMap::new(),
            threads: HashMap::new(),
            t: Tallies::default(),
            messages: 0,
        };
        let leads = leads(db, &mut r).await?;
        threads(db, &mut r).await?;
        messages(db, &mut r).await?;
        let conversations = conversation_facts(db, &mut r).await?;
        decisions(db, &mut r).await?;
        moves(db, &mut r).await?;
        activity_counts(db, &mut r).await?;
        let rollup_rows = r.t.len();
        r.t.write(db).await?;
        txn.commit().await?;
        Ok(RebuildSummary {
            leads,
            conversations,
            messages: r.messages,
            rollup_rows,
            elapsed: started.elapsed(),
        })
    }
}

async fn leads(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<usize> {
    let mut after = Uuid::nil();
    let mut n = 0;
    loop {
        let page = contact::Entity::find()
            .filter(contact::Column::Id.gt(after))
            .order_by_asc(contact::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let (mut facts, mut ads) = (vec![], vec![]);
        for c in page {
            let source = source_of(c.lead_source, c.campaign.as_ref());
            let tz = r.tz(c.org_id);
            count_lead(&mut r.t, c.org_id, tz, c.first_seen_at, &source);
            if let (Some(ad), Some(name)) =
                (&source.campaign_id, c.campaign.as_ref().and_then(ad_name))
            {
                ads.push(campaign::Model {
                    org_id: c.org_id,
                    campaign_id: ad.clone(),
                    name,
                });
            }
            r.sources.insert(c.id, source.key());
            facts.push(lead_fact::Model {
                org_id: c.org_id,
                contact_id: c.id,
                source: source.key(),
                first_at: c.first_seen_at,
            });
        }
        n += facts.len();
        insert_lead_facts(db, facts).await?;
        name_campaigns(db, ads).await?;
    }
    Ok(n)
}

async fn threads(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<()> {
    let mut after = Uuid::nil();
    loop {
        let page: Vec<(Uuid, Uuid, Uuid)> = conversation::Entity::find()
            .select_only()
            .columns([
                conversation::Column::Id,
                conversation::Column::OrgId,
                conversation::Column::ContactId,
            ])
            .filter(conversation::Column::Id.gt(after))
            .order_by_asc(conversation::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (id, org, lead) in page {
            r.threads.insert(
                id,
                Thread {
                    org,
                    lead,
                    ..Thread::default()
                },
            );
        }
    }
    Ok(())
}

type MessageRow = (
    Uuid,
    Uuid,
    Uuid,
    Direction,
    Author,
    DateTime<Utc>,
    Option<f64>,
    Option<String>,
);

async fn messages(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<()> {
    let mut after = Uuid::nil();
    loop {
        let page: Vec<MessageRow> = message::Entity::find()
            .select_only()
            .columns([
                message::Column::Id,
                message::Column::OrgId,
                message::Column::ConversationId,
                message::Column::Direction,
                message::Column::Author,
                message::Column::CreatedAt,
                message::Column::CostAmount,
                message::Column::CostCurrency,
            ])
            .filter(message::Column::Id.gt(after))
            .order_by_asc(message::Column::Id)
            .limit(PAGE)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (_, org, conv, direction, author, at, cost, currency) in page {
            // A team note is not a message to or from the lead.
            if author == Author::Note {
                continue;
            }
            r.messages += 1;
            let tz = r.tz(org);
            let source = r.thread_source(conv).to_owned();
            let day = local_day(at, tz);
            count_price(
                &mut r.t,
                org,
                day,
                cost.zip(currency.as_deref()),
                1,
                &source,
            );
            let Some(thread) = r.threads.get_mut(&conv) else {
                continue;
            };
            match direction {
                Direction::Inbound => {
                    count_message_in(&mut r.t, org, tz, at);
                    thread.first_in = Some(thread.first_in.map_or(at, |f| f.min(at)));
                }
                Direction::Outbound => {
                    r.t.one(org, M::MessagesOut, day);
                    thread.outbound.push(at);
                }
            }
        }
    }
    Ok(())
}

/// Each conversation a lead wrote in: started by its first lead message, answered by the first
/// message to the lead after it.
async fn conversation_facts(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<usize> {
    let mut facts = vec![];
    for (id, thread) in &r.threads {
        let Some(started) = thread.first_in else {
            continue;
        };
        let tz = zone_of(&r.zones, thread.org);
        r.t.one(thread.org, M::Conversations, local_day(started, tz));
        let reply = thread
            .outbound
            .iter()
            .filter(|at| **at >= started)
            .min()
            .copied();
        if let Some(replied) = reply {
            count_first_reply(&mut r.t, thread.org, tz, started, replied);
        }
        facts.push(conversation_fact::Model {
            org_id: thread.org,
            conversation_id: *id,
            contact_id: thread.lead,
            source: r
                .sources
                .get(&thread.lead)
                .cloned()
                .unwrap_or_else(|| LeadSource::Unknown.as_str().to_owned()),
            started_at: started,
            first_reply_at: reply,
        });
    }
    let n = facts.len();
    insert_conversation_facts(db, facts).await?;
    Ok(n)
}

async fn decisions(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<()> {
    let mut after = Uuid::nil();
    loop {
        let page = decision::Entity::find()
            .filter(decision::Column::Id.gt(after))
            .order_by_asc(decision::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for d in page {
            let figures = DecisionFigures {
                engine: d.engine,
                reason_code: d.reason_code,
                handoff_required: d.handoff_required,
                retrieval_used: d.retrieval_used,
                guardrails: d.guardrails.clone().unwrap_or_default(),
                input_tokens: d.input_tokens.into(),
                output_tokens: d.output_tokens.into(),
                cost_usd: d.cost_usd,
                sentiment: d.state_after.as_ref().and_then(latest_sentiment),
            };
            let day = local_day(d.created_at, r.tz(d.org_id));
            let source = r.thread_source(d.conversation_id).to_owned();
            count_decision(&mut r.t, d.org_id, day, &figures, &source);
        }
    }
    Ok(())
}

/// Moves to won and lost stages, and the funnel: every lead's moves in the order they
/// happened (ids are time-ordered) through the rule the live path applies.
async fn moves(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<()> {
    let stages = stage_places(db, None).await?;
    let mut funnels: HashMap<Uuid, LeadFunnel> = HashMap::new();
    let mut after = Uuid::nil();
    loop {
        let page: Vec<(Uuid, Uuid, HistoryRow)> = stage_history::Entity::find()
            .select_only()
            .columns([
                stage_history::Column::Id,
                stage_history::Column::OrgId,
                stage_history::Column::ContactId,
                stage_history::Column::FromStageId,
                stage_history::Column::ToStageId,
                stage_history::Column::SecondsInFromStage,
                stage_history::Column::At,
            ])
            .filter(stage_history::Column::Id.gt(after))
            .order_by_asc(stage_history::Column::Id)
            .limit(PAGE)
            .into_tuple::<(
                Uuid,
                Uuid,
                Uuid,
                Option<Uuid>,
                Uuid,
                Option<i64>,
                DateTime<Utc>,
            )>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, org, lead, from, to, secs, at)| (id, org, (lead, from, to, secs, at)))
            .collect();
        let Some(last) = page.last() else { break };
        after = last.0;
        for (_, org, row) in page {
            let tz = r.tz(org);
            let counts = funnels
                .entry(row.0)
                .or_default()
                .apply(&funnel_move(&row, tz), &stages);
            count_funnel(&mut r.t, org, counts);
            // A lead's first placement is not a move (the live path logs moves only).
            if row.1.is_some() {
                let source = r.source(row.0).to_owned();
                let kind = stages.get(&row.2).map(|s| s.kind);
                count_move(&mut r.t, org, local_day(row.4, tz), kind, &source);
            }
        }
    }
    Ok(())
}

/// What only the activity log knows: qualifications, bookings, hand-offs and takeovers.
async fn activity_counts(db: &impl ConnectionTrait, r: &mut Rebuild) -> Result<()> {
    let kinds = [
        ActivityKind::CtaAccepted,
        ActivityKind::HandoffRequested,
        ActivityKind::TakeoverStarted,
        ActivityKind::LeadStatusChanged,
    ];
    let mut after = Uuid::nil();
    loop {
        let page = activity::Entity::find()
            .filter(activity::Column::Id.gt(after))
            .filter(activity::Column::Kind.is_in(kinds))
            .order_by_asc(activity::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for a in page {
            let source = a.contact_id.map(|c| r.source(c).to_owned());
            let payload = a.payload.unwrap_or_default();
            let tz = r.tz(a.org_id);
            count_event(
                &mut r.t,
                a.org_id,
                tz,
                a.kind,
                &payload,
                a.at,
                source.as_deref(),
            );
        }
    }
    Ok(())
}
