//! Sign-up, sign-in and sessions: the few operations that start before the organisation is
//! known (the email or token tells which organisation it is).

use crate::audit::{self, Actor};
use crate::entities::{invite, org, session, user};
use crate::error::{Result, StoreError};
use crate::events::Revocation;
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::{EmailAddress, OrgName, PersonName, Role};
use sea_orm::ActiveValue::Set;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Alias, Expr, JoinType, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: Uuid,
    pub name: String,
    pub profile: OrgProfile,
    pub created_at: DateTime<Utc>,
}

/// The editable details of an organisation besides its name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgProfile {
    pub industry: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub city: Option<String>,
    pub support_email: Option<String>,
    pub support_phone: Option<String>,
}

impl From<org::Model> for Org {
    fn from(m: org::Model) -> Self {
        Org {
            id: m.id,
            name: m.name,
            profile: OrgProfile {
                industry: m.industry,
                website: m.website,
                timezone: m.timezone,
                city: m.city,
                support_email: m.support_email,
                support_phone: m.support_phone,
            },
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Signs in with a TOTP code (or a recovery code) besides the password.
    pub two_factor_enabled: bool,
    /// Takes new conversations from the round-robin now.
    pub available: bool,
}

impl User {
    pub fn as_actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
        }
    }
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id,
            org_id: m.org_id,
            name: m.name,
            email: m.email,
            role: m.role,
            active: m.active,
            created_at: m.created_at,
            two_factor_enabled: m.totp_enabled_at.is_some(),
            available: m.available,
        }
    }
}

/// A person signing up; the password is already hashed by the caller.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: PersonName,
    pub email: EmailAddress,
    pub password_hash: String,
}

/// A live session, as resolved from a bearer token.
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub session_id: Uuid,
    pub user: User,
    pub org_id: Uuid,
    pub org_name: String,
    pub two_factor: TwoFactorStatus,
    /// When the session was last marked as used (see [`Store::touch_session`]).
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// Whether a member signs in with a second factor, and whether their organisation demands it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub required: bool,
}

impl TwoFactorStatus {
    /// A member who must enrol before using anything but their own account's security.
    pub fn must_enrol(self) -> bool {
        self.required && !self.enabled
    }
}

/// Where a session was opened from, shown in the sessions list.
#[derive(Debug, Clone, Default)]
pub struct SessionOrigin {
    /// A short summary of the User-Agent, e.g. "Chrome on Linux".
    pub device: Option<String>,
    pub ip: Option<String>,
}

/// One of a member's live sessions.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A session's last-seen time is written at most this often, not on every request.
const TOUCH_EVERY_SECS: i64 = 60;

/// What the public invite page may learn from a token: nothing beyond the organisation's name.
#[derive(Debug, Clone)]
pub struct InvitePreview {
    pub org_name: String,
    pub role: Role,
    pub email: Option<String>,
    pub expires_at: DateTime<Utc>,
}

fn new_user(org_id: Uuid, account: &NewAccount, role: Role) -> user::ActiveModel {
    let at = now();
    user::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org_id),
        name: Set(account.name.as_str().to_owned()),
        email: Set(account.email.as_str().to_owned()),
        password_hash: Set(account.password_hash.clone()),
        role: Set(role),
        active: Set(true),
        created_at: Set(at),
        updated_at: Set(at),
        totp_secret: Set(None),
        totp_pending_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
        available: Set(true),
    }
}

fn invite_is_open(inv: &invite::Model, at: DateTime<Utc>) -> bool {
    inv.used_at.is_none() && inv.revoked_at.is_none() && inv.expires_at > at
}

