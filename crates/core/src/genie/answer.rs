//! A Genie message as the UI shows it: Genie's texts (sanitized HTML), each marked as the
//! answer or as a question Genie asks back, the query with its rows (kept in Rust as a result
//! the grid reads, like the SQL runner's; see [`super::rows`]), the suggested follow-ups, the
//! feedback given, and for a message that did not complete, what happened and what to do.

use super::markdown;
use super::rows;
use super::wire::{MessageStatus, WireMessage};
use crate::api::Api;
use crate::sql::result_set::ResultSummary;
use crate::sql::runs::Runs;
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Rating {
    Positive,
    Negative,
    None,
}

/// The SQL Genie wrote and its result.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QueryAnswer {
    pub attachment_id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub sql: String,
    /// The statement that ran the query on the space's warehouse (`GenieQueryAttachment.
    /// statement_id`), for provenance and for finding it in the workspace's query history.
    pub statement_id: Option<String>,
    /// How many rows the query returned in all (`query_result_metadata.row_count`), when
    /// Genie says; more than the rows here when Genie cut the result.
    pub total_rows: Option<u32>,
    /// Not every row is here: Genie's own cap (5,000 rows) cut the result, or a part of it
    /// could not be fetched; the SQL runner gets all of it.
    pub truncated: bool,
    /// The rows, as a result the grid and export read (`None` until they are fetched, or when
    /// the result expired).
    pub run_id: Option<u32>,
    pub result: Option<ResultSummary>,
}

/// A chart Genie drew for the answer (a `viz` attachment); its picture comes from
/// [`super::Genie::visualization`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Visualization {
    pub attachment_id: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub space_id: String,
    pub conversation_id: String,
    pub message_id: String,
    pub question: String,
    pub status: MessageStatus,
    /// Genie's text attachments in the order it sent them, each rendered from Markdown and
    /// sanitized: the answer, and any question it asks back.
    pub texts: Vec<AnswerText>,
    pub query: Option<QueryAnswer>,
    /// Genie's own chart, when it drew one.
    pub visualization: Option<Visualization>,
    pub suggestions: Vec<String>,
    /// Why there is no (complete) answer, and what to do.
    pub problem: Option<ErrorInfo>,
    /// The query's result is gone (expired, closed or cancelled): "Run again" brings it back.
    pub can_run_again: bool,
    pub rating: Option<Rating>,
    pub created_at_ms: f64,
    /// When Genie last changed the message (`last_updated_timestamp`): with `created_at_ms`,
    /// how long the answer took.
    pub updated_at_ms: Option<f64>,
}

/// What a text attachment is for (`TextAttachment.purpose`, databricks-sdk-py 0.162).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum TextPurpose {
    /// The answer or its summary (`TEXT_ATTACHMENT_PURPOSE_ANSWER`, and any purpose that is
    /// missing or new: shown as what Genie says).
    Answer,
    /// Genie asks the user to clarify (`FOLLOW_UP_QUESTION`); the reply goes in the box.
    FollowUpQuestion,
}

impl TextPurpose {
    fn of(purpose: Option<&str>) -> Self {
        match purpose {
            Some("FOLLOW_UP_QUESTION") => Self::FollowUpQuestion,
            _ => Self::Answer,
        }
    }
}

/// One of Genie's texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AnswerText {
    pub purpose: TextPurpose,
    pub html: String,
}

/// A failed message's error type, grouped by what the user can do about it.
fn failure(kind: Option<&str>, text: Option<&str>) -> ErrorInfo {
    let kind = kind.unwrap_or_default();
    let said = text
        .map(|t| format!(" (Genie said: {})", t.trim_end_matches('.')))
        .unwrap_or_default();
    let (code, advice) = if kind.starts_with("RATE_LIMIT_EXCEEDED") {
        (
            ErrorCode::RateLimited,
            "Genie is busy right now. Ask again in a minute.",
        )
    } else if kind == "RETRYABLE_PROCESSING_EXCEPTION"
        || kind.contains("TIMEOUT")
        || kind.contains("NETWORK")
    {
        (
            ErrorCode::Server,
            "Genie could not finish this time. Ask again.",
        )
    } else if kind.starts_with("WAREHOUSE_") {
        (
            ErrorCode::PermissionDenied,
            "The space's SQL warehouse cannot be used. Ask the space's owner to check its \
             warehouse and your \"Can use\" permission on it.",
        )
    } else if kind == "SQL_EXECUTION_EXCEPTION" || kind.starts_with("INVALID_SQL") {
        (
            ErrorCode::Server,
            "The query Genie wrote did not run. Try rephrasing the question.",
        )
    } else if kind == "CONTENT_FILTER_EXCEPTION" {
        (
            ErrorCode::InvalidInput,
            "Genie cannot answer this question under your organization's content policy.",
        )
    } else if kind == "NO_TABLES_TO_QUERY_EXCEPTION" || kind == "TABLES_MISSING_EXCEPTION" {
        (
            ErrorCode::InvalidInput,
            "This space's data cannot answer that question. Try one of the sample questions.",
        )
    } else {
        (ErrorCode::Server, "Genie could not answer this question.")
    };
    let kind = if kind.is_empty() {
        String::new()
    } else {
        format!(" [{kind}]")
    };
    ErrorInfo::new(code, format!("{advice}{said}{kind}"))
}

