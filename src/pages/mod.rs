//! One module per page; partner and customer portals have their own rooms.

pub mod customer;
mod home;
pub mod partner;
mod signin;

pub use home::HomePage;
pub use signin::SignInPage;
