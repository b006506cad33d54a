//! An emulated network link in front of the "cloud storage" downloads (`/__files/`): every
//! download shares one line of `timings.storage_link_mbit` megabits a second, as a business
//! user's VPN or office line is shared by the parallel chunk downloads. Used by the benchmarks
//! to show what result compression saves where bytes, not the machine, are the limit.
//!
//! Boundary: pacing bytes that are already in memory; what is served, and to whom, is
//! [`crate::files`]'s.

use axum::body::{Body, Bytes};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Bytes handed to the client at a time: small enough that parallel downloads interleave.
const PIECE: usize = 64 * 1024;

/// One shared line.
#[derive(Debug)]
pub struct Link {
    bytes_per_second: f64,
    /// When the line is free again.
    free_at: Mutex<Instant>,
}

impl Link {
    pub fn new(megabits_per_second: f64) -> Self {
        Self {
            bytes_per_second: megabits_per_second * 1e6 / 8.0,
            free_at: Mutex::new(Instant::now()),
        }
    }

    /// Books the line for `bytes`; the moment they have gone through.
    fn book(&self, bytes: usize) -> Instant {
        let mut free_at = self.free_at.lock().unwrap_or_else(|p| p.into_inner());
        let start = (*free_at).max(Instant::now());
        *free_at = start + Duration::from_secs_f64(bytes as f64 / self.bytes_per_second);
        *free_at
    }

    /// `bytes` as a body that arrives at the line's pace.
    pub fn body(self: std::sync::Arc<Self>, bytes: Bytes) -> Body {
        let pieces = futures_util::stream::unfold((bytes, self), |(mut rest, link)| async move {
            if rest.is_empty() {
                return None;
            }
            let piece = rest.split_to(rest.len().min(PIECE));
            tokio::time::sleep_until(link.book(piece.len())).await;
            Some((Ok::<_, std::io::Error>(piece), (rest, link)))
        });
        Body::from_stream(pieces)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parallel_downloads_share_the_line() {
        // 80 Mbit/s = 10 MB/s: two bodies of 1 MB take 0.2 s together, not 0.1.
        let link = std::sync::Arc::new(Link::new(80.0));
        let started = Instant::now();
        let a = axum::body::to_bytes(
            link.clone().body(Bytes::from(vec![0u8; 1_000_000])),
            usize::MAX,
        );
        let b = axum::body::to_bytes(
            link.clone().body(Bytes::from(vec![1u8; 1_000_000])),
            usize::MAX,
        );
        let (a, b) = tokio::join!(a, b);
        assert_eq!(a.expect("a").len() + b.expect("b").len(), 2_000_000);
        let took = started.elapsed().as_secs_f64();
        assert!((0.19..1.0).contains(&took), "{took} s");
    }
}
