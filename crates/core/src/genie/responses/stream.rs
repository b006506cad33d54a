//! Reading a streamed response: its body, chunk by chunk as the network (or a proxy that
//! re-buffers it) hands them over, through the SSE decoder into the response's state, until
//! the terminal event, the end of the body, a broken connection, a long silence, or Stop.

use super::state::{Applied, ResponseState};
use crate::sql::execute::Cancel;
use crate::sse::SseDecoder;
use std::time::{Duration, Instant};

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

/// How often a changing response is shown at most: each showing renders the whole response
/// and sends it to the window, so a report arriving in 20,000 small deltas is shown as it
/// grows, ten times a second, not 20,000 times.
pub const SHOW_EVERY: Duration = Duration::from_millis(100);

/// How many new output items (a step begun, the answer started) are shown the moment they
/// arrive: a user sees each step appear at once, while a stream of endless items falls back
/// to [`SHOW_EVERY`] after this many.
pub const NEW_ITEMS_AT_ONCE: usize = 256;

/// Feeds the body of `response` into `state`, calling `changed` when events changed it (with
/// `true` the first time the ids are known, at once; otherwise at most every
/// [`SHOW_EVERY`], and once more before it returns if a change is still unshown).
pub async fn read(
    mut response: reqwest::Response,
    state: &mut ResponseState,
    idle: Duration,
    cancel: &Cancel,
    mut changed: impl FnMut(&ResponseState, bool),
) -> Read {
    let mut decoder = SseDecoder::new(MAX_EVENT_BYTES);
    let mut shown = Shown {
        pending: false,
        at: Instant::now(),
        items: state.output.len(),
        at_once: 0,
    };
    let mut heard = Instant::now();
    loop {
        // While a change waits to be shown, wake in time to show it.
        let silence_left = idle.saturating_sub(heard.elapsed());
        let wait = if shown.pending {
            SHOW_EVERY
                .saturating_sub(shown.at.elapsed())
                .min(silence_left)
        } else {
            silence_left
        };
        let chunk = tokio::select! {
            () = cancel.cancelled() => {
                shown.flush(state, &mut changed);
                return Read::Stopped;
            }
            chunk = tokio::time::timeout(wait, response.chunk()) => chunk,
        };
        let events = match chunk {
            Err(_) if heard.elapsed() < idle => {
                shown.flush(state, &mut changed);
                continue;
            }
            Err(_) => {
                shown.flush(state, &mut changed);
                return Read::Dropped(format!("nothing arrived for {} seconds", idle.as_secs()));
            }
            Ok(Err(error)) => {
                shown.flush(state, &mut changed);
                return Read::Dropped(format!("the connection broke ({error})"));
            }
            Ok(Ok(None)) => {
                let last = std::mem::replace(&mut decoder, SseDecoder::new(MAX_EVENT_BYTES));
                if let Some(event) = last.finish() {
                    shown.apply(state, &event, &mut changed);
                }
                shown.flush(state, &mut changed);
                return if state.is_over() {
                    Read::Over
                } else {
                    Read::Dropped("the stream ended early".into())
                };
            }
            Ok(Ok(Some(bytes))) => {
                heard = Instant::now();
                match decoder.push(&bytes) {
                    Ok(events) => events,
                    Err(error) => {
                        shown.flush(state, &mut changed);
                        return Read::Dropped(error.message);
                    }
                }
            }
        };
        for event in &events {
            shown.apply(state, event, &mut changed);
            if state.is_over() {
                shown.flush(state, &mut changed);
                return Read::Over;
            }
        }
        if shown.pending && shown.at.elapsed() >= SHOW_EVERY {
            shown.flush(state, &mut changed);
        }
    }
}

/// Whether a change is waiting to be shown, when the last one was, and how many output items
/// it had.
struct Shown {
    pending: bool,
    at: Instant,
    items: usize,
    /// New items shown at once so far (bounded by [`NEW_ITEMS_AT_ONCE`]).
    at_once: usize,
}

impl Shown {
    fn apply(
        &mut self,
        state: &mut ResponseState,
        event: &crate::sse::SseEvent,
        changed: &mut impl FnMut(&ResponseState, bool),
    ) {
        match state.apply_sse(event) {
            // The ids are kept at once: a restart must find the response.
            Applied::Created => {
                changed(state, true);
                self.pending = false;
                self.at = Instant::now();
            }
            Applied::Changed
                if state.output.len() != self.items && self.at_once < NEW_ITEMS_AT_ONCE =>
            {
                self.at_once += 1;
                self.pending = true;
                self.flush(state, changed);
            }
            Applied::Changed => self.pending = true,
            Applied::Nothing => {}
        }
    }

