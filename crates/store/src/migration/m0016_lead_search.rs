//! Lead reads that stay fast on a million leads (issue 11, item 8).
//!
//! **Search.** `lead_search` holds one row per lead: the words a search matches (name, profile
//! name, email, city, business and every note's body) and, on SQLite, the phone's digits. It
//! is kept by triggers on `contacts` and `lead_notes`, so every writer (the channel, a person,
//! an import, a bulk operation, an erasure) keeps it right without knowing it exists; tags are
//! not copied in (a rename would rewrite every tagged lead's row) but matched through `tags`
//! at query time (see `crate::leads`).
//! - SQLite: two FTS5 indexes over it as external content, `lead_search_words` (unicode61,
//!   words prefix-matched with `"ami"*`) and `lead_search_phones` (trigram: any run of 3+
//!   digits), synced by triggers on `lead_search`. Its key is the lead's own rowid, so a
//!   search is `contacts.rowid IN (…)`: probed while walking the list's index (every index
//!   entry holds the rowid) or looked up directly, never through a second table. A VACUUM may
//!   renumber rowids: `crate::lead_search::check_lead_search` notices and rebuilds on start.
//! - PostgreSQL: a generated `tsvector` of the words (the `simple` configuration; ASCII
//!   punctuation splits words, as unicode61 does) under a GIN index, prefix-matched with
//!   `ami:*`; phones by a `pg_trgm` GIN index on `contacts.phone` when the extension can be
//!   created — where it cannot (a role without the right), the phone search still works,
//!   unindexed.
//!
//! **Totals.** `lead_totals` holds signed changes — a lead added (+1 and its value), gone, moved
//! between stages, its value changed — written by triggers on `contacts` and `pipeline_cards`:
//! an organisation's lead count (`stage_id` NULL) and each stage's count and value sum are the
//! sums of its rows, which the unfiltered list count and board read instead of counting a
//! million leads. Rows are only ever appended (no row is a hot spot two writers wait on or
//! deadlock over); reads fold them up now and then (`crate::lead_totals`).
//!
//! **Positions.** A card's position in its column (every lead in a list shows it) is the
//! number of cards above it. Counting them is as slow as the column is long, so
//! `pipeline_rank_counts` keeps how many cards each stage holds per bucket of ranks
//! (`rank >> 30`: about a thousand cards put on top one after another), appended by triggers
//! like the totals: a position is the sum of the buckets above the card's plus a count inside
//! its bucket.
//!
//! **Sorts.** Indexes for the list's other orders (name, score, value), each keyset-paged by id
//! like the default `-last_seen_at` (m0012). The name and value indexes are on the very
//! expressions the list orders by (`crate::leads::sort_expr`).

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_lead_search"
    }
}

/// The words of lead `c` (an alias of `contacts`) a search matches, as SQL over that row.
pub(crate) fn words_sql(backend: DbBackend, c: &str) -> String {
    let fields = ["name", "profile_name", "email", "city", "business"]
        .map(|f| format!("COALESCE({c}.{f}, '')"))
        .join(" || ' ' || ");
    let agg = match backend {
        DbBackend::Postgres => "string_agg(n.body, ' ')",
        _ => "group_concat(n.body, ' ')",
    };
    format!(
        "{fields} || ' ' || COALESCE((SELECT {agg} FROM lead_notes n \
         WHERE n.org_id = {c}.org_id AND n.contact_id = {c}.id), '')"
    )
}

const SORT_INDEXES: [&str; 3] = [
    "CREATE INDEX contacts_name_sort ON contacts \
     (org_id, COALESCE(LOWER(name), LOWER(profile_name), ''), id)",
    "CREATE INDEX contacts_value_sort ON contacts (org_id, COALESCE(value_minor, -1), id)",
    "CREATE INDEX contacts_score_sort ON contacts (org_id, score, id)",
];

