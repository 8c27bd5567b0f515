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
//!   digits), synced by triggers on `lead_search`. Its integer key is the FTS rowid, stable
//!   across VACUUM (the contacts' implicit rowid is not).
//! - PostgreSQL: a generated `tsvector` of the words (the `simple` configuration; ASCII
//!   punctuation splits words, as unicode61 does) under a GIN index, prefix-matched with
//!   `ami:*`; phones by a `pg_trgm` GIN index on `contacts.phone` when the extension can be
//!   created — where it cannot (a role without the right), the phone search still works,
//!   unindexed.
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
             INSERT INTO lead_search(contact_id, org_id, words, phone) \
             SELECT c.id, c.org_id, {}, {} FROM contacts c WHERE c.id = new.id; END",
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
        format!(
            "INSERT INTO lead_search(contact_id, org_id, words, phone) \
             SELECT c.id, c.org_id, {}, {} FROM contacts c",
            words("c"),
            digits("c")
        ),
    ];
    sql.extend(SORT_INDEXES.map(str::to_owned));
    sql
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
