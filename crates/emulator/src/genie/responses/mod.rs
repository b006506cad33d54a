//! The two streaming Genie previews, Genie One (`/api/2.0/genie/one/…`) and Agent mode
//! (`/api/2.0/genie/agents/{id}/responses`), over what they share: a response run that goes on
//! in the background whether or not anybody reads its stream (the docs: "Disconnecting does
//! not cancel an accepted response"), its log of events with `sequence_number` from 0, the
//! Server-Sent Events stream that replays and follows that log, and the preview switch.
//!
//! Frames are `event:<type>\ndata:<json>\n\n` with no space after the colons and the `type`
//! repeated in the JSON, as recorded agent-mode streams show (docs/api-fidelity.md). A test can
//! cut a stream after a number of events ([`Fault::StreamCut`]) cleanly or abruptly.

pub mod agent;
mod one;
mod script;

use crate::errors::ApiError;
use crate::faults::Fault;
use crate::server::Shared;
use crate::store::Subject;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;

pub fn routes() -> Router<Shared> {
    Router::new().merge(one::routes()).merge(agent::routes())
}

/// Which API a run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Api {
    One,
    Agent { agent_id: String },
}

/// One response and everything that happened to it.
#[derive(Debug)]
pub struct Run {
    pub id: String,
    pub conversation_id: String,
    pub api: Api,
    pub owner: Subject,
    pub question: String,
    pub created_secs: i64,
    /// `in_progress`, then `completed`, `failed`, `incomplete` or (agent mode, cancelled)
    /// `cancelled`.
    pub status: &'static str,
    pub output: Vec<Value>,
    pub error: Option<Value>,
    pub events: Vec<Value>,
    pub cancel_requested: bool,
}

impl Run {
    pub fn is_terminal(&self) -> bool {
        self.status != "in_progress"
    }

    /// The Response object, as `response.*` events and the GET carry it.
    pub fn json(&self) -> Value {
        let mut response = json!({
            "id": self.id,
            "object": "response",
            "status": self.status,
            "output": self.output,
            "conversation_id": self.conversation_id,
        });
        match self.api {
            // Genie One: RFC 3339 `create_time` (get-response's example).
            Api::One => {
                response["model"] = json!("genie-one");
                response["create_time"] = json!(rfc3339(self.created_secs));
            }
            // Agent mode: epoch seconds `created_at` (recorded streams).
            Api::Agent { .. } => {
                response["model"] = json!("genie-agent");
                response["created_at"] = json!(self.created_secs);
            }
        }
        if let Some(error) = &self.error {
            response["error"] = error.clone();
        }
        response
    }
}

pub fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A conversation of either API: its runs in order, and the analyst's context for follow-ups.
#[derive(Debug, Clone)]
pub struct Thread {
    pub id: String,
    pub api: Api,
    pub owner: Subject,
    pub title: String,
    pub created_secs: i64,
    pub updated_secs: i64,
    /// The same, in milliseconds: list-conversations orders chats and these together by it.
    pub updated_ms: i64,
    pub runs: Vec<String>,
    /// The dataset and plan of the last answer, for follow-ups.
    pub context: Option<(&'static str, super::analyst::Plan)>,
}

#[derive(Debug, Default)]
pub struct Inner {
    pub runs: HashMap<String, Run>,
    pub threads: HashMap<String, Thread>,
}

#[derive(Debug, Default)]
pub struct Runs {
    inner: Mutex<Inner>,
    /// Woken on every new event, so streams follow their run without polling.
    changed: Arc<Notify>,
}

impl Runs {
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an event of `kind` to the run's log, numbered, after `change` has been applied
    /// to the run; `payload` is built from the changed run. False when the run is unknown or
    /// already ended (its work is then moot).
    pub fn emit(
        &self,
        run_id: &str,
        kind: &str,
        change: impl FnOnce(&mut Run),
        payload: impl FnOnce(&Run) -> Value,
    ) -> bool {
        let mut inner = self.lock();
        let Some(run) = inner.runs.get_mut(run_id) else {
            return false;
        };
        if run.is_terminal() {
            return false;
        }
        change(run);
        let mut event = payload(run);
        event["type"] = json!(kind);
        event["sequence_number"] = json!(run.events.len());
        run.events.push(event);
        drop(inner);
        self.changed.notify_waiters();
        true
    }

