//! The one error type of Accord: each variant carries the message a person sees and maps
//! to one HTTP status.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{Problem, Refusal, Said};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input is wrong; the problem says what to fix.
    #[error("{0}")]
    Invalid(Problem),
    /// Wrong email or password. Deliberately says nothing about which one.
    #[error("The email or password is incorrect.")]
    BadCredentials,
    /// Too many sign-in or sign-up attempts in a short time.
    #[error("Too many attempts. Wait a moment, then try again.")]
    TooManyAttempts,
    /// No session, or it expired.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(Problem),
    /// The request collides with existing data (duplicate, already held, ...).
    #[error("{0}")]
    Conflict(Problem),
    /// A customer cannot accept an invitation; shown as a full page.
    #[error("The invitation cannot be accepted: {0:?}")]
    Refused(Refusal),
    /// Something failed on the server; details are logged, not shown.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The request did not reach the server function or its answer could not be read.
    #[error("The request could not be completed: {0}")]
    Transport(Said),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::BadCredentials | AppError::Unauthenticated => 401,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::TooManyAttempts => 429,
            AppError::Refused(r) => r.status_code(),
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl AppError {
    /// The error as a page may show it when it comes from the page's own URL (the `__err`
    /// of a plain form post that came back): anyone can write such a URL, so it carries no
    /// text (every text in an error is [`Said`], which is never read back), a transport
    /// error becomes the generic one, and refusals are left to the page, which shows them
    /// from the server's state.
    pub fn from_url(self) -> Option<AppError> {
        match self {
            AppError::Refused(_) => None,
            AppError::Transport(_) => Some(AppError::Internal),
            other => Some(other),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A body with missing fields or bytes that are not text: the client's mistake,
            // told without the parser's internals (the HTTP stack answers it with 400).
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                #[cfg(feature = "ssr")]
                tracing::info!(error = %value, "malformed request");
                AppError::Invalid(Problem::Malformed)
            }
            other => AppError::Transport(other.to_string().into()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        tracing::error!(error = %err, "session error");
        AppError::Internal
    }
}

/// The `x-accord-error` header carrying `text` (percent-encoded, so any language fits).
pub fn error_header(text: &str) -> Option<http::HeaderValue> {
    let encoded: String = url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    http::HeaderValue::from_str(&encoded).ok()
}
