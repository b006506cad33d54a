//! The client's decoders against responses as full as the SDK's dataclasses allow (every field
//! databricks-sdk-py defines for the type, including those Brickdesk ignores), with enum values
//! Brickdesk does not know, optional fields missing, int64 counts as strings, and several links
//! and attachments. A new field or value on a real workspace must never break a user.

use brickdesk_core::genie::answer::query_of;
use brickdesk_core::genie::wire::{
    ConversationsPage, MessageStatus, MessagesPage, QueryResultResponse, SpacesPage, StartResponse,
    WireMessage,
};
use brickdesk_core::sql::StatementState;
use brickdesk_core::sql::wire::{ResultData, StatementResponse};
use serde_json::json;

fn full_message(status: &str) -> serde_json::Value {
    json!({
        "message_id": "m1", "id": "m1", "space_id": "s", "conversation_id": "c",
        "content": "How many trips?", "status": status,
        "user_id": "6543210987654321", "created_timestamp": "1741082400000",
        "last_updated_timestamp": 1741082412000_i64,
        "attachments": [
            {"attachment_id": "a1", "query": {
                "id": "a1", "title": "Trips", "description": "Counts trips.",
                "query": "SELECT COUNT(*) FROM trips", "statement_id": "st",
                "last_updated_timestamp": 1741082412000_i64,
                "parameters": [{"keyword": "since", "sql_type": "DATE", "value": "2016-01-01"}],
                "query_result_metadata": {"row_count": "1", "is_truncated": false},
                "thoughts": [{"thought_type": "THOUGHT_TYPE_BRAND_NEW", "content": "Reading."}]
            }},
            {"attachment_id": "a2", "text": {
                "id": "a2", "content": "There were **3** trips.",
                "purpose": "TEXT_ATTACHMENT_PURPOSE_ANSWER",
                "phase": "RESPONSE_PHASE_VERIFYING",
                "verification_metadata": {"index": 1, "section": "VERIFICATION_SECTION_FINAL_DECISION"}
            }},
            {"attachment_id": "a3", "text": {"content": "Which period?", "purpose": "FOLLOW_UP_QUESTION"}},
            {"attachment_id": "a4", "text": {"content": "Also this.", "purpose": "SOMETHING_NEW"}},
            {"attachment_id": "a5", "suggested_questions": {"questions": ["Now by month"]}},
            {"attachment_id": "a6", "viz": {"query_attachment_id": "a1", "title": "Chart"}},
            {"attachment_id": "a7", "brand_new_kind": {"anything": [1, 2]}}
        ],
        "error": {"error": "Nothing.", "type": "A_NEW_ERROR_TYPE"},
        "feedback": {"rating": "POSITIVE", "comment": "Good."},
        "query_result": {"statement_id": "st", "statement_id_signature": "x", "row_count": 1, "is_truncated": false},
        "a_field_added_next_year": {"nested": true}
    })
}

#[test]
fn a_genie_message_with_every_field_and_some_new_ones() {
    let message: WireMessage = serde_json::from_value(full_message("COMPLETED")).expect("tolerant");
    assert_eq!(message.message_id, "m1");
    assert_eq!(message.status, MessageStatus::Completed);
    assert_eq!(message.created_timestamp, Some(1_741_082_400_000));
    assert_eq!(
        message.attachments.len(),
        7,
        "an unknown kind is kept, not fatal"
    );
    let texts: Vec<&str> = message
        .attachments
        .iter()
        .filter_map(|a| a.text.as_ref().and_then(|t| t.purpose.as_deref()))
        .collect();
    assert_eq!(
        texts,
        [
            "TEXT_ATTACHMENT_PURPOSE_ANSWER",
            "FOLLOW_UP_QUESTION",
            "SOMETHING_NEW"
        ]
    );
    let query = query_of(&message).expect("the query");
    assert_eq!(query.attachment_id, "a1");
    assert!(!query.truncated);

    let unknown: WireMessage =
        serde_json::from_value(full_message("A_STATUS_FROM_THE_FUTURE")).expect("tolerant");
    assert_eq!(unknown.status, MessageStatus::Other);
    assert!(
        !unknown.status.is_terminal(),
        "an unknown status is still working"
    );
}

#[test]
fn a_genie_message_with_only_the_required_fields() {
    let minimal: WireMessage = serde_json::from_value(json!({
        "message_id": "m", "space_id": "s", "conversation_id": "c", "content": "q"
    }))
    .expect("minimal");
    assert_eq!(minimal.status, MessageStatus::Submitted);
    assert!(minimal.attachments.is_empty() && minimal.error.is_none());
    let legacy: WireMessage =
        serde_json::from_value(json!({"id": "m", "content": "q"})).expect("legacy id only");
    assert_eq!(legacy.message_id, "m");
}

