//! `/v1/relationships`: the indirect partners the partner is connected with, as Partner
//! Center's "Retrieve a list of indirect resellers / indirect providers" answer them
//! (https://learn.microsoft.com/partner-center/developer/retrieve-a-list-of-indirect-resellers,
//! …/get-indirect-resellers-of-a-customer): signed in as an indirect provider,
//! `IsIndirectCloudSolutionProviderOf` lists your indirect resellers; signed in as an
//! indirect reseller, `IsIndirectResellerOf` lists your indirect providers.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema::*;
use super::support::{caller, read_query, ApiError};
use crate::domain::{ConnectionState, Membership, Problem, ProgramType};
use crate::error::AppError;
use crate::server::platform::AppState;
use crate::server::relationships::indirect;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RelationshipsQuery {
    /// Signed in as an indirect provider, `IsIndirectCloudSolutionProviderOf` (your
    /// indirect resellers); as an indirect reseller, `IsIndirectResellerOf` (your indirect
    /// providers). Any case; the snake-case spelling is read too.
    #[param(required = true, value_type = RelationshipTypeQuery)]
    relationship_type: Option<String>,
}

/// Which relationship type `raw` names, in any case and in Partner Center's PascalCase or
/// snake-case spelling.
fn read_type(raw: &str) -> Option<RelationshipType> {
    let folded: String = raw
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    match folded.trim() {
        "isindirectcloudsolutionproviderof" => {
            Some(RelationshipType::IsIndirectCloudSolutionProviderOf)
        }
        "isindirectresellerof" => Some(RelationshipType::IsIndirectResellerOf),
        _ => None,
    }
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
pub(super) async fn partner_relationships(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<PartnerRelationshipCollection>, ApiError> {
    use RelationshipType::{
        IsIndirectCloudSolutionProviderOf as ProviderOf, IsIndirectResellerOf as ResellerOf,
    };
    let caller = caller(&state, &headers).await?;
    let q: RelationshipsQuery = read_query(raw)?;
    let kind = q
        .relationship_type
        .as_deref()
        .and_then(read_type)
        .ok_or_else(|| {
            ApiError::bad_request(
            "relationship_type must be IsIndirectCloudSolutionProviderOf (an indirect provider's \
             resellers) or IsIndirectResellerOf (an indirect reseller's providers).",
        )
        })?;
    let program = match caller.viewer.membership {
        Membership::Partner { program, .. } => program,
        Membership::Customer { .. } => return Err(AppError::Forbidden(Problem::PartnerOnly).into()),
    };
    let connections =
        match (kind, program) {
            (ProviderOf, ProgramType::IndirectProvider) => {
                indirect::of_provider(&state.db, &caller.viewer.org_id).await?
            }
            (ResellerOf, ProgramType::IndirectReseller) => {
                indirect::of_reseller(&state.db, &caller.viewer.org_id).await?
            }
            (ResellerOf, ProgramType::IndirectProvider) => return Err(ApiError::bad_request(
                "Signed in as an indirect provider, ask for IsIndirectCloudSolutionProviderOf: \
                 it lists your indirect resellers.",
            )),
            (ProviderOf, ProgramType::IndirectReseller) => return Err(ApiError::bad_request(
                "Signed in as an indirect reseller, ask for IsIndirectResellerOf: it lists your \
                 indirect providers.",
            )),
            // A direct partner has no indirect partners.
            (_, ProgramType::Direct) => Vec::new(),
        };
    let items: Vec<PartnerRelationship> = connections
        .iter()
        .filter(|c| c.state == ConnectionState::Connected)
        .map(|c| {
            let (id, name, mpn, location) = match program {
                ProgramType::IndirectReseller => (
                    &c.provider_org_id,
                    &c.provider_name,
                    c.provider_mspp_id,
                    &c.provider_country,
                ),
                _ => (
                    &c.reseller_org_id,
                    &c.reseller_name,
                    c.reseller_mspp_id,
                    &c.reseller_country,
                ),
            };
            PartnerRelationship {
                id: id.clone(),
                name: name.clone(),
                relationship_type: kind,
                state: RelationshipState::Active,
                mpn_id: mpn.to_string(),
                location: location.clone(),
                attributes: attributes(ObjectType::PartnerRelationship),
            }
        })
        .collect();
    Ok(Json(PartnerRelationshipCollection {
        total_count: items.len() as i64,
        items,
        attributes: attributes(ObjectType::Collection),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_types_are_read_in_every_spelling() {
        use RelationshipType::*;
        for raw in [
            "IsIndirectCloudSolutionProviderOf",
            "isindirectcloudsolutionproviderof",
            "is_indirect_cloud_solution_provider_of",
        ] {
            assert_eq!(
                read_type(raw),
                Some(IsIndirectCloudSolutionProviderOf),
                "{raw}"
            );
        }
        assert_eq!(
            read_type("IS_INDIRECT_RESELLER_OF"),
            Some(IsIndirectResellerOf)
        );
        assert_eq!(read_type("Reseller"), None);
    }
}
