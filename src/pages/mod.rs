//! One module per page, each a server component: it reads what it shows through `api`
//! and renders HTML in the viewer's language. Partner and customer portals have their own
//! rooms.

pub mod activity;
pub mod api_docs;
pub mod customer;
mod home;
pub mod partner;
mod signin;
pub mod users;

pub use home::HomePage;
pub use signin::{ForgotPasswordPage, SignInPage};
