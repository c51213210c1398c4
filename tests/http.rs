#![cfg(feature = "ssr")]
//! The HTTP stack end to end without a browser: health checks, CSRF defence, session
//! cookies and authorization of server functions.

mod common;

use accord::domain::{CustomerRole, PartnerRole};
use accord::server::identity::accounts::{self, PartnerSignUp};
use accord::server::identity::partners;
use accord::server::{router, Db};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

const PASSWORD: &str = "a-long-test-password";

fn app(db: &Db) -> Router {
    app_with_site(db, "target/site")
}

fn app_with_site(db: &Db, site_root: &str) -> Router {
    app_with(db, site_root, Vec::new())
}

fn app_with(db: &Db, site_root: &str, trusted_proxies: Vec<ipnet::IpNet>) -> Router {
    app_configured(
        db,
        site_root,
        trusted_proxies,
        accord::server::PartnerSignUpMode::Open,
    )
}

fn app_configured(
    db: &Db,
    site_root: &str,
    trusted_proxies: Vec<ipnet::IpNet>,
    partner_signup: accord::server::PartnerSignUpMode,
) -> Router {
    router(common::state(
        db,
        site_root,
        trusted_proxies,
        partner_signup,
    ))
}

async fn partner(db: &Db, email: &str, cloud: &str) -> String {
    accounts::sign_up_partner(
        db,
        PartnerSignUp {
            cloud: cloud.into(),
            ..common::partner_sign_up(&format!("Org of {email}"), email, PASSWORD)
        },
    )
    .await
    .unwrap()
    .org_id
}

