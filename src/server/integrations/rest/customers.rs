//! `/v1/customers…`: the partner's customers a page at a time (with Partner Center's
//! filter and seek paging), one customer, removing the relationship, and the customer's
//! agreements.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use sqlx::Row;
use utoipa::IntoParams;

use super::schema::*;
use super::support::{
    caller, customer_of, read_body, read_path, read_query, ApiError, CONTINUATION_HEADER,
    DEFAULT_PAGE, MAX_PAGE,
};
use crate::domain::{Membership, PartnerRole};
use crate::server::platform::db::rfc3339;
use crate::server::platform::AppState;
use crate::server::relationships::customers::CustomerSummary;
use crate::server::relationships::lifecycle;
use crate::server::relationships::listing::{self, Cursor, CustomerQuery, Search, Seek};

/// A customer in Partner Center's shape; `detail` adds the delegated access fields.
fn customer_json(c: &CustomerSummary, detail: bool) -> Customer {
    Customer {
        id: c.customer_id.clone(),
        company_profile: CompanyProfile {
            tenant_id: c.customer_id.clone(),
            domain: c.domain.clone(),
            company_name: c.name.clone(),
            attributes: attributes(ObjectType::CustomerCompanyProfile),
        },
        relationship_to_partner: match c.removed_at {
            None => RelationshipToPartner::Reseller,
            Some(_) => RelationshipToPartner::None,
        },
        attributes: attributes(ObjectType::Customer),
        allow_delegated_access: detail.then(|| c.has_dap()),
        delegated_admin: detail.then(|| {
            c.dap
                .iter()
                .map(|(service, granted)| DelegatedAdmin {
                    service: *service,
                    granted: granted.is_some(),
                    granted_at: granted.map(rfc3339),
                })
                .collect()
        }),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    /// Customers per page, 1 to 500 (default 100); 0 asks for as many as a page holds (500),
    /// which with `filter` is Partner Center's "every match".
    #[param(value_type = Option<i64>, minimum = 0, maximum = 500)]
    size: Option<String>,
    /// The token of the previous page (`links.next`); also taken from the
    /// `MS-ContinuationToken` header. It keeps the first call's `size` and `filter`.
    #[serde(rename = "continuationToken")]
    #[param(rename = "continuationToken", pattern = "^[A-Za-z0-9_.-]{1,2048}$")]
    continuation_token: Option<String>,
    /// `Next`: the page after the one whose continuation token is sent (Partner Center's
    /// seek call); without a token, the first page.
    #[serde(rename = "seekOperation")]
    #[param(rename = "seekOperation", value_type = Option<SeekOperation>)]
    seek_operation: Option<String>,
    /// Partner Center's customer filter, a JSON object: `{"Field": "Domain" or
    /// "CompanyName", "Value": "…", "Operator": "starts_with"}`.
    /// (The pattern gives the canonical form; property names and values are also read in
    /// any case and order.)
    #[param(
        example = json!(r#"{"Field":"Domain","Value":"fab","Operator":"starts_with"}"#),
        pattern = r#"^\{"Field":"(Domain|CompanyName)","Value":"[^"\\\x00-\x1f]{0,256}","Operator":"starts_with"\}$"#
    )]
    filter: Option<String>,
}

/// Partner Center's customer filter (`Field`, `Value`, `Operator`, any case).
fn read_filter(raw: &str) -> Result<Search, ApiError> {
    let explain = || {
        ApiError::bad_request(
            "filter must be a JSON object such as {\"Field\": \"Domain\", \"Value\": \"fab\", \
             \"Operator\": \"starts_with\"}; Field is Domain or CompanyName.",
        )
    };
    let map = read_body(raw.as_bytes()).map_err(|_| explain())?;
    let text = |name: &str| map.get(name).and_then(|v| v.as_str());
    let value = text("value").ok_or_else(explain)?;
    if value.chars().count() > listing::MAX_SEARCH {
        return Err(ApiError::bad_request(format!(
            "The filter's Value is at most {} characters.",
            listing::MAX_SEARCH
        )));
    }
    match text("operator") {
        Some(op) if op.eq_ignore_ascii_case("starts_with") => {}
        _ => return Err(explain()),
    }
    match text("field") {
        Some(f) if f.eq_ignore_ascii_case("domain") => Ok(Search::Domain(value.to_string())),
        Some(f) if f.eq_ignore_ascii_case("companyname") => Ok(Search::Name(value.to_string())),
        _ => Err(explain()),
    }
}

