//! The partner REST API in Partner Center's shapes (`/v1/…`), for PSA tools and scripts.
//! Requests carry an API key (`Authorization: Bearer acc_…`, see `api_keys`); answers are
//! JSON, errors Partner Center's error object (`code`, `description`, `errorName`), never
//! HTML. Field names and `attributes.objectType` values are Partner Center's; what Accord
//! adds is marked as its extension in the API documentation.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Row;

use super::api_keys::{self, KeyCaller};
use super::relationships::{self, CustomerSummary};
use super::AppState;
use crate::domain::{ConnectionState, Membership, PartnerRole, Problem, ProgramType};
use crate::error::AppError;

/// The most customers one page of `GET /v1/customers` holds, and the default.
pub const MAX_PAGE: i64 = 500;
pub const DEFAULT_PAGE: i64 = 100;
/// The header Partner Center carries a continuation token in.
pub const CONTINUATION_HEADER: &str = "MS-ContinuationToken";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/customers/relationshiprequests",
            get(relationship_request),
        )
        .route("/v1/customers", get(customers))
        .route("/v1/customers/{id}", get(customer).patch(update_customer))
        .route("/v1/customers/{id}/agreements", get(agreements))
        .route("/v1/relationships", get(partner_relationships))
        .route("/v1/{*rest}", axum::routing::any(not_found))
        .route("/v1", axum::routing::any(not_found))
}

/// Partner Center's error object, with its HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error_name: &'static str,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, error_name: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            error_name,
            description: description.into(),
            retry_after: None,
        }
    }

    fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{what} was not found."),
        )
    }

    fn bad_request(description: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "BadRequest", description)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.status.as_u16(),
            "description": self.description,
            "errorName": self.error_name,
        });
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

async fn not_found() -> ApiError {
    ApiError::not_found("This API path")
}

/// The caller of a request: its API key, checked and counted against the key's allowance.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<KeyCaller, ApiError> {
    let unauthorized = |text: &str| ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", text);
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("Send an API key as Authorization: Bearer <key>."))?;
    let secret = value
        .strip_prefix("Bearer ")
        .map(str::trim)
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

#[derive(Debug, Deserialize)]
struct RequestQuery {
    dap: Option<String>,
    #[serde(rename = "indirectProviderId")]
    indirect_provider_id: Option<String>,
}

/// `GET /v1/customers/relationshiprequests`: the partner's signed invitation link.
async fn relationship_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RequestQuery>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let dap = match q.dap.as_deref().map(str::trim) {
        None | Some("") | Some("true") => true,
        Some("false") => caller.viewer.cloud.requires_dap(),
        Some(_) => return Err(ApiError::bad_request("dap must be true or false.")),
    };
    let (url, _) = super::handshake::link_for(
        &state.db,
        &state.config,
        &caller.viewer,
        dap,
        q.indirect_provider_id.as_deref(),
    )
    .await?;
    Ok(Json(json!({
        "url": url,
        "attributes": { "objectType": "RelationshipRequest" },
    })))
}

fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A customer in Partner Center's shape; `detail` adds the delegated access fields.
fn customer_json(c: &CustomerSummary, detail: bool) -> Value {
    let mut v = json!({
        "id": c.customer_id,
        "companyProfile": {
            "tenantId": c.customer_id,
            "domain": c.domain,
            "companyName": c.name,
            "attributes": { "objectType": "CustomerCompanyProfile" },
        },
        "relationshipToPartner": if c.removed_at.is_none() { "reseller" } else { "none" },
        "attributes": { "objectType": "Customer" },
    });
    if detail {
        v["allowDelegatedAccess"] = json!(c.has_dap());
        v["delegatedAdmin"] = c
            .dap
            .iter()
            .map(|(service, granted)| {
                json!({
                    "service": service.code(),
                    "granted": granted.is_some(),
                    "grantedAt": granted.map(rfc3339),
                })
            })
            .collect();
    }
    v
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    size: Option<String>,
    #[serde(rename = "continuationToken")]
    continuation_token: Option<String>,
}

fn encode_offset(offset: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_offset(token: &str) -> Option<i64> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse::<i64>()
        .ok()
        .filter(|o| (0..=10_000_000).contains(o))
}

