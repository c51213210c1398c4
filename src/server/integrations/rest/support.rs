//! What every handler shares: the caller's API key, Partner Center's error object, reading
//! queries and paths, continuation tokens, and the customer a path names.

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::schema::ErrorObject;
use crate::error::AppError;
use crate::server::integrations::api_keys::{self, KeyCaller};
use crate::server::platform::AppState;
use crate::server::relationships::customers::{self, CustomerSummary};

/// The most customers one page of `GET /v1/customers` holds, and the default.
pub const MAX_PAGE: i64 = 500;
pub const DEFAULT_PAGE: i64 = 100;
/// The header Partner Center carries a continuation token in.
pub const CONTINUATION_HEADER: &str = "MS-ContinuationToken";

/// Partner Center's error object, with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error_name: &'static str,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        error_name: &'static str,
        description: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            error_name,
            description: description.into(),
            retry_after: None,
        }
    }

    pub(super) fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{what} was not found."),
        )
    }

    pub(super) fn bad_request(description: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", description)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorObject {
            code: self.status.as_u16(),
            description: self.description,
            error_name: self.error_name.to_string(),
        };
        let mut res = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let description = crate::i18n::error(crate::i18n::Locale::en, &e);
        let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
        let name = match &e {
            AppError::Invalid(_) | AppError::Transport(_) => "BadRequest",
            AppError::BadCredentials | AppError::Unauthenticated => "Unauthorized",
            AppError::Forbidden(_) => "Forbidden",
            AppError::Conflict(_) => "Conflict",
            AppError::TooManyAttempts => "TooManyRequests",
            AppError::Refused(_) => "Refused",
            AppError::Internal => "InternalServerError",
        };
        ApiError::new(status, name, description)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(e).into()
    }
}

/// An answer of the HTTP stack itself (body too large, unreadable) to an API request, as
/// the API's error object.
pub fn refusal(status: StatusCode, description: &str) -> Response {
    let name = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLarge",
        _ => "BadRequest",
    };
    ApiError::new(status, name, description).into_response()
}

/// The query string's parameters into `T` (whose fields are optional strings); a parameter
/// given twice is refused with a sentence of ours.
pub(super) fn read_query<T: serde::de::DeserializeOwned>(
    raw: Option<String>,
) -> Result<T, ApiError> {
    let mut params = serde_json::Map::new();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if params
            .insert(
                name.to_string(),
                serde_json::Value::String(value.into_owned()),
            )
            .is_some()
        {
            return Err(ApiError::bad_request(format!(
                "The query gives {name} more than once; give it once."
            )));
        }
    }
    serde_json::from_value(serde_json::Value::Object(params))
        .map_err(|_| ApiError::bad_request("The query could not be read."))
}

/// A JSON request body as an object whose property names are in lower case at every
/// level: Partner Center binds property names (and enum values) regardless of case, so
/// clients written for it send `RelationshipToPartner` as well as `relationshipToPartner`.
pub(super) fn read_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    fn lower(v: Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k.to_lowercase(), lower(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(lower).collect()),
            other => other,
        }
    }
    match serde_json::from_slice::<Value>(body).map(lower) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::bad_request("The body must be a JSON object.")),
    }
}

/// A boolean as clients write it: `true`, `True`, `TRUE` (PowerShell writes `True`).
pub(super) fn read_bool(value: &str) -> Option<bool> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A customer's tenant id from the path, in lower case (GUIDs are compared regardless of
/// case).
pub(super) fn read_path(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(p)| p.to_ascii_lowercase())
        .map_err(|_| ApiError::not_found("The customer"))
}

/// Requests with an API key that is not valid (401) are counted per client address; a
/// client over its allowance is answered 429 before its key is even looked up. A request
/// with no key at all costs no lookup: it is answered 401 and not counted.
pub(super) async fn limit_bad_keys(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let address = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|axum::extract::ConnectInfo(peer)| {
            crate::server::platform::limits::client_address(
                peer.ip(),
                req.headers(),
                &state.config.trusted_proxies,
                state.config.forwarded_header,
            )
        });
    let with_key = req.headers().contains_key(header::AUTHORIZATION);
    if !with_key {
        return next.run(req).await;
    }
    if let Err(limited) = state.limits.api_client(address) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests without a valid API key. Wait, then try again.",
        );
        e.retry_after = Some(limited.retry_after_secs());
        return e.into_response();
    }
    let res = next.run(req).await;
    if res.status() == StatusCode::UNAUTHORIZED {
        state.limits.bad_key(address);
    }
    res
}

/// The caller of a request: its API key, checked and counted against the key's allowance.
pub(super) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<KeyCaller, ApiError> {
    let unauthorized = |text: &str| ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", text);
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("Send an API key as Authorization: Bearer <key>."))?;
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let secret = value
        .trim()
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| unauthorized("The Authorization header must be Bearer <key>."))?;
    let caller = api_keys::authenticate(&state.db, secret)
        .await?
        .ok_or_else(|| unauthorized("The API key is not valid: unknown, revoked or expired."))?;
    if let Err(limited) = state.limits.api_call(&caller.key_id) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests with this key. Wait, then try again.",
        );
        e.retry_after = Some(limited.retry_after_secs());
        return Err(e);
    }
    Ok(caller)
}

/// The partner's customer `id` (active, or removed: then `relationshipToPartner` is
/// `none`); any other id is not found.
pub(super) async fn customer_of(
    state: &AppState,
    caller: &KeyCaller,
    id: &str,
) -> Result<CustomerSummary, ApiError> {
    if !crate::domain::is_tenant_id(id) {
        return Err(ApiError::not_found("The customer"));
    }
    customers::customer_of_partner(&state.db, &caller.viewer.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The customer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_read_regardless_of_case() {
        let map = read_body(br#"{"RelationshipToPartner":"None","Links":{},"Attributes":{"ObjectType":"Customer"}}"#).unwrap();
        assert_eq!(map["relationshiptopartner"], "None");
        assert_eq!(map["attributes"]["objecttype"], "Customer");
        assert!(read_body(b"[1]").is_err());
        assert_eq!(read_bool("False"), Some(false));
        assert_eq!(read_bool("TRUE"), Some(true));
        assert_eq!(read_bool("yes"), None);
    }
}
