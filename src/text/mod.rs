//! Every user-facing string of the customer acceptance pages, kept together so that adding
//! a locale means adding one more `PortalText` value. Placeholders are written `{name}` and
//! filled by [`fill`].

use crate::domain::{Cloud, Refusal};

pub struct PortalText {
    pub portal_name: &'static str,
    pub invitation_title: &'static str,
    pub asks: &'static str,
    pub reseller_of_record: &'static str,
    pub dap_included: &'static str,
    pub dap_admin_agents: &'static str,
    pub dap_helpdesk_agents: &'static str,
    pub dap_not_included: &'static str,
    pub sign_in_heading: &'static str,
    pub sign_in_intro: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub create_org_heading: &'static str,
    pub create_org_intro: &'static str,
    pub company_name: &'static str,
    pub domain: &'static str,
    pub domain_hint: &'static str,
    pub country: &'static str,
    pub your_name: &'static str,
    pub create_org: &'static str,
    pub signed_in_as: &'static str,
    pub agreement_heading: &'static str,
    pub agreement_intro: &'static str,
    pub agreement_already: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub signer_email: &'static str,
    pub phone: &'static str,
    pub acknowledge: &'static str,
    pub accept: &'static str,
    pub accept_without_dap: &'static str,
    pub decline: &'static str,
    pub accepted: &'static str,
    pub already_authorized: &'static str,
    pub declined: &'static str,
    pub nothing_changed: &'static str,
    pub sign_out: &'static str,
    pub home_heading: &'static str,
    pub refused_invalid_title: &'static str,
    pub refused_invalid: &'static str,
    pub refused_replaced_title: &'static str,
    pub refused_replaced: &'static str,
    pub refused_unknown_title: &'static str,
    pub refused_unknown: &'static str,
    pub refused_cloud_title: &'static str,
    pub refused_cloud: &'static str,
    pub refused_role_title: &'static str,
    pub refused_role_dap: &'static str,
    pub refused_role_any: &'static str,
    pub refused_dap_title: &'static str,
    pub refused_dap: &'static str,
    pub refused_dap_holder: &'static str,
    pub refused_partner_title: &'static str,
    pub refused_partner: &'static str,
}

const EN: PortalText = PortalText {
    portal_name: "",
    invitation_title: "Accept partner invitation",
    asks: "{partner} is asking to become your organization's partner.",
    reseller_of_record: "{partner} will be your reseller of record: they can buy subscriptions for your organization and support you.",
    dap_included: "The invitation includes delegated administration privileges for Azure Active Directory and Office 365:",
    dap_admin_agents: "{partner}'s Admin agents will act as Global admins in your organization.",
    dap_helpdesk_agents: "{partner}'s Helpdesk agents will act as Helpdesk (password) admins in your organization.",
    dap_not_included: "The invitation does not include delegated administration privileges: {partner} will not be able to administer your organization.",
    sign_in_heading: "Sign in to your organization",
    sign_in_intro: "Sign in with an admin account of your organization to review the invitation.",
    email: "Email",
    password: "Password",
    sign_in: "Sign in",
    create_org_heading: "New here? Create your organization",
    create_org_intro: "Your organization is created in {cloud}, the same cloud as {partner}. You become its Global admin.",
    company_name: "Company name",
    domain: "Domain",
    domain_hint: "Your organization's default domain, for example contoso.onmicrosoft.com.",
    country: "Country or region",
    your_name: "Your name",
    create_org: "Create organization and continue",
    signed_in_as: "Signed in as {user} for {org}.",
    agreement_heading: "Microsoft Customer Agreement",
    agreement_intro: "Your organization has not accepted the Microsoft Customer Agreement yet. Whoever accepts it confirms they may do so for {org}.",
    agreement_already: "Your organization accepted the {agreement} (version {version}) on {date}.",
    first_name: "First name",
    last_name: "Last name",
    signer_email: "Email address",
    phone: "Phone number (optional)",
    acknowledge: "I have the authority to accept the Microsoft Customer Agreement on behalf of my organization, and I accept it.",
    accept: "Accept & Authorize",
    accept_without_dap: "Accept without delegated admin privileges",
    decline: "Decline",
    accepted: "Done. {partner} is now authorized as your partner.",
    already_authorized: "{partner} is already authorized as your partner. Nothing more is needed.",
    declined: "You declined the invitation from {partner}. Nothing was changed in your organization.",
    nothing_changed: "Nothing has been changed in your organization.",
    sign_out: "Sign out",
    home_heading: "Your organization",
    refused_invalid_title: "This invitation link isn't valid",
    refused_invalid: "The link was changed or cut off after your partner created it, so we can't tell who sent it. Ask your partner to send the invitation again and open the whole link from their email.",
    refused_replaced_title: "This invitation link is no longer valid",
    refused_replaced: "{partner} has replaced its invitation links with new ones. Ask {partner} to send you their current invitation link.",
    refused_unknown_title: "We can't find this partner",
    refused_unknown: "The partner that created this link no longer has an account here. Check with the person who sent you the link.",
    refused_cloud_title: "This invitation is for another cloud",
    refused_cloud: "{partner} works in {partner_cloud}, but your organization is in {customer_cloud}. A partner can only work with organizations in its own cloud.",
    refused_role_title: "You can't accept this invitation",
    refused_role_dap: "Your role is {role}. Only a Global admin can accept an invitation that includes delegated administration privileges. Ask a Global admin of your organization to open this link.",
    refused_role_any: "Your role is {role}. Only a Global admin or a Billing admin can accept an invitation. Ask one of them to open this link.",
    refused_dap_title: "Another partner already has delegated admin privileges",
    refused_dap: "For each service only one partner can hold delegated administration privileges. To give them to {partner}, first remove the other partner's roles on your Partner relationships page. You can also accept {partner} as your reseller without delegated admin privileges.",
    refused_dap_holder: "{partner} holds delegated admin privileges for {service}.",
    refused_partner_title: "Sign in with your organization's account",
    refused_partner: "You are signed in with a partner account. Invitations are accepted by an admin of the customer organization. Sign out, then sign in with your organization's account.",
};

