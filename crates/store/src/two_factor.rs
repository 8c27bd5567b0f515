//! Two-factor sign-in: a TOTP secret per member (RFC 6238: SHA-1, 6 digits, 30 s — what
//! Google Authenticator and its peers expect), sealed at rest and pending until a code from
//! it confirms it; ten single-use recovery codes stored hashed; and the organisation's rule
//! that every member must use it.

use crate::accounts::User;
use crate::audit::{self, Actor};
use crate::entities::{org, recovery_code, user};
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use crate::{new_id, now, token_hash};
use rand::Rng;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};
use serde_json::json;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

/// The name authenticator apps show above the code.
const ISSUER: &str = "Closer";
const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (ten of 32 symbols: 50 bits), shown as `xxxxx-xxxxx`.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_LEN: usize = 10;

/// A secret being set up: shown once, for the QR code and for typing in by hand.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub otpauth_url: String,
}

/// Which second factor a sign-in used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Totp,
    RecoveryCode,
}

fn totp(secret: Secret, account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| internal(format!("TOTP setup: {e}")))
}

/// A secret that cannot be used: a server fault, never the member's.
fn internal(message: String) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(message))
}

fn unix_now() -> u64 {
    u64::try_from(now().timestamp()).unwrap_or_default()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn new_recovery_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: String = (0..RECOVERY_LEN)
        .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}",
        &chars[..RECOVERY_LEN / 2],
        &chars[RECOVERY_LEN / 2..]
    )
}

/// Six digits (spaces allowed) are a TOTP code; anything else is tried as a recovery code.
fn looks_like_totp(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())
}

