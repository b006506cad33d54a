//! An in-memory credential store for unit tests. It enforces Windows Credential Manager's
//! 2,560-byte limit on every value (as UTF-16, which is how that store encodes passwords), so
//! the vault's splitting is tested against the strictest real store, and it can be told to
//! fail like a locked keychain.

use super::{SecretStore, StoreError};
use crate::Sensitive;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Windows Credential Manager's `CRED_MAX_CREDENTIAL_BLOB_SIZE`.
pub const CREDENTIAL_BLOB_LIMIT: usize = 2560;

#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<BTreeMap<String, String>>,
    failure: Mutex<Option<StoreError>>,
}

impl MemoryStore {
    /// Every later call fails with `error` (or works again with `None`).
    pub fn fail_with(&self, error: Option<StoreError>) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = error;
    }

    /// The account names stored, for assertions.
    pub fn accounts(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<(), StoreError> {
        match &*self.failure.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, StoreError> {
        self.check()?;
        Ok(self.lock().get(account).cloned().map(Sensitive::new))
    }

    fn set(&self, account: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        if value.encode_utf16().count() * 2 > CREDENTIAL_BLOB_LIMIT {
            return Err(StoreError::TooLong);
        }
        self.lock().insert(account.to_owned(), value.to_owned());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        self.check()?;
        self.lock().remove(account);
        Ok(())
    }
}
