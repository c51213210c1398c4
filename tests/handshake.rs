#![cfg(feature = "ssr")]

mod common;

use accord::domain::{CustomerRole, Membership, Problem, Refusal, Service, Viewer};
use accord::error::AppError;
use accord::server::handshake::{self, AcceptOutcome, FaultPoint, Invitation, SignerInput};
use accord::server::identity::accounts::CustomerSignUp;
use accord::server::identity::accounts::{self, PartnerSignUp};
use accord::server::identity::partners;
use accord::server::relationships::listing::{self, CustomerQuery, Search, Seek};
use accord::server::Db;
use common::count;

const KEY: &[u8] = b"test-server-key-test-server-key-test";
const BASE: &str = "https://accord.example";

async fn partner(db: &Db, name: &str, cloud: &str) -> Viewer {
    partner_of(db, name, cloud, "direct", "").await
}

/// A partner signed up (and approved) with its program and partner id.
async fn partner_of(db: &Db, name: &str, cloud: &str, program: &str, partner_id: &str) -> Viewer {
    let slug = name.to_lowercase().replace(' ', "");
    let email = format!("admin@{slug}.example");
    let created = accounts::sign_up_partner(
        db,
        PartnerSignUp {
            cloud: cloud.into(),
            program: program.into(),
            partner_id: partner_id.into(),
            ..common::partner_sign_up(name, &email, "partner-password-123")
        },
    )
    .await
    .unwrap();
    accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap()
}

async fn customer(db: &Db, domain: &str, cloud: &str) -> Viewer {
    customer_in(db, domain, cloud, "US").await
}

async fn invitation(db: &Db, partner: &Viewer, dap: bool) -> Invitation {
    let p = partners::partner(db, &partner.org_id)
        .await
        .unwrap()
        .unwrap();
    let url = handshake::invitation_link(&p, KEY, BASE, dap).unwrap();
    handshake::verify(db, KEY, url.split_once('?').unwrap().1)
        .await
        .unwrap()
}

fn signer() -> SignerInput {
    SignerInput {
        first_name: "Casey".into(),
        last_name: "Customer".into(),
        email: "casey@contoso.example".into(),
        phone: "+1 425 555 0100".into(),
        acknowledged: true,
    }
}

async fn totals(db: &Db) -> [i64; 4] {
    [
        count(db, "relationships").await,
        count(db, "agreement_acceptances").await,
        count(db, "dap_grants").await,
        count(db, "activity").await,
    ]
}

async fn accept_is_atomic(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "fourth.onmicrosoft.com", "public").await;
    let inv = invitation(db, &p, true).await;
    let before = totals(db).await;
    let err =
        handshake::accept_with_fault(db, &inv, &c, signer(), true, FaultPoint::AfterRelationship)
            .await
            .unwrap_err();
    assert_eq!(err, AppError::Internal);
    assert_eq!(
        totals(db).await,
        before,
        "a failure after the relationship insert leaves nothing behind"
    );
    // And the same acceptance then succeeds in full.
    let ok = handshake::accept(db, &inv, &c, signer(), true)
        .await
        .unwrap();
    assert_eq!(
        ok,
        AcceptOutcome::Authorized {
            dap: Service::ALL.to_vec(),
            agreement_accepted: true
        }
    );
    assert_eq!(totals(db).await, [1, 1, 2, 3]);
}

async fn re_accept_is_harmless(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "contoso.onmicrosoft.com", "public").await;
    let inv = invitation(db, &p, true).await;
    handshake::accept(db, &inv, &c, signer(), true)
        .await
        .unwrap();
    let after_first = totals(db).await;
    let again = handshake::accept(db, &inv, &c, SignerInput::default(), true)
        .await
        .unwrap();
    assert_eq!(again, AcceptOutcome::AlreadyAuthorized);
    assert_eq!(totals(db).await, after_first);
    let standing = handshake::standing(db, &inv, &c.org_id).await.unwrap();
    assert!(standing.already_authorized);
}

async fn concurrent_accepts_write_once(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "contoso.onmicrosoft.com", "public").await;
    let inv = invitation(db, &p, true).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (db, inv, c) = (db.clone(), inv.clone(), c.clone());
            tokio::spawn(async move { handshake::accept(&db, &inv, &c, signer(), true).await })
        })
        .collect();
    let mut authorized = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(AcceptOutcome::Authorized { .. }) => authorized += 1,
            Ok(AcceptOutcome::AlreadyAuthorized) => {}
            Err(e) => panic!("concurrent accept failed: {e:?}"),
        }
    }
    assert_eq!(authorized, 1);
    assert_eq!(count(db, "relationships").await, 1);
    assert_eq!(count(db, "agreement_acceptances").await, 1);
    for service in Service::ALL {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dap_grants WHERE service = $1")
            .bind(service.code())
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(n, 1, "{service}");
    }
}

