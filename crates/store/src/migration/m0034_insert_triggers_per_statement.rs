//! On PostgreSQL, what a new lead or card adds to the search index, the running totals and the
//! rank counts is written once per statement from its transition table, not once per row.
//!
//! An ingest group or an import inserts its leads and cards in one statement each; row-level
//! triggers then ran a PL/pgSQL call and one or two small statements per row (a third of a
//! new-lead group's write on PostgreSQL). The statement-level triggers insert the same search
//! rows and the same deltas, summed per organisation, stage and bucket (the totals and
//! counts are ledgers read by their sums). Deletes and updates keep their row triggers.
//! SQLite's triggers are per row by nature and stay as they are.

use super::m0016_lead_search::{RANK_BUCKET_SHIFT, words_sql};
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0034_insert_triggers_per_statement"
    }
}

fn up_sql() -> Vec<String> {
    vec![
        format!(
            "CREATE FUNCTION contacts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               INSERT INTO lead_search(contact_id, org_id, words) \
                 SELECT c.id, c.org_id, {} FROM new_contacts c \
                 ON CONFLICT (contact_id) DO UPDATE SET words = excluded.words \
                 WHERE lead_search.words IS DISTINCT FROM excluded.words; \
               INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) \
                 SELECT c.org_id, NULL, count(*), sum(COALESCE(c.value_minor, 0)) \
                 FROM new_contacts c GROUP BY c.org_id; \
               RETURN NULL; \
             END $$",
            words_sql(DbBackend::Postgres, "c")
        ),
        "CREATE TRIGGER contacts_inserted AFTER INSERT ON contacts \
         REFERENCING NEW TABLE AS new_contacts FOR EACH STATEMENT \
         EXECUTE FUNCTION contacts_inserted()"
            .to_owned(),
        "DROP TRIGGER contacts_search_ai ON contacts".to_owned(),
        "DROP TRIGGER contacts_totals_aid ON contacts".to_owned(),
        "CREATE TRIGGER contacts_totals_ad AFTER DELETE ON contacts \
         FOR EACH ROW EXECUTE FUNCTION contacts_totals_sync()"
            .to_owned(),
        format!(
            "CREATE FUNCTION cards_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) \
                 SELECT n.org_id, n.stage_id, count(*), sum(COALESCE(c.value_minor, 0)) \
                 FROM new_cards n LEFT JOIN contacts c ON c.id = n.contact_id \
                 GROUP BY n.org_id, n.stage_id; \
               INSERT INTO pipeline_rank_counts(org_id, stage_id, bucket, cards) \
                 SELECT n.org_id, n.stage_id, n.rank >> {RANK_BUCKET_SHIFT}, count(*) \
                 FROM new_cards n GROUP BY n.org_id, n.stage_id, n.rank >> {RANK_BUCKET_SHIFT}; \
               RETURN NULL; \
             END $$"
        ),
        "CREATE TRIGGER cards_inserted AFTER INSERT ON pipeline_cards \
         REFERENCING NEW TABLE AS new_cards FOR EACH STATEMENT \
         EXECUTE FUNCTION cards_inserted()"
            .to_owned(),
        "DROP TRIGGER cards_totals_aid ON pipeline_cards".to_owned(),
        "CREATE TRIGGER cards_totals_ad AFTER DELETE ON pipeline_cards \
         FOR EACH ROW EXECUTE FUNCTION cards_totals_sync()"
            .to_owned(),
        "DROP TRIGGER cards_ranks_aid ON pipeline_cards".to_owned(),
        "CREATE TRIGGER cards_ranks_ad AFTER DELETE ON pipeline_cards \
         FOR EACH ROW EXECUTE FUNCTION cards_ranks_sync()"
            .to_owned(),
    ]
}

fn down_sql() -> Vec<String> {
    [
        "DROP TRIGGER cards_ranks_ad ON pipeline_cards",
        "CREATE TRIGGER cards_ranks_aid AFTER INSERT OR DELETE ON pipeline_cards \
         FOR EACH ROW EXECUTE FUNCTION cards_ranks_sync()",
        "DROP TRIGGER cards_totals_ad ON pipeline_cards",
        "CREATE TRIGGER cards_totals_aid AFTER INSERT OR DELETE ON pipeline_cards \
         FOR EACH ROW EXECUTE FUNCTION cards_totals_sync()",
        "DROP TRIGGER cards_inserted ON pipeline_cards",
        "DROP FUNCTION cards_inserted()",
        "DROP TRIGGER contacts_totals_ad ON contacts",
        "CREATE TRIGGER contacts_totals_aid AFTER INSERT OR DELETE ON contacts \
         FOR EACH ROW EXECUTE FUNCTION contacts_totals_sync()",
        "CREATE TRIGGER contacts_search_ai AFTER INSERT ON contacts \
         FOR EACH ROW EXECUTE FUNCTION contacts_search_sync()",
        "DROP TRIGGER contacts_inserted ON contacts",
        "DROP FUNCTION contacts_inserted()",
    ]
    .map(str::to_owned)
    .to_vec()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, up_sql()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, down_sql()).await
    }
}

async fn run(m: &SchemaManager<'_>, sql: Vec<String>) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for statement in sql {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}
