//! The Genie Conversation API (`/api/2.0/genie/...`): spaces, conversations, messages that move
//! through Genie's statuses, query attachments backed by real Statement Execution statements,
//! full-result downloads, feedback and comments, and the per-workspace question limit.
//!
//! Beside it, the agent list (`/api/2.0/genie/agents`) and the two streaming previews in
//! [`responses`]: Genie One across every space the caller may read, and Agent mode.
//!
//! Answers come from [`analyst`], a deterministic rule-based stand-in for the language model,
//! over the sample datasets in [`datasets`]. Wire shapes follow the reference's section 5.

mod agents;
pub mod analyst;
mod conversations;
pub mod datasets;
mod feedback;
mod lifecycle;
mod rate_limit;
pub(crate) mod responses;
mod results;
mod spaces;
mod store;

use crate::server::Shared;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;

pub use store::Genie;

/// A configured Genie space.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceConfig {
    pub space_id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The warehouse Genie runs the space's queries on.
    pub warehouse_id: String,
    /// The sample dataset the space's analyst answers from: `nyctaxi` or `tpch`.
    pub dataset: String,
    /// Shown by Genie as starting points; part of `serialized_space`.
    #[serde(default)]
    pub sample_questions: Vec<String>,
    /// Users with CAN EDIT, who may read `serialized_space`.
    #[serde(default)]
    pub editors: Vec<String>,
    #[serde(default = "default_time")]
    pub create_time: String,
    #[serde(default = "default_time")]
    pub update_time: String,
    /// Made from a dashboard (its companion Genie): "Genie Agents created from an
    /// integration (for example, from a dashboard) are not listed" by `GET /api/2.0/genie/
    /// agents` (databricks-sdk-py 0.162 `list_genie_agents`); the spaces list has it.
    #[serde(default)]
    pub from_dashboard: bool,
    /// Could not be read for the full view: named in the page's `unreachable`
    /// (`agents/{id}`, sdk-py 0.162 `ListGenieAgentsResponse.unreachable`) instead of listed.
    #[serde(default)]
    pub unreachable_in_list: bool,
}

fn default_time() -> String {
    "2025-06-02T09:00:00Z".into()
}

/// What happens to a question over the per-workspace limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverLimit {
    /// `429 RESOURCE_EXHAUSTED` with `Retry-After`; the question is not accepted.
    Http429,
    /// The message is accepted and ends `FAILED` with `RATE_LIMIT_EXCEEDED_GENERIC_EXCEPTION`.
    FailedMessage,
}

/// Genie's service limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenieLimits {
    /// Questions (start-conversation and create-message) per minute per workspace.
    pub questions_per_minute: u32,
    pub over_limit: OverLimit,
    /// Rows a query attachment's result holds; more sets `is_truncated`.
    pub result_rows: u64,
    /// The most items one page of a list (spaces, conversations, messages) holds, whatever
    /// `page_size` asks for; smaller values make clients page.
    pub max_page_size: usize,
    /// How long `execute-query` waits for the re-run before answering with its state (which
    /// may still be RUNNING).
    pub rerun_wait_ms: u64,
}

impl Default for GenieLimits {
    fn default() -> Self {
        Self {
            questions_per_minute: 5,
            over_limit: OverLimit::Http429,
            result_rows: 5_000,
            max_page_size: 100,
            rerun_wait_ms: 10_000,
        }
    }
}

/// How a route of a preview that is off answers. No public source quotes the real refusal, so
/// both plausible forms exist and the client is tested against each (docs/api-fidelity.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewOff {
    /// `404 ENDPOINT_NOT_FOUND` "No API found for 'POST /…'", as a route that is not deployed
    /// answers (databricks/cli `acceptance/genie/ask-endpoint-gone`).
    NotFound,
    /// `403 FEATURE_DISABLED` naming the preview, as other previews that are off answer.
    FeatureDisabled,
}

/// How Genie One's stream marks progress and the answer. The API reference's examples use
/// `phase`; the only Databricks-written client of the engine (databricks/cli
/// `libs/genie/adapter.go`, fixture `acceptance/genie/ask`) reads `metadata.ui_type`
/// (`THOUGHT`, `FINAL_RESPONSE`), query previews as `function_call_output` items with
/// `ui_type: QUERY_EXECUTION`, charts as `ui_type: VIZ` referenced as `![title](#viz_1)`,
/// an answer delivered as an `output_final_response` call and questions back as
/// `ask_user_questions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenieOneDialect {
    #[default]
    Phase,
    /// The CLI's dialect, the answer as a `FINAL_RESPONSE` message.
    UiType,
    /// The CLI's dialect, the answer as an `output_final_response` call.
    UiTypeFinalCall,
}

/// The Genie previews a workspace admin turns on in the workspace's Previews page.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeniePreviews {
    /// "Genie One API": `/api/2.0/genie/one/…`.
    pub genie_one_api: bool,
    /// "Genie Agents Agent Mode API": `/api/2.0/genie/agents/{id}/responses` and its cancel.
    pub agent_mode_api: bool,
    pub off_answer: PreviewOff,
    /// Agent mode's server-side limit on one response (the docs: 30 minutes).
    pub agent_timeout_secs: u64,
    /// A `: keep-alive` comment on a response stream after this long without an event; 0
    /// sends none.
    pub keep_alive_ms: u64,
    /// How Genie One's stream is written.
    pub genie_one_dialect: GenieOneDialect,
}

