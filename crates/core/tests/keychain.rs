//! The vault against the real OS keychain (on Linux the Secret Service, i.e. gnome-keyring).
//!
//! Ignored in a plain `cargo test`, which may run where no keychain exists; the test command
//! runs it with `--ignored` inside a throwaway desktop session with an unlocked gnome-keyring
//! (`scripts/lib/desktop-session.sh`), so it never touches a developer's own keyring.

use brickdesk_core::Sensitive;
use brickdesk_core::vault::{Binding, KeyringStore, SecretKind, Vault};
use std::sync::Arc;

const SERVICE: &str = "dev.brickdesk.app.test";

#[test]
#[ignore = "needs a Secret Service; scripts/test.sh runs it in a keyring session"]
fn secrets_round_trip_through_the_real_keychain_and_sign_out_removes_them() {
    let vault = Vault::new(Arc::new(KeyringStore::new(SERVICE)));
    let profile = format!("keychain-test-{}", std::process::id());
    // Longer than Windows allows in one entry, so the split path runs on the real store too.
    let long = Sensitive::new("r".repeat(3_000));
    let binding = Binding::of("https://dbc-1.cloud.databricks.com", Some("brickdesk"));
    vault
        .write(&profile, SecretKind::RefreshToken, &long, &binding)
        .expect("write to the keychain");
    vault
        .write(
            &profile,
            SecretKind::ClientSecret,
            &Sensitive::new("s3cret".into()),
            &binding,
        )
        .expect("write to the keychain");
    let read = vault
        .read(&profile, SecretKind::RefreshToken, &binding)
        .expect("read from the keychain")
        .expect("present");
    assert_eq!(read.expose().len(), 3_000);
    assert_eq!(read, long);

    // Another app identifier sees nothing: entries are namespaced.
    let other = Vault::new(Arc::new(KeyringStore::new("dev.brickdesk.app.other-test")));
    assert_eq!(
        other
            .read(&profile, SecretKind::RefreshToken, &binding)
            .expect("read"),
        None
    );

    vault.delete_all(&profile).expect("delete");
    for kind in SecretKind::ALL {
        assert_eq!(
            vault.read(&profile, kind, &binding).expect("read"),
            None,
            "{kind:?} is gone"
        );
    }
    // Deleting what is not there is not an error.
    vault.delete_all(&profile).expect("idempotent");
}
