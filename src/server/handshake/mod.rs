//! The reseller-relationship handshake as partners and customers meet it:
//! - `links`: the partner's invitation link, signed and reusable, its rotation and checking;
//! - `agreement`: the Microsoft Customer Agreement in force and its acceptances;
//! - `accept`: Accept & Authorize (one transaction) and Decline.

pub mod accept;
pub mod agreement;
pub mod links;

pub use accept::{
    accept, accept_with_fault, check_acceptor, decline, standing, AcceptOutcome, CustomerStanding,
    FaultPoint, SignerInput,
};
pub use agreement::{acceptance, current_agreement, Acceptance, CUSTOMER_AGREEMENT_TEMPLATE};
pub use links::{
    indirect_invitation_link, invitation_link, link_for, rotate_link_secret, verify, Invitation,
};
