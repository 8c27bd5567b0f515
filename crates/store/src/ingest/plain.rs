//! Writing a group of plain deliveries set-wise. Nearly every webhook is a lead's text from a
//! phone number, and a launch-day surge is tens of thousands of them. Written one by one, each
//! costs a dozen statements (lead, card, history, suppression, conversation, message, window,
//! follow-ups, job, activity), and on SQLite every statement is a hand-off to the database's
//! thread: that, not the writes, is what bounded the webhooks per second. Here a group of
//! deliveries costs about a dozen statements in all, whatever its size.
//!
//! The result is the one the per-delivery path gives when the deliveries are written in
//! order: the same rows, the same rules (`conversation_rules::lead_message` folded over each
//! conversation's new messages), the same outcome per delivery.

use super::{DEBOUNCE_SECONDS, InboundMessage, IngestOutcome, QueuedDelivery, new_contact};
use crate::activity::{self, NewActivity};
use crate::entities::{contact, conversation, job, message};
use crate::error::Result;
use crate::inbox::{facts_of, window_end};
use crate::jobs::JobPayload;
use crate::pipeline::{self, MoveBy};
use crate::rollups::Tallies;
use crate::{Store, new_id, now};
use chrono::Duration;
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::conversation_rules;
use closer_domain::messaging::{Author, Channel, ConversationMode, Direction, MessageType};
use closer_domain::pipeline::MoveActor;
use closer_domain::work::{JobKind, JobStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, TryIntoModel,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// Kinds whose bytes are fetched later: they take the per-delivery path, which owns media.
fn carries_media(kind: MessageType) -> bool {
    matches!(
        kind,
        MessageType::Image
            | MessageType::Audio
            | MessageType::Voice
            | MessageType::Video
            | MessageType::Document
            | MessageType::Sticker
    )
}

/// A delivery this path writes: only new messages, each from a lead known by phone alone.
/// Statuses, edits, scoped user ids and media take the per-delivery path.
pub(super) fn is_plain(q: &QueuedDelivery) -> bool {
    let d = &q.delivery;
    d.statuses.is_empty()
        && d.amendments.is_empty()
        && d.messages.iter().all(|m| {
            m.contact.phone.is_some() && m.contact.wa_user_id.is_none() && !carries_media(m.kind)
        })
}

/// One fresh message of the group, with the outcome it belongs to.
struct Item<'a> {
    slot: usize,
    org_id: Uuid,
    channel: Channel,
    phone: &'a str,
    msg: &'a InboundMessage,
    message_id: Uuid,
}

type LeadKey<'a> = (Uuid, &'a str);
type ConversationKey = (Uuid, Uuid, Channel);

/// Writes `group` (deliveries that pass [`is_plain`], each with its outcome slot) in the
/// caller's transaction, filling `outcomes`.
pub(super) async fn write(
    store: &Store,
    db: &impl ConnectionTrait,
    group: &[(usize, &QueuedDelivery)],
    outcomes: &mut [IngestOutcome],
) -> Result<()> {
    let items = fresh_items(group, outcomes);
    // A chunk is written as the deliveries before it were: its leads and conversations are
    // found, not created, by the next.
    for chunk in items.chunks(MAX_MESSAGES_PER_STATEMENT) {
        write_chunk(store, db, chunk, outcomes).await?;
    }
    Ok(())
}

/// Messages per statement: a row binds two dozen values at most, and SQLite takes 32,766
/// values per statement.
const MAX_MESSAGES_PER_STATEMENT: usize = 500;

