//! Signing in and out of a workspace: the browser flow (deep link or loopback), its
//! completion, cancel and timeout, and sign-out.
//!
//! A deep-link sign-in survives an app restart: its `state`, PKCE verifier and redirect are
//! also kept in the keychain for the five minutes it may take, so a callback that cold-starts
//! the app (the user closed it while signing in) still completes. Loopback sign-ins cannot:
//! their listener lives in the process.

use super::Workspaces;
use crate::auth::login::{self, LOGIN_TIMEOUT, PendingLogin, PersistedLogin};
use crate::auth::loopback;
use crate::auth::preflight::{self, RedirectAdvice};
use crate::auth::session::blocking;
use crate::deep_link::{CallbackOutcome, OAuthCallback, Rejection};
use crate::profiles::{AuthKind, RedirectMode};
use crate::vault::{SecretKind, Vault};
use crate::workspace::{SignInState, WorkspaceList};
use crate::{ErrorCode, ErrorInfo};
use std::sync::Arc;

impl Workspaces {
    /// Before a browser sign-in: whether the app connection accepts the workspace's redirect
    /// URL, and if not, what to do (see [`preflight`]). `None`: go ahead (also when discovery
    /// or the probe cannot tell; the sign-in then reports what it meets).
    pub async fn sign_in_preflight(&self, id: &str) -> Result<Option<RedirectAdvice>, ErrorInfo> {
        let profile = self.usable_profile(id)?;
        if !profile.auth.is_interactive() {
            return Ok(None);
        }
        let Ok(endpoints) = self.endpoints(&profile).await else {
            return Ok(None);
        };
        Ok(preflight::check(&self.http, &endpoints, &profile).await)
    }

    /// Starts signing in. For browser sign-ins returns the URL to open; M2M and PAT
    /// workspaces are checked at once and return `None`.
    pub async fn begin_sign_in(self: &Arc<Self>, id: &str) -> Result<Option<String>, ErrorInfo> {
        let profile = self.usable_profile(id)?;
        if !profile.auth.is_interactive() {
            return match self.check(id).await {
                SignInState::SignedIn { .. } => Ok(None),
                SignInState::SignedOut { reason } => Err(ErrorInfo::new(
                    ErrorCode::NotSignedIn,
                    reason.unwrap_or_else(|| "The stored credential was not accepted.".into()),
                )),
                SignInState::Error { message } => Err(ErrorInfo::new(ErrorCode::Server, message)),
                SignInState::SigningIn => Ok(None),
            };
        }
        let client = self.oauth_client(&profile).await?;
        let redirect_uri = profile.redirect_uri();
        let state = login::new_state();
        let (url, verifier) = client.authorize_url(&redirect_uri, &profile.scopes, &state)?;
        // The databricks-cli client's redirect is http://localhost:8020: a browser may reach it
        // on ::1 as well as 127.0.0.1.
        let loopback_port = match (&profile.auth, profile.redirect) {
            (AuthKind::DatabricksCli, _) => Some((8020, "/", true)),
            (_, RedirectMode::Loopback { port }) => Some((port, "/oauth/callback", false)),
            (_, RedirectMode::DeepLink) => None,
        };
        let listener = match loopback_port {
            Some((port, path, localhost)) => {
                Some(loopback::bind(port, path, &state, localhost).await?)
            }
            None => None,
        };
        if listener.is_none() {
            let saved = PersistedLogin::new(&state, &verifier, &redirect_uri).to_secret();
            let (vault, pid, binding) = (self.vault.clone(), id.to_owned(), profile.binding());
            blocking(move || vault.write(&pid, SecretKind::PendingSignIn, &saved, &binding))
                .await?;
        }
        self.logins.insert(
            state.clone(),
            PendingLogin {
                profile_id: id.to_owned(),
                redirect_uri,
                verifier,
                client,
                started: std::time::Instant::now(),
            },
        );
        self.set_status(id, SignInState::SigningIn);
        let service = self.clone();
        let pid = id.to_owned();
        tokio::spawn(async move {
            match listener {
                Some(listener) => {
                    match tokio::time::timeout(LOGIN_TIMEOUT, listener.receive()).await {
                        Ok(Ok(callback)) => {
                            let _ = service.complete_sign_in(callback).await;
                        }
                        Ok(Err(rejection)) => {
                            service.logins.cancel(&pid);
                            service.set_status(
                                &pid,
                                SignInState::SignedOut {
                                    reason: Some(format!("The sign-in failed: {rejection}.")),
                                },
                            );
                        }
                        Err(_) => service.time_out(&pid).await,
                    }
                }
                None => {
                    tokio::time::sleep(LOGIN_TIMEOUT).await;
                    service.time_out(&pid).await;
                }
            }
        });
        Ok(Some(url.to_string()))
    }

    async fn time_out(&self, id: &str) {
        self.forget_persisted(id).await;
        if self.logins.cancel(id) {
            self.set_status(
                id,
                SignInState::SignedOut {
                    reason: Some("The sign-in took longer than 5 minutes and was stopped.".into()),
                },
            );
        }
    }

    /// Stops waiting for the browser.
    pub fn cancel_sign_in(&self, id: &str) -> WorkspaceList {
        // Called from synchronous commands: a quick keychain call on this thread.
        forget(&self.vault, id);
        if self.logins.cancel(id) {
            self.set_status(id, SignInState::SignedOut { reason: None });
        }
        self.list()
    }

