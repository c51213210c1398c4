//! Translations (English, Simplified and Traditional Chinese), rendered on the server only.
//!
//! The words live in `locales/*.json` and are compiled in by `leptos_i18n` (see
//! `build.rs`), so every key used here is checked at compile time. Pages are server components that render in the
//! viewer's locale; islands get their few strings already translated, so no i18n runtime
//! reaches the browser.
//!
//! The locale is, in this order: the viewer's explicit choice (the switcher in the header,
//! kept in a cookie), the browser's `Accept-Language`, then the default of the cloud whose
//! portal is shown (21Vianet: zh-CN).

// The generated code is a module named `i18n`, inside this one.
#![allow(clippy::module_inception)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use i18n::Locale;
pub use leptos_i18n::td_string as t;

use crate::domain::{
    Cloud, CustomerRole, Facts, Field, PartnerRole, Problem, ProgramType, Refusal,
    RelationshipKind, Service,
};
use crate::error::AppError;

/// Cookie holding the viewer's explicit choice of language.
pub const LOCALE_COOKIE: &str = "accord_locale";

pub const ALL: [Locale; 3] = [Locale::en, Locale::zh_CN, Locale::zh_TW];

/// The BCP 47 tag of a locale, for `lang` attributes, the cookie and URLs.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en",
        Locale::zh_CN => "zh-CN",
        Locale::zh_TW => "zh-TW",
    }
}

/// The name of a locale in its own language, for the switcher.
pub fn endonym(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::zh_CN => "简体中文",
        Locale::zh_TW => "繁體中文",
    }
}

/// Maps a language tag to one of our locales: Chinese in Traditional script (zh-TW, zh-HK,
/// zh-MO, zh-Hant) to zh-TW, other Chinese to zh-CN, English to en.
pub fn from_tag(tag: &str) -> Option<Locale> {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    let mut parts = tag.split('-');
    match parts.next()? {
        "en" => Some(Locale::en),
        "zh" => {
            let rest: Vec<&str> = parts.collect();
            let traditional = rest
                .iter()
                .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"))
                && !rest.contains(&"hans");
            Some(if traditional {
                Locale::zh_TW
            } else {
                Locale::zh_CN
            })
        }
        _ => None,
    }
}

/// The best of our locales for an `Accept-Language` header, by its quality values.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut choices: Vec<(f32, usize, Locale)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut fields = item.split(';');
            let tag = fields.next()?.trim();
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some(())?;
            from_tag(tag).map(|l| (q, i, l))
        })
        .collect();
    choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    choices.first().map(|c| c.2)
}

/// The locale of a request: cookie, then `Accept-Language`, then `fallback`.
pub fn resolve(
    cookie_header: Option<&str>,
    accept_language: Option<&str>,
    fallback: Locale,
) -> Locale {
    let chosen = cookie_header
        .and_then(|cookies| crate::routes::cookie_value(cookies, LOCALE_COOKIE))
        .and_then(from_tag);
    chosen
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(fallback)
}

/// The default locale of the page at `path`: a cloud's customer portal starts in that
/// cloud's language.
pub fn path_default(path: &str) -> Locale {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    Cloud::from_customer_prefix(first)
        .and_then(|c| from_tag(c.default_locale()))
        .unwrap_or(Locale::en)
}

/// The locale of the request being handled (pages and server functions), from the Leptos
/// context. Server functions take the cloud default from the page they were posted from.
pub fn current() -> Locale {
    use leptos::prelude::use_context;
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::en;
    };
    of_request(&parts.headers, parts.uri.path())
}

/// The locale for a request with these headers to `path`.
pub fn of_request(headers: &http::HeaderMap, path: &str) -> Locale {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &http::HeaderValue| v.to_str().ok())
    };
    let page_path = if path.starts_with("/api/") {
        header(http::header::REFERER)
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.path().to_string())
            .unwrap_or_default()
    } else {
        path.to_string()
    };
    resolve(
        header(http::header::COOKIE),
        header(http::header::ACCEPT_LANGUAGE),
        path_default(&page_path),
    )
}

/// A calendar date (UTC) of a Unix timestamp, written the way the locale writes dates.
pub fn date(locale: Locale, ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    match locale {
        Locale::en => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            format!("{} {d}, {y}", MONTHS[usize::from(m) - 1])
        }
        Locale::zh_CN | Locale::zh_TW => format!("{y}年{m}月{d}日"),
    }
}

