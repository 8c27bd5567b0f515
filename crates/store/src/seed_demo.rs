//! `closer seed-demo`: a year of a busy business in one organisation, to see and measure the
//! CRM at scale (issue 11, item 8) — an Indian coaching institute's leads with names, phones,
//! cities, sources and ad campaigns, tags, notes, custom field values, stage placements with
//! their history, and conversations whose messages follow a realistic shape: more leads as
//! the year goes on, fewer on Sundays, admission-season and Diwali peaks, mornings and
//! evenings busy in India's time, replies within seconds, sessions days apart.
//!
//! Rows go in with multi-row inserts, thousands of leads per transaction. The search index
//! fills itself (m0016's triggers); ids are UUIDv7 of each row's own time, as if written then,
//! so every id-ordered read (a conversation's messages, notes, history) sees the past in order.
//! The same `seed` gives the same data.

mod words;

use crate::entities::{
    conversation, custom_field, lead, lead_note, lead_tag, message, pipeline_card, pipeline_stage,
    saved_view, stage_history, tag, user,
};
use crate::error::Result;
use crate::{Store, now};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};
use closer_domain::Role;
use closer_domain::leads::{CustomFieldType, tag_folded};
use closer_domain::messaging::{
    Author, Channel, ConversationMode, DeliveryStatus, Direction, MessageType,
};
use closer_domain::pipeline::{MoveActor, StageKind};
use closer_domain::sales::{ConversationStage, LeadSource, LeadStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};
use uuid::Uuid;
use words::*;

/// How much to make.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    pub leads: u64,
    /// About this many messages (the last days' leads cannot all have had long talks).
    pub messages: u64,
    /// How far back the first lead is.
    pub days: u32,
    /// The same seed, the same data.
    pub seed: u64,
    /// Leads (with everything they hold) per transaction.
    pub leads_per_transaction: usize,
}

impl Default for DemoPlan {
    fn default() -> Self {
        DemoPlan {
            leads: 1_000_000,
            messages: 5_000_000,
            days: 365,
            seed: 42,
            leads_per_transaction: 5_000,
        }
    }
}

/// What was written so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoCounts {
    pub leads: u64,
    pub conversations: u64,
    pub messages: u64,
    pub notes: u64,
    pub lead_tags: u64,
    pub stage_moves: u64,
}

/// The organisation's members, stages, tags and fields the leads refer to.
struct Setup {
    org_id: Uuid,
    members: Vec<(Uuid, String)>,
    /// New, Engaged, Interested, Paid, Lost (the defaults, in order).
    stages: Vec<pipeline_stage::Model>,
    tags: Vec<(Uuid, u32)>,
}

/// Rows of many leads, inserted together.
#[derive(Default)]
struct Batch {
    leads: Vec<lead::ActiveModel>,
    notes: Vec<lead_note::ActiveModel>,
    tags: Vec<lead_tag::ActiveModel>,
    cards: Vec<pipeline_card::ActiveModel>,
    history: Vec<stage_history::ActiveModel>,
    conversations: Vec<conversation::ActiveModel>,
    messages: Vec<message::ActiveModel>,
}

/// The rows one statement may hold: both databases bind at most 32,766 (SQLite) or 65,535
/// (PostgreSQL) values per statement.
fn rows_per_statement(columns: usize) -> usize {
    (30_000 / columns).max(1)
}

macro_rules! insert_all {
    ($txn:expr, $entity:ty, $rows:expr, $columns:expr) => {
        for chunk in $rows.chunks(rows_per_statement($columns)) {
            <$entity>::insert_many(chunk.to_vec())
                .exec_without_returning($txn)
                .await?;
        }
    };
}

mod team_day;
pub use team_day::TeamDayCounts;

/// A UUIDv7 of `at`, its random bits from the seeded generator.
fn id_at(rng: &mut StdRng, at: DateTime<Utc>) -> Uuid {
    let bytes: [u8; 10] = rng.r#gen();
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes)
        .into_uuid()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// India's clock: UTC+5:30.
fn ist_offset() -> Duration {
    Duration::minutes(330)
}

