//! Which links from an answer Brickdesk hands to the system: web pages and e-mail addresses
//! only. The sanitizer ([`super::markdown`]) keeps no other kind; this checks again at the
//! moment of opening, since the request comes from the web view. A `mailto:` link keeps only
//! its addresses: its query could pre-fill a message or, in some mail programs, attach a
//! local file (`?attach=/home/alice/.ssh/id_ed25519`).

use crate::{ErrorCode, ErrorInfo};
use url::Url;

/// The URL to open for `link`, or why it is not opened.
pub fn openable(link: &str) -> Result<Url, ErrorInfo> {
    let refused = || {
        ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Brickdesk only opens web and e-mail links.",
        )
    };
    let mut url = Url::parse(link.trim()).map_err(|_| refused())?;
    match url.scheme() {
        "https" | "http" => Ok(url),
        "mailto" => {
            url.set_query(None);
            url.set_fragment(None);
            Ok(url)
        }
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_links_keep_only_their_addresses() {
        let url = openable("mailto:ops@example.com?attach=/etc/passwd&body=hi#x").expect("mail");
        assert_eq!(url.as_str(), "mailto:ops@example.com");
        let url = openable("https://example.com/report?q=1#top").expect("web");
        assert_eq!(url.as_str(), "https://example.com/report?q=1#top");
    }

    #[test]
    fn other_schemes_are_refused() {
        for link in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "smb://share/x",
            "dev.brickdesk.app:/oauth/callback?code=x",
            "not a link",
        ] {
            assert_eq!(
                openable(link).expect_err(link).code,
                ErrorCode::InvalidInput
            );
        }
    }
}
