//! Talking to the organisation's OpenID provider (OpenID Connect, authorization code flow with
//! PKCE, `state` and `nonce`), through the `openidconnect` crate, which checks the ID token's
//! signature against the provider's published keys, its issuer, audience, expiry and nonce.
//!
//! Discovery is lazy: the provider's metadata and keys are fetched at the first login through
//! it and kept for [`METADATA_MAX_AGE`]; when the provider cannot be reached, that login gets
//! an error page, the next one tries again, and password logins go on working meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse, reqwest,
};
use tokio::sync::Mutex;

use crate::config::{Config, RoleList};
use crate::domain::user::Role;

/// Providers rotate their signing keys; metadata (with the keys) older than this is fetched
/// again at the next login.
const METADATA_MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// Longest wait for the provider's answer to one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// `amr` values (RFC 8176) that mean more than a password was used.
const SECOND_FACTOR_AMR: &[&str] = &["mfa", "mca", "otp", "sms", "hwk", "swk", "sc"];

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    client: Client,
    end_session: Option<EndSessionUrl>,
    fetched: Instant,
}

/// Why a login through the provider failed. The texts go into the log: none holds a code or a
/// token.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider's discovery document could not be fetched or is invalid: {0}")]
    Discovery(String),
    #[error("the provider refused the authorization code: {0}")]
    Token(String),
    #[error("the provider's token response has no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    IdToken(String),
}

/// The organisation's OpenID provider, as configured (`OIDC_*`).
pub struct Provider {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    after_logout: PostLogoutRedirectUrl,
    /// The provider's name on the login button.
    pub label: String,
    mfa_acr: Vec<String>,
    only_roles: RoleList,
    http: reqwest::Client,
    discovered: Mutex<Option<Arc<Discovered>>>,
}

/// A login begun: the URL to send the browser to, and what the callback must find again.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// A login the provider vouched for, every check passed.
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    /// The e-mail address, only when `email_verified` is true.
    pub verified_email: Option<String>,
    /// The provider says it asked more than a password (`amr` or `acr`).
    pub second_factor_done: bool,
    /// The raw ID token, for the provider's logout (`id_token_hint`).
    pub id_token: String,
}

impl Provider {
    /// The provider of `config`, if one is configured.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(issuer) = &config.oidc_issuer_url else {
            return Ok(None);
        };
        let client_id = config
            .oidc_client_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("OIDC_ISSUER_URL is set, OIDC_CLIENT_ID is not"))?;
        let base = config.base_url();
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer send Veertig elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Some(Self {
            issuer: IssuerUrl::new(issuer.clone())?,
            client_id: ClientId::new(client_id),
            client_secret: config.oidc_client_secret.clone().map(ClientSecret::new),
            redirect: RedirectUrl::new(format!("{base}/login/oidc/callback"))?,
            after_logout: PostLogoutRedirectUrl::new(format!("{base}/login"))?,
            label: config.oidc_label.clone(),
            mfa_acr: config
                .oidc_mfa_acr
                .split(',')
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
                .collect(),
            only_roles: config.oidc_only_roles.clone(),
            http,
            discovered: Mutex::new(None),
        }))
    }

    /// The scheme, host and port of the issuer, which forms may be sent to (for the logout
    /// that continues at the provider).
    pub fn origin(&self) -> String {
        self.issuer.url().origin().ascii_serialization()
    }

    /// Whether `role` must log in through the provider rather than with a password.
    pub fn password_refused(&self, role: Role) -> bool {
        self.only_roles.contains(role)
    }

    async fn discovered(&self) -> Result<Arc<Discovered>, OidcError> {
        let mut cached = self.discovered.lock().await;
        if let Some(found) = cached.as_ref()
            && found.fetched.elapsed() < METADATA_MAX_AGE
        {
            return Ok(found.clone());
        }
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|error| OidcError::Discovery(error.to_string()))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = CoreClient::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone());
        let found = Arc::new(Discovered {
            client,
            end_session,
            fetched: Instant::now(),
        });
        *cached = Some(found.clone());
        Ok(found)
    }

    /// Begins a login: fresh `state`, `nonce` and PKCE verifier, and the provider's URL.
    pub async fn start(&self) -> Result<Started, OidcError> {
        let discovered = self.discovered().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = discovered
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Ends a login: trades the code for tokens and checks the ID token (signature, issuer,
    /// audience, expiry, nonce).
    pub async fn finish(
        &self,
        code: String,
        nonce: String,
        pkce_verifier: String,
    ) -> Result<Verified, OidcError> {
        let discovered = self.discovered().await?;
        let response: CoreTokenResponse = discovered
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|error| OidcError::Token(error.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|error| OidcError::Token(error.to_string()))?;
        let id_token = response.id_token().ok_or(OidcError::NoIdToken)?;
        let claims = id_token
            .claims(&discovered.client.id_token_verifier(), &Nonce::new(nonce))
            .map_err(|error| OidcError::IdToken(error.to_string()))?;
        let verified_email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|email| email.as_str().to_string());
        Ok(Verified {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            verified_email,
            second_factor_done: self.second_factor_done(claims),
            id_token: id_token.to_string(),
        })
    }

    fn second_factor_done(&self, claims: &CoreIdTokenClaims) -> bool {
        let by_amr = claims.auth_method_refs().is_some_and(|methods| {
            methods
                .iter()
                .any(|method| SECOND_FACTOR_AMR.contains(&method.as_str()))
        });
        let by_acr = claims
            .auth_context_ref()
            .is_some_and(|acr| self.mfa_acr.iter().any(|value| value == acr.as_str()));
        by_amr || by_acr
    }

    /// Where the browser goes to log out at the provider too, if it has an end-session
    /// endpoint; it comes back to Veertig's login page.
    pub async fn logout_url(&self, id_token: &str) -> Option<String> {
        let discovered = self.discovered().await.ok()?;
        let endpoint = discovered.end_session.clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(self.client_id.clone())
            .set_post_logout_redirect_uri(self.after_logout.clone());
        if let Ok(token) = id_token.parse::<CoreIdToken>() {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }
}
