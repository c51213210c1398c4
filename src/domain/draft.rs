//! The draft email a partner sends with its invitation link, and the `mailto:` link for it.

/// Subject and body of the invitation email; the partner may edit both before sending.
pub fn invitation_email(partner: &str, sender: &str, link: &str, dap: bool) -> (String, String) {
    let subject = format!("{partner} would like to be your cloud partner");
    let dap_part = if dap {
        " and grant us delegated administration privileges for Azure Active Directory and Office 365, so that we can manage your services on your behalf"
    } else {
        ""
    };
    let body = format!(
        "Hello,\n\n\
         We would like to become your cloud reseller. Please authorize {partner} as your reseller{dap_part}.\n\n\
         Open the link below and sign in with an admin account of your organization (or create your organization if it is new). If your organization has not accepted the Microsoft Customer Agreement yet, you will be asked to accept it. Then select Accept & Authorize.\n\n\
         {link}\n\n\
         The link is personal to {partner}; please use it as it is.\n\n\
         Kind regards,\n\
         {sender}\n\
         {partner}\n"
    );
    (subject, body)
}

/// A `mailto:` URL with subject and body percent-encoded as RFC 6068 asks.
pub fn mailto_href(subject: &str, body: &str) -> String {
    format!(
        "mailto:?subject={}&body={}",
        percent_encode(subject),
        percent_encode(&body.replace("\r\n", "\n").replace('\n', "\r\n"))
    )
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_holds_the_link_and_the_partner() {
        let (subject, body) = invitation_email(
            "Contoso",
            "Pat",
            "https://a.example/m365/partner-invitation?x=1&sig=abc",
            true,
        );
        assert!(subject.contains("Contoso"));
        assert!(body.contains("https://a.example/m365/partner-invitation?x=1&sig=abc"));
        assert!(body.contains("delegated administration privileges"));
        assert!(body.ends_with("Pat\nContoso\n"));
        let (_, without) = invitation_email("Contoso", "Pat", "L", false);
        assert!(!without.contains("delegated"));
    }

    #[test]
    fn mailto_is_fully_encoded() {
        let href = mailto_href("Hi & welcome", "Line 1\nhttps://a.example/?a=1&b=2\nÜ");
        assert_eq!(
            href,
            "mailto:?subject=Hi%20%26%20welcome&body=Line%201%0D%0Ahttps%3A%2F%2Fa.example%2F%3Fa%3D1%26b%3D2%0D%0A%C3%9C"
        );
    }
}