async fn dap_conflict_is_refused_and_writes_nothing(db: &Db) {
    let first = partner(db, "Contoso", "public").await;
    let second = partner(db, "Fabrikam", "public").await;
    let c = customer(db, "contoso.onmicrosoft.com", "public").await;
    handshake::accept(db, &invitation(db, &first, true).await, &c, signer(), true)
        .await
        .unwrap();
    let before = totals(db).await;
    let inv = invitation(db, &second, true).await;
    let err = handshake::accept(db, &inv, &c, SignerInput::default(), true)
        .await
        .unwrap_err();
    match err {
        AppError::Refused(Refusal::DapConflict { partner, holders }) => {
            assert_eq!(partner, "Fabrikam");
            assert_eq!(holders.len(), 2);
            assert!(holders.iter().all(|h| h.partner == "Contoso"));
        }
        other => panic!("expected a DAP conflict, got {other:?}"),
    }
    assert_eq!(totals(db).await, before);
    let standing = handshake::standing(db, &inv, &c.org_id).await.unwrap();
    assert_eq!(standing.dap_holders.len(), 2);

    // Accepting without DAP is the offered way out: a relationship, no grants.
    let ok = handshake::accept(db, &inv, &c, SignerInput::default(), false)
        .await
        .unwrap();
    assert_eq!(
        ok,
        AcceptOutcome::Authorized {
            dap: vec![],
            agreement_accepted: false
        }
    );
    assert_eq!(
        totals(db).await[..3],
        [2, 1, 2],
        "agreement not asked again, no new grants"
    );

    // The database itself refuses a second holder, whatever the code does.
    let forced = sqlx::query(
        "INSERT INTO dap_grants (id, partner_org_id, customer_org_id, service, granted_at, granted_by_user_id)
         VALUES ('x', $1, $2, 'azure_ad', 0, $3)",
    )
    .bind(&second.org_id)
    .bind(&c.org_id)
    .bind(&c.user_id)
    .execute(&db.pool)
    .await;
    assert!(forced.is_err());
}

async fn agreement_needs_a_signer_once(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "contoso.onmicrosoft.com", "public").await;
    let inv = invitation(db, &p, false).await;
    let mut unsigned = signer();
    unsigned.acknowledged = false;
    let err = handshake::accept(db, &inv, &c, unsigned, false)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
    let err = handshake::accept(
        db,
        &inv,
        &c,
        SignerInput {
            first_name: "".into(),
            ..signer()
        },
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), "Enter the signer's first name.");
    assert_eq!(totals(db).await, [0, 0, 0, 0]);
}

async fn roles_and_clouds_are_enforced(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "contoso.onmicrosoft.com", "public").await;
    let billing_id = accounts::add_customer_user(
        db,
        &c.org_id,
        "Bill",
        "bill@contoso.example",
        "billing-password-1".into(),
        CustomerRole::BillingAdmin,
    )
    .await
    .unwrap();
    let user_id = accounts::add_customer_user(
        db,
        &c.org_id,
        "Uma",
        "uma@contoso.example",
        "user-password-123".into(),
        CustomerRole::User,
    )
    .await
    .unwrap();
    let billing = accounts::viewer(db, &billing_id).await.unwrap().unwrap();
    let user = accounts::viewer(db, &user_id).await.unwrap().unwrap();
    let with_dap = invitation(db, &p, true).await;
    let without_dap = invitation(db, &p, false).await;

    let err = handshake::accept(db, &with_dap, &billing, signer(), true)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::Refused(Refusal::RoleTooWeak {
            role: CustomerRole::BillingAdmin,
            dap: true
        })
    );
    let err = handshake::accept(db, &without_dap, &user, signer(), false)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::Refused(Refusal::RoleTooWeak {
            role: CustomerRole::User,
            dap: false
        })
    );
    assert_eq!(totals(db).await, [0, 0, 0, 0]);
    assert!(matches!(
        handshake::accept(db, &without_dap, &billing, signer(), false).await,
        Ok(AcceptOutcome::Authorized { .. })
    ));

    let china = customer(db, "litware.partner.onmschina.cn", "china").await;
    let err = handshake::accept(db, &with_dap, &china, signer(), true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Refused(Refusal::WrongCloud { .. })),
        "{err:?}"
    );
    let err = handshake::accept(db, &with_dap, &p, signer(), true)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Refused(Refusal::NotACustomer));
}

async fn links_are_verified(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let gov = partner(db, "Adatum", "us-gov").await;
    let stored = partners::partner(db, &p.org_id).await.unwrap().unwrap();
    let url = handshake::invitation_link(&stored, KEY, BASE, true).unwrap();
    assert!(url.starts_with(
        "https://accord.example/m365/partner-invitation?invType=ResellerRelationship&partnerId="
    ));
    assert!(url.contains("&msppId=0&DAP=true&sig="));
    let query = url.split_once('?').unwrap().1.to_string();
    let refused = |q: String| async move { handshake::verify(db, KEY, &q).await.unwrap_err() };

    assert_eq!(
        refused(query.replace("DAP=true", "DAP=false")).await,
        AppError::Refused(Refusal::InvalidLink)
    );
    assert_eq!(
        refused(query.replace(&p.org_id, &gov.org_id)).await,
        AppError::Refused(Refusal::InvalidLink)
    );
    let unknown = query.replace(&p.org_id, "00000000-0000-4000-8000-000000000000");
    assert_eq!(
        refused(unknown).await,
        AppError::Refused(Refusal::UnknownPartner)
    );

    handshake::rotate_link_secret(db, &p).await.unwrap();
    assert_eq!(
        refused(query.clone()).await,
        AppError::Refused(Refusal::LinkReplaced {
            partner: "Contoso".into()
        })
    );
    let rotated = partners::partner(db, &p.org_id).await.unwrap().unwrap();
    let fresh = handshake::invitation_link(&rotated, KEY, BASE, true).unwrap();
    assert_ne!(fresh, url);
    assert!(handshake::verify(db, KEY, fresh.split_once('?').unwrap().1)
        .await
        .is_ok());
    assert_eq!(count(db, "activity").await, 1, "rotation is logged");

    // Government partners cannot leave delegated admin privileges out.
    let gov_partner = partners::partner(db, &gov.org_id).await.unwrap().unwrap();
    assert!(matches!(
        handshake::invitation_link(&gov_partner, KEY, BASE, false),
        Err(AppError::Invalid(_))
    ));
    let gov_url = handshake::invitation_link(&gov_partner, KEY, BASE, true).unwrap();
    assert!(gov_url.starts_with("https://accord.example/gov/partner-invitation?"));
}