    pub fn cancel_requested(&self, run_id: &str) -> bool {
        self.lock()
            .runs
            .get(run_id)
            .is_none_or(|r| r.cancel_requested)
    }
}

/// Refuses a route of a preview that is off, in the configured form.
pub fn require_preview(
    shared: &Shared,
    on: bool,
    name: &str,
    method: &str,
    path: &str,
) -> Result<(), ApiError> {
    if on {
        return Ok(());
    }
    Err(match shared.config.genie_previews.off_answer {
        super::PreviewOff::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "ENDPOINT_NOT_FOUND",
            format!(
                "No API found for '{method} {}'",
                path.trim_start_matches("/api/2.0")
            ),
        ),
        super::PreviewOff::FeatureDisabled => ApiError::new(
            StatusCode::FORBIDDEN,
            "FEATURE_DISABLED",
            format!("The {name} preview is not enabled for this workspace."),
        ),
    })
}

pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE", message)
}

/// How a stream is cut, if a test armed [`Fault::StreamCut`] for this request.
fn stream_cut(shared: &Shared, path: &str) -> Option<(usize, bool)> {
    match shared
        .faults
        .take("POST", path, |f| matches!(f, Fault::StreamCut { .. }))
    {
        Some(Fault::StreamCut {
            after_events,
            abrupt,
        }) => Some((after_events as usize, abrupt)),
        _ => None,
    }
}

fn frame(event: &Value) -> Bytes {
    let kind = event["type"].as_str().unwrap_or("message");
    Bytes::from(format!("event:{kind}\ndata:{event}\n\n"))
}

/// What the stream does next.
enum Next {
    Frames(Vec<Bytes>),
    End,
    /// Cut abruptly (a test's fault).
    Reset,
}

/// The run's event stream from its first event, following it until its terminal event.
pub fn stream(shared: &Shared, run_id: String, path: &str) -> Response {
    let cut = stream_cut(shared, path);
    let keep_alive = Duration::from_millis(shared.config.genie_previews.keep_alive_ms);
    let state = (shared.clone(), run_id, 0usize, false);
    let body =
        futures_util::stream::unfold(state, move |(shared, run_id, sent, ended)| async move {
            if ended {
                return None;
            }
            let runs = &shared.genie.responses;
            loop {
                let changed = runs.changed.clone();
                let notified = changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let next = {
                    let inner = runs.lock();
                    let run = inner.runs.get(&run_id)?;
                    let limit = cut.map_or(usize::MAX, |(after, _)| after);
                    if sent >= limit {
                        if cut.is_some_and(|(_, abrupt)| abrupt) {
                            Next::Reset
                        } else {
                            Next::End
                        }
                    } else if run.events.len() > sent {
                        let end = run.events.len().min(limit);
                        Next::Frames(run.events[sent..end].iter().map(frame).collect())
                    } else if run.is_terminal() {
                        Next::End
                    } else {
                        Next::Frames(Vec::new())
                    }
                };
                match next {
                    Next::End => return None,
                    Next::Reset => {
                        // The frames already sent go out first (hyper drops what is unwritten
                        // when a body fails at once); then the connection is reset.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        let error = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut");
                        return Some((Err(error), (shared.clone(), run_id, sent, true)));
                    }
                    Next::Frames(frames) if !frames.is_empty() => {
                        let count = frames.len();
                        let bytes: Vec<u8> = frames.concat();
                        let state = (shared.clone(), run_id, sent + count, false);
                        return Some((Ok(Bytes::from(bytes)), state));
                    }
                    Next::Frames(_) => {}
                }
                let waited = if keep_alive.is_zero() {
                    notified.await;
                    true
                } else {
                    tokio::time::timeout(keep_alive, notified).await.is_ok()
                };
                if !waited {
                    let state = (shared.clone(), run_id, sent, false);
                    return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), state));
                }
            }
        });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A 32-hex id, as Genie's responses, conversations and items have.
pub fn new_id(shared: &Shared, kind: &str) -> String {
    format!("01f1{}", &shared.store.next_hex(kind)[..28])
}

pub fn now_secs() -> i64 {
    super::store::now_ms() / 1000
}

