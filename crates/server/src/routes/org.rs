//! The organisation's own details.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member};
use crate::routes::schema::OrgView;
use crate::state::AppState;
use crate::validate::{Validator, optional};
use axum::Json;
use axum::extract::State;
use closer_domain::contact_points::{Phone, WebAddress, country_of_timezone};
use closer_domain::{EmailAddress, OrgName, ValidationError};
use closer_store::OrgProfile;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct OrgUpdate {
    pub name: String,
    pub industry: Option<String>,
    /// The business website, e.g. https://example.com.
    pub website: Option<String>,
    /// IANA time zone, e.g. Asia/Kolkata; used for quiet hours and scheduling.
    pub timezone: Option<String>,
    pub city: Option<String>,
    pub support_email: Option<String>,
    /// In international format, e.g. +91 98765 43210.
    pub support_phone: Option<String>,
    /// ISO 3166 alpha-2 (`IN`) for lead phones written without a country code; absent or
    /// null = the time zone's country (else `IN`).
    #[serde(default)]
    pub default_country: Option<String>,
    /// ISO 4217 (`INR`) for deal values; absent or null = the country's currency.
    #[serde(default)]
    pub currency: Option<String>,
}

/// An ISO 3166 alpha-2 code the phone library knows.
fn country(text: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(v) = optional(text) else {
        return Ok(None);
    };
    closer_domain::leads::country_code(&v).map(Some)
}

fn bounded(text: Option<&str>, max: usize) -> Result<Option<String>, ValidationError> {
    let value = optional(text);
    match &value {
        Some(v) if v.chars().count() > max => {
            Err(ValidationError(format!("must be at most {max} characters")))
        }
        _ => Ok(value),
    }
}

fn website(text: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(v) = bounded(text, 300)? else {
        return Ok(None);
    };
    Ok(Some(WebAddress::parse(&v)?.to_string()))
}

fn timezone(text: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(v) = bounded(text, 64)? else {
        return Ok(None);
    };
    let ok = v == "UTC"
        || (v.contains('/')
            && v.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
            }));
    if ok {
        Ok(Some(v))
    } else {
        Err(ValidationError(
            "must be an IANA time zone such as Europe/London".into(),
        ))
    }
}

/// A phone, read in the country of the organisation's time zone when it has no country code.
fn phone(text: Option<&str>, timezone: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(v) = bounded(text, 32)? else {
        return Ok(None);
    };
    let country = timezone.and_then(country_of_timezone);
    Ok(Some(Phone::parse(&v, country)?.to_string()))
}

/// The organisation's details.
#[utoipa::path(get, path = "/org", tag = "organisation", security(("bearer" = [])),
    responses((status = 200, body = OrgView), (status = 401, body = ErrorBody)))]
pub async fn get_org(State(state): State<AppState>, member: Member) -> ApiResult<Json<OrgView>> {
    let org = state.store.org(member.org_id());
    let mut view: OrgView = org.details().await?.into();
    view.default_country = org.default_country().await?;
    view.currency = org.currency().await?;
    Ok(Json(view))
}

/// Change the organisation's details (owner or admin).
#[utoipa::path(put, path = "/org", tag = "organisation", request_body = OrgUpdate, security(("bearer" = [])),
    responses((status = 200, body = OrgView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_org(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(body): ApiJson<OrgUpdate>,
) -> ApiResult<Json<OrgView>> {
    let mut v = Validator::default();
    let name = v.check("name", OrgName::parse(&body.name));
    let profile = OrgProfile {
        industry: v
            .check("industry", bounded(body.industry.as_deref(), 100))
            .flatten(),
        website: v
            .check("website", website(body.website.as_deref()))
            .flatten(),
        timezone: v
            .check("timezone", timezone(body.timezone.as_deref()))
            .flatten(),
        city: v
            .check("city", bounded(body.city.as_deref(), 100))
            .flatten(),
        support_email: v
            .check(
                "support_email",
                optional(body.support_email.as_deref())
                    .map(|e| EmailAddress::parse(&e).map(|e| e.to_string()))
                    .transpose(),
            )
            .flatten(),
        support_phone: v
            .check(
                "support_phone",
                phone(body.support_phone.as_deref(), body.timezone.as_deref()),
            )
            .flatten(),
    };
    let default_country = v
        .check("default_country", country(body.default_country.as_deref()))
        .flatten();
    let currency = v
        .check(
            "currency",
            optional(body.currency.as_deref())
                .map(|c| closer_domain::leads::org_currency(&c))
                .transpose(),
        )
        .flatten();
    v.finish()?;
    let scope = state.store.org(member.org_id());
    let org = scope
        .update_details(
            &member.0.user.as_actor(),
            &name.expect("validated"),
            &profile,
        )
        .await?;
    let mut view: OrgView = org.into();
    view.default_country = scope.set_default_country(default_country).await?;
    view.currency = scope.set_currency(currency).await?;
    Ok(Json(view))
}
