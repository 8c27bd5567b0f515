//! Settings → Email: the organisation's mail server for notification, password-reset and
//! invite emails. The password is sealed with the secret box and never shown again.

use crate::entities::email_setting;
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use crate::{Actor, audit, now};
use chrono::{DateTime, Utc};
use closer_domain::notify::SmtpTls;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

/// The settings as shown: the password only as whether one is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub username: Option<String>,
    pub has_password: bool,
    pub from: String,
    pub tls: SmtpTls,
    pub updated_at: DateTime<Utc>,
}

/// What the sender needs, the password opened.
#[derive(Debug, Clone)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    pub tls: SmtpTls,
}

/// Settings to save. `password`: `None` keeps the saved one, `Some("")` removes it.
#[derive(Debug, Clone)]
pub struct EmailSettingsInput {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    pub tls: SmtpTls,
}

fn shown(m: email_setting::Model) -> EmailSettings {
    EmailSettings {
        smtp_host: m.smtp_host,
        smtp_port: u16::try_from(m.smtp_port).unwrap_or_default(),
        username: m.username,
        has_password: m.password.is_some(),
        from: m.from_address,
        tls: m.tls,
        updated_at: m.updated_at,
    }
}

impl OrgScope<'_> {
    pub async fn email_settings(&self) -> Result<Option<EmailSettings>> {
        Ok(email_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .map(shown))
    }

    /// The mail server with its password opened, for sending.
    pub async fn smtp_server(&self) -> Result<Option<SmtpServer>> {
        let Some(m) = email_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
        else {
            return Ok(None);
        };
        let password = match &m.password {
            Some(sealed) => Some(
                self.store
                    .secret_box()?
                    .open(sealed)
                    .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?,
            ),
            None => None,
        };
        Ok(Some(SmtpServer {
            host: m.smtp_host,
            port: u16::try_from(m.smtp_port).unwrap_or_default(),
            username: m.username,
            password,
            from: m.from_address,
            tls: m.tls,
        }))
    }

    /// Saves the settings (with an audit entry that never holds the password).
    pub async fn save_email_settings(
        &self,
        actor: &Actor,
        input: EmailSettingsInput,
    ) -> Result<EmailSettings> {
        let txn = self.store.begin_write().await?;
        let before = email_setting::Entity::find_by_id(self.org_id)
            .one(&*txn)
            .await?;
        let password = match input.password.as_deref() {
            None => before.as_ref().and_then(|b| b.password.clone()),
            Some("") => None,
            Some(p) => Some(self.store.secret_box()?.seal(p)),
        };
        let row = email_setting::ActiveModel {
            org_id: Set(self.org_id),
            smtp_host: Set(input.smtp_host.clone()),
            smtp_port: Set(i32::from(input.smtp_port)),
            username: Set(input.username.clone()),
            password: Set(password),
            from_address: Set(input.from.clone()),
            tls: Set(input.tls),
            updated_at: Set(now()),
        };
        let saved = match before {
            Some(_) => row.update(&*txn).await?,
            None => row.insert(&*txn).await?,
        };
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "settings.email",
            "email_settings".to_owned(),
            json!({
                "smtp_host": input.smtp_host,
                "smtp_port": input.smtp_port,
                "tls": input.tls,
                "password_changed": input.password.is_some(),
            }),
        )
        .await?;
        txn.commit().await?;
        Ok(shown(saved))
    }
}
