//! The sender's half in the store: the shared pace (campaign and number, compare-and-swap on
//! one row each, so replicas never exceed it together), the claim of one recipient (committed
//! before the Graph call, with a 30 s lease), and the outcome of each send routed by the
//! domain's rules. A lapsed claim is never sent again: it fails as `send_interrupted`.

use super::audience::mapping_of;
use super::{CampaignRecord, enqueue_sender};
use crate::activity::{self, NewActivity};
use crate::audit::Actor;
use crate::entities::{
    campaign, campaign_recipient, contact, conversation, conversation_state, message,
    number_pacing, whatsapp_account,
};
use crate::error::{Result, StoreError};
use crate::inbox::window_of;
use crate::replies::SendTask;
use crate::team::OrgScope;
use crate::templates::{TemplateRecord, lead_values_of};
use crate::{new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::campaigns::{
    CampaignCommand, CampaignStatus, DEFAULT_NUMBER_RATE, ErrorRoute, NumberPace, PausedReason,
    RecipientReason, RecipientStatus, TEMPLATE_ERRORS_TO_PAUSE, gap_wait, messaging_limit,
    spacing_ms, take_slot,
};
use closer_domain::contact_points::Phone;
use closer_domain::messaging::{Author, Channel, DeliveryStatus, Direction, MessageType};
use closer_domain::send_policy::{self, Content, Outgoing, Recipient, SendRule, Sender};
use closer_domain::templates::{VariableMapping, VariableSource, fill, render};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// When the next send may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotAnswer {
    /// At this time (ms): the slot is ours. `pace`: the number's pace as it was.
    Go { at_ms: i64, pace: NumberPace },
    /// Not before this time (ms): the number is paused or the pace is full.
    Wait { until_ms: i64 },
}

/// One recipient claimed for sending, with everything the Graph call needs.
#[derive(Debug, Clone)]
pub struct ClaimedSend {
    pub recipient_id: Uuid,
    pub lead_id: Uuid,
    pub conversation_id: Uuid,
    /// Tries so far, this one included.
    pub attempts: u32,
    pub cap_retries: u32,
    /// The message as the channel sends it (its id is the message's to be).
    pub task: SendTask,
    /// The rendered text the inbox shows.
    pub text: String,
}

/// What a claim came to.
#[derive(Debug, Clone)]
pub enum Claim {
    Send(Box<ClaimedSend>),
    /// Too soon after our last message to the lead: due again at this time.
    Requeued(DateTime<Utc>),
    /// The rolling 24 h messaging limit is full: the campaign's waiting recipients wait for
    /// budget until this time (see [`OrgScope::wait_for_budget`]).
    OverLimit(DateTime<Utc>),
    /// Not sent, for this reason (excluded since start, a variable with no value).
    Skipped(RecipientReason),
    /// Another sender took it, or it is no longer waiting.
    Lost,
}

/// What became of a send, for the runner's announcements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    Requeued,
    Failed,
    /// The campaign paused for this reason.
    Paused(PausedReason),
}

const CLAIM_LEASE_SECONDS: i64 = 30;

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn recipient_update(org_id: Uuid, id: Uuid) -> sea_orm::UpdateMany<campaign_recipient::Entity> {
    campaign_recipient::Entity::update_many()
        .filter(campaign_recipient::Column::OrgId.eq(org_id))
        .filter(campaign_recipient::Column::Id.eq(id))
        .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now()))
}

/// Lead fields the templates' own mapping does not know (`custom_fields.KEY`) become fixed
/// text for this lead, so the one `fill` serves both.
fn resolve_custom_fields(mapping: &mut BTreeMap<String, VariableMapping>, lead: &contact::Model) {
    let custom = lead.custom_fields.as_ref();
    for m in mapping.values_mut() {
        if m.source == VariableSource::Contact
            && let Some(key) = m.key.strip_prefix("custom_fields.")
        {
            let value = custom
                .and_then(|c| c.get(key))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .unwrap_or_default();
            *m = VariableMapping {
                source: VariableSource::Static,
                key: value,
                fallback: m.fallback.clone(),
            };
        }
    }
}

