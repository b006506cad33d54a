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
        Error::NoStorageAccess(detail) => refused(detail.to_string()),
        Error::NoDefaultStore => {
            StoreError::Unavailable("no credential store could be started".into())
        }
        Error::PlatformFailure(detail) => {
            let text = detail.to_string();
            // The Secret Service missing from the session bus is the common Linux case.
            if text.contains("org.freedesktop.secrets") || text.contains("ServiceUnknown") {
                StoreError::Unavailable(text)
            } else if declined(&text) {
                StoreError::Denied(text)
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

/// A refused access, by what the store said: Windows' "no logon session" is its policy
/// keeping no credentials (keyring's Windows store reports `ERROR_NO_SUCH_LOGON_SESSION` as
/// no storage access); a declined prompt is the user's choice; anything else is a lock.
fn refused(text: String) -> StoreError {
    if text.contains("NO_SUCH_LOGON_SESSION") || text.contains("1312") {
        StoreError::NotKeptByPolicy(text)
    } else if declined(&text) {
        StoreError::Denied(text)
    } else {
        StoreError::Locked(text)
    }
}

/// macOS's answers when the user chose Deny or Cancel at the keychain prompt
/// (`errSecUserCanceled` -128, `errSecAuthFailed` -25293, `errSecInteractionNotAllowed`
/// -25308), by code or by Security.framework's text.
fn declined(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["-128", "-25293", "-25308"]
        .iter()
        .any(|c| text.contains(c))
        || lower.contains("user canceled")
        || lower.contains("user cancelled")
        || lower.contains("interaction is not allowed")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_apart_by_what_the_store_said() {
        assert!(matches!(
            refused("Windows ERROR_NO_SUCH_LOGON_SESSION".into()),
            StoreError::NotKeptByPolicy(_)
        ));
        assert!(matches!(
            refused("The user canceled the operation. (-128)".into()),
            StoreError::Denied(_)
        ));
        assert!(matches!(
            refused("User interaction is not allowed.".into()),
            StoreError::Denied(_)
        ));
        assert!(matches!(
            refused("collection is locked".into()),
            StoreError::Locked(_)
        ));
    }
}
