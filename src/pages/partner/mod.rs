//! The partner portal.

mod customers;
mod request;
mod signup;

pub use customers::CustomersPage;
pub use request::{RequestEmailPage, RequestRelationshipPage};
pub use signup::PartnerSignUpPage;
