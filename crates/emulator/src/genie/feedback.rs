//! Feedback (thumbs up or down) and comments on messages.

use super::conversations::{genie_id, not_found, owned_conversation, owned_message};
use super::spaces::{Page, paged};
use super::store::{Comment, comment_json, now_ms};
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

type MessagePath = (String, String, String);

fn invalid(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE", message)
}

fn body_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid("The request body must be a JSON object.")),
    }
}

fn add_comment(shared: &Shared, message_id: &str, content: &str) -> Result<Value, ApiError> {
    let id = genie_id(shared, "comment");
    let mut inner = shared.genie.lock();
    let message = inner
        .messages
        .get_mut(message_id)
        .ok_or_else(|| not_found("Message", message_id))?;
    let comment = Comment {
        id,
        content: content.to_owned(),
        created_ms: now_ms(),
    };
    let value = comment_json(message, &comment);
    message.comments.push(comment);
    Ok(value)
}

/// `POST …/messages/{message_id}/feedback`: `{rating: POSITIVE|NEGATIVE|NONE, comment?}`;
/// `NONE` clears the rating. A comment is stored as a message comment.
pub async fn send(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message)): Path<MessagePath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space, &conversation, &message))?;
    let map = body_object(&body)?;
    let rating = match map.get("rating").and_then(Value::as_str) {
        Some(r @ ("POSITIVE" | "NEGATIVE")) => Some(r.to_owned()),
        Some("NONE") => None,
        _ => return Err(invalid("rating must be POSITIVE, NEGATIVE or NONE.")),
    };
    if let Some(comment) = map
        .get("comment")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
    {
        add_comment(&shared, &message, comment)?;
    }
    if let Some(m) = shared.genie.lock().messages.get_mut(&message) {
        m.rating = rating;
    }
    Ok(json_ok(json!({})))
}

/// `POST …/messages/{message_id}/comments`: `{content}`.
pub async fn comment(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message)): Path<MessagePath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space, &conversation, &message))?;
    let map = body_object(&body)?;
    let content = map
        .get("content")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| invalid("content is required."))?;
    Ok(json_ok(add_comment(&shared, &message, content)?))
}

/// `GET …/messages/{message_id}/comments`, oldest first.
pub async fn list_comments(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation, message)): Path<MessagePath>,
    Query(page): Query<Page>,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space, &conversation, &message))?;
    let window = page.window(100, shared.config.genie.max_page_size)?;
    let inner = shared.genie.lock();
    let comments = inner
        .messages
        .get(&message)
        .map(|m| m.comments.iter().map(|c| comment_json(m, c)).collect())
        .unwrap_or_default();
    Ok(paged("comments", comments, window))
}

/// `GET …/conversations/{conversation_id}/list-comments`: every message's comments, in
/// message order.
pub async fn list_conversation_comments(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space, conversation)): Path<(String, String)>,
    Query(page): Query<Page>,
) -> Result<Response, ApiError> {
    owned_conversation(&shared, &caller, &space, &conversation)?;
    let window = page.window(100, shared.config.genie.max_page_size)?;
    let inner = shared.genie.lock();
    let comments = inner
        .messages_of(&conversation)
        .into_iter()
        .flat_map(|m| m.comments.iter().map(move |c| comment_json(m, c)))
        .collect();
    Ok(paged("comments", comments, window))
}
