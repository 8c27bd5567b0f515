//! Settings → Rate card: what Meta charges per message by recipient country and category, which
//! prices each message when Meta reports it billed. Seeded with Meta's published rates.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use closer_domain::pricing::RateCard;

/// The organisation's rate card: Meta's published rates (US dollars) until it saves its own.
#[utoipa::path(get, path = "/settings/rate-card", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = RateCard)))]
pub async fn get_rate_card(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<RateCard>> {
    Ok(Json(state.store.org(member.org_id()).rate_card().await?))
}

/// Replaces the rate card (owner or admin). `country` is a two-letter code or `*` for every
/// other country; one price per country and category; 422 names the row. Messages priced
/// before keep the price they had.
#[utoipa::path(put, path = "/settings/rate-card", tag = "settings", request_body = RateCard,
    security(("bearer" = [])),
    responses((status = 200, body = RateCard), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_rate_card(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(card): ApiJson<RateCard>,
) -> ApiResult<Json<RateCard>> {
    card.check()
        .map_err(|e| ApiError::field(&e.field, e.message))?;
    let scope = state.store.org(member.org_id());
    scope
        .save_rate_card(&member.0.user.as_actor(), &card)
        .await?;
    Ok(Json(scope.rate_card().await?))
}