async fn write_chunk(
    store: &Store,
    db: &impl ConnectionTrait,
    items: &[Item<'_>],
    outcomes: &mut [IngestOutcome],
) -> Result<()> {
    let leads = upsert_leads(db, items).await?;
    let created: Vec<(Uuid, Uuid, &str)> = leads
        .iter()
        .filter(|(_, (_, created))| *created)
        .map(|(&(org, phone), &(id, _))| (org, id, phone))
        .collect();
    let funnel = place_new_leads(db, items, &leads).await?;
    crate::compliance::keep_suppressed_many(db, store, &created).await?;
    let conversations = upsert_conversations(db, items, &leads).await?;
    let mut w = Written {
        items,
        leads,
        conversations,
        stored: HashSet::new(),
        reopened: HashMap::new(),
    };
    w.stored = insert_messages(db, &w).await?;
    w.reopened = note_lead_messages(db, &w).await?;
    let replied = note_campaign_replies(db, &w).await?;
    let stopped = schedule_processing(db, &w).await?;
    log_activity(db, &w, funnel).await?;
    fill_outcomes(&w, outcomes);
    // Each stopped enrolment is announced with a delivery of its organisation.
    for (org_id, change) in stopped {
        if let Some(it) = items.iter().find(|it| it.org_id == org_id) {
            outcomes[it.slot].sequences_stopped.push(change);
        }
    }
    for (slot, campaign_id) in replied {
        if !outcomes[slot].campaigns.contains(&campaign_id) {
            outcomes[slot].campaigns.push(campaign_id);
        }
    }
    Ok(())
}

/// The group's messages not stored yet, in arrival order; the rest count as duplicates of
/// their delivery (known before it queued, or twice in the group).
fn fresh_items<'a>(
    group: &[(usize, &'a QueuedDelivery)],
    outcomes: &mut [IngestOutcome],
) -> Vec<Item<'a>> {
    let mut seen: HashSet<(Uuid, &str)> = HashSet::new();
    let mut items = vec![];
    for &(slot, q) in group {
        for msg in &q.delivery.messages {
            let id = msg.provider_message_id.as_str();
            let phone = msg.contact.phone.as_ref().map(|p| p.as_str());
            match phone {
                Some(phone) if !q.known.iter().any(|k| k == id) && seen.insert((q.org_id, id)) => {
                    items.push(Item {
                        slot,
                        org_id: q.org_id,
                        channel: q.channel,
                        phone,
                        msg,
                        message_id: new_id(),
                    })
                }
                _ => outcomes[slot].duplicates += 1,
            }
        }
    }
    items
}

/// Every lead of the group found or created in one statement: (id, created) by
/// (organisation, phone). Rows go in key order so two writers lock them in the same order.
async fn upsert_leads<'a>(
    db: &impl ConnectionTrait,
    items: &[Item<'a>],
) -> Result<BTreeMap<LeadKey<'a>, (Uuid, bool)>> {
    let mut rows: BTreeMap<LeadKey<'a>, contact::ActiveModel> = BTreeMap::new();
    for it in items {
        let at = it.msg.sent_at;
        match rows.get_mut(&(it.org_id, it.phone)) {
            // A later message of the same lead: as its own upsert would leave the row.
            Some(row) => {
                if let Set(last) = &row.last_seen_at
                    && at > *last
                {
                    row.last_seen_at = Set(at);
                }
                if it.msg.contact.profile_name.is_some() {
                    row.profile_name = Set(it.msg.contact.profile_name.clone());
                }
            }
            None => {
                let c = &it.msg.contact;
                let row = new_contact(it.org_id, new_id(), c, it.msg.referral.as_ref(), at);
                rows.insert((it.org_id, it.phone), row);
            }
        }
    }
    let proposed: HashMap<(Uuid, String), (LeadKey<'a>, Uuid)> = rows
        .iter()
        .map(|(k, row)| ((k.0, k.1.to_owned()), (*k, *row.id.as_ref())))
        .collect();
    let returned = contact::Entity::insert_many(rows.into_values())
        .on_conflict(super::lead_seen_again(contact::Column::Phone))
        .exec_with_returning(db)
        .await?;
    let mut leads = BTreeMap::new();
    for row in returned {
        let Some(phone) = row.phone else {
            continue;
        };
        if let Some(&(key, id)) = proposed.get(&(row.org_id, phone)) {
            leads.insert(key, (row.id, row.id == id));
        }
    }
    Ok(leads)
}

/// New leads enter their organisation's first open stage, the newest on top. Answers the
/// funnel counts of their entries, written with the activity's.
async fn place_new_leads<'a>(
    db: &impl ConnectionTrait,
    items: &[Item<'a>],
    leads: &BTreeMap<LeadKey<'a>, (Uuid, bool)>,
) -> Result<Tallies> {
    let mut by_org: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    let mut placed = HashSet::new();
    for it in items {
        let (id, created) = leads[&(it.org_id, it.phone)];
        if created && placed.insert(id) {
            by_org.entry(it.org_id).or_default().push(id);
        }
    }
    if by_org.is_empty() {
        return Ok(Tallies::default());
    }
    // `place_new_leads_of` puts each list's first id highest: the last to arrive goes on top.
    let leads: Vec<(Uuid, Vec<Uuid>)> = by_org
        .into_iter()
        .map(|(org_id, ids)| (org_id, ids.into_iter().rev().collect()))
        .collect();
    let by = MoveBy {
        actor: MoveActor::Rule,
        actor_id: None,
        reason: Some("first_message".into()),
        evidence_message_id: None,
    };
    pipeline::place_new_leads_of(db, &leads, by).await
}

/// Every conversation of the group found or created in one statement, as it is now, and
/// whether it was created. A new conversation is written as its lead's messages leave it
/// (preview, unread count, window), so it needs no second write.
async fn upsert_conversations<'a>(
    db: &impl ConnectionTrait,
    items: &[Item<'a>],
    leads: &BTreeMap<LeadKey<'a>, (Uuid, bool)>,
) -> Result<HashMap<ConversationKey, (conversation::Model, bool)>> {
    let at = now();
    let mut proposed: BTreeMap<ConversationKey, conversation::Model> = BTreeMap::new();
    for it in items {
        let lead = leads[&(it.org_id, it.phone)].0;
        let key = (it.org_id, lead, it.channel);
        let row = proposed
            .entry(key)
            .or_insert_with(|| fresh_conversation(it.org_id, new_id(), lead, it.channel, at));
        after_message(row, it);
    }
    let ids: HashMap<ConversationKey, Uuid> = proposed.iter().map(|(k, c)| (*k, c.id)).collect();
    let rows = proposed.into_values().map(|c| c.into_active_model());
    let returned = conversation::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                conversation::Column::OrgId,
                conversation::Column::ContactId,
                conversation::Column::Channel,
            ])
            .update_column(conversation::Column::UpdatedAt)
            .to_owned(),
        )
        .exec_with_returning(db)
        .await?;
    let mut out = HashMap::new();
    for row in returned {
        let key = (row.org_id, row.contact_id, row.channel);
        if let Some(&id) = ids.get(&key) {
            let created = row.id == id;
            out.insert(key, (row, created));
        }
    }
    Ok(out)
}

