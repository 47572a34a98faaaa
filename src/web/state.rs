//! What every handler can reach: the pool, the configuration, the export queue, matching's
//! catalogue copies and the figures for `/metrics`.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use webauthn_rs::prelude::Webauthn;

use crate::config::Config;
use crate::domain::offer::Catalogue;
use crate::domain::passkey;
use crate::metrics::Metrics;
use crate::oidc::Provider;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// Region-wide exports running at once. An export of a large region reads hundreds of
    /// thousands of entries for seconds; without a bound, a few coördinatoren exporting together
    /// would hold every database connection and the other pages would wait for one in vain.
    pub exports: Arc<Semaphore>,
    /// Regions' open offers for matching, each used only while still exact.
    pub catalogue: Catalogue,
    /// This instance's request figures for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The passkey relying party of `BASE_URL`; `None` when it is no domain name (see
    /// `domain::passkey`), and then there are no passkeys.
    pub passkeys: Option<Arc<Webauthn>>,
    /// The organisation's OpenID provider, when one is configured.
    pub oidc: Option<Arc<Provider>>,
}

impl AppState {
    /// Fails on an OpenID provider configuration that cannot work (see `oidc`).
    pub fn new(pool: PgPool, config: Config) -> anyhow::Result<Self> {
        let exports = (config.db_max_connections / 4).max(1) as usize;
        let oidc = Provider::from_config(&config)?.map(Arc::new);
        Ok(Self {
            pool,
            exports: Arc::new(Semaphore::new(exports)),
            catalogue: Catalogue::default(),
            metrics: Arc::new(Metrics::default()),
            passkeys: passkey::relying_party(&config.base_url()).map(Arc::new),
            oidc,
            config: Arc::new(config),
        })
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.pool.clone()
    }
}
