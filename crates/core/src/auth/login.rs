//! Sign-ins in flight: the pending-login table keyed by OAuth `state`.
//!
//! A callback is accepted only for a state this table issued, once, within five minutes; a
//! replayed state is told apart from an unknown one so the message can say what happened.
//! Starting a new sign-in for a profile cancels its previous one. [`PersistedLogin`] is the
//! keychain copy of a deep-link sign-in, for a callback that arrives after a restart.

use super::oauth::OAuthClient;
use crate::Sensitive;
use crate::deep_link::Rejection;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// States remembered after use, to recognise replays.
const USED_MEMORY: usize = 64;

/// One sign-in waiting for its callback.
#[derive(Debug)]
pub struct PendingLogin {
    pub profile_id: String,
    pub redirect_uri: String,
    pub verifier: Sensitive<String>,
    pub client: OAuthClient,
    pub started: Instant,
}

#[derive(Debug, Default)]
struct Table {
    pending: HashMap<String, PendingLogin>,
    used: VecDeque<String>,
}

#[derive(Debug, Default)]
pub struct PendingLogins {
    table: Mutex<Table>,
}

/// A fresh, unguessable `state` (128 random bits, URL-safe).
pub fn new_state() -> String {
    oauth2::CsrfToken::new_random().secret().clone()
}

impl PendingLogins {
    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a sign-in; any earlier one of the same profile is cancelled.
    pub fn insert(&self, state: String, login: PendingLogin) {
        let mut table = self.lock();
        table
            .pending
            .retain(|_, l| l.profile_id != login.profile_id);
        table.pending.insert(state, login);
    }

    /// Takes the sign-in `state` belongs to; it cannot be taken twice.
    pub fn take(&self, state: &str) -> Result<PendingLogin, Rejection> {
        let mut table = self.lock();
        let Some(login) = table.pending.remove(state) else {
            return Err(if table.used.iter().any(|s| s == state) {
                Rejection::ReplayedState
            } else {
                Rejection::UnknownState
            });
        };
        table.used.push_back(state.to_owned());
        if table.used.len() > USED_MEMORY {
            table.used.pop_front();
        }
        if login.started.elapsed() > LOGIN_TIMEOUT {
            return Err(Rejection::ExpiredState);
        }
        Ok(login)
    }

    /// Cancels the profile's sign-in; whether there was one.
    pub fn cancel(&self, profile_id: &str) -> bool {
        let mut table = self.lock();
        let before = table.pending.len();
        table.pending.retain(|_, l| l.profile_id != profile_id);
        table.pending.len() != before
    }

    /// Remembers `state` as used (a sign-in completed from its keychain copy).
    pub fn mark_used(&self, state: &str) {
        let mut table = self.lock();
        table.used.push_back(state.to_owned());
        if table.used.len() > USED_MEMORY {
            table.used.pop_front();
        }
    }

    pub fn is_pending(&self, profile_id: &str) -> bool {
        self.lock()
            .pending
            .values()
            .any(|l| l.profile_id == profile_id && l.started.elapsed() <= LOGIN_TIMEOUT)
    }
}

/// What survives a restart of a deep-link sign-in. Stored only as a keychain secret: the
/// verifier proves possession of the code.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistedLogin {
    pub state: String,
    pub verifier: String,
    pub redirect_uri: String,
    /// When the sign-in started, in milliseconds since 1970.
    pub started_ms: u64,
}

impl std::fmt::Debug for PersistedLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersistedLogin")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl PersistedLogin {
    pub fn new(state: &str, verifier: &Sensitive<String>, redirect_uri: &str) -> Self {
        Self {
            state: state.to_owned(),
            verifier: verifier.expose().clone(),
            redirect_uri: redirect_uri.to_owned(),
            started_ms: now_ms(),
        }
    }

    /// The keychain form.
    pub fn to_secret(&self) -> Sensitive<String> {
        Sensitive::new(serde_json::to_string(self).unwrap_or_default())
    }

    /// Reads the keychain form; `None` for anything unreadable (it is then ignored).
    pub fn from_secret(secret: &Sensitive<String>) -> Option<Self> {
        serde_json::from_str(secret.expose()).ok()
    }

    /// Whether the five minutes a sign-in may take have passed.
    pub fn is_expired(&self) -> bool {
        now_ms().saturating_sub(self.started_ms)
            > u64::try_from(LOGIN_TIMEOUT.as_millis()).unwrap_or(u64::MAX)
    }

    /// The verifier as a secret again (the persisted copy is dropped right after).
    pub fn verifier(&self) -> Sensitive<String> {
        Sensitive::new(self.verifier.clone())
    }
}

impl Drop for PersistedLogin {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.verifier.zeroize();
    }
}
