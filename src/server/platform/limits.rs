//! Rate limits on sign-in and sign-up, built so that they cannot be turned against users:
//!
//! - every attempt counts against the client's address (slows guessing across many emails
//!   and sign-up spam; IPv6 clients are counted per /64, the block one subscriber holds);
//! - only *failed* sign-ins count against an account, and first against the pair
//!   (account, address): the client that guesses is slowed down, not the account's owner;
//! - failures from everywhere also count against the account, in the database so every
//!   instance shares the count (`identity::guesses`, with the allowance `per_account`
//!   given here); clients the account knows are not held back by it.
//!
//! Behind a reverse proxy the client's address is taken from `Forwarded` /
//! `X-Forwarded-For` only when the connection comes from a trusted proxy
//! (`ACCORD_TRUSTED_PROXIES`).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

/// A refused attempt and how long the client should wait before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// Whole seconds for the `Retry-After` header (at least one).
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)
    }
}

/// How many attempts a key may make at once (`burst`), and how often one more is allowed.
#[derive(Debug, Clone, Copy)]
pub struct Allowance {
    pub burst: u32,
    pub every: Duration,
}

#[derive(Clone)]
pub struct Limits {
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Failed sign-ins per (account, client address).
    failures_per_client: Arc<Failures<(String, IpAddr)>>,
    /// Failed sign-ins per account, from anywhere (counted in the database).
    per_account: Allowance,
    /// A customer's answers to invitations (accept, decline), per user.
    answers_per_user: Arc<DefaultKeyedRateLimiter<String>>,
    /// REST API requests, per API key.
    calls_per_key: Arc<DefaultKeyedRateLimiter<String>>,
    /// Users added, per organization: adding tells whether an address has an account, so
    /// it must not serve as a fast way to ask.
    user_adds_per_org: Arc<DefaultKeyedRateLimiter<String>>,
    /// REST API requests refused for want of a valid key, per client address.
    bad_keys_per_address: Arc<Failures<IpAddr>>,
    /// Password-reset mails asked for, per email address (whether or not it has an
    /// account) and per client address.
    resets_per_email: Arc<DefaultKeyedRateLimiter<String>>,
    resets_per_client: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

fn quota(a: Allowance) -> Quota {
    Quota::with_period(a.every)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(a.burst.max(1)).expect("at least 1"))
}

