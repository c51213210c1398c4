use super::labelled_enum;

labelled_enum!(
    /// How a partner sells: directly, or through the indirect (two-tier) channel.
    ProgramType, "program type", {
        Direct => "direct", "Direct reseller";
        IndirectReseller => "indirect_reseller", "Indirect reseller";
        IndirectProvider => "indirect_provider", "Indirect provider";
    }
);

impl ProgramType {
    /// Invitation links carry the numeric partner id (`msppId`) of indirect partners only;
    /// direct partners send 0.
    pub fn link_mspp_id(self, mspp_id: i64) -> i64 {
        match self {
            ProgramType::Direct => 0,
            _ => mspp_id,
        }
    }

    /// Indirect partners must have a numeric partner id.
    pub fn needs_partner_id(self) -> bool {
        !matches!(self, ProgramType::Direct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        for p in ProgramType::ALL {
            assert_eq!(p.code().parse::<ProgramType>(), Ok(*p));
        }
        assert_eq!(
            ProgramType::IndirectProvider.to_string(),
            "indirect_provider"
        );
        assert_eq!(ProgramType::IndirectReseller.label(), "Indirect reseller");
        assert!("reseller".parse::<ProgramType>().is_err());
    }

    #[test]
    fn direct_partners_link_with_mspp_zero() {
        assert_eq!(ProgramType::Direct.link_mspp_id(4_123_456), 0);
        assert_eq!(
            ProgramType::IndirectReseller.link_mspp_id(4_123_456),
            4_123_456
        );
        assert!(!ProgramType::Direct.needs_partner_id());
        assert!(ProgramType::IndirectProvider.needs_partner_id());
    }
}