/// A card's rank bucket is `rank >> RANK_BUCKET_SHIFT` (an arithmetic shift on both databases:
/// the floor of rank / 2^30, so buckets are ordered like ranks).
pub(crate) const RANK_BUCKET_SHIFT: u32 = 30;

fn rank_count(org: &str, stage: &str, rank: &str, cards: &str) -> String {
    format!(
        "INSERT INTO pipeline_rank_counts(org_id, stage_id, bucket, cards) \
         VALUES ({org}, {stage}, {rank} >> {RANK_BUCKET_SHIFT}, {cards});"
    )
}

const RANK_COUNTS_BACKFILL: &str = "INSERT INTO pipeline_rank_counts(org_id, stage_id, bucket, cards) \
     SELECT org_id, stage_id, rank >> 30, COUNT(*) FROM pipeline_cards \
     GROUP BY org_id, stage_id, rank >> 30";

fn sqlite_rank_counts() -> Vec<String> {
    vec![
        "CREATE TABLE pipeline_rank_counts (id INTEGER PRIMARY KEY, org_id uuid_text NOT NULL, \
         stage_id uuid_text NOT NULL, bucket integer NOT NULL, cards integer NOT NULL)"
            .to_owned(),
        // Covering: a position's sum reads the index alone.
        "CREATE INDEX pipeline_rank_counts_stage ON pipeline_rank_counts \
         (org_id, stage_id, bucket, cards)"
            .to_owned(),
        format!(
            "CREATE TRIGGER cards_ranks_ai AFTER INSERT ON pipeline_cards BEGIN {} END",
            rank_count("new.org_id", "new.stage_id", "new.rank", "1")
        ),
        format!(
            "CREATE TRIGGER cards_ranks_ad AFTER DELETE ON pipeline_cards BEGIN {} END",
            rank_count("old.org_id", "old.stage_id", "old.rank", "-1")
        ),
        format!(
            "CREATE TRIGGER cards_ranks_au AFTER UPDATE OF stage_id, rank ON pipeline_cards \
             WHEN old.stage_id IS NOT new.stage_id \
             OR (old.rank >> {RANK_BUCKET_SHIFT}) <> (new.rank >> {RANK_BUCKET_SHIFT}) BEGIN {} {} END",
            rank_count("old.org_id", "old.stage_id", "old.rank", "-1"),
            rank_count("new.org_id", "new.stage_id", "new.rank", "1")
        ),
        RANK_COUNTS_BACKFILL.to_owned(),
    ]
}

fn postgres_rank_counts() -> Vec<String> {
    vec![
        "CREATE TABLE pipeline_rank_counts (id bigserial PRIMARY KEY, org_id uuid NOT NULL, \
         stage_id uuid NOT NULL, bucket bigint NOT NULL, cards integer NOT NULL)"
            .to_owned(),
        "CREATE INDEX pipeline_rank_counts_stage ON pipeline_rank_counts \
         (org_id, stage_id, bucket, cards)"
            .to_owned(),
        format!(
            "CREATE FUNCTION cards_ranks_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP <> 'INSERT' THEN {} END IF; \
               IF TG_OP <> 'DELETE' THEN {} END IF; \
               RETURN NULL; \
             END $$",
            rank_count("OLD.org_id", "OLD.stage_id", "OLD.rank", "-1"),
            rank_count("NEW.org_id", "NEW.stage_id", "NEW.rank", "1"),
        ),
        "CREATE TRIGGER cards_ranks_aid AFTER INSERT OR DELETE ON pipeline_cards \
         FOR EACH ROW EXECUTE FUNCTION cards_ranks_sync()"
            .to_owned(),
        format!(
            "CREATE TRIGGER cards_ranks_au AFTER UPDATE OF stage_id, rank ON pipeline_cards \
             FOR EACH ROW WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id \
             OR (OLD.rank >> {RANK_BUCKET_SHIFT}) <> (NEW.rank >> {RANK_BUCKET_SHIFT})) \
             EXECUTE FUNCTION cards_ranks_sync()"
        ),
        RANK_COUNTS_BACKFILL.to_owned(),
    ]
}

