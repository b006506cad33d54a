//! Authenticated REST calls to a workspace: the bearer token from the profile's session,
//! one refresh-and-retry when the workspace says the token is invalid (401, or 403 "Invalid
//! access token"), waiting out 429/503 `Retry-After` (the request was not accepted, so
//! repeating it cannot duplicate it), and Databricks error bodies turned into `ErrorInfo`; a
//! token without the scope a call needs is explained in plain words.
//!
//! On a host that serves several workspaces every call names its workspace in
//! `X-Databricks-Workspace-Id` (databricks-sdk-go and -py add it to every workspace-level
//! call; databricks/cli `libs/auth/headers.go`). Downloads from cloud storage never go through
//! here, so the header (like the token) never reaches them.

use crate::auth::session::Session;
use crate::host::WorkspaceHost;
use crate::http_body::{self, BodyError};
use crate::net::transport_error;
use crate::{ErrorCode, ErrorInfo};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How many times a throttled request is retried, and the longest single wait.
const THROTTLE_RETRIES: u32 = 3;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The header that routes a call to one workspace of a unified host (it replaced
/// `X-Databricks-Org-Id`, databricks-sdk-go PR #1688).
pub const WORKSPACE_HEADER: &str = "X-Databricks-Workspace-Id";

#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    host: WorkspaceHost,
    session: Arc<Session>,
    /// The workspace id, on a host that serves several.
    workspace_id: Option<reqwest::header::HeaderValue>,
    /// Whether statements ask for LZ4-compressed results.
    compressed_results: bool,
}

/// A non-2xx answer: status, the body's `error_code` (string or number) and `message`.
struct Refusal {
    status: StatusCode,
    code: String,
    message: String,
}

impl Refusal {
    fn parse(status: StatusCode, body: &[u8]) -> Self {
        let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let code = match &value["error_code"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        // An empty message is no message: a 500 `{"error_code":"INTERNAL_ERROR","message":""}`
        // was seen live (databricks/cli `acceptance/genie/ask-request-drift`), and must not
        // read as a blank.
        let said = |key: &str| value[key].as_str().filter(|m| !m.trim().is_empty());
        let message = said("message").or_else(|| said("error")).map_or_else(
            || {
                format!(
                    "HTTP {}{}, with no details",
                    status.as_u16(),
                    status
                        .canonical_reason()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default()
                )
            },
            http_body::cut,
        );
        Self {
            status,
            code,
            message,
        }
    }

    /// The scopes named by a refusal for scope: real workspaces answer 403
    /// `{"error_code":403,"message":"Provided OAuth token does not have required scopes:
    /// genie"}` (or "Provided access token", and sometimes a trailing ` [ReqId: …]`).
    fn missing_scopes(&self) -> Option<String> {
        if self.status != StatusCode::FORBIDDEN {
            return None;
        }
        let (_, rest) = self.message.split_once("does not have required scopes")?;
        let scopes = rest.trim_start_matches(':').trim();
        let scopes = scopes.split(" [").next().unwrap_or(scopes).trim();
        Some(scopes.trim_end_matches('.').to_owned())
    }

    /// The workspace does not have the route or has it turned off: `ENDPOINT_NOT_FOUND` (a
    /// route that is not deployed, databricks/cli `acceptance/genie/ask-endpoint-gone`),
    /// `FEATURE_DISABLED`, or 501.
    fn is_unavailable(&self) -> bool {
        self.status == StatusCode::NOT_IMPLEMENTED
            || matches!(
                self.code.as_str(),
                "ENDPOINT_NOT_FOUND" | "FEATURE_DISABLED" | "NOT_IMPLEMENTED"
            )
    }

    /// The host could not tell which workspace a call was for: a unified host answers a
    /// call without `X-Databricks-Workspace-Id` with 401 "Credential was not sent or was of
    /// an unsupported type for this API" (databricks/cli #5341, mlflow #22554) or 400 "Unable
    /// to load OAuth Config" (terraform-provider-databricks #5696).
    fn is_unrouted(&self) -> bool {
        let m = self.message.to_lowercase();
        (self.status == StatusCode::UNAUTHORIZED && m.contains("credential was not sent"))
            || (self.status == StatusCode::BAD_REQUEST && m.contains("unable to load oauth config"))
    }

    /// The token itself was refused, as opposed to the caller lacking permission.
    fn is_invalid_token(&self) -> bool {
        !self.is_unrouted() && self.status == StatusCode::UNAUTHORIZED
            || (self.status == StatusCode::FORBIDDEN && self.code != "PERMISSION_DENIED" && {
                let m = self.message.to_lowercase();
                m.contains("invalid access token") || m.contains("expired")
            })
    }
}

/// Marks a refusal for scope (see [`is_scope_refusal`]).
const SCOPE_REFUSED: &str = "access scope";

/// A refusal for scope in plain words: which part of Brickdesk needs what, and what to ask
/// for. Always `PermissionDenied`.
fn scope_refusal(path: &str, required: &str) -> ErrorInfo {
    let feature = if path.starts_with("/api/2.0/genie/") {
        "Genie"
    } else if path.starts_with("/api/2.1/unity-catalog/") {
        "Browsing catalogs and schemas"
    } else if path.starts_with("/api/2.0/sql/") {
        "Running SQL"
    } else {
        "This part of Brickdesk"
    };
    let required = if required.is_empty() {
        String::new()
    } else {
        format!("the \u{201c}{required}\u{201d} or ")
    };
    ErrorInfo::new(
        ErrorCode::PermissionDenied,
        format!(
            "{feature} needs {required}\u{201c}all-apis\u{201d} {SCOPE_REFUSED}, which this \
             workspace's sign-in does not have. Ask your Databricks admin to add \
             \u{201c}all-apis\u{201d} to the app connection Brickdesk uses; then, in Workspace \
             settings, choose \u{201c}Everything\u{201d} and sign in again."
        ),
    )
}

/// Whether `error` is a refusal for missing scopes (as opposed to missing permissions).
pub fn is_scope_refusal(error: &ErrorInfo) -> bool {
    error.code == ErrorCode::PermissionDenied && error.message.contains(SCOPE_REFUSED)
}

fn retry_after(response: &reqwest::Response) -> Duration {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_secs)
        .min(MAX_RETRY_AFTER)
}

