//! The partner portal.

mod account;
mod api_keys;
mod customers;
mod indirect;
mod request;
mod signup;
mod webhooks;

pub use account::CustomerAccountPage;
pub use api_keys::ApiKeysPage;
pub use customers::CustomersPage;
pub use indirect::{IndirectProvidersPage, IndirectResellersPage};
pub use request::{RequestEmailPage, RequestRelationshipPage};
pub use signup::PartnerSignUpPage;
pub use webhooks::{WebhookPage, WebhooksPage};
