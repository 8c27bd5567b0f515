//! WhatsApp templates: drafts the team writes, their life at Meta (submitted, approved,
//! paused...), the lead's values they are filled with, and a template send — queued through
//! the one send policy like every other message.

use crate::audit::{self, Actor};
use crate::entities::{
    campaign, contact, conversation_state, followup, template, whatsapp_account as wa,
};
use crate::error::{Result, StoreError};
use crate::inbox::window_of;
use crate::replies::{OutboundBody, QueuedReply};
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::campaigns::{CampaignStatus, PausedReason};
use closer_domain::followup::FollowupStatus;
use closer_domain::messaging::{Author, Channel, QualityRating};
use closer_domain::send_policy::{self, Content, Outgoing, Recipient, Sender, TemplateCategory};
use closer_domain::templates::{
    self, FilledValue, LeadValues, Rendered, TemplateContent, TemplateStatus, VariableMapping,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Placeholder → how it is filled.
pub type Variables = BTreeMap<String, VariableMapping>;

/// Why a template operation was refused, in the product's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("a template with this name and language already exists")]
    Exists,
    #[error("only a draft or a rejected template can be changed")]
    Locked,
    #[error(
        "the template is a step of your follow-up schedule or of a pending follow-up: take it out of Settings → Follow-ups first"
    )]
    InUse,
    /// A campaign that will still send it (scheduled, running or paused) names it.
    #[error(
        "the template is the message of the campaign \"{0}\", which is still to send: cancel the campaign or wait for it to complete first"
    )]
    UsedByCampaign(String),
    #[error("connect WhatsApp first")]
    NotConnected,
    #[error("the template was already submitted")]
    AlreadySubmitted,
    #[error("the template is {0}: only an approved template may be sent")]
    NotApproved(TemplateStatus),
    #[error("no value for {}", .0.join(", "))]
    MissingVariables(Vec<String>),
    #[error("Meta restricts business-initiated messages on this number until {0}")]
    AccountRestricted(String),
}

/// A template as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRecord {
    pub id: Uuid,
    pub content: TemplateContent,
    pub variables: Variables,
    pub status: TemplateStatus,
    pub rejected_reason: Option<String>,
    pub status_detail: Option<String>,
    pub quality: Option<QualityRating>,
    pub provider_id: Option<String>,
    pub paused_until: Option<DateTime<Utc>>,
    /// Meta's events, oldest first: `{event, at, reason?}`.
    pub history: Vec<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TemplateRecord {
    pub fn category(&self) -> TemplateCategory {
        self.content.category
    }
}

