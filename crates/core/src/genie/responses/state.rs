//! A response as its events build it: the ids from `response.created`, the output items that
//! `response.output_item.added`, `.updated` and `.done` replace one by one, the whole output
//! that `response.completed` (or a read-back) replays, and how it ended.
//!
//! Tolerant by design, since much of these Beta APIs is unconfirmed (docs/api-fidelity.md):
//! the event name comes from the JSON `type` (or the `event:` line), unknown events and item
//! types are skipped, an event whose `sequence_number` is not above the last one is a repeat
//! and dropped, a missing `sequence_number` is accepted, and `[DONE]` is ignored.

use crate::sse::SseEvent;
use serde_json::Value;

/// The most text parts one item may have through deltas: real answers have one or a few, and
/// a `content_index` of billions must not build billions of empty parts.
pub const MAX_PARTS: usize = 64;
/// Unknown event names are kept (and logged) up to this many, each up to this many bytes:
/// a stream naming a new event in every event must not grow the list or the log without end.
pub const MAX_UNKNOWN: usize = 32;
pub const MAX_NAME_BYTES: usize = 80;

/// How a response ended, as far as its events tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Completed,
    /// `response.failed` or an `error` event: the code and message, if any.
    Failed {
        code: Option<String>,
        message: Option<String>,
    },
    /// `response.incomplete`, or a terminal status this client does not know.
    Incomplete,
    /// Ended by a cancel (agent mode: `status: "cancelled"`).
    Cancelled,
}

#[derive(Debug, Default, Clone)]
pub struct ResponseState {
    pub conversation_id: Option<String>,
    pub response_id: Option<String>,
    pub output: Vec<Value>,
    pub ending: Option<Ending>,
    last_sequence: Option<u64>,
    /// Events skipped because this client does not know them (logged once each by name).
    pub unknown: Vec<String>,
}