async fn decline_only_logs(db: &Db) {
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "contoso.onmicrosoft.com", "public").await;
    let inv = invitation(db, &p, true).await;
    handshake::decline(db, &inv, &c).await.unwrap();
    assert_eq!(totals(db).await, [0, 0, 0, 1]);
    // Declining again the same day, even many times at once, is recorded once.
    let again: Vec<_> = (0..10)
        .map(|_| {
            let (db, inv, c) = (db.clone(), inv.clone(), c.clone());
            tokio::spawn(async move { handshake::decline(&db, &inv, &c).await })
        })
        .collect();
    for t in again {
        t.await.unwrap().unwrap();
    }
    assert_eq!(totals(db).await, [0, 0, 0, 1]);
    // A plain User cannot speak for the organization, not even to decline.
    let user_id = accounts::add_customer_user(
        db,
        &c.org_id,
        "Uma",
        "uma@contoso.example",
        "user-password-123".into(),
        CustomerRole::User,
    )
    .await
    .unwrap();
    let user = accounts::viewer(db, &user_id).await.unwrap().unwrap();
    let err = handshake::decline(db, &inv, &user).await.unwrap_err();
    assert!(
        matches!(err, AppError::Refused(Refusal::RoleTooWeak { .. })),
        "{err:?}"
    );
    assert_eq!(totals(db).await, [0, 0, 0, 1]);
}

async fn us_gov_customers_cannot_drop_dap(db: &Db) {
    let p = partner(db, "Adatum", "us-gov").await;
    let c = customer(db, "treyresearch.onmicrosoft.com", "us-gov").await;
    let inv = invitation(db, &p, true).await;
    let ok = handshake::accept(db, &inv, &c, signer(), false)
        .await
        .unwrap();
    assert_eq!(
        ok,
        AcceptOutcome::Authorized {
            dap: Service::ALL.to_vec(),
            agreement_accepted: true
        }
    );
}

/// Customers come a page at a time, ordered by name, each with this partner's DAP and the
/// organization's agreement acceptance; another partner's customers never show.
async fn customers_are_listed_a_page_at_a_time(db: &Db) {
    use accord::domain::Service;
    let p = partner(db, "Contoso", "public").await;
    let other = partner(db, "Fabrikam", "public").await;
    for (i, domain) in [
        "c.onmicrosoft.com",
        "a.onmicrosoft.com",
        "b.onmicrosoft.com",
    ]
    .iter()
    .enumerate()
    {
        let c = customer(db, domain, "public").await;
        let inv = invitation(db, &p, i == 0).await;
        handshake::accept(db, &inv, &c, signer(), true)
            .await
            .unwrap();
    }
    let lonely = customer(db, "z.onmicrosoft.com", "public").await;
    let inv = invitation(db, &other, false).await;
    handshake::accept(db, &inv, &lonely, signer(), false)
        .await
        .unwrap();

    let first = first_page(db, &p.org_id, 2).await;
    assert_eq!(first.total, 3);
    let domains: Vec<&str> = first.customers.iter().map(|c| c.domain.as_str()).collect();
    assert_eq!(domains, ["a.onmicrosoft.com", "b.onmicrosoft.com"]);
    assert!(
        (!first.more_before && first.more_after && first.offset == 0),
        "{first:?}"
    );
    assert!(!first.customers[0].has_dap());
    let agreement = first.customers[0].agreement.as_ref().expect("accepted");
    assert_eq!(agreement.signer, "Casey Customer");
    let all = CustomerQuery::default();
    let after_b = Seek::After(first.customers[1].customer_id.clone());
    let second = listing::slice(db, &p.org_id, &all, &after_b, 2, 2)
        .await
        .unwrap();
    assert_eq!((second.total, second.offset), (3, 2));
    assert!(second.more_before && !second.more_after);
    assert_eq!(second.customers.len(), 1);
    let c = &second.customers[0];
    assert_eq!(c.domain, "c.onmicrosoft.com");
    assert_eq!(c.dap.len(), Service::ALL.len());
    assert!(c.dap.iter().all(|(_, granted)| granted.is_some()), "{c:?}");
    let past = Seek::After(c.customer_id.clone());
    let past = listing::slice(db, &p.org_id, &all, &past, 3, 2)
        .await
        .unwrap();
    assert_eq!((past.total, past.customers.len()), (3, 0));
    // Back from the last customer: the two before it; from the second, the first page
    // (a page of two, not one).
    let back = Seek::Before(c.customer_id.clone());
    let back = listing::slice(db, &p.org_id, &all, &back, 0, 2)
        .await
        .unwrap();
    assert_eq!(back.customers, first.customers);
    assert_eq!(back.offset, 0);
    let last = listing::slice(db, &p.org_id, &all, &Seek::Last, 0, 2)
        .await
        .unwrap();
    assert_eq!(
        (last.offset, last.customers.len()),
        (2, 1),
        "pages align: 2 + 1"
    );
    assert!(last.more_before && !last.more_after);

    // Search by the start of a name or domain (any case), filters by DAP and kind, counted.
    let find = |search: Option<Search>, dap: Option<bool>| CustomerQuery {
        search,
        dap,
        kind: None,
    };
    let count = |q: CustomerQuery| {
        let p = p.org_id.clone();
        async move {
            let s = listing::slice(db, &p, &q, &Seek::First, 0, 50)
                .await
                .unwrap();
            assert_eq!(s.total, s.customers.len() as i64, "{q:?}");
            s.customers
                .into_iter()
                .map(|c| c.domain)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        count(find(Some(Search::Domain("B.ONMICRO".into())), None)).await,
        ["b.onmicrosoft.com"]
    );
    assert_eq!(
        count(find(Some(Search::NameOrDomain("customer c".into())), None)).await,
        ["c.onmicrosoft.com"]
    );
    assert_eq!(
        count(find(Some(Search::Name("a.".into())), None)).await,
        Vec::<String>::new()
    );
    assert_eq!(
        count(find(Some(Search::Domain("%".into())), None)).await,
        Vec::<String>::new()
    );
    assert_eq!(count(find(None, Some(true))).await, ["c.onmicrosoft.com"]);
    assert_eq!(
        count(find(None, Some(false))).await,
        ["a.onmicrosoft.com", "b.onmicrosoft.com"]
    );
    let indirect = CustomerQuery {
        kind: Some(accord::domain::RelationshipKind::IndirectReseller),
        ..CustomerQuery::default()
    };
    assert_eq!(count(indirect).await, Vec::<String>::new());
    let theirs = first_page(db, &other.org_id, 50).await;
    assert_eq!(theirs.total, 1);
    assert_eq!(theirs.customers[0].domain, "z.onmicrosoft.com");

    // Names travel through the database's JSON aggregation untouched.
    let odd_name = "\"Quoted\" \\ back/slash 客户 𝄞 </script> é";
    let created = accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        common::customer_sign_up(
            odd_name,
            "odd.onmicrosoft.com",
            "admin@odd.onmicrosoft.com",
            "customer-password-123",
        ),
    )
    .await
    .unwrap();
    let odd = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    let inv = invitation(db, &other, false).await;
    handshake::accept(db, &inv, &odd, signer(), false)
        .await
        .unwrap();
    let theirs = first_page(db, &other.org_id, 50).await;
    let names: Vec<&str> = theirs.customers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, [odd_name, "Customer z.onmicrosoft.com"]);
    assert_eq!(theirs.total, 2);
}

