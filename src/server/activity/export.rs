//! **Export CSV** of an organization's activity log (`/activity.csv`).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::i18n::{self, t};
use crate::server::identity::guard;
use crate::server::platform::db::rfc3339;
use crate::server::platform::AppState;

/// **Export CSV** of the signed-in organization's activity log, filtered as the page is
/// (the same query), headed and worded in the viewer's language.
pub async fn download(State(state): State<AppState>, session: Session, req: Request) -> Response {
    let locale = i18n::of_request(req.headers(), req.uri().path());
    let refuse = |status: StatusCode, error: crate::error::AppError| {
        (status, i18n::error(locale, &error)).into_response()
    };
    let Some(viewer) = guard::viewer_of(&state, &session).await else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            crate::error::AppError::Unauthenticated,
        );
    };
    let scope = match super::scope_of(&viewer) {
        Ok(scope) => scope,
        Err(problem) => {
            return refuse(
                StatusCode::FORBIDDEN,
                crate::error::AppError::Forbidden(problem),
            )
        }
    };
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let filter = match super::filter_of(&pairs) {
        Ok((filter, _, _)) => filter,
        Err(problem) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                crate::error::AppError::Invalid(problem),
            )
        }
    };
    // One export per organization at a time, and a few per instance: an export is long,
    // and the rest of the portal must stay quick while it runs.
    let org = match scope {
        super::Scope::Partner(id) | super::Scope::Customer(id) => id.to_string(),
    };
    let Some(slot) = ExportSlot::take(&org) else {
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            t!(locale, err_export_busy).to_string(),
        )
            .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(EXPORT_RETRY_SECS));
        return res;
    };
    let header: Vec<String> = [
        t!(locale, col_when),
        t!(locale, col_counterpart),
        t!(locale, col_action),
        t!(locale, col_detail),
        t!(locale, col_by),
    ]
    .into_iter()
    .map(|h| h.to_string())
    .collect();
    // Streamed a chunk at a time from the database: memory stays the same whatever the
    // log's length, and every entry is in the file.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(2);
    let db = state.db.clone();
    tokio::spawn(async move {
        let _slot = slot;
        let Ok(scope) = super::scope_of(&viewer) else {
            return;
        };
        // The byte-order mark and the header row, then the entries.
        let mut text = to_csv(&header, &[]);
        let mut after: Option<super::After> = None;
        loop {
            let rows = match super::chunk(&db, scope, &filter, after.as_ref(), EXPORT_CHUNK).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = %e, "activity export stopped");
                    let _ = tx.send(Err(std::io::Error::other("export stopped"))).await;
                    return;
                }
            };
            let last = rows.len() < EXPORT_CHUNK as usize;
            for (e, at) in rows {
                push_line(
                    &mut text,
                    &[
                        rfc3339(e.at),
                        e.counterpart.clone().unwrap_or_default(),
                        i18n::action(locale, &e.action),
                        i18n::detail(locale, &e.action, &e.detail),
                        e.actor.clone(),
                    ],
                );
                after = Some(at);
            }
            // The person left: stop reading.
            if tx.send(Ok(std::mem::take(&mut text))).await.is_err() || last {
                return;
            }
        }
    });
    let body = axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    let mut res = body.into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"accord-activity.csv\""),
    );
    res
}

/// Entries read from the database at a time while an export streams.
const EXPORT_CHUNK: i64 = 1_000;
/// Exports running at once in this instance (one per organization).
const EXPORTS_PER_INSTANCE: usize = 4;
/// When a refused export may be asked again (seconds).
const EXPORT_RETRY_SECS: u64 = 10;

/// A running export's place: its organization's one, and one of the instance's few.
struct ExportSlot {
    org: String,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

static EXPORTS: std::sync::LazyLock<std::sync::Arc<tokio::sync::Semaphore>> =
    std::sync::LazyLock::new(|| {
        std::sync::Arc::new(tokio::sync::Semaphore::new(EXPORTS_PER_INSTANCE))
    });
static EXPORTING: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<String>>> =
    std::sync::LazyLock::new(Default::default);

impl ExportSlot {
    /// A place for an export of `org`'s log, if the organization has none running and the
    /// instance has one free.
    fn take(org: &str) -> Option<ExportSlot> {
        let mut running = EXPORTING.lock().unwrap_or_else(|e| e.into_inner());
        if running.contains(org) {
            return None;
        }
        let permit = EXPORTS.clone().try_acquire_owned().ok()?;
        running.insert(org.to_string());
        Some(ExportSlot {
            org: org.to_string(),
            _permit: permit,
        })
    }
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        EXPORTING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.org);
    }
}

fn push_line(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// The log as CSV (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks
/// quoted, quotes doubled), UTF-8 with a byte-order mark so spreadsheet programs read
/// Chinese names correctly. A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, so no spreadsheet runs it as a formula.
pub fn to_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{feff}');
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        push_line(&mut out, row);
    }
    out
}

fn csv_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len() + 3);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.push('\'');
    }
    cell.push_str(text);
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let header = vec!["Customer".to_string(), "Detail".to_string()];
        let rows = vec![
            vec![
                "=HYPERLINK(\"x\"),\"Inc\"".to_string(),
                "a\r\nb".to_string(),
            ],
            vec!["+1".to_string(), "-2".to_string()],
            vec!["@me".to_string(), "\tTab".to_string()],
            vec!["Plain 客户".to_string(), "".to_string()],
        ];
        let csv = to_csv(&header, &rows);
        assert!(csv.starts_with('\u{feff}'));
        assert_eq!(
            csv.trim_start_matches('\u{feff}'),
            "Customer,Detail\r\n\
             \"'=HYPERLINK(\"\"x\"\"),\"\"Inc\"\"\",\"a\r\nb\"\r\n\
             '+1,'-2\r\n\
             '@me,'\tTab\r\n\
             Plain 客户,\r\n"
        );
    }
}
