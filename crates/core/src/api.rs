//! Authenticated REST calls to a workspace: the bearer token from the profile's session,
//! one refresh-and-retry when the workspace says the token is invalid (401, or 403 "Invalid
//! access token"), waiting out 429/503 `Retry-After` (the request was not accepted, so
//! repeating it cannot duplicate it), and Databricks error bodies turned into `ErrorInfo`; a
//! token without the scope a call needs is explained in plain words.

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

#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    host: WorkspaceHost,
    session: Arc<Session>,
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
        let message = value["message"]
            .as_str()
            .or_else(|| value["error"].as_str())
            .map_or_else(
                || status.canonical_reason().unwrap_or("error").to_owned(),
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

    /// The token itself was refused, as opposed to the caller lacking permission.
    fn is_invalid_token(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
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
        }
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
            ErrorInfo::new(
                ErrorCode::Server,
                format!(
                    "{} sent an answer Brickdesk cannot read ({e}).",
                    self.host.as_str()
                ),
            )
        })
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

#[cfg(test)]
mod tests {
    use super::*;

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