/// The first page of a partner's customers, `size` of them.
async fn first_page(db: &Db, partner: &str, size: i64) -> listing::Slice {
    listing::slice(
        db,
        partner,
        &CustomerQuery::default(),
        &Seek::First,
        0,
        size,
    )
    .await
    .unwrap()
}

/// The same viewer with another partner role.
fn as_partner_role(v: &Viewer, role: accord::domain::PartnerRole) -> Viewer {
    let mut v = v.clone();
    if let Membership::Partner { role: r, .. } = &mut v.membership {
        *r = role;
    }
    v
}

/// The same viewer with another customer role.
fn as_customer_role(v: &Viewer, role: CustomerRole) -> Viewer {
    let mut v = v.clone();
    v.membership = Membership::Customer { role };
    v
}

/// Remove customer relationship: Global admin only, after the attestation; the customer
/// leaves Customers, its DAP stays (and shows as "admin roles only" on its side); repeating
/// changes nothing; the partner can invite the customer again.
async fn removal_keeps_dap(db: &Db) {
    use accord::domain::PartnerRole;
    use accord::server::relationships::customers::customer_of_partner;
    use accord::server::relationships::lifecycle::{self, RelationshipRemoved};
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "removed.onmicrosoft.com", "public").await;
    handshake::accept(db, &invitation(db, &p, true).await, &c, signer(), true)
        .await
        .unwrap();
    let before = totals(db).await;

    for role in [
        PartnerRole::AdminAgent,
        PartnerRole::SalesAgent,
        PartnerRole::HelpdeskAgent,
    ] {
        let err = lifecycle::remove_relationship(db, &as_partner_role(&p, role), &c.org_id, true)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{role:?}: {err:?}");
    }
    let err = lifecycle::remove_relationship(db, &c, &c.org_id, true)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = lifecycle::remove_relationship(db, &p, &c.org_id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
    assert_eq!(totals(db).await, before, "refusals change nothing");

    let removed = lifecycle::remove_relationship(db, &p, &c.org_id, true)
        .await
        .unwrap();
    assert_eq!(
        removed,
        RelationshipRemoved::Removed {
            dap_kept: Service::ALL.to_vec()
        }
    );
    assert_eq!(first_page(db, &p.org_id, 50).await.total, 0);
    let account = customer_of_partner(db, &p.org_id, &c.org_id)
        .await
        .unwrap()
        .expect("the account page still knows the former customer");
    assert!(
        account.removed_at.is_some() && account.has_dap(),
        "{account:?}"
    );
    let theirs = lifecycle::partners_of_customer(db, &c.org_id)
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].relationship, None, "admin roles only");
    assert!(theirs[0].has_dap());
    let after = totals(db).await;
    assert_eq!(
        after[0], before[0],
        "the relationship row is kept as history"
    );
    assert_eq!(after[2], before[2], "DAP grants untouched");
    assert_eq!(after[3], before[3] + 1, "one activity entry");

    // Again: nothing changes. Another partner, never related: the same answer.
    assert_eq!(
        lifecycle::remove_relationship(db, &p, &c.org_id, true)
            .await
            .unwrap(),
        RelationshipRemoved::NotActive
    );
    let other = partner(db, "Fabrikam", "public").await;
    let err = lifecycle::remove_relationship(db, &other, &c.org_id, true)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    assert_eq!(totals(db).await, after);
    assert!(customer_of_partner(db, &other.org_id, &c.org_id)
        .await
        .unwrap()
        .is_none());

    // Invited again later: a new relationship row, the DAP it already holds not duplicated.
    let again = handshake::accept(db, &invitation(db, &p, true).await, &c, signer(), true)
        .await
        .unwrap();
    assert_eq!(
        again,
        AcceptOutcome::Authorized {
            dap: vec![],
            agreement_accepted: false
        }
    );
    let now = totals(db).await;
    assert_eq!((now[0], now[2]), (after[0] + 1, after[2]));
    let listed = first_page(db, &p.org_id, 50).await;
    assert_eq!(listed.total, 1);
    assert!(listed.customers[0].has_dap() && listed.customers[0].removed_at.is_none());
}