/// How busy each hour of an Indian day is (0 = midnight IST).
const HOURS: [u32; 24] = [
    15, 8, 5, 4, 5, 10, 30, 60, 100, 140, 170, 180, 170, 150, 130, 120, 130, 150, 180, 210, 220,
    190, 130, 60,
];

/// A moment of the IST day starting at `midnight` (UTC), busy hours likelier.
fn time_in_day(rng: &mut StdRng, midnight: DateTime<Utc>) -> DateTime<Utc> {
    let hours: Vec<(u32, u32)> = HOURS
        .iter()
        .enumerate()
        .map(|(h, w)| (h as u32, *w))
        .collect();
    let hour = *weighted(rng, &hours);
    midnight + Duration::seconds(i64::from(hour) * 3600 + rng.gen_range(0..3600))
}

/// How many new leads a day brings, relative: growing through the year, quieter at weekends,
/// peaks at admission season (April–May), New Year and Diwali (late October–early November).
fn day_weight(day: DateTime<Utc>, index: u32, days: u32) -> f64 {
    let ist = day + ist_offset();
    let trend = 0.6 + 0.8 * f64::from(index) / f64::from(days.max(1));
    let week = match ist.weekday() {
        Weekday::Sun => 0.6,
        Weekday::Sat => 0.85,
        Weekday::Mon => 1.1,
        _ => 1.0,
    };
    let (m, d) = (ist.month(), ist.day());
    let season = match (m, d) {
        (4 | 5, _) => 1.3,
        (1, 1..=15) => 1.2,
        (10, 20..) | (11, ..=10) => 1.5,
        _ => 1.0,
    };
    trend * week * season
}

/// Leads per day, summing to `total` exactly.
fn leads_per_day(start: DateTime<Utc>, days: u32, total: u64) -> Vec<u64> {
    let weights: Vec<f64> = (0..days)
        .map(|i| day_weight(start + Duration::days(i64::from(i)), i, days))
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut out = Vec::with_capacity(days as usize);
    let (mut acc, mut given) = (0.0, 0u64);
    for w in weights {
        acc += w;
        let upto = ((acc / sum) * total as f64).round() as u64;
        out.push(upto.min(total) - given);
        given = upto.min(total);
    }
    if let Some(last) = out.last_mut() {
        *last += total - given;
    }
    out
}

impl Store {
    /// Seeds `plan` into organisation `org_id` (created by the caller with its owner):
    /// members sharing `password_hash`, tags, custom fields, saved views, then the leads,
    /// calling `progress` after every transaction.
    pub async fn seed_demo(
        &self,
        org_id: Uuid,
        owner_id: Uuid,
        owner_email: &str,
        password_hash: &str,
        plan: &DemoPlan,
        mut progress: impl FnMut(&DemoCounts),
    ) -> Result<DemoCounts> {
        let mut rng = StdRng::seed_from_u64(plan.seed);
        let setup = self
            .seed_setup(&mut rng, org_id, owner_id, owner_email, password_hash)
            .await?;
        let end = now();
        let first_midnight = {
            let ist = (end - Duration::days(i64::from(plan.days)) + ist_offset()).date_naive();
            Utc.from_utc_datetime(&ist.and_hms_opt(0, 0, 0).expect("midnight")) - ist_offset()
        };
        let per_day = leads_per_day(first_midnight, plan.days, plan.leads);
        let mut counts = DemoCounts::default();
        let mut batch = Batch::default();
        let mut phone_index = 0u64;
        for (day, n) in per_day.iter().enumerate() {
            let midnight = first_midnight + Duration::days(day as i64);
            let mut times: Vec<DateTime<Utc>> = (0..*n)
                .map(|_| time_in_day(&mut rng, midnight).min(end))
                .collect();
            times.sort();
            for created in times {
                let left = plan
                    .leads
                    .saturating_sub(counts.leads + batch.leads.len() as u64);
                let pending = counts.messages + batch.messages.len() as u64;
                let per_lead = plan.messages.saturating_sub(pending) as f64 / left.max(1) as f64;
                let lead = LeadPlan {
                    created,
                    end,
                    phone_index,
                    messages_per_lead: per_lead,
                };
                phone_index += 1;
                lead.write(&mut rng, &setup, &mut batch);
                if batch.leads.len() >= plan.leads_per_transaction {
                    self.seed_flush(org_id, &mut batch, &mut counts).await?;
                    progress(&counts);
                }
            }
        }
        if !batch.leads.is_empty() {
            self.seed_flush(org_id, &mut batch, &mut counts).await?;
            progress(&counts);
        }
        // The planner's statistics, as a server that has run a while would have them.
        match self.backend() {
            crate::Backend::Sqlite => {
                // A connection may keep the sampling limit `refresh_statistics` set.
                self.db
                    .execute_unprepared("PRAGMA analysis_limit=0; ANALYZE")
                    .await?
            }
            crate::Backend::Postgres => self.db.execute_unprepared("VACUUM ANALYZE").await?,
        };
        Ok(counts)
    }