/// A conversation as it is created, before any message.
fn fresh_conversation(
    org_id: Uuid,
    id: Uuid,
    lead: Uuid,
    channel: Channel,
    at: chrono::DateTime<chrono::Utc>,
) -> conversation::Model {
    super::new_conversation(org_id, id, lead, channel, at)
        .try_into_model()
        .expect("every column of a new conversation is set")
}

/// The conversation rule for a lead's message, applied to its row: the 24 h window, the unread
/// count, the preview, and a closed conversation reopened. Answers whether it reopened it.
fn after_message(conv: &mut conversation::Model, it: &Item<'_>) -> bool {
    let effect = conversation_rules::lead_message(&facts_of(conv), it.msg.sent_at);
    if effect.reopens {
        conv.mode = ConversationMode::Bot;
    }
    conv.unread_count += effect.unread_delta;
    conv.window_open_until = window_end(effect.window);
    if effect.replaces_preview {
        let msg = it.msg;
        let preview = msg
            .text
            .clone()
            .unwrap_or_else(|| format!("[{}]", msg.kind));
        conv.last_message_at = Some(msg.sent_at);
        conv.last_message_text = Some(preview.chars().take(200).collect());
        conv.last_message_direction = Some(Direction::Inbound);
        conv.last_message_author = Some(Author::Lead);
    }
    effect.reopens
}

/// A chunk as written so far: each message's lead and conversation, and which messages
/// were stored.
struct Written<'a, 'i> {
    items: &'i [Item<'a>],
    leads: BTreeMap<LeadKey<'a>, (Uuid, bool)>,
    conversations: HashMap<ConversationKey, (conversation::Model, bool)>,
    stored: HashSet<Uuid>,
    /// Closed conversations a stored message reopened, with the message that did.
    reopened: HashMap<Uuid, Uuid>,
}

impl Written<'_, '_> {
    /// The message's lead, and whether this chunk created it.
    fn lead(&self, it: &Item<'_>) -> (Uuid, bool) {
        self.leads[&(it.org_id, it.phone)]
    }

    /// The message's conversation as it was found, and whether this chunk created it.
    fn conversation(&self, it: &Item<'_>) -> &(conversation::Model, bool) {
        &self.conversations[&(it.org_id, self.lead(it).0, it.channel)]
    }

