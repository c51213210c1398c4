//! Accord's vocabulary: clouds, programs, roles, countries and the rules between them.
//! Pure types without I/O, compiled for both the server and the browser.

mod account;
mod agreement;
mod cloud;
mod country;
mod draft;
#[cfg(feature = "ssr")]
mod facts;
mod invitation;
mod names;
mod problem;
mod program;
mod refusal;
mod relationship;
mod roles;

pub use account::*;
pub use agreement::Agreement;
pub use cloud::Cloud;
pub use country::{
    countries_in, country_name, country_name_in, is_known_country, NameScript, COUNTRIES,
};
pub use draft::mailto_href;
#[cfg(feature = "ssr")]
pub use facts::Facts;
pub use invitation::{
    is_tenant_id, is_token, link_secret, InvitationParams, InvitationType, LinkError,
    INVITATION_PATH, NEW_ORGANIZATION_PATH, SIGNATURE_PARAM,
};
pub use names::{escape_html, full_name, is_han_name, split_name};
pub use problem::{Field, Problem, Said};

/// How many test events one webhook endpoint may be sent in 10 minutes.
pub const TEST_EVENTS_PER_10_MINUTES: i64 = 5;

/// Whether the viewer's partner organization is approved by the operator (customers: no).
pub fn is_approved_partner(viewer: &Viewer) -> bool {
    matches!(
        viewer.membership,
        Membership::Partner { approved: true, .. }
    )
}
pub use program::ProgramType;
pub use refusal::{DapHolder, Refusal};
pub use relationship::{ConnectionState, RelationshipKind, Service};
pub use roles::{CustomerRole, PartnerRole};

/// A value that failed to parse, with the text a person sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// Defines a closed set of values with a stable machine name (stored in the database and
/// used in URLs) and a human label, with `FromStr`/`Display` over the machine name.
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The machine name stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The name a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::domain::ParseError(format!(
                        concat!("\"{}\" is not a known ", $what, "."), other
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> { s.parse() }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String { v.code().to_string() }
        }
    };
}
pub(crate) use labelled_enum;