/// Remove roles: customer Global admin only; the relationship stays, the partner's
/// Customers page shows no DAP, another partner's DAP no longer conflicts, and the first
/// partner's DAP link restores its roles without a second relationship.
async fn remove_roles_keeps_relationship_and_restores(db: &Db) {
    use accord::server::relationships::lifecycle::{self, RolesRemoved};
    let p = partner(db, "Contoso", "public").await;
    let q = partner(db, "Fabrikam", "public").await;
    let c = customer(db, "roles.onmicrosoft.com", "public").await;
    handshake::accept(db, &invitation(db, &p, true).await, &c, signer(), true)
        .await
        .unwrap();
    let before = totals(db).await;
    for role in [CustomerRole::BillingAdmin, CustomerRole::User] {
        let err = lifecycle::remove_roles(db, &as_customer_role(&c, role), &p.org_id)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{role:?}: {err:?}");
    }
    let err = lifecycle::remove_roles(db, &p, &p.org_id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "a partner: {err:?}");
    assert_eq!(totals(db).await, before, "refusals change nothing");

    assert_eq!(
        lifecycle::remove_roles(db, &c, &p.org_id).await.unwrap(),
        RolesRemoved::Removed(Service::ALL.to_vec())
    );
    let listed = first_page(db, &p.org_id, 50).await;
    assert_eq!(listed.total, 1, "the relationship stays");
    assert!(!listed.customers[0].has_dap(), "DAP shows No");
    let with_dap = CustomerQuery {
        dap: Some(true),
        ..CustomerQuery::default()
    };
    let counted = listing::slice(db, &p.org_id, &with_dap, &Seek::First, 0, 50)
        .await
        .unwrap();
    assert_eq!(
        (counted.total, counted.customers.len()),
        (0, 0),
        "counted without DAP"
    );
    let theirs = lifecycle::partners_of_customer(db, &c.org_id)
        .await
        .unwrap();
    assert_eq!(
        theirs[0].relationship,
        Some(accord::domain::RelationshipKind::Reseller)
    );
    assert!(!theirs[0].has_dap());
    let after = totals(db).await;
    assert_eq!(after, [before[0], before[1], before[2], before[3] + 1]);
    assert_eq!(
        lifecycle::remove_roles(db, &c, &p.org_id).await.unwrap(),
        RolesRemoved::NoneHeld
    );
    let err = lifecycle::remove_roles(db, &c, &q.org_id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Forbidden(_)),
        "not a partner of the organization: {err:?}"
    );
    assert_eq!(totals(db).await, after);

    // Restoring DAP: the partner's DAP link asks for the roles only, and grants them.
    let inv = invitation(db, &p, true).await;
    let standing = handshake::standing(db, &inv, &c.org_id).await.unwrap();
    assert!(standing.has_relationship && !standing.already_authorized);
    assert!(standing.dap_holders.is_empty());
    assert_eq!(
        handshake::accept(db, &inv, &c, signer(), true)
            .await
            .unwrap(),
        AcceptOutcome::Authorized {
            dap: Service::ALL.to_vec(),
            agreement_accepted: false
        }
    );
    let restored = totals(db).await;
    assert_eq!(restored[0], after[0], "no second relationship");
    assert_eq!(restored[2], after[2] + Service::ALL.len() as i64);
    assert!(first_page(db, &p.org_id, 50).await.customers[0].has_dap());

    // Roles removed again, then another partner's DAP request no longer conflicts.
    lifecycle::remove_roles(db, &c, &p.org_id).await.unwrap();
    let outcome = handshake::accept(db, &invitation(db, &q, true).await, &c, signer(), true)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        AcceptOutcome::Authorized {
            dap: Service::ALL.to_vec(),
            agreement_accepted: false
        }
    );
    let names: Vec<(String, bool)> = lifecycle::partners_of_customer(db, &c.org_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.name.clone(), p.has_dap()))
        .collect();
    assert_eq!(
        names,
        [
            ("Contoso".to_string(), false),
            ("Fabrikam".to_string(), true)
        ]
    );
}

/// A customer organization in `country` of `cloud`, signed in as its Global admin.
async fn customer_in(db: &Db, domain: &str, cloud: &str, country: &str) -> Viewer {
    let created = accounts::sign_up_customer(
        db,
        cloud.parse().unwrap(),
        CustomerSignUp {
            country: country.into(),
            ..common::customer_sign_up(
                &format!("Customer {domain}"),
                domain,
                &format!("admin@{domain}"),
                "customer-password-123",
            )
        },
    )
    .await
    .unwrap();
    accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap()
}

/// Regions: a partner reaches customers in its own country or market region only; China
/// is a region of its own. A refusal names both regions and changes nothing.
async fn region_rule(db: &Db) {
    let contoso = partner(db, "Contoso", "public").await; // US: North America
    let before = totals(db).await;
    let german = customer_in(db, "german.onmicrosoft.com", "public", "DE").await;
    let err = handshake::accept(
        db,
        &invitation(db, &contoso, true).await,
        &german,
        signer(),
        true,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        AppError::Refused(Refusal::OtherRegion {
            partner: "Contoso".into(),
            partner_region: "north_america".into(),
            customer_region: "eu_efta".into(),
        })
    );
    assert_eq!(totals(db).await, before, "a refusal changes nothing");
    let canadian = customer_in(db, "canadian.onmicrosoft.com", "public", "CA").await;
    handshake::accept(
        db,
        &invitation(db, &contoso, true).await,
        &canadian,
        signer(),
        true,
    )
    .await
    .expect("Canada is in North America");

    let created = accounts::sign_up_partner(
        db,
        PartnerSignUp {
            country: "CN".into(),
            cloud: "china".into(),
            ..common::partner_sign_up(
                "Litware Beijing",
                "li@litware.example",
                "partner-password-123",
            )
        },
    )
    .await
    .unwrap();
    let litware = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    let hong_kong = customer_in(db, "hk.partner.cn", "china", "HK").await;
    let err = handshake::accept(
        db,
        &invitation(db, &litware, true).await,
        &hong_kong,
        signer(),
        true,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, AppError::Refused(Refusal::OtherRegion { partner_region, customer_region, .. })
            if partner_region == "china" && customer_region == "asia_pacific"),
        "{err:?}"
    );
    let shanghai = customer_in(db, "shanghai.partner.cn", "china", "CN").await;
    handshake::accept(
        db,
        &invitation(db, &litware, true).await,
        &shanghai,
        signer(),
        true,
    )
    .await
    .expect("same country");
}

