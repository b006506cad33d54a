//! The user's own sign-in to a proxy that asks for a password Brickdesk does not have (no
//! policy credentials, and not Windows, or Windows' own sign-in was refused): the app asks,
//! and the answer is kept in the keychain for that proxy only, then used for every tunnel
//! through it. It never goes back to the web view.

use super::Workspaces;
use crate::proxy::resolver::SavedSignIns;
use crate::proxy::{Hop, ProxyAddress, ProxyCredentials, ProxySignInRequest};
use crate::sensitive::Sensitive;
use crate::vault::Vault;
use crate::{ErrorCode, ErrorInfo};
use std::sync::Arc;

/// The vault, as the resolver reads saved sign-ins.
#[derive(Debug)]
pub(super) struct VaultSignIns(pub(super) Vault);

impl SavedSignIns for VaultSignIns {
    fn get(&self, proxy: &ProxyAddress) -> Option<ProxyCredentials> {
        match self.0.read_proxy(proxy) {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!("a saved proxy sign-in could not be read: {}", error.message);
                None
            }
        }
    }
}

impl Workspaces {
    /// Calls `listener` when a proxy IT's policy or the OS's settings name needs the user's
    /// sign-in (at most every 30 s per proxy, and not while the user's "Not now" holds).
    pub fn on_proxy_sign_in_needed(&self, listener: Arc<dyn Fn(ProxySignInRequest) + Send + Sync>) {
        self.proxies.on_sign_in_needed(listener);
    }

    /// Saves the user's sign-in for `proxy` (`host:port`, as [`ProxySignInRequest`] named it).
    /// The keychain write runs on the blocking pool: the app's command thread is the UI's.
    pub async fn save_proxy_sign_in(
        &self,
        proxy: &str,
        username: &str,
        password: Sensitive<String>,
    ) -> Result<(), ErrorInfo> {
        let invalid = |message: &str| ErrorInfo::new(ErrorCode::InvalidInput, message);
        let Some(Hop::Proxy(address)) = ProxyAddress::parse("http", proxy) else {
            return Err(invalid(
                "That is not a proxy address (proxy.example.com:8080).",
            ));
        };
        let username = username.trim();
        if username.is_empty() || username.contains(['\n', '\r']) {
            return Err(invalid(
                "Enter your network user name (for example CORP\\alice).",
            ));
        }
        if password.expose().is_empty() {
            return Err(invalid("Enter your network password."));
        }
        let (vault, saved) = (self.vault.clone(), address.clone());
        let credentials = ProxyCredentials {
            username: username.to_owned(),
            password,
        };
        crate::auth::session::blocking(move || vault.write_proxy(&saved, &credentials)).await?;
        self.proxies.signed_in(&address);
        tracing::info!(proxy = %address, "a proxy sign-in was saved");
        Ok(())
    }

    /// The user closed the sign-in for `proxy` without answering ("Not now"): it is not asked
    /// for again for an hour, however many requests fail meanwhile.
    pub fn dismiss_proxy_sign_in(&self, proxy: &str) -> Result<(), ErrorInfo> {
        let Some(Hop::Proxy(address)) = ProxyAddress::parse("http", proxy) else {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "That is not a proxy address (proxy.example.com:8080).",
            ));
        };
        self.proxies.dismissed(&address);
        Ok(())
    }
}
