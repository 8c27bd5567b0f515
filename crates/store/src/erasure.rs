//! Erasing a lead's personal data (`POST /api/v1/privacy/erase`), in one transaction: the
//! lead's identity, profile, custom fields and notes are cleared; their name, phone (in any
//! spelling), email and what they told the agent (slot values, profile fields) become
//! `[redacted]` wherever free text holds them — messages, the agent's memory and decisions,
//! hand-over briefs, bookings, the activity log, imported files. Rows and numbers stay, so
//! message counts, stage history and costs still add up. The number stays on the suppression
//! list, hashed. The audit log records who erased which lead, without the data itself.

use crate::activity::{self, NewActivity};
use crate::audit::{self, Actor};
use crate::compliance::{OptOutBy, cancel_followups, opt_out_lead};
use crate::entities::{
    action, activity as activity_row, calendar_event, conversation, conversation_state, decision,
    job, lead, lead_import, lead_note, media_file, message, stage_history,
};
use crate::error::{Result, StoreError};
use crate::now;
use crate::team::OrgScope;
use chrono::{DateTime, SubsecRound, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::compliance::{self, OptOutSource, PersonalData, Redactor, clear_slot_values};
use closer_domain::contact_points::Phone;
use closer_domain::media::MediaStatus;
use closer_domain::messaging::Direction;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::borrow::Cow;
use uuid::Uuid;

/// Messages redacted per round trip.
const BATCH: u64 = 500;

/// An erased lead.
#[derive(Debug, Clone)]
pub struct Erased {
    pub lead_id: Uuid,
    pub erased_at: DateTime<Utc>,
    /// The lead's conversations, whose views changed.
    pub conversation_ids: Vec<Uuid>,
    /// The pending follow-ups and the drip sequence the erasure ended.
    pub ended: crate::compliance::OutreachEnded,
}

/// What the lead told or was given: the data erasure looks for in text.
fn personal_data(l: &lead::Model, states: &[Value]) -> PersonalData {
    let mut values: Vec<String> = [&l.city, &l.business, &l.website]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if let Some(Value::Object(fields)) = &l.custom_fields {
        for v in fields.values() {
            match v {
                Value::String(s) => values.push(s.clone()),
                Value::Array(items) => {
                    values.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)))
                }
                _ => {}
            }
        }
    }
    for s in states {
        values.extend(compliance::slot_values(s));
    }
    PersonalData {
        names: [&l.name, &l.profile_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        phones: l
            .phone
            .as_deref()
            .and_then(|p| Phone::parse(p, None).ok())
            .into_iter()
            .collect(),
        identifiers: [&l.email, &l.wa_user_id]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        values,
    }
}

/// `text` redacted, when anything in it was the lead's.
fn redacted(r: &Redactor, text: &Option<String>) -> Option<String> {
    match r.redact(text.as_deref()?) {
        Cow::Owned(t) => Some(t),
        Cow::Borrowed(_) => None,
    }
}

/// `doc` redacted, when anything in it was the lead's.
fn redacted_json(r: &Redactor, doc: &Option<Value>) -> Option<Value> {
    let mut doc = doc.clone()?;
    r.redact_json(&mut doc).then_some(doc)
}

