//! One profile's credentials at run time: the access token in memory, obtained from the refresh
//! token in the vault (U2M), the client credentials (M2M) or the stored PAT.
//!
//! Rules: refresh ahead of expiry; one refresh at a time per profile (callers wait for it and
//! share its result); a rotated refresh token is written to the vault before the new access
//! token is handed out; a refused refresh (`invalid_grant`, or "Refresh token is invalid" with
//! any error code, as real workspaces answer) deletes the stale refresh token and reports "sign
//! in again", leaving the profile in place.

use super::oauth::{OAuthClient, TokenSet};
use crate::vault::{Binding, SecretKind, Vault};
use crate::{ErrorCode, ErrorInfo, Sensitive};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// Refresh when less than this is left of the access token's life.
pub const REFRESH_AHEAD: Duration = Duration::from_secs(60);

/// Where access tokens come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// U2M: refresh with the refresh token in the vault.
    Refresh(OAuthClient),
    /// M2M: the client-credentials grant (the client carries the secret).
    ClientCredentials { client: OAuthClient, scopes: String },
    /// A personal access token from the vault.
    PersonalAccessToken,
}

#[derive(Debug)]
struct Cached {
    access: Sensitive<String>,
    expires_at: SystemTime,
}

#[derive(Debug)]
pub struct Session {
    pub profile_id: String,
    /// The host and client its secrets are bound to.
    binding: Binding,
    host_name: String,
    source: Source,
    vault: Vault,
    refresh_ahead: Duration,
    cache: Mutex<Option<Cached>>,
    token_requests: AtomicU64,
    /// Why the refresh token was dropped (refused for good), so a caller that comes after the
    /// one that saw the refusal hears the same reason, not a plain "not signed in".
    lost: std::sync::Mutex<Option<ErrorInfo>>,
}

impl Session {
    /// Whether the session's tokens are a personal access token (not OAuth).
    pub fn is_personal_access_token(&self) -> bool {
        matches!(self.source, Source::PersonalAccessToken)
    }

    pub fn new(
        profile_id: &str,
        binding: Binding,
        host_name: &str,
        source: Source,
        vault: Vault,
    ) -> Self {
        Self {
            profile_id: profile_id.to_owned(),
            binding,
            host_name: host_name.to_owned(),
            source,
            vault,
            refresh_ahead: REFRESH_AHEAD,
            cache: Mutex::new(None),
            token_requests: AtomicU64::new(0),
            lost: std::sync::Mutex::new(None),
        }
    }

    /// Changes how early tokens are refreshed (tests use seconds-long tokens).
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// Starts with tokens just obtained by a sign-in (already persisted).
    pub async fn seed(&self, tokens: &TokenSet) {
        *self.cache.lock().await = Some(Cached {
            access: tokens.access.clone(),
            expires_at: tokens.expires_at,
        });
    }

    /// Token-endpoint requests this session made (for tests and diagnostics).
    pub fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::Relaxed)
    }

    /// When the current access token expires, if there is one.
    pub async fn expires_at(&self) -> Option<SystemTime> {
        self.cache.lock().await.as_ref().map(|c| c.expires_at)
    }

    /// A valid access token, refreshing if it is missing or about to expire.
    pub async fn access_token(&self) -> Result<Sensitive<String>, ErrorInfo> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && cached
                .expires_at
                .duration_since(SystemTime::now())
                .is_ok_and(|left| left > self.refresh_ahead)
        {
            return Ok(cached.access.clone());
        }
        let (access, expires_at) = self.obtain().await?;
        *cache = Some(Cached {
            access: access.clone(),
            expires_at,
        });
        Ok(access)
    }

    /// Forgets `stale` after the workspace refused it, so the next call refreshes. Concurrent
    /// callers that saw the same refusal cause one refresh, not one each.
    pub async fn invalidate(&self, stale: &Sensitive<String>) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| &c.access == stale) {
            *cache = None;
        }
    }

    /// Drops the in-memory token (sign-out).
    pub async fn clear(&self) {
        *self.cache.lock().await = None;
    }

    async fn obtain(&self) -> Result<(Sensitive<String>, SystemTime), ErrorInfo> {
        match &self.source {
            Source::Refresh(client) => {
                let Some(refresh) = self.read(SecretKind::RefreshToken).await? else {
                    let lost = self.lost.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    return Err(lost.unwrap_or_else(|| self.signed_out()));
                };
                self.token_requests.fetch_add(1, Ordering::Relaxed);
                match client.refresh(&refresh).await {
                    Ok(tokens) => {
                        if let Some(rotated) = &tokens.refresh
                            && rotated != &refresh
                        {
                            self.write(SecretKind::RefreshToken, rotated.clone())
                                .await?;
                        }
                        Ok((tokens.access, tokens.expires_at))
                    }
                    Err(error) if error.code == ErrorCode::NotSignedIn => {
                        // The grant is gone for good: drop the dead token, keep the profile.
                        self.delete(SecretKind::RefreshToken).await?;
                        *self.lost.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                        Err(error)
                    }
                    Err(error) => Err(error),
                }
            }
            Source::ClientCredentials { client, scopes } => {
                self.token_requests.fetch_add(1, Ordering::Relaxed);
                let tokens = client.client_credentials(scopes).await?;
                Ok((tokens.access, tokens.expires_at))
            }
            Source::PersonalAccessToken => {
                match self.read(SecretKind::PersonalAccessToken).await? {
                    // PATs carry no expiry here; the workspace says when one is no longer valid.
                    Some(token) => {
                        Ok((token, SystemTime::now() + Duration::from_secs(365 * 86_400)))
                    }
                    None => Err(ErrorInfo::new(
                        ErrorCode::NotSignedIn,
                        format!(
                            "No personal access token is stored for {}. Enter one in the workspace \
                         settings.",
                            self.host_name
                        ),
                    )),
                }
            }
        }
    }

    fn signed_out(&self) -> ErrorInfo {
        ErrorInfo::new(
            ErrorCode::NotSignedIn,
            format!(
                "You are not signed in to {}. Sign in to continue.",
                self.host_name
            ),
        )
    }

    // The keychain blocks (D-Bus, Keychain Services), so it runs off the async threads.
    async fn read(&self, kind: SecretKind) -> Result<Option<Sensitive<String>>, ErrorInfo> {
        let (vault, id, binding) = (
            self.vault.clone(),
            self.profile_id.clone(),
            self.binding.clone(),
        );
        blocking(move || vault.read(&id, kind, &binding)).await
    }

    async fn write(&self, kind: SecretKind, value: Sensitive<String>) -> Result<(), ErrorInfo> {
        let (vault, id, binding) = (
            self.vault.clone(),
            self.profile_id.clone(),
            self.binding.clone(),
        );
        blocking(move || vault.write(&id, kind, &value, &binding)).await
    }

    async fn delete(&self, kind: SecretKind) -> Result<(), ErrorInfo> {
        let (vault, id) = (self.vault.clone(), self.profile_id.clone());
        blocking(move || vault.delete(&id, kind)).await
    }
}

/// Runs keychain work on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ErrorInfo> + Send + 'static,
) -> Result<T, ErrorInfo> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        Err(ErrorInfo::new(
            ErrorCode::Internal,
            "A keychain operation stopped unexpectedly. Try again.",
        ))
    })
}
