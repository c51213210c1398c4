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
        Ok((filter, _)) => filter,
        Err(problem) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                crate::error::AppError::Invalid(problem),
            )
        }
    };
    let page = match super::list(&state.db, scope, &filter, 0, EXPORT_LIMIT).await {
        Ok(page) => page,
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e),
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
    let rows: Vec<Vec<String>> = page
        .entries
        .iter()
        .map(|e| {
            vec![
                rfc3339(e.at),
                e.counterpart.clone().unwrap_or_default(),
                i18n::action(locale, &e.action),
                i18n::detail(locale, &e.action, &e.detail),
                e.actor.clone(),
            ]
        })
        .collect();
    let mut res = to_csv(&header, &rows).into_response();
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

/// At most this many entries in one export.
const EXPORT_LIMIT: i64 = 100_000;

/// The log as CSV (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks
/// quoted, quotes doubled), UTF-8 with a byte-order mark so spreadsheet programs read
/// Chinese names correctly. A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, so no spreadsheet runs it as a formula.
pub fn to_csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::from('\u{feff}');
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
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
