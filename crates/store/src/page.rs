//! Cursor pagination over UUIDv7 ids (which sort by creation time).

use serde::Serialize;
use uuid::Uuid;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest {
    pub limit: Option<u64>,
    pub cursor: Option<Uuid>,
}

impl PageRequest {
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// `rows` were fetched with `limit + 1`: the extra row only tells that another page exists.
    pub(crate) fn from_rows(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| id_of(r).to_string())
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Which end of the id order a list starts from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Order {
    OldestFirst,
    NewestFirst,
}

/// Runs `query` for one page: ordered by `id`, after the cursor, one extra row to learn whether
/// another page exists.
pub(crate) async fn fetch<E, T>(
    db: &impl sea_orm::ConnectionTrait,
    query: sea_orm::Select<E>,
    id: E::Column,
    order: Order,
    page: PageRequest,
    convert: impl Fn(E::Model) -> T,
    id_of: impl Fn(&T) -> Uuid,
) -> Result<Page<T>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let limit = page.limit();
    let mut q = match order {
        Order::OldestFirst => query.order_by_asc(id),
        Order::NewestFirst => query.order_by_desc(id),
    }
    .limit(limit + 1);
    if let Some(cursor) = page.cursor {
        q = match order {
            Order::OldestFirst => q.filter(id.gt(cursor)),
            Order::NewestFirst => q.filter(id.lt(cursor)),
        };
    }
    let rows = q.all(db).await?.into_iter().map(convert).collect();
    Ok(Page::from_rows(rows, limit, id_of))
}
