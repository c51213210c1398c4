#![cfg(feature = "ssr")]
//! The REST API (`/v1/…`) end to end over the HTTP stack, on SQLite and PostgreSQL: API keys
//! (made, used, revoked, expired), and every endpoint's JSON against Partner Center's shapes.

mod common;

use accord::domain::Viewer;
use accord::server::identity::accounts::{self, PartnerSignUp};
use accord::server::identity::partners;
use accord::server::integrations::api_keys;
use accord::server::relationships::indirect;
use accord::server::{handshake, router, Db};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

const PASSWORD: &str = "a-long-test-password";

fn app(db: &Db) -> Router {
    router(common::state(
        db,
        "target/site",
        Vec::new(),
        accord::server::PartnerSignUpMode::Open,
    ))
}

async fn partner(db: &Db, name: &str, program: &str, partner_id: &str) -> Viewer {
    let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let email = format!("ada@{}.example", slug.to_lowercase());
    let created = accounts::sign_up_partner(
        db,
        PartnerSignUp {
            program: program.into(),
            partner_id: partner_id.into(),
            ..common::partner_sign_up(name, &email, PASSWORD)
        },
    )
    .await
    .unwrap();
    accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap()
}

/// A customer that accepted `partner`'s DAP invitation; returns its tenant id.
async fn customer(db: &Db, partner: &Viewer, company: &str) -> String {
    let slug: String = company
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let slug = slug.to_lowercase();
    let created = accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        common::customer_sign_up(
            company,
            &format!("{slug}.onmicrosoft.com"),
            &format!("casey@{slug}.example"),
            PASSWORD,
        ),
    )
    .await
    .unwrap();
    let p = partners::partner(db, &partner.org_id)
        .await
        .unwrap()
        .unwrap();
    let link =
        handshake::invitation_link(&p, common::TEST_KEY, "http://accord.test", true).unwrap();
    let inv = handshake::verify(db, common::TEST_KEY, link.split_once('?').unwrap().1)
        .await
        .unwrap();
    let admin = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    let signer = handshake::SignerInput {
        first_name: "Casey".into(),
        last_name: "Customer".into(),
        email: format!("casey@{slug}.example"),
        phone: "+1 425 555 0100".into(),
        acknowledged: true,
    };
    handshake::accept(db, &inv, &admin, signer, true)
        .await
        .unwrap();
    created.org_id
}

/// A request to the API; answers the status, the `Retry-After` header and the JSON body.
async fn api(
    app: &Router,
    method: &str,
    uri: &str,
    key: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "accord.test")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    assert!(
        kind.starts_with("application/json"),
        "{uri}: {status} {kind} {}",
        String::from_utf8_lossy(&bytes)
    );
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// Partner Center's error object.
fn assert_error(status: StatusCode, body: &Value, expected: u16) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(body["code"], expected, "{body}");
    assert!(
        body["description"].as_str().is_some_and(|d| d.len() > 10),
        "{body}"
    );
    assert!(
        body["errorName"].as_str().is_some_and(|n| !n.is_empty()),
        "{body}"
    );
}

