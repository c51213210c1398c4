#![cfg(feature = "ssr")]
//! Hostile input to every server function, signed out, as a partner and as a customer:
//! random bytes, invalid UTF-8, oversized fields, wrong types, unknown enum values, SQL and
//! HTML injection strings, missing and duplicated fields, the wrong content type. Never a
//! 5xx; every refusal is a 4xx with a sentence, and a refused request changes nothing.

mod common;

use std::time::Duration;

use accord::server::platform::limits::{Allowance, Limits};
use accord::server::{router, Db, PartnerSignUpMode};
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tower::ServiceExt;

const PASSWORD: &str = "fuzz-test-password";

/// Each server function and its fields, with a value of the right shape for each.
const ENDPOINTS: &[(&str, &[(&str, &str)])] = &[
    (
        "sign_in",
        &[
            ("email", "pat@contoso.example"),
            ("password", PASSWORD),
            ("next", "/partner/customers"),
        ],
    ),
    ("sign_out", &[("next", "/signin")]),
    ("forgot_password", &[("email", "pat@contoso.example")]),
    ("sign_out_everywhere", &[]),
    (
        "partner_sign_up",
        &[
            ("org_name", "Fuzzed Org"),
            ("country", "US"),
            ("cloud", "public"),
            ("program", "direct"),
            ("partner_id", ""),
            ("admin_name", "Fay"),
            ("email", "fay@fuzz.example"),
            ("password", PASSWORD),
        ],
    ),
    ("relationship_request", &[("dap", "true")]),
    (
        "remove_customer_relationship",
        &[
            ("customer", "6f1c2a57-0000-4000-8000-000000000001"),
            ("attest", "yes"),
        ],
    ),
    (
        "remove_partner_roles",
        &[("partner", "6f1c2a57-0000-4000-8000-000000000002")],
    ),
    ("rotate_invitation_link", &[("confirm", "yes")]),
    (
        "accept_invitation",
        &[
            ("invitation", "INVITATION"),
            ("first_name", "Casey"),
            ("last_name", "Customer"),
            ("signer_email", "casey@fabrikam.example"),
            ("phone", "+1 425 555 0100"),
            ("acknowledge", "on"),
            ("without_dap", "1"),
        ],
    ),
    ("decline_invitation", &[("invitation", "INVITATION")]),
    (
        "customer_sign_up",
        &[
            ("invitation", "INVITATION"),
            ("company", "Fuzzed Customer"),
            ("domain", "fuzzed.onmicrosoft.com"),
            ("country", "US"),
            ("admin_name", "Cam"),
            ("email", "cam@fuzzed.example"),
            ("password", PASSWORD),
        ],
    ),
    (
        "add_user",
        &[
            ("name", "Fuzzed User"),
            ("email", "fuzzed.user@contoso.example"),
            ("role", "sales_agent"),
        ],
    ),
    (
        "change_user_role",
        &[
            ("user", "6f1c2a57-0000-4000-8000-000000000003"),
            ("role", "admin_agent"),
        ],
    ),
    (
        "remove_user",
        &[
            ("user", "6f1c2a57-0000-4000-8000-000000000003"),
            ("confirm", "yes"),
        ],
    ),
    (
        "new_password_link",
        &[("user", "6f1c2a57-0000-4000-8000-000000000003")],
    ),
    (
        "set_password",
        &[
            ("token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("password", PASSWORD),
        ],
    ),
    ("request_indirect_provider", &[("partner_id", "4200002")]),
    (
        "decide_indirect_reseller",
        &[
            ("reseller", "6f1c2a57-0000-4000-8000-000000000004"),
            ("decision", "accept"),
        ],
    ),
    (
        "create_webhook",
        &[
            ("url", "https://hooks.example.com/fuzz"),
            ("dap_granted", "yes"),
        ],
    ),
    (
        "send_test_webhook",
        &[("webhook", "6f1c2a57-0000-4000-8000-000000000006")],
    ),
    (
        "remove_webhook",
        &[
            ("webhook", "6f1c2a57-0000-4000-8000-000000000006"),
            ("confirm", "yes"),
        ],
    ),
    ("create_api_key", &[("name", "Fuzzed key"), ("days", "30")]),
    (
        "revoke_api_key",
        &[("key", "6f1c2a57-0000-4000-8000-000000000005")],
    ),
];

/// Values an attacker tries in any field.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "' OR '1'='1' --",
    "'; DROP TABLE users; --",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(5)",
    "<script>alert(1)</script>",
    "</textarea><img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "javascript:alert(1)",
    "https://evil.example/",
    "//evil.example",
    "mars",
    "-1",
    "99999999999999999999999999",
    "true",
    "null",
    "{\"a\":1}",
    "%00",
    "\u{0}",
    "\u{202e}gnp.exe",
    "𝕬𝖈𝖈𝖔𝖗𝖉 ✓ 委派系統管理權限",
    "a@b",
    "@@@",
];

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn form(fields: &[(&str, String)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// Every hostile body for one server function.
fn cases(fields: &[(&str, &str)], invitation: &str, rng: &mut StdRng) -> Vec<(String, Vec<u8>)> {
    let base: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (*k, v.replace("INVITATION", invitation)))
        .collect();
    let mut out = vec![("well formed".to_string(), form(&base))];
    for (i, (name, _)) in base.iter().enumerate() {
        for value in HOSTILE {
            let mut f = base.clone();
            f[i].1 = value.to_string();
            out.push((format!("{name}={value:?}"), form(&f)));
        }
        let mut missing = base.clone();
        missing.remove(i);
        out.push((format!("{name} missing"), form(&missing)));
        let mut twice = base.clone();
        twice.push((name, "second value".into()));
        out.push((format!("{name} twice"), form(&twice)));
        let mut long = base.clone();
        long[i].1 = "x".repeat(5_000);
        out.push((format!("{name} 5 000 characters"), form(&long)));
        let mut bad_utf8 = form(&base);
        bad_utf8.extend_from_slice(format!("&{name}=%ff%fe%80").as_bytes());
        out.push((format!("{name} invalid UTF-8 (encoded)"), bad_utf8));
    }
    out.push(("unknown field".into(), {
        let mut f = base.clone();
        f.push(("role", "GlobalAdmin".into()));
        form(&f)
    }));
    out.push(("over the body limit".into(), vec![b'a'; 70_000]));
    out.push((
        "raw invalid UTF-8".into(),
        vec![0xff, 0xfe, 0x3d, 0x80, 0x26, 0xc3],
    ));
    for n in 0..12 {
        let len = rng.gen_range(0..600);
        let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        out.push((format!("random bytes #{n}"), bytes));
    }
    for n in 0..6 {
        // Random text over the right field names.
        let f: Vec<(&str, String)> = base
            .iter()
            .map(|(k, _)| {
                let len = rng.gen_range(0..40);
                (*k, (0..len).map(|_| rng.gen_range(' '..='~')).collect())
            })
            .collect();
        out.push((format!("random text #{n}"), form(&f)));
    }
    out
}

/// What a refused request must leave as it was.
async fn snapshot(db: &Db) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM partner_orgs",
        "SELECT COUNT(*) FROM customer_orgs",
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM relationships",
        "SELECT COUNT(*) FROM dap_grants",
        "SELECT COUNT(*) FROM agreement_acceptances",
        "SELECT COUNT(*) FROM activity",
        "SELECT COUNT(*) FROM declines",
        "SELECT CAST(COALESCE(SUM(link_secret_version), 0) AS BIGINT) FROM partner_orgs",
        "SELECT CAST(COALESCE(SUM(session_epoch), 0) AS BIGINT) FROM users",
    ] {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.unwrap();
        out.push(n);
    }
    out
}

