//! Relationships between partners and customers, and the services delegated admin
//! privileges (DAP) cover.

use super::labelled_enum;

labelled_enum!(
    /// The kind of reseller relationship a partner holds with a customer.
    RelationshipKind, "relationship type", {
        Reseller => "reseller", "Reseller";
        IndirectReseller => "indirect_reseller", "Indirect reseller";
        IndirectProvider => "indirect_provider", "Indirect provider";
    }
);

labelled_enum!(
    /// Where an indirect reseller's connection with an indirect provider stands.
    ConnectionState, "connection state", {
        Requested => "requested", "Requested";
        Connected => "connected", "Connected";
        Declined => "declined", "Declined";
        Ended => "ended", "Ended";
    }
);

labelled_enum!(
    /// Services for which a partner can hold delegated admin privileges.
    Service, "service", {
        AzureAd => "azure_ad", "Azure Active Directory";
        Office365 => "office_365", "Office 365";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_services_round_trip() {
        for k in RelationshipKind::ALL {
            assert_eq!(k.code().parse::<RelationshipKind>(), Ok(*k));
        }
        for s in Service::ALL {
            assert_eq!(s.to_string().parse::<Service>(), Ok(*s));
        }
        assert_eq!(Service::AzureAd.label(), "Azure Active Directory");
        assert_eq!(
            RelationshipKind::IndirectProvider.label(),
            "Indirect provider"
        );
        assert!("exchange".parse::<Service>().is_err());
    }
}
