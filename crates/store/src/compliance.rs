//! The opt-out list, which is also the suppression list: one `opt_outs` row per person who may
//! not be messaged, written in the transaction of every opt-out (the agent's STOP, a member,
//! a bulk operation, an import, an erasure) and deleted by an opt-in. The row keeps keyed
//! hashes of the phone and WhatsApp id ([`crate::secret_box::SecretBox::fingerprint`]), so a
//! lead created later from the same number — a message, an import — is created opted out,
//! even after the first lead was erased or deleted.

use crate::activity::{self, NewActivity};
use crate::audit::Actor;
use crate::entities::{activity as activity_row, lead, opt_out};
use crate::error::Result;
use crate::{Store, new_id};
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::compliance::OptOutSource;
use closer_domain::sales::LeadStatus;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How a lead came onto the list.
#[derive(Debug, Clone)]
pub struct OptOutBy {
    pub source: OptOutSource,
    /// The member, for `manual`, `bulk`, `import` and `erasure`.
    pub by_user_id: Option<Uuid>,
    pub reason: Option<String>,
    /// The lead's message that said stop (`keyword`, `button`).
    pub message_id: Option<Uuid>,
}

impl OptOutBy {
    pub fn member(source: OptOutSource, actor: &Actor, reason: Option<String>) -> Self {
        OptOutBy {
            source,
            by_user_id: Some(actor.user_id),
            reason,
            message_id: None,
        }
    }
}

/// Keyed hashes of a lead's identities.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fingerprints {
    pub(crate) phone: Option<String>,
    pub(crate) bsuid: Option<String>,
}

impl Fingerprints {
    pub(crate) fn of(store: &Store, phone: Option<&str>, bsuid: Option<&str>) -> Result<Self> {
        if phone.is_none() && bsuid.is_none() {
            return Ok(Fingerprints::default());
        }
        let key = store.secret_box()?;
        Ok(Fingerprints {
            phone: phone.map(|p| key.fingerprint(p)),
            bsuid: bsuid.map(|b| key.fingerprint(b)),
        })
    }

    pub(crate) fn of_lead(store: &Store, l: &lead::Model) -> Result<Self> {
        Self::of(store, l.phone.as_deref(), l.wa_user_id.as_deref())
    }

    /// The list rows of these identities; None when there are none to look for.
    pub(crate) fn condition(&self) -> Option<Condition> {
        let mut any = Condition::any();
        if let Some(p) = &self.phone {
            any = any.add(opt_out::Column::PhoneHash.eq(p.clone()));
        }
        if let Some(b) = &self.bsuid {
            any = any.add(opt_out::Column::BsuidHash.eq(b.clone()));
        }
        (self.phone.is_some() || self.bsuid.is_some()).then_some(any)
    }
}

/// The row of this person: by their identities, else by the lead it names.
async fn entry_of(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    fp: &Fingerprints,
) -> Result<Option<opt_out::Model>> {
    let mut any = Condition::any().add(opt_out::Column::ContactId.eq(lead_id));
    if let Some(c) = fp.condition() {
        any = any.add(c);
    }
    Ok(opt_out::Entity::find()
        .filter(opt_out::Column::OrgId.eq(org_id))
        .filter(any)
        .one(db)
        .await?)
}

/// Puts the person on the list, or points their row at this lead (filling an identity it
/// lacked). True when a row was written anew.
pub(crate) async fn list_person(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    fp: &Fingerprints,
    how: &OptOutBy,
    at: DateTime<Utc>,
) -> Result<bool> {
    if let Some(row) = entry_of(db, org_id, lead_id, fp).await? {
        let mut update = opt_out::Entity::update_many()
            .filter(opt_out::Column::OrgId.eq(org_id))
            .filter(opt_out::Column::Id.eq(row.id))
            .col_expr(opt_out::Column::ContactId, Expr::value(lead_id));
        if row.phone_hash.is_none() && fp.phone.is_some() {
            update = update.col_expr(opt_out::Column::PhoneHash, Expr::value(fp.phone.clone()));
        }
        if row.bsuid_hash.is_none() && fp.bsuid.is_some() {
            update = update.col_expr(opt_out::Column::BsuidHash, Expr::value(fp.bsuid.clone()));
        }
        update.exec(db).await?;
        return Ok(false);
    }
    opt_out::Entity::insert(opt_out::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org_id),
        contact_id: Set(Some(lead_id)),
        phone_hash: Set(fp.phone.clone()),
        bsuid_hash: Set(fp.bsuid.clone()),
        source: Set(how.source),
        reason: Set(how.reason.clone()),
        by_user_id: Set(how.by_user_id),
        message_id: Set(how.message_id),
        at: Set(at),
    })
    // Two writers listing one person at once (replicas starting together): one row.
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(true)
}