impl OrgScope<'_> {
    /// The number's pace row, created at its default the first time.
    async fn number_pace(&self, number: &str) -> Result<NumberPace> {
        let find = || {
            number_pacing::Entity::find()
                .filter(number_pacing::Column::OrgId.eq(self.org_id))
                .filter(number_pacing::Column::Number.eq(number))
        };
        if let Some(p) = find().one(&self.store.db).await? {
            return Ok(pace_of(&p));
        }
        let fresh = NumberPace::new(DEFAULT_NUMBER_RATE);
        number_pacing::Entity::insert(number_pacing::ActiveModel {
            org_id: Set(self.org_id),
            number: Set(number.to_owned()),
            next_slot_ms: Set(0),
            rate: Set(fresh.rate as i32),
            max_rate: Set(fresh.max_rate as i32),
            paused_until_ms: Set(0),
            backoff_ms: Set(fresh.backoff_ms),
            updated_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([number_pacing::Column::OrgId, number_pacing::Column::Number])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.store.db)
        .await?;
        Ok(find()
            .one(&self.store.db)
            .await?
            .map(|p| pace_of(&p))
            .unwrap_or(fresh))
    }

    /// The number's rate (`send_rate_per_second`, 1–1000, 80 by default).
    pub async fn number_rate(&self, number: &str) -> Result<u32> {
        Ok(self.number_pace(number).await?.max_rate)
    }

    /// Sets the number's rate (audited); the current pace never exceeds it.
    pub async fn set_number_rate(&self, actor: &Actor, number: &str, rate: u32) -> Result<()> {
        let was = self.number_pace(number).await?.max_rate;
        let txn = self.store.begin_write().await?;
        number_pacing::Entity::update_many()
            .filter(number_pacing::Column::OrgId.eq(self.org_id))
            .filter(number_pacing::Column::Number.eq(number))
            .col_expr(number_pacing::Column::MaxRate, Expr::value(rate as i32))
            .col_expr(number_pacing::Column::Rate, Expr::value(rate as i32))
            .col_expr(number_pacing::Column::UpdatedAt, Expr::value(now()))
            .exec(&txn)
            .await?;
        if was != rate {
            crate::audit::record(
                &txn,
                self.org_id,
                Some(actor),
                "whatsapp.send_rate",
                format!("number:{number}"),
                json!({ "from": was, "to": rate }),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Takes the next slot of both paces (the campaign's and the number's), or says how long
    /// to wait. Each pace is one row moved by compare-and-swap: whichever replica asks, no
    /// two sends share a slot.
    pub async fn take_send_slot(
        &self,
        campaign_id: Uuid,
        campaign_rate: u32,
        number: &str,
    ) -> Result<SlotAnswer> {
        for _ in 0..50 {
            let now_ms = ms(now());
            let pace = self.number_pace(number).await?;
            if pace.paused_until_ms > now_ms {
                return Ok(SlotAnswer::Wait {
                    until_ms: pace.paused_until_ms,
                });
            }
            let c_next: i64 = campaign::Entity::find()
                .select_only()
                .column(campaign::Column::NextSlotMs)
                .filter(campaign::Column::OrgId.eq(self.org_id))
                .filter(campaign::Column::Id.eq(campaign_id))
                .into_tuple()
                .one(&self.store.db)
                .await?
                .ok_or(StoreError::NotFound)?;
            let (c_at, _) = take_slot(c_next, now_ms, campaign_rate);
            let (n_at, _) = take_slot(pace.next_slot_ms, now_ms, pace.rate);
            let at = c_at.max(n_at);
            if at > now_ms + 1000 {
                return Ok(SlotAnswer::Wait { until_ms: at });
            }
            let took_campaign = campaign::Entity::update_many()
                .filter(campaign::Column::OrgId.eq(self.org_id))
                .filter(campaign::Column::Id.eq(campaign_id))
                .filter(campaign::Column::NextSlotMs.eq(c_next))
                .col_expr(
                    campaign::Column::NextSlotMs,
                    Expr::value(at + spacing_ms(campaign_rate)),
                )
                .exec(&self.store.db)
                .await?;
            if took_campaign.rows_affected != 1 {
                continue;
            }
            let took_number = number_pacing::Entity::update_many()
                .filter(number_pacing::Column::OrgId.eq(self.org_id))
                .filter(number_pacing::Column::Number.eq(number))
                .filter(number_pacing::Column::NextSlotMs.eq(pace.next_slot_ms))
                .col_expr(
                    number_pacing::Column::NextSlotMs,
                    Expr::value(at + spacing_ms(pace.rate)),
                )
                .exec(&self.store.db)
                .await?;
            if took_number.rows_affected == 1 {
                return Ok(SlotAnswer::Go { at_ms: at, pace });
            }
            // Another campaign took the number's slot: the campaign's slot is given up (its
            // pace only gets slower, never faster).
        }
        Ok(SlotAnswer::Wait {
            until_ms: ms(now()) + 100,
        })
    }

    /// Takes the next slot of the number's pace alone, for a template that is not a
    /// campaign's (the agent's, a follow-up's, a sequence's or a rule's): every template sent
    /// from one number shares its pace. Compare-and-swap on the number's row, as for
    /// campaigns, so replicas never exceed it together.
    pub async fn take_number_slot(&self, number: &str) -> Result<SlotAnswer> {
        for _ in 0..50 {
            let now_ms = ms(now());
            let pace = self.number_pace(number).await?;
            if pace.paused_until_ms > now_ms {
                return Ok(SlotAnswer::Wait {
                    until_ms: pace.paused_until_ms,
                });
            }
            let (at, _) = take_slot(pace.next_slot_ms, now_ms, pace.rate);
            let took = number_pacing::Entity::update_many()
                .filter(number_pacing::Column::OrgId.eq(self.org_id))
                .filter(number_pacing::Column::Number.eq(number))
                .filter(number_pacing::Column::NextSlotMs.eq(pace.next_slot_ms))
                .col_expr(
                    number_pacing::Column::NextSlotMs,
                    Expr::value(at + spacing_ms(pace.rate)),
                )
                .exec(&self.store.db)
                .await?;
            if took.rows_affected == 1 {
                return Ok(SlotAnswer::Go { at_ms: at, pace });
            }
        }
        Ok(SlotAnswer::Wait {
            until_ms: ms(now()) + 100,
        })
    }

    /// Meta said the number is over its throughput: every sender of it pauses and slows.
    pub async fn number_throttled(&self, number: &str) -> Result<NumberPace> {
        let next = self.number_pace(number).await?.throttled(ms(now()));
        self.save_pace(number, next).await?;
        Ok(next)
    }

    /// A send went through after a slowdown: the pace climbs back a step.
    pub async fn number_recovered(&self, number: &str, was: NumberPace) -> Result<()> {
        if was.rate < was.max_rate || was.backoff_ms != was.recovered().backoff_ms {
            let current = self.number_pace(number).await?;
            self.save_pace(number, current.recovered()).await?;
        }
        Ok(())
    }

    async fn save_pace(&self, number: &str, p: NumberPace) -> Result<()> {
        number_pacing::Entity::update_many()
            .filter(number_pacing::Column::OrgId.eq(self.org_id))
            .filter(number_pacing::Column::Number.eq(number))
            .col_expr(number_pacing::Column::Rate, Expr::value(p.rate as i32))
            .col_expr(
                number_pacing::Column::PausedUntilMs,
                Expr::value(p.paused_until_ms),
            )
            .col_expr(number_pacing::Column::BackoffMs, Expr::value(p.backoff_ms))
            .col_expr(
                number_pacing::Column::NextSlotMs,
                Expr::value(p.next_slot_ms),
            )
            .col_expr(number_pacing::Column::UpdatedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// Claims whose lease ran out mid-send may have reached the lead: they fail as
    /// `send_interrupted` and are never sent again.
    pub async fn expire_lapsed_claims(&self, campaign_id: Uuid) -> Result<u64> {
        let at = now();
        let r = campaign_recipient::Entity::update_many()
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
            .filter(campaign_recipient::Column::Status.eq(RecipientStatus::Sending))
            .filter(campaign_recipient::Column::LeaseUntil.lt(at))
            .col_expr(
                campaign_recipient::Column::Status,
                Expr::value(RecipientStatus::Failed),
            )
            .col_expr(
                campaign_recipient::Column::Reason,
                Expr::value(RecipientReason::SendInterrupted),
            )
            .col_expr(campaign_recipient::Column::FailedAt, Expr::value(at))
            .col_expr(
                campaign_recipient::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(at))
            .exec(&self.store.db)
            .await?;
        Ok(r.rows_affected)
    }

    /// Waiting recipients due now, soonest first.
    pub async fn due_recipients(&self, campaign_id: Uuid, limit: u64) -> Result<Vec<Uuid>> {
        Ok(campaign_recipient::Entity::find()
            .select_only()
            .column(campaign_recipient::Column::Id)
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
            .filter(
                campaign_recipient::Column::Status
                    .is_in([RecipientStatus::Pending, RecipientStatus::Retrying]),
            )
            .filter(campaign_recipient::Column::DueAt.lte(now()))
            .order_by_asc(campaign_recipient::Column::DueAt)
            .limit(limit)
            .into_tuple()
            .all(&self.store.db)
            .await?)
    }

    /// When the sender has work again: the next due recipient, or the end of a claim's
    /// lease (to fail it if it lapsed). `None`: nothing is left to send.
    pub async fn next_send_due(&self, campaign_id: Uuid) -> Result<Option<DateTime<Utc>>> {
        let base = || {
            campaign_recipient::Entity::find()
                .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
                .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
        };
        let due: Option<DateTime<Utc>> = base()
            .select_only()
            .column(campaign_recipient::Column::DueAt)
            .filter(
                campaign_recipient::Column::Status
                    .is_in([RecipientStatus::Pending, RecipientStatus::Retrying]),
            )
            .order_by_asc(campaign_recipient::Column::DueAt)
            .limit(1)
            .into_tuple()
            .one(&self.store.db)
            .await?;
        let lease: Option<Option<DateTime<Utc>>> = base()
            .select_only()
            .column(campaign_recipient::Column::LeaseUntil)
            .filter(campaign_recipient::Column::Status.eq(RecipientStatus::Sending))
            .order_by_asc(campaign_recipient::Column::LeaseUntil)
            .limit(1)
            .into_tuple()
            .one(&self.store.db)
            .await?;
        let lease = lease.map(|l| l.unwrap_or_else(now));
        Ok(match (due, lease) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }

    /// Its time came: a scheduled campaign runs. False when it was not scheduled.
    pub async fn campaign_due(&self, id: Uuid) -> Result<bool> {
        let current = self.campaign_row(&self.store.db, id).await?;
        Ok(self
            .move_campaign(&self.store.db, &current, CampaignCommand::Due, None)
            .await?
            .is_some())
    }

    /// Every recipient reached an end: the campaign is completed. False otherwise.
    pub async fn complete_if_done(&self, id: Uuid) -> Result<bool> {
        let open = campaign_recipient::Entity::find()
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(id))
            .filter(campaign_recipient::Column::Status.is_in([
                RecipientStatus::Pending,
                RecipientStatus::Retrying,
                RecipientStatus::Sending,
            ]))
            .count(&self.store.db)
            .await?;
        if open > 0 {
            return Ok(false);
        }
        let current = self.campaign_row(&self.store.db, id).await?;
        Ok(self
            .move_campaign(&self.store.db, &current, CampaignCommand::Complete, None)
            .await?
            .is_some())
    }

    /// The sender's next job, when there is more to send.
    pub async fn schedule_sender(&self, campaign_id: Uuid, at: DateTime<Utc>) -> Result<()> {
        enqueue_sender(&self.store.db, self.org_id, campaign_id, at).await
    }

    /// Claims one recipient for sending and prepares its message, committed before the Graph
    /// call: excluded since start → `skipped`; too soon after our last message → due again
    /// after the gap; otherwise `sending` with a 30 s lease.
    pub async fn claim_send(
        &self,
        c: &CampaignRecord,
        template: &TemplateRecord,
        recipient_id: Uuid,
    ) -> Result<Claim> {
        let txn = self.store.begin_write().await?;
        let at = now();
        let claimed = recipient_update(self.org_id, recipient_id)
            .filter(campaign_recipient::Column::CampaignId.eq(c.id))
            .filter(
                campaign_recipient::Column::Status
                    .is_in([RecipientStatus::Pending, RecipientStatus::Retrying]),
            )
            .filter(campaign_recipient::Column::DueAt.lte(at))
            .col_expr(
                campaign_recipient::Column::Status,
                Expr::value(RecipientStatus::Sending),
            )
            .col_expr(
                campaign_recipient::Column::LeaseUntil,
                Expr::value(at + Duration::seconds(CLAIM_LEASE_SECONDS)),
            )
            .col_expr(
                campaign_recipient::Column::Attempts,
                sea_orm::ExprTrait::add(Expr::col(campaign_recipient::Column::Attempts), 1),
            )
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            return Ok(Claim::Lost);
        }
        let r = campaign_recipient::Entity::find_by_id(recipient_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let claim = self.prepare(&txn, c, template, &r).await?;
        match &claim {
            Claim::Skipped(why) => {
                recipient_update(self.org_id, r.id)
                    .col_expr(
                        campaign_recipient::Column::Status,
                        Expr::value(RecipientStatus::Skipped),
                    )
                    .col_expr(campaign_recipient::Column::Reason, Expr::value(*why))
                    .col_expr(
                        campaign_recipient::Column::LeaseUntil,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .exec(&txn)
                    .await?;
            }
            Claim::Requeued(due) | Claim::OverLimit(due) => {
                self.requeue(&txn, r.id, RecipientStatus::Pending, *due)
                    .await?;
            }
            Claim::Send(s) => {
                recipient_update(self.org_id, r.id)
                    .col_expr(
                        campaign_recipient::Column::ConversationId,
                        Expr::value(s.conversation_id),
                    )
                    .exec(&txn)
                    .await?;
            }
            Claim::Lost => {}
        }
        txn.commit().await?;
        Ok(claim)
    }

    /// The messaging limit is full until `until`: every recipient of the campaign still
    /// waiting and due before then waits for budget until then (one statement, rather than
    /// each claimed and put back in turn). Their status stays `pending`: nothing failed.
    pub async fn wait_for_budget(&self, campaign_id: Uuid, until: DateTime<Utc>) -> Result<u64> {
        let r = campaign_recipient::Entity::update_many()
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
            .filter(
                campaign_recipient::Column::Status
                    .is_in([RecipientStatus::Pending, RecipientStatus::Retrying]),
            )
            .filter(campaign_recipient::Column::DueAt.lt(until))
            .col_expr(campaign_recipient::Column::DueAt, Expr::value(until))
            .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        Ok(r.rows_affected)
    }

    async fn requeue(
        &self,
        txn: &impl ConnectionTrait,
        id: Uuid,
        status: RecipientStatus,
        due: DateTime<Utc>,
    ) -> Result<()> {
        recipient_update(self.org_id, id)
            .col_expr(campaign_recipient::Column::Status, Expr::value(status))
            .col_expr(campaign_recipient::Column::DueAt, Expr::value(due))
            .col_expr(
                campaign_recipient::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .exec(txn)
            .await?;
        Ok(())
    }

    /// Everything about one claimed recipient, checked again now: the lead (still there, not
    /// opted out), their conversation (opened when they have none), the send policy, the gap
    /// since our last message, and the template filled for them.
    async fn prepare(
        &self,
        txn: &DatabaseTransaction,
        c: &CampaignRecord,
        template: &TemplateRecord,
        r: &campaign_recipient::Model,
    ) -> Result<Claim> {
        let Some(lead) = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(r.lead_id))
            .one(txn)
            .await?
        else {
            return Ok(Claim::Skipped(RecipientReason::LeadGone));
        };
        let Some(phone) = lead
            .phone
            .as_deref()
            .and_then(|p| Phone::from_stored(p).ok())
        else {
            return Ok(Claim::Skipped(RecipientReason::NoPhone));
        };
        let conv = self.whatsapp_conversation(txn, lead.id).await?;
        let to = Recipient {
            opted_out: lead.opted_out,
            marketing_opted_out: lead.marketing_opt_out,
            mode: conv.mode,
            window: window_of(&conv),
            last_lead_message_at: conv
                .window_open_until
                .map(|until| until - Duration::hours(24)),
            unanswered: 0,
            bot_messages_last_hour: 0,
            budget: u32::MAX,
            local_time: None,
        };
        let out = Outgoing {
            sender: Sender::Campaign,
            content: Content::Template(template.category()),
            opt_out_confirmation: false,
        };
        if let Err(refused) = send_policy::may_send(out, &to, None, now()) {
            return Ok(Claim::Skipped(match refused.rule {
                SendRule::OptedOut => RecipientReason::OptedOut,
                SendRule::MarketingOptedOut => RecipientReason::MarketingOptedOut,
                SendRule::HumanLock => RecipientReason::HumanOwnsConversation,
                _ => RecipientReason::SendPolicy,
            }));
        }
        let last_ours: Option<DateTime<Utc>> = message::Entity::find()
            .select_only()
            .column(message::Column::CreatedAt)
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conv.id))
            .filter(message::Column::Direction.eq(Direction::Outbound))
            .filter(message::Column::Author.ne(Author::Note))
            .order_by_desc(message::Column::CreatedAt)
            .limit(1)
            .into_tuple()
            .one(txn)
            .await?;
        if let Some(due) = gap_wait(last_ours, c.pacing.recipient_gap_seconds, now()) {
            return Ok(Claim::Requeued(due));
        }
        if let Some(due) = self.messaging_limit_wait(txn, conv.id).await? {
            return Ok(Claim::OverLimit(due));
        }
        let state = conversation_state::Entity::find()
            .filter(conversation_state::Column::OrgId.eq(self.org_id))
            .filter(conversation_state::Column::ConversationId.eq(conv.id))
            .one(txn)
            .await?
            .and_then(|s| s.state);
        let mut mapping = mapping_of(template, c.variables.as_ref());
        resolve_custom_fields(&mut mapping, &lead);
        let values = lead_values_of(&lead, state);
        let (filled, missing) = fill(
            &template.content,
            &mapping,
            &BTreeMap::new(),
            &values,
            false,
        );
        if !missing.is_empty() {
            return Ok(Claim::Skipped(RecipientReason::MissingVariable));
        }
        let text = render(&template.content, &filled).as_text();
        let variables: BTreeMap<&String, &String> =
            filled.iter().map(|(k, v)| (k, &v.value)).collect();
        let t = &template.content;
        let summary = json!({
            "id": template.id, "name": t.name, "language": t.language,
            "category": template.category(), "variables": variables,
            "campaign_id": c.id, "callback_data": r.id.to_string(),
        });
        let task = SendTask {
            org_id: self.org_id,
            message_id: new_id(),
            conversation_id: conv.id,
            channel: conv.channel,
            to_phone: Some(phone),
            text: Some(text.clone()),
            buttons: None,
            template: Some(summary),
            media: None,
            status: DeliveryStatus::Queued,
            deliverable: true,
            send_attempt: None,
        };
        Ok(Claim::Send(Box::new(ClaimedSend {
            recipient_id: r.id,
            lead_id: lead.id,
            conversation_id: conv.id,
            attempts: r.attempts.max(0) as u32,
            cap_retries: r.cap_retries.max(0) as u32,
            task,
            text,
        })))
    }

    /// When the rolling 24 h messaging limit is full and this lead would open a new
    /// business-initiated conversation, the time the oldest counted one leaves the window:
    /// the recipient waits for budget there (and is looked at again), rather than failing.
    /// `None`: no limit, room left, or the lead already counts (a template in the last 24 h).
    async fn messaging_limit_wait(
        &self,
        txn: &DatabaseTransaction,
        conversation_id: Uuid,
    ) -> Result<Option<DateTime<Utc>>> {
        let tier: Option<Option<String>> = whatsapp_account::Entity::find()
            .select_only()
            .column(whatsapp_account::Column::MessagingLimit)
            .filter(whatsapp_account::Column::OrgId.eq(self.org_id))
            .into_tuple()
            .one(txn)
            .await?;
        let Some(limit) = messaging_limit(tier.flatten().as_deref()) else {
            return Ok(None);
        };
        let since = now() - Duration::hours(24);
        let templates = || {
            message::Entity::find()
                .filter(message::Column::OrgId.eq(self.org_id))
                .filter(message::Column::Direction.eq(Direction::Outbound))
                .filter(message::Column::Kind.eq(MessageType::Template))
                .filter(message::Column::CreatedAt.gt(since))
        };
        let counted = templates()
            .filter(message::Column::ConversationId.eq(conversation_id))
            .count(txn)
            .await?;
        if counted > 0 {
            return Ok(None);
        }
        let used = templates()
            .select_only()
            .column(message::Column::ConversationId)
            .distinct()
            .count(txn)
            .await?;
        if used < limit {
            return Ok(None);
        }
        let oldest: Option<DateTime<Utc>> = templates()
            .select_only()
            .column(message::Column::CreatedAt)
            .order_by_asc(message::Column::CreatedAt)
            .limit(1)
            .into_tuple()
            .one(txn)
            .await?;
        Ok(Some(
            oldest.map_or_else(now, |at| at + Duration::hours(24)) + Duration::seconds(1),
        ))
    }

    /// The lead's WhatsApp conversation, opened (in bot mode, window closed) when a lead
    /// imported or added by hand has none yet.
    async fn whatsapp_conversation(
        &self,
        txn: &DatabaseTransaction,
        contact_id: Uuid,
    ) -> Result<conversation::Model> {
        let find = || {
            conversation::Entity::find()
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::ContactId.eq(contact_id))
                .filter(conversation::Column::Channel.eq(Channel::Whatsapp))
        };
        if let Some(c) = find().one(txn).await? {
            return Ok(c);
        }
        let row = crate::ingest::new_conversation(
            self.org_id,
            new_id(),
            contact_id,
            Channel::Whatsapp,
            now(),
        );
        conversation::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    conversation::Column::OrgId,
                    conversation::Column::ContactId,
                    conversation::Column::Channel,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        find().one(txn).await?.ok_or(StoreError::NotFound)
    }

    /// Meta took the message: the recipient is `sent`, the message is in the conversation,
    /// the conversation remembers the send (for the reply), the lead may be enrolled in the
    /// campaign's sequence. A claim failed meanwhile as interrupted is corrected: it went.
    pub async fn record_campaign_sent(
        &self,
        c: &CampaignRecord,
        s: &ClaimedSend,
        provider_message_id: &str,
    ) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let at = now();
        recipient_update(self.org_id, s.recipient_id)
            .filter(
                campaign_recipient::Column::Status
                    .is_in([RecipientStatus::Sending, RecipientStatus::Failed]),
            )
            .col_expr(
                campaign_recipient::Column::Status,
                Expr::value(RecipientStatus::Sent),
            )
            .col_expr(
                campaign_recipient::Column::Reason,
                Expr::value(Option::<RecipientReason>::None),
            )
            .col_expr(
                campaign_recipient::Column::MessageId,
                Expr::value(s.task.message_id),
            )
            .col_expr(
                campaign_recipient::Column::ProviderMessageId,
                Expr::value(provider_message_id),
            )
            .col_expr(campaign_recipient::Column::SentAt, Expr::value(at))
            .col_expr(
                campaign_recipient::Column::FailedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                campaign_recipient::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .exec(&txn)
            .await?;
        self.store_sent_message(&txn, s, provider_message_id, at)
            .await?;
        let broadcast = json!({
            "campaign_id": c.id, "recipient_id": s.recipient_id, "name": c.name,
            "sent_at": at, "replied_at": null,
        });
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(s.conversation_id))
            .col_expr(conversation::Column::Broadcast, Expr::value(broadcast))
            .exec(&txn)
            .await?;
        if c.template_error_streak != 0 {
            campaign::Entity::update_many()
                .filter(campaign::Column::OrgId.eq(self.org_id))
                .filter(campaign::Column::Id.eq(c.id))
                .col_expr(campaign::Column::TemplateErrorStreak, Expr::value(0))
                .exec(&txn)
                .await?;
        }
        let sent = NewActivity::on(
            s.lead_id,
            s.conversation_id,
            ActivityKind::CampaignSent,
            ActivityActor::System,
            json!({ "campaign_id": c.id, "recipient_id": s.recipient_id,
                "message_id": s.task.message_id }),
        );
        activity::append(&txn, self.org_id, vec![sent]).await?;
        enroll_in_sequence(&txn, self.org_id, c, s.lead_id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The campaign's message as the inbox shows it: a template message, sent.
    async fn store_sent_message(
        &self,
        txn: &DatabaseTransaction,
        s: &ClaimedSend,
        provider_message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let model = message::Model {
            id: s.task.message_id,
            org_id: self.org_id,
            conversation_id: s.conversation_id,
            direction: Direction::Outbound,
            author: Author::Bot,
            kind: MessageType::Template,
            text: Some(s.text.clone()),
            media: Some(json!({ "template": s.task.template })),
            provider_message_id: Some(provider_message_id.to_owned()),
            reply_to: None,
            status: DeliveryStatus::Sent,
            error_code: None,
            error_title: None,
            sent_by: None,
            edited_at: None,
            deleted_at: None,
            send_attempt: Some(1),
            ready_at: None,
            pricing: None,
            cost_amount: None,
            cost_currency: None,
            created_at: at,
            updated_at: at,
        };
        message::Entity::insert(message::ActiveModel::from(model))
            .exec_without_returning(txn)
            .await?;
        let preview: String = s.text.chars().take(200).collect();
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(s.conversation_id))
            .col_expr(conversation::Column::LastMessageAt, Expr::value(at))
            .col_expr(conversation::Column::LastMessageText, Expr::value(preview))
            .col_expr(
                conversation::Column::LastMessageDirection,
                Expr::value(Direction::Outbound.as_str()),
            )
            .col_expr(
                conversation::Column::LastMessageAuthor,
                Expr::value(Author::Bot.as_str()),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(at))
            .exec(txn)
            .await?;
        Ok(())
    }

    /// Meta refused the send (nothing went out): the domain's route says what happens to the
    /// recipient, and maybe to the lead or the whole campaign.
    pub async fn record_campaign_refused(
        &self,
        c: &CampaignRecord,
        s: &ClaimedSend,
        route: ErrorRoute,
        code: Option<i64>,
        title: &str,
    ) -> Result<SendOutcome> {
        let txn = self.store.begin_write().await?;
        let outcome = self
            .route_failure(
                &txn,
                c,
                s.recipient_id,
                s.lead_id,
                route,
                s.attempts,
                code,
                title,
            )
            .await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// Applies an error's route to one recipient, in the caller's transaction (a refused send
    /// or a failed status from a webhook).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn route_failure(
        &self,
        txn: &DatabaseTransaction,
        c: &CampaignRecord,
        recipient_id: Uuid,
        lead_id: Uuid,
        route: ErrorRoute,
        attempts: u32,
        code: Option<i64>,
        title: &str,
    ) -> Result<SendOutcome> {
        let at = now();
        let with_error = || {
            recipient_update(self.org_id, recipient_id)
                .col_expr(campaign_recipient::Column::ErrorCode, Expr::value(code))
                .col_expr(
                    campaign_recipient::Column::ErrorTitle,
                    Expr::value(title.to_owned()),
                )
                .col_expr(
                    campaign_recipient::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
        };
        let fail = |why: RecipientReason| {
            with_error()
                .col_expr(
                    campaign_recipient::Column::Status,
                    Expr::value(RecipientStatus::Failed),
                )
                .col_expr(campaign_recipient::Column::Reason, Expr::value(why))
                .col_expr(campaign_recipient::Column::FailedAt, Expr::value(at))
        };
        let wait = |status: RecipientStatus, due: DateTime<Utc>| {
            with_error()
                .col_expr(campaign_recipient::Column::Status, Expr::value(status))
                .col_expr(campaign_recipient::Column::DueAt, Expr::value(due))
        };
        let gap = Duration::seconds(i64::from(c.pacing.recipient_gap_seconds));
        let outcome = match route {
            ErrorRoute::NumberThrottled => {
                wait(RecipientStatus::Pending, at).exec(txn).await?;
                SendOutcome::Requeued
            }
            ErrorRoute::LeadThrottled => {
                wait(RecipientStatus::Pending, at + gap).exec(txn).await?;
                SendOutcome::Requeued
            }
            ErrorRoute::RetryTomorrow => {
                let due = at + Duration::hours(24);
                wait(RecipientStatus::Retrying, due)
                    .col_expr(campaign_recipient::Column::RetryAt, Expr::value(due))
                    .col_expr(
                        campaign_recipient::Column::CapRetries,
                        sea_orm::ExprTrait::add(
                            Expr::col(campaign_recipient::Column::CapRetries),
                            1,
                        ),
                    )
                    .exec(txn)
                    .await?;
                SendOutcome::Requeued
            }
            ErrorRoute::RetryTransient => {
                let due = at + crate::jobs::backoff(attempts as i32);
                wait(RecipientStatus::Retrying, due)
                    .col_expr(campaign_recipient::Column::RetryAt, Expr::value(due))
                    .exec(txn)
                    .await?;
                SendOutcome::Requeued
            }
            ErrorRoute::MarketingOptOut => {
                fail(RecipientReason::MarketingOptedOut).exec(txn).await?;
                contact::Entity::update_many()
                    .filter(contact::Column::OrgId.eq(self.org_id))
                    .filter(contact::Column::Id.eq(lead_id))
                    .col_expr(contact::Column::MarketingOptOut, Expr::value(true))
                    .col_expr(contact::Column::MarketingOptOutAt, Expr::value(at))
                    .exec(txn)
                    .await?;
                SendOutcome::Failed
            }
            ErrorRoute::PauseCampaign(reason) => {
                // Not this lead's doing: it waits for the campaign to resume.
                wait(RecipientStatus::Pending, at).exec(txn).await?;
                let current = self.campaign_row(txn, c.id).await?;
                self.move_campaign(txn, &current, CampaignCommand::Pause, Some(reason))
                    .await?;
                SendOutcome::Paused(reason)
            }
            ErrorRoute::TemplateError => {
                fail(RecipientReason::ProviderError).exec(txn).await?;
                campaign::Entity::update_many()
                    .filter(campaign::Column::OrgId.eq(self.org_id))
                    .filter(campaign::Column::Id.eq(c.id))
                    .col_expr(
                        campaign::Column::TemplateErrorStreak,
                        sea_orm::ExprTrait::add(
                            Expr::col(campaign::Column::TemplateErrorStreak),
                            1,
                        ),
                    )
                    .exec(txn)
                    .await?;
                let current = self.campaign_row(txn, c.id).await?;
                if current.template_error_streak >= TEMPLATE_ERRORS_TO_PAUSE as i32
                    && current.status == CampaignStatus::Running
                {
                    let why = PausedReason::TemplateError;
                    self.move_campaign(txn, &current, CampaignCommand::Pause, Some(why))
                        .await?;
                    SendOutcome::Paused(why)
                } else {
                    SendOutcome::Failed
                }
            }
            ErrorRoute::Fail(why) => {
                fail(why).exec(txn).await?;
                SendOutcome::Failed
            }
        };
        if outcome == SendOutcome::Requeued && c.status == CampaignStatus::Running {
            let due = campaign_recipient::Entity::find_by_id(recipient_id)
                .one(txn)
                .await?
                .map_or(at, |r| r.due_at);
            enqueue_sender(txn, self.org_id, c.id, due).await?;
        }
        Ok(outcome)
    }
}

fn pace_of(p: &number_pacing::Model) -> NumberPace {
    NumberPace {
        next_slot_ms: p.next_slot_ms,
        rate: p.rate.max(1) as u32,
        max_rate: p.max_rate.max(1) as u32,
        paused_until_ms: p.paused_until_ms,
        backoff_ms: p.backoff_ms,
    }
}

/// A sent recipient joins the campaign's drip sequence, in the transaction that records the
/// send (so once). A sequence deleted since the campaign was set up enrols nobody; a lead the
/// sequence skips (its start conditions, already in it) is simply not enrolled.
async fn enroll_in_sequence(
    txn: &DatabaseTransaction,
    org_id: Uuid,
    c: &CampaignRecord,
    lead_id: Uuid,
) -> Result<()> {
    let Some(sequence_id) = c.sequence_id else {
        return Ok(());
    };
    let source = closer_domain::sequences::EnrollSource::Campaign;
    match crate::sequences::enroll(txn, org_id, sequence_id, &[lead_id], source).await {
        Ok(_) | Err(crate::StoreError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}