    /// Finishes a sign-in from its redirect (deep link or loopback): exchanges the code, stores
    /// the refresh token, then reports "signed in". Returns the workspace id.
    pub async fn complete_sign_in(&self, callback: OAuthCallback) -> Result<String, ErrorInfo> {
        let login = match self.logins.take(&callback.state) {
            Ok(login) => login,
            // Not started by this run of the app: perhaps by the one before a restart.
            Err(Rejection::UnknownState) => self.resume(&callback.state).await?,
            Err(rejection) => return Err(ignored(rejection)),
        };
        let id = login.profile_id.clone();
        self.forget_persisted(&id).await;
        let code = match callback.outcome {
            CallbackOutcome::Code(code) => code,
            CallbackOutcome::Denied { error, description } => {
                let scope_refusal = crate::auth::oauth::scopes_not_allowed(
                    &login.client.client_id,
                    &error,
                    description.as_deref(),
                );
                let reason = match (scope_refusal, description) {
                    (Some(plain), _) => plain,
                    (None, Some(d)) => format!("The sign-in was not completed: {d} ({error})."),
                    (None, None) => format!("The sign-in was not completed ({error})."),
                };
                self.set_status(
                    &id,
                    SignInState::SignedOut {
                        reason: Some(reason.clone()),
                    },
                );
                return Err(ErrorInfo::new(ErrorCode::Cancelled, reason));
            }
        };
        let result = async {
            let tokens = login
                .client
                .exchange_code(&code, &login.verifier, &login.redirect_uri)
                .await?;
            let (profile, _) = self.profile(&id)?;
            if let Some(refresh) = tokens.refresh.clone() {
                let (vault, pid, binding) = (self.vault.clone(), id.clone(), profile.binding());
                blocking(move || vault.write(&pid, SecretKind::RefreshToken, &refresh, &binding))
                    .await?;
            }
            let session = self.session(&profile).await?;
            session.seed(&tokens).await;
            Ok::<_, ErrorInfo>(())
        }
        .await;
        if let Err(error) = result {
            self.set_status(
                &id,
                SignInState::Error {
                    message: error.message.clone(),
                },
            );
            return Err(error);
        }
        self.check(&id).await;
        Ok(id)
    }

    /// Signs out: every keychain entry of the workspace is deleted, the profile stays.
    pub async fn sign_out(&self, id: &str) -> Result<WorkspaceList, ErrorInfo> {
        self.profile(id)?;
        self.logins.cancel(id);
        let (vault, pid) = (self.vault.clone(), id.to_owned());
        blocking(move || vault.delete_all(&pid)).await?;
        let session = self.lock().sessions.remove(id);
        if let Some(session) = session {
            session.clear().await;
        }
        self.set_status(id, SignInState::SignedOut { reason: None });
        Ok(self.list())
    }

    /// The sign-in `state` belongs to, from its keychain copy (see the module docs). The copy
    /// is deleted whatever happens: a state works once.
    async fn resume(&self, state: &str) -> Result<PendingLogin, ErrorInfo> {
        let owners: Vec<(String, crate::vault::Binding)> = self
            .list()
            .workspaces
            .into_iter()
            .filter_map(|w| self.profile(&w.id).ok())
            .map(|(p, _)| (p.id.clone(), p.binding()))
            .collect();
        let (vault, wanted) = (self.vault.clone(), state.to_owned());
        let found = blocking(move || {
            Ok(owners.into_iter().find_map(|(id, binding)| {
                let secret = vault
                    .read(&id, SecretKind::PendingSignIn, &binding)
                    .ok()??;
                let saved = PersistedLogin::from_secret(&secret)?;
                (saved.state == wanted).then_some((id, saved))
            }))
        })
        .await?;
        let Some((id, saved)) = found else {
            return Err(ignored(Rejection::UnknownState));
        };
        self.logins.mark_used(state);
        self.forget_persisted(&id).await;
        if saved.is_expired() {
            return Err(ignored(Rejection::ExpiredState));
        }
        let (profile, _) = self.profile(&id)?;
        let client = self.oauth_client(&profile).await?;
        tracing::info!(profile = %id, "resuming a sign-in started before a restart");
        Ok(PendingLogin {
            profile_id: id,
            redirect_uri: saved.redirect_uri.clone(),
            verifier: saved.verifier(),
            client,
            started: std::time::Instant::now(),
        })
    }

    /// Deletes the keychain copy of a sign-in. A leftover copy is harmless (it expires, and
    /// its state is single-use), so a failure is only logged.
    async fn forget_persisted(&self, id: &str) {
        let (vault, pid) = (self.vault.clone(), id.to_owned());
        let _ = blocking(move || {
            forget(&vault, &pid);
            Ok(())
        })
        .await;
    }
}

fn forget(vault: &Vault, id: &str) {
    if let Err(error) = vault.delete(id, SecretKind::PendingSignIn) {
        tracing::warn!(profile = %id, error = %error.message, "could not delete a finished sign-in");
    }
}

fn ignored(rejection: Rejection) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::InvalidInput,
        format!("Brickdesk ignored a sign-in response: {rejection}."),
    )
}
