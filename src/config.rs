//! Every environment variable Veertig reads, parsed once at start.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::domain::user::Role;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL server to use. Without it Veertig starts a private cluster under DATA_DIR.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Folder for the private PostgreSQL cluster (only used without DATABASE_URL).
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Address the web server listens on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:3000", global = true)]
    pub bind: SocketAddr,

    /// The address users reach Veertig at; an https URL makes the session cookie Secure.
    #[arg(long, env = "BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// Largest number of database connections per instance.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub db_max_connections: u32,

    /// Minutes of inactivity after which a session ends. Half an hour (ASVS 3.3.2): a screen left
    /// open in a town hall is not usable for long by the next person at the desk.
    #[arg(
        long,
        env = "SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: i64,

    /// Hours after login at which a session ends, however active it was.
    #[arg(
        long,
        env = "SESSION_MAX_HOURS",
        default_value_t = 12,
        value_parser = clap::value_parser!(i64).range(1..=24 * 366),
        global = true
    )]
    pub session_max_hours: i64,

    /// Roles that must log in with a second factor (a code from an authenticator app), comma
    /// separated; `geen`: nobody must. Other roles may choose one themselves.
    #[arg(
        long,
        env = "SECOND_FACTOR_ROLES",
        default_value = "beheerder,coordinator",
        value_parser = parse_roles,
        global = true
    )]
    pub second_factor_roles: RoleList,

    /// The organisation's OpenID provider (its issuer URL, as in its discovery document), for
    /// the "Aanmelden met …" button; without it only passwords are used.
    #[arg(long, env = "OIDC_ISSUER_URL", global = true)]
    pub oidc_issuer_url: Option<String>,

    /// The client id Veertig got when registered at the OpenID provider.
    #[arg(long, env = "OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,

    /// The client secret Veertig got when registered at the OpenID provider.
    #[arg(
        long,
        env = "OIDC_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<String>,

    /// The provider's name on the login button: "Aanmelden met <OIDC_LABEL>".
    #[arg(
        long,
        env = "OIDC_LABEL",
        default_value = "uw organisatie",
        global = true
    )]
    pub oidc_label: String,

    /// Roles that may not log in with a password, comma separated: they must use the OpenID
    /// provider (only with OIDC_ISSUER_URL set). `geen`: every role may use a password.
    #[arg(
        long,
        env = "OIDC_ONLY_ROLES",
        default_value = "geen",
        value_parser = parse_roles,
        global = true
    )]
    pub oidc_only_roles: RoleList,

    /// `acr` values of the provider that mean "with a second factor", comma separated; `amr`
    /// values such as `mfa`, `otp`, `hwk` and `swk` count without being listed.
    #[arg(long, env = "OIDC_MFA_ACR", default_value = "", global = true)]
    pub oidc_mfa_acr: String,

    /// Take the client address from X-Forwarded-For (set only behind your own reverse proxy).
    #[arg(
        long,
        env = "TRUST_FORWARDED_FOR",
        default_value_t = false,
        global = true
    )]
    pub trust_forwarded_for: bool,

    /// Address of a second listener that serves only `/metrics` (Prometheus), for example
    /// 127.0.0.1:9100 or an address on the monitoring network. Unset: no such listener.
    #[arg(long, env = "METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,

    /// A secret (at least 32 characters) that lets a scraper read `/metrics` on the main address
    /// with `Authorization: Bearer <token>`. Unset: `/metrics` is not on the main address.
    #[arg(long, env = "METRICS_TOKEN", value_parser = parse_metrics_token, global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Folder with the stylesheet and other static files.
    #[arg(long, env = "STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,

    /// Folder with the Noto Sans fonts embedded in certificate PDFs (Debian: fonts-noto-core).
    #[arg(
        long,
        env = "FONT_DIR",
        default_value = "/usr/share/fonts/truetype/noto",
        global = true
    )]
    pub font_dir: PathBuf,

    /// Folder with the Noto Sans CJK collections, so Chinese, Japanese and Korean names print
    /// on certificates (Debian: fonts-noto-cjk).
    #[arg(
        long,
        env = "CJK_FONT_DIR",
        default_value = "/usr/share/fonts/opentype/noto",
        global = true
    )]
    pub cjk_font_dir: PathBuf,

    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@smtp.example.org` or
    /// `smtp://localhost:25`. Without it mails wait in the outbox page for the beheerder.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender address of Veertig's mails.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Veertig <veertig@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Log lines as text (for people) or JSON (for a log collector).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Serve the load benchmark's limit page at `/bench/limit` (for `cargo bench` only; never
    /// set it in production).
    #[arg(long, env = "BENCH_LIMIT_PAGE", default_value_t = false, global = true)]
    pub bench_limit_page: bool,
}