/// Ten removals of one relationship, and ten removals of one partner's roles, at the same
/// moment: each change is made and logged once, the rest answer "already done".
async fn concurrent_removals_write_once(db: &Db) {
    use accord::server::relationships::lifecycle::{self, RelationshipRemoved, RolesRemoved};
    let p = partner(db, "Contoso", "public").await;
    let c = customer(db, "twice.onmicrosoft.com", "public").await;
    handshake::accept(db, &invitation(db, &p, true).await, &c, signer(), true)
        .await
        .unwrap();
    let before = totals(db).await;
    let mut removals = Vec::new();
    for task in (0..10)
        .map(|_| {
            let (db, p, c) = (db.clone(), p.clone(), c.org_id.clone());
            tokio::spawn(async move { lifecycle::remove_relationship(&db, &p, &c, true).await })
        })
        .collect::<Vec<_>>()
    {
        removals.push(task.await.unwrap());
    }
    let done = removals
        .iter()
        .filter(|r| matches!(r, Ok(RelationshipRemoved::Removed { .. })))
        .count();
    assert_eq!(done, 1, "{removals:?}");
    assert!(removals.iter().all(|r| r.is_ok()), "{removals:?}");
    let mut roles = Vec::new();
    for task in (0..10)
        .map(|_| {
            let (db, c, p) = (db.clone(), c.clone(), p.org_id.clone());
            tokio::spawn(async move { lifecycle::remove_roles(&db, &c, &p).await })
        })
        .collect::<Vec<_>>()
    {
        roles.push(task.await.unwrap());
    }
    let done = roles
        .iter()
        .filter(|r| matches!(r, Ok(RolesRemoved::Removed(_))))
        .count();
    assert_eq!(done, 1, "{roles:?}");
    assert!(roles.iter().all(|r| r.is_ok()), "{roles:?}");
    let after = totals(db).await;
    assert_eq!(after[3], before[3] + 2, "one activity entry each");
}

/// A partner of the indirect channel (`program`: indirect_reseller or indirect_provider).
async fn indirect_partner(db: &Db, name: &str, program: &str, mspp_id: i64) -> Viewer {
    partner_of(db, name, "public", program, &mspp_id.to_string()).await
}

/// The reseller's combined invitation naming `provider`, as a link's query.
async fn indirect_query(db: &Db, reseller: &Viewer, provider: &Viewer, dap: bool) -> String {
    let r = partners::partner(db, &reseller.org_id)
        .await
        .unwrap()
        .unwrap();
    let p = partners::partner(db, &provider.org_id)
        .await
        .unwrap()
        .unwrap();
    let url = handshake::indirect_invitation_link(&r, &p, KEY, BASE, dap).unwrap();
    url.split_once('?').unwrap().1.to_string()
}

async fn kinds_of(db: &Db, customer: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT p.name, r.kind FROM relationships r JOIN partner_orgs p ON p.id = r.partner_org_id
         WHERE r.customer_org_id = $1 AND r.removed_at IS NULL ORDER BY p.name",
    )
    .bind(customer)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// The indirect channel end to end on the services: connecting (who may, with whom, each
