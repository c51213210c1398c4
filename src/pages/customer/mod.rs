//! The customer portal, dressed as the admin portal of the partner's cloud.

mod home;
mod invitation;
mod partners;
mod sign_in;

pub use home::CustomerHomePage;
pub use invitation::{InvitationPage, NewOrganizationPage};
pub use partners::{PartnerRelationshipsPage, RemoveRolesPage};
pub use sign_in::{PortalSignInForm, SignInFirst};
