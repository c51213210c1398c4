//! Every page's path in one place: the router (`app.rs`), the pages, the navigation, the
//! server functions' redirects and the links Accord hands out all name pages from here.
//! A test checks that each fixed path is one the router serves.

use crate::domain::{Cloud, Membership, Viewer};

pub const HOME: &str = "/";
pub const SIGN_IN: &str = "/signin";
pub const SIGN_UP: &str = "/signup";
/// The partner's Customers page, where partner users start.
pub const CUSTOMERS: &str = "/partner/customers";
/// **Request a reseller relationship**.
pub const REQUEST: &str = "/partner/customers/request";
/// The draft email of a relationship request.
pub const REQUEST_EMAIL: &str = "/partner/customers/request/email";
pub const PARTNER_ACTIVITY: &str = "/partner/activity";
pub const PARTNER_USERS: &str = "/partner/users";
pub const API_KEYS: &str = "/partner/api-keys";
pub const WEBHOOKS: &str = "/partner/webhooks";
pub const INDIRECT_PROVIDERS: &str = "/partner/indirect-providers";
pub const INDIRECT_RESELLERS: &str = "/partner/indirect-resellers";
/// Where a new user sets their password.
pub const SET_PASSWORD: &str = "/set-password";
/// "Forgot password?": asks for a password-reset mail.
pub const FORGOT_PASSWORD: &str = "/forgot-password";
pub const API_DOCS: &str = "/docs/api";

/// Ids are UUIDs; anything else is dropped rather than put into a URL.
pub fn url_safe(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The partner's Account page of a customer.
pub fn account_page(customer_org_id: &str) -> String {
    format!("{CUSTOMERS}/{customer_org_id}")
}

/// The page of one webhook endpoint: its events, signing secret and delivery log.
pub fn webhook_page(id: &str) -> String {
    format!("{WEBHOOKS}/{}", url_safe(id))
}

/// The customer's Partner relationships page in its cloud's portal.
pub fn partners_page(cloud: Cloud) -> String {
    format!("{}/partners", cloud.customer_prefix())
}

/// The customer's home page in its cloud's portal.
pub fn customer_home(cloud: Cloud) -> String {
    format!("{}/home", cloud.customer_prefix())
}

/// The Users page of the viewer's organization.
pub fn users_page(viewer: &Viewer) -> String {
    match viewer.membership {
        Membership::Partner { .. } => PARTNER_USERS.to_string(),
        Membership::Customer { .. } => format!("{}/users", viewer.cloud.customer_prefix()),
    }
}

/// The page of one user of the viewer's organization.
pub fn user_page(viewer: &Viewer, user_id: &str) -> String {
    format!("{}/{}", users_page(viewer), url_safe(user_id))
}

/// Query parameters Leptos adds when a plain form post failed (which server function, and
/// its encoded error), and the mark of a session that ended under a form (`session=ended`):
/// they say what just happened, so a page's own address leaves them out.
pub const ERROR_PARAMS: [&str; 3] = ["__path", "__err", SESSION_PARAM];

/// `?session=ended`: the person's session ended while they were on a form.
pub const SESSION_PARAM: &str = "session";

/// A raw query string without [`ERROR_PARAMS`], and whether what was left out says the
/// session ended under a form (a failed form post's `__err`, or `session=ended`).
pub fn without_error_params(query: &str) -> (String, bool) {
    let mut ended = false;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default();
            let dropped = ERROR_PARAMS.contains(&key);
            ended |= dropped && (key == "__err" || *p == format!("{SESSION_PARAM}=ended"));
            !p.is_empty() && !dropped
        })
        .collect();
    (kept.join("&"), ended)
}

/// The value of the cookie `name` in a `Cookie` header's value (`a=1; b=2`).
pub fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each fixed path is one the router serves.
    #[test]
    fn every_path_is_routed() {
        let router = include_str!("app.rs");
        for path in [
            HOME,
            SIGN_IN,
            SIGN_UP,
            CUSTOMERS,
            REQUEST,
            REQUEST_EMAIL,
            PARTNER_ACTIVITY,
            PARTNER_USERS,
            API_KEYS,
            WEBHOOKS,
            INDIRECT_PROVIDERS,
            INDIRECT_RESELLERS,
            SET_PASSWORD,
            FORGOT_PASSWORD,
            API_DOCS,
        ] {
            assert!(
                router.contains(&format!("path!(\"{path}\")")),
                "{path} is not routed in app.rs"
            );
        }
        assert!(router.contains("path!(\"/partner/customers/:customer\")"));
        assert!(router.contains("path!(\"/partner/webhooks/:webhook\")"));
        assert!(router.contains("path!(\"/:portal/partners\")"));
        assert!(router.contains("path!(\"/:portal/home\")"));
    }

    #[test]
    fn pages_are_paths_of_this_site() {
        for cloud in Cloud::ALL {
            let page = partners_page(*cloud);
            assert!(page.starts_with('/') && !page.starts_with("//"), "{page}");
            assert!(page.ends_with("/partners"), "{page}");
        }
        assert_eq!(partners_page(Cloud::Public), "/m365/partners");
        assert_eq!(account_page("abc"), "/partner/customers/abc");
        assert_eq!(webhook_page("ab-1<script>"), "/partner/webhooks/ab-1script");
    }
}