/// Takes the person off the list (their row by identity, and any row naming this lead).
pub(crate) async fn unlist_person(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    fp: &Fingerprints,
) -> Result<()> {
    let mut any = Condition::any().add(opt_out::Column::ContactId.eq(lead_id));
    if let Some(c) = fp.condition() {
        any = any.add(c);
    }
    opt_out::Entity::delete_many()
        .filter(opt_out::Column::OrgId.eq(org_id))
        .filter(any)
        .exec(db)
        .await?;
    Ok(())
}

/// The agent's STOP or START, in the transaction of its decision: the person goes onto the
/// list (a tapped reply button is `button`, typed words `keyword`; `said` is the lead's
/// message) or off it. What the list recorded, for the activity log.
pub(crate) async fn follow_agent(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    l: &crate::entities::contact::Model,
    opts_out: bool,
    said: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Option<OptOutBy>> {
    use closer_domain::messaging::MessageType;
    let fp = Fingerprints::of(store, l.phone.as_deref(), l.wa_user_id.as_deref())?;
    if !opts_out {
        unlist_person(db, org_id, l.id, &fp).await?;
        return Ok(None);
    }
    let kind: Option<MessageType> = match said {
        Some(id) => {
            crate::entities::message::Entity::find()
                .select_only()
                .column(crate::entities::message::Column::Kind)
                .filter(crate::entities::message::Column::OrgId.eq(org_id))
                .filter(crate::entities::message::Column::Id.eq(id))
                .into_tuple()
                .one(db)
                .await?
        }
        None => None,
    };
    let tapped = matches!(
        kind,
        Some(MessageType::ButtonReply | MessageType::ListReply | MessageType::Interactive)
    );
    let how = OptOutBy {
        source: if tapped {
            OptOutSource::Button
        } else {
            OptOutSource::Keyword
        },
        by_user_id: None,
        reason: None,
        message_id: said,
    };
    list_person(db, org_id, l.id, &fp, &how, at).await?;
    Ok(Some(how))
}

/// The activity-log entry of an opt-out.
pub(crate) fn opted_out_event(lead_id: Uuid, how: &OptOutBy) -> NewActivity {
    NewActivity {
        contact_id: Some(lead_id),
        conversation_id: None,
        kind: ActivityKind::OptedOut,
        actor: match how.source {
            OptOutSource::Keyword | OptOutSource::Button => ActivityActor::Lead,
            _ => ActivityActor::Member,
        },
        actor_user_id: how.by_user_id,
        payload: json!({
            "source": how.source,
            "reason": how.reason,
            "message_id": how.message_id,
        }),
    }
}

/// Marks a lead opted out and lists them, in the caller's transaction; false (and nothing
/// written but a missing list row) when they were opted out already.
pub(crate) async fn opt_out_lead(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    l: &lead::Model,
    how: &OptOutBy,
    at: DateTime<Utc>,
) -> Result<bool> {
    let fp = Fingerprints::of_lead(store, l)?;
    list_person(db, org_id, l.id, &fp, how, at).await?;
    if l.opted_out {
        return Ok(false);
    }
    lead::Entity::update_many()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.eq(l.id))
        .col_expr(lead::Column::OptedOut, Expr::value(true))
        .col_expr(lead::Column::OptedOutAt, Expr::value(at))
        .col_expr(
            lead::Column::LeadStatus,
            Expr::value(LeadStatus::OptedOut.as_str()),
        )
        .col_expr(lead::Column::UpdatedAt, Expr::value(at))
        .exec(db)
        .await?;
    activity::append(db, org_id, vec![opted_out_event(l.id, how)]).await?;
    Ok(true)
}

