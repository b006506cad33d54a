//! An Agent-mode conversation as its items list it
//! (`GET /api/2.0/genie/agents/{a}/conversations/{c}/items`, Beta: `{"object":"list","data":[…],
//! "last_id","has_more"}`, `limit` 1–100, `after` an item id): each question is a user
//! `message` whose id is `{response_id}_input`, followed by that response's output items, the
//! report last; a response that failed or was cancelled ends with a `system` message.
//!
//! Boundary: paging the list and cutting it into turns, each turn's items read into a
//! [`ResponseState`]. Reading one response back ([`super::recover`]) and opening a whole
//! conversation started elsewhere ([`super::elsewhere`]) both come through here.

use super::state::{Ending, ResponseState};
use crate::ErrorInfo;
use crate::api::Api;
use crate::api_path::segment;
use serde_json::Value;

/// At most this many pages are read (100 items each).
const MAX_PAGES: usize = 50;

/// One question and what answered it.
#[derive(Debug, Clone)]
pub struct Turn {
    /// The question as typed (`input_text` parts joined).
    pub question: String,
    /// The response's id (`{response_id}_input` on the question), if the id says so.
    pub response_id: Option<String>,
    pub items: Vec<Value>,
}

/// Every item of the conversation, oldest first, following `has_more` / `last_id`.
pub async fn all(api: &Api, agent: &str, conversation: &str) -> Result<Vec<Value>, ErrorInfo> {
    let base = format!(
        "/api/2.0/genie/agents/{}/conversations/{}/items?limit=100",
        segment(agent),
        segment(conversation)
    );
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let path = match &after {
            None => base.clone(),
            Some(id) => format!(
                "{base}&after={}",
                url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
            ),
        };
        let page: Value = api.get(&path).await?;
        let data = page["data"]
            .as_array()
            .or_else(|| page["items"].as_array())
            .cloned()
            .unwrap_or_default();
        let last = page["last_id"].as_str().map(str::to_owned).or_else(|| {
            data.last()
                .and_then(|i| i["id"].as_str())
                .map(str::to_owned)
        });
        let more = page["has_more"].as_bool().unwrap_or(false) && !data.is_empty();
        items.extend(data);
        match (more, last) {
            // A server that repeats its cursor would loop: stop instead.
            (true, Some(last)) if after.as_deref() != Some(last.as_str()) => after = Some(last),
            _ => break,
        }
    }
    Ok(items)
}

fn is_question(item: &Value) -> bool {
    item["type"] == "message" && item["role"] == "user"
}

/// The conversation cut at each question; items before the first question are dropped.
pub fn turns(items: &[Value]) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for item in items {
        if is_question(item) {
            let question = item["content"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|part| part["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n");
            turns.push(Turn {
                question,
                response_id: item["id"]
                    .as_str()
                    .and_then(|id| id.strip_suffix("_input"))
                    .map(str::to_owned),
                items: Vec::new(),
            });
        } else if let Some(turn) = turns.last_mut() {
            turn.items.push(item.clone());
        }
    }
    turns
}

/// A turn's items as a response's state: its output (without the system message) and how it
/// ended: a system message is a failure or, if it says so, a cancel; a finished report is
/// completed; neither means it is still going on.
pub fn state_of(turn: &Turn, state: &mut ResponseState) {
    let system = turn
        .items
        .iter()
        .find(|i| i["type"] == "message" && i["role"] == "system");
    let report = turn.items.iter().any(|i| {
        i["type"] == "message" && i["role"] == "assistant" && i["status"] != "in_progress"
    });
    let output: Vec<Value> = turn
        .items
        .iter()
        .filter(|i| i["role"] != "system")
        .cloned()
        .collect();
    if !output.is_empty() {
        state.output = output;
    }
    if let Some(system) = system {
        let text = system["content"][0]["text"].as_str().map(str::to_owned);
        let cancelled = text
            .as_deref()
            .is_some_and(|t| t.to_lowercase().contains("cancel"));
        state.ending = Some(if cancelled {
            Ending::Cancelled
        } else {
            Ending::Failed {
                code: None,
                message: text,
            }
        });
    } else if report {
        state.ending = Some(Ending::Completed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn question(id: &str, text: &str) -> Value {
        json!({"type":"message","id":format!("{id}_input"),"role":"user","status":"completed",
               "content":[{"type":"input_text","text":text}]})
    }

    fn report(id: &str, text: &str) -> Value {
        json!({"type":"message","id":id,"role":"assistant","status":"completed",
               "content":[{"type":"output_text","text":text,"annotations":[]}]})
    }

    #[test]
    fn a_conversation_is_cut_at_each_question() {
        let items = vec![
            json!({"type":"reasoning","id":"stray"}),
            question("r1", "Revenue by region?"),
            json!({"type":"reasoning","id":"p1","status":"completed","content":[{"type":"reasoning_text","text":"Plan"}]}),
            report("m1", "Europe leads."),
            question("r2", "And by year?"),
            json!({"type":"message","id":"e","role":"system","status":"completed",
                   "content":[{"type":"output_text","text":"The response was cancelled."}]}),
            question("r3", "Why?"),
        ];
        let turns = turns(&items);
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].question, "Revenue by region?");
        assert_eq!(turns[0].response_id.as_deref(), Some("r1"));
        assert_eq!(
            turns[0].items.len(),
            2,
            "the stray item before any question is dropped"
        );

        let mut first = ResponseState::default();
        state_of(&turns[0], &mut first);
        assert_eq!(first.ending, Some(Ending::Completed));
        assert_eq!(first.output.len(), 2);

        let mut second = ResponseState::default();
        state_of(&turns[1], &mut second);
        assert_eq!(second.ending, Some(Ending::Cancelled));
        assert!(second.output.is_empty(), "the system message is not output");

        let mut third = ResponseState::default();
        state_of(&turns[2], &mut third);
        assert_eq!(third.ending, None, "no report yet: still going on");
    }

    #[test]
    fn a_system_message_without_cancel_is_a_failure_with_its_words() {
        let turn = Turn {
            question: "Q".into(),
            response_id: None,
            items: vec![json!({"type":"message","id":"e","role":"system",
                "content":[{"type":"output_text","text":"Warehouse stopped"}]})],
        };
        let mut state = ResponseState::default();
        state_of(&turn, &mut state);
        assert_eq!(
            state.ending,
            Some(Ending::Failed {
                code: None,
                message: Some("Warehouse stopped".into())
            })
        );
    }
}
