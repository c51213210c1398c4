//! The partner portal.

mod customers;
mod signup;

pub use customers::CustomersPage;
pub use signup::PartnerSignUpPage;
