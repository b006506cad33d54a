//! LZ4-compressed results: what `result_compression: LZ4_FRAME` brings back.
//!
//! A body is one or more LZ4 frames back to back (databricks-jdbc's recordings hold 1 to 12
//! in one body, one per Arrow IPC message in small results), with or without block and
//! content checksums. Every frame is read, as databricks-sql-python's `_decompress_data` does
//! after `lz4.frame.decompress` alone lost all but the first. What comes out is bounded, so a
//! small hostile body cannot expand into gigabytes.

use crate::{ErrorCode, ErrorInfo};
use std::io::Read as _;

/// The LZ4 frame magic number, little-endian on the wire (`04 22 4D 18`).
const MAGIC: [u8; 4] = [0x04, 0x22, 0x4D, 0x18];

/// Whether `bytes` starts like an LZ4 frame.
pub fn is_lz4(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Every frame of `bytes`, decompressed and joined; at most `limit` bytes come out.
pub fn decompress(bytes: &[u8], limit: usize) -> Result<Vec<u8>, ErrorInfo> {
    let invalid = |e: std::io::Error| {
        ErrorInfo::new(
            ErrorCode::Server,
            format!("A result chunk is not valid LZ4 data ({e})."),
        )
    };
    let mut rest = bytes;
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(3).min(limit));
    while !rest.is_empty() {
        let before = rest.len();
        let room = u64::try_from(limit.saturating_sub(out.len()))
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        // One frame at a time: the decoder ends at each frame's end mark.
        lz4_flex::frame::FrameDecoder::new(&mut rest)
            .take(room)
            .read_to_end(&mut out)
            .map_err(invalid)?;
        if out.len() > limit {
            return Err(ErrorInfo::new(
                ErrorCode::Server,
                format!(
                    "A result chunk expands to more than {} MB; Brickdesk stopped reading it.",
                    limit / (1024 * 1024)
                ),
            ));
        }
        if rest.len() == before {
            return Err(invalid(std::io::Error::other("no frame was read")));
        }
    }
    Ok(out)
}

/// The most a chunk may expand to: what the manifest says the chunk holds (`chunks[].
/// byte_count` is the uncompressed size in every recording) with the usual margin, and never
/// less than 16 times the compressed size (Arrow compresses 2 to 3 times in the recordings);
/// 512 MiB when the manifest says nothing.
pub fn expanded_limit(announced: Option<u64>, compressed: usize) -> usize {
    match announced {
        Some(_) => crate::http_body::chunk_limit(announced).max(compressed.saturating_mul(16)),
        None => crate::http_body::CHUNK_UNANNOUNCED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn frame(data: &[u8], checksum: bool) -> Vec<u8> {
        let info = lz4_flex::frame::FrameInfo::new().content_checksum(checksum);
        let mut encoder = lz4_flex::frame::FrameEncoder::with_frame_info(info, Vec::new());
        encoder.write_all(data).expect("write");
        encoder.finish().expect("finish")
    }

    #[test]
    fn frames_back_to_back_are_all_read() {
        let parts: Vec<Vec<u8>> = (0..12u8).map(|i| vec![i; 100 + usize::from(i)]).collect();
        let body: Vec<u8> = parts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| frame(p, i % 2 == 0))
            .collect();
        assert!(is_lz4(&body));
        assert_eq!(
            decompress(&body, 1 << 20).expect("12 frames"),
            parts.concat()
        );
    }

    #[test]
    fn a_bomb_stops_at_the_limit_and_garbage_is_an_error() {
        let bomb = frame(&vec![0u8; 8 << 20], false);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let error = decompress(&bomb, 1 << 20).expect_err("too large");
        assert!(error.message.contains("expands"), "{}", error.message);
        assert!(decompress(b"\x04\x22\x4d\x18garbage", 1 << 20).is_err());
        assert!(decompress(b"not lz4 at all", 1 << 20).is_err());
        assert!(!is_lz4(b"\xff\xff\xff\xff"));
    }

    #[test]
    fn the_limit_follows_the_manifest_and_never_falls_below_the_body() {
        assert_eq!(
            expanded_limit(None, 10),
            crate::http_body::CHUNK_UNANNOUNCED
        );
        assert!(expanded_limit(Some(21_017_592), 8_000_000) >= 21_017_592);
        assert!(expanded_limit(Some(10), 1_000_000) >= 16_000_000);
    }
}