/// The totals as they stand, for the backfill.
const TOTALS_BACKFILL: [&str; 2] = [
    "INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) \
     SELECT org_id, NULL, COUNT(*), COALESCE(SUM(value_minor), 0) FROM contacts GROUP BY org_id",
    "INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) \
     SELECT pc.org_id, pc.stage_id, COUNT(*), COALESCE(SUM(c.value_minor), 0) \
     FROM pipeline_cards pc LEFT JOIN contacts c ON c.id = pc.contact_id \
     GROUP BY pc.org_id, pc.stage_id",
];

/// `INSERT` of one totals row (SQL values over the trigger's row).
fn total(org: &str, stage: &str, leads: &str, value: &str) -> String {
    format!(
        "INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) \
         VALUES ({org}, {stage}, {leads}, {value});"
    )
}

/// The same for the card of lead `lead`, if it has one.
fn card_total(lead: &str, leads: &str, value: &str) -> String {
    format!(
        "INSERT INTO lead_totals(org_id, stage_id, leads, value_minor) \
         SELECT pc.org_id, pc.stage_id, {leads}, {value} FROM pipeline_cards pc \
         WHERE pc.contact_id = {lead};"
    )
}

fn sqlite_totals() -> Vec<String> {
    let value_of = |lead: &str| {
        format!("COALESCE((SELECT c.value_minor FROM contacts c WHERE c.id = {lead}), 0)")
    };
    let delta = "COALESCE(new.value_minor, 0) - COALESCE(old.value_minor, 0)";
    vec![
        "CREATE TABLE lead_totals (id INTEGER PRIMARY KEY, org_id uuid_text NOT NULL, \
         stage_id uuid_text NULL, leads integer NOT NULL, value_minor integer NOT NULL)"
            .to_owned(),
        "CREATE INDEX lead_totals_org ON lead_totals (org_id)".to_owned(),
        format!(
            "CREATE TRIGGER contacts_totals_ai AFTER INSERT ON contacts BEGIN {} END",
            total("new.org_id", "NULL", "1", "COALESCE(new.value_minor, 0)")
        ),
        // The card's value leaves with the lead (its delete then finds no value to take).
        format!(
            "CREATE TRIGGER contacts_totals_ad AFTER DELETE ON contacts BEGIN {} {} END",
            total("old.org_id", "NULL", "-1", "-COALESCE(old.value_minor, 0)"),
            card_total("old.id", "0", "-COALESCE(old.value_minor, 0)")
        ),
        format!(
            "CREATE TRIGGER contacts_totals_au AFTER UPDATE OF value_minor ON contacts \
             WHEN old.value_minor IS NOT new.value_minor BEGIN {} {} END",
            total("new.org_id", "NULL", "0", delta),
            card_total("new.id", "0", delta)
        ),
        format!(
            "CREATE TRIGGER cards_totals_ai AFTER INSERT ON pipeline_cards BEGIN {} END",
            total(
                "new.org_id",
                "new.stage_id",
                "1",
                &value_of("new.contact_id")
            )
        ),
        format!(
            "CREATE TRIGGER cards_totals_ad AFTER DELETE ON pipeline_cards BEGIN {} END",
            total(
                "old.org_id",
                "old.stage_id",
                "-1",
                &format!("-{}", value_of("old.contact_id"))
            )
        ),
        format!(
            "CREATE TRIGGER cards_totals_au AFTER UPDATE OF stage_id ON pipeline_cards \
             WHEN old.stage_id IS NOT new.stage_id BEGIN {} {} END",
            total(
                "old.org_id",
                "old.stage_id",
                "-1",
                &format!("-{}", value_of("old.contact_id"))
            ),
            total(
                "new.org_id",
                "new.stage_id",
                "1",
                &value_of("new.contact_id")
            )
        ),
    ]
}

