//! Splitting long secrets over several entries, so no entry exceeds the strictest store's
//! limit (Windows: 2,560 bytes of UTF-16, i.e. 1,280 characters).
//!
//! The first entry holds `<count>:<first part>`; parts 2..=count live in `<account>#<n>`.
//! Writing removes parts a longer previous value left behind.

use super::{SecretStore, StoreError};
use crate::Sensitive;

/// UTF-16 units per entry (what Windows counts: a character outside the Basic Multilingual
/// Plane is two), with room for the `<count>:` prefix under 1,280.
const PART_UNITS: usize = 1_000;

/// `value` cut into parts of at most [`PART_UNITS`] UTF-16 units, never inside a character.
fn parts(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut units = 0;
    for c in value.chars() {
        if units + c.len_utf16() > PART_UNITS {
            parts.push(String::new());
            units = 0;
        }
        units += c.len_utf16();
        parts.last_mut().expect("one part at least").push(c);
    }
    parts
}

fn part_account(account: &str, n: usize) -> String {
    format!("{account}#{n}")
}

pub fn write(store: &dyn SecretStore, account: &str, value: &str) -> Result<(), StoreError> {
    let parts = parts(value);
    let previous = count(store, account)?;
    // Continuation parts first: a reader never sees a head that points at missing parts.
    for (n, part) in parts.iter().enumerate().skip(1) {
        store.set(&part_account(account, n + 1), part)?;
    }
    store.set(account, &format!("{}:{}", parts.len(), parts[0]))?;
    for n in parts.len() + 1..=previous {
        store.delete(&part_account(account, n))?;
    }
    Ok(())
}

/// How many parts the stored value has (0 when there is none).
fn count(store: &dyn SecretStore, account: &str) -> Result<usize, StoreError> {
    Ok(store
        .get(account)?
        .and_then(|head| {
            head.expose()
                .split_once(':')
                .and_then(|(n, _)| n.parse().ok())
        })
        .unwrap_or(0))
}

pub fn read(
    store: &dyn SecretStore,
    account: &str,
) -> Result<Option<Sensitive<String>>, StoreError> {
    let Some(head) = store.get(account)? else {
        return Ok(None);
    };
    let Some((count, first)) = head.expose().split_once(':') else {
        return Err(StoreError::Failed(
            "a stored secret has an unknown format".into(),
        ));
    };
    let count: usize = count
        .parse()
        .map_err(|_| StoreError::Failed("a stored secret has an unknown format".into()))?;
    let mut value = String::from(first);
    for n in 2..=count {
        match store.get(&part_account(account, n))? {
            Some(part) => value.push_str(part.expose()),
            None => {
                return Err(StoreError::Failed(
                    "part of a stored secret is missing".into(),
                ));
            }
        }
    }
    Ok(Some(Sensitive::new(value)))
}

pub fn delete(store: &dyn SecretStore, account: &str) -> Result<(), StoreError> {
    let parts = count(store, account)?;
    store.delete(account)?;
    for n in 2..=parts {
        store.delete(&part_account(account, n))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MemoryStore;

    #[test]
    fn long_values_fit_the_windows_limit_and_shrink_cleanly() {
        let store = MemoryStore::default();
        let long: String = "é".repeat(2_500) + &"x".repeat(1_234);
        write(&store, "p/refresh-token", &long).expect("split over entries");
        assert_eq!(store.accounts().len(), 4);
        assert_eq!(
            read(&store, "p/refresh-token")
                .expect("read")
                .map(|s| s.expose().clone()),
            Some(long)
        );
        write(&store, "p/refresh-token", "short").expect("write");
        assert_eq!(
            store.accounts(),
            ["p/refresh-token"],
            "old parts are removed"
        );
        assert_eq!(
            read(&store, "p/refresh-token")
                .expect("read")
                .map(|s| s.expose().clone()),
            Some("short".into())
        );
        delete(&store, "p/refresh-token").expect("delete");
        assert!(store.accounts().is_empty());
        assert_eq!(read(&store, "p/refresh-token").expect("read"), None);
    }

    #[test]
    fn characters_windows_counts_twice_still_fit() {
        let store = MemoryStore::default();
        // Each is two UTF-16 units: 1,000 characters per part would be 2,000 units.
        let wide: String = "🔑".repeat(1_500);
        write(&store, "p/client-secret", &wide).expect("fits Windows' limit");
        assert_eq!(store.accounts().len(), 3);
        assert_eq!(
            read(&store, "p/client-secret")
                .expect("read")
                .map(|s| s.expose().clone()),
            Some(wide)
        );
    }

    #[test]
    fn the_memory_store_enforces_the_limit_itself() {
        let store = MemoryStore::default();
        assert_eq!(store.set("a", &"x".repeat(1_281)), Err(StoreError::TooLong));
        assert_eq!(store.set("a", &"x".repeat(1_280)), Ok(()));
    }
}
