//! Counts kept as signed rows that m0016's triggers append (no row two writers wait on):
//! `lead_totals` — an organisation's lead count and each stage's count and value sum, what the
//! unfiltered list's `count=true` and the unfiltered board show without counting a million
//! leads — and `pipeline_rank_counts` — each stage's cards per rank bucket, from which a card's
//! position is a short sum (`crate::pipeline::placements`).
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

impl LeadFilter {
    /// Whether the filter is a list of tags and nothing else (the taggings then answer counts).
    pub(crate) fn is_only_tags(&self) -> bool {
        !self.tags.is_empty()
            && LeadFilter {
                tags: vec![],
                ..self.clone()
            }
            .is_everything()
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
        self.fold(&LEAD_TOTALS, org_id).await
    }

    /// Replaces the organisation's rank count rows by one per stage and bucket.
    pub async fn fold_rank_counts(&self, org_id: Uuid) -> Result<()> {
        self.fold(&RANK_COUNTS, org_id).await
    }

    /// Replaces the organisation's rank count rows by one per stage and bucket, when more than
    /// a few thousand rows were appended (by anyone) since this process last folded them.
    pub(crate) async fn fold_rank_counts_now_and_then(&self, org_id: Uuid) -> Result<()> {
        let Some(last) = self.last_rank_count_id().await? else {
            return Ok(());
        };
        let due = {
            let marks = self.fold_marks.lock().expect("fold marks");
            last - marks.get(&org_id).copied().unwrap_or(0) > 2_000
        };
        if due {
            self.fold(&RANK_COUNTS, org_id).await?;
            // The mark is taken after the fold: the folded rows are appended too, and a board
            // of a million cards folds into thousands of them — marked before, every read
            // found the fold due again (a 550 ms write on each leads page at 1M leads).
            let after = self.last_rank_count_id().await?.unwrap_or(last);
            self.fold_marks
                .lock()
                .expect("fold marks")
                .insert(org_id, after);
        }
        Ok(())
    }

    async fn last_rank_count_id(&self) -> Result<Option<i64>> {
        Ok(self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT MAX(id) FROM pipeline_rank_counts",
            ))
            .await?
            .and_then(|r| r.try_get_by_index(0).ok()))
    }

    async fn fold(&self, t: &Tally, org_id: Uuid) -> Result<()> {
        let keys = t.keys.join(", ");
        let values = t.values.join(", ");
        let sums = t
            .values
            .iter()
            .map(|v| format!("SUM({v})"))
            .collect::<Vec<_>>()
            .join(", ");
        let nonzero = t
            .values
            .iter()
            .map(|v| format!("SUM({v}) <> 0"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let table = t.table;
        let folded = |from: &str| {
            format!(
                "INSERT INTO {table}(org_id, {keys}, {values}) \
                 SELECT org_id, {keys}, {sums} FROM {from} \
                 GROUP BY org_id, {keys} HAVING {nonzero}"
            )
        };
        let txn = self.begin_write().await?;
        match self.backend() {
            // The rows deleted are the rows summed, whatever commits meanwhile.
            Backend::Postgres => {
                let sql = format!(
                    "WITH gone AS (DELETE FROM {table} WHERE org_id = ? \
                     RETURNING org_id, {keys}, {values}) {}",
                    folded("gone")
                );
                txn.execute_raw(statement(self, &sql, org_id)).await?;
            }
            // One writer at a time: nothing else writes between the statements.
            Backend::Sqlite => {
                let max: Option<i64> = txn
                    .query_one_raw(statement(
                        self,
                        &format!("SELECT MAX(id) FROM {table} WHERE org_id = ?"),
                        org_id,
                    ))
                    .await?
                    .and_then(|r| r.try_get_by_index(0).ok());
                let Some(max) = max else {
                    return Ok(());
                };
                let from = format!("{table} WHERE org_id = ?1 AND id <= ?2");
                for sql in [folded(&from), format!("DELETE FROM {from}")] {
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

/// A table of signed rows: what identifies a count, and the counts.
struct Tally {
    table: &'static str,
    keys: &'static [&'static str],
    values: &'static [&'static str],
}

const LEAD_TOTALS: Tally = Tally {
    table: "lead_totals",
    keys: &["stage_id"],
    values: &["leads", "value_minor"],
};

const RANK_COUNTS: Tally = Tally {
    table: "pipeline_rank_counts",
    keys: &["stage_id", "bucket"],
    values: &["cards"],
};
