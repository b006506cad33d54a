//! A wrapper for secrets (tokens, refresh tokens, client secrets, authorization codes).
//!
//! `Sensitive<T>` prints as `<redacted>` under `Debug`, has no `Display`, and deliberately
//! implements neither `Serialize` nor `specta::Type`, so a secret cannot reach the webview,
//! a log line or an error message by accident: doing so is a compile error. It can be
//! deserialized, so secrets that arrive in API answers (external links and their headers) are
//! wrapped from the moment they are read. The value is zeroed when dropped.

use std::fmt;
use zeroize::Zeroize;

/// A secret value that only code asking for it by name (`expose`) can read.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Reads the secret. Call sites are easy to audit with `grep expose`.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::new)
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Sensitive::new(String::from("dapi-very-secret"));
        let printed = format!("{secret:?} {:#?}", Some(&secret));
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("<redacted>"));
        assert_eq!(secret.expose(), "dapi-very-secret");
    }
}
