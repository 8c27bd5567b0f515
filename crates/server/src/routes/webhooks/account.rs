//! What Meta says about the account rather than a conversation: templates reviewed, paused or
//! recategorised, the number's quality and limits, restrictions, and a lead's choice to stop
//! (or resume) promotions. Applied only after the delivery's signature was checked.

use crate::error::ApiResult;
use crate::state::AppState;
use chrono::{Duration, TimeZone, Utc};
use closer_domain::messaging::QualityRating;
use closer_domain::templates::STOP_PROMOTIONS;
use closer_domain::templates::TemplateStatus;
use closer_store::NumberRestriction;
use closer_store::templates::{TemplateChange, TemplateEvent};
use closer_whatsapp::webhook::{Change, Content, MessagesChange, TemplateStatusUpdate};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

fn id_text(v: &Option<Value>) -> Option<String> {
    match v.as_ref()? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Meta's status event as ours; `None` keeps it in the history only (e.g. `PENDING_DELETION`).
fn status_change(u: &TemplateStatusUpdate) -> TemplateChange {
    let pause = u.other_info.as_ref().and_then(|i| text_at(i, "title"));
    let hours = match pause.as_deref() {
        Some("SECOND_PAUSE") => 6,
        _ => 3,
    };
    let status = match u.event.to_ascii_uppercase().as_str() {
        "APPROVED" | "REINSTATED" => Some(TemplateStatus::Approved),
        "REJECTED" => Some(TemplateStatus::Rejected),
        "PAUSED" => Some(TemplateStatus::Paused),
        "DISABLED" => Some(TemplateStatus::Disabled),
        "PENDING" => Some(TemplateStatus::Pending),
        _ => None,
    };
    let detail = match status {
        Some(TemplateStatus::Rejected) => {
            u.rejection_info.as_ref().and_then(|i| text_at(i, "reason"))
        }
        Some(TemplateStatus::Paused) => u
            .other_info
            .as_ref()
            .and_then(|i| text_at(i, "description")),
        _ => None,
    };
    TemplateChange::Status {
        event: u.event.clone(),
        status,
        reason: u.reason.clone().filter(|r| r != "NONE"),
        detail,
        paused_until: (status == Some(TemplateStatus::Paused))
            .then(|| Utc::now() + Duration::hours(hours)),
    }
}

/// Applies one account-level change for the organisation owning the entry's WABA.
pub(super) async fn apply(state: &AppState, org_id: Uuid, change: &Change) -> ApiResult<()> {
    let event = |provider_id, name, language, change| TemplateEvent {
        provider_id,
        name,
        language,
        change,
    };
    let template = match change {
        Change::TemplateStatus(u) => Some(event(
            id_text(&u.message_template_id),
            u.message_template_name.clone(),
            u.message_template_language.clone(),
            status_change(u),
        )),
        Change::TemplateQuality(q) => q.new_quality_score.as_deref().map(|score| {
            let quality = score.parse().unwrap_or(QualityRating::Unknown);
            event(
                id_text(&q.message_template_id),
                q.message_template_name.clone(),
                q.message_template_language.clone(),
                TemplateChange::Quality(quality),
            )
        }),
        Change::Other { field, value } if field == "template_category_update" => {
            let category = text_at(value, "new_category").and_then(|c| c.parse().ok());
            category.map(|c| {
                event(
                    id_text(&value.get("message_template_id").cloned()),
                    text_at(value, "message_template_name"),
                    text_at(value, "message_template_language"),
                    TemplateChange::Category(c),
                )
            })
        }
        Change::Other { field, value } => {
            return account_health(state, org_id, field, value).await;
        }
        Change::Messages(_) => None,
    };
    if let Some(e) = template
        && !state.store.apply_template_event(org_id, &e).await?
    {
        tracing::info!(name = ?e.name, "template webhook for a template we do not have");
    }
    Ok(())
}

async fn account_health(
    state: &AppState,
    org_id: Uuid,
    field: &str,
    value: &Value,
) -> ApiResult<()> {
    let scope = state.store.org(org_id);
    match field {
        "phone_number_quality_update" => {
            let limit = value
                .get("max_daily_conversations_per_business")
                .or_else(|| value.get("current_limit"))
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                });
            scope
                .record_quality_update(text_at(value, "event").as_deref(), limit.as_deref())
                .await?;
        }
        "account_update" => {
            let event = text_at(value, "event").unwrap_or_default();
            let restrictions: Option<Vec<NumberRestriction>> = value
                .get("restriction_info")
                .and_then(Value::as_array)
                .map(|all| {
                    all.iter()
                        .map(|r| NumberRestriction {
                            kind: text_at(r, "restriction_type").unwrap_or_default(),
                            until: r
                                .get("expiration")
                                .and_then(Value::as_i64)
                                .and_then(|t| Utc.timestamp_opt(t, 0).single()),
                        })
                        .collect()
                });
            let restrictions =
                restrictions.or_else(|| (event == "ACCOUNT_RESTRICTION").then(Vec::new));
            scope
                .record_account_update(&event, restrictions.as_deref())
                .await?;
        }
        other => tracing::debug!(field = other, "account webhook change not handled"),
    }
    Ok(())
}

/// `user_preferences`: a lead stopped (or resumed) marketing messages, for the number's org.
pub(super) async fn user_preferences(
    state: &AppState,
    accepted: &HashMap<String, Uuid>,
    value: &Value,
) -> ApiResult<()> {
    let number = value
        .get("metadata")
        .and_then(|m| text_at(m, "phone_number_id"));
    let Some(org_id) = number.and_then(|n| accepted.get(&n).copied()) else {
        return Ok(());
    };
    let prefs = value
        .get("user_preferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for p in prefs {
        let stopped = match text_at(p, "value").as_deref() {
            Some("stop") => true,
            Some("resume") => false,
            _ => continue,
        };
        if let Some(wa_id) = text_at(p, "wa_id") {
            state
                .store
                .org(org_id)
                .set_marketing_opt_out_by_wa_id(&wa_id, stopped)
                .await?;
        }
    }
    Ok(())
}

/// Meta's error for a marketing message to a user who stopped them.
const MARKETING_STOPPED: i64 = 131050;

/// The leads of a `messages` change who stopped promotions: a tap on the "Stop promotions"
/// quick reply of a marketing template, or a send Meta refused with 131050.
pub(super) fn stops_promotions(m: &MessagesChange) -> impl Iterator<Item = String> + '_ {
    let taps = m.messages.iter().filter_map(|msg| match &msg.content {
        Content::Button { text, .. } if text.trim().eq_ignore_ascii_case(STOP_PROMOTIONS) => {
            msg.from.clone()
        }
        _ => None,
    });
    let refused = m.statuses.iter().filter_map(|s| {
        s.errors
            .iter()
            .any(|e| e.code == MARKETING_STOPPED)
            .then(|| s.recipient_id.clone())
            .flatten()
    });
    taps.chain(refused)
}