fn postgres_totals() -> Vec<String> {
    let value_of = |lead: &str| {
        format!("COALESCE((SELECT c.value_minor FROM contacts c WHERE c.id = {lead}), 0)")
    };
    let delta = "COALESCE(NEW.value_minor, 0) - COALESCE(OLD.value_minor, 0)";
    vec![
        "CREATE TABLE lead_totals (id bigserial PRIMARY KEY, org_id uuid NOT NULL, \
         stage_id uuid NULL, leads bigint NOT NULL, value_minor bigint NOT NULL)"
            .to_owned(),
        "CREATE INDEX lead_totals_org ON lead_totals (org_id)".to_owned(),
        format!(
            "CREATE FUNCTION contacts_totals_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'INSERT' THEN {} \
               ELSIF TG_OP = 'DELETE' THEN {} {} \
               ELSE {} {} END IF; \
               RETURN NULL; \
             END $$",
            total("NEW.org_id", "NULL", "1", "COALESCE(NEW.value_minor, 0)"),
            total("OLD.org_id", "NULL", "-1", "-COALESCE(OLD.value_minor, 0)"),
            card_total("OLD.id", "0", "-COALESCE(OLD.value_minor, 0)"),
            total("NEW.org_id", "NULL", "0", delta),
            card_total("NEW.id", "0", delta),
        ),
        "CREATE TRIGGER contacts_totals_aid AFTER INSERT OR DELETE ON contacts \
         FOR EACH ROW EXECUTE FUNCTION contacts_totals_sync()"
            .to_owned(),
        "CREATE TRIGGER contacts_totals_au AFTER UPDATE OF value_minor ON contacts FOR EACH ROW \
         WHEN (OLD.value_minor IS DISTINCT FROM NEW.value_minor) \
         EXECUTE FUNCTION contacts_totals_sync()"
            .to_owned(),
        format!(
            "CREATE FUNCTION cards_totals_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP <> 'INSERT' THEN {} END IF; \
               IF TG_OP <> 'DELETE' THEN {} END IF; \
               RETURN NULL; \
             END $$",
            total(
                "OLD.org_id",
                "OLD.stage_id",
                "-1",
                &format!("-{}", value_of("OLD.contact_id"))
            ),
            total(
                "NEW.org_id",
                "NEW.stage_id",
                "1",
                &value_of("NEW.contact_id")
            ),
        ),
        "CREATE TRIGGER cards_totals_aid AFTER INSERT OR DELETE ON pipeline_cards \
         FOR EACH ROW EXECUTE FUNCTION cards_totals_sync()"
            .to_owned(),
        "CREATE TRIGGER cards_totals_au AFTER UPDATE OF stage_id ON pipeline_cards FOR EACH ROW \
         WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id) EXECUTE FUNCTION cards_totals_sync()"
            .to_owned(),
    ]
}