async fn state_of(db: &Db) -> Vec<i64> {
    let mut v = Vec::new();
    for table in ["relationships", "dap_grants", "activity", "api_keys"] {
        v.push(common::count(db, table).await);
    }
    let (active,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM relationships WHERE removed_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    v.push(active);
    v
}

/// Every endpoint's JSON in Partner Center's shapes.
async fn endpoints_answer_in_partner_centers_shapes(db: &Db) {
    let contoso = partner(db, "Contoso", "direct", "").await;
    let mut ids = Vec::new();
    for company in ["Alpine Ski House", "Blue Yonder", "Coho Winery"] {
        ids.push(customer(db, &contoso, company).await);
    }
    let key = api_keys::create(db, &contoso, "PSA sync", "")
        .await
        .unwrap()
        .secret;
    assert!(key.starts_with("acc_") && key.len() == 44, "{key}");
    let app = app(db);

    // The invitation link.
    let (s, v) = api(
        &app,
        "GET",
        "/v1/customers/relationshiprequests",
        Some(&key),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["attributes"]["objectType"], "RelationshipRequest");
    let url = v["url"].as_str().unwrap();
    assert!(
        url.starts_with(
            "http://accord.test/m365/partner-invitation?invType=ResellerRelationship&partnerId="
        ),
        "{url}"
    );
    assert!(url.contains("DAP=true"), "{url}");
    let (_, v) = api(
        &app,
        "GET",
        "/v1/customers/relationshiprequests?dap=false",
        Some(&key),
        "",
    )
    .await;
    assert!(v["url"].as_str().unwrap().contains("DAP=false"));
    handshake::verify(
        db,
        common::TEST_KEY,
        v["url"].as_str().unwrap().split_once('?').unwrap().1,
    )
    .await
    .expect("the API's link is a working link");

    // Customers, a page at a time.
    let (s, v) = api(&app, "GET", "/v1/customers?size=2", Some(&key), "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totalCount"], 3);
    assert_eq!(v["attributes"]["objectType"], "Collection");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = &items[0];
    assert_eq!(first["attributes"]["objectType"], "Customer");
    assert_eq!(first["relationshipToPartner"], "reseller");
    assert_eq!(first["companyProfile"]["companyName"], "Alpine Ski House");
    assert_eq!(
        first["companyProfile"]["domain"],
        "alpineskihouse.onmicrosoft.com"
    );
    assert_eq!(
        first["companyProfile"]["attributes"]["objectType"],
        "CustomerCompanyProfile"
    );
    assert_eq!(first["id"], first["companyProfile"]["tenantId"]);
    // Link URIs are relative to /v1, as Partner Center's are.
    let next = v["links"]["next"]["uri"]
        .as_str()
        .expect("a next link")
        .to_string();
    assert!(next.starts_with("/customers?"), "{next}");
    let (_, v) = api(&app, "GET", &format!("/v1{next}"), Some(&key), "").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["items"][0]["companyProfile"]["companyName"],
        "Coho Winery"
    );
    assert!(v["links"].get("next").is_none(), "{v}");

    // One customer, with its delegated access.
    let (s, v) = api(
        &app,
        "GET",
        &format!("/v1/customers/{}", ids[0]),
        Some(&key),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["allowDelegatedAccess"], true);
    assert_eq!(v["delegatedAdmin"].as_array().unwrap().len(), 2);
    assert_eq!(v["delegatedAdmin"][0]["granted"], true);

    // Its agreements.
    let (s, v) = api(
        &app,
        "GET",
        &format!("/v1/customers/{}/agreements", ids[0]),
        Some(&key),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totalCount"], 1);
    let a = &v["items"][0];
    assert_eq!(a["type"], "MicrosoftCustomerAgreement");
    assert_eq!(a["templateId"], handshake::CUSTOMER_AGREEMENT_TEMPLATE);
    assert_eq!(a["primaryContact"]["firstName"], "Casey");
    assert_eq!(a["primaryContact"]["email"], "casey@alpineskihouse.example");
    assert_eq!(a["primaryContact"]["phoneNumber"], "+1 425 555 0100");
    assert!(a["dateAgreed"].as_str().unwrap().ends_with('Z'));
    assert!(a["agreementLink"].as_str().unwrap().starts_with("https://"));

    // Removing the relationship: as the Account page does; DAP stays; again changes nothing.
    let patch = r#"{"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}}"#;
    let (s, v) = api(
        &app,
        "PATCH",
        &format!("/v1/customers/{}", ids[1]),
        Some(&key),
        patch,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["relationshipToPartner"], "none");
    assert_eq!(v["allowDelegatedAccess"], true, "DAP stays");
    let after = state_of(db).await;
    let (s, _) = api(
        &app,
        "PATCH",
        &format!("/v1/customers/{}", ids[1]),
        Some(&key),
        patch,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(state_of(db).await, after, "a repeat changes nothing");
    let (_, v) = api(&app, "GET", "/v1/customers", Some(&key), "").await;
    assert_eq!(v["totalCount"], 2);
    let (actor,): (String,) = sqlx::query_as(
        "SELECT actor_name FROM activity WHERE action = 'relationship.removed' AND customer_org_id = $1",
    )
    .bind(&ids[1])
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(actor.contains("API key PSA sync"), "{actor}");

    // Bad input: a sentence, nothing changed.
    let before = state_of(db).await;
    for (method, uri, body, status) in [
        (
            "PATCH",
            format!("/v1/customers/{}", ids[0]),
            r#"{"relationshipToPartner": "reseller"}"#,
            400,
        ),
        (
            "PATCH",
            format!("/v1/customers/{}", ids[0]),
            "not json",
            400,
        ),
        ("GET", "/v1/customers?size=-1".to_string(), "", 400),
        ("GET", "/v1/customers?size=".to_string(), "", 400),
        ("GET", "/v1/customers?size=501".to_string(), "", 400),
        (
            "GET",
            "/v1/customers?continuationToken=%21%21".to_string(),
            "",
            400,
        ),
        (
            "GET",
            "/v1/customers/relationshiprequests?dap=maybe".to_string(),
            "",
            400,
        ),
        ("GET", "/v1/relationships".to_string(), "", 400),
        ("GET", "/v1/customers/not-a-tenant".to_string(), "", 404),
        ("GET", "/v1/nothing/here".to_string(), "", 404),
    ] {
        let (s, v) = api(&app, method, &uri, Some(&key), body).await;
        assert_error(s, &v, status);
    }
    assert_eq!(state_of(db).await, before);
}

/// Keys: missing, malformed, unknown, revoked and expired are refused at once; another
/// partner's customer is not found; nothing changes; each key is limited on its own.
async fn keys_are_checked(db: &Db) {
    let contoso = partner(db, "Contoso", "direct", "").await;
    let fabrikam = partner(db, "Fabrikam", "direct", "").await;
    let theirs = customer(db, &fabrikam, "Fourth Coffee").await;
    let key = api_keys::create(db, &contoso, "Script", "30")
        .await
        .unwrap();
    let app = app(db);
    let before = state_of(db).await;
    let patch = r#"{"relationshipToPartner": "none"}"#;

    let (s, v) = api(&app, "GET", "/v1/customers", None, "").await;
    assert_error(s, &v, 401);
    // A method the path does not take, and a cross-site request: the API's error object.
    let (s, v) = api(&app, "DELETE", "/v1/customers", Some(&key.secret), "").await;
    assert_error(s, &v, 405);
    let res = app
        .clone()
        .oneshot(
            Request::builder()
                .method("PATCH")
                .uri(format!("/v1/customers/{theirs}"))
                .header(header::HOST, "accord.test")
                .header("sec-fetch-site", "cross-site")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(patch))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    assert_error(status, &serde_json::from_slice(&bytes).unwrap(), 403);
    for bad in [
        "",
        "acc_",
        "acc_unknown-key-unknown-key-unknown-key-1234",
        "Basic abc",
        &key.secret[..20],
    ] {
        let (s, v) = api(&app, "GET", "/v1/customers", Some(bad), "").await;
        assert_error(s, &v, 401);
    }
    let (s, v) = api(
        &app,
        "GET",
        &format!("/v1/customers/{theirs}"),
        Some(&key.secret),
        "",
    )
    .await;
    assert_error(s, &v, 404);
    let (s, v) = api(
        &app,
        "PATCH",
        &format!("/v1/customers/{theirs}"),
        Some(&key.secret),
        patch,
    )
    .await;
    assert_error(s, &v, 404);
    let (s, v) = api(
        &app,
        "GET",
        &format!("/v1/customers/{theirs}/agreements"),
        Some(&key.secret),
        "",
    )
    .await;
    assert_error(s, &v, 404);

    // Used: the list says when. Revoked: refused at once.
    let listed = api_keys::list(db, &contoso.org_id).await.unwrap();
    assert!(listed[0].last_used_at.is_some(), "{listed:?}");
    assert!(listed[0].expires_at.is_some());
    let mut agent = contoso.clone();
    if let accord::domain::Membership::Partner { role, .. } = &mut agent.membership {
        *role = accord::domain::PartnerRole::AdminAgent;
    }
    assert!(
        api_keys::create(db, &agent, "Nope", "").await.is_err(),
        "Admin agents make no keys"
    );
    assert!(
        api_keys::revoke(db, &fabrikam, &key.id).await.is_err(),
        "not another partner's key"
    );
    api_keys::revoke(db, &contoso, &key.id).await.unwrap();
    let (s, v) = api(&app, "GET", "/v1/customers", Some(&key.secret), "").await;
    assert_error(s, &v, 401);

    // Expired: refused.
    let old = api_keys::create(db, &contoso, "Old", "1").await.unwrap();
    sqlx::query("UPDATE api_keys SET expires_at = 1 WHERE id = $1")
        .bind(&old.id)
        .execute(&db.pool)
        .await
        .unwrap();
    let (s, v) = api(&app, "GET", "/v1/customers", Some(&old.secret), "").await;
    assert_error(s, &v, 401);
    let now = state_of(db).await;
    assert_eq!(
        (now[0], now[1], now[4]),
        (before[0], before[1], before[4]),
        "refused calls changed no relationship or grant"
    );
    assert_eq!(
        now[3],
        before[3] + 1,
        "one more key: the Admin agent's was refused"
    );

    // The allowance is per key: one key's burst does not hold back another.
    let app = router({
        let mut s = common::state(
            db,
            "target/site",
            Vec::new(),
            accord::server::PartnerSignUpMode::Open,
        );
        s.limits = accord::server::platform::limits::Limits::default().with_api_calls(
            accord::server::platform::limits::Allowance {
                burst: 3,
                every: std::time::Duration::from_secs(60),
            },
        );
        s
    });
    let busy = api_keys::create(db, &contoso, "Busy", "")
        .await
        .unwrap()
        .secret;
    let calm = api_keys::create(db, &contoso, "Calm", "")
        .await
        .unwrap()
        .secret;
    for _ in 0..3 {
        let (s, _) = api(&app, "GET", "/v1/customers", Some(&busy), "").await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, v) = api(&app, "GET", "/v1/customers", Some(&busy), "").await;
    assert_error(s, &v, 429);
    let (s, _) = api(&app, "GET", "/v1/customers", Some(&calm), "").await;
    assert_eq!(s, StatusCode::OK);
}

/// The indirect channel through the API: connected partners, and the combined link.
async fn indirect_partners_through_the_api(db: &Db) {
    let reseller = partner(db, "Lakeshore", "indirect_reseller", "4100001").await;
    let provider = partner(db, "Adventure Works", "indirect_provider", "4200002").await;
    indirect::request(db, &reseller, "4200002").await.unwrap();
    indirect::decide(db, &provider, &reseller.org_id, indirect::Decision::Accept)
        .await
        .unwrap();
    let r_key = api_keys::create(db, &reseller, "R", "")
        .await
        .unwrap()
        .secret;
    let p_key = api_keys::create(db, &provider, "P", "")
        .await
        .unwrap()
        .secret;
    let app = app(db);
    // Partner Center, "Retrieve a list of indirect providers" (signed in as an indirect
    // reseller): GET /v1/relationships?relationship_type=IsIndirectResellerOf — CIPP's call
    // (https://learn.microsoft.com/partner-center/developer/retrieve-a-list-of-indirect-providers).
    let (s, v) = api(
        &app,
        "GET",
        "/v1/relationships?relationship_type=IsIndirectResellerOf",
        Some(&r_key),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totalCount"], 1);
    let item = &v["items"][0];
    assert_eq!(item["id"], provider.org_id.as_str());
    assert_eq!(item["name"], "Adventure Works");
    assert_eq!(item["mpnId"], "4200002");
    assert_eq!(item["relationshipType"], "is_indirect_reseller_of");
    assert_eq!(item["state"], "Active");
    assert_eq!(item["location"], "US");
    assert_eq!(item["attributes"]["objectType"], "PartnerRelationship");
    // "Retrieve a list of indirect resellers" (signed in as an indirect provider), in the
    // snake-case spelling too
    // (https://learn.microsoft.com/partner-center/developer/retrieve-a-list-of-indirect-resellers).
    for kind in [
        "IsIndirectCloudSolutionProviderOf",
        "is_indirect_cloud_solution_provider_of",
    ] {
        let uri = format!("/v1/relationships?relationship_type={kind}");
        let (s, v) = api(&app, "GET", &uri, Some(&p_key), "").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["items"][0]["name"], "Lakeshore");
        assert_eq!(
            v["items"][0]["relationshipType"],
            "is_indirect_cloud_solution_provider_of"
        );
    }
    // The other side's question is told, never answered with an empty list.
    for (key, kind, hint) in [
        (
            &r_key,
            "IsIndirectCloudSolutionProviderOf",
            "IsIndirectResellerOf",
        ),
        (
            &p_key,
            "IsIndirectResellerOf",
            "IsIndirectCloudSolutionProviderOf",
        ),
    ] {
        let uri = format!("/v1/relationships?relationship_type={kind}");
        let (s, v) = api(&app, "GET", &uri, Some(key), "").await;
        assert_error(s, &v, 400);
        assert!(v["description"].as_str().unwrap().contains(hint), "{v}");
    }

    let uri = format!(
        "/v1/customers/relationshiprequests?indirectProviderId={}",
        provider.org_id
    );
    let (s, v) = api(&app, "GET", &uri, Some(&r_key), "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let url = v["url"].as_str().unwrap();
    assert!(
        url.contains("invType=IndirectResellerRelationship"),
        "{url}"
    );
    assert!(
        url.contains(&format!("indirectCSPId={}", provider.org_id)),
        "{url}"
    );
    let (s, v) = api(&app, "GET", &uri, Some(&p_key), "").await;
    assert_error(s, &v, 403);
}

/// The OpenAPI 3.1 document is served, generated from the handlers: every route is in it,
/// with the bearer key scheme and the error object.
#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let db = common::sqlite().await;
    let (status, doc) = api(&app(&db.db), "GET", "/openapi.json", None, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for (path, method) in [
        ("/v1/customers/relationshiprequests", "get"),
        ("/v1/customers", "get"),
        ("/v1/customers/{id}", "get"),
        ("/v1/customers/{id}", "patch"),
        ("/v1/customers/{id}/agreements", "get"),
        ("/v1/relationships", "get"),
    ] {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing");
        assert!(op["responses"]["200"].is_object(), "{method} {path}");
        assert!(op["responses"]["401"].is_object(), "{method} {path}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["apiKey"]["scheme"],
        "bearer"
    );
    let error = &doc["components"]["schemas"]["ErrorObject"]["properties"];
    for field in ["code", "description", "errorName"] {
        assert!(error[field].is_object(), "{field}");
    }
    let customer = &doc["components"]["schemas"]["Customer"]["properties"];
    for field in [
        "id",
        "companyProfile",
        "relationshipToPartner",
        "attributes",
    ] {
        assert!(customer[field].is_object(), "{field}");
    }
}

/// A key stands on its maker's standing: a demoted maker's key acts with the maker's current
/// rights (it reads, but can no longer remove a relationship); a removed maker's keys stop
/// working, and the activity log says which.
async fn keys_follow_their_maker(db: &Db) {
    use accord::server::identity::users;
    let contoso = partner(db, "Contoso", "direct", "").await;
    let mine = customer(db, &contoso, "Fourth Coffee").await;
    let added = users::add(
        db,
        &contoso,
        "Grace Admin",
        "grace@contoso.example",
        "global_admin",
        common::outgoing(),
    )
    .await
    .unwrap();
    let grace = accounts::viewer(db, &added.user_id).await.unwrap().unwrap();
    let key = api_keys::create(db, &grace, "Nightly script", "")
        .await
        .unwrap();
    let app = app(db);
    let patch = r#"{"relationshipToPartner": "none"}"#;
    let one = format!("/v1/customers/{mine}");

    users::change_role(db, &contoso, &added.user_id, "sales_agent")
        .await
        .unwrap();
    let (s, _) = api(&app, "GET", "/v1/customers", Some(&key.secret), "").await;
    assert_eq!(s, StatusCode::OK, "a demoted maker's key still reads");
    let (s, v) = api(&app, "PATCH", &one, Some(&key.secret), patch).await;
    assert_error(s, &v, 403);
    let (s, v) = api(&app, "GET", &one, Some(&key.secret), "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["relationshipToPartner"], "reseller", "{v}");

    users::remove(db, &contoso, &added.user_id, true)
        .await
        .unwrap();
    let (s, v) = api(&app, "GET", "/v1/customers", Some(&key.secret), "").await;
    assert_error(s, &v, 401);
    let revoked: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, detail FROM activity WHERE partner_org_id = $1 AND action = 'apikey.revoked'",
    )
    .bind(&contoso.org_id)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert!(revoked[0].1.contains("Nightly script"), "{revoked:?}");
    let listed = api_keys::list(db, &contoso.org_id).await.unwrap();
    assert!(listed
        .iter()
        .all(|k| k.name != "Nightly script" || k.revoked_at.is_some()));

    // At most 20 working keys per organization; a revoked one makes room.
    let mut made = Vec::new();
    for i in 0..api_keys::MAX_KEYS {
        made.push(
            api_keys::create(db, &contoso, &format!("Key {i}"), "")
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        api_keys::create(db, &contoso, "One more", "")
            .await
            .map(|_| ()),
        Err(accord::error::AppError::Conflict(
            accord::domain::Problem::TooManyKeys
        ))
    );
    api_keys::revoke(db, &contoso, &made[0].id).await.unwrap();
    api_keys::create(db, &contoso, "One more", "")
        .await
        .unwrap();
}

on_both_databases! {
    maker => keys_follow_their_maker;
    shapes => endpoints_answer_in_partner_centers_shapes;
    keys => keys_are_checked;
    indirect_api => indirect_partners_through_the_api;
}

/// Requests with keys that are not valid are limited per client address (10, then one
/// every 6 s): a client guessing keys is answered 429 before any key is looked up, and
/// whatever key it sends then; other clients are not held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_are_limited_per_client() {
    let test_db = common::sqlite().await;
    let db = &test_db.db;
    let contoso = partner(db, "Contoso", "direct", "").await;
    let key = api_keys::create(db, &contoso, "Script", "").await.unwrap();
    let app = app(db);
    let from = |peer: &'static str, key: String| {
        let app = app.clone();
        async move {
            let mut req = Request::builder()
                .method("GET")
                .uri("/v1/customers")
                .header(header::HOST, "accord.test")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .body(Body::empty())
                .unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(
                peer.parse::<std::net::SocketAddr>().unwrap(),
            ));
            let res = app.oneshot(req).await.unwrap();
            let retry = res.headers().get(header::RETRY_AFTER).cloned();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (serde_json::from_slice::<Value>(&bytes).unwrap(), retry)
        }
    };
    let guesser = "198.51.100.66:5000";
    for i in 0..10 {
        let (v, _) = from(guesser, format!("acc_guess-{i:040}")).await;
        assert_eq!(v["errorName"], "Unauthorized", "{v}");
    }
    let (v, retry) = from(guesser, "acc_guess-eleven".into()).await;
    assert_eq!(v["errorName"], "TooManyRequests", "{v}");
    let retry: u64 = retry
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&retry), "Retry-After {retry}");
    // The guesser waits even with a good key; another client is not held back.
    let (v, _) = from(guesser, key.secret.clone()).await;
    assert_eq!(v["errorName"], "TooManyRequests", "{v}");
    let (v, _) = from("192.0.2.10:5000", key.secret.clone()).await;
    assert!(v["items"].is_array(), "{v}");
    let (v, _) = from("192.0.2.11:5000", "acc_guess".into()).await;
    assert_eq!(v["errorName"], "Unauthorized", "{v}");
}

