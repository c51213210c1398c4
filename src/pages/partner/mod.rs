//! The partner portal.

mod account;
mod customers;
mod request;
mod signup;

pub use account::CustomerAccountPage;
pub use customers::CustomersPage;
pub use request::{RequestEmailPage, RequestRelationshipPage};
pub use signup::PartnerSignUpPage;
