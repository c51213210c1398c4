//! Accord for other programs: API keys, the REST API in Partner Center's shapes with its
//! OpenAPI document, and webhooks.

pub mod api_keys;
pub mod rest;
pub mod webhooks;
