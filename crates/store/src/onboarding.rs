//! The onboarding questionnaire's answers, one JSON object of sections per organisation. The
//! store does not know the sections' shape (the agent crate does); a save replaces the
//! sections it carries and keeps the others, in one transaction, so two tabs saving different
//! steps at once both land.

use crate::audit::{self, Actor};
use crate::entities::onboarding;
use crate::error::Result;
use crate::now;
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct OnboardingRecord {
    /// Section name → that section's answers; `{}` before the first save.
    pub answers: Map<String, Value>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<(Uuid, String)>,
    /// When the answers last became documents.
    pub generated_at: Option<DateTime<Utc>>,
}

impl OrgScope<'_> {
    async fn record_of(&self, row: Option<onboarding::Model>) -> Result<OnboardingRecord> {
        let Some(row) = row else {
            return Ok(OnboardingRecord {
                answers: Map::new(),
                updated_at: None,
                updated_by: None,
                generated_at: None,
            });
        };
        let updated_by = match row.updated_by {
            Some(id) => self
                .user_names([id])
                .await?
                .remove(&id)
                .map(|name| (id, name)),
            None => None,
        };
        Ok(OnboardingRecord {
            answers: match row.answers {
                Value::Object(sections) => sections,
                _ => Map::new(),
            },
            updated_at: Some(row.updated_at),
            updated_by,
            generated_at: row.generated_at,
        })
    }

    pub async fn onboarding(&self) -> Result<OnboardingRecord> {
        let row = onboarding::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?;
        self.record_of(row).await
    }

    /// Replaces the given sections of the answers, keeping the others.
    pub async fn save_onboarding(
        &self,
        actor: &Actor,
        sections: Map<String, Value>,
    ) -> Result<OnboardingRecord> {
        let at = now();
        let txn = self.store.begin_write().await?;
        onboarding::Entity::insert(onboarding::ActiveModel {
            org_id: Set(self.org_id),
            answers: Set(json!({})),
            updated_by: Set(None),
            updated_at: Set(at),
            generated_at: Set(None),
        })
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(&*txn)
        .await?;
        // A no-op update takes the row's lock on PostgreSQL (SQLite has one writer already),
        // so the read-merge-write below cannot lose a concurrent save's sections.
        onboarding::Entity::update_many()
            .col_expr(
                onboarding::Column::UpdatedAt,
                Expr::col(onboarding::Column::UpdatedAt),
            )
            .filter(onboarding::Column::OrgId.eq(self.org_id))
            .exec(&*txn)
            .await?;
        let current = onboarding::Entity::find_by_id(self.org_id)
            .one(&*txn)
            .await?;
        let generated_at = current.as_ref().and_then(|m| m.generated_at);
        let mut answers = match current.map(|m| m.answers) {
            Some(Value::Object(sections)) => sections,
            _ => Map::new(),
        };
        let changed: Vec<String> = sections.keys().cloned().collect();
        answers.extend(sections);
        onboarding::Entity::update_many()
            .col_expr(
                onboarding::Column::Answers,
                Expr::value(Value::Object(answers.clone())),
            )
            .col_expr(onboarding::Column::UpdatedBy, Expr::value(actor.user_id))
            .col_expr(onboarding::Column::UpdatedAt, Expr::value(at))
            .filter(onboarding::Column::OrgId.eq(self.org_id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "onboarding.update",
            "onboarding".into(),
            json!({ "sections": changed }),
        )
        .await?;
        txn.commit().await?;
        Ok(OnboardingRecord {
            answers,
            updated_at: Some(at),
            updated_by: Some((actor.user_id, actor.name.clone())),
            generated_at,
        })
    }

    /// Notes that the answers were turned into documents, and by which engine.
    pub async fn mark_onboarding_generated(
        &self,
        actor: &Actor,
        engine: &str,
    ) -> Result<DateTime<Utc>> {
        let at = now();
        let txn = self.store.begin_write().await?;
        onboarding::Entity::update_many()
            .col_expr(onboarding::Column::GeneratedAt, Expr::value(at))
            .filter(onboarding::Column::OrgId.eq(self.org_id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "onboarding.generate",
            "onboarding".into(),
            json!({ "engine": engine }),
        )
        .await?;
        txn.commit().await?;
        Ok(at)
    }
}
