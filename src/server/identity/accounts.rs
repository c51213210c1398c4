//! Organizations, users, sign-up and sign-in.

use sqlx::{Any, Row, Transaction};

use super::passwords;
use super::sessions::SignedIn;
use crate::domain::{
    check_password, normalize_domain, normalize_email, parse_country, parse_partner_id,
    required_text, Cloud, CustomerRole, Field, Membership, PartnerRole, Problem, ProgramType,
    Viewer,
};
use crate::error::AppError;
use crate::server::platform::db::{is_unique_violation, new_id, now, Db};

/// What the partner sign-up form sends.
#[derive(Debug, Clone)]
pub struct PartnerSignUp {
    pub org_name: String,
    pub country: String,
    pub cloud: String,
    pub program: String,
    pub partner_id: String,
    pub admin_name: String,
    pub email: String,
    pub password: String,
}

/// A new organization and its first Global admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub org_id: String,
    pub user_id: String,
}

/// Creates a partner organization with its first Global admin, all or nothing, approved at
/// once (demo data, tests; sign-up from the web goes through `sign_up_partner_with`).
pub async fn sign_up_partner(db: &Db, input: PartnerSignUp) -> Result<Created, AppError> {
    sign_up_partner_with(db, input, true).await
}

/// Creates a partner organization with its first Global admin, all or nothing; unless
/// `approved`, it cannot invite until an operator approves it (`accord partners approve`).
pub async fn sign_up_partner_with(
    db: &Db,
    input: PartnerSignUp,
    approved: bool,
) -> Result<Created, AppError> {
    let org_name =
        required_text(&input.org_name, Field::OrgName, 120).map_err(AppError::Invalid)?;
    let country = parse_country(&input.country).map_err(AppError::Invalid)?;
    let cloud: Cloud = input
        .cloud
        .parse()
        .map_err(|_| AppError::Invalid(Problem::Cloud))?;
    let program: ProgramType = input
        .program
        .parse()
        .map_err(|_| AppError::Invalid(Problem::Program))?;
    let mspp_id = parse_partner_id(program, &input.partner_id).map_err(AppError::Invalid)?;
    let admin = NewUser::checked(&input.admin_name, &input.email, input.password).await?;

    let org_id = new_id();
    let at = now();
    let mut tx = db.begin_write().await?;
    refuse_taken_email(&mut tx, &admin.email).await?;
    if mspp_id != 0 {
        let taken = sqlx::query("SELECT 1 FROM partner_orgs WHERE mspp_id = $1")
            .bind(mspp_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if taken {
            return Err(AppError::Conflict(Problem::PartnerIdTaken));
        }
    }
    sqlx::query(
        "INSERT INTO partner_orgs (id, name, country, cloud, program_type, mspp_id, created_at,
                                   approved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&org_id)
    .bind(&org_name)
    .bind(&country)
    .bind(cloud.code())
    .bind(program.code())
    .bind(mspp_id)
    .bind(at)
    .bind(approved.then_some(at))
    .execute(&mut *tx)
    .await
    .map_err(raced)?;
    let user_id = admin
        .insert(
            &mut tx,
            Org::Partner(&org_id),
            PartnerRole::GlobalAdmin.code(),
        )
        .await?;
    tx.commit().await.map_err(raced)?;
    tracing::info!(org = %org_id, "partner organization created");
    Ok(Created { org_id, user_id })
}

/// What the customer sign-up form on an invitation page sends.
#[derive(Debug, Clone)]
pub struct CustomerSignUp {
    pub company: String,
    pub domain: String,
    pub country: String,
    pub admin_name: String,
    pub email: String,
    pub password: String,
}

/// Creates a customer organization in `cloud` with its first Global admin, all or nothing.
pub async fn sign_up_customer(
    db: &Db,
    cloud: Cloud,
    input: CustomerSignUp,
) -> Result<Created, AppError> {
    let company =
        required_text(&input.company, Field::CompanyName, 120).map_err(AppError::Invalid)?;
    let domain = normalize_domain(&input.domain).map_err(AppError::Invalid)?;
    let country = parse_country(&input.country).map_err(AppError::Invalid)?;
    let admin = NewUser::checked(&input.admin_name, &input.email, input.password).await?;
    let org_id = new_id();
    let at = now();
    let mut tx = db.begin_write().await?;
    refuse_taken_email(&mut tx, &admin.email).await?;
    let domain_taken = sqlx::query("SELECT 1 FROM customer_orgs WHERE domain = $1")
        .bind(&domain)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if domain_taken {
        return Err(AppError::Conflict(Problem::DomainTaken(domain.into())));
    }
    sqlx::query(
        "INSERT INTO customer_orgs (id, name, domain, country, cloud, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&org_id)
    .bind(&company)
    .bind(&domain)
    .bind(&country)
    .bind(cloud.code())
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(raced)?;
    let user_id = admin
        .insert(
            &mut tx,
            Org::Customer(&org_id),
            CustomerRole::GlobalAdmin.code(),
        )
        .await?;
    tx.commit().await.map_err(raced)?;
    tracing::info!(org = %org_id, "customer organization created");
    Ok(Created { org_id, user_id })
}

/// Adds a user to an existing partner organization (demo data and tests; the
/// user-management page builds on it).
pub async fn add_partner_user(
    db: &Db,
    org_id: &str,
    name: &str,
    email: &str,
    password: String,
    role: PartnerRole,
) -> Result<String, AppError> {
    add_user(db, Org::Partner(org_id), name, email, password, role.code()).await
}

/// Adds a user to an existing customer organization.
pub async fn add_customer_user(
    db: &Db,
    org_id: &str,
    name: &str,
    email: &str,
    password: String,
    role: CustomerRole,
) -> Result<String, AppError> {
    add_user(
        db,
        Org::Customer(org_id),
        name,
        email,
        password,
        role.code(),
    )
    .await
}

async fn add_user(
    db: &Db,
    org: Org<'_>,
    name: &str,
    email: &str,
    password: String,
    role: &str,
) -> Result<String, AppError> {
    let user = NewUser::checked(name, email, password).await?;
    let mut tx = db.begin_write().await?;
    refuse_taken_email(&mut tx, &user.email).await?;
    let id = user.insert(&mut tx, org, role).await?;
    tx.commit().await.map_err(raced)?;
    Ok(id)
}

/// The organization a user belongs to.
#[derive(Clone, Copy)]
pub(super) enum Org<'a> {
    Partner(&'a str),
    Customer(&'a str),
}

/// A validated user with a hashed password (or none yet: empty), ready to insert.
pub(super) struct NewUser {
    pub(super) name: String,
    pub(super) email: String,
    password_hash: String,
}

impl NewUser {
    async fn checked(name: &str, email: &str, password: String) -> Result<NewUser, AppError> {
        let name = required_text(name, Field::YourName, 120).map_err(AppError::Invalid)?;
        let email = normalize_email(email).map_err(AppError::Invalid)?;
        check_password(&password).map_err(AppError::Invalid)?;
        Ok(NewUser {
            name,
            email,
            password_hash: passwords::hash(password).await?,
        })
    }

    /// A user added by an admin: no password until they set one through their link.
    pub(super) fn invited(name: &str, email: &str, field: Field) -> Result<NewUser, AppError> {
        Ok(NewUser {
            name: required_text(name, field, 120).map_err(AppError::Invalid)?,
            email: normalize_email(email).map_err(AppError::Invalid)?,
            password_hash: String::new(),
        })
    }

    pub(super) async fn insert(
        &self,
        tx: &mut Transaction<'_, Any>,
        org: Org<'_>,
        role: &str,
    ) -> Result<String, AppError> {
        let (partner, customer) = match org {
            Org::Partner(id) => (Some(id), None),
            Org::Customer(id) => (None, Some(id)),
        };
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, partner_org_id, customer_org_id, role, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&self.email)
        .bind(&self.name)
        .bind(&self.password_hash)
        .bind(partner)
        .bind(customer)
        .bind(role)
        .bind(now())
        .execute(&mut **tx)
        .await
        .map_err(raced)?;
        Ok(id)
    }
}

pub(super) async fn refuse_taken_email(
    tx: &mut Transaction<'_, Any>,
    email: &str,
) -> Result<(), AppError> {
    let taken = sqlx::query("SELECT 1 FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
    if taken {
        return Err(AppError::Conflict(Problem::EmailTaken));
    }
    Ok(())
}

/// A unique violation here means a concurrent sign-up with the same email, domain or partner
/// id committed first.
pub(super) fn raced(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict(Problem::RegisteredMomentAgo)
    } else {
        e.into()
    }
}

/// Checks an email and password; the error never says which of the two was wrong.
pub async fn authenticate(db: &Db, email: &str, password: String) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let row =
        sqlx::query("SELECT id, password_hash FROM users WHERE email = $1 AND removed_at IS NULL")
            .bind(&email)
            .fetch_optional(&db.pool)
            .await?;
    let (user_id, stored) = match row {
        Some(r) => (
            Some(r.try_get::<String, _>("id")?),
            // A user who has not set a password yet has none (and gets the same work).
            Some(r.try_get::<String, _>("password_hash")?).filter(|h| !h.is_empty()),
        ),
        None => (None, None),
    };
    match (passwords::verify(password, stored).await?, user_id) {
        (true, Some(id)) => Ok(id),
        _ => Err(AppError::BadCredentials),
    }
}

/// Loads the signed-in person with their organization.
pub async fn viewer(db: &Db, user_id: &str) -> Result<Option<Viewer>, AppError> {
    Ok(viewer_and_epoch(db, user_id)
        .await?
        .map(|(viewer, _)| viewer))
}

/// The signed-in person of a session, if the session is still valid for them: signed in
/// since their sessions were last ended everywhere.
pub async fn session_viewer(db: &Db, signed_in: &SignedIn) -> Result<Option<Viewer>, AppError> {
    Ok(viewer_and_epoch(db, &signed_in.user_id)
        .await?
        .filter(|(_, epoch)| *epoch == signed_in.epoch)
        .map(|(viewer, _)| viewer))
}

/// Keeps the language the user signs in with: their mails are written in it. Written only
/// when it changed (a sign-in in the usual language writes nothing more).
pub async fn remember_locale(
    db: &Db,
    user_id: &str,
    locale: crate::i18n::Locale,
) -> Result<(), AppError> {
    let tag = crate::i18n::tag(locale);
    let stored: Option<Option<String>> =
        sqlx::query_scalar("SELECT locale FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?;
    if matches!(stored, Some(Some(ref s)) if s == tag) {
        return Ok(());
    }
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(tag)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The epoch a new session of the user starts with.
pub async fn session_epoch(db: &Db, user_id: &str) -> Result<i64, AppError> {
    Ok(sqlx::query("SELECT session_epoch FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&db.pool)
        .await?
        .try_get("session_epoch")?)
}

/// Ends every session of the user, on every instance, at once (their next request is
/// signed out). Used by "Sign out everywhere", and by user removal and role changes.
pub async fn sign_out_everywhere(db: &Db, user_id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn viewer_and_epoch(db: &Db, user_id: &str) -> Result<Option<(Viewer, i64)>, AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.name, u.email, u.role, u.session_epoch,
                p.id AS p_id, p.name AS p_name, p.cloud AS p_cloud, p.program_type AS p_program,
                p.approved_at AS p_approved_at,
                c.id AS c_id, c.name AS c_name, c.cloud AS c_cloud
         FROM users u
         LEFT JOIN partner_orgs p ON p.id = u.partner_org_id
         LEFT JOIN customer_orgs c ON c.id = u.customer_org_id
         WHERE u.id = $1 AND u.removed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    let bad = |what: &str| {
        tracing::error!(user = user_id, "stored {what} is not valid");
        AppError::Internal
    };
    let p_id: Option<String> = row.try_get("p_id")?;
    let (org_id, org_name, cloud, membership) = match p_id {
        Some(p_id) => {
            let cloud: String = row.try_get("p_cloud")?;
            let program: String = row.try_get("p_program")?;
            (
                p_id,
                row.try_get::<String, _>("p_name")?,
                cloud,
                Membership::Partner {
                    role: role.parse().map_err(|_| bad("role"))?,
                    program: program.parse().map_err(|_| bad("program"))?,
                    approved: row.try_get::<Option<i64>, _>("p_approved_at")?.is_some(),
                },
            )
        }
        None => (
            row.try_get::<Option<String>, _>("c_id")?
                .ok_or_else(|| bad("organization"))?,
            row.try_get::<Option<String>, _>("c_name")?
                .unwrap_or_default(),
            row.try_get::<Option<String>, _>("c_cloud")?
                .unwrap_or_default(),
            Membership::Customer {
                role: role.parse::<CustomerRole>().map_err(|_| bad("role"))?,
            },
        ),
    };
    let viewer = Viewer {
        user_id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        org_id,
        org_name,
        cloud: cloud.parse().map_err(|_| bad("cloud"))?,
        membership,
    };
    Ok(Some((viewer, row.try_get("session_epoch")?)))
}