/// A date and time (UTC) of a Unix timestamp, written the way the locale writes them.
pub fn datetime(locale: Locale, ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let (h, min) = (t.hour(), t.minute());
    match locale {
        Locale::en => format!("{}, {h:02}:{min:02} UTC", date(locale, ts)),
        Locale::zh_CN | Locale::zh_TW => format!("{} {h:02}:{min:02} (UTC)", date(locale, ts)),
    }
}

/// A market region (a code of the `regions` table) in words.
pub fn region(locale: Locale, code: &str) -> String {
    match code {
        "north_america" => t!(locale, region_north_america),
        "latin_america" => t!(locale, region_latin_america),
        "eu_efta" => t!(locale, region_eu_efta),
        "europe_other" => t!(locale, region_europe_other),
        "middle_east_africa" => t!(locale, region_middle_east_africa),
        "asia_pacific" => t!(locale, region_asia_pacific),
        "china" => t!(locale, region_china),
        // A country without a market region is a region of its own.
        other => return country(locale, other),
    }
    .to_string()
}

/// The script a locale writes country names in.
pub fn name_script(locale: Locale) -> crate::domain::NameScript {
    match locale {
        Locale::en => crate::domain::NameScript::English,
        Locale::zh_CN => crate::domain::NameScript::SimplifiedChinese,
        Locale::zh_TW => crate::domain::NameScript::TraditionalChinese,
    }
}

/// A country's name in the locale's language (CLDR's names).
pub fn country(locale: Locale, code: &str) -> String {
    crate::domain::country_name_in(name_script(locale), code).to_string()
}

/// "Too many attempts" with the real wait: seconds under a minute, else whole minutes
/// (rounded up).
pub fn too_many_attempts(locale: Locale, seconds: u64) -> String {
    let wait = match seconds {
        0..=1 => t!(locale, wait_one_second).to_string(),
        2..=59 => t!(locale, wait_seconds, n = seconds.to_string()).to_string(),
        60 => t!(locale, wait_one_minute).to_string(),
        _ => t!(locale, wait_minutes, n = seconds.div_ceil(60).to_string()).to_string(),
    };
    t!(locale, err_too_many_wait, wait = wait).to_string()
}

/// An activity log action (`relationship.removed`, …) in words.
pub fn action(locale: Locale, code: &str) -> String {
    match code {
        "relationship.established" => t!(locale, act_relationship_established),
        "relationship.removed" => t!(locale, act_relationship_removed),
        "dap.granted" => t!(locale, act_dap_granted),
        "dap.removed" => t!(locale, act_dap_removed),
        "agreement.accepted" => t!(locale, act_agreement_accepted),
        "invitation.declined" => t!(locale, act_invitation_declined),
        "link.rotated" => t!(locale, act_link_rotated),
        "user.added" => t!(locale, act_user_added),
        "user.role_changed" => t!(locale, act_user_role_changed),
        "user.removed" => t!(locale, act_user_removed),
        "user.password_link" => t!(locale, act_user_password_link),
        "user.password_set" => t!(locale, act_user_password_set),
        "indirect.requested" => t!(locale, act_indirect_requested),
        "indirect.connected" => t!(locale, act_indirect_connected),
        "indirect.declined" => t!(locale, act_indirect_declined),
        "indirect.ended" => t!(locale, act_indirect_ended),
        "apikey.created" => t!(locale, act_apikey_created),
        "apikey.revoked" => t!(locale, act_apikey_revoked),
        "webhook.created" => t!(locale, act_webhook_created),
        "webhook.removed" => t!(locale, act_webhook_removed),
        other => return other.to_string(),
    }
    .to_string()
}

