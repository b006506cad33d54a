//! Workspace host URLs: parsing, normalising, and the TLS rule.
//!
//! A host is an origin (`https://dbc-123.cloud.databricks.com`): no path, query, fragment or
//! credentials (an address pasted with them is cut back to its origin). Plain `http://` is
//! accepted only for loopback addresses, which is how the local emulator runs; every real
//! workspace needs TLS so tokens never cross a network in clear text.
//!
//! One host may serve many workspaces (an account's custom URL, a "unified host"): the address
//! the browser shows then names the workspace in its query (`?o=<workspace id>`), and
//! [`WorkspaceAddress`] keeps that id while the host is cut back to its origin.

use crate::{ErrorCode, ErrorInfo};
use std::fmt;
use std::net::IpAddr;
use url::Url;

/// A validated workspace origin, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkspaceHost(Url);

impl WorkspaceHost {
    /// Parses what a user typed or pasted. A bare name gets `https://`; a path, query or
    /// fragment after the host is dropped. Anything else is rejected with a sentence saying
    /// why.
    pub fn parse(input: &str) -> Result<Self, ErrorInfo> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(invalid(
                "Enter the workspace URL, for example https://dbc-1234.cloud.databricks.com.",
            ));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme)
            .map_err(|_| invalid(format!("\u{201c}{trimmed}\u{201d} is not a valid URL.")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(invalid(
                    "Workspace URLs must start with https://. Plain http:// is only allowed for a \
                     local test workspace on this computer (127.0.0.1 or localhost).",
                ));
            }
            other => {
                return Err(invalid(format!(
                    "Workspace URLs must start with https://, not {other}://."
                )));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("The workspace URL has no host name."));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "Remove the user name or password from the workspace URL.",
            ));
        }
        // What follows the host is dropped, as the Go SDK and the CLI do (`fixHostIfNeeded`,
        // `ExtractHostQueryParams`): an address copied from the browser (`/browse`, `#…`)
        // names the same host. The workspace id in its query is read by `WorkspaceAddress`.
        let mut url = url;
        url.set_path("/");
        url.set_query(None);
        url.set_fragment(None);
        Ok(Self(url))
    }

    /// The origin as a string, e.g. `https://dbc-1.cloud.databricks.com` (no trailing slash).
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// Joins an absolute API path such as `/api/2.0/sql/warehouses`.
    /// The URL of `path` on this host; a `?query` in `path` becomes the URL's query (rather
    /// than being escaped into the path).
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        let (path, query) = path
            .split_once('?')
            .map_or((path, None), |(p, q)| (p, Some(q)));
        url.set_path(path);
        url.set_query(query);
        url
    }

    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.0)
    }
}

impl fmt::Display for WorkspaceHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A workspace id as `X-Databricks-Workspace-Id` carries it: letters, digits, `-` and `_`, at
/// most 64 (a classic numeric id, or the opaque id `?w=` may carry).
pub fn valid_workspace_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a pasted workspace address names: the host, and the workspace and account ids its
/// query carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceAddress {
    pub host: WorkspaceHost,
    pub workspace_id: Option<String>,
    pub account_id: Option<String>,
}

