//! The command line: `veertig [serve|migrate|create-user|demo-data|purge]`.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::Database;
use crate::domain::privacy;
use crate::domain::user::{self, Email, NewPassword, NewUser, PersonName, Role};
use crate::scale::Scale;
use crate::startup;
use crate::values::dates;
use crate::values::ids::{OrganisationId, RegionId};
use crate::web::state::AppState;
use crate::{backup, demo, telemetry};

#[derive(Parser)]
#[command(
    name = "veertig",
    version,
    about = "Veertig: het participatietraject van inburgeraars"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Create a user; the password is asked for, or read from standard input.
    CreateUser(CreateUserArgs),
    /// Load the demo region, organisation and logins (password `veertig-demo`).
    DemoData {
        /// Also load benchmark data: `flanders` (300,000 participants, 6,000,000 hour entries)
        /// or a number of participants.
        #[arg(long, value_parser = parse_scale)]
        scale: Option<Scale>,
    },
    /// Write a consistent dump of the database (pg_dump's custom format) to FILE, by default
    /// `veertig-<date>-<time>.dump` in the current folder. Never overwrites a file.
    Backup { file: Option<PathBuf> },
    /// Load a dump made by `backup` into an empty database (a new DATA_DIR, or an empty
    /// DATABASE_URL); refuses a database that holds anything. All or nothing.
    Restore { file: PathBuf },
    /// Anonymise participants whose trajectory ended more than YEARS years ago (names and
    /// contact details removed; hours and statuses kept as numbers). Safe to run again.
    Purge(PurgeArgs),
}

#[derive(Args)]
struct PurgeArgs {
    /// Years after the end of a trajectory before it is anonymised (at least 1).
    #[arg(long, env = "PURGE_AFTER_YEARS", default_value_t = privacy::DEFAULT_PURGE_AFTER_YEARS,
          value_parser = clap::value_parser!(u32).range(1..))]
    years: u32,
}

#[derive(Args)]
struct CreateUserArgs {
    /// beheerder, coordinator, coach (trajectbegeleider) or partner.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Region code (e.g. BRG) for a coach or coordinator; optional when there is one region.
    #[arg(long)]
    region: Option<String>,
    /// Name of the partner's organisation (required for a partner).
    #[arg(long)]
    organisation: Option<String>,
}

fn parse_scale(input: &str) -> Result<Scale, String> {
    Scale::parse(input)
        .ok_or_else(|| "use `flanders` or a number of participants (at least 100)".to_string())
}