fn sqlite_up() -> Vec<String> {
    let words = |c: &str| words_sql(DbBackend::Sqlite, c);
    let digits = |c: &str| format!("REPLACE(COALESCE({c}.phone, ''), '+', '')");
    let changed = ["name", "profile_name", "email", "city", "business", "phone"]
        .map(|f| format!("old.{f} IS NOT new.{f}"))
        .join(" OR ");
    let refresh = |id: &str| {
        format!(
            "UPDATE lead_search SET words = (SELECT {} FROM contacts c WHERE c.id = {id}), \
             phone = (SELECT {} FROM contacts c WHERE c.id = {id}) WHERE contact_id = {id};",
            words("c"),
            digits("c")
        )
    };
    let mut sql = vec![
        // `id` is the lead's rowid.
        "CREATE TABLE lead_search (id INTEGER PRIMARY KEY, contact_id uuid_text NOT NULL UNIQUE, \
         org_id uuid_text NOT NULL, words text NOT NULL, phone text NOT NULL)"
            .to_owned(),
        "CREATE VIRTUAL TABLE lead_search_words USING fts5(words, content='lead_search', \
         content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
            .to_owned(),
        "CREATE VIRTUAL TABLE lead_search_phones USING fts5(phone, content='lead_search', \
         content_rowid='id', tokenize='trigram')"
            .to_owned(),
        // The FTS indexes follow their content rows.
        "CREATE TRIGGER lead_search_ai AFTER INSERT ON lead_search BEGIN \
         INSERT INTO lead_search_words(rowid, words) VALUES (new.id, new.words); \
         INSERT INTO lead_search_phones(rowid, phone) VALUES (new.id, new.phone); END"
            .to_owned(),
        "CREATE TRIGGER lead_search_ad AFTER DELETE ON lead_search BEGIN \
         INSERT INTO lead_search_words(lead_search_words, rowid, words) \
         VALUES ('delete', old.id, old.words); \
         INSERT INTO lead_search_phones(lead_search_phones, rowid, phone) \
         VALUES ('delete', old.id, old.phone); END"
            .to_owned(),
        "CREATE TRIGGER lead_search_au_words AFTER UPDATE OF words ON lead_search \
         WHEN old.words IS NOT new.words BEGIN \
         INSERT INTO lead_search_words(lead_search_words, rowid, words) \
         VALUES ('delete', old.id, old.words); \
         INSERT INTO lead_search_words(rowid, words) VALUES (new.id, new.words); END"
            .to_owned(),
        "CREATE TRIGGER lead_search_au_phone AFTER UPDATE OF phone ON lead_search \
         WHEN old.phone IS NOT new.phone BEGIN \
         INSERT INTO lead_search_phones(lead_search_phones, rowid, phone) \
         VALUES ('delete', old.id, old.phone); \
         INSERT INTO lead_search_phones(rowid, phone) VALUES (new.id, new.phone); END"
            .to_owned(),
        // The content rows follow the leads and their notes.
        format!(
            "CREATE TRIGGER contacts_search_ai AFTER INSERT ON contacts BEGIN \
             INSERT INTO lead_search(id, contact_id, org_id, words, phone) \
             SELECT c.rowid, c.id, c.org_id, {}, {} FROM contacts c WHERE c.rowid = new.rowid; END",
            words("c"),
            digits("c")
        ),
        // Only a change of a searched field: every inbound message updates the lead's row.
        format!(
            "CREATE TRIGGER contacts_search_au AFTER UPDATE OF name, profile_name, email, city, \
             business, phone ON contacts WHEN {changed} BEGIN {} END",
            refresh("new.id")
        ),
        "CREATE TRIGGER contacts_search_ad AFTER DELETE ON contacts BEGIN \
         DELETE FROM lead_search WHERE contact_id = old.id; END"
            .to_owned(),
        format!(
            "CREATE TRIGGER lead_notes_search_ai AFTER INSERT ON lead_notes BEGIN {} END",
            refresh("new.contact_id")
        ),
        format!(
            "CREATE TRIGGER lead_notes_search_au AFTER UPDATE OF body, contact_id ON lead_notes \
             WHEN old.body IS NOT new.body OR old.contact_id IS NOT new.contact_id BEGIN {} {} END",
            refresh("old.contact_id"),
            refresh("new.contact_id")
        ),
        format!(
            "CREATE TRIGGER lead_notes_search_ad AFTER DELETE ON lead_notes BEGIN {} END",
            refresh("old.contact_id")
        ),
        sqlite_fill(),
    ];
    sql.extend(SORT_INDEXES.map(str::to_owned));
    sql.extend(sqlite_totals());
    sql.extend(TOTALS_BACKFILL.map(str::to_owned));
    sql.extend(sqlite_rank_counts());
    sql
}

/// Every lead's search row (SQLite), keyed by the lead's rowid.
pub(crate) fn sqlite_fill() -> String {
    format!(
        "INSERT INTO lead_search(id, contact_id, org_id, words, phone) \
         SELECT c.rowid, c.id, c.org_id, {}, REPLACE(COALESCE(c.phone, ''), '+', '') \
         FROM contacts c",
        words_sql(DbBackend::Sqlite, "c")
    )
}

