//! Conversations and messages: start a conversation, ask a follow-up, poll a message, list
//! and delete conversations and messages. Asking is what the question limit counts.

use super::analyst::{self, Answer};
use super::lifecycle::{self, Job, Outcome};
use super::spaces::{Page, accessible, dataset_of, paged};
use super::store::{
    AttachmentIds, Status, conversation_json, conversation_summary_json, message_json,
};
use super::{OverLimit, SpaceConfig};
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::faults::Fault;
use crate::server::Shared;
use crate::sql::statements::State as StatementState;
use crate::store::Subject;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest question accepted, in characters.
const MAX_QUESTION_CHARS: usize = 10_000;

/// A Genie id: 32 lowercase hex digits, drawn from the seeded store.
pub fn genie_id(shared: &Shared, kind: &str) -> String {
    format!("01f0{}", &shared.store.next_hex(kind)[..28])
}

struct Ask {
    content: String,
    visualize: bool,
}

fn parse_ask(body: &[u8]) -> Result<Ask, ApiError> {
    let invalid = |m: &str| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE", m);
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid("The request body must be a JSON object."));
    };
    let content = map
        .get("content")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| invalid("content is required."))?;
    if content.chars().count() > MAX_QUESTION_CHARS {
        return Err(invalid("content is longer than 10,000 characters."));
    }
    Ok(Ask {
        content: content.to_owned(),
        visualize: map
            .get("enable_visualization")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Counts the question against the workspace budget. Over it, either refuses with 429 and
/// `Retry-After`, or (as configured) lets it through to fail as a rate-limited message.
fn admit(shared: &Shared) -> Result<Outcome, ApiError> {
    match shared.genie.rate.admit() {
        Ok(()) => Ok(Outcome::Answer),
        Err(retry_after) => match shared.config.genie.over_limit {
            OverLimit::FailedMessage => Ok(Outcome::Fail {
                error_type: "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION".into(),
                error: "Genie is answering too many questions in this workspace. Try again in \
                        a minute."
                    .into(),
            }),
            OverLimit::Http429 => {
                let per_minute = shared.config.genie.questions_per_minute;
                Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RESOURCE_EXHAUSTED",
                    format!(
                        "This workspace has reached its limit of {per_minute} Genie questions per \
                         minute. Try again in {retry_after} seconds."
                    ),
                )
                .retry_after(retry_after))
            }
        },
    }
}

/// An injected fault for this question, if a test armed one.
fn injected(shared: &Shared, path: &str, outcome: Outcome) -> Outcome {
    let wanted = |f: &Fault| {
        matches!(
            f,
            Fault::GenieMessageFailure { .. } | Fault::GenieMessageCancelled
        )
    };
    match shared.faults.take("POST", path, wanted) {
        Some(Fault::GenieMessageFailure {
            error_type,
            message,
        }) => Outcome::Fail {
            error: message.unwrap_or_else(|| format!("Genie could not answer ({error_type}).")),
            error_type,
        },
        Some(_) => Outcome::Cancel,
        None => outcome,
    }
}

fn user_id(shared: &Shared, subject: &Subject) -> i64 {
    let id = match subject {
        Subject::User(email) => shared.config.user_by_email(email).map(|u| u.id.as_str()),
        Subject::ServicePrincipal(client) => shared
            .config
            .service_principal(client)
            .map(|s| s.id.as_str()),
    };
    id.and_then(|id| id.parse().ok()).unwrap_or(0)
}

fn attachment_ids(shared: &Shared) -> AttachmentIds {
    AttachmentIds {
        query: genie_id(shared, "attachment"),
        text: genie_id(shared, "attachment"),
        follow_up: genie_id(shared, "attachment"),
        suggestions: genie_id(shared, "attachment"),
        viz: genie_id(shared, "attachment"),
    }
}

