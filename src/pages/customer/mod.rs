//! The customer portal, dressed as the admin portal of the partner's cloud.

mod home;

pub use home::CustomerHomePage;
