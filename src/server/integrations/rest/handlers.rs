//! The `/v1/…` routes, the invitation link, and the OpenAPI document generated from the
//! handlers.

use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::customers::{agreements, customer, customers, update_customer};
use super::relationships::partner_relationships;
use super::schema::*;
use super::support::{caller, read_bool, read_query, ApiError};
use crate::server::handshake;
use crate::server::platform::AppState;

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
        .route("/v1/{*rest}", axum::routing::any(elsewhere))
        .route("/v1", axum::routing::any(elsewhere))
        .method_not_allowed_fallback(method_not_allowed)
}

/// Any other path under `/v1`: Partner Center's SDK follows a `links.next.uri` by writing
/// `/v1/` before it, and the uri starts with `/` (`/v1//customers?…`), so a path with empty
/// segments is served as the path without them; anything else is a 404 in the API's shape.
async fn elsewhere(State(state): State<AppState>, mut req: Request) -> Response {
    let path = req.uri().path();
    if !path.contains("//") {
        return ApiError::not_found("This API path").into_response();
    }
    let mut collapsed = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        collapsed.push('/');
        collapsed.push_str(segment);
    }
    if let Some(query) = req.uri().query() {
        collapsed.push('?');
        collapsed.push_str(query);
    }
    match collapsed.parse() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return ApiError::not_found("This API path").into_response(),
    }
    let api = routes(&state).with_state(state);
    match tower::ServiceExt::oneshot(api, req).await {
        Ok(res) => res,
        Err(never) => match never {},
    }
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
        super::customers::customers,
        super::customers::customer,
        super::customers::update_customer,
        super::customers::agreements,
        super::relationships::partner_relationships
    ),
    components(schemas(SeekOperation, AgreementTypeQuery, RelationshipTypeQuery, ServiceCode)),
    servers((url = "/", description = "This Accord")),
    modifiers(&BearerKey, &CustomerLinks),
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

/// OpenAPI links from a page of customers (`items[0].id`) to the operations on one
/// customer, so clients and stateful testing go on with a real customer.
struct CustomerLinks;

impl utoipa::Modify for CustomerLinks {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::link::LinkBuilder;
        use utoipa::openapi::RefOr;
        let Some(list) = doc
            .paths
            .paths
            .get_mut("/v1/customers")
            .and_then(|item| item.get.as_mut())
        else {
            return;
        };
        let Some(RefOr::T(ok)) = list.responses.responses.get_mut("200") else {
            return;
        };
        for (name, operation) in [
            ("GetCustomer", "customer"),
            ("RemoveRelationship", "update_customer"),
            ("GetAgreements", "agreements"),
        ] {
            ok.links.insert(
                name.to_string(),
                RefOr::T(
                    LinkBuilder::new()
                        .operation_id(operation)
                        .parameter("id", "$response.body#/items/0/id")
                        .build(),
                ),
            );
        }
    }
}

/// The OpenAPI document as JSON. utoipa writes a link's fields in snake case
/// (`operation_id`); OpenAPI spells them in camel case.
pub fn document() -> serde_json::Value {
    fn camel(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(links) = map.get_mut("links").and_then(|l| l.as_object_mut()) {
                    for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                        for (from, to) in [
                            ("operation_id", "operationId"),
                            ("operation_ref", "operationRef"),
                            ("request_body", "requestBody"),
                        ] {
                            if let Some(value) = link.remove(from) {
                                link.insert(to.to_string(), value);
                            }
                        }
                    }
                }
                map.values_mut().for_each(camel);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(camel),
            _ => {}
        }
    }
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    camel(&mut doc);
    doc
}

/// `GET /openapi.json`.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document().to_string(),
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
    RawQuery(raw): RawQuery,
) -> Result<Json<RelationshipRequest>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let q: RequestQuery = read_query(raw)?;
    let dap = match q.dap.as_deref() {
        None => true,
        Some(v) => match read_bool(v) {
            Some(true) => true,
            Some(false) => caller.viewer.cloud.requires_dap(),
            None => return Err(ApiError::bad_request("dap must be true or false.")),
        },
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
        attributes: attributes(ObjectType::RelationshipRequest),
    }))
}
