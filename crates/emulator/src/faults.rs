//! Fault injection: rules that match requests by method and path pattern and make them fail
//! in the ways real workspaces do: latency, 429/5xx with `Retry-After`, a connection dropped
//! in the middle of the body, an expired access token (401 or 403), and faults that the routes
//! themselves apply (a warehouse that fails to start, a revoked refresh token, an expired
//! external link, a Genie message that fails or is cancelled).
//!
//! Rules come from the config file (`faults`) or `POST /__emulator/faults`, and apply to the
//! next `count` matching requests, or for `for_secs` seconds, or (neither) until cleared.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One rule, as configured or posted.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Path pattern; `*` matches any run of characters (`/api/2.0/sql/statements/*`).
    pub path: String,
    /// Only this method (`GET`, `POST`, …); any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    pub fault: Fault,
    /// Apply to this many matching requests, then retire.
    #[serde(default)]
    pub count: Option<u32>,
    /// Apply for this many seconds from when the rule is added.
    #[serde(default)]
    pub for_secs: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Wait, then answer normally.
    Latency { ms: u64 },
    /// Answer with this status (429, 500, 503, …) and a Databricks error body.
    Status {
        status: u16,
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// Send the headers and the first `after_bytes` of the body, then close the connection.
    DropConnection {
        #[serde(default)]
        after_bytes: usize,
    },
    /// Treat the bearer token as expired: 401, or 403 "Invalid access token.".
    ExpiredToken { status: u16 },
    /// `POST …/warehouses/{id}/start` is accepted, then the warehouse fails and stops.
    WarehouseStartFailure,
    /// An external result link (`/__files/…`) answers as an expired presigned URL.
    ExpiredLink,
    /// A refresh-token grant at the token endpoint fails, and the refresh token is revoked (as
    /// when an admin revokes the app's tokens). The answer is the real one, HTTP 400
    /// `invalid_request` "Refresh token is invalid" (databricks/cli#1434), unless `error`
    /// (`invalid_grant`, as in databricks/cli#6224) or `status` (401, as the CLI's own test
    /// server answers) say otherwise.
    RevokedRefreshToken {
        #[serde(default)]
        error: Option<RefreshError>,
        #[serde(default)]
        status: Option<u16>,
    },
    /// A Genie question (start-conversation or create-message) is accepted, then its message
    /// ends `FAILED` with this `MessageErrorType` (and message text, if given).
    GenieMessageFailure {
        error_type: String,
        #[serde(default)]
        message: Option<String>,
    },
    /// A Genie question is accepted, then its message ends `CANCELLED`.
    GenieMessageCancelled,
    /// `…/query-result` answers with its statement in this state (`FAILED`, `CANCELED`,
    /// `CLOSED`, `RUNNING`) instead of the real one, as a result can be on a real workspace
    /// (databricks-ai-bridge's Genie client handles each).
    GenieResultState { state: String },
    /// A Genie One or Agent mode response stream ends after this many events, before its
    /// terminal one: cleanly (the body ends) or `abrupt`ly (the connection is reset). The
    /// response itself goes on, as a real one does when its client disconnects.
    StreamCut {
        after_events: u32,
        #[serde(default)]
        abrupt: bool,
    },
    /// A Genie One or Agent mode response ends with `response.failed` after its first step,
    /// with this error code and message.
    ResponseFailed {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
}

impl Fault {
    /// Faults the HTTP layer applies; the others are applied by the routes they concern.
    pub fn is_transport(&self) -> bool {
        !matches!(
            self,
            Self::WarehouseStartFailure
                | Self::ExpiredLink
                | Self::RevokedRefreshToken { .. }
                | Self::GenieMessageFailure { .. }
                | Self::GenieMessageCancelled
                | Self::GenieResultState { .. }
                | Self::StreamCut { .. }
                | Self::ResponseFailed { .. }
        )
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Latency { .. } => "latency",
            Self::Status { .. } => "status",
            Self::DropConnection { .. } => "drop_connection",
            Self::ExpiredToken { .. } => "expired_token",
            Self::WarehouseStartFailure => "warehouse_start_failure",
            Self::ExpiredLink => "expired_link",
            Self::RevokedRefreshToken { .. } => "revoked_refresh_token",
            Self::GenieMessageFailure { .. } => "genie_message_failure",
            Self::GenieMessageCancelled => "genie_message_cancelled",
            Self::GenieResultState { .. } => "genie_result_state",
            Self::StreamCut { .. } => "stream_cut",
            Self::ResponseFailed { .. } => "response_failed",
        }
    }
}