struct Reply {
    status: StatusCode,
    cookie: Option<String>,
    /// A secret handed to the next page (`accord_fresh_…=…`), as a `Cookie` value.
    fresh: Option<String>,
    /// Where the answer sends the browser next.
    location: Option<String>,
    /// The sentence a person reads (`x-accord-error`, decoded).
    error: Option<String>,
    /// `Retry-After`, in seconds.
    retry_after: Option<u64>,
    body: String,
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    form: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(form.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    // The session's cookie as set (a sign-in also sets the device's).
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("accord_session="))
        .map(|v| v.to_string());
    let fresh = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("accord_fresh_"))
        .map(|v| v.split(';').next().unwrap().to_string());
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_string());
    let error = res
        .headers()
        .get("x-accord-error")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            url::form_urlencoded::parse(format!("m={v}").as_bytes())
                .map(|(_, m)| m.into_owned())
                .collect::<String>()
        });
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    Reply {
        status,
        cookie,
        fresh,
        location,
        error,
        retry_after,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn sign_in(app: &Router, email: &str) -> String {
    let form = format!("email={}&password={PASSWORD}", email.replace('@', "%40"));
    let reply = call(app, "POST", "/api/sign_in", &form, None, None).await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{} {}",
        reply.status,
        reply.body
    );
    let cookie = reply.cookie.expect("sign-in sets the session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http keeps cookies usable: {cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

async fn health_checks(db: &Db) {
    let app = app(db);
    let r = call(&app, "GET", "/healthz", "", None, None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = call(&app, "GET", "/readyz", "", None, None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
}

async fn wrong_password_sets_no_session(db: &Db) {
    partner(db, "ada@contoso.example", "public").await;
    let app = app(db);
    let r = call(
        &app,
        "POST",
        "/api/sign_in",
        "email=ada%40contoso.example&password=nope-nope-nope",
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.body, "\"BadCredentials\"",
        "the same answer whether or not the email exists"
    );
    assert!(r.cookie.is_none(), "no session for a failed sign-in");
}

async fn cross_site_posts_are_refused(db: &Db) {
    partner(db, "ada@contoso.example", "public").await;
    let app = app(db);
    let cookie = sign_in(&app, "ada@contoso.example").await;
    let r = call(
        &app,
        "POST",
        "/api/rotate_invitation_link",
        "confirm=yes",
        Some(&cookie),
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(common::count(db, "activity").await, 0, "nothing rotated");
    let r = call(
        &app,
        "POST",
        "/api/rotate_invitation_link",
        "confirm=yes",
        Some(&cookie),
        Some("http://accord.test"),
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    assert_eq!(common::count(db, "activity").await, 1);
}

async fn server_refuses_weak_partner_roles(db: &Db) {
    let org = partner(db, "ada@contoso.example", "public").await;
    accounts::add_partner_user(
        db,
        &org,
        "Sam",
        "sam@contoso.example",
        PASSWORD.into(),
        PartnerRole::SalesAgent,
    )
    .await
    .unwrap();
    accounts::add_partner_user(
        db,
        &org,
        "Al",
        "al@contoso.example",
        PASSWORD.into(),
        PartnerRole::AdminAgent,
    )
    .await
    .unwrap();
    let app = app(db);

    let sales = sign_in(&app, "sam@contoso.example").await;
    let r = call(
        &app,
        "POST",
        "/api/relationship_request",
        "dap=true",
        Some(&sales),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.error.as_deref(),
        Some("Only Global admins and Admin agents can request reseller relationships."),
        "{}",
        r.body
    );

    let agent = sign_in(&app, "al@contoso.example").await;
    let r = call(
        &app,
        "POST",
        "/api/relationship_request",
        "dap=true",
        Some(&agent),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("/m365/partner-invitation?invType=ResellerRelationship"),
        "{}",
        r.body
    );
    let r = call(
        &app,
        "POST",
        "/api/rotate_invitation_link",
        "",
        Some(&agent),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only Global admins rotate");

    let r = call(
        &app,
        "POST",
        "/api/relationship_request",
        "dap=true",
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn forged_no_dap_request_is_refused_in_us_gov(db: &Db) {
    partner(db, "gov@adatum.example", "us-gov").await;
    let app = app(db);
    let cookie = sign_in(&app, "gov@adatum.example").await;
    let r = call(
        &app,
        "POST",
        "/api/relationship_request",
        "dap=false",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.error
            .as_deref()
            .is_some_and(|e| e.contains("always includes delegated administration privileges")),
        "{:?}",
        r.error
    );
}

async fn customers_cannot_use_partner_functions(db: &Db) {
    let created = accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        common::customer_sign_up(
            "Fourth Coffee",
            "fourthcoffee.onmicrosoft.com",
            "casey@fourthcoffee.example",
            PASSWORD,
        ),
    )
    .await
    .unwrap();
    accounts::add_customer_user(
        db,
        &created.org_id,
        "Uma",
        "uma@fourthcoffee.example",
        PASSWORD.into(),
        CustomerRole::User,
    )
    .await
    .unwrap();
    let app = app(db);
    let cookie = sign_in(&app, "casey@fourthcoffee.example").await;
    for f in ["relationship_request", "rotate_invitation_link"] {
        let r = call(
            &app,
            "POST",
            &format!("/api/{f}"),
            "dap=true",
            Some(&cookie),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{f}: {}", r.body);
    }
}

async fn bundle_is_served_precompressed_and_immutable(db: &Db) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("accord.abc123.js"), "console.log('plain');").unwrap();
    std::fs::write(pkg.join("accord.abc123.js.br"), b"brotli-bytes").unwrap();
    let app = app_with_site(db, site.path().to_str().unwrap());
    let req = Request::builder()
        .uri("/pkg/accord.abc123.js")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let req = Request::builder()
        .uri("/pkg/accord.abc123.js")
        .body(Body::empty())
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    assert!(
        res.headers().get(header::CONTENT_ENCODING).is_none(),
        "identity for clients without br"
    );
    let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
    assert_eq!(&body[..], b"console.log('plain');");
    // A name that is not there is not cached (the next deployment may bring it).
    let req = Request::builder()
        .uri("/pkg/accord.def456.js")
        .body(Body::empty())
        .unwrap();
    let res = app_with_site(db, site.path().to_str().unwrap())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
}

async fn repeated_wrong_passwords_are_slowed_down(db: &Db) {
    partner(db, "ada@contoso.example", "public").await;
    let app = app(db);
    let wrong = "email=ada%40contoso.example&password=wrong-password-1";
    for _ in 0..5 {
        let r = call(&app, "POST", "/api/sign_in", wrong, None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = call(&app, "POST", "/api/sign_in", wrong, None, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body, "\"TooManyAttempts\"");
    // The sentence names the wait the answer's Retry-After gives.
    let wait = r.retry_after.expect("Retry-After");
    assert_eq!(
        r.error,
        Some(accord::i18n::too_many_attempts(
            accord::i18n::Locale::en,
            wait
        ))
    );
    assert!(r
        .error
        .as_deref()
        .unwrap()
        .starts_with("Too many attempts. Try again in "));
    // Even the right password waits: the account is being guessed at.
    let right = format!("email=ada%40contoso.example&password={PASSWORD}");
    let r = call(&app, "POST", "/api/sign_in", &right, None, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.cookie.is_none());
}

/// A sign-in from `peer` (the connection's address), through a proxy when `forwarded_for`
/// is given; returns the status, the `Retry-After` header and whether a session began.
async fn sign_in_from(
    app: &Router,
    peer: &str,
    forwarded_for: Option<&str>,
    password: &str,
) -> (StatusCode, Option<u64>, bool) {
    use axum::extract::ConnectInfo;
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/sign_in")
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req
        .body(Body::from(format!(
            "email=ada%40contoso.example&password={password}"
        )))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()));
    let res = app.clone().oneshot(req).await.unwrap();
    let retry = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (
        res.status(),
        retry,
        res.headers().contains_key(header::SET_COOKIE),
    )
}

/// Failed sign-ins hold back the client that fails, not the account's owner; behind a
/// trusted proxy clients are told apart by `X-Forwarded-For`, elsewhere it is ignored;
/// IPv6 clients are counted per /64.
async fn sign_in_limits_hold_back_only_the_guesser(db: &Db) {
    partner(db, "ada@contoso.example", "public").await;
    let app = app_with(db, "target/site", vec!["10.0.0.0/8".parse().unwrap()]);
    let proxy = "10.0.0.1:40000";
    for _ in 0..5 {
        let r = sign_in_from(&app, proxy, Some("203.0.113.66"), "wrong-password-1").await;
        assert_eq!(r.0, StatusCode::UNAUTHORIZED);
    }
    let (status, retry, _) =
        sign_in_from(&app, proxy, Some("203.0.113.66"), "wrong-password-1").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry = retry.expect("Retry-After on 429");
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");
    // The guesser waits even with the right password...
    let r = sign_in_from(&app, proxy, Some("203.0.113.66"), PASSWORD).await;
    assert_eq!((r.0, r.2), (StatusCode::TOO_MANY_REQUESTS, false));
    // ...while the owner, behind the same proxy, signs in at once.
    let r = sign_in_from(&app, proxy, Some("192.0.2.10"), PASSWORD).await;
    assert!(r.0.is_success() && r.2, "owner refused: {:?}", r.0);
    // A client that connects directly cannot pick its address with X-Forwarded-For: the
    // guesser claiming the owner's address is still the guesser.
    let r = sign_in_from(&app, "203.0.113.66:5555", Some("192.0.2.10"), PASSWORD).await;
    assert_eq!(r.0, StatusCode::TOO_MANY_REQUESTS);
    // IPv6: the whole /64 is one client.
    for i in 1..=5 {
        let r = sign_in_from(
            &app,
            &format!("[2001:db8:1:2::{i}]:443"),
            None,
            "wrong-pw-22",
        )
        .await;
        assert_eq!(r.0, StatusCode::UNAUTHORIZED);
    }
    let r = sign_in_from(&app, "[2001:db8:1:2:ffff::9]:443", None, PASSWORD).await;
    assert_eq!(r.0, StatusCode::TOO_MANY_REQUESTS);
    let r = sign_in_from(&app, "[2001:db8:1:3::1]:443", None, PASSWORD).await;
    assert!(r.0.is_success(), "another /64 is another client: {:?}", r.0);
}

const SIGN_UP_FORM: &str = "org_name=Fabrikam&country=US&cloud=public&program=direct\
    &partner_id=&admin_name=Fay&email=fay%40fabrikam.example&password=a-long-test-password";

/// With sign-up by approval (the default), a new partner organization can do nothing with
/// customers until the operator approves it; then it can. Closed sign-up creates nothing.
async fn partner_sign_up_waits_for_approval(db: &Db) {
    use accord::server::PartnerSignUpMode;
    let closed = app_configured(db, "target/site", vec![], PartnerSignUpMode::Closed);
    let r = call(
        &closed,
        "POST",
        "/api/partner_sign_up",
        SIGN_UP_FORM,
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error.unwrap().contains("does not take new partner"));
    assert_eq!(common::count(db, "partner_orgs").await, 0);

    let app = app_configured(db, "target/site", vec![], PartnerSignUpMode::Approval);
    let r = call(
        &app,
        "POST",
        "/api/partner_sign_up",
        SIGN_UP_FORM,
        None,
        None,
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    let cookie = r.cookie.unwrap().split(';').next().unwrap().to_string();
    let (tenant,): (String,) = sqlx::query_as("SELECT id FROM partner_orgs")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let (status, _, html) = page(&app, "/partner/customers", &[("cookie", &cookie)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Waiting for approval") && html.contains(&tenant));
    assert!(!html.contains("Request a reseller relationship</a>"));
    let r = call(
        &app,
        "POST",
        "/api/relationship_request",
        "dap=true",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error.unwrap().contains("waiting for approval"));

    // A link made for it anyway (say, by an old instance) is no invitation to customers.
    let partner = accord::server::identity::partners::partner(db, &tenant)
        .await
        .unwrap()
        .unwrap();
    let secret = common::TEST_KEY;
    let link =
        accord::server::handshake::invitation_link(&partner, secret, "http://accord.test", true)
            .unwrap();
    let query = link.split_once('?').unwrap().1;
    let refused = accord::server::handshake::verify(db, secret, query).await;
    assert!(matches!(
        refused,
        Err(accord::error::AppError::Refused(
            accord::domain::Refusal::UnknownPartner
        ))
    ));

    // The operator approves it.
    let out = accord::server::cli::partners_on(db, &["list"])
        .await
        .unwrap();
    assert!(out.contains(&tenant) && out.contains("pending"), "{out}");
    let out = accord::server::cli::partners_on(db, &["approve", &tenant])
        .await
        .unwrap();
    assert!(out.starts_with("Approved Fabrikam"), "{out}");
    let again = accord::server::cli::partners_on(db, &["approve", &tenant])
        .await
        .unwrap();
    assert!(again.contains("already approved"), "{again}");
    let unknown = accord::server::cli::partners_on(db, &["approve", "nope"]).await;
    assert!(unknown.unwrap_err().contains("No partner organization"));

    let (_, _, html) = page(&app, "/partner/customers", &[("cookie", &cookie)]).await;
    assert!(!html.contains("Waiting for approval"));
    let r = call(
        &app,
        "POST",
        "/api/relationship_request",
        "dap=true",
        Some(&cookie),
        None,
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    assert!(accord::server::handshake::verify(db, secret, query)
        .await
        .is_ok());
}

/// GET of a page, with extra request headers; returns status, headers and body.
async fn page(
    app: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder()
        .uri(uri)
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "text/html");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// A partner or user name is text everywhere, above all inside the draft's `<textarea>`.
async fn names_are_never_markup(db: &Db) {
    const EVIL: &str = "</textarea><script>alert(1)</script><img src=x onerror=alert(2)>";
    accounts::sign_up_partner(
        db,
        PartnerSignUp {
            admin_name: format!("Mallory {EVIL}"),
            ..common::partner_sign_up(&format!("Evil {EVIL}"), "mallory@evil.example", PASSWORD)
        },
    )
    .await
    .unwrap();
    let app = app(db);
    let cookie = sign_in(&app, "mallory@evil.example").await;
    for uri in [
        "/partner/customers/request/email?dap=true",
        "/partner/customers",
        "/partner/customers/request",
    ] {
        let (status, _, body) = page(&app, uri, &[("cookie", &cookie)]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(body.contains("Mallory"), "{uri}");
        assert!(!body.contains("<script>alert"), "{uri}: {body}");
        assert!(!body.contains("<img src=x"), "{uri}");
        assert!(!body.contains("</textarea><script"), "{uri}: {body}");
    }
    let (_, _, draft) = page(
        &app,
        "/partner/customers/request/email?dap=true",
        &[("cookie", &cookie)],
    )
    .await;
    assert!(draft.contains("&lt;/textarea&gt;&lt;script&gt;"), "{draft}");
}

/// The page is in the chosen language: cookie, then Accept-Language, then the cloud.
async fn pages_speak_the_viewers_language(db: &Db) {
    let app = app(db);
    let (_, _, en) = page(&app, "/signin", &[("accept-language", "en-US,en;q=0.9")]).await;
    assert!(en.contains(r#"<html lang="en""#), "{en}");
    let (_, _, tw) = page(&app, "/signin", &[("accept-language", "zh-TW,zh;q=0.9")]).await;
    assert!(tw.contains(r#"<html lang="zh-TW""#));
    assert!(tw.contains("登入"), "{tw}");
    let (_, _, cn) = page(
        &app,
        "/signin",
        &[
            ("accept-language", "zh-TW"),
            ("cookie", "accord_locale=zh-CN"),
        ],
    )
    .await;
    assert!(cn.contains(r#"<html lang="zh-CN""#));
    // 21Vianet's portal starts in Simplified Chinese when the browser asks for nothing we have.
    let (status, _, v21) = page(
        &app,
        "/21v/partner-invitation?invType=x",
        &[("accept-language", "fr-FR")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v21.contains(r#"<html lang="zh-CN""#), "{v21}");
    let (status, headers, _) = page(&app, "/locale/zh-TW?next=%2Fsignin", &[]).await;
    assert!(status.is_redirection());
    assert_eq!(headers[header::LOCATION], "/signin");
    assert!(headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("accord_locale=zh-TW;"));
    let (status, headers, _) = page(&app, "/locale/en?next=https%3A%2F%2Fevil.example", &[]).await;
    assert!(status.is_redirection());
    assert_eq!(headers[header::LOCATION], "/", "no open redirect");
}

/// Pages are compressed when the browser accepts it.
async fn pages_are_compressed(db: &Db) {
    let app = app(db);
    let (_, headers, _) = page(&app, "/signup", &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    let (_, headers, _) = page(&app, "/signup", &[("accept-encoding", "gzip")]).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
}

/// Every page has a Content-Security-Policy whose nonce is the one its inline scripts carry
/// (no 'unsafe-inline'), is never cached, and cannot be framed; other answers run nothing.
async fn pages_carry_security_headers(db: &Db) {
    let app = app(db);
    let (status, headers, body) = page(&app, "/signin", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's policy");
    assert!(nonce.len() >= 16, "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    for part in [
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    let scripts = body.matches("<script").count();
    assert!(scripts >= 1, "{body}");
    assert_eq!(
        body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every inline script carries the response's nonce"
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(
        !headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
        "no HSTS on plain http"
    );
    // A second response gets a different nonce.
    let (_, again, _) = page(&app, "/signin", &[]).await;
    assert_ne!(
        again[header::CONTENT_SECURITY_POLICY],
        headers[header::CONTENT_SECURITY_POLICY]
    );
    // Answers of server functions run nothing and are not cached either.
    let r = call(
        &app,
        "POST",
        "/api/sign_in",
        "email=a%40b.example&password=x",
        None,
        None,
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let (_, headers, _) = page(&app, "/healthz", &[]).await;
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

/// A body larger than any form is refused with 413 and changes nothing.
async fn oversized_bodies_are_refused(db: &Db) {
    let app = app(db);
    let big = format!(
        "email=a%40b.example&password={}",
        "x".repeat(accord::server::platform::http::BODY_LIMIT)
    );
    let r = call(&app, "POST", "/api/sign_in", &big, None, None).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.cookie.is_none());
}

/// A body with a missing field, or bytes that are not text, is answered 400 with a human
/// sentence, never 500 with the parser's internals.
async fn malformed_bodies_are_refused(db: &Db) {
    let app = app(db);
    let r = call(
        &app,
        "POST",
        "/api/sign_in",
        "email=a%40b.example",
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        !r.body.contains("deserializ") && !r.body.contains("field"),
        "{}",
        r.body
    );
    assert!(r.cookie.is_none());
    let req = Request::builder()
        .method("POST")
        .uri("/api/sign_in")
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(&b"email=\xff\xfe&password=x"[..]))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&body).contains("utf-8"),
        "{body:?}"
    );
    // A NUL character (PostgreSQL cannot store one) is refused before any service sees it,
    // in a body or in a page's query.
    let r = call(
        &app,
        "POST",
        "/api/sign_in",
        "email=a%00%40b.example&password=x",
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.error.unwrap().contains("could not be read"));
    let (status, _, text) = page(&app, "/m365/partner-invitation?partnerId=%00", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("could not be read"), "{text}");
    // In a page's path too (a user's or webhook's id is looked up in the database).
    for path in ["/partner/users/a%00b", "/m365%00/partners"] {
        let (status, _, text) = page(&app, path, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(text.contains("could not be read"), "{path}: {text}");
    }
}

/// Whether `cookie` opens the partner's Customers page (else it is sent to sign in).
async fn signed_in(app: &Router, cookie: &str) -> bool {
    let (status, headers, _) = page(app, "/partner/customers", &[("cookie", cookie)]).await;
    if status == StatusCode::OK {
        return true;
    }
    assert!(status.is_redirection(), "{status}");
    assert!(headers[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/signin"));
    false
}

/// A cookie replayed after sign-out is refused; "sign out everywhere" ends every session
/// of the user at once; a session ends 7 days after sign-in however active it is.
async fn sessions_end_for_good(db: &Db) {
    use std::collections::HashMap;
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;

    let app = app(db);
    partner(db, "sessions@p.example", "public").await;
    let first = sign_in(&app, "sessions@p.example").await;
    assert!(signed_in(&app, &first).await);
    let r = call(&app, "POST", "/api/sign_out", "", Some(&first), None).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.status
    );
    assert!(
        !signed_in(&app, &first).await,
        "replayed cookie after sign-out"
    );

    let laptop = sign_in(&app, "sessions@p.example").await;
    let phone = sign_in(&app, "sessions@p.example").await;
    assert!(signed_in(&app, &laptop).await && signed_in(&app, &phone).await);
    let r = call(
        &app,
        "POST",
        "/api/sign_out_everywhere",
        "",
        Some(&phone),
        None,
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.status
    );
    assert!(
        !signed_in(&app, &laptop).await,
        "the other device is signed out too"
    );
    assert!(!signed_in(&app, &phone).await);
    let again = sign_in(&app, "sessions@p.example").await;
    assert!(signed_in(&app, &again).await, "signing in again works");

    // A stored session as the sign-in wrote it, `days` ago, and used a minute ago.
    let user_id = accounts::authenticate(db, "sessions@p.example", PASSWORD.into())
        .await
        .unwrap();
    let epoch = accounts::session_epoch(db, &user_id).await.unwrap();
    let now = accord::server::platform::db::now();
    let stored = |days: i64| {
        let mut record = Record {
            id: Id::default(),
            data: HashMap::from([
                ("user_id".to_string(), serde_json::json!(user_id)),
                ("epoch".to_string(), serde_json::json!(epoch)),
                (
                    "signed_in_at".to_string(),
                    serde_json::json!(now - days * 86_400),
                ),
                ("seen_at".to_string(), serde_json::json!(now - 60)),
            ]),
            expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
                + tower_sessions::cookie::time::Duration::hours(1),
        };
        async move {
            db.sessions.create(&mut record).await.unwrap();
            format!(
                "{}={}",
                accord::server::platform::http::SESSION_COOKIE,
                record.id
            )
        }
    };
    assert!(
        signed_in(&app, &stored(6).await).await,
        "6 days after sign-in: still valid"
    );
    assert!(
        !signed_in(&app, &stored(8).await).await,
        "8 days after sign-in: ended"
    );
}

/// A crafted link cannot put its own words on a genuine page: the error code of a plain
/// form post is shown only as one of Accord's own sentences.
async fn crafted_error_links_show_no_foreign_text(db: &Db) {
    use accord::domain::Problem;
    use accord::error::AppError;
    use leptos::server_fn::error::ServerFnUrlError;
    let app = app(db);
    let link = |error: AppError| {
        let url = ServerFnUrlError::new("/api/sign_in", error)
            .to_url("http://accord.test/signin")
            .unwrap();
        format!("{}?{}", url.path(), url.query().unwrap())
    };
    const SCAM: &str = "Your account is locked. Call +1 555 0100 now";
    for crafted in [
        AppError::Transport(SCAM.into()),
        AppError::Conflict(Problem::DomainTaken(SCAM.into())),
        AppError::Invalid(Problem::DomainTaken(SCAM.into())),
        AppError::Invalid(Problem::OutsideReach {
            partner: SCAM.into(),
            reach: SCAM.into(),
            country: SCAM.into(),
        }),
        AppError::Invalid(Problem::ProviderOutsideReach {
            provider: SCAM.into(),
            reach: "BR".into(),
            country: SCAM.into(),
        }),
    ] {
        let (status, _, body) = page(&app, &link(crafted.clone()), &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !body.contains("Call +1 555"),
            "{crafted:?} put its text on the page"
        );
        assert!(body.contains("role=\"alert\""), "{body}");
    }
    // One of Accord's own sentences is still shown after a plain form post.
    let (_, _, body) = page(&app, &link(AppError::BadCredentials), &[]).await;
    assert!(body.contains("The email or password is incorrect."));
    // A code that is not one is ignored, and the page is still fine.
    let (status, _, body) = page(&app, "/signin?__path=/api/sign_in&__err=not-a-code", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("not-a-code"));
}

/// A customer organization (its Global admin signs in with `email`) that accepted the
/// partner's invitation with DAP; returns the organization's id.
async fn customer_of(db: &Db, partner_org: &str, company: &str, email: &str) -> String {
    use accord::server::handshake;
    let slug: String = company
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let created = accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        common::customer_sign_up(company, &format!("{slug}.onmicrosoft.com"), email, PASSWORD),
    )
    .await
    .unwrap();
    let partner = partners::partner(db, partner_org).await.unwrap().unwrap();
    let link =
        handshake::invitation_link(&partner, common::TEST_KEY, "http://accord.test", true).unwrap();
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
        email: email.into(),
        phone: String::new(),
        acknowledged: true,
    };
    handshake::accept(db, &inv, &admin, signer, true)
        .await
        .unwrap();
    created.org_id
}

/// The activity log: each organization reads only its own entries, on the page and as CSV
/// (quoted, formula cells neutralised, with a byte-order mark); a customer User and a
/// stranger are refused; a date that cannot be read is a 400 with a sentence.
async fn activity_log_is_scoped(db: &Db) {
    let contoso = partner(db, "ada@contoso.example", "public").await;
    let fabrikam = partner(db, "fay@fabrikam.example", "public").await;
    let fourth = customer_of(db, &contoso, "Fourth Coffee", "casey@fourthcoffee.example").await;
    customer_of(
        db,
        &fabrikam,
        "=HYPERLINK(\"x\"),\"Inc\"",
        "nina@hyperlink.example",
    )
    .await;
    accounts::add_customer_user(
        db,
        &fourth,
        "Uma",
        "uma@fourthcoffee.example",
        PASSWORD.into(),
        CustomerRole::User,
    )
    .await
    .unwrap();
    let app = app(db);
    let ada = sign_in(&app, "ada@contoso.example").await;
    let fay = sign_in(&app, "fay@fabrikam.example").await;
    let casey = sign_in(&app, "casey@fourthcoffee.example").await;
    let uma = sign_in(&app, "uma@fourthcoffee.example").await;

    let r = call(&app, "GET", "/activity.csv", "", Some(&ada), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.starts_with('\u{feff}'), "a byte-order mark first");
    let lines: Vec<&str> = r
        .body
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .collect();
    assert_eq!(
        lines[0],
        "Date and time (UTC),Organization,Action,Detail,Performed by"
    );
    // Agreement accepted, relationship established, DAP granted: Contoso's three entries.
    assert_eq!(lines.len(), 1 + 3 + 1, "{lines:?}");
    assert!(
        lines[1..4].iter().all(|l| l.contains(",Fourth Coffee,")),
        "{lines:?}"
    );
    assert!(
        !r.body.contains("HYPERLINK"),
        "another partner's customer never shows"
    );

    let r = call(&app, "GET", "/activity.csv", "", Some(&fay), None).await;
    assert!(
        r.body.contains(",\"'=HYPERLINK(\"\"x\"\"),\"\"Inc\"\"\","),
        "quoted and neutralised: {}",
        r.body
    );
    let r = call(
        &app,
        "GET",
        "/activity.csv?action=dap.granted",
        "",
        Some(&casey),
        None,
    )
    .await;
    let lines: Vec<&str> = r.body.trim_end().split("\r\n").skip(1).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains(",Org of ada@contoso.example,Delegated admin privileges granted,"));
    let r = call(
        &app,
        "GET",
        "/activity.csv?from=2000-01-01&to=2000-12-31",
        "",
        Some(&casey),
        None,
    )
    .await;
    assert_eq!(
        r.body.trim_end().split("\r\n").count(),
        1,
        "only the header"
    );

    let r = call(&app, "GET", "/activity.csv", "", Some(&uma), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("home page only"), "{}", r.body);
    let r = call(&app, "GET", "/activity.csv", "", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(
        &app,
        "GET",
        "/activity.csv?from=2026-13-45",
        "",
        Some(&ada),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("YYYY-MM-DD"), "{}", r.body);

    let r = call(&app, "GET", "/partner/activity", "", Some(&ada), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Fourth Coffee") && !r.body.contains("HYPERLINK"));
    let r = call(
        &app,
        "GET",
        "/partner/activity?from=nonsense",
        "",
        Some(&ada),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(&app, "GET", "/m365/activity", "", Some(&uma), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&app, "GET", "/m365/activity", "", Some(&casey), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Customer agreement accepted"),
        "the action in words"
    );
}

/// The body of a GET that must answer 200.
async fn get_ok(app: &Router, cookie: &str, uri: String) -> String {
    let r = call(app, "GET", &uri, "", Some(cookie), None).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}");
    r.body
}

/// The text of the element with this id (`<p id="…">text</p>`).
fn text_by_id(body: &str, id: &str) -> String {
    body.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|r| r.split_once('>'))
        .and_then(|(_, r)| r.split('<').next())
        .unwrap_or_default()
        .to_string()
}

/// Where the link that reads `text` goes.
fn href_of(body: &str, text: &str) -> Option<String> {
    let end = body.find(&format!(">{text}</a>"))?;
    let start = body[..end].rfind("href=\"")? + 6;
    let href = &body[start..end];
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}

/// Addresses that are not the page's own (an old `page=` number, a made-up or altered
/// cursor, unknown filter values, a very long search) show a page of Customers, never an
/// error.
async fn customers_page_numbers_out_of_range(db: &Db) {
    let contoso = partner(db, "ada@contoso.example", "public").await;
    customer_of(db, &contoso, "Fourth Coffee", "casey@fourthcoffee.example").await;
    let app = app(db);
    let ada = sign_in(&app, "ada@contoso.example").await;
    let long = "f".repeat(5000);
    for query in [
        "page=9223372036854775807",
        "page=-1",
        "at=abc",
        "at=eyJxIjp7fSwicyI6NTAsIm8iOjUwLCJhIjp0cnVlLCJpIjoieCJ9.AAAAAAAAAAAAAAAAAAAAAA",
        "at=..",
        "kind=partner&dap=maybe",
        "last=1&at=",
        &format!("q={long}"),
    ] {
        let uri = format!("/partner/customers?{query}");
        let r = call(&app, "GET", &uri, "", Some(&ada), None).await;
        assert!(
            r.status == StatusCode::OK || r.status.is_redirection(),
            "{query}: {}",
            r.status
        );
        if query.starts_with("q=") {
            assert!(
                r.body.contains("No customers match"),
                "a search of its first 256 letters"
            );
        } else if r.status == StatusCode::OK {
            assert!(r.body.contains("Fourth Coffee"), "{query}");
        }
    }
}

/// 120 customers, 50 a page: next, previous, first and last follow signed cursors; the
/// count comes from the kept counters; search and filters page the same way and keep
/// themselves in every link; another partner's cursor names nothing here.
async fn customers_page_walks_by_cursor(db: &Db) {
    let contoso = partner(db, "ada@contoso.example", "public").await;
    common::bulk_customers(db, &contoso, 120, "0000c0de").await;
    let app = app(db);
    let ada = sign_in(&app, "ada@contoso.example").await;
    let get = |uri: String| get_ok(&app, &ada, uri);
    let count = |body: &str| text_by_id(body, "customers-count");
    let link = href_of;
    let names = |body: &str| -> Vec<String> {
        body.split("class=\"c-name\">")
            .skip(1)
            .map(|r| r.split('<').next().unwrap_or_default().to_string())
            .collect()
    };
    let first = get("/partner/customers".into()).await;
    assert_eq!(count(&first), "Customers 1–50 of 120", "{first}");
    assert_eq!(link(&first, "Previous"), None);
    assert_eq!(link(&first, "First"), None);
    let first_names = names(&first);
    let mut sorted = first_names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(first_names, sorted, "in name order");
    let second = get(link(&first, "Next").unwrap()).await;
    assert_eq!(count(&second), "Customers 51–100 of 120");
    assert!(second.contains(">2 / 3<"));
    let third = get(link(&second, "Next").unwrap()).await;
    assert_eq!(count(&third), "Customers 101–120 of 120");
    assert_eq!(link(&third, "Next"), None);
    assert_eq!(link(&third, "Last"), None);
    let back = get(link(&third, "Previous").unwrap()).await;
    assert_eq!(names(&back), names(&second));
    assert_eq!(count(&back), "Customers 51–100 of 120");
    let back = get(link(&back, "Previous").unwrap()).await;
    assert_eq!(names(&back), first_names);
    let last = get(link(&first, "Last").unwrap()).await;
    assert_eq!(
        names(&last),
        names(&third),
        "the last page aligns with the pages before"
    );
    assert_eq!(
        names(&get(link(&second, "First").unwrap()).await),
        first_names
    );
    let every: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|b| names(b))
        .collect();
    let unique: std::collections::HashSet<&String> = every.iter().collect();
    assert_eq!(
        (every.len(), unique.len()),
        (120, 120),
        "no customer twice or missed"
    );

    // Search: the start of a name or of a domain, any case; the filter stays in the links.
    let coho = get("/partner/customers?q=COHO".into()).await;
    assert_eq!(count(&coho), "Customers 1–15 of 15");
    assert!(names(&coho).iter().all(|n| n.starts_with("Coho Winery ")));
    assert!(coho.contains("value=\"COHO\""), "the form shows the search");
    let by_domain = get("/partner/customers?q=t0000c0dec11".into()).await;
    assert_eq!(
        count(&by_domain),
        "Customers 1–11 of 11",
        "c11, c110 … c119"
    );
    let with_dap = get("/partner/customers?dap=yes".into()).await;
    assert_eq!(count(&with_dap), "Customers 1–50 of 60");
    let next = link(&with_dap, "Next").unwrap();
    assert!(next.contains("dap=yes"), "{next}");
    let rest = get(next.clone()).await;
    assert_eq!(count(&rest), "Customers 51–60 of 60");
    let none = get("/partner/customers?q=nobody".into()).await;
    assert!(none.contains("No customers match this search."));
    // The cursor of one filter with another filter's address: the first page of that one.
    let swapped = next.replace("dap=yes", "dap=no");
    assert_eq!(count(&get(swapped).await), "Customers 1–50 of 60");
    // Another partner's cursor (same customers' ids, signed for Contoso) opens their first
    // page only.
    let fabrikam = partner(db, "fay@fabrikam.example", "public").await;
    common::bulk_customers(db, &fabrikam, 3, "0000fab0").await;
    let fay = sign_in(&app, "fay@fabrikam.example").await;
    let r = call(
        &app,
        "GET",
        &link(&first, "Next").unwrap(),
        "",
        Some(&fay),
        None,
    )
    .await;
    assert_eq!(count(&r.body), "Customers 1–3 of 3");
}

/// The activity log pages by keyset: newest, newer and older links walk every entry once;
/// the count stops at 10,000 ("more than"); a partner with more than 200 customers filters
/// by the start of a customer's name instead of a list of every one.
async fn activity_log_pages_by_keyset(db: &Db) {
    let contoso = partner(db, "ada@contoso.example", "public").await;
    common::bulk_customers(db, &contoso, 10_050, "0000ac70").await;
    let app = app(db);
    let ada = sign_in(&app, "ada@contoso.example").await;
    let get = |uri: String| get_ok(&app, &ada, uri);
    let count = |body: &str| text_by_id(body, "activity-count");
    let link = href_of;
    let first = get("/partner/activity".into()).await;
    assert_eq!(count(&first), "Entries 1–50 of more than 10,000");
    assert!(
        !first.contains("<select name=\"counterpart\""),
        "no list of 10,050 customers"
    );
    assert_eq!(link(&first, "Newer"), None);
    let second = get(link(&first, "Older").unwrap()).await;
    assert_eq!(count(&second), "Entries 51–100 of more than 10,000");
    let back = get(link(&second, "Newer").unwrap()).await;
    assert_eq!(count(&back), "Entries 1–50 of more than 10,000");
    assert_eq!(
        link(&second, "Newest").map(|l| l.ends_with("/partner/activity")),
        Some(true)
    );

    // The entries of customers whose name starts with "Coho Winery 10": 10, 100–109,
    // 1000–1099 and 10000–10049 (those with i % 8 == 2), walked to the end.
    let mut uri = "/partner/activity?counterpart_name=coho+winery+10".to_string();
    let mut seen = Vec::new();
    loop {
        let body = get(uri.clone()).await;
        seen.extend(
            body.split("<tr data-action=")
                .skip(1)
                .map(|r| r.split("</tr>").next().unwrap_or_default().to_string()),
        );
        match link(&body, "Older") {
            Some(next) => {
                assert!(next.contains("counterpart_name=coho+winery+10"), "{next}");
                uri = next;
            }
            None => break,
        }
    }
    let expected = (10..=10_050)
        .filter(|i| i.to_string().starts_with("10") && i % 8 == 2)
        .count();
    assert_eq!(seen.len(), expected);
    assert!(seen.iter().all(|row| row.contains("Coho Winery 10")));
    let unique: std::collections::HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no entry twice");
    // A page link that is not one: the newest page.
    let odd = get("/partner/activity?older=x.y.z&newer=1".into()).await;
    assert_eq!(count(&odd), count(&first));
}

/// The Customers page is rendered once per version of the partner's customers and reused;
/// every change shows on the next request, in every language.
async fn customers_page_shows_each_change_at_once(db: &Db) {
    let contoso = partner(db, "ada@contoso.example", "public").await;
    customer_of(db, &contoso, "Fourth Coffee", "casey@fourthcoffee.example").await;
    let app = app(db);
    let ada = sign_in(&app, "ada@contoso.example").await;
    let casey = sign_in(&app, "casey@fourthcoffee.example").await;
    let dap_of = |body: &str| {
        body.split("class=\"c-dap\"")
            .nth(1)
            .and_then(|rest| rest.split("</span>").nth(1))
            .map(|s| s.trim().to_string())
    };
    for _ in 0..2 {
        let r = call(&app, "GET", "/partner/customers", "", Some(&ada), None).await;
        assert!(r.body.contains("Fourth Coffee"));
        assert_eq!(dap_of(&r.body).as_deref(), Some("Yes"), "{}", r.body);
    }
    let zh = format!("{ada}; accord_locale=zh-CN");
    let r = call(&app, "GET", "/partner/customers", "", Some(&zh), None).await;
    assert_eq!(
        dap_of(&r.body).as_deref(),
        Some("是"),
        "the rows of each language"
    );

    let r = call(
        &app,
        "POST",
        "/api/remove_partner_roles",
        &format!("partner={contoso}"),
        Some(&casey),
        None,
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    let r = call(&app, "GET", "/partner/customers", "", Some(&ada), None).await;
    assert_eq!(dap_of(&r.body).as_deref(), Some("No"), "{}", r.body);
    let r = call(&app, "GET", "/partner/customers", "", Some(&zh), None).await;
    assert_eq!(dap_of(&r.body).as_deref(), Some("否"));

    let fourth: String =
        sqlx::query_scalar("SELECT id FROM customer_orgs WHERE name = 'Fourth Coffee'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let r = call(
        &app,
        "POST",
        "/api/remove_customer_relationship",
        &format!("customer={fourth}&attest=yes"),
        Some(&ada),
        None,
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    let r = call(&app, "GET", "/partner/customers", "", Some(&ada), None).await;
    assert!(!r.body.contains("Fourth Coffee"), "removed at once");
}

/// The answer's success, or the test fails with its status and body.
fn ok(r: &Reply, what: &str) {
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{what}: {} {}",
        r.status,
        r.body
    );
}

/// The set-password link on a user's page, if the page shows one.
fn link_token(html: &str) -> Option<String> {
    let start = html.find("/set-password?token=")? + "/set-password?token=".len();
    let rest = &html[start..];
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))?;
    Some(rest[..end].to_string())
}

/// Adds a user through the Users page's form; answers the new user's id and the token of
/// their set-password link, which their page shows once.
async fn add_through_form(db: &Db, app: &Router, admin: &str, form: &str) -> (String, String) {
    let r = call(app, "POST", "/api/add_user", form, Some(admin), None).await;
    ok(&r, "add user");
    let location = r.location.expect("add user answers with the user's page");
    let user_id = location.rsplit('/').next().unwrap().to_string();
    let fresh = r.fresh.expect("the link is handed to the user's page");
    let (status, headers, html) =
        page(app, &location, &[("cookie", &format!("{admin}; {fresh}"))]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = link_token(&html).expect("the new user's page shows their link");
    assert!(
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("accord_fresh_link=;")),
        "the page clears the cookie that brought the link"
    );
    assert!(
        !session_store_holds(db, &token).await,
        "the link is not kept in the session store"
    );
    let (_, _, again) = page(app, &location, &[("cookie", admin)]).await;
    assert_eq!(link_token(&again), None, "the link is shown once");
    (user_id, token)
}

/// Whether any session in the store holds `secret`.
async fn session_store_holds(db: &Db, secret: &str) -> bool {
    let sql = match db.dialect {
        accord::server::platform::db::Dialect::Sqlite => "SELECT data FROM tower_sessions",
        accord::server::platform::db::Dialect::Postgres => {
            "SELECT data FROM tower_sessions.session"
        }
    };
    let rows: Vec<(Vec<u8>,)> = sqlx::query_as(sql).fetch_all(&db.pool).await.unwrap();
    rows.iter()
        .any(|(data,)| data.windows(secret.len()).any(|w| w == secret.as_bytes()))
}

/// Users: a Global admin adds a user, who sets a password through a one-time link; role
/// changes apply at once; the last Global admin who can sign in stays; a removed user's
/// sessions end at once and their address is free again; each change is in the log.
async fn users_are_managed(db: &Db) {
    use accord::domain::Membership;
    let app = app(db);
    let org = partner(db, "ga@users.example", "public").await;
    let admin = sign_in(&app, "ga@users.example").await;

    // Added, without a password until the link is used.
    let (sam, token) = add_through_form(
        db,
        &app,
        &admin,
        "name=Sam+Sales&email=Sam%40Users.example&role=admin_agent",
    )
    .await;
    let r = call(
        &app,
        "POST",
        "/api/sign_in",
        &format!("email=sam%40users.example&password={PASSWORD}"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 401, "no password yet: {}", r.body);
    let (status, _, html) = page(&app, &format!("/set-password?token={token}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Sam Sales") && html.contains("sam@users.example"),
        "{html}"
    );
    let r = call(
        &app,
        "POST",
        "/api/set_password",
        &format!("token={token}&password=short"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let r = call(
        &app,
        "POST",
        "/api/set_password",
        &format!("token={token}&password={PASSWORD}"),
        None,
        None,
    )
    .await;
    ok(&r, "set password");
    let sam_cookie = r
        .cookie
        .expect("setting the password signs in")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(signed_in(&app, &sam_cookie).await);
    // The link works once.
    let before = database_state(db).await;
    let r = call(
        &app,
        "POST",
        "/api/set_password",
        &format!("token={token}&password=another-password-1"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.error.unwrap().contains("expired or was already used"));
    assert_eq!(database_state(db).await, before);
    let (status, _, _) = page(&app, &format!("/set-password?token={token}"), &[]).await;
    assert_eq!(status.as_u16(), 410);
    sign_in(&app, "sam@users.example").await;

    // A taken address, a bad role, a missing name: refused, nothing changed.
    let before = database_state(db).await;
    for (form, status) in [
        ("name=Again&email=sam%40users.example&role=sales_agent", 409),
        ("name=Odd&email=odd%40users.example&role=billing_admin", 422),
        ("name=&email=odd%40users.example&role=sales_agent", 422),
    ] {
        let r = call(&app, "POST", "/api/add_user", form, Some(&admin), None).await;
        assert_eq!(r.status.as_u16(), status, "{form}: {}", r.body);
        assert!(r.error.is_some_and(|e| e.len() > 10));
    }
    assert_eq!(database_state(db).await, before);

    // A role change applies on the next request; an Admin agent manages no users.
    let r = call(
        &app,
        "POST",
        "/api/add_user",
        "name=X&email=x%40users.example&role=sales_agent",
        Some(&sam_cookie),
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    let r = call(
        &app,
        "POST",
        "/api/change_user_role",
        &format!("user={sam}&role=global_admin"),
        Some(&admin),
        None,
    )
    .await;
    ok(&r, "change role");
    let r = call(
        &app,
        "POST",
        "/api/add_user",
        "name=Pat&email=pat%40users.example&role=helpdesk_agent",
        Some(&sam_cookie),
        None,
    )
    .await;
    ok(&r, "Sam, now Global admin, adds a user");
    let pat = r.location.unwrap().rsplit('/').next().unwrap().to_string();

    // The last Global admin who can sign in stays: Pat, made Global admin, has no password
    // yet and does not count.
    let r = call(
        &app,
        "POST",
        "/api/change_user_role",
        &format!("user={sam}&role=sales_agent"),
        Some(&admin),
        None,
    )
    .await;
    ok(&r, "demote Sam");
    let r = call(
        &app,
        "POST",
        "/api/change_user_role",
        &format!("user={pat}&role=global_admin"),
        Some(&admin),
        None,
    )
    .await;
    ok(&r, "Pat becomes Global admin");
    let ga = accounts::authenticate(db, "ga@users.example", PASSWORD.into())
        .await
        .unwrap();
    partner(db, "ga@other.example", "public").await;
    let other_admin = sign_in(&app, "ga@other.example").await;
    let before = database_state(db).await;
    for (path, form) in [
        (
            "/api/change_user_role",
            format!("user={ga}&role=admin_agent"),
        ),
        ("/api/remove_user", format!("user={ga}&confirm=yes")),
    ] {
        let r = call(&app, "POST", path, &form, Some(&admin), None).await;
        assert_eq!(r.status.as_u16(), 409, "{path}: {}", r.body);
        assert!(r.error.unwrap().contains("at least one Global admin"));
    }
    // Removal needs the confirmation; another organization's user is not found.
    let r = call(
        &app,
        "POST",
        "/api/remove_user",
        &format!("user={sam}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let r = call(
        &app,
        "POST",
        "/api/remove_user",
        &format!("user={sam}&confirm=yes"),
        Some(&other_admin),
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    let (status, _, _) = page(
        &app,
        &format!("/partner/users/{sam}"),
        &[("cookie", &other_admin)],
    )
    .await;
    assert_eq!(status.as_u16(), 404);
    assert_eq!(database_state(db).await, before);

    // Removed: signed out at once, cannot sign in, the address is free again.
    let r = call(
        &app,
        "POST",
        "/api/remove_user",
        &format!("user={sam}&confirm=yes"),
        Some(&admin),
        None,
    )
    .await;
    ok(&r, "remove Sam");
    assert!(r
        .location
        .unwrap()
        .ends_with(&format!("/partner/users?removed={sam}")));
    assert!(
        !signed_in(&app, &sam_cookie).await,
        "the removed user's session ended"
    );
    let r = call(
        &app,
        "POST",
        "/api/sign_in",
        &format!("email=sam%40users.example&password={PASSWORD}"),
        None,
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 401);
    let (_, _, list) = page(
        &app,
        &format!("/partner/users?removed={sam}"),
        &[("cookie", &admin)],
    )
    .await;
    assert!(list.contains("Sam Sales was removed"), "{list}");
    assert!(!list.contains("sam@users.example"), "{list}");
    let (again, _) = add_through_form(
        db,
        &app,
        &admin,
        "name=Sam+Again&email=sam%40users.example&role=sales_agent",
    )
    .await;
    assert_ne!(again, sam);

    // Pat's link, replaced by a new one: the first stops working.
    let r = call(
        &app,
        "POST",
        "/api/new_password_link",
        &format!("user={pat}"),
        Some(&admin),
        None,
    )
    .await;
    ok(&r, "new link");
    let cookies = format!("{admin}; {}", r.fresh.expect("the link is handed over"));
    let (_, _, html) = page(
        &app,
        &format!("/partner/users/{pat}"),
        &[("cookie", &cookies)],
    )
    .await;
    let fresh = link_token(&html).expect("the new link is shown");
    let r = call(
        &app,
        "POST",
        "/api/set_password",
        &format!("token={fresh}&password={PASSWORD}"),
        None,
        None,
    )
    .await;
    ok(&r, "Pat sets a password");
    // Now Pat counts: the first admin may step down.
    let r = call(
        &app,
        "POST",
        "/api/change_user_role",
        &format!("user={ga}&role=admin_agent"),
        Some(&admin),
        None,
    )
    .await;
    ok(&r, "step down");
    let viewer = accounts::viewer(db, &ga).await.unwrap().unwrap();
    assert!(matches!(
        viewer.membership,
        Membership::Partner {
            role: PartnerRole::AdminAgent,
            ..
        }
    ));

    // Two Global admins removing each other at the same moment: one of them stays.
    let pat_cookie = sign_in(&app, "pat@users.example").await;
    let sam2 = accounts::authenticate(db, "sam@users.example", PASSWORD.into()).await;
    assert!(sam2.is_err(), "Sam Again has not set a password");
    let r = call(
        &app,
        "POST",
        "/api/change_user_role",
        &format!("user={ga}&role=global_admin"),
        Some(&pat_cookie),
        None,
    )
    .await;
    ok(&r, "back to Global admin");
    let (remove_pat, remove_ga) = (
        format!("user={pat}&confirm=yes"),
        format!("user={ga}&confirm=yes"),
    );
    let (a, b) = tokio::join!(
        call(
            &app,
            "POST",
            "/api/remove_user",
            &remove_pat,
            Some(&admin),
            None
        ),
        call(
            &app,
            "POST",
            "/api/remove_user",
            &remove_ga,
            Some(&pat_cookie),
            None
        ),
    );
    let statuses = [a.status.as_u16(), b.status.as_u16()];
    assert!(
        statuses.iter().filter(|s| **s < 400).count() == 1,
        "{statuses:?} {} {}",
        a.body,
        b.body
    );
    let (admins,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE partner_org_id = $1 AND role = 'global_admin' AND removed_at IS NULL",
    )
    .bind(&org)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(admins, 1);

    // Each change is in the organization's log.
    let (actions,): (String,) = sqlx::query_as(
        "SELECT CAST(COUNT(DISTINCT action) AS TEXT) FROM activity WHERE partner_org_id = $1 AND action LIKE 'user.%'",
    )
    .bind(&org)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(actions, "5");
}

/// Customer organizations manage their users the same way; a Billing admin reads the list
/// but changes nothing, a User sees the home page only.
async fn customer_users_are_managed(db: &Db) {
    let app = app(db);
    let contoso = partner(db, "ga@contoso-users.example", "public").await;
    let fourth = customer_of(db, &contoso, "Fourth Coffee", "casey@fourth-users.example").await;
    let casey = sign_in(&app, "casey@fourth-users.example").await;
    let (_, token) = add_through_form(
        db,
        &app,
        &casey,
        "name=Bea&email=bea%40fourth-users.example&role=billing_admin",
    )
    .await;
    let r = call(
        &app,
        "POST",
        "/api/set_password",
        &format!("token={token}&password={PASSWORD}"),
        None,
        None,
    )
    .await;
    ok(&r, "Bea sets a password");
    assert_eq!(r.location.as_deref(), Some("/m365/home"));
    let bea = sign_in(&app, "bea@fourth-users.example").await;
    let (status, _, html) = page(&app, "/m365/users", &[("cookie", &bea)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("casey@fourth-users.example") && !html.contains("/api/add_user"),
        "{html}"
    );
    let r = call(
        &app,
        "POST",
        "/api/add_user",
        "name=U&email=u%40fourth-users.example&role=user",
        Some(&bea),
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 403);
    accounts::add_customer_user(
        db,
        &fourth,
        "Uma",
        "uma@fourth-users.example",
        PASSWORD.into(),
        CustomerRole::User,
    )
    .await
    .unwrap();
    let uma = sign_in(&app, "uma@fourth-users.example").await;
    let (status, _, _) = page(&app, "/m365/users", &[("cookie", &uma)]).await;
    assert_eq!(status.as_u16(), 403);
    // Partner roles are not customer roles.
    let r = call(
        &app,
        "POST",
        "/api/add_user",
        "name=V&email=v%40fourth-users.example&role=admin_agent",
        Some(&casey),
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 422);
    let (status, _, html) = page(&app, "/m365/users", &[("cookie", &casey)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("bea@fourth-users.example") && html.contains("/api/add_user"));
}

/// Who calls a server function in the authorization matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// The Global admin of a partner with no relationship to the customer.
    OtherPartner,
    /// The Global admin of a customer organization with no relationship to the partner.
    OtherCustomer,
    /// A user of the partner (Contoso) with this role.
    Partner(PartnerRole),
    /// A user of the customer (Fourth Coffee, Contoso's customer with DAP) with this role.
    Customer(CustomerRole),
}

/// What the authorization matrix compares before and after each refused call: the rows of
/// every table, and the columns the server functions change in place.
async fn database_state(db: &Db) -> Vec<i64> {
    let mut state = Vec::new();
    for table in [
        "partner_orgs",
        "customer_orgs",
        "users",
        "relationships",
        "agreement_acceptances",
        "dap_grants",
        "activity",
        "declines",
        "password_links",
        "indirect_connections",
        "api_keys",
        "webhooks",
        "webhook_deliveries",
    ] {
        state.push(common::count(db, table).await);
    }
    for sql in [
        "SELECT COUNT(*) FROM relationships WHERE removed_at IS NULL",
        "SELECT COUNT(*) FROM dap_grants WHERE revoked_at IS NULL",
        "SELECT CAST(COALESCE(SUM(link_secret_version), 0) AS BIGINT) FROM partner_orgs",
        "SELECT CAST(COALESCE(SUM(session_epoch), 0) AS BIGINT) FROM users",
        "SELECT COUNT(*) FROM users WHERE removed_at IS NULL",
        "SELECT COUNT(*) FROM users WHERE role = 'global_admin'",
        "SELECT COUNT(*) FROM users WHERE password_hash <> ''",
        "SELECT COUNT(*) FROM password_links WHERE used_at IS NULL",
        "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM webhooks WHERE removed_at IS NULL",
    ] {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.unwrap();
        state.push(n);
    }
    state
}

/// Every server function, called by everyone who must not change anything with it, is
/// refused with 401 or 403 and a sentence, and the database is unchanged. The rows come
/// from the registry of server functions: a new function without a row fails this test.
async fn every_server_function_is_authorized(db: &Db) {
    use accord::server::handshake;
    use std::collections::BTreeSet;
    let contoso = partner(db, "ada@contoso.example", "public").await;
    partner(db, "fay@fabrikam.example", "public").await;
    let mut emails: Vec<(Caller, String)> = vec![
        (Caller::OtherPartner, "fay@fabrikam.example".into()),
        (
            Caller::Partner(PartnerRole::GlobalAdmin),
            "ada@contoso.example".into(),
        ),
    ];
    for role in [
        PartnerRole::AdminAgent,
        PartnerRole::SalesAgent,
        PartnerRole::HelpdeskAgent,
    ] {
        let email = format!("{}@contoso.example", role.code());
        accounts::add_partner_user(db, &contoso, "Agent", &email, PASSWORD.into(), role)
            .await
            .unwrap();
        emails.push((Caller::Partner(role), email));
    }
    let target = accounts::add_partner_user(
        db,
        &contoso,
        "Target",
        "target@contoso.example",
        PASSWORD.into(),
        PartnerRole::SalesAgent,
    )
    .await
    .unwrap();
    let fourth = customer_of(db, &contoso, "Fourth Coffee", "casey@fourthcoffee.example").await;
    let contoso_admin = accounts::viewer(
        db,
        &accounts::authenticate(db, "ada@contoso.example", PASSWORD.into())
            .await
            .unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let contoso_key =
        accord::server::integrations::api_keys::create(db, &contoso_admin, "Matrix", "")
            .await
            .unwrap()
            .id;
    let contoso_hook = accord::server::integrations::webhooks::create(
        db,
        &Default::default(),
        &contoso_admin,
        "https://hooks.contoso.example/accord",
        &["dap.removed"],
    )
    .await
    .unwrap();
    emails.push((
        Caller::Customer(CustomerRole::GlobalAdmin),
        "casey@fourthcoffee.example".into(),
    ));
    for role in [CustomerRole::BillingAdmin, CustomerRole::User] {
        let email = format!("{}@fourthcoffee.example", role.code());
        accounts::add_customer_user(db, &fourth, "Uma", &email, PASSWORD.into(), role)
            .await
            .unwrap();
        emails.push((Caller::Customer(role), email));
    }
    // Northwind: a customer organization of no partner.
    accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        common::customer_sign_up(
            "Northwind",
            "northwind.onmicrosoft.com",
            "nina@northwind.example",
            PASSWORD,
        ),
    )
    .await
    .unwrap();
    emails.push((Caller::OtherCustomer, "nina@northwind.example".into()));
    // Contoso's invitation, which Fourth Coffee accepted.
    let contoso_partner = partners::partner(db, &contoso).await.unwrap().unwrap();
    let link = handshake::invitation_link(
        &contoso_partner,
        common::TEST_KEY,
        "http://accord.test",
        true,
    )
    .unwrap();
    let query = link.split_once('?').unwrap().1.to_string();

    let app = app(db);
    let mut cookies: Vec<(Caller, String)> = Vec::new();
    for (caller, email) in &emails {
        cookies.push((*caller, sign_in(&app, email).await));
    }
    let cookie_of = |caller: &Caller| {
        cookies
            .iter()
            .find(|(c, _)| c == caller)
            .map(|(_, cookie)| cookie.clone())
    };
    let invitation: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let accept = format!(
        "invitation={invitation}&first_name=Casey&last_name=Customer&signer_email=c%40x.example&acknowledge=on"
    );
    use Caller::*;
    use CustomerRole::{BillingAdmin, User};
    use PartnerRole::{AdminAgent, GlobalAdmin, HelpdeskAgent, SalesAgent};
    // Everyone but Contoso's Global admin, for the changes of one of Contoso's users.
    let not_contoso_admins = vec![
        Anonymous,
        OtherPartner,
        OtherCustomer,
        Customer(CustomerRole::GlobalAdmin),
        Partner(AdminAgent),
        Partner(SalesAgent),
        Partner(HelpdeskAgent),
        Customer(BillingAdmin),
        Customer(User),
    ];
    // Per server function: a body that would change something if the caller were allowed,
    // and every caller that must be refused. Public functions have no such caller.
    let rows: Vec<(&str, String, Vec<Caller>)> = vec![
        ("/api/sign_in", String::new(), vec![]),
        ("/api/sign_out", String::new(), vec![]),
        ("/api/partner_sign_up", String::new(), vec![]),
        ("/api/customer_sign_up", String::new(), vec![]),
        ("/api/sign_out_everywhere", String::new(), vec![Anonymous]),
        (
            "/api/relationship_request",
            "dap=true".into(),
            vec![
                Anonymous,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/rotate_invitation_link",
            "confirm=yes".to_string(),
            vec![
                Anonymous,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/accept_invitation",
            accept,
            vec![
                Anonymous,
                OtherPartner,
                Partner(GlobalAdmin),
                Customer(BillingAdmin),
                Customer(User),
            ],
        ),
        (
            "/api/decline_invitation",
            format!("invitation={invitation}"),
            vec![
                Anonymous,
                OtherPartner,
                Partner(GlobalAdmin),
                Customer(User),
            ],
        ),
        (
            "/api/remove_customer_relationship",
            format!("customer={fourth}&attest=yes"),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/remove_partner_roles",
            format!("partner={contoso}"),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Partner(GlobalAdmin),
                Customer(BillingAdmin),
                Customer(User),
            ],
        ),
        (
            "/api/add_user",
            "name=New&email=new%40contoso.example&role=sales_agent".into(),
            vec![
                Anonymous,
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
                Customer(BillingAdmin),
                Customer(User),
            ],
        ),
        (
            "/api/change_user_role",
            format!("user={target}&role=admin_agent"),
            not_contoso_admins.clone(),
        ),
        (
            "/api/remove_user",
            format!("user={target}&confirm=yes"),
            not_contoso_admins.clone(),
        ),
        (
            "/api/new_password_link",
            format!("user={target}"),
            not_contoso_admins.clone(),
        ),
        // The indirect channel: Contoso is a direct partner and Fourth Coffee a customer, so
        // every caller here is refused (the roles of indirect partners are checked in
        // `handshake::indirect_channel`).
        (
            "/api/request_indirect_provider",
            "partner_id=4200002".into(),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Partner(GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Customer(CustomerRole::GlobalAdmin),
                Customer(BillingAdmin),
            ],
        ),
        (
            "/api/decide_indirect_reseller",
            format!("reseller={contoso}&decision=accept"),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Partner(GlobalAdmin),
                Partner(HelpdeskAgent),
                Customer(CustomerRole::GlobalAdmin),
                Customer(User),
            ],
        ),
        (
            "/api/create_api_key",
            "name=Script&days=30".into(),
            vec![
                Anonymous,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/revoke_api_key",
            format!("key={contoso_key}"),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/create_webhook",
            "url=https%3A%2F%2Fhooks.example.com%2Fx&dap_removed=yes".into(),
            vec![
                Anonymous,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/send_test_webhook",
            format!("webhook={contoso_hook}"),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        (
            "/api/remove_webhook",
            format!("webhook={contoso_hook}&confirm=yes"),
            vec![
                Anonymous,
                OtherPartner,
                OtherCustomer,
                Customer(CustomerRole::GlobalAdmin),
                Partner(AdminAgent),
                Partner(SalesAgent),
                Partner(HelpdeskAgent),
            ],
        ),
        // Public: the token is the authority (a wrong one is a 400 that changes nothing).
        ("/api/set_password", String::new(), vec![]),
        // Public: it answers the same whoever asks, and only mails the address's owner.
        ("/api/forgot_password", String::new(), vec![]),
    ];
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let covered: BTreeSet<String> = rows.iter().map(|(p, _, _)| p.to_string()).collect();
    assert_eq!(
        registered, covered,
        "every server function needs a row in the authorization matrix"
    );

    let mut refusals = 0;
    for (path, body, refused) in &rows {
        for caller in refused {
            let before = database_state(db).await;
            let cookie = cookie_of(caller);
            let r = call(&app, "POST", path, body, cookie.as_deref(), None).await;
            assert!(
                matches!(r.status.as_u16(), 401 | 403),
                "{path} as {caller:?}: {} {}",
                r.status,
                r.body
            );
            assert!(
                r.error.as_deref().is_some_and(|e| e.len() > 10),
                "{path} as {caller:?}: a sentence is expected, got {:?}",
                r.error
            );
            assert_eq!(
                database_state(db).await,
                before,
                "{path} as {caller:?} changed the database"
            );
            refusals += 1;
        }
    }
    // The same calls by those allowed do change the database: the refusals above were not
    // mere broken requests.
    for (caller, path, body) in [
        (
            Customer(CustomerRole::GlobalAdmin),
            "/api/remove_partner_roles",
            format!("partner={contoso}"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/remove_customer_relationship",
            format!("customer={fourth}&attest=yes"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/rotate_invitation_link",
            "confirm=yes".to_string(),
        ),
        (
            Partner(GlobalAdmin),
            "/api/change_user_role",
            format!("user={target}&role=admin_agent"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/new_password_link",
            format!("user={target}"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/remove_user",
            format!("user={target}&confirm=yes"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/revoke_api_key",
            format!("key={contoso_key}"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/create_api_key",
            "name=Script&days=30".into(),
        ),
        (
            Partner(GlobalAdmin),
            "/api/send_test_webhook",
            format!("webhook={contoso_hook}"),
        ),
        (
            Partner(GlobalAdmin),
            "/api/create_webhook",
            "url=https%3A%2F%2Fhooks.example.com%2Fx&dap_removed=yes".into(),
        ),
        (
            Partner(GlobalAdmin),
            "/api/remove_webhook",
            format!("webhook={contoso_hook}&confirm=yes"),
        ),
        (
            Customer(CustomerRole::GlobalAdmin),
            "/api/add_user",
            "name=New&email=new%40fourthcoffee.example&role=billing_admin".into(),
        ),
    ] {
        let before = database_state(db).await;
        let r = call(
            &app,
            "POST",
            path,
            &body,
            cookie_of(&caller).as_deref(),
            None,
        )
        .await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "{path}: {} {}",
            r.status,
            r.body
        );
        assert_ne!(
            database_state(db).await,
            before,
            "{path} as {caller:?} changed nothing"
        );
    }
    println!(
        "authorization matrix: {} server functions, {refusals} refused calls, database unchanged after each",
        rows.len()
    );
}

on_both_databases! {
    customers_page_numbers => customers_page_numbers_out_of_range;
    customers_page_cursors => customers_page_walks_by_cursor;
    crafted_errors => crafted_error_links_show_no_foreign_text;
    sessions => sessions_end_for_good;
    security_headers => pages_carry_security_headers;
    body_limit => oversized_bodies_are_refused;
    malformed => malformed_bodies_are_refused;
    xss => names_are_never_markup;
    locale => pages_speak_the_viewers_language;
    compression => pages_are_compressed;
    rate_limit => repeated_wrong_passwords_are_slowed_down;
    rate_limit_per_client => sign_in_limits_hold_back_only_the_guesser;
    approval => partner_sign_up_waits_for_approval;
    static_bundle => bundle_is_served_precompressed_and_immutable;
    health => health_checks;
    wrong_password => wrong_password_sets_no_session;
    csrf => cross_site_posts_are_refused;
    partner_roles => server_refuses_weak_partner_roles;
    us_gov_dap => forged_no_dap_request_is_refused_in_us_gov;
    customers => customers_cannot_use_partner_functions;
    authorization_matrix => every_server_function_is_authorized;
    activity_log => activity_log_is_scoped;
    activity_keyset => activity_log_pages_by_keyset;
    customers_cache => customers_page_shows_each_change_at_once;
    users => users_are_managed;
    customer_users => customer_users_are_managed;
}

/// A client that sends part of a body and then nothing is answered 408 when the request
/// time is up (the clock is paused and jumps ahead, so the test takes no real 20 s).
#[tokio::test]
async fn a_trickled_body_times_out() {
    let db = common::sqlite().await;
    let app = app(&db);
    tokio::time::pause();
    let stalled = stalled_body();
    let req = Request::builder()
        .method("POST")
        .uri("/api/sign_in")
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, "100")
        .body(Body::from_stream(stalled))
        .unwrap();
    let started = tokio::time::Instant::now();
    let res = app.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() >= accord::server::platform::http::REQUEST_TIMEOUT);
}

/// A body that sends a few bytes, then never anything more.
fn stalled_body(
) -> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static {
    struct Stalled(bool);
    impl futures_core::Stream for Stalled {
        type Item = Result<axum::body::Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.0 {
                std::task::Poll::Pending
            } else {
                self.0 = true;
                std::task::Poll::Ready(Some(Ok(axum::body::Bytes::from_static(b"email=a"))))
            }
        }
    }
    Stalled(false)
}