impl Api {
    pub fn new(http: reqwest::Client, host: WorkspaceHost, session: Arc<Session>) -> Self {
        Self {
            http,
            host,
            session,
            workspace_id: None,
            compressed_results: true,
        }
    }

    /// Whether statements ask for LZ4-compressed results (on unless the profile turns it
    /// off for a warehouse that mishandles it).
    #[must_use]
    pub fn with_compressed_results(mut self, on: bool) -> Self {
        self.compressed_results = on;
        self
    }

    pub fn compresses_results(&self) -> bool {
        self.compressed_results
    }

    /// Names `workspace_id` in every call (a workspace of a unified host). An id that cannot
    /// be a header value was refused when the profile was saved; it is dropped here.
    #[must_use]
    pub fn routed_to(mut self, workspace_id: Option<String>) -> Self {
        self.workspace_id = workspace_id
            .filter(|id| crate::host::valid_workspace_id(id))
            .and_then(|id| reqwest::header::HeaderValue::from_str(&id).ok());
        self
    }

    /// The workspace id calls carry, if any.
    pub fn workspace_id(&self) -> Option<&str> {
        self.workspace_id.as_ref().and_then(|v| v.to_str().ok())
    }

    /// The plain HTTP client, for downloads that must not carry the workspace credential.
    pub fn host(&self) -> &WorkspaceHost {
        &self.host
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ErrorInfo> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ErrorInfo> {
        let body = serde_json::to_value(body).map_err(|e| {
            ErrorInfo::new(
                ErrorCode::Internal,
                format!("A request could not be encoded: {e}."),
            )
        })?;
        self.call(Method::POST, path, Some(body)).await
    }

    /// A GET whose answer is not JSON (a PNG), as `accept`, up to `limit` bytes.
    pub async fn get_bytes(
        &self,
        path: &str,
        accept: &'static str,
        limit: usize,
    ) -> Result<bytes::Bytes, ErrorInfo> {
        self.send(Method::GET, path, None, accept, limit).await
    }

    pub async fn delete(&self, path: &str) -> Result<Value, ErrorInfo> {
        self.call(Method::DELETE, path, None).await
    }

    /// A POST whose answer is a stream (Server-Sent Events): the response once its status is
    /// 2xx, its body unread. A refused token is refreshed and the POST repeated (the request
    /// was not accepted); nothing else is repeated, not even a 429 or 503, because a repeated
    /// POST can start a second answer.
    pub async fn open_stream(
        &self,
        path: &str,
        body: &Value,
    ) -> Result<reqwest::Response, ErrorInfo> {
        let body = Some(body.clone());
        self.respond(Method::POST, path, &body, "text/event-stream", false)
            .await
    }

    /// One API call with the retry rules above.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ErrorInfo> {
        let bytes = self
            .send(method, path, body, "application/json", http_body::API_JSON)
            .await?;
        let bytes = if bytes.is_empty() {
            &b"{}"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|e| {
            if looks_like_html(bytes) {
                return self.web_page_instead_of_data();
            }
            ErrorInfo::new(
                ErrorCode::Server,
                format!(
                    "{} sent an answer Brickdesk cannot read ({e}).",
                    self.host.as_str()
                ),
            )
        })
    }