fn parse_role(input: &str) -> Result<Role, String> {
    Role::parse(input).ok_or_else(|| "use beheerder, coordinator, coach or partner".to_string())
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.config.log_format);
    // Asked before anything starts, so a typo costs nothing.
    let password = match &cli.command {
        Some(Command::CreateUser(_)) => match read_password() {
            Ok(password) => Some(password),
            Err(error) => {
                eprintln!("veertig: {error:#}");
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    // The private cluster starts before the async runtime: its postmaster is tied to a thread
    // that lives as long as the process (see pg.rs).
    let database = match Database::open(&cli.config) {
        Ok(database) => database,
        Err(error) => {
            eprintln!("veertig: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
        .and_then(|runtime| runtime.block_on(dispatch(cli, &database, password)));
    // Dropping the database stops a private cluster.
    drop(database);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("veertig: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli, database: &Database, password: Option<String>) -> anyhow::Result<()> {
    let config = cli.config;
    // Every command but `migrate`, `backup` and `restore` works as the serving role, on an
    // up-to-date database.
    let max_connections = config.db_max_connections;
    let serving_pool = || database.serving_pool(max_connections);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, database, serving_pool().await?).await,
        Command::Backup { file } => {
            let file =
                file.unwrap_or_else(|| backup::default_file(time::OffsetDateTime::now_utc()));
            backup::backup(database, &file).await?;
            println!("Backup written to {}.", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            backup::restore(database, &file).await?;
            println!("Restored {}.", file.display());
            Ok(())
        }
        Command::Migrate => {
            database.migrate().await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::DemoData { scale } => {
            let pool = serving_pool().await?;
            if demo::load(&pool).await? {
                println!("Demo data loaded.");
            } else {
                println!("Demo data was already there.");
            }
            if let Some(scale) = scale {
                println!(
                    "Loading {} participants of benchmark data. It is one transaction until the \
                     vacuum step: stopping it (Ctrl-C) before then leaves the database as it was.",
                    scale.participants
                );
                // It drops and rebuilds indexes: the owner's work.
                let owner = database.owner_pool(max_connections).await?;
                crate::scale::load(&owner, scale).await?;
            }
            print_demo_logins();
            Ok(())
        }
        Command::CreateUser(args) => {
            let password = password.context("no password given")?;
            create_user(&serving_pool().await?, args, password).await
        }
        Command::Purge(args) => {
            let cutoff = privacy::purge_cutoff(dates::today(), args.years);
            let anonymised = privacy::purge(&serving_pool().await?, cutoff, args.years).await?;
            println!(
                "{anonymised} participant(s) anonymised (trajectories ended before {}).",
                dates::iso_date(cutoff)
            );
            Ok(())
        }
    }
}

async fn serve(config: Config, database: &Database, pool: PgPool) -> anyhow::Result<()> {
    if database.is_private() && demo::is_empty(&pool).await? {
        demo::load(&pool).await?;
        println!("First start: demo data loaded.");
    }
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    println!("Veertig is running at http://{address}");
    if database.is_private() {
        println!(
            "Database: private PostgreSQL cluster in {}",
            config.data_dir.join("postgres").display()
        );
        print_demo_logins();
    }
    let metrics_listener = match config.metrics_bind {
        Some(bind) => {
            let listener = TcpListener::bind(bind)
                .await
                .with_context(|| format!("cannot listen on {bind} (METRICS_BIND)"))?;
            println!("Metrics at http://{}/metrics", listener.local_addr()?);
            Some(listener)
        }
        None => None,
    };
    println!("Stop with Ctrl-C.");
    startup::serve(listener, metrics_listener, AppState::new(pool, config)?).await?;
    Ok(())
}

fn print_demo_logins() {
    println!("Demo logins (password: {}):", demo::PASSWORD);
    for (email, role) in demo::LOGINS {
        println!("  {:<26} {}", email, role.label());
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Wachtwoord: ")?;
        let second = rpassword::prompt_password("Nogmaals: ")?;
        if first != second {
            bail!("the passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn create_user(pool: &PgPool, args: CreateUserArgs, password: String) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let region_id = match (args.role, &args.region) {
        (_, Some(code)) => Some(
            sqlx::query_scalar!(
                r#"SELECT id AS "id: RegionId" FROM regions WHERE code = upper($1)"#,
                code
            )
            .fetch_optional(&mut *tx)
            .await?
            .with_context(|| format!("no region with code {code}"))?,
        ),
        (Role::Coach | Role::Coordinator, None) => {
            let regions = sqlx::query_scalar!(r#"SELECT id AS "id: RegionId" FROM regions"#)
                .fetch_all(&mut *tx)
                .await?;
            match regions.as_slice() {
                [only] => Some(*only),
                _ => bail!("a {} needs --region CODE", args.role.label()),
            }
        }
        _ => None,
    };
    let organisation_id = match (&args.organisation, args.role) {
        (Some(name), Role::Partner) => Some(
            sqlx::query_scalar!(
                r#"SELECT id AS "id: OrganisationId" FROM organisations WHERE lower(name) = lower($1)"#,
                name
            )
            .fetch_optional(&mut *tx)
            .await?
            .with_context(|| format!("no organisation named {name}"))?,
        ),
        (None, Role::Partner) => bail!("a partner needs --organisation NAME"),
        (Some(_), _) => bail!("only a partner belongs to an organisation"),
        (None, _) => None,
    };
    let id = user::create(
        &mut tx,
        None,
        NewUser {
            email: Email::parse(&args.email)?,
            name: PersonName::parse(&args.name)?,
            role: args.role,
            password: NewPassword::parse(&password)?,
            region_id,
            organisation_id,
        },
    )
    .await?;
    tx.commit().await?;
    println!(
        "User {} created ({}, id {id}).",
        args.email,
        args.role.label()
    );
    Ok(())
}
