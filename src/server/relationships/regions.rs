//! The region rule between a partner and a customer organization.

use sqlx::Row;

use crate::domain::Refusal;
use crate::error::AppError;
use crate::server::identity::partners::Partner;

/// The region rule: a partner reaches customers in its own country or its market region
/// (the `country_regions` table). A country without a region is a region of its own.
pub async fn check_region(
    conn: &mut sqlx::AnyConnection,
    partner: &Partner,
    customer_org_id: &str,
) -> Result<(), AppError> {
    let row = sqlx::query(
        "SELECT p.country AS p_country, c.country AS c_country,
                (SELECT region FROM country_regions WHERE country = p.country) AS p_region,
                (SELECT region FROM country_regions WHERE country = c.country) AS c_region
         FROM partner_orgs p CROSS JOIN customer_orgs c
         WHERE p.id = $1 AND c.id = $2",
    )
    .bind(&partner.id)
    .bind(customer_org_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::Refused(Refusal::UnknownPartner))?;
    let p_country: String = row.try_get("p_country")?;
    let c_country: String = row.try_get("c_country")?;
    let p_region: Option<String> = row.try_get("p_region")?;
    let c_region: Option<String> = row.try_get("c_region")?;
    if p_country == c_country || (p_region.is_some() && p_region == c_region) {
        return Ok(());
    }
    Err(AppError::Refused(Refusal::OtherRegion {
        partner: partner.name.clone(),
        partner_region: p_region.unwrap_or(p_country),
        customer_region: c_region.unwrap_or(c_country),
    }))
}