/// What a terminal, incomplete status means to the user.
pub fn problem(message: &WireMessage) -> Option<ErrorInfo> {
    match message.status {
        MessageStatus::Failed => Some(failure(
            message.error.as_ref().and_then(|e| e.kind.as_deref()),
            message.error.as_ref().and_then(|e| e.error.as_deref()),
        )),
        MessageStatus::Cancelled => Some(ErrorInfo::new(
            ErrorCode::Cancelled,
            "This question was cancelled before Genie answered. Ask it again to get an answer.",
        )),
        MessageStatus::QueryResultExpired => Some(ErrorInfo::new(
            ErrorCode::NotFound,
            "The data behind this answer has expired. Click \"Run again\" for fresh results.",
        )),
        _ => None,
    }
}

/// The message's query attachment (the last one, if several), without its rows.
pub fn query_of(message: &WireMessage) -> Option<QueryAnswer> {
    message.attachments.iter().rev().find_map(|attachment| {
        attachment.query.as_ref().map(|q| QueryAnswer {
            attachment_id: attachment.attachment_id.clone().unwrap_or_default(),
            title: q.title.clone(),
            description: q.description.clone(),
            sql: q.query.clone(),
            statement_id: q.statement_id.clone().filter(|id| !id.is_empty()),
            total_rows: q
                .query_result_metadata
                .as_ref()
                .and_then(|m| m.row_count)
                .and_then(|n| u32::try_from(n).ok()),
            truncated: q
                .query_result_metadata
                .as_ref()
                .is_some_and(|m| m.is_truncated),
            run_id: None,
            result: None,
        })
    })
}

/// What Genie said, as its own client reads a message (databricks-ai-bridge 0.21
/// `_parse_attachments`, PR #432): Genie may correct its SQL within one message, so text
/// strictly between the first and the last query attachment belongs to a superseded attempt
/// and is dropped; text before the first and after the last is kept, in order. The last
/// suggestions count. The chart is the one drawn from the final query (`GenieVizAttachment.
/// query_attachment_id`, databricks-sdk-py 0.162), or one that names no query.
fn parts(
    message: &WireMessage,
    final_query: Option<&str>,
) -> (Vec<AnswerText>, Vec<String>, Option<Visualization>) {
    let queries: Vec<usize> = (message.attachments.iter().enumerate())
        .filter(|(_, a)| a.query.is_some())
        .map(|(i, _)| i)
        .collect();
    let superseded = |i: usize| matches!((queries.first(), queries.last()), (Some(first), Some(last)) if *first < i && i < *last);
    let mut texts = Vec::new();
    let mut suggestions = Vec::new();
    let mut visualization = None;
    for (index, attachment) in message.attachments.iter().enumerate() {
        if let (Some(viz), Some(id)) = (&attachment.viz, &attachment.attachment_id)
            && visualization.is_none()
            && !id.is_empty()
            && viz
                .query_attachment_id
                .as_deref()
                .filter(|q| !q.is_empty())
                .is_none_or(|q| Some(q) == final_query)
        {
            visualization = Some(Visualization {
                attachment_id: id.clone(),
                title: viz.title.clone().filter(|t| !t.trim().is_empty()),
            });
        }
        if let Some(text) = attachment
            .text
            .as_ref()
            .filter(|t| !t.content.trim().is_empty() && !superseded(index))
        {
            texts.push(AnswerText {
                purpose: TextPurpose::of(text.purpose.as_deref()),
                html: markdown::to_html(&text.content),
            });
        }
        if let Some(s) = &attachment.suggested_questions {
            suggestions.clone_from(&s.questions);
        }
    }
    (texts, suggestions, visualization)
}

