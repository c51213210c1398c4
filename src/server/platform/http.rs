//! The HTTP stack: pages and server functions (Leptos), `/pkg`, health checks, sessions,
//! CSRF defence, body limits and security headers. The capabilities' own routes (the REST
//! API, the CSV export) and the sign-in guard are handed in by `server::router`.

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
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::{assets, session_store, AppState};
use crate::app::{shell, App};
use crate::i18n;

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

/// A JSON API whose refusals by the stack (body too large, NUL characters, unreadable body)
/// are written in the API's own error shape rather than as text.
#[derive(Clone, Copy)]
pub struct Api {
    /// Its path: `prefix` itself and everything under `prefix/`.
    pub prefix: &'static str,
    pub refusal: fn(StatusCode, &str) -> Response,
}

impl Api {
    fn owns(&self, path: &str) -> bool {
        path.strip_prefix(self.prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// The bundle's files are named after their content, so a file is cached for a year; a name
/// that is not there is not cached at all (it may be there after the next deployment).
async fn cache_bundle(mut res: axum::response::Response) -> axum::response::Response {
    let value = if res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-store"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// The pages and server functions (Leptos), the bundle under `/pkg`, health checks and the
/// language switcher, with Accord's shell around every page.
pub fn pages(state: &AppState) -> Router<AppState> {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();

    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(assets::pkg_dir(&leptos_options))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(axum::middleware::map_response(cache_bundle));

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/locale/{tag}", get(choose_locale))
        .nest_service("/pkg", pkg)
        .leptos_routes_with_context(state, routes, page_context(state.clone()), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        // Files of `public/`, else the "page not found" page, dressed and secured as every
        // other page (its styles and scripts allowed by its own policy).
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context(state.clone()), shell))
}

/// What every rendered page (and the page-not-found page) can reach: the app's state, the
/// viewer's language and, in its answer, a Content-Security-Policy naming the nonce of its
/// inline scripts.
fn page_context(state: AppState) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(state.clone());
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
    }
}

/// Wraps `app` (the pages and the capabilities' routes) in the stack every request goes
/// through: sessions, CSRF defence, security headers, body and time limits, compression.
pub fn stack(app: Router<AppState>, state: AppState, api: Api) -> Router {
    let sessions = SessionManagerLayer::new(state.db.sessions.clone())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(session_store::INACTIVITY),
        ));

    app.layer(sessions)
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
        .layer(middleware::from_fn_with_state(api, limit_body))
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
/// path, query or body holds a NUL character (raw or `%00`) is refused with 400: no text Accord
/// keeps can contain one, and PostgreSQL would fail on it.
async fn limit_body(State(api): State<Api>, req: Request, next: Next) -> Response {
    // The REST API answers its refusals as its error object (JSON), never as text.
    let rest = api.owns(req.uri().path());
    let refuse = move |status: StatusCode, text: &str| match rest {
        true => (api.refusal)(status, text),
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
    if req.uri().query().is_some_and(|q| has_nul(q.as_bytes()))
        || has_nul(req.uri().path().as_bytes())
    {
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
    crate::error::error_header(&i18n::error(locale, &MALFORMED))
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

/// The refusal of a cross-site request: under `/v1` in the API's error shape (Partner
/// Center's error object), elsewhere a sentence.
fn cross_site(path: &str) -> Response {
    const TEXT: &str = "Cross-site requests are not accepted.";
    if path == "/v1" || path.starts_with("/v1/") {
        let body =
            serde_json::json!({ "code": 403, "description": TEXT, "errorName": "Forbidden" });
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    (StatusCode::FORBIDDEN, TEXT).into_response()
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
        return cross_site(req.uri().path());
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
            return cross_site(req.uri().path());
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