/// The user's question from a documented `input`: a nonblank string (Genie One only), or an
/// array of exactly one user message whose content is a nonblank string or `input_text`
/// parts. At most 25,000 UTF-8 bytes in all.
pub fn question_of(input: &Value, string_allowed: bool) -> Result<String, ApiError> {
    let text = match input {
        Value::String(s) if string_allowed => s.clone(),
        Value::Array(items) if items.len() == 1 => {
            let item = &items[0];
            if item["role"] != "user" {
                return Err(invalid("input must hold one message with role \"user\"."));
            }
            if !(item["type"].is_null() || item["type"] == "message") {
                return Err(invalid("input items must have type \"message\"."));
            }
            match &item["content"] {
                Value::String(s) if string_allowed => s.clone(),
                Value::Array(parts) if !parts.is_empty() => {
                    let mut texts = Vec::new();
                    for part in parts {
                        match (part["type"].as_str(), part["text"].as_str()) {
                            (Some("input_text"), Some(t)) if !t.trim().is_empty() => {
                                texts.push(t.to_owned());
                            }
                            _ => {
                                return Err(invalid(
                                    "content parts must be nonblank {\"type\":\"input_text\",\"text\":…}.",
                                ));
                            }
                        }
                    }
                    texts.join("\n")
                }
                _ => return Err(invalid("The message has no content.")),
            }
        }
        Value::Array(_) => return Err(invalid("input must hold exactly one user message.")),
        _ => return Err(invalid("input is required.")),
    };
    if text.trim().is_empty() {
        return Err(invalid("input must not be blank."));
    }
    if text.len() > 25_000 {
        return Err(invalid(
            "The input is longer than 25,000 UTF-8 bytes; shorten the question.",
        ));
    }
    Ok(text)
}

/// Only the documented fields: unknown request fields return `INVALID_PARAMETER_VALUE`.
pub fn only_fields(body: &Value, allowed: &[&str]) -> Result<(), ApiError> {
    let Some(object) = body.as_object() else {
        return Err(invalid("The request body must be a JSON object."));
    };
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(invalid(format!("Unknown field {unknown}."))),
        None => Ok(()),
    }
}

/// The conversation to continue, if the body names one the caller owns in this API.
pub fn continued(
    shared: &Shared,
    body: &Value,
    owner: &Subject,
    api: &Api,
) -> Result<Option<Thread>, ApiError> {
    let Some(id) = body.get("conversation_id").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let id = id
        .as_str()
        .ok_or_else(|| invalid("conversation_id must be a string."))?;
    let inner = shared.genie.responses.lock();
    match inner.threads.get(id) {
        Some(t) if &t.owner == owner && &t.api == api => Ok(Some(t.clone())),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            format!("Conversation {id} does not exist."),
        )),
    }
}

/// Registers a new run (and its conversation, when new) and emits `response.created`.
pub fn start_run(
    shared: &Shared,
    thread: Option<Thread>,
    api: Api,
    owner: &Subject,
    question: &str,
) -> String {
    let now = now_secs();
    let run_id = new_id(shared, "response");
    let mut thread = thread.unwrap_or_else(|| Thread {
        id: new_id(shared, "conversation"),
        api: api.clone(),
        owner: owner.clone(),
        title: question.chars().take(80).collect(),
        created_secs: now,
        updated_secs: now,
        updated_ms: crate::genie::store::now_ms(),
        runs: Vec::new(),
        context: None,
    });
    thread.runs.push(run_id.clone());
    thread.updated_secs = now;
    thread.updated_ms = crate::genie::store::now_ms();
    let run = Run {
        id: run_id.clone(),
        conversation_id: thread.id.clone(),
        api,
        owner: owner.clone(),
        question: question.to_owned(),
        created_secs: now,
        status: "in_progress",
        output: Vec::new(),
        error: None,
        events: Vec::new(),
        cancel_requested: false,
    };
    {
        let mut inner = shared.genie.responses.lock();
        inner.threads.insert(thread.id.clone(), thread);
        inner.runs.insert(run_id.clone(), run);
    }
    shared.genie.responses.emit(
        &run_id,
        "response.created",
        |_| {},
        |run| json!({ "response": run.json() }),
    );
    run_id
}
