//! A partner's customers a page at a time, in name order, for the Customers page and
//! `/v1/customers`: keyset paging over an index, whatever the size of the list.
//!
//! Each active relationship carries its customer's name and domain as sort keys and whether
//! the partner holds DAP (`relationships.sort_key`, `domain_key`, `has_dap`), and
//! `customer_counts` holds how many there are by kind and DAP. Both are kept by [`keep`] in
//! every transaction that changes a relationship or DAP, so a page is an index range of at
//! most a page of rows plus a look-up of a few counters: no OFFSET, no COUNT of the list, no
//! sort, and the facts of a customer (DAP per service, agreement) read for shown rows only.
//!
//! Where a page begins travels in a [`Cursor`]: the last (or first) customer seen, where
//! the page stands, its size and the filter, signed for the partner, so a cursor cannot be
//! made up or moved to another listing.

use hmac::{Hmac, Mac};
use sqlx::Row;

use super::customers::{customers_sql, decode_customers, CustomerSummary};
use crate::domain::RelationshipKind;
use crate::error::AppError;
use crate::server::platform::db::Db;

/// Which of the partner's customers a listing holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomerQuery {
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub search: Option<Search>,
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RelationshipKind>,
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub dap: Option<bool>,
}

impl CustomerQuery {
    pub fn is_all(&self) -> bool {
        *self == CustomerQuery::default()
    }
}

/// A search by the start of a name or domain, in any case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Search {
    #[serde(rename = "n")]
    Name(String),
    #[serde(rename = "d")]
    Domain(String),
    /// The name or the domain starts with it (the Customers page's search box).
    #[serde(rename = "a")]
    NameOrDomain(String),
}

/// How long a search text may be.
pub const MAX_SEARCH: usize = 256;

/// Where a page begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seek {
    First,
    /// The customers after this one (by tenant id).
    After(String),
    /// The customers before this one.
    Before(String),
    /// The last page, aligned with the pages counted from the first.
    Last,
}

/// A page of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// How many customers the listing holds.
    pub total: i64,
    pub customers: Vec<CustomerSummary>,
    /// Whether the listing goes on before the first or after the last of `customers`.
    pub more_before: bool,
    pub more_after: bool,
    /// How many customers come before this page (0 on the first page).
    pub offset: i64,
}

/// The sort key of a name or domain: its lower case, as UTF-8 bytes.
pub fn sort_key(text: &str) -> Vec<u8> {
    text.to_lowercase().into_bytes()
}

/// One page of `size` customers of the partner that `query` holds, from `seek`; `offset` is
/// how many customers the page that `seek` starts from stands after (it is carried by
/// cursors, so the page can say "51–100 of N" without counting).
pub async fn slice(
    db: &Db,
    partner_org_id: &str,
    query: &CustomerQuery,
    seek: &Seek,
    offset: i64,
    size: i64,
) -> Result<Slice, AppError> {
    let mut limit = size + 1;
    let mut total_now = None;
    if *seek == Seek::Last {
        // The last page holds what is left after the full pages before it.
        let mut sql = Sql::default();
        let (_, total) = conditions(&mut sql, partner_org_id, query);
        let n: i64 = sql.bind(&total).fetch_one(&db.pool).await?.try_get(0)?;
        let rest = n % size;
        limit = if rest == 0 { size } else { rest } + 1;
        total_now = Some(n);
    }
    let mut sql = Sql::default();
    let (filter, total) = conditions(&mut sql, partner_org_id, query);
    let (bound, descending) = match seek {
        Seek::First | Seek::Last => (String::new(), *seek == Seek::Last),
        Seek::After(id) | Seek::Before(id) => {
            let after = matches!(seek, Seek::After(_));
            let id = sql.arg(Arg::Text(id.clone()));
            let key = format!(
                "(SELECT s.sort_key FROM relationships s
                  WHERE s.partner_org_id = $1 AND s.customer_org_id = {id} LIMIT 1)"
            );
            let (op, strict) = if after { (">=", ">") } else { ("<=", "<") };
            (
                format!(
                    " AND r.sort_key {op} {key}
                      AND (r.sort_key {strict} {key} OR r.customer_org_id {strict} {id})"
                ),
                !after,
            )
        }
    };
    let direction = if descending { "DESC" } else { "ASC" };
    let limit_arg = sql.arg(Arg::Int(limit));
    let keys = format!(
        "SELECT r.* FROM relationships r WHERE {filter}{bound}
         ORDER BY r.sort_key {direction}, r.customer_org_id {direction} LIMIT {limit_arg}"
    );
    let text = format!(
        "SELECT ({total}) AS total, {} AS page",
        customers_sql(db.dialect, &keys)
    );
    let row = sql.bind(&text).fetch_one(&db.pool).await?;
    let total: i64 = total_now.unwrap_or(row.try_get(0)?);
    let mut customers = decode_customers(row.try_get("page")?)?;
    let more = customers.len() as i64 >= limit;
    let (more_before, more_after, offset) = match seek {
        Seek::First | Seek::After(_) => {
            if more {
                customers.pop();
            }
            (*seek != Seek::First, more, offset)
        }
        Seek::Before(_) => {
            if more {
                customers.remove(0);
            }
            if !more && (customers.len() as i64) < size {
                // Fewer than a page before it (customers came or went since): the first page.
                return Box::pin(slice(db, partner_org_id, query, &Seek::First, 0, size)).await;
            }
            (more, true, if more { offset.max(1) } else { 0 })
        }
        Seek::Last => {
            if more {
                customers.remove(0);
            }
            let offset = (total - customers.len() as i64).max(0);
            (more, false, offset)
        }
    };
    Ok(Slice {
        total,
        customers,
        more_before,
        more_after,
        offset,
    })
}

