//! Server-Sent Events, decoded incrementally from the bytes of a streamed response, as the
//! WHATWG HTML standard ("Parsing an event stream") describes them: lines end in LF, CR or
//! CRLF; `field:value` with one optional space after the colon; `data` lines of one event are
//! joined with LF; a blank line dispatches the event; `:` lines are comments (keep-alives);
//! `id` and `retry` are read, unknown fields ignored. It is fed chunks as they arrive, so an
//! event split across chunks (a proxy that re-buffers the stream) comes out whole.
//!
//! Two tolerances beyond the standard, for Genie's streams (see the research notes of issue
//! 17): a last event that ends without its blank line is still delivered by
//! [`SseDecoder::finish`], and one event may be large (an agent report replays its tables),
//! up to the decoder's limit, past which the stream is refused rather than held in memory.

use crate::{ErrorCode, ErrorInfo};

/// The longest `id:` and `event:` values kept. Each dispatched event carries the last id, so
/// an unbounded id copied into thousands of tiny events could take gigabytes; Genie's ids are
/// short, and a longer one is ignored (an event name is kept cut short, to be logged).
const MAX_FIELD_BYTES: usize = 256;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, if the event had one.
    pub event: Option<String>,
    /// The `data:` lines, joined with LF.
    pub data: String,
    /// The last `id:` seen on the stream so far.
    pub id: Option<String>,
}

/// The decoder's state between chunks.
#[derive(Debug)]
pub struct SseDecoder {
    /// Bytes of a line not ended yet.
    line: Vec<u8>,
    /// The previous chunk ended in CR: an LF first in the next one belongs to it.
    after_cr: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
    id: Option<String>,
    /// The most bytes one event (its fields and the line being read) may take.
    max_event_bytes: usize,
}

impl SseDecoder {
    pub fn new(max_event_bytes: usize) -> Self {
        Self {
            line: Vec::new(),
            after_cr: false,
            event: None,
            data: String::new(),
            has_data: false,
            id: None,
            max_event_bytes,
        }
    }

    /// The events that `chunk` completes, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, ErrorInfo> {
        let mut events = Vec::new();
        for &byte in chunk {
            let after_cr = std::mem::replace(&mut self.after_cr, false);
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line) {
                        events.push(event);
                    }
                }
                _ => {
                    self.line.push(byte);
                    if self.line.len() + self.data.len() > self.max_event_bytes {
                        return Err(too_large(self.max_event_bytes));
                    }
                }
            }
        }
        Ok(events)
    }

    /// The stream ended: the event still open, if it had data (a last event without its
    /// blank line).
    pub fn finish(mut self) -> Option<SseEvent> {
        let line = std::mem::take(&mut self.line);
        if let Some(event) = self.line_done(&line) {
            return Some(event);
        }
        self.dispatch()
    }

    fn line_done(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        // The standard decodes the stream as UTF-8, replacing what is not.
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some(("", _)) => return None, // a comment
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => {
                let end = value.floor_char_boundary(MAX_FIELD_BYTES);
                self.event = Some(value[..end].to_owned());
            }
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            // An id with NUL is ignored, as the standard says.
            "id" if !value.contains('\0') && value.len() <= MAX_FIELD_BYTES => {
                self.id = Some(value.to_owned());
            }
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        Some(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
            id: self.id.clone(),
        })
    }
}

