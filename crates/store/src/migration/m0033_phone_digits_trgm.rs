//! The phone search's trigram index moves from `contacts.phone` to the phone's digits
//! (`replace(phone, '+', '')`, PostgreSQL only).
//!
//! pg_trgm's operator class also answers `=`, and with statistics of a table that has only
//! begun to fill, PostgreSQL costs a trigram bitmap for `phone = ANY(a thousand phones)` at
//! next to nothing: an import's identity lookup then read almost every lead for each batch
//! (1.6 s and growing, per thousand rows) instead of probing `ux_contacts_org_id_phone`. On
//! an expression, the index serves only the search that asks for it by that expression
//! (`crate::lead_search::phone_digits_condition`); equality goes to the unique index.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0033_phone_digits_trgm"
    }
}

/// Creates `index` on `on` with pg_trgm's operator class, in whatever schema the extension
/// lives; without the extension (a role that may not create it) the search stays unindexed.
fn trigram_index(index: &str, on: &str) -> String {
    format!(
        "DO $$ DECLARE s text; BEGIN \
           SELECT n.nspname INTO s FROM pg_extension e \
             JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; \
           IF s IS NOT NULL THEN \
             EXECUTE format('CREATE INDEX IF NOT EXISTS {index} ON contacts \
               USING gin (({on}) %I.gin_trgm_ops)', s); \
           END IF; \
         END $$"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(&trigram_index(
            "contacts_phone_digits_trgm",
            "replace(phone, ''+'', '''')",
        ))
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS contacts_phone_trgm")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(&trigram_index("contacts_phone_trgm", "phone"))
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS contacts_phone_digits_trgm")
            .await?;
        Ok(())
    }
}
