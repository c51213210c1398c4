//! The region rule between a partner and a customer organization: a partner reaches customers
//! in its own country or its market region (the `country_regions` table). A country without
//! a region is a region of its own.

use sqlx::Row;

use crate::domain::Refusal;
use crate::error::AppError;
use crate::server::identity::partners::Partner;

/// Where a partner can find customers: its country, and its market region if the country
/// has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub country: String,
    pub region: Option<String>,
}

async fn region_of(
    conn: &mut sqlx::AnyConnection,
    country: &str,
) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query("SELECT region FROM country_regions WHERE country = $1")
            .bind(country)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get::<String, _>("region"))
            .transpose()?,
    )
}

/// The partner's reach, as the create-organization page says it.
pub async fn reach(conn: &mut sqlx::AnyConnection, partner: &Partner) -> Result<Reach, AppError> {
    Ok(Reach {
        country: partner.country.clone(),
        region: region_of(conn, &partner.country).await?,
    })
}

/// Whether a partner in `from` (a country code) reaches `to`: the same country, or the same
/// market region. `Err` holds where each is: the partner's region (or country) and `to`'s.
pub async fn reaches(
    conn: &mut sqlx::AnyConnection,
    from: &str,
    to: &str,
) -> Result<Result<(), (String, String)>, AppError> {
    if from == to {
        return Ok(Ok(()));
    }
    let from_region = region_of(conn, from).await?;
    let to_region = region_of(conn, to).await?;
    if from_region.is_some() && from_region == to_region {
        return Ok(Ok(()));
    }
    Ok(Err((
        from_region.unwrap_or_else(|| from.to_string()),
        to_region.unwrap_or_else(|| to.to_string()),
    )))
}

/// The region rule for an organization in `country` (a country code), checked before an
/// organization is created for the partner's invitation.
pub async fn check_country(
    conn: &mut sqlx::AnyConnection,
    partner: &Partner,
    country: &str,
) -> Result<(), AppError> {
    match reaches(conn, &partner.country, country).await? {
        Ok(()) => Ok(()),
        Err((partner_region, customer_region)) => Err(AppError::Refused(Refusal::OtherRegion {
            partner: partner.name.clone(),
            partner_region,
            customer_region,
        })),
    }
}

/// The region rule for an existing customer organization (checked on the acceptance page,
/// and again in the acceptance transaction).
pub async fn check_region(
    conn: &mut sqlx::AnyConnection,
    partner: &Partner,
    customer_org_id: &str,
) -> Result<(), AppError> {
    let country: String = sqlx::query("SELECT country FROM customer_orgs WHERE id = $1")
        .bind(customer_org_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::Refused(Refusal::UnknownPartner))?
        .try_get("country")?;
    check_country(conn, partner, &country).await
}