    fn flush(&mut self, state: &ResponseState, changed: &mut impl FnMut(&ResponseState, bool)) {
        if self.pending {
            changed(state, false);
            self.pending = false;
            self.at = Instant::now();
            self.items = state.output.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that arrives as `chunks`, each its own network read.
    fn body(chunks: Vec<String>) -> reqwest::Response {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::from(c))),
        );
        reqwest::Response::from(
            http::Response::builder()
                .status(200)
                .body(reqwest::Body::wrap_stream(stream))
                .expect("a response"),
        )
    }

    #[tokio::test]
    async fn twenty_thousand_small_deltas_are_shown_as_they_grow_not_each_one() {
        let mut chunks = vec![
            "data: {\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"conversation_id\":\"c\"}}\n\n".to_owned(),
            "data: {\"type\":\"response.output_item.added\",\"item\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[]}}\n\n".to_owned(),
        ];
        let delta = "x".repeat(50);
        for _ in 0..20_000 {
            chunks.push(format!(
                "data: {{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"content_index\":0,\"delta\":\"{delta}\"}}\n\n"
            ));
        }
        chunks.push(
            "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n"
                .to_owned(),
        );
        let mut state = ResponseState::default();
        let mut created = 0;
        let mut shown = 0;
        let started = Instant::now();
        let read = read(
            body(chunks),
            &mut state,
            Duration::from_secs(60),
            &Cancel::default(),
            |_, first| {
                if first {
                    created += 1;
                } else {
                    shown += 1;
                }
            },
        )
        .await;
        let took = started.elapsed();
        assert_eq!(read, Read::Over);
        assert_eq!(created, 1);
        let text = state.output[0]["content"][0]["text"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(text.len(), 20_000 * 50);
        // Shown at most once per SHOW_EVERY of reading, and once at the end: never per delta.
        let most = took.as_millis() / SHOW_EVERY.as_millis() + 2;
        assert!(
            (1..=most as usize).contains(&shown),
            "shown {shown} times in {took:?}"
        );
    }

    #[tokio::test]
    async fn a_change_is_shown_while_the_stream_is_quiet() {
        let (sender, receiver) =
            tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
        let body = reqwest::Body::wrap_stream(tokio_stream_of(receiver));
        let response = reqwest::Response::from(
            http::Response::builder()
                .status(200)
                .body(body)
                .expect("a response"),
        );
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = seen.clone();
        let reader = tokio::spawn(async move {
            let mut state = ResponseState::default();
            read(
                response,
                &mut state,
                Duration::from_secs(60),
                &Cancel::default(),
                move |s, _| {
                    let text = s
                        .output
                        .first()
                        .and_then(|m| m["content"][0]["text"].as_str());
                    sink.lock()
                        .expect("seen")
                        .push(text.unwrap_or_default().to_owned());
                },
            )
            .await
        });
        let added = "data: {\"type\":\"response.output_item.added\",\"item\":{\"id\":\"m\",\"type\":\"message\",\"content\":[]}}\n\n";
        sender.send(Ok(added.into())).await.expect("sent");
        for delta in ["x", "y"] {
            let event = format!(
                "data: {{\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"content_index\":0,\"delta\":\"{delta}\"}}\n\n"
            );
            sender.send(Ok(event.into())).await.expect("sent");
        }
        // No more bytes for a while: the text as it stands must still be shown.
        let mut waited = Duration::ZERO;
        while seen.lock().expect("seen").last().map(String::as_str) != Some("xy")
            && waited < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        assert_eq!(
            seen.lock().expect("seen").last().map(String::as_str),
            Some("xy"),
            "{seen:?}"
        );
        drop(sender);
        assert_eq!(
            reader.await.expect("read"),
            Read::Dropped("the stream ended early".into())
        );
    }

    #[tokio::test]
    async fn each_new_step_is_shown_at_once_until_a_stream_of_endless_steps_is_throttled() {
        let mut chunks = Vec::new();
        for n in 0..5_000 {
            chunks.push(format!(
                "data: {{\"type\":\"response.output_item.added\",\"item\":{{\"id\":\"i{n}\",\"type\":\"function_call\"}}}}\n\n"
            ));
        }
        let mut state = ResponseState::default();
        let mut lengths = Vec::new();
        let started = Instant::now();
        let _ = read(
            body(chunks),
            &mut state,
            Duration::from_secs(60),
            &Cancel::default(),
            |s, _| {
                lengths.push(s.output.len());
            },
        )
        .await;
        let took = started.elapsed();
        assert_eq!(state.output.len(), 5_000);
        // The first steps one by one, as they came.
        assert_eq!(
            lengths[..NEW_ITEMS_AT_ONCE],
            (1..=NEW_ITEMS_AT_ONCE).collect::<Vec<_>>()[..]
        );
        let most = NEW_ITEMS_AT_ONCE + (took.as_millis() / SHOW_EVERY.as_millis()) as usize + 2;
        assert!(
            lengths.len() <= most,
            "shown {} times in {took:?}",
            lengths.len()
        );
        assert_eq!(lengths.last(), Some(&5_000));
    }

    /// The receiving half of a channel as a stream.
    fn tokio_stream_of<T: Send + 'static>(
        mut receiver: tokio::sync::mpsc::Receiver<T>,
    ) -> impl futures_util::Stream<Item = T> + Send + 'static {
        futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
    }
}
