//! The team's day at scale (issue 16's closing note): the action center's items and the
//! calendar's bookings a busy year leaves behind, on the seeded organisation's conversations —
//! mostly resolved, some open, claimed or snoozed, critical to low; every booking with its
//! calendar event, past ones done or cancelled, the coming weeks' booked.

use super::{id_at, pick, rows_per_statement, weighted};
use crate::entities::{action, calendar_event, conversation, user};
use crate::error::Result;
use crate::{Store, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::calendar::{EventKind, EventStatus};
use closer_domain::sales::{CtaType, EscalationPriority};
use closer_domain::work::{ActionKind, ActionStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamDayCounts {
    pub actions: u64,
    pub bookings: u64,
}

/// Rows per transaction.
const BATCH: usize = 5_000;

const KINDS: [(ActionKind, u32); 5] = [
    (ActionKind::CtaAccepted, 30),
    (ActionKind::HumanAttention, 30),
    (ActionKind::Booking, 25),
    (ActionKind::SendFailed, 10),
    (ActionKind::AgentAlert, 5),
];

/// Most items of a year are done; the rest wait, are taken, or are put aside.
const STATUSES: [(ActionStatus, u32); 4] = [
    (ActionStatus::Resolved, 85),
    (ActionStatus::Open, 8),
    (ActionStatus::Claimed, 4),
    (ActionStatus::Snoozed, 3),
];

const HANDOVER_PRIORITIES: [(EscalationPriority, u32); 4] = [
    (EscalationPriority::Critical, 10),
    (EscalationPriority::High, 30),
    (EscalationPriority::Medium, 45),
    (EscalationPriority::Low, 15),
];

const OUTCOMES: [&str; 5] = [
    "Called back, enrolled",
    "Sent the brochure",
    "Not interested for now",
    "Payment link shared",
    "Wrong number",
];

/// One item and, for a booking, its event.
fn item(
    rng: &mut StdRng,
    org_id: Uuid,
    conversation: &(Uuid, Uuid),
    members: &[Uuid],
    created: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (action::Model, Option<calendar_event::Model>) {
    let kind = *weighted(rng, &KINDS);
    let priority = match kind {
        ActionKind::HumanAttention => *weighted(rng, &HANDOVER_PRIORITIES),
        other => other.priority(),
    };
    let mut status = *weighted(rng, &STATUSES);
    // Only the last weeks' items can still be waiting.
    if created < end - Duration::days(30) && status != ActionStatus::Resolved {
        status = ActionStatus::Resolved;
    }
    let member = *pick(rng, members);
    let handled = created + Duration::minutes(rng.gen_range(5..600));
    let resolved = status == ActionStatus::Resolved;
    let (cta_type, title) = match kind {
        ActionKind::CtaAccepted => (Some(CtaType::Payment), "Accepted: payment link".to_owned()),
        ActionKind::HumanAttention => (None, "Lead asked for a person".to_owned()),
        ActionKind::Booking => (Some(CtaType::BookCall), "Call booked".to_owned()),
        ActionKind::SendFailed => (None, "A reply could not be sent".to_owned()),
        ActionKind::AgentAlert => (None, "The agent answered with its safe reply".to_owned()),
    };
    let start = (kind == ActionKind::Booking)
        .then(|| created + Duration::minutes(rng.gen_range(60..14 * 24 * 60)));
    let row = action::Model {
        id: id_at(rng, created),
        org_id,
        conversation_id: conversation.0,
        kind,
        cta_type,
        priority,
        urgency: priority.rank().into(),
        title,
        details: Some(json!({"name": "Demo lead", "seeded": true})),
        status,
        due_at: start,
        claimed_by: (status == ActionStatus::Claimed || resolved).then_some(member),
        claimed_at: (status == ActionStatus::Claimed || resolved).then_some(handled),
        resolved_by: resolved.then_some(member),
        outcome: resolved.then(|| pick(rng, &OUTCOMES).to_string()),
        snoozed_until: (status == ActionStatus::Snoozed)
            .then(|| end + Duration::hours(rng.gen_range(-48..72))),
        created_at: created,
        resolved_at: resolved.then_some(handled),
    };
    let event = start.map(|start| {
        let status = if start > end {
            EventStatus::Booked
        } else if rng.gen_bool(0.15) {
            EventStatus::Cancelled
        } else {
            EventStatus::Done
        };
        calendar_event::Model {
            id: id_at(rng, created),
            org_id,
            conversation_id: Some(conversation.0),
            contact_id: conversation.1,
            action_id: Some(row.id),
            kind: if rng.gen_bool(0.3) {
                EventKind::Demo
            } else {
                EventKind::Call
            },
            status,
            title: "Call with a demo lead".into(),
            start_at: Some(start),
            end_at: Some(start + Duration::minutes(30)),
            created_by: None,
            created_at: created,
            updated_at: created,
        }
    });
    (row, event)
}

impl Store {
    /// Writes `actions` action-center items over the last `days` days onto `org_id`'s
    /// conversations (seeded before), a booking's calendar event with each booking.
    pub async fn seed_team_day(
        &self,
        org_id: Uuid,
        actions: u64,
        days: u32,
        seed: u64,
    ) -> Result<TeamDayCounts> {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x0007_ead4);
        let conversations: Vec<(Uuid, Uuid)> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .column(conversation::Column::ContactId)
            .filter(conversation::Column::OrgId.eq(org_id))
            .limit(200_000)
            .into_tuple()
            .all(&self.db)
            .await?;
        let members: Vec<Uuid> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::OrgId.eq(org_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts = TeamDayCounts::default();
        if conversations.is_empty() || members.is_empty() || actions == 0 {
            return Ok(counts);
        }
        let end = now();
        let span = i64::from(days.max(1)) * 24 * 3600;
        let mut times: Vec<DateTime<Utc>> = (0..actions)
            .map(|_| end - Duration::seconds(rng.gen_range(0..span)))
            .collect();
        times.sort();
        for chunk in times.chunks(BATCH) {
            let (mut rows, mut events) = (Vec::new(), Vec::new());
            for created in chunk {
                let conv = pick(&mut rng, &conversations);
                let (row, event) = item(&mut rng, org_id, conv, &members, *created, end);
                rows.push(action::ActiveModel::from(row));
                events.extend(event.map(calendar_event::ActiveModel::from));
            }
            let txn = self.begin_write().await?;
            counts.actions += rows.len() as u64;
            counts.bookings += events.len() as u64;
            insert_all!(&*txn, action::Entity, rows, 18);
            insert_all!(&*txn, calendar_event::Entity, events, 13);
            txn.commit().await?;
        }
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
}
