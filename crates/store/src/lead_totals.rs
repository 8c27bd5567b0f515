//! An organisation's lead count and each stage's count and value sum, from the signed rows
//! m0016's triggers append to `lead_totals` — what the unfiltered list's `count=true` and the
//! unfiltered board show, without counting a million leads on every read.
//!
//! Reads fold the rows up once they pile up: one statement (PostgreSQL) or one write
//! transaction (SQLite) replaces the rows it read by their sums, so a fold never loses a row a
//! writer appends meanwhile.

use crate::error::Result;
use crate::leads::LeadFilter;
use crate::{Backend, Store};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::HashMap;
use uuid::Uuid;

/// Rows an organisation may have before a read folds them.
const FOLD_AFTER: i64 = 1_000;

/// Leads and value of one stage (or, for `None`, of every lead).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Total {
    pub leads: i64,
    pub value_minor: i64,
}

impl LeadFilter {
    /// Whether the filter lets every lead through (the totals then answer counts). Every field
    /// is named, so a new one cannot be forgotten here.
    pub(crate) fn is_everything(&self) -> bool {
        let LeadFilter {
            words,
            phone_digits,
            phone_exact,
            lead_status,
            tags,
            owner_id,
            lead_source,
            opted_out,
            created_after,
            created_before,
            last_seen_after,
            last_seen_before,
            doc,
            ids,
        } = self;
        words.is_empty()
            && tags.is_empty()
            && phone_digits.is_none()
            && phone_exact.is_none()
            && lead_status.is_none()
            && owner_id.is_none()
            && lead_source.is_none()
            && opted_out.is_none()
            && created_after.is_none()
            && created_before.is_none()
            && last_seen_after.is_none()
            && last_seen_before.is_none()
            && doc.as_ref().is_none_or(|d| d.is_empty())
            && ids.is_none()
    }
}

fn statement(store: &Store, sql: &str, org_id: Uuid) -> Statement {
    let sql = match store.backend() {
        Backend::Sqlite => sql.to_owned(),
        Backend::Postgres => sql.replace('?', "$1"),
    };
    Statement::from_sql_and_values(store.db.get_database_backend(), sql, [org_id.into()])
}

impl Store {
    /// The organisation's totals by stage (`None`: all its leads).
    pub(crate) async fn lead_totals(&self, org_id: Uuid) -> Result<HashMap<Option<Uuid>, Total>> {
        let rows = self
            .db
            .query_all_raw(statement(
                self,
                "SELECT stage_id, CAST(SUM(leads) AS BIGINT), CAST(SUM(value_minor) AS BIGINT), \
                 COUNT(*) FROM lead_totals WHERE org_id = ? GROUP BY stage_id",
                org_id,
            ))
            .await?;
        let mut out = HashMap::new();
        let mut pieces = 0;
        for r in rows {
            let stage: Option<Uuid> = r.try_get_by_index(0)?;
            let total = Total {
                leads: r.try_get_by_index(1)?,
                value_minor: r.try_get_by_index(2)?,
            };
            pieces += r.try_get_by_index::<i64>(3)?;
            out.insert(stage, total);
        }
        if pieces > FOLD_AFTER {
            self.fold_lead_totals(org_id).await?;
        }
        Ok(out)
    }

    /// Replaces the organisation's totals rows by one per stage.
    pub async fn fold_lead_totals(&self, org_id: Uuid) -> Result<()> {
        let txn = self.begin_write().await?;
        let sums = "SELECT org_id, stage_id, SUM(leads), SUM(value_minor) FROM {from} \
                    GROUP BY org_id, stage_id HAVING SUM(leads) <> 0 OR SUM(value_minor) <> 0";
        match self.backend() {
            // The rows deleted are the rows summed, whatever commits meanwhile.
            Backend::Postgres => {
                let sql = format!(
                    "WITH gone AS (DELETE FROM lead_totals WHERE org_id = ? \
                     RETURNING org_id, stage_id, leads, value_minor) \
                     INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) {}",
                    sums.replace("{from}", "gone")
                );
                txn.execute_raw(statement(self, &sql, org_id)).await?;
            }
            // One writer at a time: nothing else writes between the two statements.
            Backend::Sqlite => {
                let max: Option<i64> = txn
                    .query_one_raw(statement(
                        self,
                        "SELECT MAX(id) FROM lead_totals WHERE org_id = ?",
                        org_id,
                    ))
                    .await?
                    .and_then(|r| r.try_get_by_index(0).ok());
                let Some(max) = max else {
                    return Ok(());
                };
                let from = "lead_totals WHERE org_id = ?1 AND id <= ?2";
                for sql in [
                    format!(
                        "INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) {}",
                        sums.replace("{from}", from)
                    ),
                    format!("DELETE FROM {from}"),
                ] {
                    txn.execute_raw(Statement::from_sql_and_values(
                        sea_orm::DbBackend::Sqlite,
                        sql,
                        [org_id.into(), max.into()],
                    ))
                    .await?;
                }
            }
        }
        txn.commit().await?;
        Ok(())
    }
}
