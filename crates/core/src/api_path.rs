//! Ids inside API paths. Space, conversation, message, attachment, statement and warehouse
//! ids come from the web view or from a server's answer; each reaches a path only as one
//! percent-encoded segment ([`segment`]), so a `/`, `?`, `#` or `%` in an id cannot reach
//! another endpoint or add a query. URL parsing still resolves dot segments (`..`, and its
//! percent-encoded forms, by the WHATWG URL rules), so [`check`] refuses every path that holds
//! one, or an empty segment, before any request is sent.

use crate::{ErrorCode, ErrorInfo};
use std::fmt;

/// An id written as one path segment: every byte but RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) percent-encoded.
#[derive(Debug)]
pub struct Segment<'a>(&'a str);

pub fn segment(id: &str) -> Segment<'_> {
    Segment(id)
}

impl fmt::Display for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                write!(f, "{}", byte as char)?;
            } else {
                write!(f, "%{byte:02X}")?;
            }
        }
        Ok(())
    }
}

/// Refuses a path (the part before `?`) with a `.` or `..` segment, written plainly or
/// percent-encoded, or an empty one (an id that was empty).
pub fn check(path: &str) -> Result<(), ErrorInfo> {
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    let refused = path.split('/').skip(1).any(|part| {
        let decoded = part.to_ascii_lowercase().replace("%2e", ".");
        part.is_empty() || decoded == "." || decoded == ".."
    });
    if refused {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "That item's id is not valid, so Brickdesk did not ask the workspace for it. \
             Reload the list and pick it again.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_one_segment_whatever_they_hold() {
        assert_eq!(segment("01ef-ab_9.x~").to_string(), "01ef-ab_9.x~");
        assert_eq!(
            segment("../../preview/scim/v2/Me?x=1#f").to_string(),
            "..%2F..%2Fpreview%2Fscim%2Fv2%2FMe%3Fx%3D1%23f"
        );
        assert_eq!(segment("50%").to_string(), "50%25");
        assert_eq!(segment("é").to_string(), "%C3%A9");
    }

    #[test]
    fn dot_and_empty_segments_are_refused() {
        for path in [
            "/api/2.0/sql/statements/../warehouses",
            "/api/2.0/sql/statements/./cancel",
            "/api/2.0/sql/statements/%2e%2E/cancel",
            "/api/2.0/sql/statements/.%2e",
            "/api/2.0/sql/statements//cancel",
        ] {
            assert_eq!(
                check(path).expect_err(path).code,
                ErrorCode::InvalidInput,
                "{path}"
            );
        }
        check("/api/2.0/sql/statements/..%2Fx/cancel?page_token=..").expect("one odd segment");
        check("/api/2.0/genie/spaces/a.b/conversations").expect("dots inside an id");
    }
}