fn limited(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> Limited {
    use governor::clock::Clock;
    Limited {
        retry_after: not_until.wait_time_from(governor::clock::DefaultClock::default().now()),
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(
            Allowance {
                burst: 30,
                every: Duration::from_secs(1),
            },
            Allowance {
                burst: 5,
                every: Duration::from_secs(12),
            },
            Allowance {
                burst: 20,
                every: Duration::from_secs(60),
            },
        )
    }
}

impl Limits {
    pub fn new(per_address: Allowance, per_client: Allowance, per_account: Allowance) -> Self {
        Limits {
            per_address: Arc::new(RateLimiter::keyed(quota(per_address))),
            failures_per_client: Arc::new(Failures::new(per_client)),
            per_account,
            answers_per_user: Arc::new(RateLimiter::keyed(quota(Allowance {
                burst: 20,
                every: Duration::from_secs(3),
            }))),
            calls_per_key: Arc::new(RateLimiter::keyed(quota(Allowance {
                burst: 120,
                every: Duration::from_millis(100),
            }))),
            user_adds_per_org: Arc::new(RateLimiter::keyed(quota(Allowance {
                burst: 20,
                every: Duration::from_secs(30),
            }))),
            bad_keys_per_address: Arc::new(Failures::new(Allowance {
                burst: 10,
                every: Duration::from_secs(6),
            })),
            resets_per_email: Arc::new(RateLimiter::keyed(quota(Allowance {
                burst: 3,
                every: Duration::from_secs(600),
            }))),
            resets_per_client: Arc::new(RateLimiter::keyed(quota(Allowance {
                burst: 10,
                every: Duration::from_secs(60),
            }))),
        }
    }

    /// Counts one password-reset mail asked for `email` from `address`: a few per address
    /// in ten minutes, ten a minute per client.
    pub fn reset_request(&self, email: &str, address: Option<IpAddr>) -> Result<(), Limited> {
        if let Some(ip) = address {
            self.resets_per_client
                .check_key(&bucket(ip))
                .map_err(limited)?;
        }
        self.resets_per_email
            .check_key(&account_key(email))
            .map_err(limited)
    }

    /// Counts one user added (or tried) by the organization `org_id`.
    pub fn user_add(&self, org_id: &str) -> Result<(), Limited> {
        self.user_adds_per_org
            .check_key(&org_id.to_string())
            .map_err(limited)
    }

    /// The same limits with another allowance for a user's answers to invitations.
    pub fn with_answers(mut self, per_user: Allowance) -> Self {
        self.answers_per_user = Arc::new(RateLimiter::keyed(quota(per_user)));
        self
    }

    /// Counts one attempt (sign-in or sign-up) from `address`.
    pub fn attempt(&self, address: Option<IpAddr>) -> Result<(), Limited> {
        let Some(ip) = address else { return Ok(()) };
        self.per_address.check_key(&bucket(ip)).map_err(limited)
    }

    /// The same limits with another allowance for API calls per key.
    pub fn with_api_calls(mut self, per_key: Allowance) -> Self {
        self.calls_per_key = Arc::new(RateLimiter::keyed(quota(per_key)));
        self
    }

    /// Counts one REST API request made with the key `key_id`.
    pub fn api_call(&self, key_id: &str) -> Result<(), Limited> {
        self.calls_per_key
            .check_key(&key_id.to_string())
            .map_err(limited)
    }

    /// Whether a REST API request from `address` may be looked at: a client that sent too
    /// many keys that are not valid waits (whatever key it sends now).
    pub fn api_client(&self, address: Option<IpAddr>) -> Result<(), Limited> {
        match address {
            Some(ip) => self.bad_keys_per_address.check(&bucket(ip)),
            None => Ok(()),
        }
    }

    /// Counts a REST API request from `address` refused for want of a valid key.
    pub fn bad_key(&self, address: Option<IpAddr>) {
        if let Some(ip) = address {
            self.bad_keys_per_address.add(bucket(ip));
        }
    }

    /// Counts one answer (accept or decline) to an invitation by `user_id`.
    pub fn answer(&self, user_id: &str) -> Result<(), Limited> {
        self.answers_per_user
            .check_key(&user_id.to_string())
            .map_err(limited)
    }

    /// Whether a sign-in to `email` from `address` may be tried now, as far as the client's
    /// own allowance goes; if so, it is counted as a failure at once (so parallel guesses
    /// cannot all pass the check) and forgiven by `signed_in` when the password was right.
    pub fn begin_sign_in(&self, email: &str, address: Option<IpAddr>) -> Result<(), Limited> {
        let client = (account_key(email), address.map(bucket).unwrap_or(UNKNOWN));
        self.failures_per_client.check(&client)?;
        self.failures_per_client.add(client);
        Ok(())
    }

    /// Records a successful sign-in: the client's failures are forgiven.
    pub fn signed_in(&self, email: &str, address: Option<IpAddr>) {
        let client = (account_key(email), address.map(bucket).unwrap_or(UNKNOWN));
        self.failures_per_client.forget(&client);
    }

    /// The allowance of failed sign-ins per account, from anywhere.
    pub fn per_account(&self) -> Allowance {
        self.per_account
    }

    /// Drops the state of keys that are back to a full allowance.
    pub fn shrink(&self) {
        self.per_address.retain_recent();
        self.answers_per_user.retain_recent();
        self.calls_per_key.retain_recent();
        self.resets_per_email.retain_recent();
        self.resets_per_client.retain_recent();
        self.user_adds_per_org.retain_recent();
        self.failures_per_client.shrink();
        self.bad_keys_per_address.shrink();
    }
}

/// Clients whose address is not known (tests without a socket) share one bucket.
const UNKNOWN: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);

/// The account an attempt is counted against: the email as sign-in reads it, cut to the
/// longest an email can be, so keys cannot be made large.
pub fn account_key(email: &str) -> String {
    email
        .trim()
        .chars()
        .take(254)
        .collect::<String>()
        .to_lowercase()
}

/// The address a client is counted under: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 by
/// its /64 network, since one subscriber usually holds a whole /64.
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Which header the trusted proxies write the client's address into
/// (`ACCORD_FORWARDED_HEADER`). Only that one is read: a proxy passes the other one on as
/// the client wrote it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

impl std::str::FromStr for ForwardedHeader {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "x-forwarded-for" => Ok(ForwardedHeader::XForwardedFor),
            "forwarded" => Ok(ForwardedHeader::Forwarded),
            other => Err(format!(
                "ACCORD_FORWARDED_HEADER must be x-forwarded-for or forwarded, not \"{other}\"."
            )),
        }
    }
}

