//! The HTTP stack: pages and server functions (Leptos), `/pkg`, health checks, sessions,
//! the sign-in guard, CSRF defence and security headers.

use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use super::{accounts, assets, sessions, AppState};
use crate::app::{shell, App};
use crate::i18n::{self, t};

pub const SESSION_COOKIE: &str = "accord_session";

/// Largest request body accepted: forms are a few KB; anything larger is answered 413.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest a request may take, body included; a client that trickles it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The Content-Security-Policy of pages: scripts only from here and the inline scripts that
/// carry this response's nonce (Leptos' and the island loader), the wasm compiled without
/// `eval`, nothing framed, forms posted only here.
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// The Content-Security-Policy of everything else (answers, redirects, files): nothing runs.
const DEFAULT_POLICY: &str =
    "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    let context_state = state.clone();

    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(assets::pkg_dir(&leptos_options))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));

    let sessions = SessionManagerLayer::new(state.db.sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(sessions::INACTIVITY),
        ));

    tokio::spawn(
        state
            .db
            .sessions
            .clone()
            .continuously_delete_expired(Duration::from_secs(3600)),
    );
    let limits = state.limits.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(300)).await;
            limits.shrink();
        }
    });

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/locale/{tag}", get(choose_locale))
        .route("/activity.csv", get(activity_csv))
        .merge(super::rest::routes())
        .nest_service("/pkg", pkg)
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                // Pages and server functions render in the viewer's language.
                if let Some(parts) = use_context::<http::request::Parts>() {
                    provide_context(i18n::of_request(&parts.headers, parts.uri.path()));
                }
                // A page's inline scripts carry this response's nonce; its policy says so.
                if let (Some(nonce), Some(res)) = (
                    leptos::nonce::use_nonce(),
                    use_context::<leptos_axum::ResponseOptions>(),
                ) {
                    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
                        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
                    }
                }
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_sign_in,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        // A body larger than any form is refused (413); a request that does not complete in
        // time is answered 408.
        .layer(middleware::from_fn(limit_body))
        .layer(middleware::from_fn(malformed_is_400))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Pages and answers are compressed (brotli or gzip, as the browser accepts) at a
        // fast level: on pages of a few KB the highest levels gain little and cost most of
        // the time a request takes. The bundle in /pkg is stored compressed at the best level.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(tower_http::CompressionLevel::Precise(1)),
        )
        .with_state(state)
}

/// Refuses a body larger than `BODY_LIMIT` with 413, whether it announces its length or
/// is sent in chunks (then it is read up to the limit, never further). A request whose
/// query or body holds a NUL character (raw or `%00`) is refused with 400: no text Accord
/// keeps can contain one, and PostgreSQL would fail on it.
async fn limit_body(req: Request, next: Next) -> Response {
    // The REST API answers its refusals as its error object (JSON), never as text.
    let rest = req.uri().path() == "/v1" || req.uri().path().starts_with("/v1/");
    let refuse = move |status: StatusCode, text: &str| match rest {
        true => super::rest::refusal(status, text),
        false => (status, text.to_string()).into_response(),
    };
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request is larger than any form of Accord; nothing was changed.",
        )
    };
    // Worked out only for a refusal: most requests never need it.
    let locale = |req: &Request| i18n::of_request(req.headers(), req.uri().path());
    if req.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        let locale = locale(&req);
        return match req.uri().path().starts_with("/api/") {
            true => malformed(locale),
            // A page (or the REST API): the sentence itself.
            false => refuse(StatusCode::BAD_REQUEST, &i18n::error(locale, &MALFORMED)),
        };
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let locale =
        move |parts: &http::request::Parts| i18n::of_request(&parts.headers, parts.uri.path());
    match http_body_util::Limited::new(body, BODY_LIMIT)
        .collect()
        .await
    {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            if has_nul(&bytes) {
                return match rest {
                    true => refuse(
                        StatusCode::BAD_REQUEST,
                        &i18n::error(locale(&parts), &MALFORMED),
                    ),
                    false => malformed(locale(&parts)),
                };
            }
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(e) if e.is::<http_body_util::LengthLimitError>() => too_large(),
        Err(_) => refuse(
            StatusCode::BAD_REQUEST,
            "The request body could not be read.",
        ),
    }
}

/// A NUL byte, raw or percent-encoded (`%00`).
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

/// 400 with the sentence of `Problem::Malformed`, as a server function would answer it.
const MALFORMED: crate::error::AppError =
    crate::error::AppError::Invalid(crate::domain::Problem::Malformed);

/// The `x-accord-error` header of a malformed request, in `locale`.
fn malformed_sentence(locale: i18n::Locale) -> Option<HeaderValue> {
    crate::api::ctx::error_header(&i18n::error(locale, &MALFORMED))
}