/// What an opt-out ended besides the lead's consent, for the realtime events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutreachEnded {
    /// `(conversation, follow-up)` of each pending follow-up cancelled.
    pub followups: Vec<(Uuid, Uuid)>,
    /// The drip sequence enrolment stopped, when the lead was in one.
    pub sequence: Option<crate::sequences::EnrollmentChange>,
}

/// The pending follow-ups of the lead's conversations, cancelled (`opted_out`), and its drip
/// sequence stopped: an opt-out ends all messaging now rather than when each falls due.
pub(crate) async fn cancel_followups(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
) -> Result<OutreachEnded> {
    use crate::entities::conversation;
    let conversations: Vec<Uuid> = conversation::Entity::find()
        .select_only()
        .column(conversation::Column::Id)
        .filter(conversation::Column::OrgId.eq(org_id))
        .filter(conversation::Column::ContactId.eq(lead_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut cancelled = Vec::new();
    for c in conversations {
        let why = closer_domain::followup::FollowupStatusReason::OptedOut;
        let ids = crate::followups::cancel_pending(db, org_id, c, why).await?;
        cancelled.extend(ids.into_iter().map(|f| (c, f)));
    }
    // Its drip sequence ends now too, rather than when the next step falls due.
    let why = closer_domain::sequences::StopReason::OptedOut;
    let sequence = crate::sequences::stop_active(db, org_id, lead_id, why).await?;
    Ok(OutreachEnded {
        followups: cancelled,
        sequence,
    })
}

/// Opts out many leads at once (a bulk operation's chunk): leads opted out already are left
/// as they are. Three statements and the activity log, whatever the count; how many changed.
pub(crate) async fn opt_out_many(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    ids: &[Uuid],
    how: &OptOutBy,
    at: DateTime<Utc>,
) -> Result<u64> {
    let leads = lead::Entity::find()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.is_in(ids.to_vec()))
        .filter(lead::Column::OptedOut.eq(false))
        .all(db)
        .await?;
    if leads.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = leads.iter().map(|l| l.id).collect();
    let prints: Vec<Fingerprints> = leads
        .iter()
        .map(|l| Fingerprints::of_lead(store, l))
        .collect::<Result<_>>()?;
    let hashes: Vec<String> = prints
        .iter()
        .flat_map(|f| f.phone.iter().chain(f.bsuid.iter()).cloned())
        .collect();
    // A person already on the list (an inconsistent row) keeps their row, as it was.
    let listed = opt_out::Entity::find()
        .filter(opt_out::Column::OrgId.eq(org_id))
        .filter(
            Condition::any()
                .add(opt_out::Column::ContactId.is_in(ids.clone()))
                .add(opt_out::Column::PhoneHash.is_in(hashes.clone()))
                .add(opt_out::Column::BsuidHash.is_in(hashes)),
        )
        .all(db)
        .await?;
    let on_list = |l: &lead::Model, f: &Fingerprints| {
        listed.iter().any(|r| {
            r.contact_id == Some(l.id)
                || (r.phone_hash.is_some() && r.phone_hash == f.phone)
                || (r.bsuid_hash.is_some() && r.bsuid_hash == f.bsuid)
        })
    };
    let rows: Vec<opt_out::ActiveModel> = leads
        .iter()
        .zip(&prints)
        .filter(|(l, f)| !on_list(l, f))
        .map(|(l, f)| opt_out::ActiveModel {
            id: Set(new_id()),
            org_id: Set(org_id),
            contact_id: Set(Some(l.id)),
            phone_hash: Set(f.phone.clone()),
            bsuid_hash: Set(f.bsuid.clone()),
            source: Set(how.source),
            reason: Set(how.reason.clone()),
            by_user_id: Set(how.by_user_id),
            message_id: Set(None),
            at: Set(at),
        })
        .collect();
    for chunk in rows.chunks(500) {
        opt_out::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
    }
    let changed = lead::Entity::update_many()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.is_in(ids.clone()))
        .col_expr(lead::Column::OptedOut, Expr::value(true))
        .col_expr(lead::Column::OptedOutAt, Expr::value(at))
        .col_expr(
            lead::Column::LeadStatus,
            Expr::value(LeadStatus::OptedOut.as_str()),
        )
        .col_expr(lead::Column::UpdatedAt, Expr::value(at))
        .exec(db)
        .await?
        .rows_affected;
    let events = ids.iter().map(|id| opted_out_event(*id, how)).collect();
    activity::append(db, org_id, events).await?;
    Ok(changed)
}