    async fn seed_flush(&self, org_id: Uuid, b: &mut Batch, counts: &mut DemoCounts) -> Result<()> {
        let txn = self.begin_write().await?;
        // Notes first: the lead's insert trigger then indexes them with the lead, once.
        insert_all!(&*txn, lead_note::Entity, b.notes, 8);
        insert_all!(&*txn, lead::Entity, b.leads, 30);
        insert_all!(&*txn, lead_tag::Entity, b.tags, 4);
        insert_all!(&*txn, pipeline_card::Entity, b.cards, 8);
        insert_all!(&*txn, stage_history::Entity, b.history, 13);
        insert_all!(&*txn, conversation::Entity, b.conversations, 18);
        insert_all!(&*txn, message::Entity, b.messages, 26);
        txn.commit().await?;
        // The triggers' count rows, a few per lead, folded as the server would fold them.
        self.fold_lead_totals(org_id).await?;
        self.fold_rank_counts(org_id).await?;
        counts.leads += b.leads.len() as u64;
        counts.notes += b.notes.len() as u64;
        counts.lead_tags += b.tags.len() as u64;
        counts.stage_moves += b.history.len() as u64;
        counts.conversations += b.conversations.len() as u64;
        counts.messages += b.messages.len() as u64;
        *b = Batch::default();
        Ok(())
    }

