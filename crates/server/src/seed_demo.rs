//! `closer seed-demo`: a new organisation with an owner who can sign in, filled with a year of
//! a busy business by `closer_store::seed_demo`. Progress goes to stderr; the owner's sign-in
//! is the command's output.

use crate::config::SeedDemoArgs;
use crate::credentials::{hash_password, new_token};
use closer_domain::{EmailAddress, OrgName, Password, PersonName};
use closer_store::seed_demo::{DemoCounts, DemoPlan, TeamDayCounts};
use closer_store::{NewAccount, Store};
use std::fmt;
use std::time::Instant;

/// Who signs in to the demo, and what it holds.
#[derive(Debug, Clone)]
pub struct DemoOwner {
    pub org_id: uuid::Uuid,
    pub email: String,
    pub password: String,
    pub counts: DemoCounts,
    /// The action center's items and the calendar's bookings (`--actions`).
    pub team_day: TeamDayCounts,
    pub seconds: f64,
}

impl fmt::Display for DemoOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        writeln!(f, "organisation: {}", self.org_id)?;
        writeln!(f, "owner email:  {}", self.email)?;
        writeln!(f, "password:     {}", self.password)?;
        write!(
            f,
            "seeded {} leads, {} conversations, {} messages, {} notes, {} tags on leads, \
             {} stage moves, {} actions, {} bookings in {:.1} s",
            c.leads,
            c.conversations,
            c.messages,
            c.notes,
            c.lead_tags,
            c.stage_moves,
            self.team_day.actions,
            self.team_day.bookings,
            self.seconds
        )
    }
}

fn checked<T, E: fmt::Display>(field: &str, r: Result<T, E>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("{field}: {e}"))
}

pub async fn run(args: &SeedDemoArgs) -> anyhow::Result<DemoOwner> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.db.data_dir)?;
    let store = Store::connect(&args.db.database_url()).await?;
    store.migrate().await?;
    let email = match &args.email {
        Some(e) => e.clone(),
        None => format!(
            "demo-{}@example.com",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        ),
    };
    let password = args
        .password
        .clone()
        .unwrap_or_else(|| new_token()[..16].to_owned());
    let account = NewAccount {
        name: checked("owner", PersonName::parse("Demo Owner"))?,
        email: checked("email", EmailAddress::parse(&email))?,
        password_hash: hash_password(checked("password", Password::parse(&password))?).await?,
    };
    let org_name = checked("org_name", OrgName::parse(&args.org_name))?;
    let (org, owner) = store.create_org_with_owner(&org_name, &account).await?;
    let plan = DemoPlan {
        leads: args.leads,
        messages: args.messages,
        days: args.days,
        seed: args.seed,
        leads_per_transaction: args.batch as usize,
    };
    let total = args.leads.max(1);
    let counts = store
        .seed_demo(
            org.id,
            owner.id,
            account.email.as_str(),
            &account.password_hash,
            &plan,
            |c| {
                let secs = started.elapsed().as_secs_f64();
                let done = c.leads as f64 / total as f64;
                let eta = if done > 0.0 { secs / done - secs } else { 0.0 };
                eprintln!(
                    "seed-demo: {:>9} / {} leads ({:>5.1}%), {:>9} messages, {:>7.1} s, ~{:.0} s left",
                    c.leads,
                    total,
                    done * 100.0,
                    c.messages,
                    secs,
                    eta
                );
            },
        )
        .await?;
    let team_day = store
        .seed_team_day(org.id, args.actions, args.days, args.seed)
        .await?;
    // The seed writes tables directly: the analytics rollups are counted from them once, so
    // the dashboard and the reports agree with the lists from the start.
    let rebuilt = store.rebuild_rollups().await?;
    eprintln!(
        "seed-demo: analytics rollups rebuilt ({} rows) in {:.1} s",
        rebuilt.rollup_rows,
        rebuilt.elapsed.as_secs_f64()
    );
    store.close().await.ok();
    Ok(DemoOwner {
        team_day,
        org_id: org.id,
        email,
        password,
        counts,
        seconds: started.elapsed().as_secs_f64(),
    })
}