/// The client's address: the connection's peer, unless the peer is a trusted proxy; then,
/// walking the proxies' header from the nearest hop outwards, the first address that is not
/// itself a trusted proxy. A hop that cannot be read stops the walk at the last address a
/// trusted proxy vouched for, so nothing a client wrote before the first trusted proxy is
/// ever believed.
pub fn client_address(
    peer: IpAddr,
    headers: &http::HeaderMap,
    trusted: &[IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&unmap(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = match header {
        ForwardedHeader::Forwarded => headers
            .get_all(http::header::FORWARDED)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .map(str::trim)
                    .find_map(|pair| {
                        let (name, value) = pair.split_once('=')?;
                        name.trim().eq_ignore_ascii_case("for").then_some(value)
                    })
                    .unwrap_or("")
            })
            .collect(),
        ForwardedHeader::XForwardedFor => headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect(),
    };
    let mut client = unmap(peer);
    for hop in hops.iter().rev() {
        let Some(ip) = parse_node(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// An IPv4 address as itself, also when it arrives IPv4-mapped on an IPv6 socket.
pub fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// One node of `Forwarded: for=…` or `X-Forwarded-For`: `192.0.2.1`, `192.0.2.1:4711`,
/// `"[2001:db8::1]:4711"`, `2001:db8::1`. Obfuscated names (`unknown`, `_hidden`) and
/// garbage give `None`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(unmap(ip));
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(unmap);
    }
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok().map(unmap)
}

/// Parses `ACCORD_TRUSTED_PROXIES`: CIDR blocks or single addresses, separated by commas
/// or spaces.
pub fn parse_trusted_proxies(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("ACCORD_TRUSTED_PROXIES: \"{s}\" is not an address or CIDR block.")
                })
        })
        .collect()
}

/// Failures counted per key, as a generic cell rate: each failure moves the key's
/// "theoretical arrival time" one period on; a key is held back while that time is more
/// than `burst - 1` periods ahead. Unlike a general rate limiter, it can be asked without
/// counting (`check`), so only failures are ever counted.
struct Failures<K> {
    allowance: Allowance,
    /// Per key: the theoretical arrival time, and when it last failed.
    state: Mutex<HashMap<K, (Instant, Instant)>>,
}