    /// Members, tags, custom fields and saved views; the default stages exist already.
    async fn seed_setup(
        &self,
        rng: &mut StdRng,
        org_id: Uuid,
        owner_id: Uuid,
        owner_email: &str,
        password_hash: &str,
    ) -> Result<Setup> {
        let txn = self.begin_write().await?;
        let stages = crate::pipeline::ensure_stages(&*txn, org_id).await?;
        let at = now();
        let (local, domain) = owner_email
            .split_once('@')
            .unwrap_or(("demo", "example.com"));
        let mut members = vec![];
        for (i, name) in TEAM.iter().enumerate() {
            let id = id_at(rng, at);
            user::ActiveModel {
                id: Set(id),
                org_id: Set(org_id),
                name: Set((*name).to_owned()),
                email: Set(format!("{local}+team{}@{domain}", i + 1)),
                password_hash: Set(password_hash.to_owned()),
                role: Set(Role::Agent),
                active: Set(true),
                created_at: Set(at),
                updated_at: Set(at),
                totp_secret: Set(None),
                totp_pending_secret: Set(None),
                totp_enabled_at: Set(None),
                totp_last_step: Set(None),
                available: Set(true),
            }
            .insert(&*txn)
            .await?;
            members.push((id, (*name).to_owned()));
        }
        let mut tags = vec![];
        for (name, per_mille) in TAGS {
            let id = id_at(rng, at);
            tag::ActiveModel {
                id: Set(id),
                org_id: Set(org_id),
                name: Set((*name).to_owned()),
                name_folded: Set(tag_folded(name)),
                color: Set(crate::leads::tag_color_for(name)),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&*txn)
            .await?;
            tags.push((id, *per_mille));
        }
        let fields: [(&str, &str, CustomFieldType, Vec<&str>); 4] = [
            (
                "course",
                "Course",
                CustomFieldType::Select,
                COURSES.to_vec(),
            ),
            ("budget", "Budget", CustomFieldType::Currency, vec![]),
            (
                "batch",
                "Preferred batch",
                CustomFieldType::Select,
                BATCHES.to_vec(),
            ),
            ("visit_on", "Centre visit on", CustomFieldType::Date, vec![]),
        ];
        for (position, (key, label, kind, options)) in fields.into_iter().enumerate() {
            custom_field::ActiveModel {
                id: Set(id_at(rng, at)),
                org_id: Set(org_id),
                key: Set(key.to_owned()),
                label: Set(label.to_owned()),
                field_type: Set(kind),
                options: Set(Some(json!(options))),
                currency: Set((kind == CustomFieldType::Currency).then(|| "INR".to_owned())),
                position: Set(position as i32),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&*txn)
            .await?;
        }
        let interested = stages.get(2).map(|s| s.id.to_string());
        let views = [
            (
                "Hot JEE leads",
                json!([{"field": "tags", "operator": "in", "value": ["Hot"]},
                       {"field": "custom_fields.course", "operator": "equal_to", "value": "JEE"}]),
                None,
            ),
            (
                "Pune, active this month",
                json!([{"field": "city", "operator": "equal_to", "value": "Pune"},
                       {"field": "last_seen_at", "operator": "within_last_days", "value": 30}]),
                None,
            ),
            (
                "Interested, big budgets",
                json!([{"field": "stage_id", "operator": "equal_to", "value": interested},
                       {"field": "value_minor", "operator": "greater_than", "value": 5_000_000}]),
                Some("-value_minor"),
            ),
        ];
        for (name, filter, sort) in views {
            saved_view::ActiveModel {
                id: Set(id_at(rng, at)),
                org_id: Set(org_id),
                name: Set(name.to_owned()),
                filter: Set(Some(filter)),
                q: Set(None),
                sort: Set(sort.map(str::to_owned)),
                shared: Set(true),
                created_by: Set(owner_id),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(&*txn)
            .await?;
        }
        txn.commit().await?;
        let stages = pipeline_stage::Entity::find()
            .filter(pipeline_stage::Column::OrgId.eq(org_id))
            .order_by_asc(pipeline_stage::Column::Position)
            .all(&self.db)
            .await?;
        Ok(Setup {
            org_id,
            members,
            stages,
            tags,
        })
    }
}

/// One lead to write.
struct LeadPlan {
    created: DateTime<Utc>,
    end: DateTime<Utc>,
    /// Which of the distinct phone numbers it gets.
    phone_index: u64,
    /// Messages the remaining leads should average.
    messages_per_lead: f64,
}

/// Where a lead ended up, and how it got there.
struct Journey {
    /// Indexes into the stages, first to last.
    path: Vec<usize>,
    status: LeadStatus,
    conversation_stage: ConversationStage,
}

/// A distinct Indian mobile number for each index (a bijection of 0..4e9 onto 6000000000..).
fn phone_of(index: u64) -> String {
    const SPAN: u64 = 4_000_000_000;
    let n = (index.wrapping_mul(2_654_435_761) + 12_345) % SPAN;
    format!("+91{}", 6_000_000_000 + n)
}

impl LeadPlan {
    fn write(&self, rng: &mut StdRng, s: &Setup, b: &mut Batch) {
        let id = id_at(rng, self.created);
        let source = *weighted(
            rng,
            &[
                (LeadSource::OrganicInbound, 50),
                (LeadSource::ClickToChatAd, 30),
                (LeadSource::WebsiteWidget, 5),
                (LeadSource::QrCode, 3),
                (LeadSource::ReferralLink, 4),
                (LeadSource::Import, 6),
                (LeadSource::Manual, 2),
            ],
        );
        let by_channel = !matches!(source, LeadSource::Import | LeadSource::Manual);
        let talks = by_channel || rng.gen_bool(0.6);
        let times = if talks {
            self.message_times(rng, by_channel)
        } else {
            vec![]
        };
        let last_inbound = times
            .iter()
            .filter(|(_, d)| *d == Direction::Inbound)
            .map(|(t, _)| *t)
            .next_back();
        let last_seen = last_inbound.unwrap_or(self.created);
        let journey = journey(rng, self.created, self.end, times.len());
        let person = Person::new(rng, self.phone_index);
        b.leads
            .push(self.lead_row(rng, s, id, source, &journey, &person, last_seen));
        for (tag_id, per_mille) in &s.tags {
            if rng.gen_range(0..1000) < *per_mille {
                b.tags.push(lead_tag::ActiveModel {
                    org_id: Set(s.org_id),
                    contact_id: Set(id),
                    tag_id: Set(*tag_id),
                    created_at: Set(self.created),
                });
            }
        }
        if rng.gen_bool(0.12) {
            for _ in 0..rng.gen_range(1..=3) {
                let (author, name) = pick(rng, &s.members).clone();
                let at = self.created + Duration::seconds(rng.gen_range(60..86_400 * 20));
                let at = at.min(self.end);
                b.notes.push(lead_note::ActiveModel {
                    id: Set(id_at(rng, at)),
                    org_id: Set(s.org_id),
                    contact_id: Set(id),
                    body: Set((*pick(rng, NOTES)).to_owned()),
                    author_id: Set(Some(author)),
                    author_name: Set(Some(name)),
                    created_at: Set(at),
                    updated_at: Set(at),
                });
            }
        }
        self.place(rng, s, id, &journey, last_seen, b);
        if talks {
            self.conversation(rng, s, id, &person, &journey, &times, b);
        }
    }