/// state), the combined link (refused until connected and after the end, tamper-evident,
/// never from a direct partner), and the combined acceptance: both relationships, DAP for
/// the reseller only, once.
async fn indirect_channel(db: &Db) {
    use accord::domain::{ConnectionState, PartnerRole, Problem};
    use accord::server::relationships::indirect::{self, Decision, Requested};
    let reseller = indirect_partner(db, "Lakeshore Resellers", "indirect_reseller", 4100001).await;
    let provider = indirect_partner(
        db,
        "Adventure Works Distribution",
        "indirect_provider",
        4200002,
    )
    .await;
    let other_provider =
        indirect_partner(db, "Other Distribution", "indirect_provider", 4200003).await;
    let direct = partner(db, "Contoso", "public").await;
    let connections = || count(db, "indirect_connections");
    let before = (connections().await, count(db, "activity").await);

    // Who may ask, and whom.
    for (actor, mspp, expected) in [
        (&direct, "4200002", Problem::IndirectResellerOnly),
        (&provider, "4200003", Problem::IndirectResellerOnly),
        (
            &as_partner_role(&reseller, PartnerRole::SalesAgent),
            "4200002",
            Problem::IndirectRole,
        ),
    ] {
        let err = indirect::request(db, actor, mspp).await.unwrap_err();
        assert_eq!(err, AppError::Forbidden(expected));
    }
    for mspp in ["4100001", "999", "abc"] {
        let err = indirect::request(db, &reseller, mspp).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{mspp}: {err:?}");
    }
    assert_eq!(
        (connections().await, count(db, "activity").await),
        before,
        "refusals change nothing"
    );

    // Asked, once.
    let asked = indirect::request(db, &reseller, " 4200002 ").await.unwrap();
    assert!(matches!(asked, Requested::Asked { .. }), "{asked:?}");
    let again = indirect::request(db, &reseller, "4200002").await.unwrap();
    assert!(matches!(
        again,
        Requested::Unchanged {
            state: ConnectionState::Requested,
            ..
        }
    ));
    assert_eq!(connections().await, 1);
    assert_eq!(
        count(db, "activity").await,
        before.1 + 2,
        "one entry in each partner's log"
    );
    let theirs = indirect::of_provider(db, &provider.org_id).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        (theirs[0].reseller_name.as_str(), theirs[0].state),
        ("Lakeshore Resellers", ConnectionState::Requested)
    );

    // Not connected yet: the combined link is refused with a page naming both.
    let query = indirect_query(db, &reseller, &provider, true).await;
    assert!(query.contains("invType=IndirectResellerRelationship"));
    assert!(query.contains(&format!(
        "msppId=4100001&indirectCSPId={}&DAP=true",
        provider.org_id
    )));
    let refused = handshake::verify(db, KEY, &query).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(Refusal::NotConnected { reseller: r, provider: p })
            if r == "Lakeshore Resellers" && p == "Adventure Works Distribution"),
        "{refused:?}"
    );

    // The provider answers; another provider cannot.
    let err = indirect::decide(db, &other_provider, &reseller.org_id, Decision::Accept)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Forbidden(Problem::NotYourReseller));
    let err = indirect::decide(db, &provider, &reseller.org_id, Decision::End)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::Conflict(Problem::ConnectionChanged),
        "a request is not a connection"
    );
    assert_eq!(
        indirect::decide(db, &provider, &reseller.org_id, Decision::Accept)
            .await
            .unwrap(),
        ConnectionState::Connected
    );
    let entries = count(db, "activity").await;
    assert_eq!(
        indirect::decide(db, &provider, &reseller.org_id, Decision::Accept)
            .await
            .unwrap(),
        ConnectionState::Connected,
        "accepting again changes nothing"
    );
    assert_eq!(count(db, "activity").await, entries);

    // Tampered: another provider put in the link, or a provider added to a direct link.
    let forged = query.replace(&provider.org_id, &other_provider.org_id);
    assert_eq!(
        handshake::verify(db, KEY, &forged).await.unwrap_err(),
        AppError::Refused(Refusal::InvalidLink)
    );
    let direct_inv = invitation(db, &direct, true).await;
    let direct_partner = partners::partner(db, &direct.org_id)
        .await
        .unwrap()
        .unwrap();
    let direct_url = handshake::invitation_link(&direct_partner, KEY, BASE, true).unwrap();
    let added = format!(
        "{}&indirectCSPId={}",
        direct_url.split_once('?').unwrap().1,
        provider.org_id
    );
    assert_eq!(
        handshake::verify(db, KEY, &added).await.unwrap_err(),
        AppError::Refused(Refusal::InvalidLink)
    );
    let p = partners::partner(db, &provider.org_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        handshake::indirect_invitation_link(&direct_partner, &p, KEY, BASE, true).is_err(),
        "a direct partner cannot make one"
    );
    drop(direct_inv);

    // Accepted: both relationships, the reseller's DAP, in one go; again changes nothing.
    let inv = handshake::verify(db, KEY, &query).await.unwrap();
    assert_eq!(
        inv.provider.as_ref().map(|p| p.name.as_str()),
        Some("Adventure Works Distribution")
    );
    let c = customer(db, "twotier.onmicrosoft.com", "public").await;
    let outcome = handshake::accept(db, &inv, &c, signer(), true)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        AcceptOutcome::Authorized {
            dap: Service::ALL.to_vec(),
            agreement_accepted: true
        }
    );
    assert_eq!(
        kinds_of(db, &c.org_id).await,
        vec![
            (
                "Adventure Works Distribution".to_string(),
                "indirect_provider".to_string()
            ),
            (
                "Lakeshore Resellers".to_string(),
                "indirect_reseller".to_string()
            ),
        ]
    );
    let (dap_holders,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM dap_grants WHERE customer_org_id = $1 AND partner_org_id = $2 AND revoked_at IS NULL",
    )
    .bind(&c.org_id)
    .bind(&reseller.org_id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(dap_holders, 2, "the reseller holds DAP for both services");
    assert_eq!(count(db, "dap_grants").await, 2, "the provider holds none");
    for partner in [&reseller, &provider] {
        assert_eq!(
            first_page(db, &partner.org_id, 50).await.total,
            1,
            "{}",
            partner.org_name
        );
    }
    let after = totals(db).await;
    assert_eq!(
        handshake::accept(db, &inv, &c, signer(), true)
            .await
            .unwrap(),
        AcceptOutcome::AlreadyAuthorized
    );
    assert_eq!(totals(db).await, after);

    // Ended: the link stops working; the relationships made stay.
    assert_eq!(
        indirect::decide(db, &provider, &reseller.org_id, Decision::End)
            .await
            .unwrap(),
        ConnectionState::Ended
    );
    assert!(matches!(
        handshake::verify(db, KEY, &query).await.unwrap_err(),
        AppError::Refused(Refusal::NotConnected { .. })
    ));
    assert_eq!(kinds_of(db, &c.org_id).await.len(), 2);
    // The reseller may ask again after an end.
    assert!(matches!(
        indirect::request(db, &reseller, "4200002").await.unwrap(),
        Requested::Asked { .. }
    ));
    assert_eq!(connections().await, 1, "one row per pair");
}