/// The strings of `cloud`'s customer portal.
pub fn portal(cloud: Cloud) -> PortalText {
    PortalText {
        portal_name: cloud.customer_portal(),
        ..EN
    }
}

/// Replaces each `{key}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(template.to_string(), |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), v)
    })
}

/// Title and explanation of a refusal, as the customer reads them.
pub fn refusal(cloud: Cloud, refusal: &Refusal) -> (String, Vec<String>) {
    let t = portal(cloud);
    match refusal {
        Refusal::InvalidLink => (
            t.refused_invalid_title.into(),
            vec![t.refused_invalid.into()],
        ),
        Refusal::LinkReplaced { partner } => (
            t.refused_replaced_title.into(),
            vec![fill(t.refused_replaced, &[("partner", partner)])],
        ),
        Refusal::UnknownPartner => (
            t.refused_unknown_title.into(),
            vec![t.refused_unknown.into()],
        ),
        Refusal::WrongCloud {
            partner,
            partner_cloud,
            customer_cloud,
        } => (
            t.refused_cloud_title.into(),
            vec![fill(
                t.refused_cloud,
                &[
                    ("partner", partner),
                    ("partner_cloud", partner_cloud.label()),
                    ("customer_cloud", customer_cloud.label()),
                ],
            )],
        ),
        Refusal::RoleTooWeak { role, dap } => (
            t.refused_role_title.into(),
            vec![fill(
                if *dap {
                    t.refused_role_dap
                } else {
                    t.refused_role_any
                },
                &[("role", role.label())],
            )],
        ),
        Refusal::DapConflict { partner, holders } => {
            let mut lines: Vec<String> = holders
                .iter()
                .map(|h| {
                    fill(
                        t.refused_dap_holder,
                        &[("partner", &h.partner), ("service", &h.service)],
                    )
                })
                .collect();
            lines.push(fill(t.refused_dap, &[("partner", partner)]));
            (t.refused_dap_title.into(), lines)
        }
        Refusal::NotACustomer => (
            t.refused_partner_title.into(),
            vec![t.refused_partner.into()],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders() {
        assert_eq!(
            fill("{a} and {b}, {a}", &[("a", "x"), ("b", "y")]),
            "x and y, x"
        );
    }

    #[test]
    fn every_portal_is_named_after_its_cloud() {
        assert_eq!(
            portal(Cloud::China).portal_name,
            "Office 365 admin center operated by 21Vianet"
        );
        assert_eq!(
            portal(Cloud::UsGov).portal_name,
            "Microsoft Office Admin Portal"
        );
    }

    #[test]
    fn refusals_name_the_partner_and_leave_no_placeholder() {
        let cases = [
            Refusal::InvalidLink,
            Refusal::LinkReplaced {
                partner: "Contoso".into(),
            },
            Refusal::UnknownPartner,
            Refusal::WrongCloud {
                partner: "Contoso".into(),
                partner_cloud: Cloud::Public,
                customer_cloud: Cloud::China,
            },
            Refusal::RoleTooWeak {
                role: crate::domain::CustomerRole::User,
                dap: false,
            },
            Refusal::DapConflict {
                partner: "Contoso".into(),
                holders: vec![crate::domain::DapHolder {
                    service: "Office 365".into(),
                    partner: "Fabrikam".into(),
                }],
            },
            Refusal::NotACustomer,
        ];
        for r in &cases {
            let (title, lines) = refusal(Cloud::Public, r);
            let all = format!("{title} {}", lines.join(" "));
            assert!(!all.contains('{'), "{all}");
        }
        let (_, lines) = refusal(Cloud::Public, &cases[5]);
        assert_eq!(
            lines[0],
            "Fabrikam holds delegated admin privileges for Office 365."
        );
    }
}