/// Builds the answer for `message`, fetching the query's rows when it completed.
pub async fn build(api: &Api, runs: &Runs, message: &WireMessage) -> Answer {
    let mut query = query_of(message);
    let (texts, suggestions, visualization) =
        parts(message, query.as_ref().map(|q| q.attachment_id.as_str()));
    let mut problem = problem(message);
    let mut can_run_again = message.status == MessageStatus::QueryResultExpired;
    if let Some(q) = query
        .as_mut()
        .filter(|q| message.status == MessageStatus::Completed && !q.attachment_id.is_empty())
    {
        match rows::fetch_rows(api, runs, message, &q.attachment_id, false).await {
            Ok((run_id, summary)) => {
                q.truncated |= summary.truncated;
                q.run_id = Some(run_id);
                q.result = Some(summary);
            }
            Err(error) => {
                // A result that expired or was cancelled can be run again.
                can_run_again |= matches!(error.code, ErrorCode::NotFound | ErrorCode::Cancelled);
                problem = Some(error);
            }
        }
    }
    let can_run_again = can_run_again && query.is_some();
    let rating = message
        .feedback
        .as_ref()
        .and_then(|f| f.rating.as_deref())
        .and_then(|r| serde_json::from_value(serde_json::Value::String(r.to_owned())).ok())
        .filter(|r| *r != Rating::None);
    Answer {
        space_id: message.space_id.clone(),
        conversation_id: message.conversation_id.clone(),
        message_id: message.message_id.clone(),
        question: message.content.clone(),
        status: message.status,
        texts,
        query,
        visualization,
        suggestions,
        problem,
        can_run_again,
        rating,
        created_at_ms: message.created_timestamp.unwrap_or_default() as f64,
        updated_at_ms: message.last_updated_timestamp.map(|t| t as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// databricks-ai-bridge's own test case "Self-correction", with a chart per attempt.
    #[test]
    fn a_self_corrected_answer_shows_only_the_final_attempt_and_its_chart() {
        let message: WireMessage = serde_json::from_value(serde_json::json!({
            "message_id": "m", "conversation_id": "c", "space_id": "s", "content": "q",
            "status": "COMPLETED",
            "attachments": [
                {"attachment_id": "0", "text": {"content": "Summary first"}},
                {"attachment_id": "1", "query": {"query": "SELECT wrong"}},
                {"attachment_id": "2", "text": {"content": "explains wrong"}},
                {"attachment_id": "v1", "viz": {"title": "Wrong chart", "query_attachment_id": "1"}},
                {"attachment_id": "3", "suggested_questions": {"questions": ["Q1?"]}},
                {"attachment_id": "4", "query": {"query": "SELECT correct"}},
                {"attachment_id": "5", "text": {"content": "explains correct"}},
                {"attachment_id": "6", "text": {"content": "follow-up prompt"}},
                {"attachment_id": "v2", "viz": {"title": "Right chart", "query_attachment_id": "4"}},
                {"attachment_id": "7", "suggested_questions": {"questions": ["Q2?"]}}
            ]
        }))
        .expect("message");
        let query = query_of(&message).expect("the last query");
        assert_eq!(query.sql, "SELECT correct");
        let (texts, suggestions, viz) = parts(&message, Some(&query.attachment_id));
        let texts: Vec<&str> = texts.iter().map(|t| t.html.trim()).collect();
        assert_eq!(
            texts,
            [
                "<p>Summary first</p>",
                "<p>explains correct</p>",
                "<p>follow-up prompt</p>"
            ]
        );
        assert_eq!(suggestions, ["Q2?"]);
        assert_eq!(viz.expect("a chart").attachment_id, "v2");
        // A chart that names no query (an older workspace) is still shown.
        let old: WireMessage = serde_json::from_value(serde_json::json!({
            "message_id": "m", "conversation_id": "c", "space_id": "s", "content": "q",
            "attachments": [{"attachment_id": "q", "query": {"query": "SELECT 1"}},
                            {"attachment_id": "v", "viz": {"title": "Chart"}}]
        }))
        .expect("message");
        assert_eq!(parts(&old, Some("q")).2.expect("chart").attachment_id, "v");
    }

    #[test]
    fn every_incomplete_ending_says_what_to_do() {
        let message = |status: &str| -> WireMessage {
            serde_json::from_value(serde_json::json!({
                "message_id": "m", "conversation_id": "c", "space_id": "s", "content": "q",
                "status": status,
                "error": {"type": "SQL_EXECUTION_EXCEPTION", "error": "Division by zero."}
            }))
            .expect("message")
        };
        assert!(problem(&message("COMPLETED")).is_none());
        let cancelled = problem(&message("CANCELLED")).expect("cancelled");
        assert_eq!(cancelled.code, ErrorCode::Cancelled);
        assert!(cancelled.message.contains("Ask it again"));
        let expired = problem(&message("QUERY_RESULT_EXPIRED")).expect("expired");
        assert!(expired.message.contains("Run again"));
        let failed = problem(&message("FAILED")).expect("failed");
        assert!(
            failed.message.contains("rephrasing") && failed.message.contains("Division by zero")
        );
    }

    /// Provenance comes from the message as Genie sends it (databricks-sdk-py 0.162
    /// `GenieQueryAttachment.statement_id`, `query_result_metadata.row_count`,
    /// `GenieMessage.last_updated_timestamp`); a count too large or a blank id is left out.
    #[test]
    fn the_query_carries_its_statement_and_row_count_for_provenance() {
        let message: WireMessage = serde_json::from_value(serde_json::json!({
            "message_id": "m", "conversation_id": "c", "space_id": "s", "content": "q",
            "status": "COMPLETED", "created_timestamp": 1_000, "last_updated_timestamp": "4200",
            "attachments": [{"attachment_id": "a", "query": {
                "query": "SELECT 1", "statement_id": "01ef-stmt",
                "query_result_metadata": {"row_count": "50000", "is_truncated": true}
            }}]
        }))
        .expect("message");
        let query = query_of(&message).expect("query");
        assert_eq!(query.statement_id.as_deref(), Some("01ef-stmt"));
        assert_eq!(query.total_rows, Some(50_000));
        assert!(query.truncated);
        assert_eq!(message.last_updated_timestamp, Some(4_200));

        let odd: WireMessage = serde_json::from_value(serde_json::json!({
            "message_id": "m", "status": "COMPLETED",
            "attachments": [{"attachment_id": "a", "query": {
                "query": "SELECT 1", "statement_id": "",
                "query_result_metadata": {"row_count": 99_999_999_999_i64}
            }}]
        }))
        .expect("message");
        let query = query_of(&odd).expect("query");
        assert_eq!((query.statement_id, query.total_rows), (None, None));
    }

    #[test]
    fn purposes_tell_the_answer_from_a_question_back_and_new_ones_read_as_the_answer() {
        assert_eq!(
            TextPurpose::of(Some("TEXT_ATTACHMENT_PURPOSE_ANSWER")),
            TextPurpose::Answer
        );
        assert_eq!(
            TextPurpose::of(Some("FOLLOW_UP_QUESTION")),
            TextPurpose::FollowUpQuestion
        );
        assert_eq!(TextPurpose::of(Some("SOMETHING_NEW")), TextPurpose::Answer);
        assert_eq!(TextPurpose::of(None), TextPurpose::Answer);
    }

    #[test]
    fn failures_say_what_to_do_by_error_type() {
        let cases = [
            (
                "RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION",
                ErrorCode::RateLimited,
                "busy",
            ),
            (
                "RETRYABLE_PROCESSING_EXCEPTION",
                ErrorCode::Server,
                "Ask again",
            ),
            (
                "WAREHOUSE_ACCESS_MISSING_EXCEPTION",
                ErrorCode::PermissionDenied,
                "warehouse",
            ),
            ("SQL_EXECUTION_EXCEPTION", ErrorCode::Server, "rephrasing"),
            (
                "CONTENT_FILTER_EXCEPTION",
                ErrorCode::InvalidInput,
                "policy",
            ),
            (
                "NO_TABLES_TO_QUERY_EXCEPTION",
                ErrorCode::InvalidInput,
                "sample questions",
            ),
            ("SOMETHING_NEW", ErrorCode::Server, "could not answer"),
        ];
        for (kind, code, words) in cases {
            let error = failure(Some(kind), Some("Details."));
            assert_eq!(error.code, code, "{kind}");
            assert!(error.message.contains(words), "{kind}: {}", error.message);
            assert!(
                error.message.contains("(Genie said: Details)"),
                "{}",
                error.message
            );
            assert!(error.message.contains(kind));
        }
    }
}
