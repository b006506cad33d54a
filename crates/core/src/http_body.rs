//! Bounded reads of HTTP bodies. Every answer Brickdesk reads (API JSON, token, discovery and
//! preflight answers, result chunks) is read up to a limit, so a misbehaving server, proxy or
//! storage link cannot make the app hold gigabytes in memory. A body past its limit is an
//! error that says so; an error body is read only as far as its first bytes. Server texts
//! shown to the user are cut to a readable length ([`cut`]).

use crate::{ErrorCode, ErrorInfo};
use bytes::{Bytes, BytesMut};

/// An API answer: statements with INLINE results are the largest (Databricks caps inline
/// results at 25 MiB), with room to spare.
pub const API_JSON: usize = 64 * 1024 * 1024;
/// Token, discovery and authorize-endpoint answers: a few KiB in practice.
pub const SIGN_IN: usize = 1024 * 1024;
/// How much of an error body is read to find its message.
pub const ERROR_BODY: usize = 64 * 1024;
/// A result chunk with no announced size.
pub const CHUNK_UNANNOUNCED: usize = 512 * 1024 * 1024;
/// Server texts (an `error_description`, an API error message) shown to the user.
pub const MAX_SERVER_TEXT_CHARS: usize = 500;

/// The largest download accepted for a chunk announced as `byte_count` bytes: the
/// announcement, a tenth more and 1 MiB (headers and rounding differ between services).
pub fn chunk_limit(byte_count: Option<u64>) -> usize {
    match byte_count {
        Some(n) => {
            usize::try_from(n.saturating_add(n / 10).saturating_add(1 << 20)).unwrap_or(usize::MAX)
        }
        None => CHUNK_UNANNOUNCED,
    }
}

#[derive(Debug)]
pub enum BodyError {
    /// The connection failed or dropped mid-body.
    Transport(reqwest::Error),
    /// The body is (or announced itself as) longer than the limit.
    TooLarge { limit: usize },
}

/// The whole body, or [`BodyError::TooLarge`] as soon as it passes `limit` bytes.
pub async fn read(mut response: reqwest::Response, limit: usize) -> Result<Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    // Sized once from Content-Length: grown by doubling instead, a body holds up to twice its
    // length, and a result's rows (zero-copy views into their chunk's body) with it, past the
    // memory they are counted as.
    let announced = response.content_length().unwrap_or(0);
    let mut body = BytesMut::with_capacity(usize::try_from(announced).unwrap_or(limit).min(limit));
    while let Some(piece) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + piece.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&piece);
    }
    // Without a length (or with a wrong one), a copy of the exact size frees the slack.
    if body.capacity() > body.len() + body.len() / 8 + 4096 {
        return Ok(Bytes::copy_from_slice(&body));
    }
    Ok(body.freeze())
}

/// At most the first `limit` bytes of a body (an error's), whatever follows; empty when the
/// connection fails.
pub async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Bytes {
    let mut body = BytesMut::new();
    while let Ok(Some(piece)) = response.chunk().await {
        let room = limit - body.len();
        body.extend_from_slice(&piece[..piece.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body.freeze()
}

/// The user-facing error for a body past its limit.
pub fn too_large(host: &str, limit: usize) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Server,
        format!(
            "{host} sent an answer larger than Brickdesk accepts ({} MiB), so it was not read. \
             For a large result, run the query again with a LIMIT, or export it in Databricks.",
            limit.div_ceil(1024 * 1024)
        ),
    )
}

/// `text` without control characters and at most [`MAX_SERVER_TEXT_CHARS`] characters, with
/// an ellipsis when cut.
pub fn cut(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= MAX_SERVER_TEXT_CHARS {
        return clean.to_owned();
    }
    let mut short: String = clean.chars().take(MAX_SERVER_TEXT_CHARS).collect();
    short.push('\u{2026}');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_server_texts_are_cut_and_control_characters_dropped() {
        assert_eq!(cut(" fine\r\n"), "fine");
        let long = "x".repeat(10_000);
        let shown = cut(&long);
        assert_eq!(shown.chars().count(), MAX_SERVER_TEXT_CHARS + 1);
        assert!(shown.ends_with('\u{2026}'));
        assert_eq!(cut("a\u{1b}[31mb"), "a [31mb");
    }

    #[test]
    fn chunk_limits_follow_the_announced_size() {
        assert_eq!(chunk_limit(Some(0)), 1 << 20);
        assert_eq!(chunk_limit(Some(10 << 20)), (11 << 20) + (1 << 20));
        assert_eq!(chunk_limit(None), CHUNK_UNANNOUNCED);
        assert_eq!(chunk_limit(Some(u64::MAX)), usize::MAX);
    }

    /// Serves one HTTP answer, `head` then `body_len` bytes of `x` (streamed in 64 KiB
    /// writes), on 127.0.0.1:0; the URL to ask.
    async fn serve(head: &'static str, body_len: usize) -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket.write_all(head.as_bytes()).await;
            let piece = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < body_len {
                let n = piece.len().min(body_len - sent);
                if socket.write_all(&piece[..n]).await.is_err() {
                    return;
                }
                sent += n;
            }
        });
        url
    }

    async fn get(url: &str) -> reqwest::Response {
        crate::net::client(&crate::net::NetworkSettings::default())
            .expect("client")
            .get(url)
            .send()
            .await
            .expect("answer")
    }

    #[tokio::test]
    async fn a_body_announced_past_its_limit_is_not_read() {
        let url = serve(
            "HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n",
            10 << 20,
        )
        .await;
        let read = read(get(&url).await, 1 << 20).await;
        assert!(matches!(read, Err(BodyError::TooLarge { limit }) if limit == 1 << 20));
    }

    #[tokio::test]
    async fn a_body_that_grows_past_its_limit_is_dropped_when_it_does() {
        // No length announced: the body simply runs until the connection closes.
        let url = serve("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 3 << 20).await;
        let read = read(get(&url).await, 1 << 20).await;
        assert!(matches!(read, Err(BodyError::TooLarge { .. })));
        let url = serve("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 100_000).await;
        assert_eq!(read_body(&url, 1 << 20).await, 100_000);
    }

    async fn read_body(url: &str, limit: usize) -> usize {
        read(get(url).await, limit)
            .await
            .expect("within the limit")
            .len()
    }

    #[tokio::test]
    async fn an_error_body_is_read_only_as_far_as_its_start() {
        let url = serve("HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\n", 5 << 20).await;
        let prefix = read_prefix(get(&url).await, ERROR_BODY).await;
        assert_eq!(prefix.len(), ERROR_BODY);
    }
}
