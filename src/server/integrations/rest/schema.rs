//! The API's request and response bodies in Partner Center's shapes, as the OpenAPI
//! document describes them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The types of Partner Center objects the API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ObjectType {
    Customer,
    CustomerCompanyProfile,
    Collection,
    RelationshipRequest,
    PartnerRelationship,
}

/// `attributes` of every Partner Center object: its type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attributes {
    #[serde(rename = "objectType")]
    pub object_type: ObjectType,
}

pub(super) fn attributes(kind: ObjectType) -> Attributes {
    Attributes { object_type: kind }
}

/// `attributes` of a request body: Partner Center's clients send `Customer` (or nothing).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerAttributes {
    #[serde(rename = "objectType")]
    #[schema(pattern = "^[Cc][Uu][Ss][Tt][Oo][Mm][Ee][Rr]$")]
    pub object_type: Option<String>,
}

/// A customer's relationship to the partner: `reseller`, or `none` once removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RelationshipToPartner {
    Reseller,
    None,
}

/// A service delegated admin privileges are given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ServiceCode {
    #[serde(rename = "azure_ad")]
    AzureAd,
    #[serde(rename = "office_365")]
    Office365,
}

/// The paging operation of Partner Center's seek call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SeekOperation {
    Next,
}

/// The kind of an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AgreementType {
    MicrosoftCustomerAgreement,
}

/// The kinds of agreement a listing can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AgreementTypeQuery {
    All,
    MicrosoftCustomerAgreement,
    MicrosoftCloudAgreement,
}

/// Which indirect partners `GET /v1/relationships` lists, as Partner Center names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum RelationshipTypeQuery {
    /// Signed in as an indirect provider: your indirect resellers.
    IsIndirectCloudSolutionProviderOf,
    /// Signed in as an indirect reseller: your indirect providers.
    IsIndirectResellerOf,
}

/// A relationship's type as Partner Center answers it (snake case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationshipType {
    IsIndirectCloudSolutionProviderOf,
    IsIndirectResellerOf,
}

/// The state of an indirect relationship the API lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum RelationshipState {
    Active,
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
    #[schema(value_type = ServiceCode)]
    pub service: crate::domain::Service,
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
    pub relationship_to_partner: RelationshipToPartner,
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
/// relationship. Property names and values are read regardless of case (Partner Center's
/// SDK sends `{"RelationshipToPartner": "None", "Attributes": {"ObjectType": "Customer"}}`),
/// other properties are ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUpdate {
    /// `none` (any case): the only change the API makes.
    #[schema(pattern = "^[Nn][Oo][Nn][Ee]$")]
    pub relationship_to_partner: String,
    pub attributes: Option<CustomerAttributes>,
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
    #[serde(rename = "type")]
    pub kind: AgreementType,
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
    pub relationship_type: RelationshipType,
    pub state: RelationshipState,
    pub mpn_id: String,
    /// Where the partner is (ISO 3166 country code).
    pub location: String,
    pub attributes: Attributes,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerRelationshipCollection {
    pub total_count: i64,
    pub items: Vec<PartnerRelationship>,
    pub attributes: Attributes,
}
