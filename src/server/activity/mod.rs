//! The activity log: every state change, who made it, when, for which partner and customer.
//! Entries are written by `events::record` in the transaction of the change; this reads them.

pub mod export;

use crate::domain::Viewer;
use crate::error::AppError;
pub use crate::server::events::ACTIONS;
use crate::server::platform::db::Db;

/// Whose log: each organization sees only the entries about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Partner(&'a str),
    Customer(&'a str),
}

impl<'a> Scope<'a> {
    /// The log's own organization column, the counterpart's column and table, and the
    /// organization id.
    fn columns(self) -> (&'static str, &'static str, &'static str, &'a str) {
        match self {
            Scope::Partner(id) => ("partner_org_id", "customer_org_id", "customer_orgs", id),
            Scope::Customer(id) => ("customer_org_id", "partner_org_id", "partner_orgs", id),
        }
    }
}

/// The log a signed-in person may read: their organization's. Customer users with the
/// User role see the home page only.
pub fn scope_of(viewer: &Viewer) -> Result<Scope<'_>, crate::domain::Problem> {
    match viewer.membership {
        crate::domain::Membership::Partner { .. } => Ok(Scope::Partner(&viewer.org_id)),
        crate::domain::Membership::Customer {
            role: crate::domain::CustomerRole::User,
        } => Err(crate::domain::Problem::ReadRole),
        crate::domain::Membership::Customer { .. } => Ok(Scope::Customer(&viewer.org_id)),
    }
}

/// What the log is narrowed to; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// From this time on (Unix seconds, inclusive).
    pub from: Option<i64>,
    /// Before this time (Unix seconds, exclusive).
    pub until: Option<i64>,
    /// The other organization's id (a customer for a partner, a partner for a customer).
    pub counterpart: Option<String>,
    /// One of [`ACTIONS`].
    pub action: Option<String>,
}

/// One entry as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub at: i64,
    /// The other organization's name, when the entry concerns one.
    pub counterpart: Option<String>,
    pub action: String,
    pub detail: String,
    pub actor: String,
}

/// One page of the log, and how many entries the filter matches in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    pub total: i64,
    pub entries: Vec<LogEntry>,
}

/// A value bound to a numbered placeholder.
enum Bind {
    Text(String),
    Number(i64),
}

/// The conditions of `scope` and `filter` (`$1` is the organization) and their values, in
/// placeholder order from `$2`.
fn conditions(scope: Scope<'_>, filter: &Filter) -> (Vec<String>, Vec<Bind>) {
    let (own, other, _, _) = scope.columns();
    let mut conditions = vec![format!("a.{own} = $1")];
    let mut binds = Vec::new();
    let mut push = |condition: String, value: Bind| {
        binds.push(value);
        conditions.push(condition.replace('?', &format!("${}", binds.len() + 1)));
    };
    if let Some(from) = filter.from {
        push("a.at >= ?".into(), Bind::Number(from));
    }
    if let Some(until) = filter.until {
        push("a.at < ?".into(), Bind::Number(until));
    }
    if let Some(counterpart) = &filter.counterpart {
        push(format!("a.{other} = ?"), Bind::Text(counterpart.clone()));
    }
    if let Some(action) = &filter.action {
        push("a.action = ?".into(), Bind::Text(action.clone()));
    }
    (conditions, binds)
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    id: &str,
    binds: Vec<Bind>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query = query.bind(id.to_string());
    for b in binds {
        query = match b {
            Bind::Text(t) => query.bind(t),
            Bind::Number(n) => query.bind(n),
        };
    }
    query
}

fn entry_of(r: &sqlx::any::AnyRow) -> Result<LogEntry, sqlx::Error> {
    use sqlx::Row;
    Ok(LogEntry {
        at: r.try_get("at")?,
        counterpart: r.try_get("counterpart")?,
        action: r.try_get("action")?,
        detail: r.try_get("detail")?,
        actor: r.try_get("actor_name")?,
    })
}

