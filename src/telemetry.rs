//! Logging: one line per request (see `web::request_log`), everything through `tracing`.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// `RUST_LOG` picks the levels (default: info for Veertig, warn for the rest).
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,veertig=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