impl OrgScope<'_> {
    /// Erases a lead's personal data (idempotent: an erased lead answers when it was erased).
    pub async fn erase_lead(&self, actor: &Actor, id: Uuid) -> Result<Erased> {
        let txn = self.store.begin_write().await?;
        let l = lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::Id.eq(id))
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let conversation_ids: Vec<Uuid> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::ContactId.eq(id))
            .into_tuple()
            .all(&*txn)
            .await?;
        if let Some(erased_at) = l.erased_at {
            return Ok(Erased {
                lead_id: id,
                erased_at,
                conversation_ids,
                ended: Default::default(),
            });
        }
        let states: Vec<conversation_state::Model> = conversation_state::Entity::find()
            .filter(conversation_state::Column::OrgId.eq(self.org_id))
            .filter(conversation_state::Column::ConversationId.is_in(conversation_ids.clone()))
            .all(&*txn)
            .await?;
        let data = personal_data(
            &l,
            &states
                .iter()
                .filter_map(|s| s.state.clone())
                .collect::<Vec<_>>(),
        );
        let r = Redactor::new(&data);
        // In microseconds, as PostgreSQL keeps it: the answer and a repeat's answer agree.
        let at = now().trunc_subsecs(6);
        // The number stays suppressed: hashed on the list before it leaves the lead.
        let how = OptOutBy::member(OptOutSource::Erasure, actor, None);
        opt_out_lead(&*txn, self.store, self.org_id, &l, &how, at).await?;
        let ended = cancel_followups(&*txn, self.org_id, id).await?;
        let messages = self
            .redact_conversations(&*txn, &conversation_ids, states, &r)
            .await?;
        self.redact_lead_records(&*txn, id, &r).await?;
        // The files go too: the rows say so now, a job deletes the bytes (retried until the
        // media store has let them go).
        let storage_keys = erase_media(&*txn, self.org_id, &conversation_ids).await?;
        if !storage_keys.is_empty() {
            let job = crate::jobs::JobPayload::MediaErase { storage_keys };
            crate::jobs::enqueue(&*txn, self.org_id, job, None, at).await?;
        }
        self.redact_imports(&*txn, &Redactor::identity_only(&data))
            .await?;
        lead_note::Entity::delete_many()
            .filter(lead_note::Column::OrgId.eq(self.org_id))
            .filter(lead_note::Column::ContactId.eq(id))
            .exec(&*txn)
            .await?;
        crate::automations::forget_lead_runs(&*txn, self.org_id, id).await?;
        clear_identity(&*txn, self.org_id, &l, at).await?;
        let event = NewActivity {
            contact_id: Some(id),
            conversation_id: None,
            kind: ActivityKind::Erased,
            actor: ActivityActor::Member,
            actor_user_id: Some(actor.user_id),
            payload: json!({ "messages_redacted": messages }),
        };
        activity::append(&*txn, self.org_id, vec![event]).await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "privacy.erase",
            format!("lead:{id}"),
            json!({ "conversations": conversation_ids.len(), "messages_redacted": messages }),
        )
        .await?;
        txn.commit().await?;
        Ok(Erased {
            lead_id: id,
            erased_at: at,
            conversation_ids,
            ended,
        })
    }

    /// Messages, previews, the agent's memory and decisions, hand-overs and jobs' errors of the
    /// lead's conversations; how many messages changed.
    async fn redact_conversations(
        &self,
        db: &impl ConnectionTrait,
        ids: &[Uuid],
        states: Vec<conversation_state::Model>,
        r: &Redactor,
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let messages = self.redact_messages(db, ids, r).await?;
        for c in conversation::Entity::find()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.is_in(ids.to_vec()))
            .all(db)
            .await?
        {
            if let Some(text) = redacted(r, &c.last_message_text) {
                conversation::Entity::update_many()
                    .filter(conversation::Column::OrgId.eq(self.org_id))
                    .filter(conversation::Column::Id.eq(c.id))
                    .col_expr(conversation::Column::LastMessageText, Expr::value(text))
                    .exec(db)
                    .await?;
            }
        }
        for s in states {
            let Some(mut state) = s.state else { continue };
            r.redact_json(&mut state);
            clear_slot_values(&mut state);
            conversation_state::Entity::update_many()
                .filter(conversation_state::Column::OrgId.eq(self.org_id))
                .filter(conversation_state::Column::ConversationId.eq(s.conversation_id))
                .col_expr(conversation_state::Column::State, Expr::value(state))
                .exec(db)
                .await?;
        }
        self.redact_decisions(db, ids, r).await?;
        for a in action::Entity::find()
            .filter(action::Column::OrgId.eq(self.org_id))
            .filter(action::Column::ConversationId.is_in(ids.to_vec()))
            .all(db)
            .await?
        {
            let title = redacted(r, &Some(a.title.clone()));
            let details = redacted_json(r, &a.details);
            if title.is_some() || details.is_some() {
                let mut m: action::ActiveModel = a.clone().into();
                if let Some(t) = title {
                    m.title = Set(t);
                }
                if let Some(d) = details {
                    m.details = Set(Some(d));
                }
                action::Entity::update(m).exec(db).await?;
            }
        }
        for j in job::Entity::find()
            .filter(job::Column::OrgId.eq(self.org_id))
            .filter(job::Column::ConversationId.is_in(ids.to_vec()))
            .filter(job::Column::LastError.is_not_null())
            .all(db)
            .await?
        {
            if let Some(e) = redacted(r, &j.last_error) {
                job::Entity::update_many()
                    .filter(job::Column::OrgId.eq(self.org_id))
                    .filter(job::Column::Id.eq(j.id))
                    .col_expr(job::Column::LastError, Expr::value(e))
                    .exec(db)
                    .await?;
            }
        }
        Ok(messages)
    }

    /// Message texts and media captions, in batches (a long conversation is thousands).
    async fn redact_messages(
        &self,
        db: &impl ConnectionTrait,
        ids: &[Uuid],
        r: &Redactor,
    ) -> Result<u64> {
        // What the lead wrote loses every email address, known to the CRM or not.
        let theirs = r.clone().with_any_email();
        let mut changed = 0;
        let mut after: Option<Uuid> = None;
        loop {
            let mut q = message::Entity::find()
                .filter(message::Column::OrgId.eq(self.org_id))
                .filter(message::Column::ConversationId.is_in(ids.to_vec()));
            if let Some(a) = after {
                q = q.filter(message::Column::Id.gt(a));
            }
            let rows = q
                .order_by_asc(message::Column::Id)
                .limit(BATCH)
                .all(db)
                .await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            for m in rows {
                let r = match m.direction {
                    Direction::Inbound => &theirs,
                    Direction::Outbound => r,
                };
                let text = redacted(r, &m.text);
                let media = redacted_json(r, &m.media);
                if text.is_none() && media.is_none() {
                    continue;
                }
                let mut update = message::Entity::update_many()
                    .filter(message::Column::OrgId.eq(self.org_id))
                    .filter(message::Column::Id.eq(m.id));
                if let Some(t) = text {
                    update = update.col_expr(message::Column::Text, Expr::value(t));
                }
                if let Some(j) = media {
                    update = update.col_expr(message::Column::Media, Expr::value(j));
                }
                update.exec(db).await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    async fn redact_decisions(
        &self,
        db: &impl ConnectionTrait,
        ids: &[Uuid],
        r: &Redactor,
    ) -> Result<()> {
        for d in decision::Entity::find()
            .filter(decision::Column::OrgId.eq(self.org_id))
            .filter(decision::Column::ConversationId.is_in(ids.to_vec()))
            .all(db)
            .await?
        {
            let mut m: decision::ActiveModel = d.clone().into();
            let mut changed = false;
            if let Some(t) = redacted(r, &d.message_text) {
                m.message_text = Set(Some(t));
                changed = true;
            }
            if let Some(e) = redacted(r, &d.error) {
                m.error = Set(Some(e));
                changed = true;
            }
            if let Some(h) = redacted_json(r, &d.handoff) {
                m.handoff = Set(Some(h));
                changed = true;
            }
            if let Some(g) = redacted_json(r, &d.guardrails) {
                m.guardrails = Set(Some(g));
                changed = true;
            }
            if let Some(mut state) = d.state_after.clone() {
                r.redact_json(&mut state);
                clear_slot_values(&mut state);
                if Some(&state) != d.state_after.as_ref() {
                    m.state_after = Set(Some(state));
                    changed = true;
                }
            }
            if changed {
                decision::Entity::update(m).exec(db).await?;
            }
        }
        Ok(())
    }

    /// The lead's activity log, bookings and stage-change reasons.
    async fn redact_lead_records(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
        r: &Redactor,
    ) -> Result<()> {
        for a in activity_row::Entity::find()
            .filter(activity_row::Column::OrgId.eq(self.org_id))
            .filter(activity_row::Column::ContactId.eq(id))
            .all(db)
            .await?
        {
            if let Some(p) = redacted_json(r, &a.payload) {
                activity_row::Entity::update_many()
                    .filter(activity_row::Column::OrgId.eq(self.org_id))
                    .filter(activity_row::Column::Id.eq(a.id))
                    .col_expr(activity_row::Column::Payload, Expr::value(p))
                    .exec(db)
                    .await?;
            }
        }
        for e in calendar_event::Entity::find()
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::ContactId.eq(id))
            .all(db)
            .await?
        {
            if let Some(t) = redacted(r, &Some(e.title.clone())) {
                calendar_event::Entity::update_many()
                    .filter(calendar_event::Column::OrgId.eq(self.org_id))
                    .filter(calendar_event::Column::Id.eq(e.id))
                    .col_expr(calendar_event::Column::Title, Expr::value(t))
                    .exec(db)
                    .await?;
            }
        }
        for h in stage_history::Entity::find()
            .filter(stage_history::Column::OrgId.eq(self.org_id))
            .filter(stage_history::Column::ContactId.eq(id))
            .filter(stage_history::Column::Reason.is_not_null())
            .all(db)
            .await?
        {
            if let Some(t) = redacted(r, &h.reason) {
                stage_history::Entity::update_many()
                    .filter(stage_history::Column::OrgId.eq(self.org_id))
                    .filter(stage_history::Column::Id.eq(h.id))
                    .col_expr(stage_history::Column::Reason, Expr::value(t))
                    .exec(db)
                    .await?;
            }
        }
        Ok(())
    }

    /// Uploaded lead files keep every row (an import resumes from them and its error report
    /// repeats them): the lead's identity is taken out of each, one file at a time.
    async fn redact_imports(&self, db: &impl ConnectionTrait, r: &Redactor) -> Result<()> {
        let ids: Vec<Uuid> = lead_import::Entity::find()
            .select_only()
            .column(lead_import::Column::Id)
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .into_tuple()
            .all(db)
            .await?;
        for id in ids {
            let Some(file) = lead_import::Entity::find()
                .filter(lead_import::Column::OrgId.eq(self.org_id))
                .filter(lead_import::Column::Id.eq(id))
                .one(db)
                .await?
            else {
                continue;
            };
            let content = redacted(r, &Some(file.content.clone()));
            let columns = redacted_json(r, &file.columns);
            if content.is_none() && columns.is_none() {
                continue;
            }
            let mut update = lead_import::Entity::update_many()
                .filter(lead_import::Column::OrgId.eq(self.org_id))
                .filter(lead_import::Column::Id.eq(id));
            if let Some(c) = content {
                update = update.col_expr(lead_import::Column::Content, Expr::value(c));
            }
            if let Some(c) = columns {
                update = update.col_expr(lead_import::Column::Columns, Expr::value(c));
            }
            update.exec(db).await?;
        }
        Ok(())
    }
}

/// The lead row without identity, profile or fields; what is counted (status, stage, value,
/// owner, tags, source, dates) stays. An ad click's id goes; the ad itself stays.
/// Marks the files of the lead's conversations erased (no name, no transcript, no place in
/// the media store), in their messages too; returns where their bytes were kept.
async fn erase_media(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    conversation_ids: &[Uuid],
) -> Result<Vec<String>> {
    let files = media_file::Entity::find()
        .filter(media_file::Column::OrgId.eq(org_id))
        .filter(media_file::Column::ConversationId.is_in(conversation_ids.to_vec()))
        .filter(media_file::Column::Status.ne(MediaStatus::Erased))
        .all(db)
        .await?;
    if files.is_empty() {
        return Ok(vec![]);
    }
    media_file::Entity::update_many()
        .col_expr(media_file::Column::Status, Expr::value(MediaStatus::Erased))
        .col_expr(
            media_file::Column::StorageKey,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            media_file::Column::FileName,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            media_file::Column::Transcript,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            media_file::Column::Sha256,
            Expr::value(Option::<String>::None),
        )
        .col_expr(media_file::Column::UpdatedAt, Expr::value(now()))
        .filter(media_file::Column::OrgId.eq(org_id))
        .filter(media_file::Column::Id.is_in(files.iter().map(|f| f.id).collect::<Vec<_>>()))
        .exec(db)
        .await?;
    let gone = json!({ "status": MediaStatus::Erased, "file_name": null, "transcript": null });
    for message_id in files.iter().filter_map(|f| f.message_id) {
        crate::media::mirror_into_message(db, org_id, message_id, &gone).await?;
    }
    Ok(files.into_iter().filter_map(|f| f.storage_key).collect())
}

async fn clear_identity(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    l: &lead::Model,
    at: DateTime<Utc>,
) -> Result<()> {
    let campaign = l.campaign.clone().map(|mut c| {
        if let Value::Object(map) = &mut c {
            map.remove("ctwa_clid");
        }
        c
    });
    let none = Option::<String>::None;
    lead::Entity::update_many()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.eq(l.id))
        .col_expr(lead::Column::Phone, Expr::value(none.clone()))
        .col_expr(lead::Column::WaUserId, Expr::value(none.clone()))
        .col_expr(lead::Column::Name, Expr::value(none.clone()))
        .col_expr(lead::Column::ProfileName, Expr::value(none.clone()))
        .col_expr(lead::Column::Email, Expr::value(none.clone()))
        .col_expr(lead::Column::City, Expr::value(none.clone()))
        .col_expr(lead::Column::Business, Expr::value(none.clone()))
        .col_expr(lead::Column::Website, Expr::value(none.clone()))
        .col_expr(lead::Column::Notes, Expr::value(none))
        .col_expr(lead::Column::CustomFields, Expr::value(json!({})))
        .col_expr(lead::Column::PersonFields, Expr::value(json!([])))
        .col_expr(lead::Column::Campaign, Expr::value(campaign))
        .col_expr(lead::Column::ErasedAt, Expr::value(at))
        .col_expr(lead::Column::UpdatedAt, Expr::value(at))
        .exec(db)
        .await?;
    Ok(())
}
