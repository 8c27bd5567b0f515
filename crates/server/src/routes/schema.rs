//! Response shapes shared by several routes.

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use closer_domain::Role;
use closer_store::{Org, Page, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Takes new conversations from the round-robin.
    pub available: bool,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role,
            active: u.active,
            created_at: u.created_at,
            available: u.available,
        }
    }
}

/// The signed-in member, as shown in the app shell.
#[derive(Serialize, ToSchema)]
pub struct SessionUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Takes new conversations from the round-robin (the user menu's switch).
    pub available: bool,
}

impl From<&User> for SessionUser {
    fn from(u: &User) -> Self {
        SessionUser {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role,
            available: u.available,
        }
    }
}

/// A team member named in a record (who saved, who started).
#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrgRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrgView {
    pub id: Uuid,
    pub name: String,
    pub industry: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub city: Option<String>,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
    /// ISO 3166 alpha-2 (`IN`): how lead phones written without a country code are read.
    /// Until the organisation sets it, its time zone's country, else `IN`.
    pub default_country: String,
    /// ISO 4217 (`INR`): what deal values and the board's sums are counted in. Until the
    /// organisation sets it, its country's currency.
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

impl From<Org> for OrgView {
    fn from(o: Org) -> Self {
        let default_country = o
            .profile
            .timezone
            .as_deref()
            .and_then(closer_domain::contact_points::country_of_timezone)
            .unwrap_or("IN")
            .to_owned();
        OrgView {
            currency: closer_domain::leads::currency_of_country(&default_country)
                .unwrap_or_else(|| "INR".into()),
            default_country,
            id: o.id,
            name: o.name,
            industry: o.profile.industry,
            website: o.profile.website,
            timezone: o.profile.timezone,
            city: o.profile.city,
            support_email: o.profile.support_email,
            support_phone: o.profile.support_phone,
            created_at: o.created_at,
        }
    }
}

/// One page of a list; pass `next_cursor` back as `?cursor=` for the next page.
#[derive(Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// Every item at once: a list with no further page.
    pub fn whole(items: impl IntoIterator<Item = T>) -> Self {
        List {
            items: items.into_iter().collect(),
            next_cursor: None,
        }
    }

    pub fn from_page<S>(page: Page<S>, f: impl FnMut(S) -> T) -> Self {
        let page = page.map(f);
        List {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }

    /// A page whose every item must convert, or the first error.
    pub fn try_from_page<S, E>(page: Page<S>, f: impl FnMut(S) -> Result<T, E>) -> Result<Self, E> {
        Ok(List {
            items: page.items.into_iter().map(f).collect::<Result<_, E>>()?,
            next_cursor: page.next_cursor,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListParams {
    pub fn page(&self) -> Result<closer_store::PageRequest, crate::error::ApiError> {
        let cursor = match &self.cursor {
            Some(c) if !c.is_empty() => Some(Uuid::parse_str(c).map_err(|_| {
                crate::error::ApiError::field("cursor", "is not a cursor this API gave out")
            })?),
            _ => None,
        };
        page_limit(self.limit)?;
        Ok(closer_store::PageRequest {
            limit: self.limit,
            cursor,
        })
    }
}

/// A list's page size: 1 to 200, 50 when not given (API.md conventions).
pub fn page_limit(limit: Option<u64>) -> Result<u64, crate::error::ApiError> {
    use closer_store::page::{DEFAULT_LIMIT, MAX_LIMIT};
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(_) => Err(crate::error::ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// A keyset cursor over (time, id), opaque to clients.
pub fn encode_cursor(at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", at.to_rfc3339()))
}

/// The (time, id) of a cursor [`encode_cursor`] gave out; anything else is a 422 on `cursor`.
pub fn decode_cursor(raw: &str) -> ApiResult<(DateTime<Utc>, Uuid)> {
    let bad = || ApiError::field("cursor", "is not a cursor this API gave out");
    let text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?).map_err(|_| bad())?;
    let (at, id) = text.split_once('|').ok_or_else(bad)?;
    Ok((
        DateTime::parse_from_rfc3339(at)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        Uuid::parse_str(id).map_err(|_| bad())?,
    ))
}