    /// The stored messages, in arrival order.
    fn stored(&self) -> impl Iterator<Item = &Item<'_>> {
        self.items
            .iter()
            .filter(|it| self.stored.contains(&it.message_id))
    }
}

/// The messages in one statement; the ids of those stored (a provider id stored meanwhile
/// by another writer is a duplicate).
async fn insert_messages(db: &impl ConnectionTrait, w: &Written<'_, '_>) -> Result<HashSet<Uuid>> {
    let rows = w.items.iter().map(|it| {
        let conversation_id = w.conversation(it).0.id;
        super::inbound_message(it.org_id, conversation_id, it.message_id, it.msg)
    });
    let stored = message::Entity::insert_many(rows)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_with_returning(db)
        .await?;
    Ok(stored.into_iter().map(|m| m.id).collect())
}

/// Preview, unread count, the 24 h window and the mode of each conversation found, from the
/// conversation rule folded over its new messages in order; one statement for the group. A
/// conversation created here was written so already, unless one of its messages turned out
/// to be stored (then it is rewritten from its new state with the stored ones).
/// Returns the closed conversations a message reopened, with that message.
async fn note_lead_messages(
    db: &impl ConnectionTrait,
    w: &Written<'_, '_>,
) -> Result<HashMap<Uuid, Uuid>> {
    let unstored: HashSet<Uuid> = w
        .items
        .iter()
        .filter(|it| !w.stored.contains(&it.message_id))
        .map(|it| w.conversation(it).0.id)
        .collect();
    let mut changed: BTreeMap<Uuid, conversation::Model> = BTreeMap::new();
    let mut reopened = HashMap::new();
    for it in w.stored() {
        let (current, created) = w.conversation(it);
        if *created && !unstored.contains(&current.id) {
            continue;
        }
        let conv = changed.entry(current.id).or_insert_with(|| match created {
            true => fresh_conversation(
                current.org_id,
                current.id,
                current.contact_id,
                current.channel,
                current.created_at,
            ),
            false => current.clone(),
        });
        if after_message(conv, it) {
            reopened.insert(conv.id, it.message_id);
        }
        conv.updated_at = now();
    }
    if changed.is_empty() {
        return Ok(reopened);
    }
    // The rows are locked by this transaction since their upsert: what was read is what is
    // there, so the new values are written as they are (an upsert on the key is a
    // many-row update both databases understand).
    let rows = changed.into_values().map(|c| c.into_active_model());
    let columns = [
        conversation::Column::Mode,
        conversation::Column::UnreadCount,
        conversation::Column::WindowOpenUntil,
        conversation::Column::LastMessageAt,
        conversation::Column::LastMessageText,
        conversation::Column::LastMessageDirection,
        conversation::Column::LastMessageAuthor,
        conversation::Column::UpdatedAt,
    ];
    conversation::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(conversation::Column::Id)
                .update_columns(columns)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(reopened)
}

/// Leads answering a campaign send of the last week: only conversations whose loaded row
/// says so cost a statement. Answers `(outcome slot, campaign)` of each reply.
async fn note_campaign_replies(
    db: &impl ConnectionTrait,
    w: &Written<'_, '_>,
) -> Result<Vec<(usize, Uuid)>> {
    let mut slots = HashMap::new();
    let replies: Vec<_> = w
        .stored()
        .filter_map(|it| {
            let reply = crate::campaigns::awaiting_reply(&w.conversation(it).0, it.msg.sent_at)?;
            slots.entry(reply.conversation_id).or_insert(it.slot);
            Some(reply)
        })
        .collect();
    if replies.is_empty() {
        return Ok(vec![]);
    }
    let done = crate::campaigns::note_replies(db, replies).await?;
    Ok(done
        .into_iter()
        .filter_map(|(conv, campaign)| Some((*slots.get(&conv)?, campaign)))
        .collect())
}