/// Adds the message to its conversation, reads the question in the conversation's context
/// and starts the message's life. Returns the message as first shown.
fn ask(
    shared: &Shared,
    space: &SpaceConfig,
    conversation_id: &str,
    ask: &Ask,
    outcome: Outcome,
) -> Result<Value, ApiError> {
    let message_id = genie_id(shared, "message");
    let ids = attachment_ids(shared);
    let dataset = dataset_of(space);
    let (job, snapshot) = {
        let mut inner = shared.genie.lock();
        let Some(conversation) = inner.conversations.get_mut(conversation_id) else {
            return Err(not_found("Conversation", conversation_id));
        };
        let answer = analyst::answer(
            dataset,
            &ask.content,
            conversation.context.as_ref(),
            &space.sample_questions,
        );
        if let (Answer::Query(query), Outcome::Answer) = (&answer, &outcome) {
            conversation.context = Some(query.plan);
        }
        let owner = conversation.owner.clone();
        let Some(message) = inner.add_message(
            message_id.clone(),
            conversation_id,
            &ask.content,
            ids,
            ask.visualize,
        ) else {
            return Err(not_found("Conversation", conversation_id));
        };
        let snapshot = message_json(message);
        let job = Job {
            message_id: message_id.clone(),
            owner,
            dataset,
            warehouse_id: space.warehouse_id.clone(),
            answer,
            outcome,
        };
        (job, snapshot)
    };
    let task = tokio::spawn(lifecycle::run(shared.clone(), job));
    if let Some(message) = shared.genie.lock().messages.get_mut(&message_id) {
        message.task = Some(task.abort_handle());
    }
    Ok(snapshot)
}

pub fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
        format!("{what} {id} does not exist."),
    )
}

/// `POST /api/2.0/genie/spaces/{space_id}/start-conversation`
pub async fn start(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(space_id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let space = accessible(&shared, &caller, &space_id)?;
    let question = parse_ask(&body)?;
    let outcome = admit(&shared)?;
    let path = format!("/api/2.0/genie/spaces/{space_id}/start-conversation");
    let outcome = injected(&shared, &path, outcome);
    let conversation_id = genie_id(&shared, "conversation");
    shared.genie.lock().add_conversation(
        conversation_id.clone(),
        &space_id,
        caller.subject.clone(),
        user_id(&shared, &caller.subject),
        &question.content,
    );
    let message = ask(&shared, space, &conversation_id, &question, outcome)?;
    let conversation = shared
        .genie
        .lock()
        .conversations
        .get(&conversation_id)
        .map(conversation_json);
    Ok(json_ok(json!({
        "conversation_id": conversation_id,
        "message_id": message["message_id"],
        "conversation": conversation,
        "message": message,
    })))
}

/// The conversation, checked against the path's space and the caller.
pub fn owned_conversation(
    shared: &Shared,
    caller: &Caller,
    space_id: &str,
    conversation_id: &str,
) -> Result<(), ApiError> {
    accessible(shared, caller, space_id)?;
    let inner = shared.genie.lock();
    match inner.conversations.get(conversation_id) {
        Some(c) if c.space_id == space_id && c.owner == caller.subject => Ok(()),
        Some(c) if c.space_id == space_id => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "This conversation belongs to another user.",
        )),
        _ => Err(not_found("Conversation", conversation_id)),
    }
}

/// The message, checked against the path and the caller; marks an answer whose result has aged
/// out as `QUERY_RESULT_EXPIRED` first.
pub fn owned_message(
    shared: &Shared,
    caller: &Caller,
    (space_id, conversation_id, message_id): (&str, &str, &str),
) -> Result<(), ApiError> {
    owned_conversation(shared, caller, space_id, conversation_id)?;
    let statement_id = {
        let inner = shared.genie.lock();
        match inner.messages.get(message_id) {
            Some(m) if m.conversation_id == conversation_id => m
                .query
                .as_ref()
                .filter(|_| m.status == Status::Completed)
                .and_then(|q| q.statement_id.clone()),
            _ => return Err(not_found("Message", message_id)),
        }
    };
    let closed = statement_id
        .and_then(|id| shared.statements.snapshot(&id))
        .is_some_and(|s| s.state == StatementState::Closed);
    if closed {
        expire(shared, message_id);
    }
    Ok(())
}

/// Moves a completed query answer to `QUERY_RESULT_EXPIRED`.
pub fn expire(shared: &Shared, message_id: &str) -> bool {
    let mut inner = shared.genie.lock();
    match inner.messages.get_mut(message_id) {
        Some(m) if m.status == Status::Completed && m.query.is_some() => {
            m.status = Status::QueryResultExpired;
            if let Some(q) = m.query.as_mut() {
                q.expired = true;
            }
            true
        }
        _ => false,
    }
}

/// `POST …/conversations/{conversation_id}/messages`
pub async fn create_message(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space_id, conversation_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    owned_conversation(&shared, &caller, &space_id, &conversation_id)?;
    let space = accessible(&shared, &caller, &space_id)?;
    let question = parse_ask(&body)?;
    let outcome = admit(&shared)?;
    let path = format!("/api/2.0/genie/spaces/{space_id}/conversations/{conversation_id}/messages");
    let outcome = injected(&shared, &path, outcome);
    let message = ask(&shared, space, &conversation_id, &question, outcome)?;
    Ok(json_ok(message))
}