impl Store {
    /// Scopes every following call to one organisation.
    pub fn org(&self, org_id: Uuid) -> OrgScope<'_> {
        OrgScope {
            store: self,
            org_id,
        }
    }

    /// A new organisation with its first owner, in one transaction.
    pub async fn create_org_with_owner(
        &self,
        org_name: &OrgName,
        account: &NewAccount,
    ) -> Result<(Org, User)> {
        let txn = self.begin_write().await?;
        let at = now();
        let org = org::ActiveModel {
            id: Set(new_id()),
            name: Set(org_name.as_str().to_owned()),
            industry: Set(None),
            website: Set(None),
            timezone: Set(None),
            city: Set(None),
            support_email: Set(None),
            support_phone: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            require_two_factor: Set(false),
        }
        .insert(&txn)
        .await?;
        let user: User = new_user(org.id, account, Role::Owner)
            .insert(&txn)
            .await
            .map_err(StoreError::from_user_insert)?
            .into();
        crate::pipeline::ensure_stages(&txn, org.id).await?;
        audit::record(
            &txn,
            org.id,
            Some(&user.as_actor()),
            "org.created",
            format!("org:{}", org.id),
            json!({ "name": org.name }),
        )
        .await?;
        txn.commit().await?;
        Ok((org.into(), user))
    }

    /// Joins the invite's organisation with the invite's role, and uses the invite up.
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        account: &NewAccount,
    ) -> Result<(Org, User)> {
        let txn = self.begin_write().await?;
        let at = now();
        // Claiming the invite first, with a conditional UPDATE, makes single use hold even
        // when two people open the same link at the same moment.
        let claimed = txn
            .execute(
                &Query::update()
                    .table(invite::Entity)
                    .value(invite::Column::UsedAt, at)
                    .and_where(Expr::col(invite::Column::TokenHash).eq(token_hash))
                    .and_where(Expr::col(invite::Column::UsedAt).is_null())
                    .and_where(Expr::col(invite::Column::RevokedAt).is_null())
                    .and_where(Expr::col(invite::Column::ExpiresAt).gt(at))
                    .to_owned(),
            )
            .await?;
        if claimed.rows_affected() != 1 {
            return Err(StoreError::InviteInvalid);
        }
        let inv = invite::Entity::find()
            .filter(invite::Column::TokenHash.eq(token_hash))
            .one(&txn)
            .await?
            .ok_or(StoreError::InviteInvalid)?;
        if let Some(expected) = &inv.email
            && expected != account.email.as_str()
        {
            return Err(StoreError::InviteEmailMismatch);
        }
        let role = inv.role;
        let user: User = new_user(inv.org_id, account, role)
            .insert(&txn)
            .await
            .map_err(StoreError::from_user_insert)?
            .into();
        let mut used = invite::ActiveModel {
            id: Set(inv.id),
            ..Default::default()
        };
        used.used_by = Set(Some(user.id));
        used.update(&txn).await?;
        audit::record(
            &txn,
            inv.org_id,
            Some(&user.as_actor()),
            "invite.accepted",
            format!("invite:{}", inv.id),
            json!({ "role": role.as_str(), "user_id": user.id }),
        )
        .await?;
        let org = org::Entity::find_by_id(inv.org_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::InviteInvalid)?;
        txn.commit().await?;
        Ok((org.into(), user))
    }

    pub async fn invite_preview(&self, token_hash: &str) -> Result<InvitePreview> {
        let inv = invite::Entity::find()
            .filter(invite::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
            .filter(|inv| invite_is_open(inv, now()))
            .ok_or(StoreError::InviteInvalid)?;
        let org = org::Entity::find_by_id(inv.org_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::InviteInvalid)?;
        Ok(InvitePreview {
            org_name: org.name,
            role: inv.role,
            email: inv.email,
            expires_at: inv.expires_at,
        })
    }

    /// The account behind an email, with its password hash, for sign-in. Emails are unique
    /// across the whole system, so this is the one lookup that is not org-scoped.
    pub async fn find_login(&self, email: &EmailAddress) -> Result<Option<(User, String)>> {
        Ok(user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?
            .map(|m| {
                let hash = m.password_hash.clone();
                (User::from(m), hash)
            }))
    }

    pub async fn create_session(
        &self,
        user: &User,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        origin: &SessionOrigin,
    ) -> Result<Uuid> {
        let id = new_id();
        let at = now();
        session::Entity::insert(session::ActiveModel {
            id: Set(id),
            org_id: Set(user.org_id),
            user_id: Set(user.id),
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(at),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            device: Set(origin.device.clone()),
            ip: Set(origin.ip.clone()),
            last_seen_at: Set(Some(at)),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(id)
    }

    /// Resolves a bearer token to a live session of an active member, or nothing. Runs on
    /// every authenticated request, so it is one query joining session, member and org.
    pub async fn authenticate(&self, token_hash: &str) -> Result<Option<AuthSession>> {
        let (s, u, o) = (Alias::new("s"), Alias::new("u"), Alias::new("o"));
        let query = Query::select()
            .expr_as(
                Expr::col((s.clone(), session::Column::Id)),
                Alias::new("session_id"),
            )
            .expr_as(
                Expr::col((s.clone(), session::Column::ExpiresAt)),
                Alias::new("expires_at"),
            )
            .expr_as(
                Expr::col((s.clone(), session::Column::RevokedAt)),
                Alias::new("revoked_at"),
            )
            .expr_as(
                Expr::col((s.clone(), session::Column::LastSeenAt)),
                Alias::new("last_seen_at"),
            )
            .expr_as(
                Expr::col((u.clone(), user::Column::TotpEnabledAt)),
                Alias::new("totp_enabled_at"),
            )
            .expr_as(
                Expr::col((o.clone(), org::Column::RequireTwoFactor)),
                Alias::new("require_two_factor"),
            )
            .columns([
                (u.clone(), user::Column::Id),
                (u.clone(), user::Column::OrgId),
                (u.clone(), user::Column::Name),
                (u.clone(), user::Column::Email),
                (u.clone(), user::Column::Role),
                (u.clone(), user::Column::Active),
                (u.clone(), user::Column::CreatedAt),
                (u.clone(), user::Column::Available),
            ])
            .expr_as(
                Expr::col((o.clone(), org::Column::Name)),
                Alias::new("org_name"),
            )
            .from_as(session::Entity, s.clone())
            .join_as(
                JoinType::InnerJoin,
                user::Entity,
                u.clone(),
                Expr::col((u.clone(), user::Column::OrgId))
                    .equals((s.clone(), session::Column::OrgId))
                    .and(
                        Expr::col((u.clone(), user::Column::Id))
                            .equals((s.clone(), session::Column::UserId)),
                    ),
            )
            .join_as(
                JoinType::InnerJoin,
                org::Entity,
                o.clone(),
                Expr::col((o.clone(), org::Column::Id)).equals((s.clone(), session::Column::OrgId)),
            )
            .and_where(Expr::col((s, session::Column::TokenHash)).eq(token_hash))
            .to_owned();
        let Some(row) = self.db.query_one(&query).await? else {
            return Ok(None);
        };
        let revoked: Option<DateTime<Utc>> = row.try_get("", "revoked_at")?;
        let expires: DateTime<Utc> = row.try_get("", "expires_at")?;
        let active: bool = row.try_get("", "active")?;
        if revoked.is_some() || expires <= now() || !active {
            return Ok(None);
        }
        let role: String = row.try_get("", "role")?;
        let enabled: Option<DateTime<Utc>> = row.try_get("", "totp_enabled_at")?;
        let user = User {
            id: row.try_get("", "id")?,
            org_id: row.try_get("", "org_id")?,
            name: row.try_get("", "name")?,
            email: row.try_get("", "email")?,
            role: role.parse().unwrap_or(Role::Viewer),
            active,
            created_at: row.try_get("", "created_at")?,
            two_factor_enabled: enabled.is_some(),
            available: row.try_get("", "available")?,
        };
        Ok(Some(AuthSession {
            session_id: row.try_get("", "session_id")?,
            org_id: user.org_id,
            org_name: row.try_get("", "org_name")?,
            two_factor: TwoFactorStatus {
                enabled: enabled.is_some(),
                required: row.try_get("", "require_two_factor")?,
            },
            last_seen_at: row.try_get("", "last_seen_at")?,
            user,
        }))
    }

    /// Marks a session as used now from `ip`, at most once a minute: a busy dashboard makes
    /// one write a minute, not one per request. The condition keeps replicas from repeating it.
    pub async fn touch_session(&self, session: &AuthSession, ip: Option<String>) -> Result<()> {
        let at = now();
        let stale_before = at - chrono::Duration::seconds(TOUCH_EVERY_SECS);
        if session.last_seen_at.is_some_and(|seen| seen > stale_before) {
            return Ok(());
        }
        let mut update = session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(at))
            .filter(session::Column::OrgId.eq(session.org_id))
            .filter(session::Column::Id.eq(session.session_id))
            .filter(
                session::Column::LastSeenAt
                    .is_null()
                    .or(session::Column::LastSeenAt.lt(stale_before)),
            );
        if let Some(ip) = ip {
            update = update.col_expr(session::Column::Ip, Expr::value(ip));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    pub async fn revoke_session(&self, session: &AuthSession) -> Result<()> {
        let txn = self.begin_write().await?;
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(now()))
            .filter(session::Column::OrgId.eq(session.org_id))
            .filter(session::Column::Id.eq(session.session_id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            session.org_id,
            Some(&session.user.as_actor()),
            "auth.logout",
            format!("user:{}", session.user.id),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        self.publish_revocation(Revocation::Session {
            org_id: session.org_id,
            session_id: session.session_id,
        })
        .await;
        Ok(())
    }
}