/// What one event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The ids are known now (the first `response.created`).
    Created,
    Changed,
    /// A repeat, a keep-alive or an event this client skips.
    Nothing,
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ResponseState {
    /// A response known by its ids only (kept from before a restart).
    pub fn resumed(conversation_id: Option<String>, response_id: Option<String>) -> Self {
        Self {
            conversation_id,
            response_id,
            ..Self::default()
        }
    }

    /// Applies one Server-Sent Event.
    pub fn apply_sse(&mut self, event: &SseEvent) -> Applied {
        let data = event.data.trim();
        if data.is_empty() || data == "[DONE]" {
            return Applied::Nothing;
        }
        let Ok(value) = serde_json::from_str::<Value>(data) else {
            tracing::warn!(
                bytes = data.len(),
                "a streamed Genie event is not JSON; skipped"
            );
            return Applied::Nothing;
        };
        let kind = value["type"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| event.event.clone())
            .unwrap_or_default();
        self.apply(&kind, &value)
    }

    /// Applies an event of `kind` with its JSON payload.
    pub fn apply(&mut self, kind: &str, event: &Value) -> Applied {
        if let Some(sequence) = event["sequence_number"].as_u64() {
            if self.last_sequence.is_some_and(|last| sequence <= last) {
                return Applied::Nothing;
            }
            if let Some(last) = self.last_sequence
                && sequence > last + 1
            {
                tracing::debug!(last, sequence, "a gap in a Genie stream's sequence numbers");
            }
            self.last_sequence = Some(sequence);
        }
        match kind {
            "response.created" | "response.in_progress" | "response.queued" => {
                let known = self.response_id.is_some();
                self.take_response(&event["response"]);
                if !known && self.response_id.is_some() {
                    Applied::Created
                } else {
                    Applied::Changed
                }
            }
            "response.output_item.added"
            | "response.output_item.updated"
            | "response.output_item.done" => {
                let item = &event["item"];
                if !item.is_object() {
                    return Applied::Nothing;
                }
                let index = event["output_index"].as_u64().map(|i| i as usize);
                self.put_item(item.clone(), index);
                Applied::Changed
            }
            "response.output_text.delta" => self.apply_delta(event),
            "response.completed" | "response.done" | "response.failed" | "response.incomplete" => {
                self.take_response(&event["response"]);
                let status = event["response"]["status"].as_str().unwrap_or(match kind {
                    "response.failed" => "failed",
                    "response.incomplete" => "incomplete",
                    _ => "completed",
                });
                self.end_with(status, &event["response"]["error"]);
                Applied::Changed
            }
            "error" => {
                self.ending = Some(Ending::Failed {
                    code: text(&event["error_code"]).or_else(|| text(&event["code"])),
                    message: event["message"].as_str().map(str::to_owned),
                });
                Applied::Changed
            }
            other => {
                let name = &other[..other.floor_char_boundary(MAX_NAME_BYTES)];
                if self.unknown.len() < MAX_UNKNOWN && !self.unknown.iter().any(|u| u == name) {
                    tracing::info!(
                        event = name,
                        "a Genie stream event Brickdesk does not know; skipped"
                    );
                    self.unknown.push(name.to_owned());
                }
                Applied::Nothing
            }
        }
    }

    /// A Response object (from a `response.*` event or a read-back): its ids, and its output
    /// when it carries items (a snapshot replaces what the events built).
    pub fn take_response(&mut self, response: &Value) {
        if let Some(id) = response["id"].as_str() {
            self.response_id.get_or_insert_with(|| id.to_owned());
        }
        if let Some(id) = response["conversation_id"].as_str() {
            self.conversation_id.get_or_insert_with(|| id.to_owned());
        }
        if let Some(output) = response["output"].as_array()
            && !output.is_empty()
        {
            self.output = output.iter().filter(|i| i.is_object()).cloned().collect();
        }
    }

    /// A read-back Response: its output, and its ending if it has one.
    pub fn take_snapshot(&mut self, response: &Value) {
        self.take_response(response);
        if let Some(status) = response["status"].as_str()
            && status != "in_progress"
            && status != "queued"
        {
            self.end_with(status, &response["error"]);
        }
    }

    fn end_with(&mut self, status: &str, error: &Value) {
        self.ending = Some(match status {
            "completed" => Ending::Completed,
            "cancelled" | "canceled" => Ending::Cancelled,
            "failed" => Ending::Failed {
                code: text(&error["code"]).or_else(|| text(&error["error_code"])),
                message: error["message"]
                    .as_str()
                    .or_else(|| error.as_str())
                    .map(str::to_owned),
            },
            _ => Ending::Incomplete,
        });
    }

    /// Replaces the item with the same id (or `call_id`, or at `index`), or appends it.
    fn put_item(&mut self, item: Value, index: Option<usize>) {
        let key = |v: &Value| v["id"].as_str().map(str::to_owned);
        let slot = match key(&item) {
            Some(id) => self
                .output
                .iter()
                .position(|i| key(i).as_deref() == Some(&id)),
            None => index.filter(|i| *i < self.output.len()),
        };
        match slot {
            Some(i) => self.output[i] = item,
            None => self.output.push(item),
        }
    }

    /// `response.output_text.delta` (not seen on these APIs, but the Responses family has it):
    /// text appended to an item's part.
    fn apply_delta(&mut self, event: &Value) -> Applied {
        let Some(delta) = event["delta"].as_str() else {
            return Applied::Nothing;
        };
        let item = match event["item_id"].as_str() {
            Some(id) => self.output.iter_mut().find(|i| i["id"] == id),
            None => event["output_index"]
                .as_u64()
                .and_then(|i| self.output.get_mut(i as usize)),
        };
        let Some(item) = item else {
            return Applied::Nothing;
        };
        let part = event["content_index"].as_u64().unwrap_or(0);
        let Some(part) = usize::try_from(part).ok().filter(|p| *p < MAX_PARTS) else {
            tracing::warn!(
                part,
                "a Genie text delta names a part beyond any answer's; skipped"
            );
            return Applied::Nothing;
        };
        if !item["content"].is_array() {
            item["content"] = Value::Array(Vec::new());
        }
        let Some(parts) = item["content"].as_array_mut() else {
            return Applied::Nothing;
        };
        while parts.len() <= part {
            parts.push(serde_json::json!({ "type": "output_text", "text": "" }));
        }
        // In place: copying the text so far for each delta would make a long answer
        // quadratic in its number of deltas.
        match &mut parts[part]["text"] {
            Value::String(text) => text.push_str(delta),
            other => *other = Value::String(delta.to_owned()),
        }
        Applied::Changed
    }

    pub fn is_over(&self) -> bool {
        self.ending.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sse(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: event.map(str::to_owned),
            data: data.to_owned(),
            id: None,
        }
    }

    #[test]
    fn items_are_replaced_by_id_repeats_dropped_and_the_completed_snapshot_wins() {
        let mut state = ResponseState::default();
        let created = json!({"type":"response.created","sequence_number":0,
            "response":{"id":"r","conversation_id":"c","status":"in_progress","output":[]}});
        assert_eq!(
            state.apply_sse(&sse(None, &created.to_string())),
            Applied::Created
        );
        assert_eq!(state.response_id.as_deref(), Some("r"));
        let added = json!({"type":"response.output_item.added","sequence_number":1,"output_index":0,
            "item":{"id":"m","type":"message","status":"in_progress","content":[{"type":"output_text","text":"Reve"}]}});
        state.apply_sse(&sse(Some("response.output_item.added"), &added.to_string()));
        // The same event again (a proxy replaying it) changes nothing.
        assert_eq!(
            state.apply_sse(&sse(None, &added.to_string())),
            Applied::Nothing
        );
        let done = json!({"type":"response.output_item.done","sequence_number":2,"output_index":0,
            "item":{"id":"m","type":"message","status":"completed","content":[{"type":"output_text","text":"Revenue rose."}]}});
        state.apply_sse(&sse(None, &done.to_string()));
        assert_eq!(state.output.len(), 1);
        assert_eq!(state.output[0]["content"][0]["text"], "Revenue rose.");
        assert_eq!(state.apply_sse(&sse(None, "[DONE]")), Applied::Nothing);
        assert_eq!(
            state.apply_sse(&sse(
                Some("response.reasoning.delta"),
                "{\"sequence_number\":3}"
            )),
            Applied::Nothing
        );
        let completed = json!({"type":"response.completed","sequence_number":4,
            "response":{"id":"r","status":"completed","output":[{"id":"m","type":"message","status":"completed"},{"id":"n","type":"message"}]}});
        state.apply_sse(&sse(None, &completed.to_string()));
        assert_eq!(state.output.len(), 2);
        assert_eq!(state.ending, Some(Ending::Completed));
        assert_eq!(state.unknown, ["response.reasoning.delta"]);
    }

    #[test]
    fn the_event_line_names_an_event_whose_json_has_no_type_and_errors_end_it() {
        let mut state = ResponseState::default();
        state.apply_sse(&sse(
            Some("response.created"),
            r#"{"response":{"id":"r","conversation_id":"c"}}"#,
        ));
        assert_eq!(state.conversation_id.as_deref(), Some("c"));
        state.apply_sse(&sse(
            None,
            r#"{"type":"error","error_code":"RESOURCE_DOES_NOT_EXIST","message":"No eligible SQL warehouse found"}"#,
        ));
        assert_eq!(
            state.ending,
            Some(Ending::Failed {
                code: Some("RESOURCE_DOES_NOT_EXIST".into()),
                message: Some("No eligible SQL warehouse found".into())
            })
        );
        let mut failed = ResponseState::default();
        failed.apply(
            "response.failed",
            &json!({"response":{"status":"failed","error":"Genie is down"}}),
        );
        assert_eq!(
            failed.ending,
            Some(Ending::Failed {
                code: None,
                message: Some("Genie is down".into())
            })
        );
        let mut cancelled = ResponseState::default();
        cancelled.apply(
            "response.failed",
            &json!({"response":{"status":"cancelled"}}),
        );
        assert_eq!(cancelled.ending, Some(Ending::Cancelled));
        let mut odd = ResponseState::default();
        odd.take_snapshot(&json!({"status":"paused_for_review"}));
        assert_eq!(odd.ending, Some(Ending::Incomplete));
    }

    #[test]
    fn text_deltas_append_to_their_item() {
        let mut state = ResponseState::default();
        state.apply(
            "response.output_item.added",
            &json!({"item":{"id":"m","type":"message","content":[]}}),
        );
        for delta in ["Revenue ", "rose."] {
            state.apply(
                "response.output_text.delta",
                &json!({"item_id":"m","content_index":0,"delta":delta}),
            );
        }
        assert_eq!(state.output[0]["content"][0]["text"], "Revenue rose.");
    }

    #[test]
    fn a_huge_part_index_is_skipped_and_unknown_names_are_bounded() {
        let mut state = ResponseState::default();
        state.apply(
            "response.output_item.added",
            &json!({"item":{"id":"m","type":"message","content":[]}}),
        );
        let far = state.apply(
            "response.output_text.delta",
            &json!({"item_id":"m","content_index":4_000_000_000u64,"delta":"x"}),
        );
        assert_eq!(far, Applied::Nothing);
        assert_eq!(state.output[0]["content"].as_array().map(Vec::len), Some(0));
        let last = state.apply(
            "response.output_text.delta",
            &json!({"item_id":"m","content_index":MAX_PARTS - 1,"delta":"y"}),
        );
        assert_eq!(last, Applied::Changed);
        assert_eq!(state.output[0]["content"][MAX_PARTS - 1]["text"], "y");
        let long = "é".repeat(10_000);
        for i in 0..1_000 {
            state.apply(&format!("{long}{i}"), &json!({}));
            state.apply(&format!("x.{i}"), &json!({}));
        }
        assert_eq!(state.unknown.len(), MAX_UNKNOWN);
        assert!(
            state.unknown.iter().all(|u| u.len() <= MAX_NAME_BYTES),
            "{:?}",
            state.unknown[0].len()
        );
    }
}