/// The leads wrote: their pending follow-ups are void, and each conversation's processing job
/// (one pending per conversation) runs once the burst is over.
async fn schedule_processing(
    db: &impl ConnectionTrait,
    w: &Written<'_, '_>,
) -> Result<Vec<(Uuid, crate::sequences::EnrollmentChange)>> {
    let run_at = now() + Duration::seconds(DEBOUNCE_SECONDS);
    let mut touched: BTreeMap<Uuid, (Uuid, bool)> = BTreeMap::new();
    for it in w.stored() {
        let (conv, created) = w.conversation(it);
        touched.insert(conv.id, (conv.org_id, *created));
    }
    // A conversation created in this transaction has no follow-ups or jobs yet.
    let existing: Vec<Uuid> = touched
        .iter()
        .filter(|(_, (_, created))| !created)
        .map(|(id, _)| *id)
        .collect();
    let orgs: Vec<Uuid> = touched
        .values()
        .map(|(org, _)| *org)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut postponed = HashSet::new();
    let mut stopped = vec![];
    if !existing.is_empty() {
        crate::followups::void_when_leads_write(db, &orgs, &existing).await?;
        // A reply ends the drip sequences that stop on one: one UPDATE for the batch.
        stopped = crate::sequences::stop_when_leads_write(db, &orgs, &existing).await?;
        // The burst goes on: a pending job is pushed back so it runs once, after the burst.
        let pushed = job::Entity::update_many()
            .col_expr(job::Column::RunAt, Expr::value(run_at))
            .col_expr(job::Column::UpdatedAt, Expr::value(now()))
            .filter(job::Column::OrgId.is_in(orgs.iter().copied()))
            .filter(job::Column::ConversationId.is_in(existing.iter().copied()))
            .filter(job::Column::Kind.eq(JobKind::ProcessConversation))
            .filter(job::Column::Status.eq(JobStatus::Pending))
            .exec_with_returning(db)
            .await?;
        postponed.extend(pushed.into_iter().filter_map(|j| j.conversation_id));
    }
    let jobs = touched
        .iter()
        .filter(|(id, _)| !postponed.contains(*id))
        .map(|(&id, &(org_id, _))| {
            crate::jobs::new_job(org_id, JobPayload::ProcessConversation, Some(id), run_at)
        })
        .collect::<Vec<_>>();
    if !jobs.is_empty() {
        job::Entity::insert_many(jobs)
            .exec_without_returning(db)
            .await?;
    }
    Ok(stopped)
}

/// The activity log: a lead's creation and each message received, in one statement; the
/// analytics counts with `funnel`'s.
async fn log_activity(
    db: &impl ConnectionTrait,
    w: &Written<'_, '_>,
    funnel: Tallies,
) -> Result<()> {
    let mut log: Vec<(Uuid, NewActivity)> = vec![];
    let mut announced = HashSet::new();
    for it in w.stored() {
        let (lead_id, created) = w.lead(it);
        let conversation_id = w.conversation(it).0.id;
        let entry = |kind, payload| {
            let e = NewActivity::on(lead_id, conversation_id, kind, ActivityActor::Lead, payload);
            (it.org_id, e)
        };
        if created && announced.insert(lead_id) {
            let source = json!({ "channel": it.channel, "referral": it.msg.referral });
            log.push(entry(ActivityKind::LeadCreated, source));
        }
        let seen =
            json!({ "message_id": it.message_id, "type": it.msg.kind, "sent_at": it.msg.sent_at });
        if w.conversation(it).1 && announced.insert(conversation_id) {
            let channel = json!({ "channel": it.channel });
            log.push(entry(ActivityKind::ConversationCreated, channel));
        }
        log.push(entry(ActivityKind::MessageReceived, seen));
        if w.reopened.get(&conversation_id) == Some(&it.message_id) {
            let change = json!({ "from": ConversationMode::Closed, "to": ConversationMode::Bot, "by": "lead_message" });
            log.push(entry(ActivityKind::ModeChanged, change));
        }
    }
    activity::append_counting(db, log, funnel).await
}

/// What each delivery stored, as the per-delivery path reports it.
fn fill_outcomes(w: &Written<'_, '_>, outcomes: &mut [IngestOutcome]) {
    let mut announced = HashSet::new();
    for it in w.items {
        let out = &mut outcomes[it.slot];
        if !w.stored.contains(&it.message_id) {
            out.duplicates += 1;
            continue;
        }
        let (lead_id, created) = w.lead(it);
        if created && announced.insert(lead_id) {
            out.leads_created.push(lead_id);
        }
        let conversation_id = w.conversation(it).0.id;
        if w.reopened.get(&conversation_id) == Some(&it.message_id) {
            out.reopened.push(conversation_id);
        }
        out.stored.push((conversation_id, it.message_id));
        if !out.conversations.contains(&conversation_id) {
            out.conversations.push(conversation_id);
        }
    }
}
