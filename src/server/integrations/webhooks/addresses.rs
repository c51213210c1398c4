//! The address guard: endpoints may not be private, loopback or link-local addresses. Checked
//! when one is registered, and again at each delivery on the addresses its name resolves to
//! (the connection uses only addresses that passed), so a webhook cannot reach the server's
//! own network. `ACCORD_WEBHOOKS_ALLOW_PRIVATE=1` lifts this and the HTTPS rule, for testing.

use std::net::{IpAddr, SocketAddr};

use crate::domain::Problem;

/// Longest endpoint URL accepted.
const LONGEST_URL: usize = 2000;

/// Address blocks no webhook may reach: private, loopback, link-local, shared, reserved,
/// documentation, multicast, and the IPv6 forms that carry an IPv4 address inside.
const BLOCKED: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    // IPv4-compatible (`::127.0.0.1`, `::7f00:1`, also `::` and `::1`) and IPv4-translated
    // (`::ffff:0:127.0.0.1`) addresses: the IPv4 address inside is what gets reached.
    "::/96",
    "::ffff:0:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/32",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
];

/// Whether `ip` is a public internet address a webhook may be sent to.
pub fn is_public(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    !BLOCKED.iter().any(|block| {
        block
            .parse::<ipnet::IpNet>()
            .is_ok_and(|net| net.contains(&ip))
    })
}

/// Reads an endpoint URL as the Webhooks page takes it: https (http too when private
/// addresses are allowed), no user name or password, no fragment, and not a private
/// address or a name that can only be local.
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, Problem> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > LONGEST_URL {
        return Err(Problem::WebhookUrl);
    }
    let url = url::Url::parse(raw).map_err(|_| Problem::WebhookUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(Problem::WebhookHttps),
        _ => return Err(Problem::WebhookUrl),
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(Problem::WebhookUrl);
    }
    if allow_private {
        return url.host().map(|_| url.clone()).ok_or(Problem::WebhookUrl);
    }
    let local = match url.host() {
        None => return Err(Problem::WebhookUrl),
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            !name.contains('.')
                || [".localhost", ".local", ".internal", ".home.arpa", ".lan"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        }
    };
    if local {
        return Err(Problem::WebhookPrivate);
    }
    Ok(url)
}

/// The resolver of the delivery client: it hands the connection only addresses that may
/// be reached, whatever the name resolves to at that moment.
pub(super) struct PublicOnly {
    pub(super) allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::7f00:1",
            "::ffff:0:7f00:1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "224.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://hooks.example.com/accord?x=1", false).is_ok());
        assert_eq!(
            check_url("http://hooks.example.com/", false),
            Err(Problem::WebhookHttps)
        );
        for private in [
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/",
            "https://api.localhost/",
            "https://intranet/",
            "https://printer.local/",
            "https://10.0.0.8:8443/",
            "https://[::127.0.0.1]/",
            "https://[::7f00:1]/",
            "https://[::ffff:0:7f00:1]/",
        ] {
            assert_eq!(
                check_url(private, false),
                Err(Problem::WebhookPrivate),
                "{private}"
            );
        }
        for bad in [
            "",
            "hooks.example.com",
            "ftp://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#x",
            "javascript:alert(1)",
        ] {
            assert_eq!(check_url(bad, false), Err(Problem::WebhookUrl), "{bad}");
        }
        assert_eq!(
            check_url(&format!("https://example.com/{}", "a".repeat(2000)), false),
            Err(Problem::WebhookUrl)
        );
        // Allowed for testing by the operator.
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok());
    }
}