/// The entries of `scope` that match `filter`, newest first, `limit` from `offset` on.
pub async fn list(
    db: &Db,
    scope: Scope<'_>,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<LogPage, AppError> {
    use sqlx::Row;
    let (_, other, other_table, id) = scope.columns();
    let (conditions, binds) = conditions(scope, filter);
    let next = binds.len() + 2;
    let sql = format!(
        "SELECT a.at, a.action, a.detail, a.actor_name, o.name AS counterpart,
                COUNT(*) OVER () AS total
         FROM activity a LEFT JOIN {other_table} o ON o.id = a.{other}
         WHERE {}
         ORDER BY a.at DESC, a.id DESC
         LIMIT ${next} OFFSET ${}",
        conditions.join(" AND "),
        next + 1
    );
    let rows = bind_all(sqlx::query(&sql), id, binds)
        .bind(limit)
        .bind(offset)
        .fetch_all(&db.pool)
        .await?;
    let total = match rows.first() {
        Some(row) => row.try_get("total")?,
        None => 0,
    };
    let entries = rows
        .iter()
        .map(entry_of)
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(LogPage { total, entries })
}

/// Where the previous chunk of an export ended: its last entry's time and id.
pub type After = (i64, String);

/// Up to `limit` entries of `scope` that match `filter`, newest first, after `after` (the
/// end of the previous chunk): an export reads the whole log this way, a chunk at a time,
/// each read as cheap as the first (no offset).
pub async fn chunk(
    db: &Db,
    scope: Scope<'_>,
    filter: &Filter,
    after: Option<&After>,
    limit: i64,
) -> Result<Vec<(LogEntry, After)>, AppError> {
    use sqlx::Row;
    let (_, other, other_table, id) = scope.columns();
    let (mut conditions, mut binds) = conditions(scope, filter);
    if let Some((at, entry)) = after {
        let (a, b) = (binds.len() + 2, binds.len() + 3);
        conditions.push(format!("(a.at < ${a} OR (a.at = ${a} AND a.id < ${b}))"));
        binds.push(Bind::Number(*at));
        binds.push(Bind::Text(entry.clone()));
    }
    let sql = format!(
        "SELECT a.id, a.at, a.action, a.detail, a.actor_name, o.name AS counterpart
         FROM activity a LEFT JOIN {other_table} o ON o.id = a.{other}
         WHERE {}
         ORDER BY a.at DESC, a.id DESC
         LIMIT ${}",
        conditions.join(" AND "),
        binds.len() + 2
    );
    let rows = bind_all(sqlx::query(&sql), id, binds)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let entry = entry_of(r)?;
            let after = (entry.at, r.try_get::<String, _>("id")?);
            Ok((entry, after))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// The organizations that appear in `scope`'s log, by name (the counterpart filter).
pub async fn counterparts(db: &Db, scope: Scope<'_>) -> Result<Vec<(String, String)>, AppError> {
    use sqlx::Row;
    let (own, other, other_table, id) = scope.columns();
    let rows = sqlx::query(&format!(
        "SELECT o.id, o.name FROM {other_table} o
         WHERE o.id IN (SELECT a.{other} FROM activity a WHERE a.{own} = $1)
         ORDER BY lower(o.name), o.id"
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// The filter and page of the activity log from a query string's pairs (`from`, `to` as
/// `YYYY-MM-DD`, both inclusive days in UTC; `counterpart`; `action`; `page`). An action
/// that is not one of [`ACTIONS`] is ignored; a date that cannot be read is a problem.
pub fn filter_of(pairs: &[(String, String)]) -> Result<(Filter, i64), crate::domain::Problem> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    };
    let day = |text: String| -> Result<i64, crate::domain::Problem> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(&text, format)
            .map(|d| d.midnight().assume_utc().unix_timestamp())
            .map_err(|_| crate::domain::Problem::DateFormat)
    };
    let filter = Filter {
        from: get("from").map(day).transpose()?,
        until: get("to").map(day).transpose()?.map(|t| t + 86_400),
        counterpart: get("counterpart").filter(|c| c.len() <= 64),
        action: get("action").filter(|a| ACTIONS.contains(&a.as_str())),
    };
    let page = get("page")
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    Ok((filter, page))
}
