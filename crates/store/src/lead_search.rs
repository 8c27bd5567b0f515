//! The list's `q` through the search index (m0016): words prefix-match a lead's name, profile
//! name, email, city, business, notes (SQLite FTS5, PostgreSQL `tsvector`) and tags (by the
//! `tags` table, so a rename needs no reindexing); phone-like text matches any run of the
//! phone's digits (SQLite FTS5 trigram, PostgreSQL `pg_trgm`).
//!
//! Triggers keep the index: nothing that writes leads or notes has to call anything. A writer
//! that goes around them (a bulk load with triggers off, a restore) calls
//! [`reindex_lead_search`].

use crate::Backend;
use crate::error::Result;
use crate::lead_filter::SetCheck;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

/// The index's words of one query word: lowercase runs between white space and ASCII
/// punctuation (the PostgreSQL index's breaks; SQLite's unicode61 breaks there too), each
/// holding a letter or digit. "amit.k" gives `amit`, `k`.
pub(crate) fn search_tokens(word: &str) -> Vec<String> {
    word.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(str::to_lowercase)
        .collect()
}

/// `LIKE` pattern text with its wildcards escaped by `!` (a backslash would need quoting rules
/// of its own in hand-written SQL).
/// Hand-written SQL with `?` for each value. sea-query reads `?` on SQLite but `$1, $2…`
/// (numbered within the expression) on PostgreSQL, so `?` is numbered there.
pub(crate) fn sql_with_values<V: Into<sea_orm::Value>>(
    backend: Backend,
    sql: &str,
    values: impl IntoIterator<Item = V>,
) -> SimpleExpr {
    let sql = match backend {
        Backend::Sqlite => sql.to_owned(),
        Backend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            for (i, part) in sql.split('?').enumerate() {
                if i > 0 {
                    out.push_str(&format!("${i}"));
                }
                out.push_str(part);
            }
            out
        }
    };
    Expr::cust_with_values(sql, values)
}

/// `LIKE` pattern text with its wildcards escaped (`!` is the escape).
fn like_escape(s: &str) -> String {
    s.replace('!', "!!").replace('%', "!%").replace('_', "!_")
}

/// The index's query for words that must all match, each token prefix-matched: FTS5's
/// `"amit"* "sharma"*` (implicit AND), PostgreSQL's `amit:* & sharma:*`.
fn index_query(backend: Backend, tokens: &[String]) -> String {
    match backend {
        Backend::Sqlite => tokens
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
        Backend::Postgres => tokens
            .iter()
            .map(|t| format!("'{t}':*"))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

/// Leads one query word finds: every token of it prefix-matches a word of the lead's text, or
/// a word of one of its tags' names starts with it. `check` says how (see
/// [`crate::lead_filter::SetCheck`]): `Set` lets the index's matches drive the plan, as a rare
/// word wants; `PerLead` keeps them out of the driver so the list's order is walked and each
/// lead probed — SQLite probes the same matches (computed once) with `+rowid IN`, PostgreSQL
/// reads the lead's own search row.
pub(crate) fn word_condition(
    backend: Backend,
    org_id: Uuid,
    word: &str,
    check: SetCheck,
) -> SimpleExpr {
    let word = word.to_lowercase();
    let tokens = search_tokens(&word);
    // The taggings by the matching tags' ids: as a join, SQLite's planner — whose sampled
    // statistics can believe an organisation small — walked every tagging of a million-lead
    // organisation to check each one's tag (70 ms on every search).
    let tags = "SELECT lt.contact_id FROM lead_tags lt WHERE lt.org_id = ? AND lt.tag_id IN \
                (SELECT t.id FROM tags t WHERE t.org_id = ? \
                AND (t.name_folded LIKE ? ESCAPE '!' OR t.name_folded LIKE ? ESCAPE '!'))";
    let e = like_escape(&word);
    let tag_values: [sea_orm::Value; 4] = [
        org_id.into(),
        org_id.into(),
        format!("{e}%").into(),
        format!("% {e}%").into(),
    ];
    // SQLite: `+` makes the left side an expression, so no index (and no IN list) can drive
    // the plan from it. PostgreSQL has no unary `+` for uuids and needs none: a tag name
    // matching the word is rare, and its hashed subplan is probed either way.
    let walk = match (backend, check) {
        (Backend::Sqlite, SetCheck::PerLead) => "+",
        _ => "",
    };
    let tagged = format!(r#"{walk}"contacts"."id" IN ({tags})"#);
    if tokens.is_empty() {
        return sql_with_values(backend, &tagged, tag_values);
    }
    let sql = match (backend, check) {
        (Backend::Sqlite, _) => format!(
            r#"({walk}"contacts".rowid IN (SELECT rowid FROM lead_search_words
               WHERE lead_search_words MATCH ?) OR {tagged})"#
        ),
        (Backend::Postgres, SetCheck::Set) => format!(
            r#""contacts"."id" IN (SELECT s.contact_id FROM lead_search s
               WHERE s.words_tsv @@ to_tsquery('simple', ?) UNION ALL {tags})"#
        ),
        // A scalar subquery per lead: the planner cannot turn it into a join driven by the
        // GIN index, so a LIMIT walks the list's index and stops after a page.
        (Backend::Postgres, SetCheck::PerLead) => format!(
            r#"((SELECT s.words_tsv FROM lead_search s WHERE s.contact_id = "contacts"."id")
               @@ to_tsquery('simple', ?) OR {tagged})"#
        ),
    };
    let mut values: Vec<sea_orm::Value> = vec![index_query(backend, &tokens).into()];
    values.extend(tag_values);
    sql_with_values(backend, &sql, values)
}

