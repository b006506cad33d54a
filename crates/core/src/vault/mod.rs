//! The keychain vault: where refresh tokens, client secrets and personal access tokens live.
//!
//! Boundary: secrets go to the OS credential store (Keychain, Credential Manager, Secret
//! Service) and nowhere else; there is no plaintext fallback. Entries are namespaced by the app
//! identifier (the keychain "service"; tests use their own) and named `<profile>/<kind>`.
//! Values longer than Windows Credential Manager allows (2,560 bytes, UTF-16) are split over
//! several entries. Access tokens are never stored: they live in memory only.

mod chunked;
mod keyring_store;
mod memory;

pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;

use crate::{ErrorCode, ErrorInfo, Sensitive};
use std::fmt;
use std::sync::Arc;

/// Why the credential store refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No credential store is running or reachable (no Secret Service on this Linux session).
    Unavailable(String),
    /// The store is locked, or the user or OS denied access.
    Locked(String),
    /// A value is longer than the store accepts.
    TooLong,
    /// Anything else the platform reported.
    Failed(String),
}

/// One credential store, addressed by account name within the app's namespace.
pub trait SecretStore: Send + Sync + fmt::Debug {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, StoreError>;
    fn set(&self, account: &str, value: &str) -> Result<(), StoreError>;
    /// Deletes the entry; a missing entry is not an error.
    fn delete(&self, account: &str) -> Result<(), StoreError>;
}

/// What a secret is, which names its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    RefreshToken,
    ClientSecret,
    PersonalAccessToken,
    /// A browser sign-in in flight (state and PKCE verifier), for a callback after a restart.
    PendingSignIn,
}

impl SecretKind {
    pub const ALL: [Self; 4] = [
        Self::RefreshToken,
        Self::ClientSecret,
        Self::PersonalAccessToken,
        Self::PendingSignIn,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::RefreshToken => "refresh-token",
            Self::ClientSecret => "client-secret",
            Self::PersonalAccessToken => "personal-access-token",
            Self::PendingSignIn => "pending-sign-in",
        }
    }
}

/// The app's secrets, per profile.
#[derive(Debug, Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
}

impl Vault {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self { store }
    }

    fn account(profile_id: &str, kind: SecretKind) -> String {
        format!("{profile_id}/{}", kind.as_str())
    }

    pub fn read(
        &self,
        profile_id: &str,
        kind: SecretKind,
    ) -> Result<Option<Sensitive<String>>, ErrorInfo> {
        chunked::read(&*self.store, &Self::account(profile_id, kind)).map_err(keychain_error)
    }

    pub fn write(
        &self,
        profile_id: &str,
        kind: SecretKind,
        value: &Sensitive<String>,
    ) -> Result<(), ErrorInfo> {
        chunked::write(
            &*self.store,
            &Self::account(profile_id, kind),
            value.expose(),
        )
        .map_err(keychain_error)
    }

    pub fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<(), ErrorInfo> {
        chunked::delete(&*self.store, &Self::account(profile_id, kind)).map_err(keychain_error)
    }

    /// Deletes every secret of the profile (sign-out, removal).
    pub fn delete_all(&self, profile_id: &str) -> Result<(), ErrorInfo> {
        SecretKind::ALL
            .iter()
            .try_for_each(|kind| self.delete(profile_id, *kind))
    }
}

/// The user-facing error for a store failure: what happened and what to do about it.
pub fn keychain_error(error: StoreError) -> ErrorInfo {
    let message = match error {
        StoreError::Unavailable(detail) => format!(
            "Brickdesk keeps your sign-in in the system keychain, and none is available ({detail}). \
             On Linux, install and start a Secret Service provider such as GNOME Keyring or \
             KWallet, then try again. Brickdesk never stores sign-ins in plain files."
        ),
        StoreError::Locked(detail) => format!(
            "The system keychain is locked or refused access ({detail}). Unlock it (on macOS, \
             Keychain Access; on Linux, your login keyring) and allow Brickdesk, then try again."
        ),
        StoreError::TooLong => {
            "The system keychain refused a value because it is too long. Please report this to \
             your IT department."
                .to_owned()
        }
        StoreError::Failed(detail) => {
            format!(
                "The system keychain reported an error: {detail}. Try again, or restart the computer if it persists."
            )
        }
    };
    ErrorInfo::new(ErrorCode::Keychain, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_and_kinds_are_separate_entries_and_delete_all_clears_one_profile() {
        let store = Arc::new(MemoryStore::default());
        let vault = Vault::new(store.clone());
        let secret = |s: &str| Sensitive::new(s.to_owned());
        vault
            .write("a", SecretKind::RefreshToken, &secret("r-a"))
            .expect("write");
        vault
            .write("a", SecretKind::ClientSecret, &secret("c-a"))
            .expect("write");
        vault
            .write("b", SecretKind::RefreshToken, &secret("r-b"))
            .expect("write");
        vault.delete_all("a").expect("delete");
        assert_eq!(
            vault.read("a", SecretKind::RefreshToken).expect("read"),
            None
        );
        assert_eq!(
            vault.read("a", SecretKind::ClientSecret).expect("read"),
            None
        );
        assert_eq!(
            vault
                .read("b", SecretKind::RefreshToken)
                .expect("read")
                .map(|s| s.expose().clone()),
            Some("r-b".into())
        );
    }

    #[test]
    fn store_failures_become_keychain_errors_with_what_to_do() {
        let store = Arc::new(MemoryStore::default());
        store.fail_with(Some(StoreError::Locked("collection is locked".into())));
        let vault = Vault::new(store);
        let error = vault
            .read("a", SecretKind::RefreshToken)
            .expect_err("locked");
        assert_eq!(error.code, ErrorCode::Keychain);
        assert!(error.message.contains("Unlock"), "{}", error.message);
    }
}
