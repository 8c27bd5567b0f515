//! Connected WhatsApp numbers. Access tokens and app secrets are sealed with the secret box
//! here, at the store's edge, so no caller can write one in clear by mistake.

use crate::audit::{self, Actor};
use crate::entities::whatsapp_account as wa;
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::messaging::{NumberStatus, QualityRating};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// What an admin pastes from Meta's dashboard.
#[derive(Debug, Clone)]
pub struct WhatsappCredentials {
    pub phone_number_id: String,
    pub waba_id: String,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub display_phone_number: Option<String>,
}

impl NumberHealth {
    /// Meta's rating as ours; a rating this version does not know reads as unknown.
    pub fn quality_rating(&self) -> Option<QualityRating> {
        let rating = self.quality_rating.as_deref()?;
        Some(rating.parse().unwrap_or(QualityRating::Unknown))
    }
}

/// What Meta said about the number when it was checked.
#[derive(Debug, Clone, Default)]
pub struct NumberHealth {
    pub display_phone_number: Option<String>,
    pub quality_rating: Option<String>,
    pub messaging_limit: Option<String>,
}

/// Where each number of a webhook delivery goes.
#[derive(Debug)]
pub struct NumberRoutes {
    /// The numbers resolved, each with its account when one is connected.
    pub routes: Vec<(String, Option<(WhatsappAccount, WhatsappSecrets)>)>,
    /// Numbers neither cached nor looked up.
    pub unresolved: Vec<String>,
}

/// What a webhook change is routed by.
#[derive(Debug, Clone, Copy)]
enum RouteKey {
    Number,
    Waba,
}

impl RouteKey {
    /// Both are digits from Meta's one id space; the prefix keeps a forged body from making
    /// one stand for the other in the cache.
    fn cache_key(self, id: &str) -> String {
        match self {
            RouteKey::Number => id.to_owned(),
            RouteKey::Waba => format!("waba:{id}"),
        }
    }
}

/// A connected number without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsappAccount {
    pub org_id: Uuid,
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_phone_number: Option<String>,
    pub verify_token: String,
    pub status: NumberStatus,
    pub quality_rating: Option<QualityRating>,
    pub messaging_limit: Option<String>,
    pub last_webhook_at: Option<DateTime<Utc>>,
    /// Meta's last `phone_number_quality_update` event (`DOWNGRADE`, `FLAGGED`...).
    pub quality_event: Option<String>,
    /// Meta's last `account_update` event (`ACCOUNT_RESTRICTION`...).
    pub account_event: Option<String>,
    pub restrictions: Vec<NumberRestriction>,
}

/// A limit Meta put on the account (`RESTRICTED_BIZ_INITIATED_MESSAGING`...), until when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NumberRestriction {
    #[serde(rename = "type")]
    pub kind: String,
    pub until: Option<DateTime<Utc>>,
}

#[derive(Clone)]
pub struct WhatsappSecrets {
    pub access_token: String,
    pub app_secret: String,
}

impl std::fmt::Debug for WhatsappSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WhatsappSecrets(***)")
    }
}

impl TryFrom<wa::Model> for WhatsappAccount {
    type Error = StoreError;
    fn try_from(m: wa::Model) -> Result<Self> {
        Ok(WhatsappAccount {
            org_id: m.org_id,
            phone_number_id: m.phone_number_id,
            waba_id: m.waba_id,
            display_phone_number: m.display_phone_number,
            verify_token: m.verify_token,
            status: m.status,
            quality_rating: m.quality_rating,
            messaging_limit: m.messaging_limit,
            last_webhook_at: m.last_webhook_at,
            quality_event: m.quality_event,
            account_event: m.account_event,
            restrictions: crate::stored::or_default("number's restrictions", m.restrictions)?,
        })
    }
}

