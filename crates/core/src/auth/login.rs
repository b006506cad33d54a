//! Sign-ins in flight: the pending-login table keyed by OAuth `state`.
//!
//! A callback is accepted only for a state this table issued, once, within five minutes; a
//! replayed state is told apart from an unknown one so the message can say what happened.
//! Starting a new sign-in for a profile cancels its previous one.

use super::oauth::OAuthClient;
use crate::Sensitive;
use crate::deep_link::Rejection;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

    pub fn is_pending(&self, profile_id: &str) -> bool {
        self.lock()
            .pending
            .values()
            .any(|l| l.profile_id == profile_id && l.started.elapsed() <= LOGIN_TIMEOUT)
    }
}