    /// A call answered with a web page (a sign-in page) where data was expected: what a
    /// unified host does with a call that names no workspace (databricks-sdk-go #1699: "the
    /// response came back as the login HTML page"), and what a captive portal or a proxy's
    /// page does.
    fn web_page_instead_of_data(&self) -> ErrorInfo {
        let name = self.host.as_str();
        let message = if self.workspace_id.is_some() {
            format!(
                "{name} answered with a web page instead of data. A network sign-in page (hotel \
                 or guest Wi-Fi) or a company proxy may be in the way: open {name} in your \
                 browser, then try again."
            )
        } else {
            format!(
                "{name} answered with a web page instead of data. If this address serves several \
                 workspaces, remove it and add the workspace again with the address your browser \
                 shows inside it (it ends in ?o= and the workspace's number). Otherwise a network \
                 sign-in page or a company proxy may be in the way."
            )
        };
        ErrorInfo::new(ErrorCode::Server, message)
    }

    /// The body of a successful call, with the retry rules above.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        accept: &'static str,
        limit: usize,
    ) -> Result<bytes::Bytes, ErrorInfo> {
        let response = self.respond(method, path, &body, accept, true).await?;
        let name = self.host.as_str();
        http_body::read(response, limit).await.map_err(|e| match e {
            BodyError::Transport(e) => transport_error(&e, name),
            BodyError::TooLarge { limit } => http_body::too_large(name, limit),
        })
    }

    /// The 2xx response to a request, its body unread: a refused token is refreshed once and
    /// the request repeated, and (when `wait_out_throttling`) a 429/503 is waited out.
    async fn respond(
        &self,
        method: Method,
        path: &str,
        body: &Option<Value>,
        accept: &'static str,
        wait_out_throttling: bool,
    ) -> Result<reqwest::Response, ErrorInfo> {
        crate::api_path::check(path)?;
        let url = self.host.join(path);
        let name = self.host.as_str();
        let (mut refreshed, mut throttled) = (false, 0);
        loop {
            let token = self.session.access_token().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Accept", accept);
            if let Some(workspace) = &self.workspace_id {
                request = request.header(WORKSPACE_HEADER, workspace.clone());
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(&e, name))?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            if wait_out_throttling
                && matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                )
                && throttled < THROTTLE_RETRIES
            {
                throttled += 1;
                tokio::time::sleep(retry_after(&response)).await;
                continue;
            }
            if status.is_redirection() {
                // An API call is never redirected to data: this is a sign-in page (a unified
                // host's, for a call that named no workspace) or a network portal.
                return Err(self.web_page_instead_of_data());
            }
            let wait = retry_after(&response);
            let bytes = http_body::read_prefix(response, http_body::ERROR_BODY).await;
            let refusal = Refusal::parse(status, &bytes);
            if refusal.is_invalid_token() && !refreshed {
                refreshed = true;
                self.session.invalidate(&token).await;
                continue;
            }
            return Err(self.error(path, refusal, wait));
        }
    }

    fn error(&self, path: &str, refusal: Refusal, wait: Duration) -> ErrorInfo {
        let name = self.host.as_str();
        if let Some(required) = refusal.missing_scopes() {
            return scope_refusal(path, &required);
        }
        if refusal.is_unavailable() {
            return ErrorInfo::new(ErrorCode::Unavailable, refusal.message);
        }
        if refusal.is_unrouted() {
            return if self.workspace_id.is_some() {
                ErrorInfo::new(
                    ErrorCode::NotFound,
                    format!(
                        "{name} does not know workspace {}. Check the workspace's address in your \
                         browser (the number after ?o=), then remove this workspace and add it \
                         again with that address.",
                        self.workspace_id().unwrap_or_default()
                    ),
                )
            } else {
                self.web_page_instead_of_data()
            };
        }
        let message = refusal.message;
        match refusal.status {
            _ if refusal.code == "PERMISSION_DENIED" => {
                ErrorInfo::new(ErrorCode::PermissionDenied, message)
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                if refusal.code != "PERMISSION_DENIED"
                    && (refusal.status == StatusCode::UNAUTHORIZED
                        || message.to_lowercase().contains("invalid access token")) =>
            {
                ErrorInfo::new(
                    ErrorCode::NotSignedIn,
                    format!("{name} no longer accepts your sign-in. Sign in again."),
                )
            }
            StatusCode::FORBIDDEN => ErrorInfo::new(ErrorCode::PermissionDenied, message),
            StatusCode::NOT_FOUND => ErrorInfo::new(ErrorCode::NotFound, message),
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => ErrorInfo::new(
                ErrorCode::RateLimited,
                format!(
                    "{name} is busy ({message}). Try again in {} seconds.",
                    wait.as_secs().max(1)
                ),
            ),
            s if s.is_client_error() => ErrorInfo::new(ErrorCode::InvalidInput, message),
            _ => ErrorInfo::new(
                ErrorCode::Server,
                format!("{name} reported an error: {message}"),
            ),
        }
    }
}

