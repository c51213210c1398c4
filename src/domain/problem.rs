//! What can be wrong with a request, as a closed set. Each problem has its words in every
//! locale (`crate::i18n`); `Display` gives the English text for logs and tests.

use serde::{Deserialize, Serialize};

use super::{Cloud, MIN_PASSWORD_LEN};

/// Words the server puts into an error (a domain, a partner's name, a region code). They
/// are written out with the error, but never read back in: an error read from a request
/// (the `__err` of a form post that came back, a URL anyone can write) holds no text of
/// its own, whatever was sent. Every text in [`Problem`] and `AppError` is one of these
/// (`tests/architecture.rs` checks it), so no sentence shown from a URL carries text an
/// attacker chose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said(String);

impl Said {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Said {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Said {
    fn from(s: String) -> Self {
        Said(s)
    }
}

impl From<&str> for Said {
    fn from(s: &str) -> Self {
        Said(s.to_string())
    }
}

impl Serialize for Said {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Said {
    /// Reads whatever stands there and keeps none of it.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer)?;
        Ok(Said::default())
    }
}

/// A free-text field a problem can be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    CompanyName,
    OrgName,
    YourName,
    FirstName,
    LastName,
    /// The name of a user an admin adds.
    UserName,
    /// The name of an API key.
    KeyName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    EmailFormat,
    PasswordTooShort,
    PasswordTooLong,
    Required(Field),
    TooLong(Field, usize),
    BadCharacters(Field),
    PartnerIdFormat,
    DomainFormat,
    Country,
    Cloud,
    Program,
    EmailTaken,
    /// The request's fields are missing or unreadable (not sent by Accord's own forms).
    Malformed,
    PartnerIdTaken,
    DomainTaken(Said),
    /// The partner of an invitation reaches organizations only in its country or market
    /// region (`reach`, a region or country code), not in `country`.
    OutsideReach {
        partner: Said,
        reach: Said,
        country: Said,
    },
    RegisteredMomentAgo,
    DapRequired(Cloud),
    PhoneFormat,
    Acknowledge,
    PartnerOnly,
    InviteRole,
    RotateRole,
    /// The partner organization's sign-up awaits the operator's approval.
    AwaitingApproval,
    /// The operator does not take partner sign-ups on this Accord.
    SignUpClosed,
    /// Removing a customer relationship is for the partner's Global admins.
    RemoveRelationshipRole,
    /// The attestation before removing a relationship was not confirmed.
    Attest,
    /// Removing a partner's roles is for the customer's Global admins.
    RemoveRolesRole,
    /// The page is for customer organizations.
    CustomerOnly,
    /// The organization is not (and never was) a customer of this partner.
    NotYourCustomer,
    /// The partner is not (and never was) a partner of this organization.
    NotYourPartner,
    /// A date of a filter could not be read.
    DateFormat,
    /// The customer user's role sees the home page only.
    ReadRole,
    /// Replacing the invitation link was not confirmed.
    ConfirmRotate,
    /// A role that is not one of the organization's side.
    Role,
    /// Adding, changing and removing users is for Global admins.
    ManageUsersRole,
    /// The change would leave the organization without a Global admin.
    LastGlobalAdmin,
    /// The user is not (or no longer) one of the organization's.
    NotYourUser,
    /// Removing a user was not confirmed.
    ConfirmRemoveUser,
    /// The set-password link is unknown, used, expired, or its user was removed.
    PasswordLink,
    /// For indirect resellers only (connecting with providers, combined invitations).
    IndirectResellerOnly,
    /// For indirect providers only (answering resellers).
    IndirectProviderOnly,
    /// Indirect connections are handled by Global admins and Admin agents.
    IndirectRole,
    /// No approved indirect provider of the cloud has this partner id.
    UnknownProvider,
    /// The provider `provider` works in `reach` (a region or country code) only, not in the
    /// reseller's `country`: the two could never serve the same customer.
    ProviderOutsideReach {
        provider: Said,
        reach: Said,
        country: Said,
    },
    /// The reseller never asked this provider to connect.
    NotYourReseller,
    /// The connection changed in the meantime (e.g. ended before it was accepted).
    ConnectionChanged,
    /// The reseller is not connected with this provider.
    NotConnected,
    /// API keys are made and revoked by Global admins.
    ApiKeysRole,
    /// An API key's expiry is a number of days (1 to 730) or nothing.
    KeyExpiry,
    /// The key is not one of the organization's.
    NotYourKey,
    /// Webhooks are registered and removed by Global admins.
    WebhooksRole,
    /// Webhooks and API keys wait for the operator's approval of the organization.
    IntegrationsAwaitApproval,
    /// Too many test events to one endpoint in a short time.
    TestEventsLimit,
    /// A webhook URL that cannot be read, or that has a user name, password or fragment.
    WebhookUrl,
    /// Webhook URLs are https.
    WebhookHttps,
    /// A webhook URL names a private, loopback or link-local address.
    WebhookPrivate,
    /// No event, or an unknown one, was chosen for a webhook.
    WebhookEvents,
    /// The organization has as many webhooks as it can have.
    TooManyWebhooks,
    /// The organization has the most working API keys it may have.
    TooManyKeys,
    /// The organization has the most users it may have.
    TooManyUsers,
    /// The webhook is not (or no longer) one of the organization's.
    NotYourWebhook,
    /// Removing a webhook was not confirmed.
    ConfirmRemoveWebhook,
}

impl Field {
    fn english(self) -> &'static str {
        match self {
            Field::CompanyName => "the company name",
            Field::OrgName => "the organization name",
            Field::YourName => "your name",
            Field::FirstName => "the signer's first name",
            Field::LastName => "the signer's last name",
            Field::UserName => "the user's name",
            Field::KeyName => "the key's name",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::EmailFormat => write!(f, "Enter an email address like name@example.com."),
            Problem::PasswordTooShort => write!(
                f,
                "Choose a password of at least {MIN_PASSWORD_LEN} characters."
            ),
            Problem::PasswordTooLong => {
                write!(f, "That password is too long (at most 1024 characters).")
            }
            Problem::Required(field) => write!(f, "Enter {}.", field.english()),
            Problem::TooLong(field, max) => write!(
                f,
                "Shorten {} to at most {max} characters.",
                field.english()
            ),
            Problem::BadCharacters(field) => write!(
                f,
                "Remove the characters that are not allowed from {}.",
                field.english()
            ),
            Problem::PartnerIdFormat => write!(
                f,
                "Enter your numeric partner ID (MPN ID), for example 4123456."
            ),
            Problem::DomainFormat => write!(
                f,
                "Enter a domain like contoso.onmicrosoft.com (letters, digits and hyphens, with at least one dot)."
            ),
            Problem::Country => write!(f, "Choose your country or region."),
            Problem::Cloud => write!(f, "Choose the cloud your organization works in."),
            Problem::Program => write!(f, "Choose your partner program."),
            Problem::Malformed => write!(
                f,
                "The request was incomplete or could not be read. Nothing was changed."
            ),
            Problem::EmailTaken => write!(
                f,
                "An account with this email address already exists. Sign in instead, or use another address."
            ),
            Problem::PartnerIdTaken => {
                write!(f, "Another organization already uses this partner ID.")
            }
            Problem::DomainTaken(domain) => write!(
                f,
                "The domain {domain} already belongs to an organization. Sign in with that organization's account instead."
            ),
            Problem::OutsideReach {
                partner,
                reach,
                country,
            } => write!(
                f,
                "{partner} works with organizations in {reach} only, so it cannot become the partner of an organization in {country}. Nothing was created."
            ),
            Problem::RegisteredMomentAgo => write!(
                f,
                "That email address, domain or partner ID was registered a moment ago. Sign in instead, or use another one."
            ),
            Problem::DapRequired(cloud) => write!(
                f,
                "In {} a reseller relationship request always includes delegated administration privileges.",
                cloud.label()
            ),
            Problem::PhoneFormat => write!(
                f,
                "Enter the phone number with digits, spaces and + - ( ) only, or leave it empty."
            ),
            Problem::Acknowledge => write!(
                f,
                "To accept, confirm that you have the authority to accept the Microsoft Customer Agreement for your organization."
            ),
            Problem::PartnerOnly => write!(f, "This page is for partner organizations."),
            Problem::InviteRole => write!(
                f,
                "Only Global admins and Admin agents can request reseller relationships."
            ),
            Problem::RotateRole => {
                write!(f, "Only Global admins can replace the invitation link.")
            }
            Problem::AwaitingApproval => write!(
                f,
                "Your organization is waiting for approval by the operator of this Accord. You can invite customers once it is approved."
            ),
            Problem::RemoveRelationshipRole => write!(
                f,
                "Only Global admins can remove a customer relationship."
            ),
            Problem::Attest => write!(
                f,
                "To remove the relationship, confirm the statement above."
            ),
            Problem::RemoveRolesRole => write!(
                f,
                "Only Global admins can remove a partner's admin roles."
            ),
            Problem::CustomerOnly => write!(f, "This page is for customer organizations."),
            Problem::NotYourCustomer => {
                write!(f, "This organization is not one of your customers.")
            }
            Problem::DateFormat => write!(
                f,
                "Enter dates as YYYY-MM-DD, for example 2026-12-01."
            ),
            Problem::ConfirmRotate => write!(
                f,
                "To replace the link, confirm that every link you sent before stops working."
            ),
            Problem::ReadRole => write!(
                f,
                "Your role can see the home page only. Ask a Global admin of your organization."
            ),
            Problem::NotYourPartner => {
                write!(f, "This partner has no relationship with your organization.")
            }
            Problem::Role => write!(f, "Choose one of the roles offered."),
            Problem::ManageUsersRole => {
                write!(f, "Only Global admins can add, change or remove users.")
            }
            Problem::LastGlobalAdmin => write!(
                f,
                "Your organization needs at least one Global admin who can sign in. Make another user Global admin first."
            ),
            Problem::NotYourUser => write!(f, "This user is not one of your organization's users."),
            Problem::ConfirmRemoveUser => write!(
                f,
                "To remove the user, confirm that they can no longer sign in."
            ),
            Problem::PasswordLink => write!(
                f,
                "This link has expired or was already used. Ask a Global admin of your organization for a new one."
            ),
            Problem::IndirectResellerOnly => {
                write!(f, "This is for indirect resellers only.")
            }
            Problem::IndirectProviderOnly => {
                write!(f, "This is for indirect providers only.")
            }
            Problem::IndirectRole => write!(
                f,
                "Only Global admins and Admin agents can manage indirect connections."
            ),
            Problem::UnknownProvider => write!(
                f,
                "No indirect provider of your cloud has this partner ID. Check the number with your provider."
            ),
            Problem::ProviderOutsideReach {
                provider,
                reach,
                country,
            } => write!(
                f,
                "{provider} works with organizations in {reach} only, so it cannot be the indirect provider of a reseller in {country}. Nothing was sent."
            ),
            Problem::NotYourReseller => {
                write!(f, "This reseller has not asked to connect with your organization.")
            }
            Problem::ConnectionChanged => write!(
                f,
                "This connection changed in the meantime. Reload the page to see where it stands."
            ),
            Problem::NotConnected => write!(
                f,
                "You are not connected with this indirect provider. Ask it to accept your request first."
            ),
            Problem::ApiKeysRole => {
                write!(f, "Only Global admins can make or revoke API keys.")
            }
            Problem::KeyExpiry => write!(
                f,
                "Enter the number of days the key works (1 to 730), or leave it empty for no expiry."
            ),
            Problem::NotYourKey => write!(f, "This API key is not one of your organization's."),
            Problem::IntegrationsAwaitApproval => write!(
                f,
                "Your organization is waiting for approval by the operator of this Accord. You can make webhooks and API keys once it is approved."
            ),
            Problem::TestEventsLimit => write!(
                f,
                "This endpoint got {} test events in the last 10 minutes. Wait a few minutes before sending another.",
                crate::domain::TEST_EVENTS_PER_10_MINUTES
            ),
            Problem::WebhooksRole => {
                write!(f, "Only Global admins can register, test or remove webhooks.")
            }
            Problem::WebhookUrl => write!(
                f,
                "Enter the endpoint's full address, like https://hooks.example.com/accord (no user name, password or #fragment)."
            ),
            Problem::WebhookHttps => write!(
                f,
                "Webhook addresses start with https://, so what is sent stays private on the way."
            ),
            Problem::WebhookPrivate => write!(
                f,
                "Webhooks are sent to public internet addresses only, not to private, local or link-local ones."
            ),
            Problem::WebhookEvents => write!(f, "Choose at least one event to send."),
            Problem::TooManyKeys => write!(
                f,
                "Your organization has 20 working API keys, the most it can have. Revoke one first."
            ),
            Problem::TooManyUsers => write!(
                f,
                "Your organization has 1,000 users, the most it can have. Remove one first."
            ),
            Problem::TooManyWebhooks => write!(
                f,
                "Your organization has 20 webhooks, the most it can have. Remove one first."
            ),
            Problem::NotYourWebhook => {
                write!(f, "This webhook is not (or no longer) one of your organization's.")
            }
            Problem::ConfirmRemoveWebhook => {
                write!(f, "Confirm that nothing more should be sent to this endpoint.")
            }
            Problem::SignUpClosed => write!(
                f,
                "This Accord does not take new partner organizations. Ask its operator to add yours."
            ),
        }
    }
}