/// ASCII punctuation and white space: the word breaks of the PostgreSQL index (unicode61's
/// on SQLite; `crate::leads::search_tokens` splits a query the same way).
const PG_BREAKS: &str = r"'[[:space:]!-/:-@\[-`{-~]+'";

fn postgres_up() -> Vec<String> {
    let changed = ["name", "profile_name", "email", "city", "business"]
        .map(|f| format!("OLD.{f} IS DISTINCT FROM NEW.{f}"))
        .join(" OR ");
    let mut sql = vec![
        format!(
            "CREATE TABLE lead_search (contact_id uuid PRIMARY KEY, org_id uuid NOT NULL, \
             words text NOT NULL, words_tsv tsvector GENERATED ALWAYS AS \
             (to_tsvector('simple'::regconfig, regexp_replace(words, {PG_BREAKS}, ' ', 'g'))) \
             STORED)"
        ),
        "CREATE INDEX lead_search_words ON lead_search USING gin (words_tsv)".to_owned(),
        format!(
            "CREATE FUNCTION lead_search_refresh(lead uuid) RETURNS void LANGUAGE sql AS $$ \
             INSERT INTO lead_search(contact_id, org_id, words) \
             SELECT c.id, c.org_id, {} FROM contacts c WHERE c.id = lead \
             ON CONFLICT (contact_id) DO UPDATE SET words = excluded.words \
             WHERE lead_search.words IS DISTINCT FROM excluded.words $$",
            words_sql(DbBackend::Postgres, "c")
        ),
        "CREATE FUNCTION contacts_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF TG_OP = 'DELETE' THEN DELETE FROM lead_search WHERE contact_id = OLD.id; \
           ELSE PERFORM lead_search_refresh(NEW.id); END IF; \
           RETURN NULL; \
         END $$"
            .to_owned(),
        "CREATE TRIGGER contacts_search_ai AFTER INSERT ON contacts \
         FOR EACH ROW EXECUTE FUNCTION contacts_search_sync()"
            .to_owned(),
        // Only a change of a searched field: every inbound message updates the lead's row.
        format!(
            "CREATE TRIGGER contacts_search_au AFTER UPDATE OF name, profile_name, email, city, \
             business ON contacts FOR EACH ROW WHEN ({changed}) \
             EXECUTE FUNCTION contacts_search_sync()"
        ),
        "CREATE TRIGGER contacts_search_ad AFTER DELETE ON contacts \
         FOR EACH ROW EXECUTE FUNCTION contacts_search_sync()"
            .to_owned(),
        "CREATE FUNCTION lead_notes_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF TG_OP <> 'INSERT' THEN PERFORM lead_search_refresh(OLD.contact_id); END IF; \
           IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD.contact_id <> NEW.contact_id) THEN \
             PERFORM lead_search_refresh(NEW.contact_id); \
           END IF; \
           RETURN NULL; \
         END $$"
            .to_owned(),
        "CREATE TRIGGER lead_notes_search_aiud AFTER INSERT OR DELETE OR UPDATE OF body, \
         contact_id ON lead_notes FOR EACH ROW EXECUTE FUNCTION lead_notes_search_sync()"
            .to_owned(),
        format!(
            "INSERT INTO lead_search(contact_id, org_id, words) SELECT c.id, c.org_id, {} \
             FROM contacts c",
            words_sql(DbBackend::Postgres, "c")
        ),
        // Phones by any run of digits. pg_trgm is a trusted extension (PostgreSQL 13+), but a
        // role may still lack CREATE on the database, and the extension may live in another
        // schema: either way the migration goes on without the index.
        "DO $$ DECLARE s text; BEGIN \
           BEGIN \
             CREATE EXTENSION IF NOT EXISTS pg_trgm; \
             SELECT n.nspname INTO s FROM pg_extension e \
               JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; \
             EXECUTE format('CREATE INDEX contacts_phone_trgm ON contacts \
               USING gin (phone %I.gin_trgm_ops)', s); \
           EXCEPTION WHEN OTHERS THEN \
             RAISE WARNING 'phone search stays unindexed: pg_trgm unavailable (%)', SQLERRM; \
           END; \
         END $$"
            .to_owned(),
    ];
    sql.extend(SORT_INDEXES.map(str::to_owned));
    sql.extend(postgres_totals());
    sql.extend(TOTALS_BACKFILL.map(str::to_owned));
    sql.extend(postgres_rank_counts());
    sql
}