/// An activity entry's detail in words of the reader's language. Entries store facts
/// ([`Facts`]); an entry stored as a sentence by an older version is shown as written.
pub fn detail(locale: Locale, action: &str, stored: &str) -> String {
    let Some(f) = Facts::from_stored(stored) else {
        return stored.to_string();
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (by, org, user, email) = (text(&f.by), text(&f.org), text(&f.user), text(&f.email));
    let services = |list: &[Service]| {
        let names: Vec<String> = list.iter().map(|s| service(locale, *s)).collect();
        names.join(t!(locale, and_list).to_string().as_str())
    };
    let role = |code: &Option<String>| match code.as_deref() {
        Some(c) => match (c.parse::<PartnerRole>(), c.parse::<CustomerRole>()) {
            (Ok(r), _) => partner_role(locale, r),
            (_, Ok(r)) => customer_role(locale, r),
            _ => c.to_string(),
        },
        None => String::new(),
    };
    let (key, prefix, url) = (text(&f.key), text(&f.prefix), text(&f.url));
    match action {
        "user.added" => t!(
            locale,
            log_user_added,
            by = by,
            user = user,
            email = email,
            role = role(&f.role)
        ),
        "user.role_changed" => t!(
            locale,
            log_user_role_changed,
            by = by,
            user = user,
            email = email,
            from = role(&f.from_role),
            role = role(&f.role)
        ),
        "user.removed" => t!(
            locale,
            log_user_removed,
            by = by,
            user = user,
            email = email
        ),
        "user.password_link" => t!(
            locale,
            log_user_password_link,
            by = by,
            user = user,
            email = email
        ),
        "user.password_set" => t!(locale, log_user_password_set, by = by),
        "indirect.requested" => t!(locale, log_indirect_requested, by = by, org = org),
        "indirect.connected" => t!(locale, log_indirect_connected, by = by, org = org),
        "indirect.declined" => t!(locale, log_indirect_declined, by = by, org = org),
        "indirect.ended" => t!(locale, log_indirect_ended, by = by, org = org),
        "dap.removed" => t!(
            locale,
            log_dap_removed,
            by = by,
            org = org,
            services = services(&f.services)
        ),
        "relationship.removed" if f.kept.is_empty() => {
            t!(locale, log_relationship_removed, by = by, org = org)
        }
        "relationship.removed" => t!(
            locale,
            log_relationship_removed_kept,
            by = by,
            org = org,
            services = services(&f.kept)
        ),
        "webhook.created" => t!(
            locale,
            log_webhook_created,
            by = by,
            url = url,
            events = f.events.join(", ")
        ),
        "webhook.removed" => t!(locale, log_webhook_removed, by = by, url = url),
        "apikey.created" => t!(
            locale,
            log_apikey_created,
            by = by,
            key = key,
            prefix = prefix
        ),
        "apikey.revoked" if f.user.is_some() => t!(
            locale,
            log_apikey_revoked_with_maker,
            by = by,
            user = user,
            key = key,
            prefix = prefix
        ),
        "apikey.revoked" => t!(
            locale,
            log_apikey_revoked,
            by = by,
            key = key,
            prefix = prefix
        ),
        "agreement.accepted" => t!(
            locale,
            log_agreement_accepted,
            by = by,
            email = email,
            agreement = agreement_name(locale, &text(&f.agreement)),
            version = text(&f.version)
        ),
        "relationship.established" => {
            let kind = f
                .kind
                .map(|k| relationship_kind(locale, k))
                .unwrap_or_default();
            // English names the kind in running text in lower case ("as reseller").
            let kind = if locale == Locale::en {
                kind.to_lowercase()
            } else {
                kind
            };
            t!(
                locale,
                log_relationship_established,
                by = by,
                org = org,
                kind = kind
            )
        }
        "dap.granted" => t!(
            locale,
            log_dap_granted,
            by = by,
            org = org,
            services = services(&f.services)
        ),
        "invitation.declined" => t!(locale, log_invitation_declined, by = by, org = org),
        "link.rotated" => t!(locale, log_link_rotated, by = by),
        _ => return stored.to_string(),
    }
    .to_string()
}

/// An agreement's name in the reader's language (the names Accord ships are translated;
/// an operator's own agreement keeps its name).
pub fn agreement_name(locale: Locale, name: &str) -> String {
    match name {
        "Microsoft Customer Agreement" => t!(locale, agreement_heading).to_string(),
        other => other.to_string(),
    }
}

pub fn cloud(locale: Locale, cloud: Cloud) -> String {
    match cloud {
        Cloud::Public => t!(locale, cloud_public),
        Cloud::UsGov => t!(locale, cloud_us_gov),
        Cloud::Germany => t!(locale, cloud_germany),
        Cloud::China => t!(locale, cloud_china),
    }
    .to_string()
}

pub fn partner_portal(locale: Locale, cloud: Cloud) -> String {
    match cloud {
        Cloud::Public => t!(locale, partner_portal_public),
        Cloud::UsGov => t!(locale, partner_portal_us_gov),
        Cloud::Germany => t!(locale, partner_portal_germany),
        Cloud::China => t!(locale, partner_portal_china),
    }
    .to_string()
}

/// Name of the admin portal where this cloud's customers accept invitations.
pub fn customer_portal(locale: Locale, cloud: Cloud) -> String {
    match cloud {
        Cloud::Public => t!(locale, portal_m365),
        Cloud::UsGov | Cloud::Germany => t!(locale, portal_office),
        Cloud::China => t!(locale, portal_21v),
    }
    .to_string()
}

pub fn program(locale: Locale, program: ProgramType) -> String {
    match program {
        ProgramType::Direct => t!(locale, program_direct),
        ProgramType::IndirectReseller => t!(locale, program_indirect_reseller),
        ProgramType::IndirectProvider => t!(locale, program_indirect_provider),
    }
    .to_string()
}

pub fn partner_role(locale: Locale, role: PartnerRole) -> String {
    match role {
        PartnerRole::GlobalAdmin => t!(locale, role_global_admin),
        PartnerRole::AdminAgent => t!(locale, role_admin_agent),
        PartnerRole::SalesAgent => t!(locale, role_sales_agent),
        PartnerRole::HelpdeskAgent => t!(locale, role_helpdesk_agent),
    }
    .to_string()
}

pub fn customer_role(locale: Locale, role: CustomerRole) -> String {
    match role {
        CustomerRole::GlobalAdmin => t!(locale, role_global_admin),
        CustomerRole::BillingAdmin => t!(locale, role_billing_admin),
        CustomerRole::User => t!(locale, role_user),
    }
    .to_string()
}

/// The role of a signed-in person, partner or customer.
pub fn viewer_role(locale: Locale, viewer: &crate::domain::Viewer) -> String {
    match (viewer.partner_role(), viewer.customer_role()) {
        (Some(role), _) => partner_role(locale, role),
        (_, Some(role)) => customer_role(locale, role),
        _ => String::new(),
    }
}

pub fn relationship_kind(locale: Locale, kind: RelationshipKind) -> String {
    match kind {
        RelationshipKind::Reseller => t!(locale, kind_reseller),
        RelationshipKind::IndirectReseller => t!(locale, kind_indirect_reseller),
        RelationshipKind::IndirectProvider => t!(locale, kind_indirect_provider),
    }
    .to_string()
}

pub fn service(locale: Locale, service: Service) -> String {
    match service {
        Service::AzureAd => t!(locale, service_azure_ad),
        Service::Office365 => t!(locale, service_office_365),
    }
    .to_string()
}

/// The services of `dap` that are held, joined in words of the locale.
pub fn held_services(locale: Locale, dap: &[(Service, Option<i64>)]) -> String {
    let names: Vec<String> = dap
        .iter()
        .filter(|(_, granted)| granted.is_some())
        .map(|(s, _)| service(locale, *s))
        .collect();
    names.join(t!(locale, and_list).to_string().as_str())
}

fn field(locale: Locale, field: Field) -> String {
    match field {
        Field::CompanyName => t!(locale, field_company_name),
        Field::OrgName => t!(locale, field_org_name),
        Field::YourName => t!(locale, field_your_name),
        Field::FirstName => t!(locale, field_first_name),
        Field::LastName => t!(locale, field_last_name),
        Field::UserName => t!(locale, field_user_name),
        Field::KeyName => t!(locale, field_key_name),
    }
    .to_string()
}

pub fn problem(locale: Locale, problem: &Problem) -> String {
    let l = locale;
    match problem {
        Problem::EmailFormat => t!(l, err_email_format).to_string(),
        Problem::PasswordTooShort => {
            t!(l, err_password_short, min = crate::domain::MIN_PASSWORD_LEN).to_string()
        }
        Problem::PasswordTooLong => t!(l, err_password_long).to_string(),
        Problem::Required(f) => t!(l, err_required, field = field(l, *f)).to_string(),
        Problem::TooLong(f, max) => {
            t!(l, err_too_long, field = field(l, *f), max = *max).to_string()
        }
        Problem::BadCharacters(f) => t!(l, err_bad_chars, field = field(l, *f)).to_string(),
        Problem::PartnerIdFormat => t!(l, err_partner_id_format).to_string(),
        Problem::DomainFormat => t!(l, err_domain_format).to_string(),
        Problem::Country => t!(l, err_country).to_string(),
        Problem::Cloud => t!(l, err_cloud).to_string(),
        Problem::Program => t!(l, err_program).to_string(),
        Problem::EmailTaken => t!(l, err_email_taken).to_string(),
        Problem::Malformed => t!(l, err_malformed).to_string(),
        Problem::PartnerIdTaken => t!(l, err_partner_id_taken).to_string(),
        Problem::DomainTaken(domain) if domain.is_empty() => {
            t!(l, err_domain_taken_unnamed).to_string()
        }
        Problem::DomainTaken(domain) => t!(l, err_domain_taken, domain = domain).to_string(),
        // Read from a URL: no names (see `Said`).
        Problem::OutsideReach { partner, .. } if partner.is_empty() => {
            t!(l, err_outside_reach_unnamed).to_string()
        }
        Problem::OutsideReach {
            partner,
            reach,
            country,
        } => t!(
            l,
            err_outside_reach,
            partner = partner,
            reach = region(l, reach),
            country = region(l, country)
        )
        .to_string(),
        Problem::RegisteredMomentAgo => t!(l, err_registered_moment_ago).to_string(),
        Problem::DapRequired(c) => t!(l, err_dap_required, cloud = cloud(l, *c)).to_string(),
        Problem::PhoneFormat => t!(l, err_phone_format).to_string(),
        Problem::Acknowledge => t!(l, err_acknowledge).to_string(),
        Problem::PartnerOnly => t!(l, err_partner_only).to_string(),
        Problem::InviteRole => t!(l, request_role_only).to_string(),
        Problem::AwaitingApproval => t!(l, err_awaiting_approval).to_string(),
        Problem::SignUpClosed => t!(l, err_sign_up_closed).to_string(),
        Problem::RotateRole => t!(l, err_rotate_role).to_string(),
        Problem::RemoveRelationshipRole => t!(l, err_remove_relationship_role).to_string(),
        Problem::Attest => t!(l, err_attest).to_string(),
        Problem::RemoveRolesRole => t!(l, err_remove_roles_role).to_string(),
        Problem::CustomerOnly => t!(l, err_customer_only).to_string(),
        Problem::NotYourCustomer => t!(l, err_not_your_customer).to_string(),
        Problem::NotYourPartner => t!(l, err_not_your_partner).to_string(),
        Problem::DateFormat => t!(l, err_date_format).to_string(),
        Problem::ReadRole => t!(l, err_read_role).to_string(),
        Problem::ConfirmRotate => t!(l, err_confirm_rotate).to_string(),
        Problem::Role => t!(l, err_role).to_string(),
        Problem::ManageUsersRole => t!(l, err_manage_users_role).to_string(),
        Problem::LastGlobalAdmin => t!(l, err_last_global_admin).to_string(),
        Problem::NotYourUser => t!(l, err_not_your_user).to_string(),
        Problem::ConfirmRemoveUser => t!(l, err_confirm_remove_user).to_string(),
        Problem::PasswordLink => t!(l, err_password_link).to_string(),
        Problem::IndirectResellerOnly => t!(l, err_indirect_reseller_only).to_string(),
        Problem::IndirectProviderOnly => t!(l, err_indirect_provider_only).to_string(),
        Problem::IndirectRole => t!(l, err_indirect_role).to_string(),
        Problem::UnknownProvider => t!(l, err_unknown_provider).to_string(),
        Problem::ProviderOutsideReach { provider, .. } if provider.is_empty() => {
            t!(l, err_provider_outside_reach_unnamed).to_string()
        }
        Problem::ProviderOutsideReach {
            provider,
            reach,
            country,
        } => t!(
            l,
            err_provider_outside_reach,
            provider = provider,
            reach = region(l, reach),
            country = region(l, country)
        )
        .to_string(),
        Problem::NotYourReseller => t!(l, err_not_your_reseller).to_string(),
        Problem::ConnectionChanged => t!(l, err_connection_changed).to_string(),
        Problem::NotConnected => t!(l, err_not_connected).to_string(),
        Problem::ApiKeysRole => t!(l, err_api_keys_role).to_string(),
        Problem::KeyExpiry => t!(l, err_key_expiry).to_string(),
        Problem::NotYourKey => t!(l, err_not_your_key).to_string(),
        Problem::WebhooksRole => t!(l, err_webhooks_role).to_string(),
        Problem::IntegrationsAwaitApproval => t!(l, err_integrations_await_approval).to_string(),
        Problem::TestEventsLimit => t!(
            l,
            err_test_events_limit,
            n = crate::domain::TEST_EVENTS_PER_10_MINUTES.to_string()
        )
        .to_string(),
        Problem::WebhookUrl => t!(l, err_webhook_url).to_string(),
        Problem::WebhookHttps => t!(l, err_webhook_https).to_string(),
        Problem::WebhookPrivate => t!(l, err_webhook_private).to_string(),
        Problem::WebhookEvents => t!(l, err_webhook_events).to_string(),
        Problem::TooManyWebhooks => t!(l, err_too_many_webhooks).to_string(),
        Problem::TooManyKeys => t!(l, err_too_many_keys).to_string(),
        Problem::TooManyUsers => t!(l, err_too_many_users).to_string(),
        Problem::NotYourWebhook => t!(l, err_not_your_webhook).to_string(),
        Problem::ConfirmRemoveWebhook => t!(l, err_confirm_remove_webhook).to_string(),
    }
}

/// Title and explanation of a refusal, as the customer reads them.
pub fn refusal(locale: Locale, refusal: &Refusal) -> (String, Vec<String>) {
    let l = locale;
    match refusal {
        Refusal::InvalidLink => (
            t!(l, refused_invalid_title).to_string(),
            vec![t!(l, refused_invalid).to_string()],
        ),
        Refusal::LinkReplaced { partner } => (
            t!(l, refused_replaced_title).to_string(),
            vec![t!(l, refused_replaced, partner = partner).to_string()],
        ),
        Refusal::UnknownPartner => (
            t!(l, refused_unknown_title).to_string(),
            vec![t!(l, refused_unknown).to_string()],
        ),
        Refusal::WrongCloud {
            partner,
            partner_cloud,
            customer_cloud,
        } => (
            t!(l, refused_cloud_title).to_string(),
            vec![t!(
                l,
                refused_cloud,
                partner = partner,
                partner_cloud = cloud(l, *partner_cloud),
                customer_cloud = cloud(l, *customer_cloud)
            )
            .to_string()],
        ),
        Refusal::RoleTooWeak { role, dap } => {
            let role = customer_role(l, *role);
            let text = if *dap {
                t!(l, refused_role_dap, role = role).to_string()
            } else {
                t!(l, refused_role_any, role = role).to_string()
            };
            (t!(l, refused_role_title).to_string(), vec![text])
        }
        Refusal::DapConflict { partner, holders } => {
            // Each holder once, with all the services it holds.
            let mut by_partner: Vec<(&str, Vec<String>)> = Vec::new();
            for h in holders {
                let name = service(l, h.service);
                match by_partner.iter_mut().find(|(p, _)| *p == h.partner) {
                    Some((_, services)) => services.push(name),
                    None => by_partner.push((&h.partner, vec![name])),
                }
            }
            let and = t!(l, and_list).to_string();
            let mut lines: Vec<String> = by_partner
                .into_iter()
                .map(|(holder, services)| {
                    t!(
                        l,
                        refused_dap_holder,
                        partner = holder,
                        service = services.join(&and)
                    )
                    .to_string()
                })
                .collect();
            lines.push(t!(l, refused_dap, partner = partner).to_string());
            (t!(l, refused_dap_title).to_string(), lines)
        }
        Refusal::NotACustomer => (
            t!(l, refused_partner_title).to_string(),
            vec![t!(l, refused_partner).to_string()],
        ),
        Refusal::NotConnected { reseller, provider } if provider.is_empty() => (
            t!(l, refused_not_connected_title).to_string(),
            vec![t!(l, refused_not_connected_unknown, reseller = reseller).to_string()],
        ),
        Refusal::NotConnected { reseller, provider } => (
            t!(l, refused_not_connected_title).to_string(),
            vec![t!(
                l,
                refused_not_connected,
                reseller = reseller,
                provider = provider
            )
            .to_string()],
        ),
        Refusal::OtherRegion {
            partner,
            partner_region,
            customer_region,
        } => (
            t!(l, refused_region_title).to_string(),
            vec![t!(
                l,
                refused_region,
                partner = partner,
                partner_region = region(l, partner_region),
                customer_region = region(l, customer_region)
            )
            .to_string()],
        ),
    }
}

/// The sentence a person reads for an error.
pub fn error(locale: Locale, error: &AppError) -> String {
    let l = locale;
    match error {
        AppError::Invalid(p) | AppError::Forbidden(p) | AppError::Conflict(p) => problem(l, p),
        AppError::BadCredentials => t!(l, err_bad_credentials).to_string(),
        AppError::TooManyAttempts => t!(l, err_too_many_attempts).to_string(),
        AppError::Unauthenticated => t!(l, err_unauthenticated).to_string(),
        AppError::Refused(r) => {
            let (title, lines) = refusal(l, r);
            format!("{title}. {}", lines.join(" "))
        }
        AppError::Internal => t!(l, err_internal).to_string(),
        AppError::Transport(_) => t!(l, err_transport).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_locale() {
        assert_eq!(
            from_accept_language("zh-TW,zh;q=0.9,en;q=0.8"),
            Some(Locale::zh_TW)
        );
        assert_eq!(from_accept_language("zh-Hant-HK"), Some(Locale::zh_TW));
        assert_eq!(from_accept_language("zh-Hans-TW"), Some(Locale::zh_CN));
        assert_eq!(
            from_accept_language("fr-FR,zh;q=0.5,en;q=0.7"),
            Some(Locale::en)
        );
        assert_eq!(from_accept_language("fr-FR, de"), None);
        assert_eq!(
            from_accept_language("en;q=0, zh-CN;q=0.1"),
            Some(Locale::zh_CN)
        );
    }

    #[test]
    fn explicit_choice_wins_then_browser_then_cloud() {
        let cookie = Some("a=b; accord_locale=zh-TW");
        assert_eq!(resolve(cookie, Some("en-US"), Locale::en), Locale::zh_TW);
        assert_eq!(
            resolve(Some("accord_locale=xx"), Some("en-US"), Locale::zh_CN),
            Locale::en
        );
        assert_eq!(
            resolve(None, Some("fr"), path_default("/21v/partner-invitation")),
            Locale::zh_CN
        );
        assert_eq!(
            resolve(None, None, path_default("/m365/partner-invitation")),
            Locale::en
        );
    }

    #[test]
    fn dates_read_as_each_locale_writes_them() {
        // 2026-11-22T10:00:00Z
        let ts = 1_795_341_600;
        assert_eq!(date(Locale::en, ts), "November 22, 2026");
        assert_eq!(date(Locale::zh_CN, ts), "2026年11月22日");
    }

    #[test]
    fn refusals_and_problems_leave_no_placeholder() {
        let cases = [
            Refusal::InvalidLink,
            Refusal::LinkReplaced {
                partner: "Contoso".into(),
            },
            Refusal::WrongCloud {
                partner: "Contoso".into(),
                partner_cloud: Cloud::Public,
                customer_cloud: Cloud::China,
            },
            Refusal::RoleTooWeak {
                role: CustomerRole::User,
                dap: false,
            },
            Refusal::DapConflict {
                partner: "Contoso".into(),
                holders: vec![crate::domain::DapHolder {
                    service: Service::Office365,
                    partner: "Fabrikam".into(),
                }],
            },
            Refusal::NotACustomer,
        ];
        for locale in ALL {
            for r in &cases {
                let (title, lines) = refusal(locale, r);
                let all = format!("{title} {}", lines.join(" "));
                assert!(!all.contains("{{") && !all.contains("}}"), "{all}");
            }
            let text = problem(locale, &Problem::TooLong(Field::CompanyName, 120));
            assert!(text.contains("120") && !text.contains("{{"), "{text}");
        }
        let (_, lines) = refusal(Locale::en, &cases[4]);
        assert_eq!(
            lines[0],
            "Fabrikam holds delegated admin privileges for Office 365."
        );
    }

    #[test]
    fn too_many_attempts_names_the_real_wait() {
        assert_eq!(
            too_many_attempts(Locale::en, 8),
            "Too many attempts. Try again in 8 seconds."
        );
        assert_eq!(
            too_many_attempts(Locale::en, 60),
            "Too many attempts. Try again in a minute."
        );
        assert_eq!(
            too_many_attempts(Locale::en, 61),
            "Too many attempts. Try again in 2 minutes."
        );
        assert_eq!(
            too_many_attempts(Locale::zh_CN, 8),
            "尝试次数过多。请在 8 秒后重试。"
        );
    }

    /// A partner holding DAP for several services is named once, with all of them.
    #[test]
    fn dap_holders_are_named_once_with_their_services() {
        let refusal_of = |holders: Vec<(Service, &str)>| Refusal::DapConflict {
            partner: "Contoso".into(),
            holders: holders
                .into_iter()
                .map(|(service, partner)| crate::domain::DapHolder {
                    service,
                    partner: partner.into(),
                })
                .collect(),
        };
        let (_, lines) = refusal(
            Locale::en,
            &refusal_of(vec![
                (Service::AzureAd, "Fabrikam"),
                (Service::Office365, "Fabrikam"),
            ]),
        );
        assert_eq!(
            lines[0],
            "Fabrikam holds delegated admin privileges for Azure Active Directory and Office 365."
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
        let (_, lines) = refusal(
            Locale::zh_CN,
            &refusal_of(vec![
                (Service::AzureAd, "Fabrikam"),
                (Service::Office365, "Northwind"),
            ]),
        );
        assert_eq!(lines.len(), 3, "{lines:?}");
    }

    /// The Chinese locales keep one voice and one term each: zh-TW addresses the reader as
    /// 您 throughout (as its seeds do) and uses the seeds' 系統管理代理人 and 委派系統管理權限;
    /// zh-CN addresses the reader as 你 on its pages (as its seed does) and keeps 您 for
    /// the partner's letter to its customer.
    #[test]
    fn chinese_locales_keep_one_voice_and_one_term() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let read = |name: &str| -> serde_json::Map<String, serde_json::Value> {
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            serde_json::from_str(&text).unwrap()
        };
        for (key, value) in read("zh-TW") {
            let text = value.as_str().unwrap_or_default();
            for wrong in ["你", "系統管理員代理", "委派系統管理員權限"] {
                assert!(!text.contains(wrong), "zh-TW {key} uses {wrong}: {text}");
            }
        }
        for (key, value) in read("zh-CN") {
            let text = value.as_str().unwrap_or_default();
            if !key.starts_with("email_") {
                assert!(!text.contains('您'), "zh-CN {key} uses 您: {text}");
            }
        }
    }

    /// Every locale file has exactly the keys of the English one, and the same
    /// placeholders in each text, so no page shows a missing or half-translated string.
    #[test]
    fn every_locale_has_every_key_and_placeholder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let read = |name: &str| -> serde_json::Map<String, serde_json::Value> {
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            serde_json::from_str(&text).unwrap()
        };
        let placeholders = |s: &str| -> Vec<String> {
            let mut found: Vec<String> = s
                .split("{{")
                .skip(1)
                .filter_map(|rest| rest.split_once("}}").map(|(p, _)| p.trim().to_string()))
                .collect();
            found.sort();
            found
        };
        let en = read("en");
        for locale in ALL.iter().skip(1) {
            let other = read(tag(*locale));
            let missing: Vec<&String> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<&String> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", tag(*locale));
            assert!(
                extra.is_empty(),
                "{} has unknown keys {extra:?}",
                tag(*locale)
            );
            for (key, value) in &en {
                let theirs = other[key].as_str().unwrap_or_default();
                assert!(
                    !theirs.trim().is_empty(),
                    "{}: {key} is empty",
                    tag(*locale)
                );
                assert_eq!(
                    placeholders(value.as_str().unwrap_or_default()),
                    placeholders(theirs),
                    "{}: {key} has other placeholders",
                    tag(*locale)
                );
            }
        }
    }

    /// The activity log reads in the reader's language: the same stored facts in three
    /// languages, and an entry stored as a sentence by an older version as it was written.
    #[test]
    fn activity_details_read_in_the_readers_language() {
        let granted = Facts {
            org: Some("Contoso".into()),
            services: vec![Service::AzureAd, Service::Office365],
            ..Facts::by("Fabrikam")
        }
        .to_stored();
        assert_eq!(
            detail(Locale::en, "dap.granted", &granted),
            "Fabrikam granted delegated admin privileges to Contoso for Azure Active Directory and Office 365."
        );
        assert_eq!(
            detail(Locale::zh_CN, "dap.granted", &granted),
            "Fabrikam 已向 Contoso 授予 Azure Active Directory 和 Office 365 的委派管理员权限。"
        );
        let added = Facts {
            user: Some("王芳".into()),
            email: Some("wang@contoso.cn".into()),
            role: Some("billing_admin".into()),
            ..Facts::by("李雷")
        }
        .to_stored();
        assert_eq!(
            detail(Locale::zh_TW, "user.added", &added),
            "李雷 已將 王芳（wang@contoso.cn）新增為帳單系統管理員。"
        );
        let accepted = Facts {
            email: Some("a@b.c".into()),
            agreement: Some("Microsoft Customer Agreement".into()),
            version: Some("2024-05".into()),
            ..Facts::by("王芳")
        }
        .to_stored();
        assert_eq!(
            detail(Locale::zh_CN, "agreement.accepted", &accepted),
            "王芳（a@b.c）已接受 Microsoft 客户协议（版本 2024-05）。"
        );
        let established = Facts {
            org: Some("Contoso".into()),
            kind: Some(RelationshipKind::Reseller),
            ..Facts::by("Fabrikam")
        }
        .to_stored();
        assert_eq!(
            detail(Locale::en, "relationship.established", &established),
            "Fabrikam authorized Contoso as reseller."
        );
        assert_eq!(
            detail(Locale::zh_CN, "user.removed", "Ann removed Bob."),
            "Ann removed Bob."
        );
        // Every action the log records has words in every locale.
        for action in crate::server::events::ACTIONS {
            for locale in ALL {
                let text = detail(locale, action, &Facts::by("X").to_stored());
                assert!(!text.starts_with('{'), "{action} in {locale:?}: {text}");
            }
        }
    }
}