/// Whether `token` has the shape continuation tokens have (the documented pattern).
fn token_shaped(token: &str) -> bool {
    (1..=2048).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The partner's customers with an active relationship, by name, a page at a time.
///
/// Follow `links.next`: its `uri` is relative to `/v1` (Partner Center's form) and carries
/// the continuation token, which its `headers` carry too; or send `seekOperation=Next`
/// with the token in the `MS-ContinuationToken` header, as Partner Center's SDK does.
#[utoipa::path(
    get,
    path = "/v1/customers",
    params(
        PageQuery,
        ("MS-ContinuationToken" = Option<String>, Header, description = "The continuation token of the previous page", pattern = "^[A-Za-z0-9_.-]{1,2048}$"),
    ),
    responses(
        (status = 200, body = CustomerCollection),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject, description = "The continuation token names no page"),
        (status = 429, body = ErrorObject),
    )
)]
pub(super) async fn customers(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<CustomerCollection>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let q: PageQuery = read_query(raw)?;
    let filter = q.filter.as_deref().map(read_filter).transpose()?;
    let size = match q.size.as_deref() {
        None => None,
        Some(s) => {
            let n = s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "size must be 0 to {MAX_PAGE} (0: as many as a page holds)."
                    ))
                })?;
            Some(if n == 0 { MAX_PAGE } else { n })
        }
    };
    match q.seek_operation.as_deref() {
        None => {}
        Some(op) if op.trim().eq_ignore_ascii_case("next") => {}
        Some(_) => return Err(ApiError::bad_request("seekOperation must be Next.")),
    }
    let token = match q.continuation_token {
        Some(t) => Some(t),
        None => headers
            .get(CONTINUATION_HEADER)
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default()),
    };
    if token.as_deref().is_some_and(|t| !token_shaped(t)) {
        return Err(ApiError::bad_request(
            "A continuation token is what links.next gives: letters, digits, '-', '_' and '.'.",
        ));
    }
    let secret = &state.config.secret_key;
    let partner = &caller.viewer.org_id;
    let (cursor, seek) = match token.as_deref() {
        // Without a token (a seek call too), the listing begins.
        None => {
            let query = CustomerQuery {
                search: filter,
                ..CustomerQuery::default()
            };
            let size = size.unwrap_or(DEFAULT_PAGE);
            let start = Cursor {
                query,
                size,
                offset: 0,
                after: true,
                id: String::new(),
            };
            (start, Seek::First)
        }
        // A token names a page of one of this partner's listings, with the size and filter
        // of the call that began it; anything else names no page.
        Some(t) => {
            let cursor = Cursor::read(t, secret, partner)
                .filter(|c| c.after && c.size <= MAX_PAGE)
                .ok_or_else(|| {
                    ApiError::not_found(
                        "The page of this continuation token (start again without it)",
                    )
                })?;
            let seek = cursor.seek();
            (cursor, seek)
        }
    };
    let page = listing::slice(
        &state.db,
        partner,
        &cursor.query,
        &seek,
        cursor.offset,
        cursor.size,
    )
    .await?;
    let items: Vec<Customer> = page
        .customers
        .iter()
        .map(|c| customer_json(c, false))
        .collect();
    let link = |uri: String, headers: Vec<LinkHeader>| Link {
        uri,
        method: "GET".into(),
        headers,
    };
    let next = match (page.more_after, page.customers.last()) {
        (true, Some(last)) => {
            let token = Cursor {
                offset: page.offset + items.len() as i64,
                id: last.customer_id.clone(),
                after: true,
                ..cursor.clone()
            }
            .token(secret, partner);
            Some(link(
                format!(
                    "/customers?size={}&seekOperation=Next&continuationToken={token}",
                    cursor.size
                ),
                vec![LinkHeader {
                    key: CONTINUATION_HEADER.into(),
                    value: token,
                }],
            ))
        }
        _ => None,
    };
    Ok(Json(CustomerCollection {
        total_count: page.total,
        items,
        links: Links {
            this: link(format!("/customers?size={}", cursor.size), Vec::new()),
            next,
        },
        attributes: attributes(ObjectType::Collection),
    }))
}

