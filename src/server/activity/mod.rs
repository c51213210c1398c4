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
    /// The start of the customer's name (a partner with too many customers for a list to
    /// choose from): entries about the partner's customers whose name starts with it.
    pub counterpart_name: Option<String>,
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

/// One page of the log, and how many entries the filter matches in all (counted up to
/// [`COUNTED`]: beyond that, `total` is `COUNTED` and `more_than_total` is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPage {
    pub total: i64,
    pub more_than_total: bool,
    pub entries: Vec<LogEntry>,
    /// How many entries come before (are newer than) this page.
    pub offset: i64,
    /// Where the newer and the older pages begin, when there are such pages.
    pub newer: Option<After>,
    pub older: Option<After>,
}

/// How many matching entries a page counts at most: counting a million entries for
/// "1–50 of N" would cost more than the page.
pub const COUNTED: i64 = 10_000;

/// Where a page of the log begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSeek {
    Newest,
    /// The entries older than this one (time, id).
    OlderThan(After),
    /// The entries newer than this one.
    NewerThan(After),
}

/// A value bound to a numbered placeholder.
enum Bind {
    Text(String),
    Number(i64),
    Bytes(Vec<u8>),
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
    if let (Some(prefix), Scope::Partner(_)) = (&filter.counterpart_name, scope) {
        // The partner's relationships hold each customer's name as a sort key (by index).
        let low = prefix.to_lowercase().into_bytes();
        let mut high = low.clone();
        high.push(0xFF);
        binds.push(Bind::Bytes(low));
        binds.push(Bind::Bytes(high));
        let (lo, hi) = (binds.len(), binds.len() + 1);
        conditions.push(format!(
            "a.customer_org_id IN (SELECT r.customer_org_id FROM relationships r
              WHERE r.partner_org_id = $1 AND r.sort_key >= ${lo} AND r.sort_key < ${hi})"
        ));
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
            Bind::Bytes(b) => query.bind(b),
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

/// A page of `limit` entries of `scope` that match `filter`, newest first, from `seek`;
/// `offset` is how many entries come before the page `seek` opens (carried by the page's
/// links). Keyset paging: each page reads its entries and at most [`COUNTED`] index
/// entries for the count, wherever it is in the log.
pub async fn list(
    db: &Db,
    scope: Scope<'_>,
    filter: &Filter,
    seek: &LogSeek,
    offset: i64,
    limit: i64,
) -> Result<LogPage, AppError> {
    use sqlx::Row;
    let (_, other, other_table, id) = scope.columns();
    let (conditions, binds) = conditions(scope, filter);
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM activity a WHERE {} LIMIT {}) c",
        conditions.join(" AND "),
        COUNTED + 1
    );
    let counted: i64 = bind_all(sqlx::query(&count_sql), id, binds)
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
    let (conditions, mut binds) = self::conditions(scope, filter);
    let mut conditions = conditions;
    let (order, newer) = match seek {
        LogSeek::Newest => ("DESC", false),
        LogSeek::OlderThan((at, entry)) | LogSeek::NewerThan((at, entry)) => {
            let newer = matches!(seek, LogSeek::NewerThan(_));
            let (a, b) = (binds.len() + 2, binds.len() + 3);
            let op = if newer { ">" } else { "<" };
            conditions.push(format!(
                "(a.at {op} ${a} OR (a.at = ${a} AND a.id {op} ${b}))"
            ));
            binds.push(Bind::Number(*at));
            binds.push(Bind::Text(entry.clone()));
            (if newer { "ASC" } else { "DESC" }, newer)
        }
    };
    let sql = format!(
        "SELECT a.id, a.at, a.action, a.detail, a.actor_name, o.name AS counterpart
         FROM activity a LEFT JOIN {other_table} o ON o.id = a.{other}
         WHERE {}
         ORDER BY a.at {order}, a.id {order}
         LIMIT ${}",
        conditions.join(" AND "),
        binds.len() + 2
    );
    let rows = bind_all(sqlx::query(&sql), id, binds)
        .bind(limit + 1)
        .fetch_all(&db.pool)
        .await?;
    let mut entries = rows
        .iter()
        .map(|r| Ok((entry_of(r)?, r.try_get::<String, _>("id")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    if newer {
        entries.reverse();
        if !more && (entries.len() as i64) < limit {
            // Fewer than a page newer than it (entries came since): the newest page.
            return Box::pin(list(db, scope, filter, &LogSeek::Newest, 0, limit)).await;
        }
    }
    let (more_newer, more_older, offset) = match seek {
        LogSeek::Newest => (false, more, 0),
        LogSeek::OlderThan(_) => (true, more, offset),
        LogSeek::NewerThan(_) => (more, true, if more { offset.max(1) } else { 0 }),
    };
    let bound = |e: Option<&(LogEntry, String)>| e.map(|(e, id)| (e.at, id.clone()));
    Ok(LogPage {
        total: counted.min(COUNTED),
        more_than_total: counted > COUNTED,
        newer: more_newer.then(|| bound(entries.first())).flatten(),
        older: more_older.then(|| bound(entries.last())).flatten(),
        entries: entries.into_iter().map(|(e, _)| e).collect(),
        offset,
    })
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

/// How many organizations the counterpart filter lists at most; a partner with more
/// customers than this filters by the start of a customer's name instead.
pub const LISTED: i64 = 200;

/// The organizations that appear in `scope`'s log, by name (the counterpart filter), or
/// `None` when a partner has more than [`LISTED`] customers, past or present (a list that
/// long serves nobody, and reading it would cost more than the page).
pub async fn counterparts(
    db: &Db,
    scope: Scope<'_>,
) -> Result<Option<Vec<(String, String)>>, AppError> {
    use sqlx::Row;
    let (own, other, other_table, id) = scope.columns();
    if let Scope::Partner(partner) = scope {
        let customers: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM relationships
              WHERE partner_org_id = $1 LIMIT {}) r",
            LISTED + 1
        ))
        .bind(partner)
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
        if customers > LISTED {
            return Ok(None);
        }
    }
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
        .map(Some)
        .map_err(AppError::from)
}

/// The filter and page of the activity log from a query string's pairs (`from`, `to` as
/// `YYYY-MM-DD`, both inclusive days in UTC; `counterpart` (an id) or `counterpart_name`
/// (the start of a customer's name); `action`; `older`/`newer`: `<time>.<entry id>.<offset>`
/// as the page's links write them). An action that is not one of [`ACTIONS`] and a page
/// link that cannot be read are ignored; a date that cannot be read is a problem.
pub fn filter_of(
    pairs: &[(String, String)],
) -> Result<(Filter, LogSeek, i64), crate::domain::Problem> {
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
        counterpart_name: get("counterpart_name").map(|n| n.chars().take(256).collect()),
    };
    let bound = |text: String| -> Option<(After, i64)> {
        let mut parts = text.splitn(3, '.');
        let at = parts.next()?.parse().ok()?;
        let id = parts.next().filter(|id| id.len() <= 64)?.to_string();
        let offset = parts
            .next()?
            .parse()
            .ok()
            .filter(|o| (0..=1i64 << 40).contains(o))?;
        Some(((at, id), offset))
    };
    let (seek, offset) = match (get("older").and_then(bound), get("newer").and_then(bound)) {
        (Some((after, offset)), _) => (LogSeek::OlderThan(after), offset),
        (None, Some((before, offset))) => (LogSeek::NewerThan(before), offset),
        (None, None) => (LogSeek::Newest, 0),
    };
    Ok((filter, seek, offset))
}