#[test]
fn genie_lists_and_starts_with_every_field() {
    let spaces: SpacesPage = serde_json::from_value(json!({
        "spaces": [{
            "space_id": "s", "title": "Taxi", "description": "Trips", "warehouse_id": "w",
            "parent_path": "/Users/a", "etag": "e1",
            "create_time": "2025-03-01T10:00:00Z", "update_time": "2025-03-04T08:30:00.000Z",
            "a_new_field": 1
        }, {"space_id": "t", "title": "Minimal"}],
        "next_page_token": ""
    }))
    .expect("spaces");
    assert_eq!(spaces.spaces.len(), 2);
    let conversations: ConversationsPage = serde_json::from_value(json!({
        "conversations": [
            {"conversation_id": "c", "title": "T", "created_timestamp": "1741082400000",
             "agent_type": "GENIE_CONVERSATION_TYPE_SOMETHING_NEW"},
            {"conversation_id": "d"}
        ],
        "next_page_token": "2"
    }))
    .expect("conversations");
    assert_eq!(conversations.conversations.len(), 2);
    assert_eq!(conversations.next_page_token.as_deref(), Some("2"));
    let messages: MessagesPage = serde_json::from_value(json!({
        "messages": [full_message("EXECUTING_QUERY")]
    }))
    .expect("messages");
    assert_eq!(messages.messages[0].status, MessageStatus::ExecutingQuery);
    let started: StartResponse = serde_json::from_value(json!({
        "conversation_id": "c", "message_id": "m",
        "conversation": {"conversation_id": "c", "id": "c", "space_id": "s", "title": "T",
                          "user_id": 1, "created_timestamp": 1, "last_updated_timestamp": 1},
        "message": full_message("SUBMITTED")
    }))
    .expect("start");
    assert_eq!(started.message_id, "m");
}

fn full_statement(state: &str) -> serde_json::Value {
    json!({
        "statement_id": "st",
        "status": {"state": state, "sql_state": "42P01",
                   "error": {"error_code": "A_NEW_CODE", "message": "Something."}},
        "manifest": {
            "format": "ARROW_STREAM",
            "schema": {"column_count": 2, "columns": [
                {"name": "amount", "position": 0, "type_name": "DECIMAL", "type_text": "DECIMAL(18,2)",
                 "type_precision": 18, "type_scale": 2, "type_interval_type": null},
                {"name": "odd", "position": 1, "type_name": "A_NEW_TYPE", "type_text": "GEOGRAPHY(4326)"}
            ]},
            "total_chunk_count": "3", "total_row_count": "2500000", "total_byte_count": "99",
            "chunks": [
                {"chunk_index": 0, "row_offset": 0, "row_count": "1000000", "byte_count": 33},
                {"chunk_index": "1", "row_offset": "1000000", "row_count": 1000000},
                {"chunk_index": 2, "row_offset": 2000000, "row_count": 500000}
            ],
            "truncated": true,
            "is_volume_operation": false
        },
        "result": {
            "chunk_index": 0, "row_offset": 0, "row_count": 1000000, "byte_count": 33,
            "external_links": [
                {"chunk_index": 1, "row_offset": 1000000, "row_count": 1000000, "byte_count": 33,
                 "external_link": "https://storage.example/1", "expiration": "2030-01-01T00:00:00Z",
                 "http_headers": {"x-ms-encryption-key": "k"}, "next_chunk_index": 2,
                 "next_chunk_internal_link": "/api/2.0/sql/statements/st/result/chunks/2"},
                {"chunk_index": 0, "row_offset": 0, "row_count": 1000000,
                 "external_link": "https://storage.example/0", "expiration": "2030-01-01T00:00:00.140Z",
                 "next_chunk_index": 1}
            ]
        }
    })
}

#[test]
fn a_statement_with_every_field_strings_for_counts_and_several_links() {
    let statement: StatementResponse =
        serde_json::from_value(full_statement("SUCCEEDED")).expect("tolerant");
    assert_eq!(statement.status.state, StatementState::Succeeded);
    let manifest = statement.manifest.expect("manifest");
    assert_eq!(
        manifest.total_row_count, 2_500_000,
        "an int64 sent as a string"
    );
    assert_eq!(manifest.chunks[1].chunk_index, 1);
    assert_eq!(manifest.schema.columns[1].type_name, "A_NEW_TYPE");
    assert!(manifest.truncated);
    let links = statement
        .result
        .expect("result")
        .external_links
        .expect("links");
    let indices: Vec<u64> = links.iter().map(|l| l.chunk_index).collect();
    assert_eq!(indices, [1, 0], "both kept, in the order sent");
    let unknown: StatementResponse =
        serde_json::from_value(full_statement("STATE_FROM_THE_FUTURE")).expect("tolerant");
    assert_eq!(unknown.status.state, StatementState::Other);
    assert!(!unknown.status.state.is_terminal());
}

#[test]
fn a_chunk_and_a_genie_result_with_only_what_is_required() {
    let chunk: ResultData = serde_json::from_value(json!({})).expect("empty chunk");
    assert!(chunk.data_array.is_none() && chunk.external_links.is_none());
    let link_without_index: ResultData = serde_json::from_value(json!({
        "external_links": [{"external_link": "https://storage.example/0"}]
    }))
    .expect("a link without chunk_index reads as chunk 0");
    assert_eq!(
        link_without_index.external_links.expect("links")[0].chunk_index,
        0
    );
    let result: QueryResultResponse = serde_json::from_value(json!({
        "statement_response": {"statement_id": "st", "status": {"state": "RUNNING"}}
    }))
    .expect("a running result");
    assert_eq!(
        result.statement_response.status.state,
        StatementState::Running
    );
}
