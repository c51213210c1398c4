//! The partner REST API in Partner Center's shapes (`/v1/…`), for PSA tools and scripts.
//! Requests carry an API key (`Authorization: Bearer acc_…`, see `api_keys`); answers are
//! JSON, errors Partner Center's error object (`code`, `description`, `errorName`), never
//! HTML. Field names and `attributes.objectType` values are Partner Center's; what Accord
//! adds is marked as its extension in the API documentation.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::{IntoParams, OpenApi, ToSchema};

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
        .route("/openapi.json", get(openapi))
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

/// A query string that could not be read is the caller's mistake, told in the error object.
fn read_query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| {
        ApiError::bad_request(format!("The query could not be read: {}.", e.body_text()))
    })
}

fn read_path(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(p)| p)
        .map_err(|_| ApiError::not_found("The customer"))
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

pub(super) fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
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

/// `attributes` of every Partner Center object: its type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attributes {
    #[serde(rename = "objectType")]
    pub object_type: String,
}

fn attributes(kind: &str) -> Attributes {
    Attributes {
        object_type: kind.to_string(),
    }
}

/// Partner Center's error object.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorObject {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong, in a sentence.
    pub description: String,
    /// `BadRequest`, `Unauthorized`, `Forbidden`, `NotFound`, `Conflict`, `TooManyRequests`…
    pub error_name: String,
}

/// The partner's invitation link (`objectType`: `RelationshipRequest`).
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationshipRequest {
    pub url: String,
    pub attributes: Attributes,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanyProfile {
    pub tenant_id: String,
    pub domain: String,
    pub company_name: String,
    pub attributes: Attributes,
}

/// Accord's extension: the partner's delegated admin privileges for one service.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DelegatedAdmin {
    /// `azure_ad` or `office_365`.
    pub service: String,
    pub granted: bool,
    /// When they were granted (RFC 3339), if they are held.
    pub granted_at: Option<String>,
}

/// A customer (`objectType`: `Customer`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub company_profile: CompanyProfile,
    /// `reseller`, or `none` after the partner removed the relationship.
    pub relationship_to_partner: String,
    pub attributes: Attributes,
    /// Whether the partner holds delegated admin privileges (one customer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_delegated_access: Option<bool>,
    /// Accord's extension (one customer only): delegated admin privileges per service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegated_admin: Option<Vec<DelegatedAdmin>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkHeader {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub uri: String,
    pub method: String,
    pub headers: Vec<LinkHeader>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub this: Link,
    /// The next page, while there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
}

/// A page of customers (`objectType`: `Collection`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCollection {
    pub total_count: i64,
    pub items: Vec<Customer>,
    pub links: Links,
    pub attributes: Attributes,
}

/// What `PATCH /v1/customers/{id}` takes: `relationshipToPartner` `none` removes the
/// relationship.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUpdate {
    /// `none`: the only change the API makes.
    #[schema(pattern = "^none$")]
    pub relationship_to_partner: String,
    pub attributes: Option<Attributes>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone_number: String,
}

/// An agreement acceptance.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    pub primary_contact: Contact,
    pub template_id: String,
    /// RFC 3339.
    pub date_agreed: String,
    /// `MicrosoftCustomerAgreement`.
    #[serde(rename = "type")]
    pub kind: String,
    pub agreement_link: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgreementCollection {
    pub total_count: i64,
    pub items: Vec<Agreement>,
    pub attributes: Attributes,
}

/// A connected indirect partner (`objectType`: `PartnerRelationship`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerRelationship {
    pub id: String,
    pub name: String,
    pub relationship_type: String,
    /// `Active`.
    pub state: String,
    pub mpn_id: String,
    pub attributes: Attributes,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerRelationshipCollection {
    pub total_count: i64,
    pub items: Vec<PartnerRelationship>,
    pub attributes: Attributes,
}

