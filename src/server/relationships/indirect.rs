//! The indirect channel: an indirect reseller connects with an indirect provider of its
//! cloud (by the provider's partner id); the provider accepts, declines, or later ends the
//! connection. Connected, the reseller invites customers with one link that makes both
//! partners the customer's partners (see `handshake`).
//!
//! Every change is one transaction, with an entry in each partner's activity log, and
//! answers the same when repeated.

use sqlx::{Any, Row, Transaction};

use super::regions;
use crate::domain::{ConnectionState, Facts, PartnerRole, Problem, ProgramType, Viewer};
use crate::error::AppError;
use crate::server::events::{self, Event};
use crate::server::identity::partners::{self, Partner};
use crate::server::platform::db::{new_id, now, Db};

/// One connection as either partner's page shows it: the other partner and the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub reseller_org_id: String,
    pub reseller_name: String,
    pub reseller_mspp_id: i64,
    pub provider_org_id: String,
    pub provider_name: String,
    pub provider_mspp_id: i64,
    /// Where each partner is (an ISO country code, upper case).
    pub reseller_country: String,
    pub provider_country: String,
    pub state: ConnectionState,
    pub requested_at: i64,
    /// When the state last changed.
    pub changed_at: i64,
}

/// The viewer's role in the indirect channel, if they may act in it: Global admins and
/// Admin agents of an approved partner of the given program.
fn check_actor(actor: &Viewer, program: ProgramType) -> Result<(), AppError> {
    let Some(role) = actor.partner_role() else {
        return Err(AppError::Forbidden(Problem::PartnerOnly));
    };
    let actual = match actor.membership {
        crate::domain::Membership::Partner { program, .. } => program,
        crate::domain::Membership::Customer { .. } => unreachable!("a partner role"),
    };
    if actual != program {
        return Err(AppError::Forbidden(match program {
            ProgramType::IndirectProvider => Problem::IndirectProviderOnly,
            _ => Problem::IndirectResellerOnly,
        }));
    }
    if !matches!(role, PartnerRole::GlobalAdmin | PartnerRole::AdminAgent) {
        return Err(AppError::Forbidden(Problem::IndirectRole));
    }
    if actor.awaiting_approval() {
        return Err(AppError::Forbidden(Problem::AwaitingApproval));
    }
    Ok(())
}

const SELECT: &str =
    "SELECT c.reseller_org_id, r.name AS reseller_name, r.mspp_id AS reseller_mspp_id,
        c.provider_org_id, p.name AS provider_name, p.mspp_id AS provider_mspp_id,
        r.country AS reseller_country, p.country AS provider_country, c.state, c.requested_at, c.changed_at
 FROM indirect_connections c
 JOIN partner_orgs r ON r.id = c.reseller_org_id
 JOIN partner_orgs p ON p.id = c.provider_org_id";

fn connection(row: &sqlx::any::AnyRow) -> Result<Connection, AppError> {
    Ok(Connection {
        reseller_org_id: row.try_get("reseller_org_id")?,
        reseller_name: row.try_get("reseller_name")?,
        reseller_mspp_id: row.try_get("reseller_mspp_id")?,
        provider_org_id: row.try_get("provider_org_id")?,
        provider_name: row.try_get("provider_name")?,
        provider_mspp_id: row.try_get("provider_mspp_id")?,
        reseller_country: row.try_get::<String, _>("reseller_country")?.to_uppercase(),
        provider_country: row.try_get::<String, _>("provider_country")?.to_uppercase(),
        state: row
            .try_get::<String, _>("state")?
            .parse()
            .map_err(|_| AppError::Internal)?,
        requested_at: row.try_get("requested_at")?,
        changed_at: row.try_get("changed_at")?,
    })
}

/// The reseller's connections with providers, by provider name.
pub async fn of_reseller(db: &Db, reseller_org_id: &str) -> Result<Vec<Connection>, AppError> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE c.reseller_org_id = $1 ORDER BY lower(p.name), p.id"
    ))
    .bind(reseller_org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(connection).collect()
}

