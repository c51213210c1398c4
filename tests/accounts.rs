#![cfg(feature = "ssr")]

mod common;

use std::sync::Arc;

use accord::domain::{Cloud, Membership, PartnerRole, ProgramType};
use accord::error::AppError;
use accord::server::identity::accounts::{self, PartnerSignUp};
use accord::server::Db;
use common::count;
use tower_sessions::session::{Id, Record};
use tower_sessions::{Session, SessionStore};

fn sign_up(email: &str) -> PartnerSignUp {
    PartnerSignUp {
        org_name: "Contoso Reseller".into(),
        country: "us".into(),
        cloud: "us-gov".into(),
        program: "indirect_reseller".into(),
        partner_id: "4123456".into(),
        admin_name: "Ada Admin".into(),
        email: email.into(),
        password: "correct-horse-battery".into(),
    }
}

async fn sign_up_creates_org_and_global_admin(db: &Db) {
    let created = accounts::sign_up_partner(db, sign_up("Ada@Contoso.example"))
        .await
        .unwrap();
    let viewer = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .expect("user exists");
    assert_eq!(viewer.org_id, created.org_id);
    assert_eq!(viewer.org_name, "Contoso Reseller");
    assert_eq!(
        viewer.email, "ada@contoso.example",
        "emails are stored lower case"
    );
    assert_eq!(viewer.cloud, Cloud::UsGov);
    assert_eq!(
        viewer.membership,
        Membership::Partner {
            role: PartnerRole::GlobalAdmin,
            program: ProgramType::IndirectReseller,
            approved: true,
        }
    );
    let (country, mspp): (String, i64) =
        sqlx::query_as("SELECT country, mspp_id FROM partner_orgs WHERE id = $1")
            .bind(&created.org_id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((country.as_str(), mspp), ("US", 4123456));
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(&created.user_id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
}

async fn duplicate_email_is_refused_and_writes_nothing(db: &Db) {
    accounts::sign_up_partner(db, sign_up("ada@contoso.example"))
        .await
        .unwrap();
    let (orgs, users) = (count(db, "partner_orgs").await, count(db, "users").await);
    let mut again = sign_up("ADA@contoso.example");
    again.partner_id = "7654321".into();
    let err = accounts::sign_up_partner(db, again).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(count(db, "partner_orgs").await, orgs);
    assert_eq!(count(db, "users").await, users);
}

async fn invalid_input_writes_nothing(db: &Db) {
    let mut bad = sign_up("ada@contoso.example");
    bad.partner_id = "".into();
    let err = accounts::sign_up_partner(db, bad).await.unwrap_err();
    assert!(err.to_string().contains("partner ID"), "{err}");
    let mut bad = sign_up("ada@contoso.example");
    bad.password = "short".into();
    assert!(matches!(
        accounts::sign_up_partner(db, bad).await,
        Err(AppError::Invalid(_))
    ));
    let mut bad = sign_up("ada@contoso.example");
    bad.cloud = "mars".into();
    assert!(matches!(
        accounts::sign_up_partner(db, bad).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(count(db, "partner_orgs").await, 0);
    assert_eq!(count(db, "users").await, 0);
}

async fn concurrent_sign_ups_with_one_email_create_one_account(db: &Db) {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut input = sign_up("race@contoso.example");
                input.partner_id = format!("{}", 1000 + i);
                accounts::sign_up_partner(&db, input).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert!(
                matches!(e, AppError::Conflict(_) | AppError::Internal),
                "{e:?}"
            ),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(count(db, "users").await, 1);
    assert_eq!(count(db, "partner_orgs").await, 1);
}

async fn password_verification(db: &Db) {
    let created = accounts::sign_up_partner(db, sign_up("ada@contoso.example"))
        .await
        .unwrap();
    let ok =
        accounts::authenticate(db, " ADA@contoso.example ", "correct-horse-battery".into()).await;
    assert_eq!(ok, Ok(created.user_id));
    let wrong =
        accounts::authenticate(db, "ada@contoso.example", "wrong-horse-battery".into()).await;
    let unknown =
        accounts::authenticate(db, "nobody@contoso.example", "correct-horse-battery".into()).await;
    assert_eq!(wrong, Err(AppError::BadCredentials));
    assert_eq!(
        unknown,
        Err(AppError::BadCredentials),
        "unknown emails look the same as wrong passwords"
    );
}

async fn session_lifecycle(db: &Db) {
    let store = Arc::new(db.sessions.clone());
    let session = Session::new(None, store.clone(), None);
    session.insert("user_id", "u-1").await.unwrap();
    session.save().await.unwrap();
    let first_id = session.id().expect("saved session has an id");
    let loaded = store
        .load(&first_id)
        .await
        .unwrap()
        .expect("stored in the database");
    assert_eq!(
        loaded.data.get("user_id").and_then(|v| v.as_str()),
        Some("u-1")
    );

    // Signing in renews the id: the old one no longer loads.
    session.cycle_id().await.unwrap();
    session.save().await.unwrap();
    let second_id = session.id().unwrap();
    assert_ne!(first_id, second_id);
    assert!(store.load(&first_id).await.unwrap().is_none());
    assert!(store.load(&second_id).await.unwrap().is_some());

    // Signing out deletes it.
    session.flush().await.unwrap();
    assert!(store.load(&second_id).await.unwrap().is_none());

    // Expired records are not loaded.
    let mut expired = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            - tower_sessions::cookie::time::Duration::minutes(1),
    };
    store.create(&mut expired).await.unwrap();
    assert!(store.load(&expired.id).await.unwrap().is_none());
}

/// An organization has at most `MAX_USERS` users; removed users make room again.
async fn users_per_organization_are_capped(db: &Db) {
    use accord::domain::Problem;
    use accord::server::identity::users::{self, MAX_USERS};
    let created = accounts::sign_up_partner(db, sign_up("ada@contoso.example"))
        .await
        .unwrap();
    let admin = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    // Everyone but two, written straight into the table (a thousand adds would take long).
    let mut tx = db.pool.begin().await.unwrap();
    for i in 0..MAX_USERS - 2 {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, partner_org_id, role, created_at)
             VALUES ($1, $2, 'Staff', '', $3, 'sales_agent', 0)",
        )
        .bind(format!("staff-{i}"))
        .bind(format!("staff-{i}@contoso.example"))
        .bind(&created.org_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let last = users::add(
        db,
        &admin,
        "Last One",
        "last@contoso.example",
        "sales_agent",
        common::outgoing(),
    )
    .await
    .unwrap();
    let refused = users::add(
        db,
        &admin,
        "One Too Many",
        "more@contoso.example",
        "sales_agent",
        common::outgoing(),
    )
    .await
    .unwrap_err();
    assert_eq!(refused, AppError::Conflict(Problem::TooManyUsers));
    assert_eq!(count(db, "users").await, MAX_USERS);
    users::remove(db, &admin, &last.user_id, true)
        .await
        .unwrap();
    users::add(
        db,
        &admin,
        "One More",
        "more@contoso.example",
        "sales_agent",
        common::outgoing(),
    )
    .await
    .expect("a removed user makes room");
}

on_both_databases! {
    users_capped => users_per_organization_are_capped;
    sign_up_creates => sign_up_creates_org_and_global_admin;
    duplicate_email => duplicate_email_is_refused_and_writes_nothing;
    invalid_input => invalid_input_writes_nothing;
    concurrent_sign_ups => concurrent_sign_ups_with_one_email_create_one_account;
    passwords => password_verification;
    sessions => session_lifecycle;
}
