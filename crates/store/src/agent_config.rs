//! The agent's configuration per organisation: the five documents as append-only versions
//! (a rollback is a new version copying an old one, so history never changes), the CTAs,
//! the knowledge base and the LLM provider (its key sealed at rest, never read back out).

use crate::audit::{self, Actor};
use crate::entities::{agent_profile, cta, knowledge_doc, llm_setting};
use crate::error::{Result, StoreError};
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::agent::{EngineMode, LlmProvider};
use closer_domain::sales::CtaType;
use closer_domain::work::KnowledgeKind;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ProfileVersion {
    pub version: i32,
    pub mode: EngineMode,
    pub documents: BTreeMap<String, Value>,
    pub changed: Vec<String>,
    pub rolled_back_from: Option<i32>,
    pub created_by: Option<(Uuid, String)>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Cta {
    pub id: Uuid,
    pub kind: CtaType,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: bool,
    pub position: i32,
}

#[derive(Debug, Clone)]
pub struct CtaInput {
    pub kind: CtaType,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: bool,
    pub position: i32,
}

#[derive(Debug, Clone)]
pub struct KnowledgeItem {
    pub id: Uuid,
    pub kind: KnowledgeKind,
    pub title: String,
    pub content: String,
    pub source_url: Option<String>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub stale: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewKnowledge {
    pub kind: KnowledgeKind,
    pub title: String,
    pub content: String,
    pub source_url: Option<String>,
}

/// The LLM provider as shown (the key only as "is there one").
#[derive(Debug, Clone)]
pub struct LlmSettings {
    pub provider: LlmProvider,
    pub base_url: String,
    pub model: String,
    pub has_api_key: bool,
    pub timeout_ms: i32,
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct LlmSettingsInput {
    pub provider: LlmProvider,
    pub base_url: String,
    pub model: String,
    /// `None` keeps the stored key; `Some("")` removes it.
    pub api_key: Option<String>,
    pub timeout_ms: i32,
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
}

impl From<cta::Model> for Cta {
    fn from(m: cta::Model) -> Self {
        Cta {
            id: m.id,
            kind: m.kind,
            name: m.name,
            link: m.link,
            phone: m.phone,
            enabled: m.enabled,
            position: m.position,
        }
    }
}

impl From<knowledge_doc::Model> for KnowledgeItem {
    fn from(m: knowledge_doc::Model) -> Self {
        KnowledgeItem {
            id: m.id,
            kind: m.kind,
            title: m.title,
            content: m.content,
            source_url: m.source_url,
            last_verified_at: m.last_verified_at,
            stale: m.stale,
            created_at: m.created_at,
        }
    }
}

impl From<llm_setting::Model> for LlmSettings {
    fn from(m: llm_setting::Model) -> Self {
        LlmSettings {
            provider: m.provider,
            base_url: m.base_url,
            model: m.model,
            has_api_key: m.api_key.is_some(),
            timeout_ms: m.timeout_ms,
            input_usd_per_mtok: m.input_usd_per_mtok,
            output_usd_per_mtok: m.output_usd_per_mtok,
            updated_at: m.updated_at,
        }
    }
}

fn documents_of(m: &agent_profile::Model) -> BTreeMap<String, Value> {
    [
        ("business_config", &m.business_config),
        ("sales_rules", &m.sales_rules),
        ("tone_profile", &m.tone_profile),
        ("guardrails", &m.guardrails),
        ("script_library", &m.script_library),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone().unwrap_or_else(|| json!({}))))
    .collect()
}

fn version_of(
    m: agent_profile::Model,
    created_by: Option<(Uuid, String)>,
) -> Result<ProfileVersion> {
    Ok(ProfileVersion {
        version: m.version,
        documents: documents_of(&m),
        changed: crate::stored::or_default("profile version's changes", m.changed)?,
        mode: m.mode,
        rolled_back_from: m.rolled_back_from,
        created_by,
        created_at: m.created_at,
    })
}

/// Entries inserted per statement: a few hundred go in a handful of statements, each well
/// under PostgreSQL's 65 535 parameters.
const INSERT_BATCH: usize = 200;

/// Stores knowledge entries, verified now, inside the caller's transaction.
pub(crate) async fn insert_knowledge(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    entries: Vec<NewKnowledge>,
) -> Result<Vec<knowledge_doc::Model>> {
    let at = now();
    let models: Vec<knowledge_doc::Model> = entries
        .into_iter()
        .map(|e| knowledge_doc::Model {
            id: new_id(),
            org_id,
            kind: e.kind,
            title: e.title,
            content: e.content,
            source_url: e.source_url,
            last_verified_at: Some(at),
            stale: false,
            created_at: at,
        })
        .collect();
    for batch in models.chunks(INSERT_BATCH) {
        knowledge_doc::Entity::insert_many(
            batch.iter().cloned().map(knowledge_doc::ActiveModel::from),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(models)
}

impl OrgScope<'_> {
    async fn versions_of(&self, rows: Vec<agent_profile::Model>) -> Result<Vec<ProfileVersion>> {
        let names = self
            .user_names(rows.iter().filter_map(|r| r.created_by))
            .await?;
        rows.into_iter()
            .map(|m| {
                let created_by = m.created_by.map(|id| {
                    let name = names.get(&id).cloned().unwrap_or_default();
                    (id, name)
                });
                version_of(m, created_by)
            })
            .collect()
    }

    /// The current profile, or `None` before the first save.
    pub async fn agent_profile(&self) -> Result<Option<ProfileVersion>> {
        let row = agent_profile::Entity::find()
            .filter(agent_profile::Column::OrgId.eq(self.org_id))
            .order_by_desc(agent_profile::Column::Version)
            .one(&self.store.db)
            .await?;
        Ok(self.versions_of(row.into_iter().collect()).await?.pop())
    }

    pub async fn agent_profile_version(&self, version: i32) -> Result<ProfileVersion> {
        let row = agent_profile::Entity::find()
            .filter(agent_profile::Column::OrgId.eq(self.org_id))
            .filter(agent_profile::Column::Version.eq(version))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(self.versions_of(vec![row]).await?.remove(0))
    }

    /// Every version, newest first (an organisation keeps a few hundred at most).
    pub async fn agent_profile_versions(&self) -> Result<Vec<ProfileVersion>> {
        let rows = agent_profile::Entity::find()
            .filter(agent_profile::Column::OrgId.eq(self.org_id))
            .order_by_desc(agent_profile::Column::Version)
            .limit(500)
            .all(&self.store.db)
            .await?;
        self.versions_of(rows).await
    }

    /// Saves the documents as the next version. Two saves at once: the unique (org, version)
    /// index lets one win and the other answers 409 instead of silently forking history.
    pub async fn save_agent_profile(
        &self,
        actor: Option<&Actor>,
        mode: EngineMode,
        documents: &BTreeMap<String, Value>,
        changed: Vec<String>,
        rolled_back_from: Option<i32>,
    ) -> Result<ProfileVersion> {
        let txn = self.store.begin_write().await?;
        let latest = agent_profile::Entity::find()
            .filter(agent_profile::Column::OrgId.eq(self.org_id))
            .order_by_desc(agent_profile::Column::Version)
            .one(&*txn)
            .await?
            .map_or(0, |m| m.version);
        let version = latest + 1;
        let doc = |k: &str| documents.get(k).cloned();
        let model = agent_profile::Model {
            id: new_id(),
            org_id: self.org_id,
            version,
            mode,
            business_config: doc("business_config"),
            sales_rules: doc("sales_rules"),
            tone_profile: doc("tone_profile"),
            guardrails: doc("guardrails"),
            script_library: doc("script_library"),
            changed: Some(json!(changed)),
            rolled_back_from,
            created_by: actor.map(|a| a.user_id),
            created_at: now(),
        };
        agent_profile::Entity::insert(agent_profile::ActiveModel::from(model.clone()))
            .exec_without_returning(&*txn)
            .await
            .map_err(|e| match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(
                    "the agent profile changed meanwhile; reload and try again",
                ),
                _ => e.into(),
            })?;
        if let Some(actor) = actor {
            let action = if rolled_back_from.is_some() {
                "agent.profile.rollback"
            } else {
                "agent.profile.update"
            };
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                action,
                format!("agent_profile:{version}"),
                json!({ "version": version, "changed": changed, "rolled_back_from": rolled_back_from }),
            )
            .await?;
        }
        txn.commit().await?;
        version_of(model, actor.map(|a| (a.user_id, a.name.clone())))
    }

    pub async fn ctas(&self) -> Result<Vec<Cta>> {
        Ok(cta::Entity::find()
            .filter(cta::Column::OrgId.eq(self.org_id))
            .order_by_asc(cta::Column::Position)
            .order_by_asc(cta::Column::Id)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(Cta::from)
            .collect())
    }

    fn cta_conflict(e: sea_orm::DbErr) -> StoreError {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::CtaExists,
            _ => e.into(),
        }
    }

    pub async fn create_cta(&self, actor: &Actor, input: CtaInput) -> Result<Cta> {
        let at = now();
        let model = cta::Model {
            id: new_id(),
            org_id: self.org_id,
            kind: input.kind,
            name: input.name,
            link: input.link,
            phone: input.phone,
            enabled: input.enabled,
            position: input.position,
            created_at: at,
            updated_at: at,
        };
        let txn = self.store.begin_write().await?;
        cta::Entity::insert(cta::ActiveModel::from(model.clone()))
            .exec_without_returning(&*txn)
            .await
            .map_err(Self::cta_conflict)?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "cta.create",
            format!("cta:{}", model.id),
            json!({ "type": model.kind }),
        )
        .await?;
        txn.commit().await?;
        Ok(model.into())
    }

    pub async fn update_cta(&self, actor: &Actor, id: Uuid, input: CtaInput) -> Result<Cta> {
        let txn = self.store.begin_write().await?;
        let found = cta::Entity::find()
            .filter(cta::Column::OrgId.eq(self.org_id))
            .filter(cta::Column::Id.eq(id))
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut row: cta::ActiveModel = found.into();
        row.kind = Set(input.kind);
        row.name = Set(input.name);
        row.link = Set(input.link);
        row.phone = Set(input.phone);
        row.enabled = Set(input.enabled);
        row.position = Set(input.position);
        row.updated_at = Set(now());
        let saved = row.update(&*txn).await.map_err(Self::cta_conflict)?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "cta.update",
            format!("cta:{id}"),
            json!({ "type": saved.kind, "enabled": saved.enabled }),
        )
        .await?;
        txn.commit().await?;
        Ok(saved.into())
    }

    pub async fn delete_cta(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.delete_audited::<cta::Entity>(cta::Column::OrgId, cta::Column::Id, actor, "cta", id)
            .await
    }

    pub async fn knowledge(&self, page: PageRequest) -> Result<Page<KnowledgeItem>> {
        let query =
            knowledge_doc::Entity::find().filter(knowledge_doc::Column::OrgId.eq(self.org_id));
        Ok(page::fetch(
            &self.store.db,
            query,
            knowledge_doc::Column::Id,
            Order::NewestFirst,
            page,
            KnowledgeItem::from,
            |k| k.id,
        )
        .await?)
    }

    /// Everything the agent may retrieve from, newest first, capped so one think stays fast.
    pub async fn knowledge_for_agent(&self, cap: u64) -> Result<Vec<KnowledgeItem>> {
        Ok(knowledge_doc::Entity::find()
            .filter(knowledge_doc::Column::OrgId.eq(self.org_id))
            .order_by_desc(knowledge_doc::Column::Id)
            .limit(cap)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(KnowledgeItem::from)
            .collect())
    }

    pub async fn add_knowledge(
        &self,
        actor: &Actor,
        entries: Vec<NewKnowledge>,
    ) -> Result<Vec<KnowledgeItem>> {
        let txn = self.store.begin_write().await?;
        let models = insert_knowledge(&*txn, self.org_id, entries).await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "knowledge.add",
            "knowledge".into(),
            json!({ "entries": models.len() }),
        )
        .await?;
        txn.commit().await?;
        Ok(models.into_iter().map(KnowledgeItem::from).collect())
    }

    /// Replaces the entries filed from the setup wizard's answers with `entries` (all of kind
    /// `setup`), in one transaction, so filing the answers again never duplicates a fact.
    pub async fn replace_setup_knowledge(
        &self,
        actor: &Actor,
        entries: Vec<NewKnowledge>,
    ) -> Result<Vec<KnowledgeItem>> {
        let txn = self.store.begin_write().await?;
        let gone = knowledge_doc::Entity::delete_many()
            .filter(knowledge_doc::Column::OrgId.eq(self.org_id))
            .filter(knowledge_doc::Column::Kind.eq(KnowledgeKind::Setup))
            .exec(&*txn)
            .await?;
        let entries = entries
            .into_iter()
            .map(|e| NewKnowledge {
                kind: KnowledgeKind::Setup,
                ..e
            })
            .collect();
        let models = insert_knowledge(&*txn, self.org_id, entries).await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "knowledge.setup",
            "knowledge".into(),
            json!({ "entries": models.len(), "replaced": gone.rows_affected }),
        )
        .await?;
        txn.commit().await?;
        Ok(models.into_iter().map(KnowledgeItem::from).collect())
    }

    pub async fn delete_knowledge(&self, actor: &Actor, id: Uuid) -> Result<()> {
        self.delete_audited::<knowledge_doc::Entity>(
            knowledge_doc::Column::OrgId,
            knowledge_doc::Column::Id,
            actor,
            "knowledge",
            id,
        )
        .await
    }

    /// Deletes one row of this organisation, audited as `{what}.delete` of `{what}:{id}`;
    /// `NotFound` when there is no such row.
    async fn delete_audited<E: EntityTrait>(
        &self,
        org_col: E::Column,
        id_col: E::Column,
        actor: &Actor,
        what: &str,
        id: Uuid,
    ) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let gone = E::delete_many()
            .filter(org_col.eq(self.org_id))
            .filter(id_col.eq(id))
            .exec(&*txn)
            .await?;
        if gone.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            &format!("{what}.delete"),
            format!("{what}:{id}"),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn llm_settings(&self) -> Result<Option<LlmSettings>> {
        Ok(llm_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .map(LlmSettings::from))
    }

    /// The settings with the opened key, for the worker's calls only.
    pub async fn llm_settings_with_key(&self) -> Result<Option<(LlmSettings, Option<String>)>> {
        let Some(m) = llm_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
        else {
            return Ok(None);
        };
        let key = match &m.api_key {
            Some(sealed) => Some(self.store.secret_box()?.open(sealed).map_err(|_| {
                StoreError::Conflict("the stored LLM key cannot be opened with this secret key")
            })?),
            None => None,
        };
        Ok(Some((m.into(), key)))
    }

    pub async fn save_llm_settings(
        &self,
        actor: &Actor,
        input: LlmSettingsInput,
    ) -> Result<LlmSettings> {
        let txn = self.store.begin_write().await?;
        let existing = llm_setting::Entity::find_by_id(self.org_id)
            .one(&*txn)
            .await?;
        let api_key = match input.api_key.as_deref() {
            None => existing.as_ref().and_then(|m| m.api_key.clone()),
            Some("") => None,
            Some(key) => Some(self.store.secret_box()?.seal(key)),
        };
        let row = llm_setting::ActiveModel {
            org_id: Set(self.org_id),
            provider: Set(input.provider),
            base_url: Set(input.base_url.clone()),
            model: Set(input.model.clone()),
            api_key: Set(api_key),
            timeout_ms: Set(input.timeout_ms),
            input_usd_per_mtok: Set(input.input_usd_per_mtok),
            output_usd_per_mtok: Set(input.output_usd_per_mtok),
            updated_at: Set(now()),
        };
        let saved = if existing.is_some() {
            row.update(&*txn).await?
        } else {
            row.insert(&*txn).await?
        };
        audit::record(&*txn, self.org_id, Some(actor), "llm.settings.update", "llm_settings".into(),
            json!({ "provider": input.provider, "model": input.model, "base_url": input.base_url, "key_changed": input.api_key.is_some() })).await?;
        txn.commit().await?;
        Ok(saved.into())
    }
}