/// The combined acceptance is one transaction: a failure between the reseller's and the
/// provider's relationship leaves nothing; a DAP conflict refuses both, and accepting
/// without DAP then makes both relationships.
async fn indirect_accept_is_atomic(db: &Db) {
    use accord::server::relationships::indirect::{self, Decision};
    let reseller = indirect_partner(db, "Lakeshore Resellers", "indirect_reseller", 4100001).await;
    let provider = indirect_partner(
        db,
        "Adventure Works Distribution",
        "indirect_provider",
        4200002,
    )
    .await;
    indirect::request(db, &reseller, "4200002").await.unwrap();
    indirect::decide(db, &provider, &reseller.org_id, Decision::Accept)
        .await
        .unwrap();
    let inv = handshake::verify(
        db,
        KEY,
        &indirect_query(db, &reseller, &provider, true).await,
    )
    .await
    .unwrap();
    let c = customer(db, "atomic.onmicrosoft.com", "public").await;
    let before = totals(db).await;
    let err = handshake::accept_with_fault(
        db,
        &inv,
        &c,
        signer(),
        true,
        FaultPoint::BetweenRelationships,
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::Internal);
    assert_eq!(
        totals(db).await,
        before,
        "nothing of the reseller's relationship is left"
    );

    // Another partner holds DAP: the whole acceptance is refused.
    let holder = partner(db, "Fabrikam", "public").await;
    handshake::accept(db, &invitation(db, &holder, true).await, &c, signer(), true)
        .await
        .unwrap();
    let before = totals(db).await;
    let err = handshake::accept(db, &inv, &c, signer(), true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Refused(Refusal::DapConflict { .. })),
        "{err:?}"
    );
    assert_eq!(totals(db).await, before);
    let ok = handshake::accept(db, &inv, &c, signer(), false)
        .await
        .unwrap();
    assert_eq!(
        ok,
        AcceptOutcome::Authorized {
            dap: vec![],
            agreement_accepted: false
        }
    );
    assert_eq!(
        kinds_of(db, &c.org_id).await.len(),
        3,
        "Fabrikam, the reseller and the provider"
    );
    assert_eq!(totals(db).await[2], before[2], "no DAP moved");
}

/// The agreement is data per cloud: a row for the 21Vianet cloud is what its customers
/// accept (and the acceptance records it), while other clouds keep the agreement of every
/// cloud.
async fn agreement_per_cloud(db: &Db) {
    use accord::domain::Cloud;
    sqlx::query(
        "INSERT INTO agreements (id, template_id, name, version, link, published_at, cloud)
         VALUES ('21v-2024', $1, 'Online Services Agreement (21Vianet)', '2024-01',
                 'https://example.cn/agreement', 1704067200, 'china')",
    )
    .bind(handshake::CUSTOMER_AGREEMENT_TEMPLATE)
    .execute(&db.pool)
    .await
    .unwrap();
    let china = handshake::current_agreement(db, Cloud::China)
        .await
        .unwrap();
    assert_eq!(china.name, "Online Services Agreement (21Vianet)");
    let public = handshake::current_agreement(db, Cloud::Public)
        .await
        .unwrap();
    assert_eq!(public.name, "Microsoft Customer Agreement");

    let created = accounts::sign_up_partner(
        db,
        PartnerSignUp {
            cloud: "china".into(),
            country: "CN".into(),
            ..common::partner_sign_up("Litware", "admin@litware.example", "partner-password-123")
        },
    )
    .await
    .unwrap();
    let p = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    let c = customer_in(db, "litware.partner.onmschina.cn", "china", "CN").await;
    let inv = invitation(db, &p, true).await;
    handshake::accept(db, &inv, &c, signer(), true)
        .await
        .unwrap();
    let accepted = handshake::acceptance(db, &c.org_id, "21v-2024")
        .await
        .unwrap();
    assert_eq!(accepted.map(|a| a.version).as_deref(), Some("2024-01"));
}

/// The region rule holds for both partners of a combined link: a reseller cannot connect
/// with a provider that could never serve its customers, and a customer outside the
/// provider's reach is refused on acceptance (naming the provider), with nothing written.
async fn indirect_region(db: &Db) {
    use accord::server::relationships::indirect::{self, Decision};
    let reseller = indirect_partner(db, "Prairie Resellers", "indirect_reseller", 4300001).await;
    let provider = indirect_partner(db, "Rio Distribution", "indirect_provider", 4300002).await;
    let move_provider = |country: &'static str| {
        sqlx::query("UPDATE partner_orgs SET country = $1 WHERE id = $2")
            .bind(country)
            .bind(provider.org_id.clone())
            .execute(&db.pool)
    };
    move_provider("BR").await.unwrap();
    let connections = || count(db, "indirect_connections");
    let before = connections().await;
    let err = indirect::request(db, &reseller, "4300002")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid(Problem::ProviderOutsideReach { provider, .. }) if provider.as_str() == "Rio Distribution"),
        "{err:?}"
    );
    assert_eq!(connections().await, before, "nothing was asked");

    // A connection made while both were in the same region, then the provider moved.
    move_provider("US").await.unwrap();
    indirect::request(db, &reseller, "4300002").await.unwrap();
    indirect::decide(db, &provider, &reseller.org_id, Decision::Accept)
        .await
        .unwrap();
    move_provider("BR").await.unwrap();
    let inv = handshake::verify(
        db,
        KEY,
        &indirect_query(db, &reseller, &provider, true).await,
    )
    .await
    .unwrap();
    let c = customer(db, "prairie.onmicrosoft.com", "public").await;
    let before = totals(db).await;
    let err = handshake::accept(db, &inv, &c, signer(), true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Refused(Refusal::OtherRegion { partner, .. }) if partner == "Rio Distribution"),
        "{err:?}"
    );
    assert_eq!(totals(db).await, before, "nothing written");
}

on_both_databases! {
    indirect_region => indirect_region;
    agreement_clouds => agreement_per_cloud;
    indirect => indirect_channel;
    indirect_atomic => indirect_accept_is_atomic;
    concurrent_removals => concurrent_removals_write_once;
    paging => customers_are_listed_a_page_at_a_time;
    removal => removal_keeps_dap;
    regions => region_rule;
    remove_roles => remove_roles_keeps_relationship_and_restores;
    atomic => accept_is_atomic;
    idempotent => re_accept_is_harmless;
    concurrent => concurrent_accepts_write_once;
    dap_conflict => dap_conflict_is_refused_and_writes_nothing;
    agreement => agreement_needs_a_signer_once;
    roles_and_clouds => roles_and_clouds_are_enforced;
    links => links_are_verified;
    decline => decline_only_logs;
    us_gov_dap => us_gov_customers_cannot_drop_dap;
}