const DOWN: [&str; 4] = [
    "DROP INDEX IF EXISTS contacts_name_sort",
    "DROP INDEX IF EXISTS contacts_value_sort",
    "DROP INDEX IF EXISTS contacts_score_sort",
    "DROP INDEX IF EXISTS contacts_phone_trgm",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let sql = match db.get_database_backend() {
            DbBackend::Postgres => postgres_up(),
            _ => sqlite_up(),
        };
        for statement in sql {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let drop: &[&str] = match db.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER IF EXISTS cards_ranks_aid ON pipeline_cards",
                "DROP TRIGGER IF EXISTS cards_ranks_au ON pipeline_cards",
                "DROP FUNCTION IF EXISTS cards_ranks_sync()",
                "DROP TABLE IF EXISTS pipeline_rank_counts",
                "DROP TRIGGER IF EXISTS contacts_totals_aid ON contacts",
                "DROP TRIGGER IF EXISTS contacts_totals_au ON contacts",
                "DROP TRIGGER IF EXISTS cards_totals_aid ON pipeline_cards",
                "DROP TRIGGER IF EXISTS cards_totals_au ON pipeline_cards",
                "DROP FUNCTION IF EXISTS contacts_totals_sync()",
                "DROP FUNCTION IF EXISTS cards_totals_sync()",
                "DROP TABLE IF EXISTS lead_totals",
                "DROP TRIGGER IF EXISTS lead_notes_search_aiud ON lead_notes",
                "DROP TRIGGER IF EXISTS contacts_search_ai ON contacts",
                "DROP TRIGGER IF EXISTS contacts_search_au ON contacts",
                "DROP TRIGGER IF EXISTS contacts_search_ad ON contacts",
                "DROP FUNCTION IF EXISTS lead_notes_search_sync()",
                "DROP FUNCTION IF EXISTS contacts_search_sync()",
                "DROP FUNCTION IF EXISTS lead_search_refresh(uuid)",
                "DROP TABLE IF EXISTS lead_search",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS cards_ranks_ai",
                "DROP TRIGGER IF EXISTS cards_ranks_ad",
                "DROP TRIGGER IF EXISTS cards_ranks_au",
                "DROP TABLE IF EXISTS pipeline_rank_counts",
                "DROP TRIGGER IF EXISTS contacts_totals_ai",
                "DROP TRIGGER IF EXISTS contacts_totals_ad",
                "DROP TRIGGER IF EXISTS contacts_totals_au",
                "DROP TRIGGER IF EXISTS cards_totals_ai",
                "DROP TRIGGER IF EXISTS cards_totals_ad",
                "DROP TRIGGER IF EXISTS cards_totals_au",
                "DROP TABLE IF EXISTS lead_totals",
                "DROP TRIGGER IF EXISTS lead_notes_search_ai",
                "DROP TRIGGER IF EXISTS lead_notes_search_au",
                "DROP TRIGGER IF EXISTS lead_notes_search_ad",
                "DROP TRIGGER IF EXISTS contacts_search_ai",
                "DROP TRIGGER IF EXISTS contacts_search_au",
                "DROP TRIGGER IF EXISTS contacts_search_ad",
                "DROP TABLE IF EXISTS lead_search_words",
                "DROP TABLE IF EXISTS lead_search_phones",
                "DROP TABLE IF EXISTS lead_search",
            ],
        };
        for statement in drop.iter().chain(DOWN.iter()) {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