/// A request with any headers; answers the status and the JSON body.
async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "accord.test");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The ids of a page's customers.
fn ids_of(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// Paging as Partner Center's clients page: seven customers, three a page, followed
/// (1) as the link is given, relative to /v1; (2) as the .NET SDK builds it,
/// `"/v1/" + links.next.uri` (PartnerCenter-DotNet-SDK, `Microsoft.Store.PartnerCenter/
/// Enumerators/ResourceCollectionEnumerator.cs` → `…Customers.Query(seek query)`); (3) with
/// the SDK's seek call, `GET /v1/customers?seekOperation=Next` and the token in the
/// `MS-ContinuationToken` header, no size
/// (https://learn.microsoft.com/partner-center/developer/get-a-list-of-customers). Each
/// reaches the last page, each customer once, three a page.
async fn partner_center_paging(db: &Db) {
    let contoso = partner(db, "Contoso", "direct", "").await;
    let mut all = Vec::new();
    for company in [
        "Alpine", "Bellows", "Coho", "Datum", "Elecrow", "Fabrikam", "Graphic",
    ] {
        all.push(customer(db, &contoso, company).await);
    }
    all.sort();
    let key = api_keys::create(db, &contoso, "SDK", "")
        .await
        .unwrap()
        .secret;
    let auth = format!("Bearer {key}");
    let app = app(db);
    for style in ["as given", "sdk", "seek"] {
        let (s, mut v) = call(
            &app,
            "GET",
            "/v1/customers?size=3",
            &[("authorization", &auth)],
            "",
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let mut seen = ids_of(&v);
        let mut pages = 1;
        while let Some(next) = v["links"].get("next").cloned() {
            let uri = next["uri"].as_str().unwrap();
            let token = next["headers"][0]["value"].as_str().unwrap();
            assert_eq!(next["headers"][0]["key"], "MS-ContinuationToken");
            let (s, page) = match style {
                "as given" => {
                    call(
                        &app,
                        "GET",
                        &format!("/v1{uri}"),
                        &[("authorization", &auth)],
                        "",
                    )
                    .await
                }
                "sdk" => {
                    call(
                        &app,
                        "GET",
                        &format!("/v1/{uri}"),
                        &[("authorization", &auth)],
                        "",
                    )
                    .await
                }
                _ => {
                    call(
                        &app,
                        "GET",
                        "/v1/customers?seekOperation=Next",
                        &[("authorization", &auth), ("MS-ContinuationToken", token)],
                        "",
                    )
                    .await
                }
            };
            assert_eq!(s, StatusCode::OK, "{style}: {page}");
            assert!(
                ids_of(&page).len() <= 3,
                "{style}: the first call's size is kept"
            );
            seen.extend(ids_of(&page));
            v = page;
            pages += 1;
            assert!(pages <= 3, "{style}: more pages than customers");
        }
        assert_eq!(pages, 3, "{style}");
        assert_eq!(v["totalCount"], 7);
        seen.sort();
        assert_eq!(seen, all, "{style}: each customer once");
    }
    // A seek call without a token begins the listing; a token that is not one of ours
    // names no page (404); another operation is refused.
    let (s, v) = call(
        &app,
        "GET",
        "/v1/customers?seekOperation=Next&size=3",
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(ids_of(&v).len(), 3);
    let (s, v) = call(
        &app,
        "GET",
        "/v1/customers?seekOperation=Next",
        &[("authorization", &auth), ("MS-ContinuationToken", "bm9wZQ")],
        "",
    )
    .await;
    assert_error(s, &v, 404);
    let (s, v) = call(
        &app,
        "GET",
        "/v1/customers",
        &[
            ("authorization", &auth),
            ("MS-ContinuationToken", "not a token"),
        ],
        "",
    )
    .await;
    assert_error(s, &v, 400);
    let (s, v) = call(
        &app,
        "GET",
        "/v1/customers?seekOperation=Previous",
        &[("authorization", &auth)],
        "",
    )
    .await;
    assert_error(s, &v, 400);
}

/// Requests exactly as Partner Center's clients send them.
async fn partner_center_clients_requests(db: &Db) {
    let contoso = partner(db, "Contoso", "direct", "").await;
    let alpine = customer(db, &contoso, "Alpine Ski House").await;
    let alpaca = customer(db, &contoso, "Alpaca Tours").await;
    let coho = customer(db, &contoso, "Coho Winery").await;
    let key = api_keys::create(db, &contoso, "Scripts", "")
        .await
        .unwrap()
        .secret;
    let app = app(db);
    // The scheme in any case (RFC 9110 §11.1): some clients write `bearer`.
    let lower = format!("bearer {key}");
    let (s, v) = call(
        &app,
        "GET",
        "/v1/customers",
        &[("authorization", &lower)],
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let auth = format!("Bearer {key}");
    let h = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];

    // Partner Center's customer filter (https://learn.microsoft.com/partner-center/
    // developer/get-a-list-of-customers-by-company-name-or-domain): only the matches.
    let filter = |field: &str, value: &str| {
        let json = format!(r#"{{"Field":"{field}","Value":"{value}","Operator":"starts_with"}}"#);
        url::form_urlencoded::byte_serialize(json.as_bytes()).collect::<String>()
    };
    let (s, v) = call(
        &app,
        "GET",
        &format!("/v1/customers?size=5&filter={}", filter("Domain", "alp")),
        &h,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totalCount"], 2, "{v}");
    let mut found = ids_of(&v);
    found.sort();
    let mut expected = vec![alpine.clone(), alpaca.clone()];
    expected.sort();
    assert_eq!(found, expected);
    let (_, v) = call(
        &app,
        "GET",
        &format!(
            "/v1/customers?size=1&filter={}",
            filter("CompanyName", "alpi")
        ),
        &h,
        "",
    )
    .await;
    assert_eq!(ids_of(&v), vec![alpine.clone()]);
    // size=0 with a filter: every match; a filtered listing pages with its filter.
    let (_, v) = call(
        &app,
        "GET",
        &format!("/v1/customers?size=0&filter={}", filter("domain", "ALP")),
        &h,
        "",
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
    let (_, v) = call(
        &app,
        "GET",
        &format!("/v1/customers?size=1&filter={}", filter("Domain", "alp")),
        &h,
        "",
    )
    .await;
    let token = v["links"]["next"]["headers"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let seek = [
        ("authorization", auth.as_str()),
        ("MS-ContinuationToken", token.as_str()),
    ];
    let (_, v) = call(&app, "GET", "/v1/customers?seekOperation=Next", &seek, "").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert!(v["links"].get("next").is_none(), "two matches in all: {v}");
    assert_ne!(ids_of(&v), vec![coho.clone()]);
    // A filter that cannot be read is refused, never answered unfiltered.
    for bad in [
        r#"{"Field":"Country","Value":"us","Operator":"starts_with"}"#,
        r#"{"Field":"Domain","Value":"a","Operator":"equals"}"#,
        "alp",
    ] {
        let q: String = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        let (s, v) = call(&app, "GET", &format!("/v1/customers?filter={q}"), &h, "").await;
        assert_error(s, &v, 400);
    }

    // agreementType (https://learn.microsoft.com/partner-center/developer/
    // get-confirmation-of-customer-consent-to-microsoft-cloud-agreement).
    for (kind, n) in [
        ("MicrosoftCloudAgreement", 0),
        ("All", 1),
        ("microsoftcustomeragreement", 1),
    ] {
        let (s, v) = call(
            &app,
            "GET",
            &format!("/v1/customers/{alpine}/agreements?agreementType={kind}"),
            &h,
            "",
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{kind}: {v}");
        assert_eq!(v["totalCount"], n, "{kind}");
    }
    let (s, v) = call(
        &app,
        "GET",
        &format!("/v1/customers/{alpine}/agreements?agreementType=Other"),
        &h,
        "",
    )
    .await;
    assert_error(s, &v, 400);

    // PowerShell's boolean, and a parameter given twice.
    let (s, v) = call(
        &app,
        "GET",
        "/v1/customers/relationshiprequests?dap=False",
        &h,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["url"].as_str().unwrap().contains("DAP=false"), "{v}");
    let (s, v) = call(&app, "GET", "/v1/customers?size=1&size=2", &h, "").await;
    assert_error(s, &v, 400);
    assert_eq!(
        v["description"],
        "The query gives size more than once; give it once."
    );

    // A tenant id in upper case is the same customer.
    let upper = alpine.to_uppercase();
    let (s, v) = call(&app, "GET", &format!("/v1/customers/{upper}"), &h, "").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["id"], alpine.as_str());

    // The .NET SDK's and the PowerShell module's removal body (Json.NET: PascalCase, the
    // enum as `None`, `Links` and `Attributes` included): PartnerCenter-DotNet-SDK
    // `Customers/CustomerOperations.cs` PatchAsync, PartnerCenterPS
    // `Remove-PartnerCustomerRelationship`.
    let body =
        r#"{"RelationshipToPartner":"None","Links":{},"Attributes":{"ObjectType":"Customer"}}"#;
    let (s, v) = call(&app, "PATCH", &format!("/v1/customers/{upper}"), &h, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["relationshipToPartner"], "none");
    for bad in [
        r#"{"RelationshipToPartner":"Reseller"}"#,
        r#"{"relationshipToPartner":"none","attributes":{"objectType":"Order"}}"#,
        r#"{"relationshipToPartner":"none","attributes":"Customer"}"#,
        r#"["none"]"#,
    ] {
        let (s, v) = call(&app, "PATCH", &format!("/v1/customers/{coho}"), &h, bad).await;
        assert_error(s, &v, 400);
    }
}

on_both_databases! {
    pc_paging => partner_center_paging;
    pc_requests => partner_center_clients_requests;
}