/// The conditions of the relationships `query` holds (`relationships r`, the partner is
/// `$1`), and a statement answering how many there are: kept counters, or (a search) the
/// index range counted.
fn conditions(sql: &mut Sql, partner_org_id: &str, query: &CustomerQuery) -> (String, String) {
    let partner = sql.arg(Arg::Text(partner_org_id.to_string()));
    let mut filter = format!("r.partner_org_id = {partner} AND r.removed_at IS NULL");
    let mut counted = format!("c.partner_org_id = {partner}");
    if let Some(kind) = query.kind {
        let kind = sql.arg(Arg::Text(kind.code().into()));
        filter += &format!(" AND r.kind = {kind}");
        counted += &format!(" AND c.kind = {kind}");
    }
    if let Some(dap) = query.dap {
        let dap = sql.arg(Arg::Int(dap.into()));
        filter += &format!(" AND r.has_dap = {dap}");
        counted += &format!(" AND c.has_dap = {dap}");
    }
    let Some(search) = &query.search else {
        let total = format!(
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM customer_counts c WHERE {counted}"
        );
        return (filter, total);
    };
    let mut range = |column: &str, prefix: &str| {
        let low = sort_key(prefix);
        let mut high = low.clone();
        // No UTF-8 text holds the byte 0xFF: every text that starts with the prefix is
        // below this.
        high.push(0xFF);
        format!(
            "(r.{column} >= {} AND r.{column} < {})",
            sql.arg(Arg::Bytes(low)),
            sql.arg(Arg::Bytes(high))
        )
    };
    filter += &match search {
        Search::Name(p) => format!(" AND {}", range("sort_key", p)),
        Search::Domain(p) => format!(" AND {}", range("domain_key", p)),
        Search::NameOrDomain(p) => {
            let name = range("sort_key", p);
            format!(" AND ({name} OR {})", range("domain_key", p))
        }
    };
    let total = format!("SELECT COUNT(*) FROM relationships r WHERE {filter}");
    (filter, total)
}

/// Records that what the Customers pages show of `customer_org_id` changed (call it inside
/// the transaction that changes it): the version of every partner that has, or had, a
/// relationship with the customer moves on, so their rendered pages are not reused.
pub async fn customers_changed(
    conn: &mut sqlx::AnyConnection,
    customer_org_id: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE partner_orgs SET customers_version = customers_version + 1
         WHERE id IN (SELECT partner_org_id FROM relationships WHERE customer_org_id = $1)",
    )
    .bind(customer_org_id)
    .execute(&mut *conn)
    .await?;
    keep(conn, customer_org_id).await
}

/// The version of the partner's Customers pages (see [`customers_changed`]).
pub async fn customers_version(db: &Db, partner_org_id: &str) -> Result<i64, AppError> {
    Ok(
        sqlx::query("SELECT customers_version FROM partner_orgs WHERE id = $1")
            .bind(partner_org_id)
            .fetch_one(&db.pool)
            .await?
            .try_get("customers_version")?,
    )
}

