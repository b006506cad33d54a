//! Genie's state: conversations, messages with their attachments, feedback, comments and
//! full-result downloads, and how each is shown on the wire.

use super::analyst::{Plan, Query};
use super::rate_limit::RateLimiter;
use crate::store::Subject;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Submitted,
    FetchingMetadata,
    FilteringContext,
    AskingAi,
    PendingWarehouse,
    ExecutingQuery,
    Completed,
    Failed,
    Cancelled,
    QueryResultExpired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "SUBMITTED",
            Self::FetchingMetadata => "FETCHING_METADATA",
            Self::FilteringContext => "FILTERING_CONTEXT",
            Self::AskingAi => "ASKING_AI",
            Self::PendingWarehouse => "PENDING_WAREHOUSE",
            Self::ExecutingQuery => "EXECUTING_QUERY",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
            Self::Cancelled => "CANCELLED",
            Self::QueryResultExpired => "QUERY_RESULT_EXPIRED",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Cancelled | Self::QueryResultExpired
        )
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Attachment ids are drawn when the message is created, so they follow the seed.
#[derive(Debug, Clone)]
pub struct AttachmentIds {
    pub query: String,
    pub text: String,
    /// For a second text attachment (a clarifying question beside the answer).
    pub follow_up: String,
    pub suggestions: String,
    pub viz: String,
}

/// A query attachment and the statement behind it.
#[derive(Debug, Clone)]
pub struct QueryAttachment {
    pub query: Query,
    pub statement_id: Option<String>,
    pub row_count: Option<u64>,
    pub truncated: bool,
    /// The result aged out (or was expired by a test); query-result fails until execute-query.
    pub expired: bool,
    pub updated_ms: i64,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: String,
    pub content: String,
    pub created_ms: i64,
}

#[derive(Debug)]
pub struct Message {
    pub id: String,
    pub space_id: String,
    pub conversation_id: String,
    pub owner: Subject,
    pub user_id: i64,
    pub content: String,
    pub status: Status,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub ids: AttachmentIds,
    pub visualize: bool,
    pub query: Option<QueryAttachment>,
    /// Text attachments, `(content, purpose)`: the answer, and a clarifying question when
    /// Genie asks one too (databricks-sdk-py `TextAttachment.purpose`: "A completed message
    /// may contain more than one text attachment").
    pub texts: Vec<(String, &'static str)>,
    pub suggestions: Vec<String>,
    /// `(error_type, error)`.
    pub error: Option<(String, String)>,
    pub rating: Option<String>,
    pub comments: Vec<Comment>,
    pub task: Option<tokio::task::AbortHandle>,
    seq: u64,
}

#[derive(Debug)]
pub struct Conversation {
    pub id: String,
    pub space_id: String,
    pub owner: Subject,
    pub user_id: i64,
    pub title: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The last plan asked for: the context that follow-ups change.
    pub context: Option<Plan>,
    seq: u64,
}

/// A full-result download (`…/downloads`): a statement with external links.
#[derive(Debug, Clone)]
pub struct Download {
    pub message_id: String,
    pub attachment_id: String,
    pub signature: String,
    pub statement_id: String,
    /// Polls answered so far; the first ones report `PENDING`, as the real service does.
    pub polls: u32,
}

#[derive(Debug, Default)]
pub struct Inner {
    pub conversations: HashMap<String, Conversation>,
    pub messages: HashMap<String, Message>,
    pub downloads: HashMap<String, Download>,
    seq: u64,
}

impl Inner {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn add_conversation(
        &mut self,
        id: String,
        space_id: &str,
        owner: Subject,
        user_id: i64,
        title: &str,
    ) {
        let now = now_ms();
        let seq = self.next_seq();
        let title: String = title.chars().take(120).collect();
        self.conversations.insert(
            id.clone(),
            Conversation {
                id,
                space_id: space_id.into(),
                owner,
                user_id,
                title,
                created_ms: now,
                updated_ms: now,
                context: None,
                seq,
            },
        );
    }

    pub fn add_message(
        &mut self,
        id: String,
        conversation_id: &str,
        content: &str,
        ids: AttachmentIds,
        visualize: bool,
    ) -> Option<&Message> {
        let seq = self.next_seq();
        let now = now_ms();
        let conversation = self.conversations.get_mut(conversation_id)?;
        conversation.updated_ms = now;
        conversation.seq = seq;
        let message = Message {
            id: id.clone(),
            space_id: conversation.space_id.clone(),
            conversation_id: conversation_id.into(),
            owner: conversation.owner.clone(),
            user_id: conversation.user_id,
            content: content.into(),
            status: Status::Submitted,
            created_ms: now,
            updated_ms: now,
            ids,
            visualize,
            query: None,
            texts: Vec::new(),
            suggestions: Vec::new(),
            error: None,
            rating: None,
            comments: Vec::new(),
            task: None,
            seq,
        };
        self.messages.insert(id.clone(), message);
        self.messages.get(&id)
    }

    /// The conversation's messages, oldest first.
    pub fn messages_of(&self, conversation_id: &str) -> Vec<&Message> {
        let mut messages: Vec<&Message> = self
            .messages
            .values()
            .filter(|m| m.conversation_id == conversation_id)
            .collect();
        messages.sort_by_key(|m| m.seq);
        messages
    }

