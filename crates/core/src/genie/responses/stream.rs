//! Reading a streamed response: its body, chunk by chunk as the network (or a proxy that
//! re-buffers it) hands them over, through the SSE decoder into the response's state, until
//! the terminal event, the end of the body, a broken connection, a long silence, or Stop.

use super::state::{Applied, ResponseState};
use crate::sql::execute::Cancel;
use crate::sse::SseDecoder;
use std::time::Duration;

/// The largest single event accepted: an agent report replays its tables in one event.
pub const MAX_EVENT_BYTES: usize = 32 * 1024 * 1024;

/// How reading ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// The terminal event arrived.
    Over,
    /// The body ended, or broke, before it: the response goes on and is read back.
    Dropped(String),
    /// Stop was pressed.
    Stopped,
}

/// Feeds the body of `response` into `state`, calling `changed` after each event that changed
/// it (with `true` the first time the ids are known).
pub async fn read(
    mut response: reqwest::Response,
    state: &mut ResponseState,
    idle: Duration,
    cancel: &Cancel,
    mut changed: impl FnMut(&ResponseState, bool),
) -> Read {
    let mut decoder = SseDecoder::new(MAX_EVENT_BYTES);
    loop {
        let chunk = tokio::select! {
            () = cancel.cancelled() => return Read::Stopped,
            chunk = tokio::time::timeout(idle, response.chunk()) => chunk,
        };
        let events = match chunk {
            Err(_) => {
                return Read::Dropped(format!("nothing arrived for {} seconds", idle.as_secs()));
            }
            Ok(Err(error)) => return Read::Dropped(format!("the connection broke ({error})")),
            Ok(Ok(None)) => {
                let last = std::mem::replace(&mut decoder, SseDecoder::new(MAX_EVENT_BYTES));
                let events: Vec<_> = last.finish().into_iter().collect();
                for event in &events {
                    apply(state, event, &mut changed);
                }
                return if state.is_over() {
                    Read::Over
                } else {
                    Read::Dropped("the stream ended early".into())
                };
            }
            Ok(Ok(Some(bytes))) => match decoder.push(&bytes) {
                Ok(events) => events,
                Err(error) => return Read::Dropped(error.message),
            },
        };
        for event in &events {
            apply(state, event, &mut changed);
            if state.is_over() {
                return Read::Over;
            }
        }
    }
}

fn apply(
    state: &mut ResponseState,
    event: &crate::sse::SseEvent,
    changed: &mut impl FnMut(&ResponseState, bool),
) {
    match state.apply_sse(event) {
        Applied::Created => changed(state, true),
        Applied::Changed => changed(state, false),
        Applied::Nothing => {}
    }
}
