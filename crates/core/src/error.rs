//! The error shape that crosses IPC: `{ code, message }`.
//!
//! `ErrorCode` is deliberately small: the UI branches on it (show a sign-in button, a retry
//! button, a settings link…), so each variant must mean one distinct thing the user can do.
//! `message` is a complete, human sentence that says what happened and what to do next. It
//! never contains a token, secret, authorization code or callback URL.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure this is, for the UI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Something the user typed or chose is not valid; the message says what to change.
    InvalidInput,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The workspace needs a (new) sign-in.
    NotSignedIn,
    /// Signed in, but not allowed; the message names what access is missing.
    PermissionDenied,
    /// The workspace could not be reached: DNS, TLS, proxy, offline.
    Network,
    /// The workspace asked us to slow down; retrying later will work.
    RateLimited,
    /// The OS keychain is missing, locked or refused access.
    Keychain,
    /// A configuration or policy file is unreadable; the message names the file.
    Config,
    /// The workspace answered with an error that is not one of the above.
    Server,
    /// The user (or a timeout) cancelled the operation.
    Cancelled,
    /// The workspace does not offer this (a preview its admin has not turned on, an API it
    /// does not have); the message says who can change that.
    Unavailable,
    /// This computer's disk is full or cannot be written; the message says where, and how much
    /// room was needed.
    Disk,
    /// A bug in Brickdesk.
    Internal,
}

/// An error as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorInfo {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorInfo {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let err = ErrorInfo::new(ErrorCode::NotSignedIn, "Sign in again.");
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"code": "not_signed_in", "message": "Sign in again."})
        );
    }
}