/// Whether a body is an HTML page rather than JSON (sdk-go's `ErrHTMLContent` test: it
/// starts with `<`, after any blank space).
fn looks_like_html(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_the_host_could_not_route_is_not_a_dead_sign_in() {
        let unrouted = refusal(
            401,
            r#"{"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API. [ReqId: 1]"}"#,
        );
        assert!(unrouted.is_unrouted());
        assert!(
            !unrouted.is_invalid_token(),
            "refreshing the token would not help, and must not end the sign-in"
        );
        assert!(refusal(400, r#"{"message":"Unable to load OAuth Config"}"#).is_unrouted());
        let expired = refusal(
            401,
            r#"{"error_code":"UNAUTHENTICATED","message":"Invalid access token."}"#,
        );
        assert!(expired.is_invalid_token() && !expired.is_unrouted());
        assert!(looks_like_html(
            b"  \n<!doctype html><title>Sign in</title>"
        ));
        assert!(!looks_like_html(br#"{"a":1}"#));
        assert!(!looks_like_html(b""));
    }

    fn refusal(status: u16, body: &str) -> Refusal {
        Refusal::parse(
            StatusCode::from_u16(status).expect("status"),
            body.as_bytes(),
        )
    }

    #[test]
    fn a_refusal_for_scope_names_the_feature_and_what_to_ask_for() {
        let genie = refusal(
            403,
            r#"{"error_code":403,"message":"Provided OAuth token does not have required scopes: genie [ReqId: ab357ea5-1]"}"#,
        );
        assert_eq!(genie.missing_scopes().as_deref(), Some("genie"));
        let error = scope_refusal("/api/2.0/genie/spaces", "genie");
        assert!(is_scope_refusal(&error));
        assert!(
            error.message.starts_with("Genie needs"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("\u{201c}genie\u{201d}"),
            "{}",
            error.message
        );
        let pat = refusal(
            403,
            r#"{"error_code":403,"message":"Provided access token does not have required scopes: all-apis"}"#,
        );
        assert_eq!(pat.missing_scopes().as_deref(), Some("all-apis"));
        for other in [
            refusal(
                403,
                r#"{"error_code":"PERMISSION_DENIED","message":"You do not have access."}"#,
            ),
            refusal(
                403,
                r#"{"error_code":403,"message":"Invalid access token."}"#,
            ),
            refusal(400, r#"{"message":"does not have required scopes: sql"}"#),
        ] {
            assert_eq!(other.missing_scopes(), None, "{}", other.message);
        }
    }

    #[test]
    fn an_empty_message_names_the_status_instead_of_a_blank() {
        let parsed = refusal(500, r#"{"error_code":"INTERNAL_ERROR","message":""}"#);
        assert_eq!(parsed.code, "INTERNAL_ERROR");
        assert_eq!(
            parsed.message,
            "HTTP 500 Internal Server Error, with no details"
        );
        assert_eq!(
            refusal(502, "<html>bad gateway</html>").message,
            "HTTP 502 Bad Gateway, with no details"
        );
    }

    #[test]
    fn a_long_server_message_is_cut_before_it_reaches_the_user() {
        let body =
            serde_json::json!({"error_code": "INTERNAL_ERROR", "message": "y".repeat(20_000)});
        let parsed = refusal(500, &body.to_string());
        assert_eq!(
            parsed.message.chars().count(),
            http_body::MAX_SERVER_TEXT_CHARS + 1
        );
    }
}