/// A lead the channel just created: when their number is on the list, they are created opted
/// out and the list's row follows them. One indexed lookup, made only for a new lead.
pub(crate) async fn keep_suppressed(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    lead_id: Uuid,
    phone: Option<&str>,
    bsuid: Option<&str>,
) -> Result<()> {
    let fp = Fingerprints::of(store, phone, bsuid)?;
    let Some(cond) = fp.condition() else {
        return Ok(());
    };
    let Some(row) = opt_out::Entity::find()
        .filter(opt_out::Column::OrgId.eq(org_id))
        .filter(cond)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    suppress(db, org_id, lead_id, &row).await
}

/// New leads (an ingest group's, across organisations: `(org, lead, phone)`) whose numbers
/// are on their organisation's list come back opted out; one look-up for all of them.
pub(crate) async fn keep_suppressed_many(
    db: &impl ConnectionTrait,
    store: &Store,
    leads: &[(Uuid, Uuid, &str)],
) -> Result<()> {
    if leads.is_empty() {
        return Ok(());
    }
    let key = store.secret_box()?;
    let hashed: Vec<(Uuid, Uuid, String)> = leads
        .iter()
        .map(|&(org, lead, phone)| (org, lead, key.fingerprint(phone)))
        .collect();
    let orgs: std::collections::BTreeSet<Uuid> = hashed.iter().map(|h| h.0).collect();
    let rows = opt_out::Entity::find()
        .filter(opt_out::Column::OrgId.is_in(orgs))
        .filter(opt_out::Column::PhoneHash.is_in(hashed.iter().map(|h| h.2.clone())))
        .all(db)
        .await?;
    for row in rows {
        let lead = hashed
            .iter()
            .find(|(org, _, hash)| *org == row.org_id && row.phone_hash.as_ref() == Some(hash));
        if let Some(&(org, lead, _)) = lead {
            suppress(db, org, lead, &row).await?;
        }
    }
    Ok(())
}

/// Opts the lead out as the list row says, and points the row at it.
async fn suppress(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    row: &opt_out::Model,
) -> Result<()> {
    lead::Entity::update_many()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.eq(lead_id))
        .col_expr(lead::Column::OptedOut, Expr::value(true))
        .col_expr(lead::Column::OptedOutAt, Expr::value(row.at))
        .col_expr(
            lead::Column::LeadStatus,
            Expr::value(LeadStatus::OptedOut.as_str()),
        )
        .exec(db)
        .await?;
    opt_out::Entity::update_many()
        .filter(opt_out::Column::OrgId.eq(org_id))
        .filter(opt_out::Column::Id.eq(row.id))
        .col_expr(opt_out::Column::ContactId, Expr::value(lead_id))
        .exec(db)
        .await?;
    activity::append(db, org_id, vec![suppressed_event(lead_id, row)]).await
}

/// The activity of a lead created opted out because their number is on the list: the
/// system did it, repeating how the person came onto the list.
fn suppressed_event(lead_id: Uuid, row: &opt_out::Model) -> NewActivity {
    let how = OptOutBy {
        source: row.source,
        by_user_id: row.by_user_id,
        reason: row.reason.clone(),
        message_id: row.message_id,
    };
    let mut event = opted_out_event(lead_id, &how);
    event.actor = ActivityActor::System;
    event.actor_user_id = None;
    event.payload["suppressed_since"] = json!(row.at);
    event
}