    /// The space's conversations of `owner`, most recently active first.
    pub fn conversations_of(&self, space_id: &str, owner: &Subject) -> Vec<&Conversation> {
        let mut conversations: Vec<&Conversation> = self
            .conversations
            .values()
            .filter(|c| c.space_id == space_id && &c.owner == owner)
            .collect();
        conversations.sort_by_key(|c| std::cmp::Reverse(c.seq));
        conversations
    }

    /// Removes a message, stopping its work; returns the statement to cancel, if any.
    pub fn remove_message(&mut self, id: &str) -> Option<Message> {
        let message = self.messages.remove(id)?;
        if let Some(task) = &message.task {
            task.abort();
        }
        self.downloads.retain(|_, d| d.message_id != id);
        Some(message)
    }
}

#[derive(Debug)]
pub struct Genie {
    inner: Mutex<Inner>,
    pub rate: RateLimiter,
    /// Genie One and Agent mode responses.
    pub responses: super::responses::Runs,
}

impl Genie {
    pub fn new(questions_per_minute: u32) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            rate: RateLimiter::new(questions_per_minute),
            responses: super::responses::Runs::default(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies `change` to a message that is still in flight; false when it was deleted or has
    /// already ended (then the caller's work is moot).
    pub fn update(&self, id: &str, change: impl FnOnce(&mut Message)) -> bool {
        let mut inner = self.lock();
        match inner.messages.get_mut(id) {
            Some(message) if !message.status.is_terminal() => {
                change(message);
                message.updated_ms = now_ms();
                true
            }
            _ => false,
        }
    }
}

/// `GenieConversation`.
pub fn conversation_json(conversation: &Conversation) -> Value {
    json!({
        "conversation_id": conversation.id,
        "id": conversation.id,
        "space_id": conversation.space_id,
        "title": conversation.title,
        "user_id": conversation.user_id,
        "created_timestamp": conversation.created_ms,
        "last_updated_timestamp": conversation.updated_ms,
    })
}

/// `GenieConversationSummary`, as list-conversations shows it.
pub fn conversation_summary_json(conversation: &Conversation) -> Value {
    json!({
        "conversation_id": conversation.id,
        "title": conversation.title,
        "created_timestamp": conversation.created_ms,
        "agent_type": "GENIE_CONVERSATION_TYPE_CHAT",
    })
}

fn query_json(message: &Message, attachment: &QueryAttachment) -> Value {
    let query = &attachment.query;
    let thoughts: Vec<Value> = query
        .thoughts
        .iter()
        .map(|(kind, content)| json!({ "thought_type": kind, "content": content }))
        .collect();
    let mut value = json!({
        "id": message.ids.query,
        "title": query.title,
        "description": query.description,
        "query": query.sql,
        "thoughts": thoughts,
        "last_updated_timestamp": attachment.updated_ms,
    });
    if let Some(statement_id) = &attachment.statement_id {
        value["statement_id"] = json!(statement_id);
    }
    if let Some(rows) = attachment.row_count {
        value["query_result_metadata"] =
            json!({ "row_count": rows, "is_truncated": attachment.truncated });
    }
    value
}

/// `GenieMessage`; attachments in display order: query, text, suggestions, visualization.
pub fn message_json(message: &Message) -> Value {
    let mut attachments = Vec::new();
    if let Some(query) = &message.query {
        attachments.push(json!({
            "attachment_id": message.ids.query,
            "query": query_json(message, query),
        }));
    }
    for (i, (content, purpose)) in message.texts.iter().enumerate() {
        let id = if i == 0 {
            &message.ids.text
        } else {
            &message.ids.follow_up
        };
        attachments.push(json!({
            "attachment_id": id,
            "text": { "id": id, "content": content, "purpose": purpose },
        }));
    }
    if !message.suggestions.is_empty() {
        attachments.push(json!({
            "attachment_id": message.ids.suggestions,
            "suggested_questions": { "questions": message.suggestions },
        }));
    }
    if let Some(query) = message.query.as_ref().filter(|_| {
        message.visualize && message.status == Status::Completed && !message.texts.is_empty()
    }) {
        attachments.push(json!({
            "attachment_id": message.ids.viz,
            "viz": { "query_attachment_id": message.ids.query, "title": query.query.title },
        }));
    }
    let mut value = json!({
        "message_id": message.id,
        "id": message.id,
        "space_id": message.space_id,
        "conversation_id": message.conversation_id,
        "content": message.content,
        "status": message.status.as_str(),
        "user_id": message.user_id,
        "created_timestamp": message.created_ms,
        "last_updated_timestamp": message.updated_ms,
    });
    if !attachments.is_empty() {
        value["attachments"] = json!(attachments);
    }
    if let Some((kind, text)) = &message.error {
        value["error"] = json!({ "type": kind, "error": text });
    }
    if let Some(rating) = &message.rating {
        value["feedback"] = json!({ "rating": rating });
    }
    value
}

pub fn comment_json(message: &Message, comment: &Comment) -> Value {
    json!({
        "message_comment_id": comment.id,
        "space_id": message.space_id,
        "conversation_id": message.conversation_id,
        "message_id": message.id,
        "content": comment.content,
        "created_timestamp": comment.created_ms,
        "user_id": message.user_id,
    })
}