/// The OpenAPI 3.1 document of the API, generated from the handlers and types below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Accord partner API",
        description = "Partner Center's shapes for the reseller-relationship handshake. Send an API key made on the API keys page as `Authorization: Bearer <key>`."
    ),
    paths(
        relationship_request,
        customers,
        customer,
        update_customer,
        agreements,
        partner_relationships
    ),
    modifiers(&BearerKey),
    security(("apiKey" = []))
)]
pub struct ApiDoc;

struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// `GET /openapi.json`.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi().to_json().unwrap_or_default(),
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RequestQuery {
    /// Accord's extension: `true` (the default) asks for delegated admin privileges too;
    /// in the US Government and Germany clouds they are always asked for.
    #[param(value_type = Option<bool>)]
    dap: Option<String>,
    /// Accord's extension: an indirect reseller's combined link naming this connected
    /// provider (its tenant id).
    #[serde(rename = "indirectProviderId")]
    #[param(rename = "indirectProviderId")]
    indirect_provider_id: Option<String>,
}

/// The partner's signed, reusable invitation link.
#[utoipa::path(
    get,
    path = "/v1/customers/relationshiprequests",
    params(RequestQuery),
    responses(
        (status = 200, body = RelationshipRequest),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 403, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
async fn relationship_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<RequestQuery>, QueryRejection>,
) -> Result<Json<RelationshipRequest>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let q = read_query(q)?;
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
    Ok(Json(RelationshipRequest {
        url,
        attributes: attributes("RelationshipRequest"),
    }))
}

