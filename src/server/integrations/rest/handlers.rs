//! The `/v1/…` handlers, and the OpenAPI document generated from them.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sqlx::Row;
use utoipa::{IntoParams, OpenApi};

use super::schema::*;
use super::support::{
    caller, customer_of, decode_offset, encode_offset, not_found, read_path, read_query, ApiError,
    CONTINUATION_HEADER, DEFAULT_PAGE, MAX_PAGE,
};
use crate::domain::{ConnectionState, Membership, PartnerRole, Problem, ProgramType};
use crate::error::AppError;
use crate::server::handshake;
use crate::server::platform::db::rfc3339;
use crate::server::platform::AppState;
use crate::server::relationships::customers::{self, CustomerSummary};
use crate::server::relationships::{indirect, lifecycle};

/// The API's routes (`/v1/…` and `/openapi.json`); anything else under `/v1` is a 404 in
/// the API's error shape.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/v1/customers/relationshiprequests",
            get(relationship_request),
        )
        .route("/v1/customers", get(customers))
        .route("/v1/customers/{id}", get(customer).patch(update_customer))
        .route("/v1/customers/{id}/agreements", get(agreements))
        .route("/v1/relationships", get(partner_relationships))
        // Only the routes above take a key.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::support::limit_bad_keys,
        ))
        .route("/openapi.json", get(openapi))
        .route("/v1/{*rest}", axum::routing::any(not_found))
        .route("/v1", axum::routing::any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

/// A method the path does not take (`DELETE /v1/customers`), in the API's error shape.
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "This API path does not take this method.",
    )
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
    let (url, _) = handshake::link_for(
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
    let page = customers::list_customers(&state.db, &caller.viewer.org_id, offset, size).await?;
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
    // action the API offers, on their behalf while the maker is a Global admin still (a
    // demoted maker's key acts with the maker's current rights, and is refused).
    let mut actor = caller.viewer.clone();
    if let Membership::Partner { role, .. } = &mut actor.membership {
        if caller.maker_role == PartnerRole::GlobalAdmin {
            *role = PartnerRole::GlobalAdmin;
        }
    }
    lifecycle::remove_relationship(&state.db, &actor, &id, true).await?;
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
            indirect::of_reseller(&state.db, &caller.viewer.org_id).await?
        }
        ("IsIndirectResellerOf", ProgramType::IndirectProvider) => {
            indirect::of_provider(&state.db, &caller.viewer.org_id).await?
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
