//! Partner side of the handshake: the reseller-relationship request and its link.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::routes::REQUEST;

/// The draft email and link of a reseller-relationship request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDraft {
    pub url: String,
    pub dap: bool,
    pub subject: String,
    pub body: String,
    /// The indirect provider the link also names, if any.
    pub provider: Option<String>,
}

/// Builds the partner's reusable invitation link and the draft email holding it.
#[server(endpoint = "relationship_request")]
pub async fn relationship_request(
    dap: bool,
    provider: Option<String>,
) -> Result<RequestDraft, AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            let (url, provider) = crate::server::handshake::link_for(
                &state.db,
                &state.config,
                &viewer,
                dap,
                provider.as_deref(),
            )
            .await?;
            let (subject, body) = invitation_email(
                crate::i18n::current(),
                &viewer.org_name,
                &viewer.name,
                &url,
                dap,
                provider.as_deref(),
            );
            Ok(RequestDraft {
                url,
                dap,
                subject,
                body,
                provider,
            })
        }
        .await,
    )
}

/// Subject and body of the invitation email in `locale`; the partner may edit both. An
/// indirect reseller's link names its indirect provider, and so does the email.
pub fn invitation_email(
    locale: crate::i18n::Locale,
    partner: &str,
    sender: &str,
    link: &str,
    dap: bool,
    provider: Option<&str>,
) -> (String, String) {
    use crate::i18n::t;
    let subject = t!(locale, email_subject, partner = partner).to_string();
    let body = if dap {
        t!(
            locale,
            email_body_dap,
            partner = partner,
            link = link,
            sender = sender
        )
        .to_string()
    } else {
        t!(
            locale,
            email_body,
            partner = partner,
            link = link,
            sender = sender
        )
        .to_string()
    };
    let body = match provider {
        // After the request itself (the greeting, then the paragraph that asks).
        Some(provider) => {
            let note = t!(
                locale,
                email_indirect,
                partner = partner,
                provider = provider
            )
            .to_string();
            let mut paragraphs: Vec<&str> = body.splitn(3, "\n\n").collect();
            paragraphs.insert(paragraphs.len().min(2), &note);
            paragraphs.join("\n\n")
        }
        None => body,
    };
    (subject, body)
}

pub const ROTATED_PARAM: &str = "rotated";

/// Replaces the partner's link secret: every earlier invitation link stops working.
#[server(endpoint = "rotate_invitation_link")]
pub async fn rotate_invitation_link(confirm: Option<String>) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, role) = super::ctx::partner().await?;
            if !role.can_administer() {
                return Err(AppError::Forbidden(crate::domain::Problem::RotateRole));
            }
            // Every link already sent stops working: only on purpose.
            if confirm.is_none() {
                return Err(AppError::Invalid(crate::domain::Problem::ConfirmRotate));
            }
            crate::server::handshake::rotate_link_secret(&super::ctx::state()?.db, &viewer).await?;
            leptos_axum::redirect(&format!("{REQUEST}?{ROTATED_PARAM}=1"));
            Ok(())
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn the_draft_holds_the_link_and_the_partner_in_every_locale() {
        let link = "https://a.example/m365/partner-invitation?x=1&sig=abc";
        for locale in crate::i18n::ALL {
            let (subject, body) = invitation_email(locale, "Contoso", "Pat", link, true, None);
            assert!(subject.contains("Contoso"), "{subject}");
            assert!(body.contains(link), "{body}");
            assert!(body.trim_end().ends_with("Pat\nContoso"), "{body}");
        }
        let (_, with) = invitation_email(Locale::en, "Contoso", "Pat", link, true, None);
        assert!(with.contains("delegated administration privileges"));
        let (_, without) = invitation_email(Locale::en, "Contoso", "Pat", link, false, None);
        assert!(!without.contains("delegated"));
    }

    #[test]
    fn an_indirect_draft_names_the_provider_after_the_request() {
        let link = "https://a.example/m365/partner-invitation?x=1&sig=abc";
        for locale in crate::i18n::ALL {
            let (_, body) =
                invitation_email(locale, "Contoso", "Pat", link, false, Some("Fabrikam Dist"));
            let paragraphs: Vec<&str> = body.split("\n\n").collect();
            assert!(paragraphs[2].contains("Fabrikam Dist"), "{body}");
            assert!(paragraphs[2].contains("Contoso"), "{body}");
            assert!(body.contains(link), "{body}");
            assert!(body.trim_end().ends_with("Pat\nContoso"), "{body}");
        }
    }
}