/// A customer in Partner Center's shape; `detail` adds the delegated access fields.
fn customer_json(c: &CustomerSummary, detail: bool) -> Customer {
    Customer {
        id: c.customer_id.clone(),
        company_profile: CompanyProfile {
            tenant_id: c.customer_id.clone(),
            domain: c.domain.clone(),
            company_name: c.name.clone(),
            attributes: attributes("CustomerCompanyProfile"),
        },
        relationship_to_partner: match c.removed_at {
            None => "reseller",
            Some(_) => "none",
        }
        .to_string(),
        attributes: attributes("Customer"),
        allow_delegated_access: detail.then(|| c.has_dap()),
        delegated_admin: detail.then(|| {
            c.dap
                .iter()
                .map(|(service, granted)| DelegatedAdmin {
                    service: service.code().to_string(),
                    granted: granted.is_some(),
                    granted_at: granted.map(rfc3339),
                })
                .collect()
        }),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// Customers per page, 1 to 500 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    size: Option<String>,
    /// The token of the previous page's `links.next` (also accepted in the
    /// `MS-ContinuationToken` header).
    #[serde(rename = "continuationToken")]
    #[param(rename = "continuationToken")]
    continuation_token: Option<String>,
}

/// The partner's customers with an active relationship, by name, a page at a time.
#[utoipa::path(
    get,
    path = "/v1/customers",
    params(PageQuery),
    responses(
        (status = 200, body = CustomerCollection),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
async fn customers(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<CustomerCollection>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let q = read_query(q)?;
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
    let items: Vec<Customer> = page
        .customers
        .iter()
        .map(|c| customer_json(c, false))
        .collect();
    let next = offset + items.len() as i64;
    let link = |uri: String, headers: Vec<LinkHeader>| Link {
        uri,
        method: "GET".into(),
        headers,
    };
    let next = (next < page.total).then(|| {
        let token = encode_offset(next);
        link(
            format!("/v1/customers?size={size}&continuationToken={token}"),
            vec![LinkHeader {
                key: CONTINUATION_HEADER.into(),
                value: token,
            }],
        )
    });
    Ok(Json(CustomerCollection {
        total_count: page.total,
        items,
        links: Links {
            this: link(format!("/v1/customers?size={size}"), Vec::new()),
            next,
        },
        attributes: attributes("Collection"),
    }))
}

/// One customer of the partner, with its delegated access.
#[utoipa::path(
    get,
    path = "/v1/customers/{id}",
    params(("id" = String, Path, description = "The customer's tenant id")),
    responses(
        (status = 200, body = Customer),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
async fn customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Customer>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let id = read_path(id)?;
    let c = customer_of(&state, &caller, &id).await?;
    Ok(Json(customer_json(&c, true)))
}

/// Removes the reseller relationship (`{"relationshipToPartner": "none"}`) as the Account
/// page does: the call stands for the attestation, it is logged with the key's name, and
/// delegated admin privileges already granted stay. Repeating it changes nothing.
#[utoipa::path(
    patch,
    path = "/v1/customers/{id}",
    params(("id" = String, Path, description = "The customer's tenant id")),
    request_body = CustomerUpdate,
    responses(
        (status = 200, body = Customer),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
async fn update_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Result<Json<Customer>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let id = read_path(id)?;
    let update: CustomerUpdate = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request(
            "The body must be a JSON object with relationshipToPartner (a string).",
        )
    })?;
    if update.relationship_to_partner != "none" {
        return Err(ApiError::bad_request(
            "Only {\"relationshipToPartner\": \"none\"} can be set: it removes the relationship.",
        ));
    }
    if update
        .attributes
        .is_some_and(|a| a.object_type != "Customer")
    {
        return Err(ApiError::bad_request(
            "attributes.objectType must be Customer.",
        ));
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

/// The customer's agreement acceptances.
#[utoipa::path(
    get,
    path = "/v1/customers/{id}/agreements",
    params(("id" = String, Path, description = "The customer's tenant id")),
    responses(
        (status = 200, body = AgreementCollection),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
async fn agreements(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<AgreementCollection>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let id = read_path(id)?;
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
            Ok(Agreement {
                primary_contact: Contact {
                    first_name: r.try_get("signer_first_name")?,
                    last_name: r.try_get("signer_last_name")?,
                    email: r.try_get("signer_email")?,
                    phone_number: r
                        .try_get::<Option<String>, _>("signer_phone")?
                        .unwrap_or_default(),
                },
                template_id: r.try_get("template_id")?,
                date_agreed: rfc3339(r.try_get("accepted_at")?),
                kind: "MicrosoftCustomerAgreement".into(),
                agreement_link: r.try_get("link")?,
            })
        })
        .collect::<Result<Vec<Agreement>, sqlx::Error>>()?;
    Ok(Json(AgreementCollection {
        total_count: items.len() as i64,
        items,
        attributes: attributes("Collection"),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RelationshipsQuery {
    /// `IsIndirectCloudSolutionProviderOf` (an indirect reseller's providers) or
    /// `IsIndirectResellerOf` (an indirect provider's resellers).
    #[param(
        required = true,
        pattern = "^(IsIndirectCloudSolutionProviderOf|IsIndirectResellerOf)$"
    )]
    relationship_type: Option<String>,
}

/// The indirect partners the partner is connected with.
#[utoipa::path(
    get,
    path = "/v1/relationships",
    params(RelationshipsQuery),
    responses(
        (status = 200, body = PartnerRelationshipCollection),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
async fn partner_relationships(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<RelationshipsQuery>, QueryRejection>,
) -> Result<Json<PartnerRelationshipCollection>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let q = read_query(q)?;
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
    let items: Vec<PartnerRelationship> = connections
        .iter()
        .filter(|c| c.state == ConnectionState::Connected)
        .map(|c| {
            let (id, name, mpn) = match program {
                ProgramType::IndirectReseller => {
                    (&c.provider_org_id, &c.provider_name, c.provider_mspp_id)
                }
                _ => (&c.reseller_org_id, &c.reseller_name, c.reseller_mspp_id),
            };
            PartnerRelationship {
                id: id.clone(),
                name: name.clone(),
                relationship_type: kind.clone(),
                state: "Active".into(),
                mpn_id: mpn.to_string(),
                attributes: attributes("PartnerRelationship"),
            }
        })
        .collect();
    Ok(Json(PartnerRelationshipCollection {
        total_count: items.len() as i64,
        items,
        attributes: attributes("Collection"),
    }))
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
