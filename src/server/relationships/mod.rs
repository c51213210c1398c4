//! Relationships between partners and customers once they exist:
//! - `customers`: a partner's customers as the Customers page and the REST API show them;
//! - `listing`: those customers a page at a time (keyset paging, search, kept counts);
//! - `lifecycle`: the customer's partners, removing a relationship or a partner's roles;
//! - `indirect`: the indirect channel between indirect providers and indirect resellers;
//! - `regions`: which customers a partner may reach.

pub mod customers;
pub mod indirect;
pub mod lifecycle;
pub mod listing;
pub mod regions;