/// `GET …/messages/{message_id}`
pub async fn get_message(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space_id, conversation_id, message_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space_id, &conversation_id, &message_id))?;
    let inner = shared.genie.lock();
    let message = inner
        .messages
        .get(&message_id)
        .ok_or_else(|| not_found("Message", &message_id))?;
    Ok(json_ok(message_json(message)))
}

/// List-conversations parameters. (Not `#[serde(flatten)]` over [`Page`]: flattening turns
/// numbers in query strings into strings and breaks `page_size`.)
#[derive(Debug, Deserialize)]
pub struct ListConversations {
    page_size: Option<usize>,
    page_token: Option<String>,
    #[serde(default)]
    include_all: bool,
}

/// `GET /api/2.0/genie/spaces/{space_id}/conversations`: the caller's chats and Agent-mode
/// conversations (`agent_type`), most recently updated first.
pub async fn list(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(space_id): Path<String>,
    Query(query): Query<ListConversations>,
) -> Result<Response, ApiError> {
    accessible(&shared, &caller, &space_id)?;
    if query.include_all {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "include_all requires CAN MANAGE on the space.",
        ));
    }
    let page = Page {
        page_size: query.page_size,
        page_token: query.page_token,
    };
    let window = page.window(20, shared.config.genie.max_page_size)?;
    let mut conversations: Vec<(i64, Value)> = {
        let inner = shared.genie.lock();
        inner
            .conversations_of(&space_id, &caller.subject)
            .into_iter()
            .map(|c| (c.updated_ms, conversation_summary_json(c)))
            .collect()
    };
    conversations.extend(super::responses::agent::summaries(
        &shared,
        &space_id,
        &caller.subject,
    ));
    // Stable: chats updated in the same millisecond keep their store order.
    conversations.sort_by_key(|(updated, _)| std::cmp::Reverse(*updated));
    let conversations = conversations.into_iter().map(|(_, c)| c).collect();
    Ok(paged("conversations", conversations, window))
}

/// `GET …/conversations/{conversation_id}/messages`: oldest first.
pub async fn list_messages(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space_id, conversation_id)): Path<(String, String)>,
    Query(page): Query<Page>,
) -> Result<Response, ApiError> {
    owned_conversation(&shared, &caller, &space_id, &conversation_id)?;
    let window = page.window(100, shared.config.genie.max_page_size)?;
    let inner = shared.genie.lock();
    let messages = inner
        .messages_of(&conversation_id)
        .into_iter()
        .map(message_json)
        .collect();
    Ok(paged("messages", messages, window))
}

fn cancel_statement(shared: &Shared, statement_id: Option<String>) {
    if let Some(id) = statement_id {
        shared.statements.cancel(&id);
    }
}

/// `DELETE …/conversations/{conversation_id}`: the conversation and all its messages.
pub async fn delete(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space_id, conversation_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    if !shared
        .genie
        .lock()
        .conversations
        .contains_key(&conversation_id)
    {
        accessible(&shared, &caller, &space_id)?;
        if super::responses::agent::delete_conversation(
            &shared,
            &space_id,
            &conversation_id,
            &caller.subject,
        ) {
            return Ok(json_ok(json!({})));
        }
    }
    owned_conversation(&shared, &caller, &space_id, &conversation_id)?;
    let statements: Vec<Option<String>> = {
        let mut inner = shared.genie.lock();
        inner.conversations.remove(&conversation_id);
        let ids: Vec<String> = inner
            .messages_of(&conversation_id)
            .iter()
            .map(|m| m.id.clone())
            .collect();
        ids.iter()
            .filter_map(|id| inner.remove_message(id))
            .map(|m| m.query.and_then(|q| q.statement_id))
            .collect()
    };
    statements
        .into_iter()
        .for_each(|s| cancel_statement(&shared, s));
    Ok(json_ok(json!({})))
}

/// `DELETE …/messages/{message_id}`
pub async fn delete_message(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((space_id, conversation_id, message_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    owned_message(&shared, &caller, (&space_id, &conversation_id, &message_id))?;
    let removed = shared.genie.lock().remove_message(&message_id);
    if let Some(message) = removed {
        cancel_statement(&shared, message.query.and_then(|q| q.statement_id));
    }
    Ok(json_ok(json!({})))
}
