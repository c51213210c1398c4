//! Why a customer cannot accept an invitation. Each refusal is shown as a full page with
//! an HTTP 4xx status; the words are in `crate::i18n`.

use serde::{Deserialize, Serialize};

use super::{Cloud, CustomerRole, Service};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// A parameter or the signature was changed, or the link was cut off.
    InvalidLink,
    /// The partner rotated its link secret after this link was made.
    LinkReplaced { partner: String },
    /// The link names a partner that does not exist (any more).
    UnknownPartner,
    /// The customer organization belongs to another cloud than the partner.
    WrongCloud {
        partner: String,
        partner_cloud: Cloud,
        customer_cloud: Cloud,
    },
    /// The signed-in user's role may not accept this invitation.
    RoleTooWeak { role: CustomerRole, dap: bool },
    /// Another partner already holds delegated admin privileges for these services.
    DapConflict {
        partner: String,
        holders: Vec<DapHolder>,
    },
    /// Only customer administrators accept invitations; partner staff cannot.
    NotACustomer,
    /// An indirect reseller's link names a provider it is not (or no longer) connected with.
    NotConnected { reseller: String, provider: String },
    /// The organization is outside the partner's country and market region (region codes
    /// of the `regions` table).
    OtherRegion {
        partner: String,
        partner_region: String,
        customer_region: String,
    },
}

/// A service and the partner that holds delegated admin privileges for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DapHolder {
    pub service: Service,
    pub partner: String,
}

impl Refusal {
    pub fn status_code(&self) -> u16 {
        match self {
            Refusal::InvalidLink => 400,
            Refusal::UnknownPartner => 404,
            Refusal::LinkReplaced { .. } => 410,
            Refusal::WrongCloud { .. }
            | Refusal::RoleTooWeak { .. }
            | Refusal::NotACustomer
            | Refusal::OtherRegion { .. } => 403,
            Refusal::NotConnected { .. } => 410,
            Refusal::DapConflict { .. } => 409,
        }
    }
}
