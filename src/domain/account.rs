//! Who is signed in, and the rules for what people type into account forms.

use serde::{Deserialize, Serialize};

use super::{Cloud, CustomerRole, Field, PartnerRole, Problem, ProgramType};
use crate::routes::{customer_home, CUSTOMERS};

/// The signed-in person as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub org_id: String,
    pub org_name: String,
    pub cloud: Cloud,
    pub membership: Membership,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Membership {
    Partner {
        role: PartnerRole,
        program: ProgramType,
        /// Whether the operator approved the organization (it invites only then).
        approved: bool,
    },
    Customer {
        role: CustomerRole,
    },
}

impl Viewer {
    pub fn partner_role(&self) -> Option<PartnerRole> {
        match self.membership {
            Membership::Partner { role, .. } => Some(role),
            Membership::Customer { .. } => None,
        }
    }

    pub fn customer_role(&self) -> Option<CustomerRole> {
        match self.membership {
            Membership::Customer { role } => Some(role),
            Membership::Partner { .. } => None,
        }
    }

    /// A partner organization that may not invite yet: its sign-up awaits the operator.
    pub fn awaiting_approval(&self) -> bool {
        matches!(
            self.membership,
            Membership::Partner {
                approved: false,
                ..
            }
        )
    }

    pub fn role_label(&self) -> &'static str {
        match self.membership {
            Membership::Partner { role, .. } => role.label(),
            Membership::Customer { role } => role.label(),
        }
    }

    /// Where this person starts after signing in.
    pub fn home(&self) -> String {
        match self.membership {
            Membership::Partner { .. } => CUSTOMERS.to_string(),
            Membership::Customer { .. } => customer_home(self.cloud),
        }
    }
}

/// A return path after sign-in is accepted only if it stays on this site: a relative path
/// starting with one `/`, without a scheme, host or backslash tricks.
pub fn safe_return_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2048;
    ok.then_some(next)
}

pub const MIN_PASSWORD_LEN: usize = 12;

/// Lower-cases and checks an email address; the message says what is wrong.
pub fn normalize_email(email: &str) -> Result<String, Problem> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    // A dot-atom (no leading, trailing or doubled dot), or a quoted string:
                    // what mail servers accept, so every address taken can be mailed.
                    && (local.len() > 2 && local.starts_with('"') && local.ends_with('"')
                        || !(local.starts_with('.') || local.ends_with('.') || local.contains("..")))
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(Problem::EmailFormat)
    }
}

pub fn check_password(password: &str) -> Result<(), Problem> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Problem::PasswordTooShort);
    }
    if password.len() > 1024 {
        return Err(Problem::PasswordTooLong);
    }
    Ok(())
}

/// Trims a required free-text field and checks its length.
pub fn required_text(value: &str, field: Field, max: usize) -> Result<String, Problem> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Problem::Required(field));
    }
    if value.chars().count() > max {
        return Err(Problem::TooLong(field, max));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Problem::BadCharacters(field));
    }
    Ok(value.to_string())
}

/// Parses the numeric partner id (MPN id) that indirect partners must give.
pub fn parse_partner_id(program: ProgramType, raw: &str) -> Result<i64, Problem> {
    let raw = raw.trim();
    if !program.needs_partner_id() {
        return Ok(0);
    }
    match raw.parse::<i64>() {
        Ok(id) if (1..=9_999_999_999).contains(&id) => Ok(id),
        _ => Err(Problem::PartnerIdFormat),
    }
}

/// Checks a customer's default domain such as `contoso.onmicrosoft.com`.
pub fn normalize_domain(domain: &str) -> Result<String, Problem> {
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let valid = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(domain)
    } else {
        Err(Problem::DomainFormat)
    }
}

/// Parses a country code such as "us" or "DE".
pub fn parse_country(raw: &str) -> Result<String, Problem> {
    let code = raw.trim().to_uppercase();
    if super::is_known_country(&code) {
        Ok(code)
    } else {
        Err(Problem::Country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_site() {
        assert_eq!(
            safe_return_path("/partner/customers"),
            Some("/partner/customers")
        );
        assert_eq!(
            safe_return_path("/m365/invite?a=1&b=2"),
            Some("/m365/invite?a=1&b=2")
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
            "/a\nb",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@ex..com",
            "a..b@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "ada@example.com\r\nbcc: x@example.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
        for good in [
            "josé@example.com",
            "用户@例子.中国",
            "\"quoted\"@example.com",
            "a+b@example.com",
        ] {
            assert!(normalize_email(good).is_ok(), "{good:?}");
        }
        assert!(normalize_email(&format!("{}@example.com", "a".repeat(10_000))).is_err());
    }

    #[test]
    fn passwords_need_a_minimum_length() {
        assert!(check_password("short").is_err());
        assert!(check_password("a-long-enough-pass").is_ok());
    }

    #[test]
    fn partner_ids_only_for_indirect_partners() {
        assert_eq!(parse_partner_id(ProgramType::Direct, "whatever"), Ok(0));
        assert_eq!(
            parse_partner_id(ProgramType::IndirectReseller, " 4123456 "),
            Ok(4123456)
        );
        assert!(parse_partner_id(ProgramType::IndirectProvider, "").is_err());
        assert!(parse_partner_id(ProgramType::IndirectProvider, "0").is_err());
        assert!(parse_partner_id(ProgramType::IndirectProvider, "-5").is_err());
    }

    #[test]
    fn domains_and_countries() {
        assert_eq!(
            normalize_domain("Contoso.OnMicrosoft.com.").unwrap(),
            "contoso.onmicrosoft.com"
        );
        assert!(normalize_domain("contoso").is_err());
        assert!(normalize_domain("-bad.com").is_err());
        assert!(normalize_domain("a b.com").is_err());
        assert_eq!(parse_country("us").unwrap(), "US");
        assert!(parse_country("XX").is_err());
    }

    #[test]
    fn required_text_trims_and_limits() {
        assert_eq!(
            required_text("  Contoso ", Field::CompanyName, 10).unwrap(),
            "Contoso"
        );
        let message = |r: Result<String, Problem>| r.unwrap_err().to_string();
        assert_eq!(
            message(required_text("  ", Field::CompanyName, 10)),
            "Enter the company name."
        );
        assert_eq!(
            message(required_text(&"x".repeat(11), Field::CompanyName, 10)),
            "Shorten the company name to at most 10 characters."
        );
        assert_eq!(
            message(required_text("", Field::YourName, 10)),
            "Enter your name."
        );
        assert_eq!(
            message(required_text("a\u{7}b", Field::YourName, 10)),
            "Remove the characters that are not allowed from your name."
        );
    }

    #[test]
    fn viewer_home_depends_on_membership() {
        let mut v = Viewer {
            user_id: "u".into(),
            name: "Ada".into(),
            email: "ada@example.com".into(),
            org_id: "o".into(),
            org_name: "Org".into(),
            cloud: Cloud::China,
            membership: Membership::Customer {
                role: CustomerRole::GlobalAdmin,
            },
        };
        assert_eq!(v.home(), "/21v/home");
        v.membership = Membership::Partner {
            role: PartnerRole::AdminAgent,
            program: ProgramType::Direct,
            approved: true,
        };
        assert_eq!(v.home(), "/partner/customers");
        assert_eq!(v.partner_role(), Some(PartnerRole::AdminAgent));
    }
}
