//! Demo partners for trying Accord out (`ACCORD_DEMO=1`, only on an empty database), and
//! customers of the first one that accepted its invitation through the real service.
//! The password is generated now and printed once; it exists nowhere else.

use rand::distributions::{Alphanumeric, DistString};

use super::handshake::{self, SignerInput};
use super::identity::accounts::{self, CustomerSignUp, PartnerSignUp};
use super::identity::partners;
use super::platform::{Config, Db};
use super::relationships::indirect;
use crate::domain::PartnerRole;
use crate::error::AppError;

struct DemoPartner {
    name: &'static str,
    slug: &'static str,
    country: &'static str,
    cloud: &'static str,
    program: &'static str,
    partner_id: &'static str,
}

const PARTNERS: &[DemoPartner] = &[
    DemoPartner {
        name: "Contoso Cloud Reseller",
        slug: "contoso",
        country: "US",
        cloud: "public",
        program: "direct",
        partner_id: "",
    },
    DemoPartner {
        name: "Fabrikam Distribution",
        slug: "fabrikam",
        country: "US",
        cloud: "public",
        program: "indirect_provider",
        partner_id: "5100001",
    },
    DemoPartner {
        name: "Northwind IT Services",
        slug: "northwind",
        country: "US",
        cloud: "public",
        program: "indirect_reseller",
        partner_id: "5100002",
    },
    DemoPartner {
        name: "Adatum Federal Solutions",
        slug: "adatum",
        country: "US",
        cloud: "us-gov",
        program: "direct",
        partner_id: "",
    },
    DemoPartner {
        name: "Wingtip Systems GmbH",
        slug: "wingtip",
        country: "DE",
        cloud: "germany",
        program: "direct",
        partner_id: "",
    },
    DemoPartner {
        name: "Litware Beijing",
        slug: "litware",
        country: "CN",
        cloud: "china",
        program: "direct",
        partner_id: "",
    },
];

pub async fn seed_if_empty(db: &Db, config: &Config) -> Result<(), AppError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM partner_orgs")
        .fetch_one(&db.pool)
        .await?;
    if count > 0 {
        return Ok(());
    }
    let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 20);
    let mut lines = Vec::new();
    let mut first_partner = None;
    let mut admins = std::collections::HashMap::new();
    for p in PARTNERS {
        let admin = format!("admin@{}.example", p.slug);
        let agent = format!("agent@{}.example", p.slug);
        let created = accounts::sign_up_partner(
            db,
            PartnerSignUp {
                org_name: p.name.into(),
                country: p.country.into(),
                cloud: p.cloud.into(),
                program: p.program.into(),
                partner_id: p.partner_id.into(),
                admin_name: format!("{} Admin", p.name.split(' ').next().unwrap_or("Demo")),
                email: admin.clone(),
                password: password.clone(),
            },
        )
        .await?;
        first_partner.get_or_insert(created.org_id.clone());
        admins.insert(p.slug, created.user_id.clone());
        accounts::add_partner_user(
            db,
            &created.org_id,
            "Alex Agent",
            &agent,
            password.clone(),
            PartnerRole::AdminAgent,
        )
        .await?;
        lines.push(format!(
            "  {:<26} {:<8} {:<18} {admin} (Global admin), {agent} (Admin agent)",
            p.name, p.cloud, p.program
        ));
    }
    if let Some(partner) = first_partner {
        seed_customers(db, config, &partner, &password).await?;
    }
    // The indirect reseller is connected with the indirect provider.
    if let (Some(reseller), Some(provider)) = (admins.get("northwind"), admins.get("fabrikam")) {
        let reseller = accounts::viewer(db, reseller)
            .await?
            .ok_or(AppError::Internal)?;
        let provider = accounts::viewer(db, provider)
            .await?
            .ok_or(AppError::Internal)?;
        indirect::request(db, &reseller, "5100001").await?;
        indirect::decide(db, &provider, &reseller.org_id, indirect::Decision::Accept).await?;
    }
    println!(
        "\nDemo partners created. Password for every demo user (shown only now): {password}\n{}\n",
        lines.join("\n")
    );
    Ok(())
}

const COMPANIES: &[&str] = &[
    "Alpine Ski House",
    "Blue Yonder Airlines",
    "City Power & Light",
    "Coho Winery",
    "Consolidated Messenger",
    "Fourth Coffee",
    "Graphic Design Institute",
    "Humongous Insurance",
    "Lucerne Publishing",
    "Margie's Travel",
    "Proseware",
    "Southridge Video",
    "Tailspin Toys",
    "Trey Research",
    "Wide World Importers",
    "Woodgrove Bank",
];

/// `config.demo_customers` customer organizations that accepted the partner's invitation
/// (every other one without DAP), each with its Global admin.
async fn seed_customers(
    db: &Db,
    config: &Config,
    partner_org_id: &str,
    password: &str,
) -> Result<(), AppError> {
    let partner = partners::partner(db, partner_org_id)
        .await?
        .ok_or(AppError::Internal)?;
    for i in 0..config.demo_customers {
        let base = COMPANIES[i % COMPANIES.len()];
        let round = i / COMPANIES.len();
        let company = if round == 0 {
            base.to_string()
        } else {
            format!("{base} {}", round + 1)
        };
        let slug: String = company
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let created = accounts::sign_up_customer(
            db,
            partner.cloud,
            CustomerSignUp {
                company: company.clone(),
                domain: format!("{slug}.onmicrosoft.com"),
                country: "US".into(),
                admin_name: "Casey Customer".into(),
                email: format!("admin@{slug}.example"),
                password: password.to_string(),
            },
        )
        .await?;
        let dap = i % 2 == 0;
        let link =
            handshake::invitation_link(&partner, &config.secret_key, &config.public_url, dap)?;
        let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let invitation = handshake::verify(db, &config.secret_key, query).await?;
        let viewer = accounts::viewer(db, &created.user_id)
            .await?
            .ok_or(AppError::Internal)?;
        let signer = SignerInput {
            first_name: "Casey".into(),
            last_name: "Customer".into(),
            email: format!("admin@{slug}.example"),
            phone: String::new(),
            acknowledged: true,
        };
        handshake::accept(db, &invitation, &viewer, signer, dap).await?;
    }
    Ok(())
}