impl OrgScope<'_> {
    async fn member_row(&self, db: &impl ConnectionTrait, user_id: Uuid) -> Result<user::Model> {
        user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(user_id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Starts (or restarts) setting up an authenticator app; two-factor stays off until
    /// [`OrgScope::enable_two_factor`] gets a code from it.
    pub async fn start_two_factor_setup(&self, user: &User) -> Result<TotpSetup> {
        let row = self.member_row(&self.store.db, user.id).await?;
        if row.totp_enabled_at.is_some() {
            return Err(StoreError::Conflict("two-factor sign-in is already on"));
        }
        let mut bytes = [0u8; 20];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let secret = Secret::from(bytes.to_vec());
        let setup = TotpSetup {
            secret: secret.to_base32(),
            otpauth_url: totp(secret.clone(), &user.email)?
                .to_url()
                .map_err(|e| internal(format!("TOTP url: {e}")))?,
        };
        let sealed = self.store.secret_box()?.seal(&setup.secret);
        user::Entity::update_many()
            .col_expr(user::Column::TotpPendingSecret, Expr::value(sealed))
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(user.id))
            .exec(&self.store.db)
            .await?;
        Ok(setup)
    }

    fn open_secret(&self, sealed: &str) -> Result<Secret> {
        let b32 = self
            .store
            .secret_box()?
            .open(sealed)
            .map_err(|e| internal(e.to_string()))?;
        Secret::try_from_base32(b32).map_err(|e| internal(format!("stored TOTP secret: {e:?}")))
    }

    /// The time step `code` belongs to, if it is a current code of `sealed`'s secret.
    fn totp_step(&self, sealed: &str, email: &str, code: &str) -> Result<Option<u64>> {
        let secret = self.open_secret(sealed)?;
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        Ok(totp(secret, email)?.check(&code, unix_now()))
    }

    /// Confirms the pending secret with a code from it: two-factor is on, and the ten
    /// recovery codes (shown once) are returned.
    pub async fn enable_two_factor(&self, actor: &Actor, code: &str) -> Result<Vec<String>> {
        let txn = self.store.begin_write().await?;
        let row = self.member_row(&txn, actor.user_id).await?;
        if row.totp_enabled_at.is_some() {
            return Err(StoreError::Conflict("two-factor sign-in is already on"));
        }
        let pending = row
            .totp_pending_secret
            .ok_or(StoreError::Conflict("start the two-factor setup first"))?;
        let step = self
            .totp_step(&pending, &row.email, code)?
            .ok_or(StoreError::InvalidSecondFactor)?;
        let at = now();
        user::Entity::update_many()
            .col_expr(user::Column::TotpSecret, Expr::value(pending))
            .col_expr(user::Column::TotpPendingSecret, Expr::value(None::<String>))
            .col_expr(user::Column::TotpEnabledAt, Expr::value(at))
            .col_expr(user::Column::TotpLastStep, Expr::value(step as i64))
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(actor.user_id))
            .exec(&txn)
            .await?;
        let codes = self.replace_recovery_codes(&txn, actor.user_id).await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "auth.two_factor_enabled",
            format!("user:{}", actor.user_id),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    }

    async fn replace_recovery_codes(
        &self,
        db: &impl ConnectionTrait,
        user_id: Uuid,
    ) -> Result<Vec<String>> {
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::OrgId.eq(self.org_id))
            .filter(recovery_code::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let at = now();
        recovery_code::Entity::insert_many(codes.iter().map(|code| recovery_code::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            user_id: Set(user_id),
            code_hash: Set(token_hash(&normalise_recovery_code(code))),
            created_at: Set(at),
            used_at: Set(None),
        }))
        .exec_without_returning(db)
        .await?;
        Ok(codes)
    }

    /// Turns two-factor off: the secret and the recovery codes are forgotten.
    pub async fn disable_two_factor(&self, actor: &Actor) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let row = self.member_row(&txn, actor.user_id).await?;
        user::Entity::update_many()
            .col_expr(user::Column::TotpSecret, Expr::value(None::<String>))
            .col_expr(user::Column::TotpPendingSecret, Expr::value(None::<String>))
            .col_expr(
                user::Column::TotpEnabledAt,
                Expr::value(None::<chrono::DateTime<chrono::Utc>>),
            )
            .col_expr(user::Column::TotpLastStep, Expr::value(None::<i64>))
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(actor.user_id))
            .exec(&txn)
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::OrgId.eq(self.org_id))
            .filter(recovery_code::Column::UserId.eq(actor.user_id))
            .exec(&txn)
            .await?;
        if row.totp_enabled_at.is_some() {
            audit::record(
                &txn,
                self.org_id,
                Some(actor),
                "auth.two_factor_disabled",
                format!("user:{}", actor.user_id),
                json!({}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Checks a second factor and uses it up: a TOTP code's time step (and every earlier one)
    /// can never be accepted again, a recovery code works once. Both are conditional
    /// UPDATEs, so two replicas racing with one code let one of them through.
    pub async fn use_second_factor(&self, user_id: Uuid, code: &str) -> Result<SecondFactor> {
        let row = self.member_row(&self.store.db, user_id).await?;
        let Some(sealed) = row.totp_secret.as_deref() else {
            return Err(StoreError::InvalidSecondFactor);
        };
        if looks_like_totp(code) {
            let step = self
                .totp_step(sealed, &row.email, code)?
                .ok_or(StoreError::InvalidSecondFactor)? as i64;
            let res = user::Entity::update_many()
                .col_expr(user::Column::TotpLastStep, Expr::value(step))
                .filter(user::Column::OrgId.eq(self.org_id))
                .filter(user::Column::Id.eq(user_id))
                .filter(
                    user::Column::TotpLastStep
                        .is_null()
                        .or(user::Column::TotpLastStep.lt(step)),
                )
                .exec(&self.store.db)
                .await?;
            return match res.rows_affected {
                1 => Ok(SecondFactor::Totp),
                _ => Err(StoreError::InvalidSecondFactor),
            };
        }
        let res = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(now()))
            .filter(recovery_code::Column::OrgId.eq(self.org_id))
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::CodeHash.eq(token_hash(&normalise_recovery_code(code))))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&self.store.db)
            .await?;
        match res.rows_affected {
            1 => Ok(SecondFactor::RecoveryCode),
            _ => Err(StoreError::InvalidSecondFactor),
        }
    }

    /// Ten fresh recovery codes in place of the old ones, given a valid second factor.
    pub async fn regenerate_recovery_codes(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>> {
        self.use_second_factor(actor.user_id, code).await?;
        let txn = self.store.begin_write().await?;
        let codes = self.replace_recovery_codes(&txn, actor.user_id).await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "auth.recovery_codes_regenerated",
            format!("user:{}", actor.user_id),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    }

    /// Unused recovery codes left.
    pub async fn recovery_codes_left(&self, user_id: Uuid) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        Ok(recovery_code::Entity::find()
            .filter(recovery_code::Column::OrgId.eq(self.org_id))
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(&self.store.db)
            .await?)
    }

    pub async fn requires_two_factor(&self) -> Result<bool> {
        Ok(self.details_row().await?.require_two_factor)
    }

    async fn details_row(&self) -> Result<org::Model> {
        org::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Turns the organisation's two-factor rule on or off (the caller checked the role). The
    /// one turning it on must use two-factor already, or they would lock themselves out.
    pub async fn set_requires_two_factor(&self, actor: &Actor, on: bool) -> Result<bool> {
        let txn = self.store.begin_write().await?;
        let me = self.member_row(&txn, actor.user_id).await?;
        if on && me.totp_enabled_at.is_none() {
            return Err(StoreError::Conflict(
                "turn on two-factor sign-in for yourself before requiring it of everyone",
            ));
        }
        let before = org::Entity::find_by_id(self.org_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?
            .require_two_factor;
        if before != on {
            org::Entity::update_many()
                .col_expr(org::Column::RequireTwoFactor, Expr::value(on))
                .col_expr(org::Column::UpdatedAt, Expr::value(now()))
                .filter(org::Column::Id.eq(self.org_id))
                .exec(&txn)
                .await?;
            audit::record(
                &txn,
                self.org_id,
                Some(actor),
                "org.security_updated",
                format!("org:{}", self.org_id),
                json!({ "require_two_factor": { "from": before, "to": on } }),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let a = new_recovery_code();
        assert_eq!(a.len(), RECOVERY_LEN + 1);
        assert_ne!(a, new_recovery_code());
        assert_eq!(
            normalise_recovery_code(&format!(" {} ", a.to_uppercase())),
            a.replace('-', "")
        );
        assert!(!looks_like_totp(&a));
        assert!(looks_like_totp("123 456"));
        assert!(!looks_like_totp("12345"));
    }

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, truncated to 6 digits.
        let t = totp(Secret::from(b"12345678901234567890".to_vec()), "a@x.io").unwrap();
        assert_eq!(t.check("287082", 59), Some(1));
        assert_eq!(t.check("081804", 1_111_111_109), Some(37_037_036));
        assert!(
            t.to_url()
                .unwrap()
                .starts_with("otpauth://totp/Closer:a%40x.io?secret=")
        );
    }
}