impl Store {
    fn open_secrets(&self, m: &wa::Model) -> Result<WhatsappSecrets> {
        let sb = self.secret_box()?;
        let open = |s: &str| {
            sb.open(s)
                .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))
        };
        Ok(WhatsappSecrets {
            access_token: open(&m.access_token)?,
            app_secret: open(&m.app_secret)?,
        })
    }

    /// Routes a webhook delivery: for each of `numbers`, the account that owns it (and its
    /// app secret), or `None`. Numbers this process looked up a moment ago come from memory;
    /// with `look_up`, the rest cost one query together, however many there are; without,
    /// a connected number this process has seen before is answered from memory however old
    /// (the signature check still decides), and the rest are handed back as `unresolved`.
    pub async fn whatsapp_routes(&self, numbers: &[String], look_up: bool) -> Result<NumberRoutes> {
        self.routes_by(RouteKey::Number, numbers, look_up).await
    }

    /// The same for WhatsApp Business Account ids (`entry[].id` of template and account
    /// updates), with the same cache and the same budget rules.
    pub async fn whatsapp_waba_routes(
        &self,
        wabas: &[String],
        look_up: bool,
    ) -> Result<NumberRoutes> {
        self.routes_by(RouteKey::Waba, wabas, look_up).await
    }

    async fn routes_by(
        &self,
        by: RouteKey,
        numbers: &[String],
        look_up: bool,
    ) -> Result<NumberRoutes> {
        let mut routes = Vec::with_capacity(numbers.len());
        let mut missing: Vec<&String> = Vec::new();
        for number in numbers {
            match self.numbers.get(&by.cache_key(number)) {
                Some(routed) => routes.push((number.clone(), routed)),
                None => missing.push(number),
            }
        }
        if !look_up {
            let mut unresolved = Vec::new();
            for number in missing {
                match self.numbers.last_known(&by.cache_key(number)) {
                    Some(stale) => routes.push((number.clone(), Some(stale))),
                    None => unresolved.push(number.clone()),
                }
            }
            return Ok(NumberRoutes { routes, unresolved });
        }
        if !missing.is_empty() {
            let column = match by {
                RouteKey::Number => wa::Column::PhoneNumberId,
                RouteKey::Waba => wa::Column::WabaId,
            };
            let found = wa::Entity::find()
                .filter(column.is_in(missing.iter().map(|n| n.as_str())))
                .all(&self.db)
                .await?;
            for number in missing {
                let key_of = |m: &wa::Model| match by {
                    RouteKey::Number => m.phone_number_id == *number,
                    RouteKey::Waba => m.waba_id == *number,
                };
                let routed = match found.iter().find(|m| key_of(m)) {
                    Some(m) => Some((m.clone().try_into()?, self.open_secrets(m)?)),
                    None => None,
                };
                self.numbers.put(&by.cache_key(number), routed.clone());
                routes.push((number.clone(), routed));
            }
        }
        Ok(NumberRoutes {
            routes,
            unresolved: vec![],
        })
    }

    /// Every organisation with a connected number (the template sync on start).
    pub async fn whatsapp_connected_orgs(&self) -> Result<Vec<Uuid>> {
        let all = wa::Entity::find()
            .filter(wa::Column::Status.eq(NumberStatus::Connected.as_str()))
            .all(&self.db)
            .await?;
        Ok(all.into_iter().map(|m| m.org_id).collect())
    }

    /// Whether any connected number uses this verify token (Meta's GET challenge).
    pub async fn whatsapp_verify_token_exists(&self, token: &str) -> Result<bool> {
        Ok(wa::Entity::find()
            .filter(wa::Column::VerifyToken.eq(token))
            .one(&self.db)
            .await?
            .is_some())
    }
}

