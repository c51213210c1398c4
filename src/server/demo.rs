//! Demo partners for trying Accord out (`ACCORD_DEMO=1`, only on an empty database).
//! The password is generated now and printed once; it exists nowhere else.

use rand::distributions::{Alphanumeric, DistString};

use super::accounts::{self, PartnerSignUp};
use super::db::Db;
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

pub async fn seed_if_empty(db: &Db) -> Result<(), AppError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM partner_orgs")
        .fetch_one(&db.pool)
        .await?;
    if count > 0 {
        return Ok(());
    }
    let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 20);
    let mut lines = Vec::new();
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
    println!(
        "\nDemo partners created. Password for every demo user (shown only now): {password}\n{}\n",
        lines.join("\n")
    );
    Ok(())
}