fn too_large(limit: usize) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Server,
        format!(
            "The workspace streamed an event larger than {} MB; Brickdesk stopped reading it.",
            limit / (1024 * 1024)
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_huge_id_is_not_copied_into_every_event() {
        // One 1 MB id, then 10,000 tiny events in the same chunk: before, each carried a copy
        // (10 GB); now the id is ignored and the events stay small.
        let mut stream = format!("id: {}\n", "x".repeat(1 << 20)).into_bytes();
        for _ in 0..10_000 {
            stream.extend_from_slice(b"data:1\n\n");
        }
        let mut decoder = super::SseDecoder::new(8 << 20);
        let events = decoder.push(&stream).expect("decoded");
        assert_eq!(events.len(), 10_000);
        assert!(events.iter().all(|e| e.id.is_none()));
        let mut decoder = super::SseDecoder::new(8 << 20);
        let stream = format!("id: r-42\nevent: é{}\ndata:1\n\n", "x".repeat(400));
        let events = decoder.push(stream.as_bytes()).expect("decoded");
        assert_eq!(events[0].id.as_deref(), Some("r-42"), "a short id is kept");
        assert!(
            events[0]
                .event
                .as_ref()
                .is_some_and(|e| e.len() <= 256 && e.starts_with('é'))
        );
    }

    use super::*;
    use proptest::prelude::*;

    fn decode(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new(1 << 20);
        let mut events = Vec::new();
        for chunk in chunks {
            events.extend(decoder.push(chunk).expect("decoded"));
        }
        events.extend(decoder.finish());
        events
    }

    fn event(name: Option<&str>, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent {
            event: name.map(str::to_owned),
            data: data.into(),
            id: id.map(str::to_owned),
        }
    }

    #[test]
    fn events_as_agent_mode_sends_them_without_a_space_after_the_colon() {
        let stream = b"event:response.created\ndata:{\"type\":\"response.created\",\"sequence_number\":0}\n\n\
                       event: response.completed\ndata: {\"sequence_number\":1}\n\n";
        assert_eq!(
            decode(&[stream]),
            [
                event(
                    Some("response.created"),
                    "{\"type\":\"response.created\",\"sequence_number\":0}",
                    None
                ),
                event(Some("response.completed"), "{\"sequence_number\":1}", None),
            ]
        );
    }

    #[test]
    fn data_lines_join_comments_are_skipped_and_every_line_ending_counts() {
        let stream = b": keep-alive\r\ndata: first\r\ndata:second\rid: 7\r\n\r\ndata\n\nretry: 10\nunknown: x\ndata: [DONE]\n\n";
        assert_eq!(
            decode(&[stream]),
            [
                event(None, "first\nsecond", Some("7")),
                event(None, "", Some("7")),
                event(None, "[DONE]", Some("7")),
            ]
        );
    }

    #[test]
    fn an_event_name_without_data_dispatches_nothing() {
        assert!(decode(&[b"event: ping\n\n"]).is_empty());
        assert!(decode(&[b"\n\n\n"]).is_empty());
    }

    #[test]
    fn a_last_event_without_its_blank_line_is_still_delivered() {
        assert_eq!(
            decode(&[b"data: a\n\ndata: b"]),
            [event(None, "a", None), event(None, "b", None)]
        );
        assert_eq!(decode(&[b"data: c\n"]), [event(None, "c", None)]);
    }

    #[test]
    fn a_crlf_split_between_chunks_is_one_line_ending() {
        assert_eq!(
            decode(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]),
            [event(None, "a\nb", None)]
        );
    }

    #[test]
    fn an_event_past_the_limit_is_refused() {
        let mut decoder = SseDecoder::new(16);
        let error = decoder
            .push(b"data: 0123456789abcdef0123")
            .expect_err("too large");
        assert_eq!(error.code, ErrorCode::Server);
        let mut decoder = SseDecoder::new(16);
        assert!(decoder.push(b"data: 0123456789\n").is_ok());
        assert!(decoder.push(b"data: 0123456789\n").is_err(), "lines add up");
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        assert_eq!(decode(&[b"data: \xff\n\n"])[0].data, "\u{fffd}");
    }

    proptest! {
        /// However a proxy cuts the stream into chunks, the same events come out.
        #[test]
        fn chunking_never_changes_the_events(cuts in proptest::collection::vec(0usize..200, 0..12)) {
            let stream: &[u8] = b"event:response.created\r\ndata:{\"a\":1}\r\n\r\n: ping\n\
                                 data: line one\ndata: line two\nid: 3\n\nevent: x\rdata: y\r\r";
            let whole = decode(&[stream]);
            let mut points: Vec<usize> = cuts.into_iter().map(|c| c % (stream.len() + 1)).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for point in points {
                chunks.push(&stream[start..point]);
                start = point;
            }
            chunks.push(&stream[start..]);
            prop_assert_eq!(decode(&chunks), whole);
        }
    }
}