/// How many of the organisation's leads the search index finds for all of `words` (tags'
/// names aside), counted no further than `cap`: whether a page should walk the list's order
/// rather than fetch and sort every match. None when the words hold no token.
pub(crate) fn index_matches_capped(
    backend: Backend,
    org_id: Uuid,
    words: &[String],
    cap: u64,
) -> Option<Statement> {
    let tokens: Vec<String> = words.iter().flat_map(|w| search_tokens(w)).collect();
    if tokens.is_empty() {
        return None;
    }
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM (SELECT s.id FROM lead_search_words f \
             JOIN lead_search s ON s.id = f.rowid \
             WHERE lead_search_words MATCH ? AND s.org_id = ? LIMIT ?)"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM (SELECT 1 FROM lead_search \
             WHERE words_tsv @@ to_tsquery('simple', $1) AND org_id = $2 LIMIT $3) m"
        }
    };
    let db = match backend {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    };
    Some(Statement::from_sql_and_values(
        db,
        sql,
        [
            index_query(backend, &tokens).into(),
            org_id.into(),
            (cap as i64).into(),
        ],
    ))
}

/// Leads whose phone holds `digits` anywhere (anything but digits is ignored).
pub(crate) fn phone_digits_condition(backend: Backend, digits: &str) -> SimpleExpr {
    let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
    match backend {
        // The trigram index needs three characters; the list asks for four or more.
        Backend::Sqlite if digits.len() >= 3 => sql_with_values(
            backend,
            r#""contacts".rowid IN (SELECT rowid FROM lead_search_phones
               WHERE lead_search_phones MATCH ?)"#,
            [format!("\"{digits}\"")],
        ),
        // The phone's digits, as the trigram index (m0033) holds them.
        Backend::Postgres => sql_with_values(
            backend,
            r#"replace("contacts"."phone", '+', '') LIKE ?"#,
            [format!("%{digits}%")],
        ),
        Backend::Sqlite => sql_with_values(
            backend,
            r#""contacts"."phone" LIKE ?"#,
            [format!("%{digits}%")],
        ),
    }
}

/// Rebuilds one lead's search row from the lead and its notes, in the caller's transaction
/// (the triggers of m0016 do this on every write; this is for writers that bypass them).
pub async fn reindex_lead_search(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
) -> Result<()> {
    let backend = db.get_database_backend();
    let statements = match backend {
        DbBackend::Postgres => vec![
            "SELECT lead_search_refresh(c.id) FROM contacts c WHERE c.org_id = $1 AND c.id = $2"
                .to_owned(),
            "DELETE FROM lead_search WHERE org_id = $1 AND contact_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = $2)"
                .to_owned(),
        ],
        _ => vec![
            "DELETE FROM lead_search WHERE org_id = ? AND contact_id = ?".to_owned(),
            format!(
                "{} WHERE c.org_id = ? AND c.id = ?",
                crate::migration::lead_search_sqlite_fill()
            ),
        ],
    };
    for sql in statements {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [org_id.into(), lead_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// SQLite: whether the search rows still sit at their leads' rowids (a VACUUM may renumber
/// a table's rowids), rebuilding them when not. Checks the newest thousand rows, which any
/// renumbering moves.
pub async fn check_lead_search(db: &impl ConnectionTrait) -> Result<bool> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(true);
    }
    let stale = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COUNT(*) FROM (SELECT s.id, s.contact_id FROM lead_search s \
             ORDER BY s.id DESC LIMIT 1000) s LEFT JOIN contacts c ON c.rowid = s.id \
             WHERE c.id IS NOT s.contact_id",
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    if stale == 0 {
        return Ok(true);
    }
    tracing::warn!("lead search rows no longer match the leads' rowids (a VACUUM?): rebuilding");
    // The triggers' per-row FTS deletes may name entries that are not where the rows say:
    // 'rebuild' then remakes both indexes from the new rows, whatever they hold.
    for sql in [
        "DELETE FROM lead_search".to_owned(),
        crate::migration::lead_search_sqlite_fill(),
        "INSERT INTO lead_search_words(lead_search_words) VALUES ('rebuild')".to_owned(),
        "INSERT INTO lead_search_phones(lead_search_phones) VALUES ('rebuild')".to_owned(),
    ] {
        db.execute_unprepared(&sql).await?;
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_word_splits_where_the_index_does() {
        assert_eq!(search_tokens("Amit.K"), vec!["amit", "k"]);
        assert_eq!(search_tokens("o'brien"), vec!["o", "brien"]);
        assert_eq!(
            search_tokens("priya@example.com"),
            vec!["priya", "example", "com"]
        );
        assert_eq!(search_tokens("अमित"), vec!["अमित"]);
        assert!(search_tokens("--").is_empty());
        assert!(search_tokens("\"*").is_empty());
    }

    #[test]
    fn values_are_numbered_for_postgres() {
        use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};
        let q = |b| {
            Query::select()
                .expr(Expr::val(1))
                .and_where(sql_with_values(b, "a = ? AND b IN (?, ?)", [1, 2, 3]))
                .to_owned()
        };
        let (pg, values) = q(Backend::Postgres).build(PostgresQueryBuilder);
        assert_eq!(pg, "SELECT $1 WHERE a = $2 AND b IN ($3, $4)");
        assert_eq!(values.0.len(), 4);
        let (lite, _) = q(Backend::Sqlite).build(SqliteQueryBuilder);
        assert_eq!(lite, "SELECT ? WHERE a = ? AND b IN (?, ?)");
    }
}