/// The provider's connections with resellers: open requests first, then by name.
pub async fn of_provider(db: &Db, provider_org_id: &str) -> Result<Vec<Connection>, AppError> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE c.provider_org_id = $1
         ORDER BY CASE c.state WHEN 'requested' THEN 0 ELSE 1 END, lower(r.name), r.id"
    ))
    .bind(provider_org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(connection).collect()
}

/// The provider `provider_org_id`, if the reseller is connected with it now.
pub async fn connected_provider<'c, E>(
    executor: E,
    reseller_org_id: &str,
    provider_org_id: &str,
) -> Result<Option<Partner>, AppError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let row = sqlx::query(
        "SELECT p.id, p.name, p.cloud, p.country, p.program_type, p.mspp_id,
                p.link_secret_version, p.approved_at
         FROM indirect_connections c JOIN partner_orgs p ON p.id = c.provider_org_id
         WHERE c.reseller_org_id = $1 AND c.provider_org_id = $2 AND c.state = 'connected'
           AND p.approved_at IS NOT NULL",
    )
    .bind(reseller_org_id)
    .bind(provider_org_id)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(Partner::from_row).transpose()
}

/// Serializes changes of one pair: SQLite holds its write lock already; on PostgreSQL the
/// reseller's row is locked first, by every change.
async fn lock_reseller(tx: &mut Transaction<'_, Any>, reseller: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE partner_orgs SET id = id WHERE id = $1")
        .bind(reseller)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn state_of(
    tx: &mut Transaction<'_, Any>,
    reseller: &str,
    provider: &str,
) -> Result<Option<ConnectionState>, AppError> {
    let row = sqlx::query(
        "SELECT state FROM indirect_connections WHERE reseller_org_id = $1 AND provider_org_id = $2",
    )
    .bind(reseller)
    .bind(provider)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        r.try_get::<String, _>("state")?
            .parse()
            .map_err(|_| AppError::Internal)
    })
    .transpose()
}

/// One entry in each partner's log.
async fn log_both(
    tx: &mut Transaction<'_, Any>,
    actor: &Viewer,
    reseller: &str,
    provider: &str,
    action: &str,
    facts: Facts,
) -> Result<(), AppError> {
    for org in [reseller, provider] {
        events::record(
            tx,
            Event::by(actor).partner(org).action(action, facts.clone()),
        )
        .await?;
    }
    Ok(())
}

/// What asking a provider to connect did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// Asked now (first time, or again after a decline or an end).
    Asked { provider: String },
    /// Asked before and not answered yet, or already connected: nothing changed.
    Unchanged {
        provider: String,
        state: ConnectionState,
    },
}