impl WorkspaceAddress {
    /// Parses an address as [`WorkspaceHost::parse`] does, keeping the ids its query names as
    /// databricks-sdk-go's `fixHostIfNeeded` reads them: the workspace from `?w=` (any id),
    /// else `?o=`, else `?workspace_id=` (both numeric only); the account from `?a=`, else
    /// `?account_id=`. (The CLI's `ExtractHostQueryParams` prefers `?o=` to `?w=`; an address
    /// with both, differing, names no real workspace.) Values that are not ids are ignored.
    pub fn parse(input: &str) -> Result<Self, ErrorInfo> {
        let host = WorkspaceHost::parse(input)?;
        let trimmed = input.trim();
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let pairs: Vec<(String, String)> = Url::parse(&with_scheme)
            .map(|url| url.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let first = |key: &str, numeric: bool| {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.trim())
                .find(|v| {
                    valid_workspace_id(v) && (!numeric || v.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(str::to_owned)
        };
        Ok(Self {
            host,
            workspace_id: first("w", false)
                .or_else(|| first("o", true))
                .or_else(|| first("workspace_id", true)),
            account_id: first("a", false).or_else(|| first("account_id", false)),
        })
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn invalid(message: impl Into<String>) -> ErrorInfo {
    ErrorInfo::new(ErrorCode::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_https_and_normalises() {
        for input in [
            "dbc-1.cloud.databricks.com",
            "https://dbc-1.cloud.databricks.com",
            "  https://dbc-1.cloud.databricks.com/ ",
            "HTTPS://DBC-1.cloud.databricks.com",
        ] {
            let host = WorkspaceHost::parse(input).expect(input);
            assert_eq!(
                host.as_str(),
                "https://dbc-1.cloud.databricks.com",
                "{input}"
            );
        }
    }

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8787",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.1.2.3",
        ] {
            assert!(WorkspaceHost::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://dbc-1.cloud.databricks.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            let err = WorkspaceHost::parse(bad).expect_err(bad);
            assert_eq!(err.code, ErrorCode::InvalidInput);
            assert!(err.message.contains("https://"), "{}", err.message);
        }
    }

    #[test]
    fn an_address_copied_from_the_browser_names_its_workspace() {
        for pasted in [
            "https://adb-1234567890123456.7.azuredatabricks.net/?o=1234567890123456",
            "https://adb-1234567890123456.7.azuredatabricks.net?o=1234567890123456#",
            "adb-1234567890123456.7.azuredatabricks.net/browse?o=1234567890123456",
            "https://adb-1234567890123456.7.azuredatabricks.net/sql/editor#tab",
        ] {
            assert_eq!(
                WorkspaceHost::parse(pasted).expect(pasted).as_str(),
                "https://adb-1234567890123456.7.azuredatabricks.net",
                "{pasted}"
            );
        }
    }

    #[test]
    fn an_address_keeps_the_workspace_its_query_names() {
        let parsed = |input: &str| WorkspaceAddress::parse(input).expect(input);
        let unified = parsed("https://acme.cloud.databricks.com/?o=1234567890123456");
        assert_eq!(unified.host.as_str(), "https://acme.cloud.databricks.com");
        assert_eq!(unified.workspace_id.as_deref(), Some("1234567890123456"));
        assert_eq!(
            parsed("acme.cloud.databricks.com/sql/editor?o=42#tab")
                .workspace_id
                .as_deref(),
            Some("42")
        );
        assert_eq!(
            parsed("https://acme.example/?workspace_id=7&a=acct-1")
                .workspace_id
                .as_deref(),
            Some("7")
        );
        assert_eq!(
            parsed("https://acme.example/?workspace_id=7&a=acct-1")
                .account_id
                .as_deref(),
            Some("acct-1")
        );
        // `?w=` takes an opaque id and comes first, as in databricks-sdk-go.
        assert_eq!(
            parsed("https://acme.example/?o=1&w=conn-9")
                .workspace_id
                .as_deref(),
            Some("conn-9")
        );
        for none in [
            "https://dbc-1.cloud.databricks.com",
            "https://acme.example/?o=not-a-number",
            "https://acme.example/?o=",
            "https://acme.example/?w=a%0Ab",
            "https://acme.example/?w=has%20space",
        ] {
            assert_eq!(parsed(none).workspace_id, None, "{none}");
        }
    }

    #[test]
    fn rejects_credentials_and_other_schemes() {
        for bad in [
            "",
            "https://user:pw@dbc-1.cloud.databricks.com",
            "ftp://dbc-1.cloud.databricks.com",
            "https://",
        ] {
            assert!(WorkspaceHost::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn joins_api_paths() {
        let host = WorkspaceHost::parse("http://127.0.0.1:8787").expect("valid");
        assert_eq!(
            host.join("/api/2.0/sql/warehouses").as_str(),
            "http://127.0.0.1:8787/api/2.0/sql/warehouses"
        );
        assert_eq!(
            host.join("/api/2.0/sql/warehouses?page_token=a%2Bb")
                .as_str(),
            "http://127.0.0.1:8787/api/2.0/sql/warehouses?page_token=a%2Bb",
            "a query stays a query"
        );
    }
}
