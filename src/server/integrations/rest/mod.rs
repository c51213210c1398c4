//! The partner REST API in Partner Center's shapes (`/v1/…`), for PSA tools and scripts.
//! Requests carry an API key (`Authorization: Bearer acc_…`, see `api_keys`); answers are
//! JSON, errors Partner Center's error object (`code`, `description`, `errorName`), never
//! HTML. Field names and `attributes.objectType` values are Partner Center's; what Accord
//! adds is marked as its extension in the API documentation.

mod customers;
mod handlers;
mod relationships;
pub mod schema;
mod support;

pub use handlers::{document, routes, ApiDoc};
pub use support::{refusal, ApiError, CONTINUATION_HEADER, DEFAULT_PAGE, MAX_PAGE};
