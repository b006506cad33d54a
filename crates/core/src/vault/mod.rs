//! The keychain vault: where refresh tokens, client secrets and personal access tokens live.
//!
//! Boundary: secrets go to the OS credential store (Keychain, Credential Manager, Secret
//! Service) and nowhere else; there is no plaintext fallback. Entries are namespaced by
//! [`SERVICE`] (the keychain "service", `dev.brickdesk.app`; tests use their own) and named
//! `<profile>/<kind>`.
//! Values longer than Windows Credential Manager allows (2,560 bytes, UTF-16) are split over
//! several entries. Access tokens are never stored: they live in memory only.
//!
//! Each value is bound to the host and OAuth client it was issued for ([`Binding`]): a digest
//! of both is stored with it, and a read for another host or client finds nothing. Profiles
//! live in a file the user (or malware running as the user) can edit; changing a workspace's
//! host there must not send its refresh token, client secret or PAT to the new host. Values
//! stored before binding existed say nothing of their host, so none is adopted (that would
//! hand it to whatever host the file names at that moment): it is removed, and the user signs
//! in once more.
//!
//! A proxy sign-in the user saved lives beside them as `proxy/<host:port>`, bound to that
//! proxy.
//!
//! Where the OS keeps no credentials by policy (hardened Windows), sign-ins last for the run
//! in memory ([`session_only`]) and [`Vault::kept_for_this_run_only`] says so.

mod chunked;
mod keyring_store;
mod memory;
mod session_only;

pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;

use crate::proxy::{ProxyAddress, ProxyCredentials};
use crate::{ErrorCode, ErrorInfo, Sensitive};
use std::fmt;
use std::sync::Arc;

/// The keychain service every entry is under. It was the app identifier, and stays this name
/// now that the identifier changed ([`crate::renamed_dirs`]): sign-ins carry over.
pub const SERVICE: &str = "dev.brickdesk.app";

/// Whom a secret belongs to: a digest of the workspace host and OAuth client id.
#[derive(Clone, PartialEq, Eq)]
pub struct Binding(String);

impl Binding {
    /// The binding for `host` (its origin, e.g. `https://dbc-1.cloud.databricks.com`) and
    /// `client_id` (none for a personal access token).
    pub fn of(host: &str, client_id: Option<&str>) -> Self {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!(
            "{}\n{}",
            host.trim_end_matches('/').to_ascii_lowercase(),
            client_id.unwrap_or_default()
        ));
        Self(digest.iter().take(12).map(|b| format!("{b:02x}")).collect())
    }
}

impl fmt::Debug for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Binding({})", &self.0[..6])
    }
}

/// Marks a bound value: `brickdesk-bound-v1:<digest>:<secret>`.
const BOUND: &str = "brickdesk-bound-v1:";

/// Why the credential store refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No credential store is running or reachable (no Secret Service on this Linux session).
    Unavailable(String),
    /// The store is locked, or the user or OS denied access.
    Locked(String),
    /// A value is longer than the store accepts.
    TooLong,
    /// The OS keeps no credentials for this logon, by policy ("Do not allow storage of
    /// passwords and credentials for network authentication") or a `runas /netonly` session.
    NotKeptByPolicy(String),
    /// The user declined the OS's prompt to let Brickdesk use its item (macOS "Deny").
    Denied(String),
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
    store: Arc<session_only::SessionOnly>,
}