async fn post(
    app: &Router,
    path: &str,
    body: Vec<u8>,
    content_type: &str,
    cookie: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, content_type);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status().as_u16();
    let sentence = res
        .headers()
        .get("x-accord-error")
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        sentence,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn sign_in(app: &Router, email: &str) -> String {
    let req = Request::builder()
        .method("POST")
        .uri("/api/sign_in")
        .header(header::HOST, "accord.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email={}&password={PASSWORD}",
            enc(email)
        )))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    common::cookies_of(res.headers()).expect("a signed-in session")
}

async fn hostile_input_never_breaks_anything(db: &Db) {
    // Every registered server function is fuzzed: a new one without an entry fails here.
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let listed: std::collections::BTreeSet<String> =
        ENDPOINTS.iter().map(|(e, _)| e.to_string()).collect();
    assert_eq!(
        registered, listed,
        "every server function needs an entry in ENDPOINTS"
    );
    let invitation = common::partner_with_link(db, "Contoso", PASSWORD, common::TEST_KEY).await;
    common::customer_org(db, "fabrikam.onmicrosoft.com", PASSWORD).await;
    let mut state = common::state(db, "target/site", vec![], PartnerSignUpMode::Open);
    // Rate limits would answer most of these with 429 before the input is even read;
    // here every request must reach the checks behind them.
    let unlimited = Allowance {
        burst: 100_000,
        every: Duration::from_millis(1),
    };
    state.limits = Limits::new(unlimited, unlimited, unlimited).with_answers(unlimited);
    let app = router(state);
    let mut rng = StdRng::seed_from_u64(0x00AC_C04D);
    let (mut sent, mut refused, mut accepted) = (0, 0, 0);
    for identity in ["signed out", "partner", "customer"] {
        for (endpoint, fields) in ENDPOINTS {
            // Signing out ends the session the other cases need; it is fuzzed signed out.
            if identity != "signed out" && endpoint.starts_with("sign_out") {
                continue;
            }
            let path = format!("/api/{endpoint}");
            let fresh_cookie = || async {
                match identity {
                    "partner" => Some(sign_in(&app, "pat@contoso.example").await),
                    "customer" => Some(sign_in(&app, "admin@fabrikam.onmicrosoft.com").await),
                    _ => None,
                }
            };
            let mut cookie = fresh_cookie().await;
            for (case, body) in cases(fields, &invitation, &mut rng) {
                for content_type in ["application/x-www-form-urlencoded", "application/json"] {
                    if content_type == "application/json" && case != "well formed" {
                        continue;
                    }
                    let before = snapshot(db).await;
                    let (status, sentence, body_text) =
                        post(&app, &path, body.clone(), content_type, cookie.as_deref()).await;
                    sent += 1;
                    let what = format!("{identity} {endpoint} [{case}] {content_type}");
                    assert!(status < 500, "{what}: {status} {body_text}");
                    if status >= 400 {
                        refused += 1;
                        assert_eq!(
                            snapshot(db).await,
                            before,
                            "{what} was refused ({status}) but changed data"
                        );
                        assert!(
                            sentence.is_some() || status == 413,
                            "{what}: {status} without a sentence: {body_text}"
                        );
                        assert!(
                            !body_text.contains("panicked") && !body_text.contains("sqlx"),
                            "{what}: {body_text}"
                        );
                    } else {
                        accepted += 1;
                        // A success may have ended or replaced the session (a sign-up
                        // signs the new account in): start again as the same person.
                        cookie = fresh_cookie().await;
                    }
                }
            }
        }
    }
    println!(
        "fuzz: {sent} hostile requests to {} server functions, {refused} refused with 4xx, {accepted} accepted, 0 server errors",
        ENDPOINTS.len()
    );
}

on_both_databases! {
    hostile_input => hostile_input_never_breaks_anything;
}