    /// When each message of the lead's conversation was written, and which way.
    fn message_times(&self, rng: &mut StdRng, lead_first: bool) -> Vec<(DateTime<Utc>, Direction)> {
        let weight = *weighted(rng, &[(0.2, 30), (0.6, 25), (1.2, 25), (2.2, 15), (4.0, 5)]);
        let n = (self.messages_per_lead / 1.04 * weight * rng.gen_range(0.7..1.3)).round() as usize;
        let mut out = Vec::with_capacity(n.max(1));
        let mut t = self.created;
        for k in 0..n.max(1) {
            let inbound = (k % 2 == 0) == lead_first;
            if k > 0 {
                t = if inbound && rng.gen_bool(0.35) {
                    // A new session: days later, at a busy hour.
                    let later = t + Duration::days(rng.gen_range(1..=10));
                    let ist = (later + ist_offset()).date_naive();
                    let midnight =
                        Utc.from_utc_datetime(&ist.and_hms_opt(0, 0, 0).unwrap()) - ist_offset();
                    time_in_day(rng, midnight).max(t + Duration::minutes(1))
                } else if inbound {
                    t + Duration::seconds(rng.gen_range(20..900))
                } else {
                    // The agent answers within seconds; a person, sometimes, later.
                    t + Duration::seconds(rng.gen_range(3..60))
                };
            }
            if t > self.end {
                break;
            }
            out.push((
                t,
                if inbound {
                    Direction::Inbound
                } else {
                    Direction::Outbound
                },
            ));
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn lead_row(
        &self,
        rng: &mut StdRng,
        s: &Setup,
        id: Uuid,
        source: LeadSource,
        journey: &Journey,
        p: &Person,
        last_seen: DateTime<Utc>,
    ) -> lead::ActiveModel {
        let by_channel = !matches!(source, LeadSource::Import | LeadSource::Manual);
        let campaign = (source == LeadSource::ClickToChatAd).then(|| {
            let n = rng.gen_range(0..AD_HEADLINES.len());
            json!({"source_type": "ad", "source_id": format!("12021{:08}", 4_000 + n),
                   "source_url": format!("https://fb.me/closer-demo-{n}"),
                   "headline": AD_HEADLINES[n]})
        });
        let opted_out = rng.gen_bool(0.02);
        let mut custom = serde_json::Map::new();
        if rng.gen_bool(0.65) {
            custom.insert("course".into(), json!(pick(rng, COURSES)));
        }
        if rng.gen_bool(0.3) {
            let rupees = rng.gen_range(20..250) * 1000;
            custom.insert("budget".into(), json!(format!("{rupees}.00")));
        }
        if rng.gen_bool(0.4) {
            custom.insert("batch".into(), json!(pick(rng, BATCHES)));
        }
        if rng.gen_bool(0.1) {
            let day = (self.created + Duration::days(rng.gen_range(1..30))).date_naive();
            custom.insert("visit_on".into(), json!(day.format("%Y-%m-%d").to_string()));
        }
        let owner = rng.gen_bool(0.6).then(|| pick(rng, &s.members).0);
        // ₹5,000 to ₹2,00,000, in paise.
        let value = rng
            .gen_bool(0.3)
            .then(|| i64::from(rng.gen_range(5..200)) * 100_000);
        lead::ActiveModel {
            id: Set(id),
            org_id: Set(s.org_id),
            phone: Set(Some(p.phone.clone())),
            wa_user_id: Set(None),
            erased_at: Set(None),
            name: Set(Some(p.name.clone())),
            profile_name: Set(by_channel.then(|| p.profile_name.clone())),
            email: Set(p.email.clone()),
            city: Set(p.city.clone()),
            language: Set(Some((*weighted(rng, LANGUAGES)).to_owned())),
            lead_status: Set(if opted_out {
                LeadStatus::OptedOut
            } else {
                journey.status
            }),
            score: Set((journey.path.len() as i32 * 20 + rng.gen_range(0..20)).min(100)),
            tags: Set(None),
            notes: Set(None),
            custom_fields: Set(Some(Value::Object(custom))),
            lead_source: Set(source),
            campaign: Set(campaign),
            opted_out: Set(opted_out),
            opted_out_at: Set(opted_out.then_some(last_seen)),
            marketing_opt_out: Set(opted_out),
            marketing_opt_out_at: Set(opted_out.then_some(last_seen)),
            first_seen_at: Set(self.created),
            last_seen_at: Set(last_seen),
            created_at: Set(self.created),
            updated_at: Set(last_seen),
            business: Set(p.business.clone()),
            website: Set(None),
            owner_id: Set(owner),
            value_minor: Set(value),
            person_fields: Set(Some(if by_channel {
                json!([])
            } else {
                json!(["name", "email", "city"])
            })),
        }
    }

    /// The card where the journey ended and a history row for every step of it.
    fn place(
        &self,
        rng: &mut StdRng,
        s: &Setup,
        id: Uuid,
        j: &Journey,
        last_seen: DateTime<Utc>,
        b: &mut Batch,
    ) {
        let span = (last_seen - self.created).num_seconds().max(1);
        let mut at = self.created;
        let mut from: Option<(usize, DateTime<Utc>)> = None;
        let mut actor = MoveActor::Rule;
        for (step, stage) in j.path.iter().enumerate() {
            if step > 0 {
                let left = (j.path.len() - step) as i64;
                at = (at + Duration::seconds(rng.gen_range(1..=span / left + 1))).min(self.end);
                actor = if s.stages[*stage].kind == StageKind::Open || rng.gen_bool(0.3) {
                    MoveActor::Ai
                } else {
                    MoveActor::User
                };
            }
            let stage_row = &s.stages[*stage];
            b.history.push(stage_history::ActiveModel {
                id: Set(id_at(rng, at)),
                org_id: Set(s.org_id),
                contact_id: Set(id),
                from_stage_id: Set(from.map(|(i, _)| s.stages[i].id)),
                from_stage_name: Set(from.map(|(i, _)| s.stages[i].name.clone())),
                to_stage_id: Set(stage_row.id),
                to_stage_name: Set(stage_row.name.clone()),
                actor: Set(actor),
                actor_id: Set((actor == MoveActor::User).then(|| pick(rng, &s.members).0)),
                reason: Set(Some(
                    if step == 0 { "created" } else { "conversation" }.into(),
                )),
                evidence_message_id: Set(None),
                seconds_in_from_stage: Set(from.map(|(_, t)| (at - t).num_seconds())),
                at: Set(at),
            });
            from = Some((*stage, at));
        }
        let stage = *j.path.last().expect("a journey has a stage");
        // Newer entries on top: a rank falls with the time of entry, 32 per millisecond — in a
        // busy column about RANK_GAP between cards, as if each had been put on top in turn.
        let rank = -(at.timestamp_millis() - 1_700_000_000_000) * 32;
        b.cards.push(pipeline_card::ActiveModel {
            contact_id: Set(id),
            org_id: Set(s.org_id),
            stage_id: Set(s.stages[stage].id),
            rank: Set(rank),
            entered_at: Set(at),
            moved_by: Set(actor),
            moved_at_conversation_stage: Set(None),
            updated_at: Set(at),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn conversation(
        &self,
        rng: &mut StdRng,
        s: &Setup,
        lead_id: Uuid,
        p: &Person,
        j: &Journey,
        times: &[(DateTime<Utc>, Direction)],
        b: &mut Batch,
    ) {
        let conv_id = id_at(rng, self.created);
        let human = rng.gen_bool(0.12);
        let mut last: Option<(DateTime<Utc>, String, Direction, Author)> = None;
        let mut last_inbound = None;
        for (at, direction) in times {
            let (text, author) = match direction {
                Direction::Inbound => ((*pick(rng, INBOUND)).to_owned(), Author::Lead),
                Direction::Outbound => (
                    pick(rng, OUTBOUND).replace("{name}", &p.first),
                    if human && rng.gen_bool(0.5) {
                        Author::Human
                    } else {
                        Author::Bot
                    },
                ),
            };
            let id = id_at(rng, *at);
            let status = match direction {
                Direction::Inbound => DeliveryStatus::Delivered,
                Direction::Outbound if rng.gen_bool(0.7) => DeliveryStatus::Read,
                Direction::Outbound => DeliveryStatus::Delivered,
            };
            b.messages.push(message::ActiveModel {
                id: Set(id),
                org_id: Set(s.org_id),
                conversation_id: Set(conv_id),
                direction: Set(*direction),
                author: Set(author),
                kind: Set(MessageType::Text),
                text: Set(Some(text.clone())),
                media: Set(None),
                provider_message_id: Set(Some(format!("wamid.demo{}", id.simple()))),
                reply_to: Set(None),
                status: Set(status),
                error_code: Set(None),
                error_title: Set(None),
                sent_by: Set((author == Author::Human).then(|| pick(rng, &s.members).0)),
                edited_at: Set(None),
                deleted_at: Set(None),
                send_attempt: Set(None),
                ready_at: Set(None),
                pricing: Set(None),
                cost_amount: Set(None),
                cost_currency: Set(None),
                created_at: Set(*at),
                updated_at: Set(*at),
            });
            if *direction == Direction::Inbound {
                last_inbound = Some(*at);
            }
            last = Some((*at, text, *direction, author));
        }
        let closed = matches!(
            j.conversation_stage,
            ConversationStage::ClosedWon | ConversationStage::ClosedLost
        );
        b.conversations.push(conversation::ActiveModel {
            id: Set(conv_id),
            org_id: Set(s.org_id),
            contact_id: Set(lead_id),
            channel: Set(Channel::Whatsapp),
            mode: Set(match (closed, human) {
                (true, _) => ConversationMode::Closed,
                (false, true) => ConversationMode::Human,
                (false, false) => ConversationMode::Bot,
            }),
            stage: Set(j.conversation_stage),
            needs_human: Set(human && !closed && rng.gen_bool(0.2)),
            priority: Set(None),
            intent: Set(None),
            assigned_user_id: Set(human.then(|| pick(rng, &s.members).0)),
            unread_count: Set(0),
            window_open_until: Set(last_inbound.map(|t| t + Duration::hours(24))),
            last_message_at: Set(last.as_ref().map(|l| l.0)),
            last_message_text: Set(last.as_ref().map(|l| l.1.clone())),
            last_message_direction: Set(last.as_ref().map(|l| l.2)),
            last_message_author: Set(last.as_ref().map(|l| l.3)),
            created_at: Set(self.created),
            updated_at: Set(last.as_ref().map(|l| l.0).unwrap_or(self.created)),
            broadcast: Set(None),
        });
    }
}

/// Who the lead is.
struct Person {
    first: String,
    name: String,
    profile_name: String,
    phone: String,
    email: Option<String>,
    city: Option<String>,
    business: Option<String>,
}

impl Person {
    fn new(rng: &mut StdRng, phone_index: u64) -> Person {
        let first = (*pick(rng, FIRST_NAMES)).to_owned();
        let last = (*pick(rng, LAST_NAMES)).to_owned();
        let name = format!("{first} {last}");
        // WhatsApp names: the full name, the first name, or something else entirely.
        let profile_name = match rng.gen_range(0..10) {
            0..=5 => name.clone(),
            6..=8 => first.clone(),
            _ => format!("{first} ✨"),
        };
        let email = rng.gen_bool(0.45).then(|| {
            let handle = format!("{}.{}", first, last.replace('\'', "")).to_lowercase();
            let n: u32 = rng.gen_range(0..100);
            format!("{handle}{n}@{}", pick(rng, EMAIL_DOMAINS))
        });
        let city = rng
            .gen_bool(0.7)
            .then(|| (*weighted(rng, CITIES)).to_owned());
        let business = rng
            .gen_bool(0.15)
            .then(|| format!("{last} {}", pick(rng, BUSINESS_WORDS)));
        Person {
            first,
            name,
            profile_name,
            phone: phone_of(phone_index),
            email,
            city,
            business,
        }
    }
}

/// The stages a lead went through (it may have had no time to go far).
fn journey(
    rng: &mut StdRng,
    created: DateTime<Utc>,
    end: DateTime<Utc>,
    messages: usize,
) -> Journey {
    let young = (end - created) < Duration::days(3);
    let last = if messages < 2 || (young && rng.gen_bool(0.6)) {
        *weighted(rng, &[(0usize, 85), (4, 15)])
    } else {
        *weighted(rng, &[(0usize, 20), (1, 35), (2, 17), (3, 11), (4, 17)])
    };
    let path: Vec<usize> = match last {
        // Lost from wherever the lead had got to.
        4 => {
            let reached = rng.gen_range(0..=2);
            (0..=reached).chain([4]).collect()
        }
        n => (0..=n).collect(),
    };
    let (status, conversation_stage) = match last {
        0 => (LeadStatus::New, ConversationStage::New),
        1 => (
            *pick(rng, &[LeadStatus::Engaged, LeadStatus::Qualifying]),
            *pick(
                rng,
                &[
                    ConversationStage::Discovery,
                    ConversationStage::Qualification,
                    ConversationStage::ObjectionHandling,
                ],
            ),
        ),
        2 => (
            *pick(rng, &[LeadStatus::Hot, LeadStatus::Qualified]),
            *pick(
                rng,
                &[
                    ConversationStage::CtaOffered,
                    ConversationStage::Negotiation,
                ],
            ),
        ),
        3 => (LeadStatus::Won, ConversationStage::ClosedWon),
        _ => (LeadStatus::Lost, ConversationStage::ClosedLost),
    };
    Journey {
        path,
        status,
        conversation_stage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_distinct_mobile_numbers() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..200_000 {
            let p = phone_of(i);
            assert_eq!(p.len(), 13, "{p}");
            assert!(
                p.starts_with("+916")
                    || p.starts_with("+917")
                    || p.starts_with("+918")
                    || p.starts_with("+919"),
                "{p}"
            );
            assert!(seen.insert(p));
        }
    }

    #[test]
    fn days_share_the_leads_exactly_with_quieter_sundays() {
        let start = Utc.with_ymd_and_hms(2025, 1, 5, 18, 30, 0).unwrap(); // a Monday, IST
        let days = leads_per_day(start, 365, 1_000_000);
        assert_eq!(days.iter().sum::<u64>(), 1_000_000);
        // Growing through the year.
        assert!(days[300..307].iter().sum::<u64>() > days[0..7].iter().sum::<u64>());
        // Sunday (index 6) is the quietest day of the first week.
        assert_eq!(days[0..7].iter().min(), Some(&days[6]));
    }
}