impl Vault {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self {
            store: Arc::new(session_only::SessionOnly::new(store)),
        }
    }

    /// Whether the OS refused to keep sign-ins, so that they last until Brickdesk quits.
    pub fn kept_for_this_run_only(&self) -> bool {
        self.store.engaged()
    }

    fn account(profile_id: &str, kind: SecretKind) -> String {
        format!("{profile_id}/{}", kind.as_str())
    }

    /// The `kind` secret of `profile_id`, if one is stored for `binding` (see the module
    /// docs); a secret bound to another host or client is not returned.
    pub fn read(
        &self,
        profile_id: &str,
        kind: SecretKind,
        binding: &Binding,
    ) -> Result<Option<Sensitive<String>>, ErrorInfo> {
        let Some(stored) = chunked::read(&*self.store, &Self::account(profile_id, kind))
            .map_err(keychain_error)?
        else {
            return Ok(None);
        };
        let Some(bound) = stored.expose().strip_prefix(BOUND) else {
            // Stored before secrets were bound: no record says which host it was for, so it
            // is not given to the host the profile names now. One more sign-in binds anew.
            tracing::warn!(
                profile = %profile_id,
                "a stored secret from before host binding is removed; sign in once more"
            );
            self.delete(profile_id, kind)?;
            return Ok(None);
        };
        match bound.split_once(':') {
            Some((digest, secret)) if digest == binding.0 => {
                Ok(Some(Sensitive::new(secret.to_owned())))
            }
            _ => {
                tracing::warn!(
                    profile = %profile_id,
                    "a stored secret belongs to another host or client; it is not used"
                );
                Ok(None)
            }
        }
    }

    /// Stores `value` as the `kind` secret of `profile_id`, bound to `binding`.
    pub fn write(
        &self,
        profile_id: &str,
        kind: SecretKind,
        value: &Sensitive<String>,
        binding: &Binding,
    ) -> Result<(), ErrorInfo> {
        let bound = Sensitive::new(format!("{BOUND}{}:{}", binding.0, value.expose()));
        chunked::write(
            &*self.store,
            &Self::account(profile_id, kind),
            bound.expose(),
        )
        .map_err(keychain_error)
    }

    /// Whether any secret is stored for `profile_id` (bound to whatever).
    pub fn has_any(&self, profile_id: &str) -> bool {
        self.stored(profile_id).unwrap_or(false)
    }

    /// [`Self::has_any`], or why the keychain could not say.
    pub fn stored(&self, profile_id: &str) -> Result<bool, ErrorInfo> {
        for kind in SecretKind::ALL {
            if chunked::read(&*self.store, &Self::account(profile_id, kind))
                .map_err(keychain_error)?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub fn delete(&self, profile_id: &str, kind: SecretKind) -> Result<(), ErrorInfo> {
        chunked::delete(&*self.store, &Self::account(profile_id, kind)).map_err(keychain_error)
    }

    fn proxy_account(proxy: &ProxyAddress) -> (String, Binding) {
        let authority = proxy.authority().to_ascii_lowercase();
        (
            format!("proxy/{authority}"),
            Binding::of(&format!("proxy://{authority}"), None),
        )
    }

    /// The user name and password the user saved for `proxy` (when it asked and neither
    /// policy nor the OS could answer). Entry `proxy/<host:port>`, bound to that proxy: a
    /// saved sign-in is never offered to another one.
    pub fn read_proxy(&self, proxy: &ProxyAddress) -> Result<Option<ProxyCredentials>, ErrorInfo> {
        let (account, binding) = Self::proxy_account(proxy);
        let Some(stored) = chunked::read(&*self.store, &account).map_err(keychain_error)? else {
            return Ok(None);
        };
        let value = stored
            .expose()
            .strip_prefix(BOUND)
            .and_then(|bound| bound.split_once(':'))
            .filter(|(digest, _)| *digest == binding.0)
            .and_then(|(_, pair)| pair.split_once('\n'));
        Ok(value.map(|(username, password)| ProxyCredentials {
            username: username.to_owned(),
            password: Sensitive::new(password.to_owned()),
        }))
    }

    pub fn write_proxy(
        &self,
        proxy: &ProxyAddress,
        credentials: &ProxyCredentials,
    ) -> Result<(), ErrorInfo> {
        let (account, binding) = Self::proxy_account(proxy);
        let bound = Sensitive::new(format!(
            "{BOUND}{}:{}\n{}",
            binding.0,
            credentials.username,
            credentials.password.expose()
        ));
        chunked::write(&*self.store, &account, bound.expose()).map_err(keychain_error)
    }

    pub fn delete_proxy(&self, proxy: &ProxyAddress) -> Result<(), ErrorInfo> {
        chunked::delete(&*self.store, &Self::proxy_account(proxy).0).map_err(keychain_error)
    }

    /// Deletes every secret of the profile (sign-out, removal).
    pub fn delete_all(&self, profile_id: &str) -> Result<(), ErrorInfo> {
        SecretKind::ALL
            .iter()
            .try_for_each(|kind| self.delete(profile_id, *kind))
    }
}

/// What the user is told when the OS keeps no sign-ins (see [`session_only`]).
pub const NOT_KEPT: &str = "Windows on this computer does not let apps keep sign-ins (the \
    security policy \"Network access: Do not allow storage of passwords and credentials for \
    network authentication\", or a runas /netonly session). You stay signed in until you \
    quit Brickdesk, and sign in again after that.";

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
        StoreError::NotKeptByPolicy(_) => NOT_KEPT.to_owned(),
        StoreError::Denied(_) => {
            "Brickdesk was not allowed to use its saved sign-in in your keychain (Deny was \
             chosen when macOS asked). Sign in again, and when macOS asks for your password \
             choose Always Allow."
                .to_owned()
        }
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
    fn a_saved_proxy_sign_in_is_kept_per_proxy_and_offered_to_no_other() {
        let store = Arc::new(MemoryStore::default());
        let vault = Vault::new(store.clone());
        let proxy = |host: &str, port| ProxyAddress {
            scheme: "http".into(),
            host: host.into(),
            port,
        };
        let credentials = ProxyCredentials {
            username: "CORP\\alice".into(),
            password: Sensitive::new("pa:ss\nword".into()),
        };
        vault
            .write_proxy(&proxy("Proxy.corp", 8080), &credentials)
            .expect("write");
        assert_eq!(store.accounts(), vec!["proxy/proxy.corp:8080".to_owned()]);
        let read = vault
            .read_proxy(&proxy("proxy.corp", 8080))
            .expect("read")
            .expect("saved");
        assert_eq!(read.username, "CORP\\alice");
        assert_eq!(read.password.expose(), "pa:ss\nword");
        assert!(
            vault
                .read_proxy(&proxy("proxy.corp", 3128))
                .expect("read")
                .is_none()
        );
        // An entry copied under another proxy's name is bound to the first, and not used.
        let copied = store
            .get("proxy/proxy.corp:8080")
            .expect("get")
            .expect("value");
        store
            .set("proxy/evil.example:8080", copied.expose())
            .expect("set");
        assert!(
            vault
                .read_proxy(&proxy("evil.example", 8080))
                .expect("read")
                .is_none()
        );
        vault
            .delete_proxy(&proxy("proxy.corp", 8080))
            .expect("delete");
        assert!(
            vault
                .read_proxy(&proxy("proxy.corp", 8080))
                .expect("read")
                .is_none()
        );
    }

    #[test]
    fn profiles_and_kinds_are_separate_entries_and_delete_all_clears_one_profile() {
        let store = Arc::new(MemoryStore::default());
        let vault = Vault::new(store.clone());
        let secret = |s: &str| Sensitive::new(s.to_owned());
        let b = Binding::of("https://h.example", Some("c"));
        vault
            .write("a", SecretKind::RefreshToken, &secret("r-a"), &b)
            .expect("write");
        vault
            .write("a", SecretKind::ClientSecret, &secret("c-a"), &b)
            .expect("write");
        vault
            .write("b", SecretKind::RefreshToken, &secret("r-b"), &b)
            .expect("write");
        vault.delete_all("a").expect("delete");
        assert_eq!(
            vault.read("a", SecretKind::RefreshToken, &b).expect("read"),
            None
        );
        assert_eq!(
            vault.read("a", SecretKind::ClientSecret, &b).expect("read"),
            None
        );
        assert_eq!(
            vault
                .read("b", SecretKind::RefreshToken, &b)
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
        let b = Binding::of("https://h.example", None);
        let error = vault
            .read("a", SecretKind::RefreshToken, &b)
            .expect_err("locked");
        assert_eq!(error.code, ErrorCode::Keychain);
        assert!(error.message.contains("Unlock"), "{}", error.message);
    }

    /// A profile whose host was edited in the settings file gets nothing: the secret stays
    /// with the host and client it was issued for.
    #[test]
    fn a_secret_is_only_read_back_for_its_own_host_and_client() {
        let store = Arc::new(MemoryStore::default());
        let vault = Vault::new(store.clone());
        let real = Binding::of("https://dbc-1.cloud.databricks.com", Some("brickdesk"));
        let token = Sensitive::new("refresh-token-value".to_owned());
        vault
            .write("p", SecretKind::RefreshToken, &token, &real)
            .expect("write");
        let attacker = Binding::of("https://evil.example", Some("brickdesk"));
        assert_eq!(
            vault
                .read("p", SecretKind::RefreshToken, &attacker)
                .expect("read"),
            None
        );
        let other_client = Binding::of("https://dbc-1.cloud.databricks.com", Some("other"));
        assert_eq!(
            vault
                .read("p", SecretKind::RefreshToken, &other_client)
                .expect("read"),
            None
        );
        assert_eq!(
            vault
                .read("p", SecretKind::RefreshToken, &real)
                .expect("read"),
            Some(token)
        );
        // Stored before binding: it names no host, so none gets it, whichever the profile
        // names now; it is removed and a sign-in binds anew.
        chunked::write(&*store, "q/personal-access-token", "dapi-old").expect("plant");
        assert!(vault.has_any("q"));
        let pat = Binding::of("https://attacker.example", None);
        assert_eq!(
            vault
                .read("q", SecretKind::PersonalAccessToken, &pat)
                .expect("read"),
            None,
            "an unbound secret is never adopted"
        );
        assert!(!vault.has_any("q"), "and it is gone");
        vault
            .write(
                "q",
                SecretKind::PersonalAccessToken,
                &Sensitive::new("dapi-new".into()),
                &pat,
            )
            .expect("write");
        assert!(vault.has_any("q") && !vault.has_any("nobody"));
    }
}