/// New leads of an import whose numbers are on the list: created opted out, the list's rows
/// following them. One query per call (the caller's batch).
pub(crate) async fn suppress_new_leads(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    leads: &mut [lead::ActiveModel],
) -> Result<Vec<NewActivity>> {
    let mut by_hash: HashMap<String, usize> = HashMap::new();
    for (i, l) in leads.iter().enumerate() {
        let phone = l.phone.clone().unwrap();
        let bsuid = l.wa_user_id.clone().unwrap();
        let fp = Fingerprints::of(store, phone.as_deref(), bsuid.as_deref())?;
        by_hash.extend(fp.phone.into_iter().chain(fp.bsuid).map(|h| (h, i)));
    }
    if by_hash.is_empty() {
        return Ok(Vec::new());
    }
    let hashes: Vec<String> = by_hash.keys().cloned().collect();
    let rows = opt_out::Entity::find()
        .filter(opt_out::Column::OrgId.eq(org_id))
        .filter(
            Condition::any()
                .add(opt_out::Column::PhoneHash.is_in(hashes.clone()))
                .add(opt_out::Column::BsuidHash.is_in(hashes)),
        )
        .all(db)
        .await?;
    let mut events = Vec::new();
    for row in rows {
        let Some(&i) = [&row.phone_hash, &row.bsuid_hash]
            .into_iter()
            .flatten()
            .find_map(|h| by_hash.get(h))
        else {
            continue;
        };
        let l = &mut leads[i];
        let lead_id = *l.id.as_ref();
        l.opted_out = Set(true);
        l.opted_out_at = Set(Some(row.at));
        l.lead_status = Set(LeadStatus::OptedOut);
        opt_out::Entity::update_many()
            .filter(opt_out::Column::OrgId.eq(org_id))
            .filter(opt_out::Column::Id.eq(row.id))
            .col_expr(opt_out::Column::ContactId, Expr::value(lead_id))
            .exec(db)
            .await?;
        events.push(suppressed_event(lead_id, &row));
    }
    Ok(events)
}

/// Lists the leads opted out before the list existed (m0015 could not hash their numbers: the
/// key is not the database's). Run at start; finds nothing once done.
pub async fn list_earlier_opt_outs(store: &Store) -> Result<u64> {
    let listed = Query::select()
        .column(opt_out::Column::ContactId)
        .from(opt_out::Entity)
        .and_where(opt_out::Column::ContactId.is_not_null())
        .to_owned();
    let leads = lead::Entity::find()
        .filter(lead::Column::OptedOut.eq(true))
        .filter(lead::Column::Id.not_in_subquery(listed))
        .all(&store.db)
        .await?;
    let mut n = 0;
    for l in leads {
        // Before the list, a lead opted out by the agent's STOP (logged as the lead's act) or
        // by a bulk operation (which logged nothing).
        let by_lead = activity_row::Entity::find()
            .filter(activity_row::Column::OrgId.eq(l.org_id))
            .filter(activity_row::Column::ContactId.eq(l.id))
            .filter(activity_row::Column::Kind.eq(ActivityKind::OptedOut.as_str()))
            .filter(activity_row::Column::Actor.eq(ActivityActor::Lead.as_str()))
            .one(&store.db)
            .await?
            .is_some();
        let how = OptOutBy {
            source: if by_lead {
                OptOutSource::Keyword
            } else {
                OptOutSource::Bulk
            },
            by_user_id: None,
            reason: None,
            message_id: None,
        };
        let txn = store.begin_write().await?;
        let fp = Fingerprints::of_lead(store, &l)?;
        let at = l.opted_out_at.unwrap_or(l.updated_at);
        if list_person(&*txn, l.org_id, l.id, &fp, &how, at).await? {
            n += 1;
        }
        txn.commit().await?;
    }
    Ok(n)
}
