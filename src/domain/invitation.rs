//! Invitation links: the parameters Partner Center puts in a reseller-relationship request
//! and the signature that makes any change to them evident.
//!
//! The link carries no customer information, so one link serves any number of customers.
//! It is signed with the partner's link secret, derived from the server key and the
//! partner's secret version; rotating the version invalidates every older link.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::labelled_enum;

type HmacSha256 = Hmac<Sha256>;

labelled_enum!(
    /// `invType` of an invitation link.
    InvitationType, "invitation type", {
        ResellerRelationship => "ResellerRelationship", "Reseller relationship";
        IndirectResellerRelationship => "IndirectResellerRelationship", "Indirect reseller relationship";
    }
);

/// Query parameter holding the signature.
pub const SIGNATURE_PARAM: &str = "sig";

/// Path of the acceptance page under a cloud's customer-portal prefix.
pub const INVITATION_PATH: &str = "/partner-invitation";
/// Path (under the portal prefix) of the page that creates a customer organization for an
/// invitation; it takes the invitation's query as it is.
pub const NEW_ORGANIZATION_PATH: &str = "/partner-invitation/new-organization";

/// The signed parameters of an invitation link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationParams {
    pub inv_type: InvitationType,
    /// The inviting partner's tenant id.
    pub partner_id: String,
    /// Numeric partner id of an indirect partner, 0 for direct partners.
    pub mspp_id: i64,
    /// Whether delegated admin privileges are requested.
    pub dap: bool,
    /// The indirect provider's tenant id (indirect invitations only).
    pub indirect_csp_id: Option<String>,
}

/// Why a link could not be read or verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// A parameter is missing, repeated or not of its kind.
    Malformed,
    /// The signature is missing or does not match the parameters.
    BadSignature,
}

impl InvitationParams {
    /// The parameters in a fixed order and spelling: what is signed and what the link shows.
    pub fn canonical_query(&self) -> String {
        let mut q = format!(
            "invType={}&partnerId={}&msppId={}",
            self.inv_type.code(),
            self.partner_id,
            self.mspp_id,
        );
        if let Some(csp) = &self.indirect_csp_id {
            q.push_str("&indirectCSPId=");
            q.push_str(csp);
        }
        q.push_str(&format!("&DAP={}", self.dap));
        q
    }

    pub fn sign(&self, link_secret: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(
            mac(link_secret, &self.canonical_query())
                .finalize()
                .into_bytes(),
        )
    }

    /// Checks `signature` in constant time.
    pub fn verify(&self, link_secret: &[u8], signature: &str) -> Result<(), LinkError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(signature.trim())
            .map_err(|_| LinkError::BadSignature)?;
        mac(link_secret, &self.canonical_query())
            .verify_slice(&bytes)
            .map_err(|_| LinkError::BadSignature)
    }

    /// The full link: `base` (e.g. `https://accord.example/m365`) + path + signed query.
    pub fn to_url(&self, portal_base: &str, link_secret: &[u8]) -> String {
        format!(
            "{portal_base}{INVITATION_PATH}?{}&{SIGNATURE_PARAM}={}",
            self.canonical_query(),
            self.sign(link_secret)
        )
    }

    /// Reads the parameters from decoded query pairs. Unknown parameters (such as tracking
    /// tags an email program adds) are ignored; each known one must appear at most once.
    /// Returns the parameters and the signature, which the caller verifies.
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(Self, String), LinkError> {
        let mut inv_type = None;
        let mut partner_id = None;
        let mut mspp_id = None;
        let mut dap = None;
        let mut csp = None;
        let mut sig = None;
        fn set<'a>(slot: &mut Option<&'a str>, value: &'a str) -> Result<(), LinkError> {
            if slot.replace(value).is_some() {
                return Err(LinkError::Malformed);
            }
            Ok(())
        }
        for (key, value) in pairs {
            match key {
                "invType" => set(&mut inv_type, value)?,
                "partnerId" => set(&mut partner_id, value)?,
                "msppId" => set(&mut mspp_id, value)?,
                "DAP" => set(&mut dap, value)?,
                "indirectCSPId" => set(&mut csp, value)?,
                SIGNATURE_PARAM => set(&mut sig, value)?,
                _ => {}
            }
        }
        let params = InvitationParams {
            inv_type: inv_type
                .ok_or(LinkError::Malformed)?
                .parse()
                .map_err(|_| LinkError::Malformed)?,
            partner_id: partner_id
                .filter(|p| is_tenant_id(p))
                .ok_or(LinkError::Malformed)?
                .to_string(),
            mspp_id: mspp_id
                .and_then(|m| m.parse::<i64>().ok())
                .filter(|m| *m >= 0 && m.to_string() == mspp_id.unwrap_or_default())
                .ok_or(LinkError::Malformed)?,
            dap: match dap.ok_or(LinkError::Malformed)? {
                "true" => true,
                "false" => false,
                _ => return Err(LinkError::Malformed),
            },
            indirect_csp_id: match csp {
                Some(c) if is_tenant_id(c) => Some(c.to_string()),
                Some(_) => return Err(LinkError::Malformed),
                None => None,
            },
        };
        let sig = sig
            .filter(|s| !s.is_empty())
            .ok_or(LinkError::BadSignature)?;
        Ok((params, sig.to_string()))
    }
}