impl OrgScope<'_> {
    async fn whatsapp_model(&self) -> Result<Option<wa::Model>> {
        Ok(wa::Entity::find()
            .filter(wa::Column::OrgId.eq(self.org_id))
            .one(&self.store.db)
            .await?)
    }

    pub async fn whatsapp(&self) -> Result<Option<WhatsappAccount>> {
        self.whatsapp_model()
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// The connected number with its opened secrets, read once (for sending and editing).
    pub async fn whatsapp_with_secrets(
        &self,
    ) -> Result<Option<(WhatsappAccount, WhatsappSecrets)>> {
        match self.whatsapp_model().await? {
            Some(m) => {
                let secrets = self.store.open_secrets(&m)?;
                Ok(Some((m.try_into()?, secrets)))
            }
            None => Ok(None),
        }
    }

    /// Connects (or replaces) the organisation's number. A number already connected to
    /// another organisation is refused.
    pub async fn connect_whatsapp(
        &self,
        actor: &Actor,
        creds: &WhatsappCredentials,
        health: &NumberHealth,
    ) -> Result<WhatsappAccount> {
        let sb = self.store.secret_box()?;
        let txn = self.store.begin_write().await?;
        let owner = wa::Entity::find()
            .filter(wa::Column::PhoneNumberId.eq(&creds.phone_number_id))
            .one(&txn)
            .await?;
        if owner.as_ref().is_some_and(|o| o.org_id != self.org_id) {
            return Err(StoreError::PhoneNumberTaken);
        }
        wa::Entity::delete_many()
            .filter(wa::Column::OrgId.eq(self.org_id))
            .exec(&txn)
            .await?;
        let at = now();
        let model = wa::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            phone_number_id: Set(creds.phone_number_id.clone()),
            waba_id: Set(creds.waba_id.clone()),
            display_phone_number: Set(health
                .display_phone_number
                .clone()
                .or(creds.display_phone_number.clone())),
            access_token: Set(sb.seal(&creds.access_token)),
            app_secret: Set(sb.seal(&creds.app_secret)),
            verify_token: Set(creds.verify_token.clone()),
            status: Set(NumberStatus::Connected),
            quality_rating: Set(health.quality_rating()),
            messaging_limit: Set(health.messaging_limit.clone()),
            last_webhook_at: Set(None),
            quality_event: Set(None),
            account_event: Set(None),
            restrictions: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => StoreError::PhoneNumberTaken,
            _ => StoreError::Db(e),
        })?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "whatsapp.connected",
            format!("whatsapp:{}", model.phone_number_id),
            json!({ "waba_id": model.waba_id, "display_phone_number": model.display_phone_number }),
        )
        .await?;
        txn.commit().await?;
        self.store.numbers.forget();
        model.try_into()
    }

    pub async fn disconnect_whatsapp(&self, actor: &Actor) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let Some(m) = wa::Entity::find()
            .filter(wa::Column::OrgId.eq(self.org_id))
            .one(&txn)
            .await?
        else {
            return Err(StoreError::NotFound);
        };
        wa::Entity::delete_by_id(m.id).exec(&txn).await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "whatsapp.disconnected",
            format!("whatsapp:{}", m.phone_number_id),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        self.store.numbers.forget();
        Ok(())
    }

    /// Records that Meta reached us for this number (shown on the settings page). At most
    /// once every 30 s: under load it would otherwise be one more write per delivery.
    pub async fn touch_whatsapp_webhook(&self, phone_number_id: &str) -> Result<()> {
        if !self
            .store
            .numbers
            .due_for_touch(phone_number_id, std::time::Duration::from_secs(30))
        {
            return Ok(());
        }
        let at = now();
        let stale = at - chrono::Duration::seconds(30);
        wa::Entity::update_many()
            .col_expr(
                wa::Column::LastWebhookAt,
                sea_orm::sea_query::Expr::value(at),
            )
            .filter(wa::Column::OrgId.eq(self.org_id))
            .filter(wa::Column::PhoneNumberId.eq(phone_number_id))
            .filter(
                sea_orm::Condition::any()
                    .add(wa::Column::LastWebhookAt.is_null())
                    .add(wa::Column::LastWebhookAt.lt(stale)),
            )
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// Marks the number in error (e.g. its token expired) so the settings page says so.
    pub async fn set_whatsapp_status(&self, status: NumberStatus) -> Result<()> {
        wa::Entity::update_many()
            .col_expr(wa::Column::Status, sea_orm::sea_query::Expr::value(status))
            .col_expr(
                wa::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(wa::Column::OrgId.eq(self.org_id))
            .exec(&self.store.db)
            .await?;
        self.store.numbers.forget();
        Ok(())
    }

    /// `phone_number_quality_update`: Meta's event and the number's messaging limit.
    pub async fn record_quality_update(
        &self,
        event: Option<&str>,
        messaging_limit: Option<&str>,
    ) -> Result<()> {
        let mut update = wa::Entity::update_many()
            .filter(wa::Column::OrgId.eq(self.org_id))
            .col_expr(
                wa::Column::QualityEvent,
                sea_orm::sea_query::Expr::value(event),
            )
            .col_expr(
                wa::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now()),
            );
        if let Some(limit) = messaging_limit {
            update = update.col_expr(
                wa::Column::MessagingLimit,
                sea_orm::sea_query::Expr::value(limit),
            );
        }
        update.exec(&self.store.db).await?;
        self.store.numbers.forget();
        Ok(())
    }

    /// `account_update`: Meta's event, and the restrictions it lists when it lists them.
    pub async fn record_account_update(
        &self,
        event: &str,
        restrictions: Option<&[NumberRestriction]>,
    ) -> Result<()> {
        let mut update = wa::Entity::update_many()
            .filter(wa::Column::OrgId.eq(self.org_id))
            .col_expr(
                wa::Column::AccountEvent,
                sea_orm::sea_query::Expr::value(event),
            )
            .col_expr(
                wa::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now()),
            );
        if let Some(r) = restrictions {
            update = update.col_expr(
                wa::Column::Restrictions,
                sea_orm::sea_query::Expr::value(json!(r)),
            );
        }
        update.exec(&self.store.db).await?;
        self.store.numbers.forget();
        Ok(())
    }
}
