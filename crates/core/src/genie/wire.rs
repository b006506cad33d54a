//! The Genie Conversation API's JSON, read tolerantly: unknown statuses and attachment kinds
//! are kept as "other" rather than failing, and int64 fields may be numbers or strings.

use serde::{Deserialize, Deserializer, Serialize};

/// A number that may arrive as a JSON number or a decimal string.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Number(n)) => Some(n),
        Some(Either::Float(f)) => Some(f as i64),
        Some(Either::Text(s)) => s.parse().ok(),
        None => None,
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireSpace {
    pub space_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub warehouse_id: Option<String>,
    #[serde(default)]
    pub serialized_space: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SpacesPage {
    #[serde(default)]
    pub spaces: Vec<WireSpace>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A Genie agent as `GET /api/2.0/genie/agents` lists it (databricks-sdk-py 0.162
/// `genieagents.GenieAgent`): `name` is `agents/{id}`; the full view adds `definition`.
#[derive(Debug, Clone, Deserialize)]
pub struct WireAgent {
    pub name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub warehouse_id: Option<String>,
    #[serde(default)]
    pub definition: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AgentsPage {
    #[serde(default)]
    pub genie_agents: Vec<WireAgent>,
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Agents that could not be read (full view only): `agents/{id}`.
    #[serde(default)]
    pub unreachable: Vec<String>,
}

/// Where a message is (`MessageStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageStatus {
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
    #[serde(other)]
    Other,
}

impl MessageStatus {
    /// No more polling: the message will not change by itself.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Cancelled | Self::QueryResultExpired
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireMessageError {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireText {
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireResultMetadata {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub row_count: Option<i64>,
    #[serde(default)]
    pub is_truncated: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireQuery {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub statement_id: Option<String>,
    #[serde(default)]
    pub query_result_metadata: Option<WireResultMetadata>,
    /// `QueryAttachmentParameter`s (`keyword`, `sql_type`, `value`): a query with any cannot
    /// be re-run as plain SQL, so "Get all rows" then uses only the download.
    #[serde(default)]
    pub parameters: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireSuggestions {
    #[serde(default)]
    pub questions: Vec<String>,
}

/// `GenieVizAttachment` (databricks-sdk-py 0.162): a chart Genie drew, when asked to.
#[derive(Debug, Clone, Deserialize)]
pub struct WireViz {
    #[serde(default)]
    pub title: Option<String>,
    /// The query attachment the chart was drawn from (a message that self-corrected has
    /// several queries, and may have a chart per query).
    #[serde(default)]
    pub query_attachment_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireAttachment {
    #[serde(default)]
    pub attachment_id: Option<String>,
    #[serde(default)]
    pub text: Option<WireText>,
    #[serde(default)]
    pub query: Option<WireQuery>,
    #[serde(default)]
    pub suggested_questions: Option<WireSuggestions>,
    #[serde(default)]
    pub viz: Option<WireViz>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireFeedback {
    #[serde(default)]
    pub rating: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(from = "RawMessage")]
pub struct WireMessage {
    pub message_id: String,
    pub conversation_id: String,
    pub space_id: String,
    pub content: String,
    pub status: MessageStatus,
    pub attachments: Vec<WireAttachment>,
    pub error: Option<WireMessageError>,
    pub feedback: Option<WireFeedback>,
    pub created_timestamp: Option<i64>,
    pub last_updated_timestamp: Option<i64>,
}

/// The message as sent: `id` is a legacy duplicate of `message_id` (either may be missing).
#[derive(Debug, Clone, Deserialize)]
struct RawMessage {
    #[serde(default)]
    message_id: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    conversation_id: String,
    #[serde(default)]
    space_id: String,
    #[serde(default)]
    content: String,
    #[serde(default = "submitted")]
    status: MessageStatus,
    #[serde(default)]
    attachments: Vec<WireAttachment>,
    #[serde(default)]
    error: Option<WireMessageError>,
    #[serde(default)]
    feedback: Option<WireFeedback>,
    #[serde(default, deserialize_with = "lenient_i64")]
    created_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    last_updated_timestamp: Option<i64>,
}

impl From<RawMessage> for WireMessage {
    fn from(raw: RawMessage) -> Self {
        Self {
            message_id: raw.message_id.or(raw.id).unwrap_or_default(),
            conversation_id: raw.conversation_id,
            space_id: raw.space_id,
            content: raw.content,
            status: raw.status,
            attachments: raw.attachments,
            error: raw.error,
            feedback: raw.feedback,
            created_timestamp: raw.created_timestamp,
            last_updated_timestamp: raw.last_updated_timestamp,
        }
    }
}

fn submitted() -> MessageStatus {
    MessageStatus::Submitted
}

#[derive(Debug, Clone, Deserialize)]
pub struct StartResponse {
    pub conversation_id: String,
    pub message_id: String,
    #[serde(default)]
    pub message: Option<WireMessage>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireConversation {
    pub conversation_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub created_timestamp: Option<i64>,
    /// Not in the list's documented summary (only on the full `GenieConversation`): read when
    /// a server sends it.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub last_updated_timestamp: Option<i64>,
    #[serde(default)]
    pub agent_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConversationsPage {
    #[serde(default)]
    pub conversations: Vec<WireConversation>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MessagesPage {
    #[serde(default)]
    pub messages: Vec<WireMessage>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// `GenieGenerateDownloadFullQueryResultResponse` (databricks-sdk-py 0.162).
#[derive(Debug, Deserialize)]
pub struct DownloadStarted {
    pub download_id: String,
    /// Required on the poll since databricks-sdk-py 0.93; tolerated missing here, in which
    /// case the workspace says what it wants.
    #[serde(default)]
    pub download_id_signature: Option<String>,
}

/// `query-result`, `execute-query` and a download's poll
/// (`GenieGetDownloadFullQueryResultResponse`) all answer with one statement.
#[derive(Debug, Deserialize)]
pub struct QueryResultResponse {
    pub statement_response: crate::sql::wire::StatementResponse,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_as_strings_and_unknown_statuses() {
        let message: WireMessage = serde_json::from_value(serde_json::json!({
            "id": "m1", "conversation_id": "c", "space_id": "s", "content": "q",
            "status": "SOMETHING_NEW", "created_timestamp": "1741082400000",
            "attachments": [{"attachment_id": "a", "viz": {}}]
        }))
        .expect("tolerant");
        assert_eq!(message.message_id, "m1");
        assert_eq!(message.status, MessageStatus::Other);
        assert_eq!(message.created_timestamp, Some(1_741_082_400_000));
        assert!(message.attachments[0].query.is_none());
    }
}