impl TryFrom<template::Model> for TemplateRecord {
    type Error = StoreError;
    fn try_from(m: template::Model) -> Result<Self> {
        let mut content: TemplateContent =
            crate::stored::document("template's content", m.content)?;
        // The columns are the truth where Meta may have changed them (its assigned category).
        content.category = m.category;
        Ok(TemplateRecord {
            id: m.id,
            content,
            variables: crate::stored::or_default("template's variables", m.variables)?,
            status: m.status,
            rejected_reason: m.rejected_reason,
            status_detail: m.status_detail,
            quality: m.quality,
            provider_id: m.provider_id,
            paused_until: m.paused_until,
            history: m
                .history
                .and_then(|h| h.as_array().cloned())
                .unwrap_or_default(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// A template filled for one lead (or with Meta's samples where nothing else fills it).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRender {
    pub template: TemplateRecord,
    pub rendered: Rendered,
    pub values: BTreeMap<String, FilledValue>,
    /// Placeholders nothing filled (a send refuses them).
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TemplateFilter {
    pub status: Option<TemplateStatus>,
    pub category: Option<TemplateCategory>,
    pub q: Option<String>,
}

/// A template as Meta's list names it.
#[derive(Debug, Clone)]
pub struct RemoteTemplate {
    pub provider_id: String,
    pub status: TemplateStatus,
    pub content: TemplateContent,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

fn exists_or(e: sea_orm::DbErr) -> StoreError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => TemplateError::Exists.into(),
        _ => StoreError::Db(e),
    }
}

impl OrgScope<'_> {
    async fn template_row(&self, id: Uuid) -> Result<template::Model> {
        template::Entity::find()
            .filter(template::Column::OrgId.eq(self.org_id))
            .filter(template::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// One template of the organisation: its status, category (`TemplateRecord::category`)
    /// and content. Another organisation's is not found.
    pub async fn template(&self, id: Uuid) -> Result<TemplateRecord> {
        self.template_row(id).await?.try_into()
    }

    pub async fn templates(&self, f: &TemplateFilter) -> Result<Vec<TemplateRecord>> {
        let mut q = template::Entity::find().filter(template::Column::OrgId.eq(self.org_id));
        if let Some(s) = f.status {
            q = q.filter(template::Column::Status.eq(s.as_str()));
        }
        if let Some(c) = f.category {
            q = q.filter(template::Column::Category.eq(c.as_str()));
        }
        if let Some(text) = f.q.as_deref().filter(|t| !t.trim().is_empty()) {
            q = q.filter(template::Column::Name.contains(text.trim().to_lowercase()));
        }
        let rows = q
            .order_by_asc(template::Column::Name)
            .order_by_asc(template::Column::Language)
            .all(&self.store.db)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn create_template(
        &self,
        actor: &Actor,
        content: &TemplateContent,
        variables: &Variables,
    ) -> Result<TemplateRecord> {
        let txn = self.store.begin_write().await?;
        let at = now();
        let model = template::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            name: Set(content.name.clone()),
            language: Set(content.language.clone()),
            category: Set(content.category),
            parameter_format: Set(content.parameter_format),
            content: Set(json!(content)),
            variables: Set(Some(json!(variables))),
            status: Set(TemplateStatus::Draft),
            rejected_reason: Set(None),
            status_detail: Set(None),
            quality: Set(None),
            provider_id: Set(None),
            paused_until: Set(None),
            history: Set(Some(json!([]))),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await
        .map_err(exists_or)?;
        let target = format!("template:{}", model.id);
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "template.created",
            target,
            json!({ "name": content.name }),
        )
        .await?;
        txn.commit().await?;
        model.try_into()
    }

    /// A draft or rejected template's new content; a rejected one becomes a draft again.
    pub async fn update_template(
        &self,
        actor: &Actor,
        id: Uuid,
        content: &TemplateContent,
        variables: &Variables,
    ) -> Result<TemplateRecord> {
        let current = self.template_row(id).await?;
        if !current.status.editable() {
            return Err(TemplateError::Locked.into());
        }
        let txn = self.store.begin_write().await?;
        let r = template::Entity::update_many()
            .filter(template::Column::OrgId.eq(self.org_id))
            .filter(template::Column::Id.eq(id))
            .filter(template::Column::Status.is_in([
                TemplateStatus::Draft.as_str(),
                TemplateStatus::Rejected.as_str(),
            ]))
            .col_expr(template::Column::Name, Expr::value(content.name.clone()))
            .col_expr(
                template::Column::Language,
                Expr::value(content.language.clone()),
            )
            .col_expr(
                template::Column::Category,
                Expr::value(content.category.as_str()),
            )
            .col_expr(
                template::Column::ParameterFormat,
                Expr::value(content.parameter_format.as_str()),
            )
            .col_expr(template::Column::Content, Expr::value(json!(content)))
            .col_expr(template::Column::Variables, Expr::value(json!(variables)))
            .col_expr(
                template::Column::Status,
                Expr::value(TemplateStatus::Draft.as_str()),
            )
            .col_expr(template::Column::UpdatedAt, Expr::value(now()))
            .exec(&txn)
            .await
            .map_err(exists_or)?;
        if r.rows_affected != 1 {
            return Err(TemplateError::Locked.into());
        }
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "template.updated",
            format!("template:{id}"),
            json!({ "name": content.name }),
        )
        .await?;
        txn.commit().await?;
        self.template(id).await
    }

    /// Refuses to let a template go while the follow-up schedule or a pending follow-up would
    /// send it: the step would be skipped silently for every lead until someone noticed.
    pub async fn refuse_if_template_in_use(&self, id: Uuid) -> Result<()> {
        let scheduled = self
            .followup_settings()
            .await?
            .outside_window
            .iter()
            .any(|step| step.template_id == id);
        let pending = followup::Entity::find()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::Status.eq(FollowupStatus::Pending))
            .filter(followup::Column::TemplateId.eq(id))
            .count(&self.store.db)
            .await?;
        if scheduled || pending > 0 {
            return Err(TemplateError::InUse.into());
        }
        let sending: Option<String> = campaign::Entity::find()
            .select_only()
            .column(campaign::Column::Name)
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::TemplateId.eq(id))
            .filter(campaign::Column::Status.is_in([
                CampaignStatus::Scheduled,
                CampaignStatus::Running,
                CampaignStatus::Paused,
            ]))
            .into_tuple()
            .one(&self.store.db)
            .await?;
        if let Some(name) = sending {
            return Err(TemplateError::UsedByCampaign(name).into());
        }
        Ok(())
    }

    pub async fn delete_template(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let current = self.template_row(id).await?;
        self.refuse_if_template_in_use(id).await?;
        let txn = self.store.begin_write().await?;
        template::Entity::delete_many()
            .filter(template::Column::OrgId.eq(self.org_id))
            .filter(template::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "template.deleted",
            format!("template:{id}"),
            json!({ "name": current.name }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Meta took the template for review: pending, under its id and the category it assigned.
    pub async fn template_submitted(
        &self,
        actor: &Actor,
        id: Uuid,
        provider_id: &str,
        category: Option<TemplateCategory>,
    ) -> Result<TemplateRecord> {
        let current = self.template(id).await?;
        let txn = self.store.begin_write().await?;
        template::Entity::update_many()
            .filter(template::Column::OrgId.eq(self.org_id))
            .filter(template::Column::Id.eq(id))
            .col_expr(
                template::Column::Status,
                Expr::value(TemplateStatus::Pending.as_str()),
            )
            .col_expr(template::Column::ProviderId, Expr::value(provider_id))
            .col_expr(
                template::Column::Category,
                Expr::value(category.unwrap_or(current.category()).as_str()),
            )
            .col_expr(
                template::Column::RejectedReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                template::Column::StatusDetail,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                template::Column::History,
                Expr::value(with_event(&current.history, "SUBMITTED", None)),
            )
            .col_expr(template::Column::UpdatedAt, Expr::value(now()))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "template.submitted",
            format!("template:{id}"),
            json!({ "provider_id": provider_id }),
        )
        .await?;
        txn.commit().await?;
        self.template(id).await
    }

    /// Brings the organisation's templates in line with Meta's list: unknown ones are added,
    /// known ones (by Meta's id, else name and language) take Meta's status and category.
    pub async fn sync_templates(&self, remote: &[RemoteTemplate]) -> Result<SyncCounts> {
        let mut counts = SyncCounts::default();
        let ours = self.templates(&TemplateFilter::default()).await?;
        let txn = self.store.begin_write().await?;
        for r in remote {
            let known = ours.iter().find(|t| {
                t.provider_id.as_deref() == Some(r.provider_id.as_str())
                    || (t.content.name == r.content.name
                        && t.content.language == r.content.language)
            });
            match known {
                Some(t)
                    if t.status == r.status
                        && t.category() == r.content.category
                        && t.provider_id.as_deref() == Some(&r.provider_id) =>
                {
                    counts.unchanged += 1
                }
                Some(t) => {
                    template::Entity::update_many()
                        .filter(template::Column::OrgId.eq(self.org_id))
                        .filter(template::Column::Id.eq(t.id))
                        .col_expr(template::Column::Status, Expr::value(r.status.as_str()))
                        .col_expr(
                            template::Column::Category,
                            Expr::value(r.content.category.as_str()),
                        )
                        .col_expr(
                            template::Column::ProviderId,
                            Expr::value(r.provider_id.clone()),
                        )
                        .col_expr(template::Column::UpdatedAt, Expr::value(now()))
                        .exec(&txn)
                        .await?;
                    counts.updated += 1;
                }
                None => {
                    let at = now();
                    template::ActiveModel {
                        id: Set(new_id()),
                        org_id: Set(self.org_id),
                        name: Set(r.content.name.clone()),
                        language: Set(r.content.language.clone()),
                        category: Set(r.content.category),
                        parameter_format: Set(r.content.parameter_format),
                        content: Set(json!(r.content)),
                        variables: Set(Some(json!({}))),
                        status: Set(r.status),
                        rejected_reason: Set(None),
                        status_detail: Set(None),
                        quality: Set(None),
                        provider_id: Set(Some(r.provider_id.clone())),
                        paused_until: Set(None),
                        history: Set(Some(json!([]))),
                        created_at: Set(at),
                        updated_at: Set(at),
                    }
                    .insert(&txn)
                    .await?;
                    counts.created += 1;
                }
            }
        }
        txn.commit().await?;
        Ok(counts)
    }

    /// What is known about the lead of a conversation, for filling placeholders.
    pub async fn lead_values(&self, conversation_id: Uuid) -> Result<LeadValues> {
        let conv = self
            .conversation_row(&self.store.db, conversation_id)
            .await?;
        let lead = self.contact_row(&self.store.db, conv.contact_id).await?;
        let state = conversation_state::Entity::find()
            .filter(conversation_state::Column::OrgId.eq(self.org_id))
            .filter(conversation_state::Column::ConversationId.eq(conversation_id))
            .one(&self.store.db)
            .await?;
        Ok(lead_values_of(&lead, state.and_then(|s| s.state)))
    }

    /// The template filled for the lead of `conversation_id` (or, without one, from its
    /// fallbacks and Meta's samples), with `given` values first.
    pub async fn render_template(
        &self,
        template_id: Uuid,
        conversation_id: Option<Uuid>,
        given: &BTreeMap<String, String>,
        use_examples: bool,
    ) -> Result<TemplateRender> {
        let template = self.template(template_id).await?;
        let (rendered, values, missing) = self
            .render_content(
                &template.content,
                &template.variables,
                conversation_id,
                given,
                use_examples,
            )
            .await?;
        Ok(TemplateRender {
            template,
            rendered,
            values,
            missing,
        })
    }

    /// Any content (an unsaved draft in the editor) filled the same way.
    pub async fn render_content(
        &self,
        content: &TemplateContent,
        variables: &Variables,
        conversation_id: Option<Uuid>,
        given: &BTreeMap<String, String>,
        use_examples: bool,
    ) -> Result<(Rendered, BTreeMap<String, FilledValue>, Vec<String>)> {
        let lead = match conversation_id {
            Some(id) => self.lead_values(id).await?,
            None => LeadValues::default(),
        };
        let (values, missing) = templates::fill(content, variables, given, &lead, use_examples);
        Ok((templates::render(content, &values), values, missing))
    }

    /// Queues an approved template to the lead of `conversation_id` (a sandbox conversation
    /// also takes drafts), through the send policy: allowed outside the window, refused to a
    /// lead who opted out, a marketing one to a lead who stopped promotions. The mode is left
    /// as it is.
    pub async fn queue_template_send(
        &self,
        sender: Sender,
        actor: Option<&Actor>,
        conversation_id: Uuid,
        template_id: Uuid,
        given: &BTreeMap<String, String>,
    ) -> Result<QueuedReply> {
        let render = self
            .render_template(template_id, Some(conversation_id), given, false)
            .await?;
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        let message = self
            .queue_rendered_template(&txn, sender, actor, &conv, &render)
            .await?;
        txn.commit().await?;
        Ok(QueuedReply {
            message,
            conversation_id,
            took_over: false,
            sequence_stopped: None,
        })
    }

    /// The checks and the queueing of [`Self::queue_template_send`], inside the caller's
    /// transaction (a sequence step queues its message and moves on in one commit).
    pub(crate) async fn queue_rendered_template(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        sender: Sender,
        actor: Option<&Actor>,
        conv: &crate::entities::conversation::Model,
        render: &TemplateRender,
    ) -> Result<crate::inbox::MessageItem> {
        let t = &render.template;
        let sandbox = conv.channel == Channel::Sandbox;
        if t.status != TemplateStatus::Approved && !(sandbox && t.status == TemplateStatus::Draft) {
            return Err(TemplateError::NotApproved(t.status).into());
        }
        if !render.missing.is_empty() {
            return Err(TemplateError::MissingVariables(render.missing.clone()).into());
        }
        let lead = self.contact_row(txn, conv.contact_id).await?;
        let window = window_of(conv);
        let to = Recipient {
            opted_out: lead.opted_out,
            marketing_opted_out: lead.marketing_opt_out,
            mode: conv.mode,
            window,
            // The window opens for 24 h at the lead's last message: its end says when that was,
            // which the staleness rule of proactive senders (follow-ups) reads.
            last_lead_message_at: conv
                .window_open_until
                .map(|until| until - chrono::Duration::hours(24)),
            unanswered: 0,
            bot_messages_last_hour: 0,
            budget: u32::MAX,
            local_time: None,
        };
        let out = Outgoing {
            sender,
            content: Content::Template(t.category()),
            opt_out_confirmation: false,
        };
        send_policy::may_send(out, &to, None, now()).map_err(|refused| {
            StoreError::SendRefused {
                refused,
                window_open_until: conv.window_open_until,
            }
        })?;
        if !sandbox && !window.is_open(now().timestamp()) {
            self.refuse_if_restricted(txn).await?;
        }
        let variables: BTreeMap<&String, &String> =
            render.values.iter().map(|(k, v)| (k, &v.value)).collect();
        let summary = json!({
            "id": t.id, "name": t.content.name, "language": t.content.language,
            "category": t.category(), "variables": variables,
        });
        let author = if actor.is_some() {
            Author::Human
        } else {
            Author::Bot
        };
        // An automation's template is logged as the automation's: it fires no rule.
        let logged_as = match sender {
            Sender::Automation => closer_domain::activity::ActivityActor::Automation,
            _ => closer_domain::activity::ActivityActor::Agent,
        };
        self.queue_outbound_as(
            txn,
            conv,
            author,
            actor.map(|a| a.user_id),
            &render.rendered.as_text(),
            OutboundBody::Template(summary),
            logged_as,
        )
        .await
    }

    async fn refuse_if_restricted(&self, txn: &impl sea_orm::ConnectionTrait) -> Result<()> {
        let account = wa::Entity::find()
            .filter(wa::Column::OrgId.eq(self.org_id))
            .one(txn)
            .await?;
        let restrictions = account
            .and_then(|a| a.restrictions)
            .and_then(|r| r.as_array().cloned())
            .unwrap_or_default();
        let at = now();
        for r in restrictions {
            let until = r
                .get("until")
                .and_then(Value::as_str)
                .and_then(|u| u.parse::<DateTime<Utc>>().ok());
            let kind = r.get("type").and_then(Value::as_str).unwrap_or_default();
            if kind == "RESTRICTED_BIZ_INITIATED_MESSAGING" && until.is_none_or(|u| u > at) {
                let until = until
                    .map(|u| u.to_rfc3339())
                    .unwrap_or_else(|| "further notice".into());
                return Err(TemplateError::AccountRestricted(until).into());
            }
        }
        Ok(())
    }

    /// The lead stopped (or resumed) promotions: marketing templates stop (or may go again).
    pub async fn set_marketing_opt_out(&self, contact_id: Uuid, stopped: bool) -> Result<()> {
        contact::Entity::update_many()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(contact_id))
            .col_expr(contact::Column::MarketingOptOut, Expr::value(stopped))
            .col_expr(
                contact::Column::MarketingOptOutAt,
                Expr::value(stopped.then(now)),
            )
            .col_expr(contact::Column::UpdatedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// Same, for the lead with this WhatsApp id (`wa_id`, digits); false when unknown.
    pub async fn set_marketing_opt_out_by_wa_id(&self, wa_id: &str, stopped: bool) -> Result<bool> {
        let phone = format!("+{}", wa_id.trim_start_matches('+'));
        let lead = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(
                sea_orm::Condition::any()
                    .add(contact::Column::Phone.eq(phone))
                    .add(contact::Column::WaUserId.eq(wa_id)),
            )
            .one(&self.store.db)
            .await?;
        match lead {
            Some(lead) => self
                .set_marketing_opt_out(lead.id, stopped)
                .await
                .map(|()| true),
            None => Ok(false),
        }
    }
}

fn with_event(history: &[Value], event: &str, reason: Option<&str>) -> Value {
    let mut all = history.to_vec();
    all.push(json!({ "event": event, "at": now(), "reason": reason }));
    // The newest hundred are plenty to explain a template's life.
    let skip = all.len().saturating_sub(100);
    Value::Array(all.split_off(skip))
}

pub(crate) fn lead_values_of(lead: &contact::Model, state: Option<Value>) -> LeadValues {
    let slots = state
        .as_ref()
        .and_then(|s| s.get("slots"))
        .and_then(Value::as_object)
        .map(|slots| {
            slots
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.get("value")?.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    LeadValues {
        name: lead.name.clone().or(lead.profile_name.clone()),
        phone: lead.phone.clone(),
        email: lead.email.clone(),
        city: lead.city.clone(),
        slots,
    }
}

/// What Meta said about one template, by its id or else its name and language.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateEvent {
    pub provider_id: Option<String>,
    pub name: Option<String>,
    pub language: Option<String>,
    pub change: TemplateChange,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateChange {
    /// `message_template_status_update`: Meta's event, its reason, the rejection's detail,
    /// and the status it means (None: kept in the history only).
    Status {
        event: String,
        status: Option<TemplateStatus>,
        reason: Option<String>,
        detail: Option<String>,
        paused_until: Option<DateTime<Utc>>,
    },
    Quality(QualityRating),
    Category(TemplateCategory),
}

impl Store {
    /// Applies Meta's word about a template of the organisation whose WABA it came for;
    /// false when no template of theirs matches.
    pub async fn apply_template_event(&self, org_id: Uuid, e: &TemplateEvent) -> Result<bool> {
        let scope = self.org(org_id);
        let all = scope.templates(&TemplateFilter::default()).await?;
        let found = all
            .iter()
            .find(|t| e.provider_id.is_some() && t.provider_id == e.provider_id)
            .or_else(|| {
                all.iter().find(|t| {
                    Some(&t.content.name) == e.name.as_ref()
                        && Some(&t.content.language) == e.language.as_ref()
                })
            });
        let Some(t) = found else { return Ok(false) };
        let mut update = template::Entity::update_many()
            .filter(template::Column::OrgId.eq(org_id))
            .filter(template::Column::Id.eq(t.id))
            .col_expr(template::Column::UpdatedAt, Expr::value(now()));
        if t.provider_id.is_none()
            && let Some(id) = &e.provider_id
        {
            update = update.col_expr(template::Column::ProviderId, Expr::value(id.clone()));
        }
        update = match &e.change {
            TemplateChange::Status {
                event,
                status,
                reason,
                detail,
                paused_until,
            } => {
                let mut u = update.col_expr(
                    template::Column::History,
                    Expr::value(with_event(&t.history, event, reason.as_deref())),
                );
                if let Some(status) = status {
                    u = u
                        .col_expr(template::Column::Status, Expr::value(status.as_str()))
                        .col_expr(template::Column::PausedUntil, Expr::value(*paused_until));
                    if *status == TemplateStatus::Rejected {
                        u = u
                            .col_expr(
                                template::Column::RejectedReason,
                                Expr::value(reason.clone()),
                            )
                            .col_expr(template::Column::StatusDetail, Expr::value(detail.clone()));
                    } else {
                        u = u.col_expr(template::Column::StatusDetail, Expr::value(detail.clone()));
                    }
                }
                u
            }
            TemplateChange::Quality(q) => {
                update.col_expr(template::Column::Quality, Expr::value(q.as_str()))
            }
            TemplateChange::Category(c) => {
                update.col_expr(template::Column::Category, Expr::value(c.as_str()))
            }
        };
        update.exec(&self.db).await?;
        // Meta paused or disabled it: the campaigns sending it pause with the reason.
        if let TemplateChange::Status {
            status: Some(status),
            ..
        } = &e.change
        {
            let why = match status {
                TemplateStatus::Paused => Some(PausedReason::TemplatePaused),
                TemplateStatus::Disabled => Some(PausedReason::TemplateDisabled),
                _ => None,
            };
            if let Some(why) = why {
                scope.pause_campaigns_of_template(t.id, why).await?;
            }
        }
        Ok(true)
    }
}
