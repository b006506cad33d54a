//! When the OS refuses to keep any credential by policy, sign-ins last for this run.
//!
//! Hardened Windows baselines set "Network access: Do not allow storage of passwords and
//! credentials for network authentication", and a `runas /netonly` session has no logon
//! session of its own: Credential Manager then refuses every write
//! (`ERROR_NO_SUCH_LOGON_SESSION`). Failing every sign-in there would leave the user no way
//! in at all, so from the first such refusal the secrets of this run are kept in this
//! process's memory (never a file), and [`SessionOnly::engaged`] lets the app tell the user
//! they will sign in again after quitting. Any other store error is passed on unchanged.

use super::memory::MemoryStore;
use super::{SecretStore, StoreError};
use crate::Sensitive;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug)]
pub struct SessionOnly {
    os: Arc<dyn SecretStore>,
    memory: MemoryStore,
    engaged: AtomicBool,
}

impl SessionOnly {
    pub fn new(os: Arc<dyn SecretStore>) -> Self {
        Self {
            os,
            memory: MemoryStore::default(),
            engaged: AtomicBool::new(false),
        }
    }

    /// Whether the OS refused to keep a secret and this run's are in memory.
    pub fn engaged(&self) -> bool {
        self.engaged.load(Ordering::Relaxed)
    }
}

impl SessionOnly {
    /// From the OS's first "keeps nothing here" on, this run's secrets are in memory.
    fn engage(&self, detail: &str) {
        if !self.engaged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the OS keeps no credentials here ({detail}); sign-ins last for this run"
            );
        }
    }
}

impl SecretStore for SessionOnly {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, StoreError> {
        if self.engaged()
            && let Some(value) = self.memory.get(account)?
        {
            return Ok(Some(value));
        }
        // What the OS kept before the policy came (if it still lets us read), else none.
        match self.os.get(account) {
            Err(StoreError::NotKeptByPolicy(detail)) => {
                self.engage(&detail);
                self.memory.get(account)
            }
            other => other,
        }
    }

    fn set(&self, account: &str, value: &str) -> Result<(), StoreError> {
        if !self.engaged() {
            match self.os.set(account, value) {
                Err(StoreError::NotKeptByPolicy(detail)) => self.engage(&detail),
                other => return other,
            }
        }
        self.memory.set(account, value)
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        self.memory.delete(account)?;
        match self.os.delete(account) {
            Err(StoreError::NotKeptByPolicy(detail)) => {
                self.engage(&detail);
                Ok(())
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_keeps_nothing_by_policy_keeps_this_run_in_memory_only() {
        let os = Arc::new(MemoryStore::default());
        os.set("a/refresh-token", "kept-before").expect("set");
        let store = SessionOnly::new(os.clone());
        os.fail_with(Some(StoreError::NotKeptByPolicy(
            "Windows ERROR_NO_SUCH_LOGON_SESSION".into(),
        )));
        assert!(!store.engaged());
        store
            .set("b/refresh-token", "this-run")
            .expect("kept in memory");
        assert!(store.engaged());
        assert_eq!(
            store
                .get("b/refresh-token")
                .expect("get")
                .map(|v| v.expose().to_owned()),
            Some("this-run".to_owned())
        );
        assert!(store.get("a/refresh-token").expect("get").is_none());
        store.delete("b/refresh-token").expect("deleted");
        assert!(store.get("b/refresh-token").expect("get").is_none());
        // Nothing reached the OS store.
        os.fail_with(None);
        assert_eq!(os.accounts(), ["a/refresh-token"]);
    }

    #[test]
    fn other_store_errors_are_not_turned_into_memory() {
        let os = Arc::new(MemoryStore::default());
        os.fail_with(Some(StoreError::Locked("collection is locked".into())));
        let store = SessionOnly::new(os);
        assert_eq!(
            store.set("a/refresh-token", "x"),
            Err(StoreError::Locked("collection is locked".into()))
        );
        assert!(!store.engaged());
    }
}
