//! The calls to action the agent pushes.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, parse_id};
use crate::routes::schema::List;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use closer_domain::ValidationError;
use closer_domain::contact_points::{Phone, WebAddress};
use closer_domain::sales::CtaType;
use closer_store::agent_config::{Cta, CtaInput};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct CtaView {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: CtaType,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: bool,
    pub position: i32,
}

impl From<Cta> for CtaView {
    fn from(c: Cta) -> Self {
        CtaView {
            id: c.id,
            kind: c.kind,
            name: c.name,
            link: c.link,
            phone: c.phone,
            enabled: c.enabled,
            position: c.position,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CtaRequest {
    /// Also accepts the seeds' spelling (`BOOK_CALL`). Read as text so that one 422 names
    /// every bad field, this one included.
    #[serde(rename = "type")]
    #[schema(value_type = CtaType)]
    pub kind: String,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: Option<bool>,
    pub position: Option<i32>,
}

impl CtaRequest {
    fn validate(self) -> ApiResult<CtaInput> {
        let mut errors = serde_json::Map::new();
        let kind = self
            .kind
            .parse::<CtaType>()
            .map_err(|e| errors.insert("type".into(), json!(e.0)))
            .ok();
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 80 {
            errors.insert("name".into(), json!("must be 1 to 80 characters"));
        }
        let mut field =
            |name: &str,
             raw: Option<String>,
             parse: &dyn Fn(&str) -> Result<String, ValidationError>| {
                let raw = raw.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())?;
                parse(&raw)
                    .map_err(|e| errors.insert(name.into(), json!(e.0)))
                    .ok()
            };
        let link = field("link", self.link, &|l| {
            WebAddress::parse(l)
                .map(|w| w.to_string())
                .and_then(|w| match w.len() {
                    0..=500 => Ok(w),
                    _ => Err(ValidationError("must be at most 500 characters".into())),
                })
        });
        let phone = field("phone", self.phone, &|p| {
            Phone::parse(p, None).map(|p| p.to_string())
        });
        let Some(kind) = kind.filter(|_| errors.is_empty()) else {
            return Err(ApiError::Validation(errors));
        };
        Ok(CtaInput {
            kind,
            name,
            link,
            phone,
            enabled: self.enabled.unwrap_or(true),
            position: self.position.unwrap_or(0),
        })
    }
}

/// The organisation's calls to action, in order.
#[utoipa::path(get, path = "/ctas", tag = "agent", security(("bearer" = [])), responses((status = 200, body = List<CtaView>)))]
pub async fn list_ctas(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<CtaView>>> {
    let ctas = state.store.org(member.org_id()).ctas().await?;
    Ok(Json(List::whole(ctas.into_iter().map(CtaView::from))))
}

/// Adds a CTA (owner or admin); one per type.
#[utoipa::path(post, path = "/ctas", tag = "agent", request_body = CtaRequest, security(("bearer" = [])),
    responses((status = 201, body = CtaView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_cta(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<CtaRequest>,
) -> ApiResult<(StatusCode, Json<CtaView>)> {
    let input = req.validate()?;
    let cta = state
        .store
        .org(member.org_id())
        .create_cta(&member.0.user.as_actor(), input)
        .await?;
    Ok((StatusCode::CREATED, Json(cta.into())))
}

/// Changes a CTA (owner or admin).
#[utoipa::path(put, path = "/ctas/{id}", tag = "agent", request_body = CtaRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "CTA id")),
    responses((status = 200, body = CtaView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_cta(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CtaRequest>,
) -> ApiResult<Json<CtaView>> {
    let id = parse_id(&id)?;
    let input = req.validate()?;
    let cta = state
        .store
        .org(member.org_id())
        .update_cta(&member.0.user.as_actor(), id, input)
        .await?;
    Ok(Json(cta.into()))
}

/// Removes a CTA (owner or admin).
#[utoipa::path(delete, path = "/ctas/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "CTA id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_cta(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .org(member.org_id())
        .delete_cta(&member.0.user.as_actor(), parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