impl<K: Hash + Eq> Failures<K> {
    fn new(allowance: Allowance) -> Self {
        Failures {
            allowance,
            state: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, Instant)>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slack(&self) -> Duration {
        self.allowance.every * self.allowance.burst.saturating_sub(1)
    }

    fn check(&self, key: &K) -> Result<(), Limited> {
        let now = Instant::now();
        match self.lock().get(key) {
            Some((tat, _)) if tat.saturating_duration_since(now) > self.slack() => Err(Limited {
                retry_after: tat.saturating_duration_since(now) - self.slack(),
            }),
            _ => Ok(()),
        }
    }

    /// Counts one failure. The time never runs further ahead than one period past the
    /// burst, so however long an attack went on, a held-back key waits one period at most.
    fn add(&self, key: K) {
        let now = Instant::now();
        let mut state = self.lock();
        let (tat, last) = state.entry(key).or_insert((now, now));
        *tat =
            ((*tat).max(now) + self.allowance.every).min(now + self.slack() + self.allowance.every);
        *last = now;
    }

    fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Drops keys that are back to a full allowance and have not failed for an hour (long
    /// enough for any account window).
    fn shrink(&self) {
        let now = Instant::now();
        self.lock()
            .retain(|_, (tat, last)| *tat > now || last.elapsed() < Duration::from_secs(3600));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::new(
            Allowance {
                burst: 3,
                every: Duration::from_secs(60),
            },
            Allowance {
                burst: 2,
                every: Duration::from_secs(60),
            },
            Allowance {
                burst: 4,
                every: Duration::from_secs(600),
            },
        )
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn every_attempt_counts_against_the_address() {
        let limits = limits();
        for _ in 0..3 {
            assert!(limits.attempt(ip("192.0.2.1")).is_ok());
        }
        let limited = limits.attempt(ip("192.0.2.1")).unwrap_err();
        assert!(limited.retry_after_secs() >= 1 && limited.retry_after_secs() <= 60);
        assert!(limits.attempt(ip("192.0.2.2")).is_ok());
    }

    /// A failed attempt: begun, and not followed by `signed_in`.
    fn fail(limits: &Limits, email: &str, address: Option<IpAddr>) -> Result<(), Limited> {
        limits.begin_sign_in(email, address)
    }

    /// A successful attempt.
    fn succeed(limits: &Limits, email: &str, address: Option<IpAddr>) -> Result<(), Limited> {
        limits.begin_sign_in(email, address)?;
        limits.signed_in(email, address);
        Ok(())
    }

    #[test]
    fn only_failures_count_against_an_account() {
        let limits = limits();
        let (mallory, owner) = (ip("198.51.100.66"), ip("192.0.2.10"));
        // Correct sign-ins never use up anything.
        for _ in 0..10 {
            assert!(succeed(&limits, "ada@contoso.example", owner).is_ok());
        }
        // The guesser is slowed down after its own burst...
        for _ in 0..2 {
            assert!(fail(&limits, "ada@contoso.example", mallory).is_ok());
        }
        let limited = fail(&limits, " ADA@contoso.example", mallory).unwrap_err();
        assert!(limited.retry_after_secs() > 50, "{limited:?}");
        // ...even with the right password, while the owner, who has not failed, is not.
        assert!(succeed(&limits, "ada@contoso.example", mallory).is_err());
        assert!(succeed(&limits, "ada@contoso.example", owner).is_ok());
        assert!(fail(&limits, "grace@contoso.example", mallory).is_ok());
    }

    #[test]
    fn account_keys_stay_small() {
        assert_eq!(account_key(&"A".repeat(70_000)).len(), 254);
    }

    #[test]
    fn users_are_added_at_a_human_pace() {
        let limits = limits();
        for _ in 0..20 {
            assert!(limits.user_add("contoso").is_ok());
        }
        let held = limits.user_add("contoso").unwrap_err();
        assert!(held.retry_after_secs() >= 1, "{held:?}");
        assert!(limits.user_add("fabrikam").is_ok(), "per organization");
    }

    #[test]
    fn answers_are_limited_per_user() {
        let limits = limits().with_answers(Allowance {
            burst: 2,
            every: Duration::from_secs(60),
        });
        assert!(limits.answer("u1").is_ok());
        assert!(limits.answer("u1").is_ok());
        assert!(limits.answer("u1").is_err());
        assert!(limits.answer("u2").is_ok());
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let limits = limits();
        for i in 1..=3 {
            assert!(limits.attempt(ip(&format!("2001:db8:1:2::{i}"))).is_ok());
        }
        assert!(limits.attempt(ip("2001:db8:1:2:ffff::9")).is_err());
        assert!(limits.attempt(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(
            bucket("::ffff:192.0.2.7".parse().unwrap()),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }

    fn headers(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().unwrap());
        }
        h
    }

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted = parse_trusted_proxies("10.0.0.0/8, 2001:db8:ffff::1").unwrap();
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        let xff = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(
            client_address(proxy, &xff, &trusted, XFF),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_address(stranger, &xff, &trusted, XFF), stranger);
        assert_eq!(client_address(proxy, &xff, &[], XFF), proxy);
        // A client cannot pick its address by writing it in front of what the proxy saw.
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.9.9.9")]);
        assert_eq!(
            client_address(proxy, &spoofed, &trusted, XFF),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.8"),
        ]);
        assert_eq!(
            client_address(proxy, &split, &trusted, XFF),
            "203.0.113.8".parse::<IpAddr>().unwrap()
        );
        let forwarded = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1",
        )]);
        assert_eq!(
            client_address(proxy, &forwarded, &trusted, ForwardedHeader::Forwarded),
            "2001:db8:cafe::17".parse::<IpAddr>().unwrap()
        );
        // A proxy that writes X-Forwarded-For passes a client's own Forwarded header on:
        // it is not read unless the operator says the proxies write it.
        let both = headers(&[
            ("forwarded", "for=192.0.2.99"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(
            client_address(proxy, &both, &trusted, XFF),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        // Garbage a client wrote in front of what the proxy saw does not hide the client.
        let prefixed = headers(&[("x-forwarded-for", "unknown, 203.0.113.7")]);
        assert_eq!(
            client_address(proxy, &prefixed, &trusted, XFF),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        // Garbage in the header: the proxy's own address is used, never a guess.
        let garbage = headers(&[("x-forwarded-for", "unknown, <script>")]);
        assert_eq!(client_address(proxy, &garbage, &trusted, XFF), proxy);
        let v6_proxy: IpAddr = "2001:db8:ffff::1".parse().unwrap();
        assert_eq!(
            client_address(v6_proxy, &xff, &trusted, XFF),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn trusted_proxies_setting_is_checked() {
        assert_eq!(parse_trusted_proxies("").unwrap(), vec![]);
        assert_eq!(parse_trusted_proxies("127.0.0.1 ::1").unwrap().len(), 2);
        let err = parse_trusted_proxies("10.0.0.0/8,localhost").unwrap_err();
        assert!(err.contains("\"localhost\""), "{err}");
    }
}
