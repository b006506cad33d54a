//! The OS credential store through `keyring` 4: Keychain on macOS, Credential Manager on
//! Windows, the Secret Service (GNOME Keyring, KWallet) on Linux.

use super::{SecretStore, StoreError};
use crate::Sensitive;
use keyring::Entry;
use keyring::Error;

/// Entries under the keychain service `service` (the app identifier).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// `service` namespaces every entry: the app identifier in the app, another in tests.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, StoreError> {
        Entry::new(&self.service, account).map_err(classify)
    }
}

fn classify(error: Error) -> StoreError {
    match error {
        Error::NoStorageAccess(detail) => StoreError::Locked(detail.to_string()),
        Error::NoDefaultStore => {
            StoreError::Unavailable("no credential store could be started".into())
        }
        Error::PlatformFailure(detail) => {
            let text = detail.to_string();
            // The Secret Service missing from the session bus is the common Linux case.
            if text.contains("org.freedesktop.secrets") || text.contains("ServiceUnknown") {
                StoreError::Unavailable(text)
            } else {
                StoreError::Failed(text)
            }
        }
        Error::TooLong(..) => StoreError::TooLong,
        // Neither of these carries secret bytes into the message: they are dropped here.
        Error::BadEncoding(_) | Error::BadDataFormat(..) => {
            StoreError::Failed("a stored value is not readable".into())
        }
        other => StoreError::Failed(other.to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, StoreError> {
        match self.entry(account)?.get_password() {
            Ok(value) => Ok(Some(Sensitive::new(value))),
            Err(Error::NoEntry) => Ok(None),
            Err(error) => Err(classify(error)),
        }
    }

    fn set(&self, account: &str, value: &str) -> Result<(), StoreError> {
        self.entry(account)?.set_password(value).map_err(classify)
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(error) => Err(classify(error)),
        }
    }
}
