//! The API's request and response bodies in Partner Center's shapes, as the OpenAPI
//! document describes them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `attributes` of every Partner Center object: its type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attributes {
    #[serde(rename = "objectType")]
    pub object_type: String,
}

pub(super) fn attributes(kind: &str) -> Attributes {
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
