//! The two error shapes the emulator answers with: Databricks REST errors
//! (`{"error_code": …, "message": …}`) and OAuth token-endpoint errors (RFC 6749 §5.2).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Databricks REST error with a string `error_code`.
pub fn api_error(status: StatusCode, error_code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error_code": error_code, "message": message })),
    )
        .into_response()
}

/// A Databricks REST error as a value, for `Result`s and `?` in handlers.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error_code: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// Adds `Retry-After: secs` (throttling answers).
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = api_error(self.status, self.error_code, &self.message);
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A Databricks REST error whose `error_code` is the HTTP status as a number, as some auth
/// failures are reported in the wild.
pub fn numeric_api_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "error_code": status.as_u16(), "message": message })),
    )
        .into_response()
}

/// An OAuth error from the token endpoint. `invalid_client` is 401, everything else 400
/// unless [`OAuthError::with_status`] says otherwise.
#[derive(Debug)]
pub struct OAuthError {
    error: &'static str,
    description: String,
    status: Option<StatusCode>,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            error,
            description: description.into(),
            status: None,
        }
    }

    /// Answers with `status` instead of the default.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = self.status.unwrap_or(if self.error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        });
        let body = json!({ "error": self.error, "error_description": self.description });
        let mut response = (status, Json(body)).into_response();
        no_store(&mut response);
        response
    }
}

/// Token responses must not be cached (RFC 6749 §5.1).
pub fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

pub fn json_ok(value: Value) -> Response {
    Json(value).into_response()
}