fn malformed(locale: i18n::Locale) -> Response {
    let mut res = (StatusCode::BAD_REQUEST, r#"{"Invalid":"Malformed"}"#).into_response();
    if let Some(value) = malformed_sentence(locale) {
        res.headers_mut().insert("x-accord-error", value);
    }
    res
}

/// A server function whose arguments could not be read answers `AppError::Invalid(Malformed)`
/// with Leptos' default status 500; it is the client's mistake, so the status becomes 400.
async fn malformed_is_400(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    // Pages never need it (the request is gone by the time the answer is seen).
    let locale = api.then(|| i18n::of_request(req.headers(), req.uri().path()));
    let res = next.run(req).await;
    if !api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response();
    };
    if bytes.as_ref() == br#"{"Invalid":"Malformed"}"# {
        parts.status = StatusCode::BAD_REQUEST;
        if let Some(value) = locale.and_then(malformed_sentence) {
            parts.headers.insert("x-accord-error", value);
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ready().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// Pages under `/partner` need a signed-in partner user; others are sent to sign in and
/// brought back afterwards.
/// The signed-in person of a session, if it is still valid for them.
async fn viewer_of(state: &AppState, session: &Session) -> Option<crate::domain::Viewer> {
    let signed_in = sessions::signed_in(session).await.ok().flatten()?;
    accounts::session_viewer(&state.db, &signed_in)
        .await
        .ok()
        .flatten()
}

async fn require_sign_in(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let guarded = path == "/partner" || path.starts_with("/partner/");
    if !guarded || req.method() != Method::GET {
        return next.run(req).await;
    }
    match viewer_of(&state, &session).await {
        Some(v) if v.partner_role().is_some() => {
            // The page reads the viewer from here instead of asking the database again.
            req.extensions_mut().insert(v);
            next.run(req).await
        }
        Some(v) => Redirect::to(&v.home()).into_response(),
        None => {
            let back = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/signin?next={}", urlencode(back))).into_response()
        }
    }
}

/// **Export CSV** of the signed-in organization's activity log, filtered as the page is
/// (the same query), headed and worded in the viewer's language.
async fn activity_csv(State(state): State<AppState>, session: Session, req: Request) -> Response {
    use super::activity;
    let locale = i18n::of_request(req.headers(), req.uri().path());
    let refuse = |status: StatusCode, error: crate::error::AppError| {
        (status, i18n::error(locale, &error)).into_response()
    };
    let Some(viewer) = viewer_of(&state, &session).await else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            crate::error::AppError::Unauthenticated,
        );
    };
    let scope = match activity::scope_of(&viewer) {
        Ok(scope) => scope,
        Err(problem) => {
            return refuse(
                StatusCode::FORBIDDEN,
                crate::error::AppError::Forbidden(problem),
            )
        }
    };
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let filter = match activity::filter_of(&pairs) {
        Ok((filter, _)) => filter,
        Err(problem) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                crate::error::AppError::Invalid(problem),
            )
        }
    };
    let page = match activity::list(&state.db, scope, &filter, 0, EXPORT_LIMIT).await {
        Ok(page) => page,
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let header: Vec<String> = [
        t!(locale, col_when),
        t!(locale, col_counterpart),
        t!(locale, col_action),
        t!(locale, col_detail),
        t!(locale, col_by),
    ]
    .into_iter()
    .map(|h| h.to_string())
    .collect();
    let rows: Vec<Vec<String>> = page
        .entries
        .iter()
        .map(|e| {
            vec![
                time::OffsetDateTime::from_unix_timestamp(e.at)
                    .ok()
                    .and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_default(),
                e.counterpart.clone().unwrap_or_default(),
                i18n::action(locale, &e.action),
                e.detail.clone(),
                e.actor.clone(),
            ]
        })
        .collect();
    let mut res = activity::to_csv(&header, &rows).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"accord-activity.csv\""),
    );
    res
}

/// At most this many entries in one export.
const EXPORT_LIMIT: i64 = 100_000;

#[derive(serde::Deserialize)]
struct ChooseLocale {
    next: Option<String>,
}

/// The language switcher: remembers the choice for a year and goes back to the page.
async fn choose_locale(Path(tag): Path<String>, Query(q): Query<ChooseLocale>) -> Response {
    let back = q
        .next
        .as_deref()
        .and_then(crate::domain::safe_return_path)
        .unwrap_or("/")
        .to_string();
    let Some(locale) = i18n::from_tag(&tag) else {
        return (StatusCode::NOT_FOUND, "Unknown language.").into_response();
    };
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        i18n::LOCALE_COOKIE,
        i18n::tag(locale)
    );
    let mut res = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// CSRF defence for every state-changing request, server functions included: browsers
/// mark cross-site requests with `Sec-Fetch-Site` and `Origin`; both must point here (the
/// `Host` the request reached, or `ACCORD_PUBLIC_URL` when a proxy rewrote the host).
async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site") | Some("same-site")) {
        return (
            StatusCode::FORBIDDEN,
            "Cross-site requests are not accepted.",
        )
            .into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        // HTTP/2 carries the host in the URI's authority instead of a Host header.
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))
            .unwrap_or_default();
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        let public = state.config.public_url.trim_end_matches('/');
        let same_origin =
            origin_host.eq_ignore_ascii_case(host) || origin.eq_ignore_ascii_case(public);
        if origin == "null" || !same_origin {
            return (
                StatusCode::FORBIDDEN,
                "Cross-site requests are not accepted.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_POLICY),
        );
    }
    // Pages and answers carry account data or signed links: never stored by a browser or
    // proxy. The bundle under /pkg sets its own (immutable) caching.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Invitation links carry a signature: never leak them to other sites.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    res
}