/// A list of roles from the environment (`beheerder,coordinator`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleList(pub Vec<Role>);

impl RoleList {
    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }
}

/// `geen` (none) or an empty value: no role must have a second factor.
fn parse_roles(input: &str) -> Result<RoleList, String> {
    if input.trim().eq_ignore_ascii_case("geen") {
        return Ok(RoleList::default());
    }
    input
        .split(',')
        .filter(|word| !word.trim().is_empty())
        .map(|word| Role::parse(word).ok_or_else(|| format!("unknown role: {}", word.trim())))
        .collect::<Result<_, _>>()
        .map(RoleList)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// The folders the PDF fonts come from.
    pub fn font_dirs(&self) -> crate::pdf::FontDirs {
        crate::pdf::FontDirs {
            noto: self.font_dir.clone(),
            cjk: self.cjk_font_dir.clone(),
        }
    }

    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }

    /// How long a session lasts after login, whatever the activity.
    pub fn session_lifetime(&self) -> time::Duration {
        time::Duration::hours(self.session_max_hours)
    }

    pub fn secure_cookies(&self) -> bool {
        self.base_url().starts_with("https://")
    }

    /// `STATIC_DIR`, else `static/` in the working directory, else the one in the source tree.
    pub fn static_dir(&self) -> PathBuf {
        if let Some(dir) = &self.static_dir {
            return dir.clone();
        }
        let local = PathBuf::from("static");
        if local.join("style.css").is_file() {
            local
        } else {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static"))
        }
    }

    /// A configuration for tests and tools: defaults everywhere, except that no role must have
    /// a second factor (tests that need one turn it on).
    pub fn for_tests() -> Self {
        Self {
            database_url: None,
            data_dir: PathBuf::from("data"),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            base_url: None,
            db_max_connections: 5,
            session_idle_minutes: 30,
            session_max_hours: 12,
            second_factor_roles: RoleList::default(),
            oidc_issuer_url: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_label: "uw organisatie".into(),
            oidc_only_roles: RoleList::default(),
            oidc_mfa_acr: String::new(),
            trust_forwarded_for: false,
            metrics_bind: None,
            metrics_token: None,
            static_dir: None,
            font_dir: PathBuf::from("/usr/share/fonts/truetype/noto"),
            cjk_font_dir: PathBuf::from("/usr/share/fonts/opentype/noto"),
            smtp_url: None,
            mail_from: "Veertig <veertig@localhost>".into(),
            log_format: LogFormat::Text,
            bench_limit_page: false,
        }
    }
}

/// A guessable token would publish the figures; 32 characters is what `openssl rand -hex 16`
/// gives.
fn parse_metrics_token(input: &str) -> Result<String, String> {
    if input.chars().count() >= 32 {
        Ok(input.to_string())
    } else {
        Err("METRICS_TOKEN must be at least 32 characters (openssl rand -hex 16)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_factor_roles_are_read_in_either_language() {
        assert_eq!(
            parse_roles("beheerder, coördinator"),
            Ok(RoleList(vec![Role::Admin, Role::Coordinator]))
        );
        assert_eq!(parse_roles("geen"), Ok(RoleList::default()));
        assert_eq!(parse_roles(""), Ok(RoleList::default()));
        assert!(parse_roles("beheerder,baas").is_err());
    }
}