impl Default for GeniePreviews {
    fn default() -> Self {
        Self {
            genie_one_api: true,
            agent_mode_api: true,
            off_answer: PreviewOff::NotFound,
            agent_timeout_secs: 30 * 60,
            keep_alive_ms: 15_000,
            genie_one_dialect: GenieOneDialect::Phase,
        }
    }
}

/// Space id bob may not use in the demo (see `Config::default`).
pub const SALES_SPACE_ID: &str = "01f0c0ffee0000000000000000000002";

/// The demo's two spaces: NYC taxi trips for everyone, TPC-H sales not for bob.
pub fn demo_spaces() -> Vec<SpaceConfig> {
    vec![
        SpaceConfig {
            space_id: "01f0c0ffee0000000000000000000001".into(),
            title: "NYC Taxi Trips".into(),
            description: "Yellow-cab trips in New York City in January and February 2016: \
                          fares, distances, pickup and drop-off zip codes."
                .into(),
            warehouse_id: "a1b2c3d4e5f60718".into(),
            dataset: "nyctaxi".into(),
            sample_questions: vec![
                "How many trips were there?".into(),
                "What is the average fare by day?".into(),
                "Which pickup zip codes have the most trips?".into(),
            ],
            editors: vec!["alice@example.com".into()],
            create_time: "2025-06-02T09:00:00Z".into(),
            update_time: "2025-09-15T14:30:00Z".into(),
            from_dashboard: false,
            unreachable_in_list: false,
        },
        SpaceConfig {
            space_id: SALES_SPACE_ID.into(),
            title: "Sales (TPC-H)".into(),
            description: "Orders and revenue of the TPC-H sample company, 1992–1998, by \
                          region, country, market segment and order priority."
                .into(),
            warehouse_id: "5f6e7d8c9b0a1234".into(),
            dataset: "tpch".into(),
            sample_questions: vec![
                "What is the revenue by region?".into(),
                "How many orders were there per year?".into(),
                "Which countries have the most customers?".into(),
            ],
            editors: vec!["alice@example.com".into()],
            create_time: "2025-07-10T08:00:00Z".into(),
            update_time: "2025-10-01T11:45:00Z".into(),
            from_dashboard: false,
            unreachable_in_list: false,
        },
    ]
}

/// Expires every answered query result (`/__emulator/genie/expire-results`); returns how many.
pub fn expire_all(shared: &Shared) -> usize {
    let ids: Vec<String> = shared.genie.lock().messages.keys().cloned().collect();
    ids.iter()
        .filter(|id| conversations::expire(shared, id))
        .count()
}

/// The Genie routes, all behind the bearer gate.
pub fn routes() -> Router<Shared> {
    let conversation = "/api/2.0/genie/spaces/{space_id}/conversations/{conversation_id}";
    let message = format!("{conversation}/messages/{{message_id}}");
    let attachment = format!("{message}/attachments/{{attachment_id}}");
    Router::new()
        .merge(agents::routes())
        .merge(responses::routes())
        .route("/api/2.0/genie/spaces", get(spaces::list))
        .route("/api/2.0/genie/spaces/{space_id}", get(spaces::get))
        .route(
            "/api/2.0/genie/spaces/{space_id}/start-conversation",
            post(conversations::start),
        )
        .route(
            "/api/2.0/genie/spaces/{space_id}/conversations",
            get(conversations::list),
        )
        .route(conversation, axum::routing::delete(conversations::delete))
        .route(
            &format!("{conversation}/messages"),
            get(conversations::list_messages).post(conversations::create_message),
        )
        .route(
            &format!("{conversation}/list-comments"),
            get(feedback::list_conversation_comments),
        )
        .route(
            &message,
            get(conversations::get_message).delete(conversations::delete_message),
        )
        .route(&format!("{message}/feedback"), post(feedback::send))
        .route(
            &format!("{message}/comments"),
            get(feedback::list_comments).post(feedback::comment),
        )
        .route(
            &format!("{attachment}/query-result"),
            get(results::query_result),
        )
        .route(
            &format!("{attachment}/execute-query"),
            post(results::execute_query),
        )
        .route(
            &format!("{attachment}/downloads"),
            post(results::start_download),
        )
        .route(
            &format!("{attachment}/downloads/{{download_id}}"),
            get(results::poll_download),
        )
        .route(
            &format!("{attachment}/download-visualization"),
            get(results::visualization),
        )
        // Deprecated forms that older clients still call.
        .route(
            &format!("{message}/query-result"),
            get(results::legacy_query_result),
        )
        .route(
            &format!("{message}/query-result/{{attachment_id}}"),
            get(results::query_result),
        )
        .route(
            &format!("{message}/execute-query"),
            post(results::legacy_execute_query),
        )
}