/// The secret a partner's links are signed with: derived from the server key, the partner's
/// tenant id and its secret version, so nothing secret is stored per partner.
pub fn link_secret(server_key: &[u8], partner_id: &str, version: i64) -> Vec<u8> {
    mac(
        server_key,
        &format!("accord/invitation-link/v1/{partner_id}/{version}"),
    )
    .finalize()
    .into_bytes()
    .to_vec()
}

fn mac(key: &[u8], message: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message.as_bytes());
    mac
}

/// Whether `s` has the shape of the random tokens Accord makes (set-password links, device
/// cookies): 32 bytes in base64url without padding, 43 URL-safe characters.
pub fn is_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A tenant id is a lower-case hyphenated UUID.
pub fn is_tenant_id(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTNER: &str = "0b6a3d7e-2f4c-4e8a-9d1b-5c7e9f1a2b3c";
    const PROVIDER: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    const KEY: &[u8] = b"server-key-server-key-server-key-0123";

    fn params() -> InvitationParams {
        InvitationParams {
            inv_type: InvitationType::ResellerRelationship,
            partner_id: PARTNER.into(),
            mspp_id: 0,
            dap: true,
            indirect_csp_id: None,
        }
    }

    fn parse(url: &str) -> Result<(InvitationParams, String), LinkError> {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or(url);
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        InvitationParams::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn check(url: &str, secret: &[u8]) -> Result<InvitationParams, LinkError> {
        let (p, sig) = parse(url)?;
        p.verify(secret, &sig)?;
        Ok(p)
    }

    #[test]
    fn canonical_query_is_stable() {
        assert_eq!(
            params().canonical_query(),
            format!("invType=ResellerRelationship&partnerId={PARTNER}&msppId=0&DAP=true")
        );
        let indirect = InvitationParams {
            inv_type: InvitationType::IndirectResellerRelationship,
            mspp_id: 4123456,
            dap: false,
            indirect_csp_id: Some(PROVIDER.into()),
            ..params()
        };
        assert_eq!(
            indirect.canonical_query(),
            format!("invType=IndirectResellerRelationship&partnerId={PARTNER}&msppId=4123456&indirectCSPId={PROVIDER}&DAP=false")
        );
        // Same inputs, same signature: links can be regenerated at will.
        let secret = link_secret(KEY, PARTNER, 1);
        assert_eq!(params().sign(&secret), params().sign(&secret));
    }

    #[test]
    fn a_signed_link_round_trips() {
        let secret = link_secret(KEY, PARTNER, 1);
        let url = params().to_url("https://accord.example/m365", &secret);
        assert!(url.starts_with("https://accord.example/m365/partner-invitation?invType=ResellerRelationship&partnerId="));
        assert_eq!(check(&url, &secret), Ok(params()));
        // Parameter order and extra tracking parameters do not matter.
        let (_, sig) = parse(&url).unwrap();
        let reordered = format!("DAP=true&utm_source=mail&msppId=0&sig={sig}&partnerId={PARTNER}&invType=ResellerRelationship");
        assert_eq!(check(&reordered, &secret), Ok(params()));
    }

    #[test]
    fn every_tampered_parameter_is_refused() {
        let secret = link_secret(KEY, PARTNER, 1);
        let url = params().to_url("https://a.example/m365", &secret);
        let tampered = [
            url.replace("DAP=true", "DAP=false"),
            url.replace("msppId=0", "msppId=1"),
            url.replace(
                "invType=ResellerRelationship",
                "invType=IndirectResellerRelationship",
            ),
            url.replace(PARTNER, PROVIDER),
            format!("{url}&indirectCSPId={PROVIDER}"),
        ];
        for t in &tampered {
            assert_eq!(check(t, &secret), Err(LinkError::BadSignature), "{t}");
        }
        // Changed spellings are not the same link either.
        assert_eq!(
            check(&url.replace("DAP=true", "DAP=True"), &secret),
            Err(LinkError::Malformed)
        );
        assert_eq!(
            check(&url.replace("msppId=0", "msppId=00"), &secret),
            Err(LinkError::Malformed)
        );
        assert_eq!(
            check(&url.replace("msppId=0", "msppId=-1"), &secret),
            Err(LinkError::Malformed)
        );
        assert_eq!(
            check(&url.replace(PARTNER, "not-a-tenant"), &secret),
            Err(LinkError::Malformed)
        );
        assert_eq!(
            check(&format!("{url}&DAP=false"), &secret),
            Err(LinkError::Malformed),
            "repeated parameter"
        );
    }

    #[test]
    fn signature_must_be_present_and_right() {
        let secret = link_secret(KEY, PARTNER, 1);
        let url = params().to_url("https://a.example/m365", &secret);
        let without = url.split("&sig=").next().unwrap().to_string();
        assert_eq!(check(&without, &secret), Err(LinkError::BadSignature));
        assert_eq!(
            check(&format!("{without}&sig="), &secret),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            check(&format!("{without}&sig=%%%"), &secret),
            Err(LinkError::BadSignature)
        );
        let (_, sig) = parse(&url).unwrap();
        let mut flipped: Vec<char> = sig.chars().collect();
        flipped[0] = if flipped[0] == 'A' { 'B' } else { 'A' };
        let flipped: String = flipped.into_iter().collect();
        assert_eq!(
            check(&format!("{without}&sig={flipped}"), &secret),
            Err(LinkError::BadSignature)
        );
    }

    #[test]
    fn wrong_or_rotated_secret_is_refused() {
        let v1 = link_secret(KEY, PARTNER, 1);
        let url = params().to_url("https://a.example/m365", &v1);
        assert_eq!(
            check(&url, &link_secret(KEY, PARTNER, 2)),
            Err(LinkError::BadSignature),
            "rotated"
        );
        assert_eq!(
            check(
                &url,
                &link_secret(b"another-server-key-another-server-key", PARTNER, 1)
            ),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            check(&url, &link_secret(KEY, PROVIDER, 1)),
            Err(LinkError::BadSignature)
        );
        assert_ne!(link_secret(KEY, PARTNER, 1), link_secret(KEY, PARTNER, 2));
    }

    #[test]
    fn missing_parameters_are_malformed() {
        let secret = link_secret(KEY, PARTNER, 1);
        let url = params().to_url("https://a.example/m365", &secret);
        for param in ["invType", "partnerId", "msppId", "DAP"] {
            let stripped: Vec<&str> = url
                .split_once('?')
                .unwrap()
                .1
                .split('&')
                .filter(|kv| !kv.starts_with(&format!("{param}=")))
                .collect();
            assert_eq!(
                check(&stripped.join("&"), &secret),
                Err(LinkError::Malformed),
                "{param}"
            );
        }
    }

    #[test]
    fn tenant_ids_are_lower_case_uuids() {
        assert!(is_tenant_id(PARTNER));
        assert!(!is_tenant_id(&PARTNER.to_uppercase()));
        assert!(!is_tenant_id("0b6a3d7e2f4c4e8a9d1b5c7e9f1a2b3c"));
    }
}
