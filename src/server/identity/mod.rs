//! Who is who: organizations and their accounts, users and roles, passwords, sessions, the
//! partner organizations as records, and the sign-in guard of the partner pages.

pub mod accounts;
pub mod guard;
pub mod guesses;
pub mod mails;
pub mod partners;
pub mod passwords;
pub mod recovery;
pub mod sessions;
pub mod users;
