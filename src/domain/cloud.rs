use super::labelled_enum;

labelled_enum!(
    /// The sovereign cloud a partner and its customers live in. A partner only ever deals
    /// with customers of its own cloud.
    Cloud, "cloud", {
        Public => "public", "Public cloud";
        UsGov => "us-gov", "Microsoft Cloud for US Government";
        Germany => "germany", "Microsoft Cloud Germany";
        China => "china", "Microsoft Cloud operated by 21Vianet";
    }
);

impl Cloud {
    /// Name of the partner portal of this cloud.
    pub fn partner_portal(self) -> &'static str {
        match self {
            Cloud::Public => "Partner Center",
            Cloud::UsGov => "Partner Center for Microsoft Cloud for US Government",
            Cloud::Germany => "Partner Center for Microsoft Cloud Germany",
            Cloud::China => "Partner Center operated by 21Vianet",
        }
    }

    /// Name of the admin portal where this cloud's customers accept invitations.
    pub fn customer_portal(self) -> &'static str {
        match self {
            Cloud::Public => "Microsoft 365 admin center",
            Cloud::UsGov | Cloud::Germany => "Microsoft Office Admin Portal",
            Cloud::China => "Office 365 admin center operated by 21Vianet",
        }
    }

    /// Path prefix of this cloud's customer portal.
    pub fn customer_prefix(self) -> &'static str {
        match self {
            Cloud::Public => "/m365",
            Cloud::UsGov => "/gov",
            Cloud::Germany => "/de",
            Cloud::China => "/21v",
        }
    }

    /// Locale the customer portal of this cloud starts in.
    pub fn default_locale(self) -> &'static str {
        match self {
            Cloud::China => "zh-CN",
            _ => "en",
        }
    }

    /// In these clouds the option to not request delegated admin privileges is not available.
    /// A tenant's default domain as this cloud writes it, for examples and hints
    /// (21Vianet's tenants live under `partner.onmschina.cn`).
    pub fn example_domain(self) -> &'static str {
        match self {
            Cloud::China => "contoso.partner.onmschina.cn",
            _ => "contoso.onmicrosoft.com",
        }
    }

    pub fn requires_dap(self) -> bool {
        matches!(self, Cloud::UsGov | Cloud::Germany)
    }

    /// The cloud whose customer portal lives under `prefix` (e.g. `/gov`).
    pub fn from_customer_prefix(prefix: &str) -> Option<Cloud> {
        Cloud::ALL
            .iter()
            .copied()
            .find(|c| c.customer_prefix().trim_start_matches('/') == prefix.trim_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays_every_cloud() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.to_string().parse::<Cloud>(), Ok(*cloud));
        }
        assert_eq!("us-gov".parse::<Cloud>(), Ok(Cloud::UsGov));
        assert_eq!(" china ".parse::<Cloud>(), Ok(Cloud::China));
        assert_eq!(Cloud::Germany.to_string(), "germany");
    }

    #[test]
    fn rejects_unknown_cloud_with_a_message() {
        let err = "mars".parse::<Cloud>().unwrap_err();
        assert_eq!(err.to_string(), "\"mars\" is not a known cloud.");
        assert!(
            "Public".parse::<Cloud>().is_err(),
            "codes are case-sensitive"
        );
    }

    #[test]
    fn each_cloud_has_its_acceptance_portal() {
        assert_eq!(
            Cloud::Public.customer_portal(),
            "Microsoft 365 admin center"
        );
        assert_eq!(
            Cloud::UsGov.customer_portal(),
            "Microsoft Office Admin Portal"
        );
        assert_eq!(
            Cloud::Germany.customer_portal(),
            "Microsoft Office Admin Portal"
        );
        assert_eq!(
            Cloud::China.customer_portal(),
            "Office 365 admin center operated by 21Vianet"
        );
        assert_eq!(Cloud::China.default_locale(), "zh-CN");
    }

    #[test]
    fn customer_prefixes_are_distinct_and_round_trip() {
        for cloud in Cloud::ALL {
            assert_eq!(
                Cloud::from_customer_prefix(cloud.customer_prefix()),
                Some(*cloud)
            );
        }
        assert_eq!(Cloud::from_customer_prefix("/nope"), None);
    }

    #[test]
    fn dap_is_mandatory_only_in_us_gov_and_germany() {
        let required: Vec<_> = Cloud::ALL.iter().filter(|c| c.requires_dap()).collect();
        assert_eq!(required, vec![&Cloud::UsGov, &Cloud::Germany]);
    }

    #[test]
    fn serde_uses_the_code() {
        let json = serde_json_like(Cloud::UsGov);
        assert_eq!(json, "us-gov");
    }

    fn serde_json_like(c: Cloud) -> String {
        String::from(c)
    }
}