/// One customer of the partner, with its delegated access.
#[utoipa::path(
    get,
    path = "/v1/customers/{id}",
    params(("id" = String, Path, description = "The customer's tenant id (any case)")),
    responses(
        (status = 200, body = Customer),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
pub(super) async fn customer(
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
/// delegated admin privileges already granted stay. Repeating it changes nothing. Property
/// names and values are read regardless of case, and other properties (`links`) are
/// ignored, as Partner Center does.
#[utoipa::path(
    patch,
    path = "/v1/customers/{id}",
    params(("id" = String, Path, description = "The customer's tenant id (any case)")),
    request_body = CustomerUpdate,
    responses(
        (status = 200, body = Customer),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
pub(super) async fn update_customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Result<Json<Customer>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let id = read_path(id)?;
    let update = read_body(&body).map_err(|_| {
        ApiError::bad_request(
            "The body must be a JSON object with relationshipToPartner (a string).",
        )
    })?;
    match update.get("relationshiptopartner").and_then(|v| v.as_str()) {
        Some(v) if v.eq_ignore_ascii_case("none") => {}
        _ => return Err(ApiError::bad_request(
            "Only {\"relationshipToPartner\": \"none\"} can be set: it removes the relationship.",
        )),
    }
    use serde_json::Value;
    let object_type_ok = match update.get("attributes") {
        None | Some(Value::Null) => true,
        Some(Value::Object(a)) => match a.get("objecttype") {
            None | Some(Value::Null) => true,
            Some(Value::String(t)) => t.eq_ignore_ascii_case("customer"),
            Some(_) => false,
        },
        Some(_) => false,
    };
    if !object_type_ok {
        return Err(ApiError::bad_request(
            "attributes must be an object whose objectType is Customer.",
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AgreementsQuery {
    /// `MicrosoftCustomerAgreement` (the only kind Accord records), `MicrosoftCloudAgreement`
    /// (none) or `All` (the default); any case.
    #[serde(rename = "agreementType")]
    #[param(rename = "agreementType", value_type = Option<AgreementTypeQuery>)]
    agreement_type: Option<String>,
}

/// The customer's agreement acceptances.
#[utoipa::path(
    get,
    path = "/v1/customers/{id}/agreements",
    params(
        ("id" = String, Path, description = "The customer's tenant id (any case)"),
        AgreementsQuery,
    ),
    responses(
        (status = 200, body = AgreementCollection),
        (status = 400, body = ErrorObject),
        (status = 401, body = ErrorObject),
        (status = 404, body = ErrorObject),
        (status = 429, body = ErrorObject),
    )
)]
pub(super) async fn agreements(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<AgreementCollection>, ApiError> {
    let caller = caller(&state, &headers).await?;
    let id = read_path(id)?;
    let q: AgreementsQuery = read_query(raw)?;
    let wanted =
        match q.agreement_type.as_deref().map(str::trim) {
            None => true,
            Some(t) if t.eq_ignore_ascii_case("all") => true,
            Some(t) if t.eq_ignore_ascii_case("MicrosoftCustomerAgreement") => true,
            Some(t) if t.eq_ignore_ascii_case("MicrosoftCloudAgreement") => false,
            Some(_) => return Err(ApiError::bad_request(
                "agreementType must be MicrosoftCustomerAgreement, MicrosoftCloudAgreement or All.",
            )),
        };
    customer_of(&state, &caller, &id).await?;
    let rows = if wanted {
        sqlx::query(
            "SELECT a.signer_first_name, a.signer_last_name, a.signer_email, a.signer_phone,
                    a.accepted_at, g.template_id, g.link
             FROM agreement_acceptances a JOIN agreements g ON g.id = a.agreement_id
             WHERE a.customer_org_id = $1 ORDER BY a.accepted_at, a.id",
        )
        .bind(&id)
        .fetch_all(&state.db.pool)
        .await?
    } else {
        Vec::new()
    };
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
                kind: AgreementType::MicrosoftCustomerAgreement,
                agreement_link: r.try_get("link")?,
            })
        })
        .collect::<Result<Vec<Agreement>, sqlx::Error>>()?;
    Ok(Json(AgreementCollection {
        total_count: items.len() as i64,
        items,
        attributes: attributes(ObjectType::Collection),
    }))
}