/// Keeps the listing columns and counters of `customer_org_id`'s relationships true (call
/// it inside the transaction that changed a relationship or DAP of the customer): sort keys
/// for new relationships, and for each relationship whether it is counted, and under which
/// DAP state. Every caller holds the customer's lock (`begin_write` on SQLite, the
/// organization row on PostgreSQL), so the rows read here are not changing underneath; the
/// counters of a partner are changed by increments, which concurrent customers' changes add.
async fn keep(conn: &mut sqlx::AnyConnection, customer_org_id: &str) -> Result<(), AppError> {
    let (name_key, domain_key) = sort_keys_of(conn, customer_org_id).await?;
    sqlx::query(
        "UPDATE relationships SET sort_key = $1, domain_key = $2
         WHERE customer_org_id = $3 AND sort_key IS NULL",
    )
    .bind(name_key)
    .bind(domain_key)
    .bind(customer_org_id)
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query(
        "SELECT r.id, r.partner_org_id, r.kind, r.has_dap,
                CAST(CASE WHEN r.removed_at IS NULL THEN 1 ELSE 0 END AS BIGINT) AS active,
                CAST(CASE WHEN EXISTS (
                    SELECT 1 FROM dap_grants d
                    WHERE d.partner_org_id = r.partner_org_id
                      AND d.customer_org_id = r.customer_org_id AND d.revoked_at IS NULL)
                  THEN 1 ELSE 0 END AS BIGINT) AS dap
         FROM relationships r
         WHERE r.customer_org_id = $1 AND (r.removed_at IS NULL OR r.has_dap IS NOT NULL)",
    )
    .bind(customer_org_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let counted: Option<i64> = row.try_get("has_dap")?;
        let active: i64 = row.try_get("active")?;
        let wanted = (active == 1).then_some(row.try_get::<i64, _>("dap")?);
        if counted == wanted {
            continue;
        }
        let partner: String = row.try_get("partner_org_id")?;
        let kind: String = row.try_get("kind")?;
        for (dap, n) in [(counted, -1), (wanted, 1)] {
            let Some(dap) = dap else { continue };
            sqlx::query(
                "INSERT INTO customer_counts (partner_org_id, kind, has_dap, n)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (partner_org_id, kind, has_dap)
                 DO UPDATE SET n = customer_counts.n + excluded.n",
            )
            .bind(&partner)
            .bind(&kind)
            .bind(dap)
            .bind(n as i64)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("UPDATE relationships SET has_dap = $1 WHERE id = $2")
            .bind(wanted)
            .bind(row.try_get::<String, _>("id")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The sort keys of a customer's name and domain, for a relationship being written (write
/// them with the row: a key set afterwards leaves an old index entry behind until the
/// database cleans up).
pub async fn sort_keys_of(
    conn: &mut sqlx::AnyConnection,
    customer_org_id: &str,
) -> Result<(Vec<u8>, Vec<u8>), AppError> {
    let org = sqlx::query("SELECT name, domain FROM customer_orgs WHERE id = $1")
        .bind(customer_org_id)
        .fetch_one(&mut *conn)
        .await?;
    let (name, domain): (String, String) = (org.try_get("name")?, org.try_get("domain")?);
    Ok((sort_key(&name), sort_key(&domain)))
}

/// Fills the sort keys of relationships written before they existed (at start, after the
/// migrations), a batch per transaction.
pub async fn fill_sort_keys(db: &Db) -> Result<u64, AppError> {
    let mut filled = 0;
    loop {
        let mut tx = db.begin_write().await?;
        let rows = sqlx::query(
            "SELECT r.id, c.name, c.domain FROM relationships r
             JOIN customer_orgs c ON c.id = r.customer_org_id
             WHERE r.sort_key IS NULL LIMIT 1000",
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(filled);
        }
        for row in &rows {
            sqlx::query("UPDATE relationships SET sort_key = $1, domain_key = $2 WHERE id = $3")
                .bind(sort_key(&row.try_get::<String, _>("name")?))
                .bind(sort_key(&row.try_get::<String, _>("domain")?))
                .bind(row.try_get::<String, _>("id")?)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        filled += rows.len() as u64;
    }
}

/// Where a listing stands, as a token for a link: the customer a page begins after (or
/// ends before), how many customers come before that page, the page size and the filter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    #[serde(rename = "q")]
    pub query: CustomerQuery,
    #[serde(rename = "s")]
    pub size: i64,
    /// How many customers come before the page this cursor opens.
    #[serde(rename = "o")]
    pub offset: i64,
    /// `true`: the page after customer `id`; `false`: the page before it.
    #[serde(rename = "a")]
    pub after: bool,
    #[serde(rename = "i")]
    pub id: String,
}

type HmacSha256 = Hmac<sha2::Sha256>;

impl Cursor {
    /// The cursor's page.
    pub fn seek(&self) -> Seek {
        match self.after {
            true => Seek::After(self.id.clone()),
            false => Seek::Before(self.id.clone()),
        }
    }

    /// The cursor as URL-safe text (letters, digits, `-`, `_`, `.`), signed for the partner.
    pub fn token(&self, server_key: &[u8], partner_org_id: &str) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let body = b64.encode(serde_json::to_vec(self).unwrap_or_default());
        let tag = b64.encode(&tag(server_key, partner_org_id, &body)[..16]);
        format!("{body}.{tag}")
    }

    /// The cursor of a token [`Cursor::token`] made for this partner; `None` for anything
    /// else.
    pub fn read(token: &str, server_key: &[u8], partner_org_id: &str) -> Option<Cursor> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let (body, sent) = token.split_once('.')?;
        let sent = b64.decode(sent).ok()?;
        let expected = tag(server_key, partner_org_id, body);
        // Compared in constant time: the tag is a secret until it is right.
        if sent.len() != 16 || !constant_time_eq(&sent, &expected[..16]) {
            return None;
        }
        let cursor: Cursor = serde_json::from_slice(&b64.decode(body).ok()?).ok()?;
        (cursor.size > 0 && cursor.offset >= 0).then_some(cursor)
    }
}

fn tag(server_key: &[u8], partner_org_id: &str, body: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(server_key).expect("HMAC accepts keys of any length");
    mac.update(format!("accord/customers-cursor/v1/{partner_org_id}/{body}").as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A statement's text and its arguments, numbered as they are added.
#[derive(Default)]
struct Sql {
    args: Vec<Arg>,
}

enum Arg {
    Text(String),
    Bytes(Vec<u8>),
    Int(i64),
}

impl Sql {
    /// Adds an argument; answers its placeholder.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// `text` with the arguments bound (it names every one).
    fn bind<'q>(
        &'q self,
        text: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut query = sqlx::query(text);
        for arg in &self.args {
            query = match arg {
                Arg::Text(s) => query.bind(s.as_str()),
                Arg::Bytes(b) => query.bind(b.as_slice()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_signed_for_their_partner() {
        let cursor = Cursor {
            query: CustomerQuery {
                search: Some(Search::NameOrDomain("Fab 客户".into())),
                kind: Some(RelationshipKind::IndirectReseller),
                dap: Some(true),
            },
            size: 50,
            offset: 100,
            after: true,
            id: "b6f1c2de-0000-4000-8000-000000000001".into(),
        };
        let token = cursor.token(b"key", "partner-a");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert_eq!(Cursor::read(&token, b"key", "partner-a"), Some(cursor));
        assert_eq!(
            Cursor::read(&token, b"key", "partner-b"),
            None,
            "another partner"
        );
        assert_eq!(
            Cursor::read(&token, b"other", "partner-a"),
            None,
            "another key"
        );
        let (body, tag) = token.split_once('.').unwrap();
        let mut forged = body.to_string();
        forged.replace_range(0..1, if forged.starts_with('e') { "f" } else { "e" });
        assert_eq!(
            Cursor::read(&format!("{forged}.{tag}"), b"key", "partner-a"),
            None
        );
        assert_eq!(Cursor::read(body, b"key", "partner-a"), None, "no tag");
        assert_eq!(
            Cursor::read("b2Zmc2V0OjUw", b"key", "partner-a"),
            None,
            "old offset token"
        );
    }

    #[test]
    fn sort_keys_are_lower_case_bytes_in_code_point_order() {
        assert_eq!(sort_key("Fabrikam"), b"fabrikam".to_vec());
        assert_eq!(sort_key("ÉCOLE"), "école".as_bytes().to_vec());
        let mut names = ["zeta", "Alpha", "é", "beta", "客户"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(names, ["Alpha", "beta", "zeta", "é", "客户"]);
    }
}
