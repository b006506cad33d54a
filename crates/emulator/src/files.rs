//! The "cloud storage" behind EXTERNAL_LINKS results, at `/__files/{token}`.
//!
//! Like a presigned URL it carries its own credential: a request that also sends an
//! `Authorization` header is refused, the advertised `http_headers` must be sent, and links
//! expire (`timings.external_link_secs`, or an `expired_link` fault). Errors are S3-style XML.

use crate::faults::Fault;
use crate::link_speed::Link;
use crate::server::Shared;
use crate::sql::statements::{Format, State as StatementState, Statements};
use crate::store::Store;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The header every link requires, as cloud storage requires an encryption key header.
pub const KEY_HEADER: &str = "x-amz-server-side-encryption-customer-key";

#[derive(Debug, Clone)]
struct Grant {
    /// The statements of the workspace that issued the link (one of several on a unified
    /// host, whose downloads all come from this one route).
    statements: Arc<Statements>,
    statement_id: String,
    chunk_index: usize,
    format: Format,
    key: String,
    expires_at: SystemTime,
}

/// A link handed to a client.
#[derive(Debug)]
pub struct IssuedLink {
    pub token: String,
    pub key: String,
    /// RFC 3339.
    pub expiration: String,
}

#[derive(Debug)]
pub struct Links {
    grants: Mutex<HashMap<String, Grant>>,
    ttl: Duration,
    /// The emulated line every download shares, if one is set.
    line: Option<Arc<Link>>,
}

impl Links {
    pub fn new(ttl: Duration, line_mbit: Option<f64>) -> Self {
        Self {
            grants: Mutex::new(HashMap::new()),
            ttl,
            line: line_mbit
                .filter(|m| *m > 0.0)
                .map(|m| Arc::new(Link::new(m))),
        }
    }

    /// A fresh link for a chunk; its token and key come from the seeded `store`.
    pub fn issue(
        &self,
        store: &Store,
        statements: &Arc<Statements>,
        statement_id: &str,
        chunk_index: usize,
        format: Format,
    ) -> IssuedLink {
        let digest = store.next_hex("link");
        let (token, key) = (digest[..40].to_owned(), digest[40..].to_owned());
        let expires_at = SystemTime::now() + self.ttl;
        let grant = Grant {
            statements: statements.clone(),
            statement_id: statement_id.to_owned(),
            chunk_index,
            format,
            key: key.clone(),
            expires_at,
        };
        self.grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), grant);
        let expiration = chrono::DateTime::<chrono::Utc>::from(expires_at)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        IssuedLink {
            token,
            key,
            expiration,
        }
    }

    fn get(&self, token: &str) -> Option<Grant> {
        self.grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned()
    }
}

fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// `GET /__files/{token}`
pub async fn download(
    State(shared): State<Shared>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if headers.contains_key(header::AUTHORIZATION) {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed; the presigned URL already carries its credential, so do not send an Authorization header.",
        );
    }
    let Some(grant) = shared.links.get(&token) else {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    };
    let path = format!("/__files/{token}");
    let forced = shared
        .faults
        .take("GET", &path, |f| *f == Fault::ExpiredLink)
        .is_some();
    if forced || SystemTime::now() >= grant.expires_at {
        return xml_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    if headers.get(KEY_HEADER).and_then(|v| v.to_str().ok()) != Some(grant.key.as_str()) {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The required encryption key header is missing or wrong.",
        );
    }
    let Some(snapshot) = grant.statements.snapshot(&grant.statement_id) else {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The result no longer exists.",
        );
    };
    let bytes = match (&snapshot.state, &snapshot.result) {
        (StatementState::Succeeded, Some(result)) => match result.bytes(grant.chunk_index) {
            Some(Ok(bytes)) => bytes,
            Some(Err(error)) => {
                return xml_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    &format!("The chunk could not be read: {error}."),
                );
            }
            None => {
                return xml_error(
                    StatusCode::NOT_FOUND,
                    "NoSuchKey",
                    "The chunk does not exist.",
                );
            }
        },
        _ => {
            return xml_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The result has been closed.",
            );
        }
    };
    let content_type = match grant.format {
        Format::ArrowStream => "application/vnd.apache.arrow.stream",
        Format::Csv => "text/csv",
        Format::JsonArray => "application/json",
    };
    let mut response = match &shared.links.line {
        None => bytes.into_response(),
        Some(line) => {
            let length = bytes.len();
            let mut response = line.clone().body(bytes).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            response
        }
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
