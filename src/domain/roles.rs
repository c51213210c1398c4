use super::labelled_enum;

labelled_enum!(
    /// Roles of a partner organization's staff.
    PartnerRole, "partner role", {
        GlobalAdmin => "global_admin", "Global admin";
        AdminAgent => "admin_agent", "Admin agent";
        SalesAgent => "sales_agent", "Sales agent";
        HelpdeskAgent => "helpdesk_agent", "Helpdesk agent";
    }
);

labelled_enum!(
    /// Roles of a customer organization's users.
    CustomerRole, "customer role", {
        GlobalAdmin => "global_admin", "Global admin";
        BillingAdmin => "billing_admin", "Billing admin";
        User => "user", "User";
    }
);

impl PartnerRole {
    /// Who may request reseller relationships and invite customers.
    pub fn can_invite(self) -> bool {
        matches!(self, PartnerRole::GlobalAdmin | PartnerRole::AdminAgent)
    }

    /// Who may remove relationships, rotate the link secret, and manage users and API keys.
    pub fn can_administer(self) -> bool {
        matches!(self, PartnerRole::GlobalAdmin)
    }
}

impl CustomerRole {
    /// A Global admin may accept any invitation, a Billing admin only one without delegated
    /// admin privileges, a User none.
    pub fn can_accept(self, includes_dap: bool) -> bool {
        match self {
            CustomerRole::GlobalAdmin => true,
            CustomerRole::BillingAdmin => !includes_dap,
            CustomerRole::User => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_roles_parse_and_display() {
        for r in PartnerRole::ALL {
            assert_eq!(r.to_string().parse::<PartnerRole>(), Ok(*r));
        }
        assert_eq!(PartnerRole::AdminAgent.label(), "Admin agent");
        assert_eq!(
            "owner".parse::<PartnerRole>().unwrap_err().to_string(),
            "\"owner\" is not a known partner role."
        );
    }

    #[test]
    fn customer_roles_parse_and_display() {
        for r in CustomerRole::ALL {
            assert_eq!(r.to_string().parse::<CustomerRole>(), Ok(*r));
        }
        assert_eq!(CustomerRole::BillingAdmin.to_string(), "billing_admin");
        assert!("admin".parse::<CustomerRole>().is_err());
    }

    #[test]
    fn only_global_admins_and_admin_agents_invite() {
        let inviters: Vec<_> = PartnerRole::ALL.iter().filter(|r| r.can_invite()).collect();
        assert_eq!(
            inviters,
            vec![&PartnerRole::GlobalAdmin, &PartnerRole::AdminAgent]
        );
        assert!(PartnerRole::GlobalAdmin.can_administer());
        assert!(!PartnerRole::AdminAgent.can_administer());
    }

    #[test]
    fn acceptance_depends_on_role_and_dap() {
        assert!(CustomerRole::GlobalAdmin.can_accept(true));
        assert!(CustomerRole::GlobalAdmin.can_accept(false));
        assert!(!CustomerRole::BillingAdmin.can_accept(true));
        assert!(CustomerRole::BillingAdmin.can_accept(false));
        assert!(!CustomerRole::User.can_accept(false));
    }
}