/// `GET /v1/customers`: the partner's customers, a page at a time (`size`, and the
/// continuation token of the previous page's `links.next`).
async fn customers(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let size = match q.size.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_PAGE,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| ApiError::bad_request(format!("size must be 1 to {MAX_PAGE}.")))?,
    };
    let token = q.continuation_token.or_else(|| {
        headers
            .get(CONTINUATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    let offset = match token {
        None => 0,
        Some(t) => decode_offset(&t)
            .ok_or_else(|| ApiError::bad_request("The continuation token is not valid."))?,
    };
    let page =
        relationships::list_customers(&state.db, &caller.viewer.org_id, offset, size).await?;
    let items: Vec<Value> = page
        .customers
        .iter()
        .map(|c| customer_json(c, false))
        .collect();
    let next = offset + items.len() as i64;
    let mut links = json!({
        "self": { "uri": format!("/v1/customers?size={size}"), "method": "GET", "headers": [] },
    });
    if next < page.total {
        let token = encode_offset(next);
        links["next"] = json!({
            "uri": format!("/v1/customers?size={size}&continuationToken={token}"),
            "method": "GET",
            "headers": [{ "key": CONTINUATION_HEADER, "value": token }],
        });
    }
    Ok(Json(json!({
        "totalCount": page.total,
        "items": items,
        "links": links,
        "attributes": { "objectType": "Collection" },
    })))
}

/// The partner's customer `id` (active, or removed: then `relationshipToPartner` is
/// `none`); any other id is not found.
async fn customer_of(
    state: &AppState,
    caller: &KeyCaller,
    id: &str,
) -> Result<CustomerSummary, ApiError> {
    if !crate::domain::is_tenant_id(id) {
        return Err(ApiError::not_found("The customer"));
    }
    relationships::customer_of_partner(&state.db, &caller.viewer.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The customer"))
}

/// `GET /v1/customers/{id}`.
async fn customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let c = customer_of(&state, &caller, &id).await?;
    Ok(Json(customer_json(&c, true)))
}

/// `PATCH /v1/customers/{id}` with `{"relationshipToPartner": "none", …}`: removes the
/// reseller relationship as the Account page does (the call stands for the attestation);
/// delegated admin privileges stay. Repeating it changes nothing.
async fn update_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let body: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("The body must be a JSON object."))?;
    if body.get("relationshipToPartner").and_then(Value::as_str) != Some("none") {
        return Err(ApiError::bad_request(
            "Only {\"relationshipToPartner\": \"none\"} can be set: it removes the relationship.",
        ));
    }
    if let Some(kind) = body.pointer("/attributes/objectType") {
        if kind != "Customer" {
            return Err(ApiError::bad_request(
                "attributes.objectType must be Customer.",
            ));
        }
    }
    customer_of(&state, &caller, &id).await?;
    // Keys are made by Global admins; removing a relationship is the one administrator's
    // action the API offers, on their behalf.
    let mut actor = caller.viewer.clone();
    if let Membership::Partner { role, .. } = &mut actor.membership {
        *role = PartnerRole::GlobalAdmin;
    }
    super::lifecycle::remove_relationship(&state.db, &actor, &id, true).await?;
    let c = customer_of(&state, &caller, &id).await?;
    Ok(Json(customer_json(&c, true)))
}

/// `GET /v1/customers/{id}/agreements`: the customer's agreement acceptances.
async fn agreements(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers).await?;
    customer_of(&state, &caller, &id).await?;
    let rows = sqlx::query(
        "SELECT a.signer_first_name, a.signer_last_name, a.signer_email, a.signer_phone,
                a.accepted_at, g.template_id, g.link
         FROM agreement_acceptances a JOIN agreements g ON g.id = a.agreement_id
         WHERE a.customer_org_id = $1 ORDER BY a.accepted_at, a.id",
    )
    .bind(&id)
    .fetch_all(&state.db.pool)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(json!({
                "primaryContact": {
                    "firstName": r.try_get::<String, _>("signer_first_name")?,
                    "lastName": r.try_get::<String, _>("signer_last_name")?,
                    "email": r.try_get::<String, _>("signer_email")?,
                    "phoneNumber": r.try_get::<Option<String>, _>("signer_phone")?.unwrap_or_default(),
                },
                "templateId": r.try_get::<String, _>("template_id")?,
                "dateAgreed": rfc3339(r.try_get("accepted_at")?),
                "type": "MicrosoftCustomerAgreement",
                "agreementLink": r.try_get::<String, _>("link")?,
            }))
        })
        .collect::<Result<Vec<Value>, sqlx::Error>>()?;
    Ok(Json(json!({
        "totalCount": items.len(),
        "items": items,
        "attributes": { "objectType": "Collection" },
    })))
}

#[derive(Debug, Deserialize)]
struct RelationshipsQuery {
    relationship_type: Option<String>,
}

/// `GET /v1/relationships?relationship_type=…`: the indirect partners the partner is
/// connected with — its providers (`IsIndirectCloudSolutionProviderOf`) or its resellers
/// (`IsIndirectResellerOf`).
async fn partner_relationships(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RelationshipsQuery>,
) -> Result<Json<Value>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let kind = q.relationship_type.unwrap_or_default();
    let program = match caller.viewer.membership {
        Membership::Partner { program, .. } => program,
        Membership::Customer { .. } => return Err(AppError::Forbidden(Problem::PartnerOnly).into()),
    };
    let connections = match (kind.as_str(), program) {
        ("IsIndirectCloudSolutionProviderOf", ProgramType::IndirectReseller) => {
            super::indirect::of_reseller(&state.db, &caller.viewer.org_id).await?
        }
        ("IsIndirectResellerOf", ProgramType::IndirectProvider) => {
            super::indirect::of_provider(&state.db, &caller.viewer.org_id).await?
        }
        ("IsIndirectCloudSolutionProviderOf" | "IsIndirectResellerOf", _) => Vec::new(),
        _ => return Err(ApiError::bad_request(
            "relationship_type must be IsIndirectCloudSolutionProviderOf or IsIndirectResellerOf.",
        )),
    };
    let items: Vec<Value> = connections
        .iter()
        .filter(|c| c.state == ConnectionState::Connected)
        .map(|c| {
            let (id, name, mpn) = match program {
                ProgramType::IndirectReseller => {
                    (&c.provider_org_id, &c.provider_name, c.provider_mspp_id)
                }
                _ => (&c.reseller_org_id, &c.reseller_name, c.reseller_mspp_id),
            };
            json!({
                "id": id,
                "name": name,
                "relationshipType": kind,
                "state": "Active",
                "mpnId": mpn.to_string(),
                "attributes": { "objectType": "PartnerRelationship" },
            })
        })
        .collect();
    Ok(Json(json!({
        "totalCount": items.len(),
        "items": items,
        "attributes": { "objectType": "Collection" },
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_tokens_round_trip_and_refuse_junk() {
        assert_eq!(decode_offset(&encode_offset(100)), Some(100));
        assert_eq!(decode_offset("bm9wZQ"), None);
        assert_eq!(decode_offset("!!"), None);
        assert_eq!(decode_offset(&encode_offset(-1)), None);
    }
}