/// An indirect reseller asks the indirect provider with partner id `mspp_id` (of its own
/// cloud) to connect.
pub async fn request(db: &Db, actor: &Viewer, mspp_id: &str) -> Result<Requested, AppError> {
    check_actor(actor, ProgramType::IndirectReseller)?;
    let mspp_id = crate::domain::parse_partner_id(ProgramType::IndirectProvider, mspp_id)
        .map_err(AppError::Invalid)?;
    let reseller = actor.org_id.as_str();
    let at = now();
    let mut tx = db.begin_write().await?;
    lock_reseller(&mut tx, reseller).await?;
    let provider = sqlx::query(
        "SELECT id, name, country FROM partner_orgs
         WHERE mspp_id = $1 AND program_type = 'indirect_provider' AND cloud = $2
           AND approved_at IS NOT NULL",
    )
    .bind(mspp_id)
    .bind(actor.cloud.code())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(provider) = provider else {
        tx.rollback().await?;
        return Err(AppError::Invalid(Problem::UnknownProvider));
    };
    let provider_id: String = provider.try_get("id")?;
    let provider_name: String = provider.try_get("name")?;
    // A provider that could never serve the reseller's customers (the region rule) is not
    // asked: every combined link of the two would be refused.
    let provider_country: String = provider.try_get("country")?;
    let reseller_country: String = sqlx::query("SELECT country FROM partner_orgs WHERE id = $1")
        .bind(reseller)
        .fetch_one(&mut *tx)
        .await?
        .try_get("country")?;
    if let Err((reach, country)) =
        regions::reaches(&mut tx, &provider_country, &reseller_country).await?
    {
        tx.rollback().await?;
        return Err(AppError::Invalid(Problem::ProviderOutsideReach {
            provider: provider_name.into(),
            reach: reach.into(),
            country: country.into(),
        }));
    }
    match state_of(&mut tx, reseller, &provider_id).await? {
        Some(state @ (ConnectionState::Requested | ConnectionState::Connected)) => {
            tx.rollback().await?;
            return Ok(Requested::Unchanged {
                provider: provider_name,
                state,
            });
        }
        Some(_) => {
            sqlx::query(
                "UPDATE indirect_connections
                 SET state = 'requested', requested_at = $1, requested_by_user_id = $2,
                     changed_at = $1, changed_by_user_id = $2
                 WHERE reseller_org_id = $3 AND provider_org_id = $4",
            )
            .bind(at)
            .bind(&actor.user_id)
            .bind(reseller)
            .bind(&provider_id)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO indirect_connections (id, reseller_org_id, provider_org_id, state,
                     requested_at, requested_by_user_id, changed_at, changed_by_user_id)
                 VALUES ($1, $2, $3, 'requested', $4, $5, $4, $5)",
            )
            .bind(new_id())
            .bind(reseller)
            .bind(&provider_id)
            .bind(at)
            .bind(&actor.user_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    log_both(
        &mut tx,
        actor,
        reseller,
        &provider_id,
        "indirect.requested",
        Facts {
            org: Some(provider_name.clone()),
            ..Facts::by(&actor.org_name)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Requested::Asked {
        provider: provider_name,
    })
}

/// What the provider decides about a reseller's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Decline,
    /// Ends a connection: the reseller's links naming the provider stop working;
    /// relationships with customers already made stay.
    End,
}

impl std::str::FromStr for Decision {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        match s {
            "accept" => Ok(Decision::Accept),
            "decline" => Ok(Decision::Decline),
            "end" => Ok(Decision::End),
            _ => Err(Problem::Malformed),
        }
    }
}

/// The provider's answer to a reseller: accept or decline a request, or end a connection.
/// Answers the state after the decision; repeating a decision changes nothing.
pub async fn decide(
    db: &Db,
    actor: &Viewer,
    reseller_org_id: &str,
    decision: Decision,
) -> Result<ConnectionState, AppError> {
    check_actor(actor, ProgramType::IndirectProvider)?;
    let provider = actor.org_id.as_str();
    let at = now();
    let mut tx = db.begin_write().await?;
    lock_reseller(&mut tx, reseller_org_id).await?;
    let Some(state) = state_of(&mut tx, reseller_org_id, provider).await? else {
        tx.rollback().await?;
        return Err(AppError::Forbidden(Problem::NotYourReseller));
    };
    use ConnectionState::*;
    let next = match (decision, state) {
        (Decision::Accept, Requested) => Connected,
        (Decision::Decline, Requested) => Declined,
        (Decision::End, Connected) => Ended,
        // The same decision again: already so.
        (Decision::Accept, Connected)
        | (Decision::Decline, Declined)
        | (Decision::End, Ended | Declined) => {
            tx.rollback().await?;
            return Ok(state);
        }
        _ => {
            tx.rollback().await?;
            return Err(AppError::Conflict(Problem::ConnectionChanged));
        }
    };
    sqlx::query(
        "UPDATE indirect_connections SET state = $1, changed_at = $2, changed_by_user_id = $3
         WHERE reseller_org_id = $4 AND provider_org_id = $5",
    )
    .bind(next.code())
    .bind(at)
    .bind(&actor.user_id)
    .bind(reseller_org_id)
    .bind(provider)
    .execute(&mut *tx)
    .await?;
    let reseller = partners::partner_name(&mut tx, reseller_org_id).await?;
    let action = match next {
        Connected => "indirect.connected",
        Declined => "indirect.declined",
        _ => "indirect.ended",
    };
    let facts = Facts {
        org: Some(reseller),
        ..Facts::by(&actor.org_name)
    };
    log_both(&mut tx, actor, reseller_org_id, provider, action, facts).await?;
    tx.commit().await?;
    Ok(next)
}