/// The `error` code of a refused refresh (the description is always "Refresh token is invalid").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshError {
    InvalidRequest,
    InvalidGrant,
}

impl RefreshError {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidGrant => "invalid_grant",
        }
    }
}

#[derive(Debug)]
struct Active {
    rule: FaultRule,
    remaining: Option<u32>,
    until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<Active>>,
}

impl Faults {
    pub fn new(rules: &[FaultRule]) -> Self {
        let faults = Self::default();
        rules.iter().cloned().for_each(|rule| faults.add(rule));
        faults
    }

    pub fn add(&self, rule: FaultRule) {
        let until = rule
            .for_secs
            .map(|secs| Instant::now() + Duration::from_secs(secs));
        let remaining = rule.count;
        self.lock().push(Active {
            rule,
            remaining,
            until,
        });
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn list(&self) -> Vec<FaultRule> {
        self.lock()
            .iter()
            .map(|active| active.rule.clone())
            .collect()
    }

    /// The first live rule matching the request whose fault satisfies `wanted`; consumes one
    /// use of it.
    pub fn take(&self, method: &str, path: &str, wanted: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let mut rules = self.lock();
        let now = Instant::now();
        rules.retain(|active| {
            active.remaining != Some(0) && active.until.is_none_or(|until| now < until)
        });
        let active = rules.iter_mut().find(|active| {
            wanted(&active.rule.fault)
                && active
                    .rule
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && matches_pattern(&active.rule.path, path)
        })?;
        if let Some(remaining) = &mut active.remaining {
            *remaining -= 1;
        }
        Some(active.rule.fault.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Active>> {
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// `*` matches any run of characters, everything else matches itself.
pub fn matches_pattern(pattern: &str, path: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == path;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !path.starts_with(first) || path.len() < first.len() + last.len() || !path.ends_with(last) {
        return false;
    }
    let mut rest = &path[first.len()..path.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches_pattern(
            "/api/2.0/sql/statements",
            "/api/2.0/sql/statements"
        ));
        assert!(!matches_pattern(
            "/api/2.0/sql/statements",
            "/api/2.0/sql/statements/1"
        ));
        assert!(matches_pattern(
            "/api/2.0/sql/statements/*",
            "/api/2.0/sql/statements/1/result/chunks/2"
        ));
        assert!(matches_pattern(
            "/api/*/chunks/*",
            "/api/2.0/sql/statements/1/result/chunks/2"
        ));
        assert!(!matches_pattern(
            "/api/*/chunks/*",
            "/api/2.0/sql/statements/1"
        ));
        assert!(matches_pattern("*", "/anything"));
    }

    #[test]
    fn counts_and_methods() {
        let faults = Faults::new(&[FaultRule {
            path: "/x/*".into(),
            method: Some("POST".into()),
            fault: Fault::Status {
                status: 503,
                retry_after_secs: Some(1),
            },
            count: Some(2),
            for_secs: None,
        }]);
        let any = |_: &Fault| true;
        assert!(
            faults.take("GET", "/x/1", any).is_none(),
            "method must match"
        );
        assert!(faults.take("POST", "/x/1", any).is_some());
        assert!(faults.take("post", "/x/2", any).is_some());
        assert!(faults.take("POST", "/x/3", any).is_none(), "used up");
        assert!(faults.list().is_empty());
    }

    #[test]
    fn time_windows_expire() {
        let faults = Faults::new(&[FaultRule {
            path: "*".into(),
            method: None,
            fault: Fault::Latency { ms: 1 },
            count: None,
            for_secs: Some(0),
        }]);
        assert!(faults.take("GET", "/", |_| true).is_none());
    }
}
