//! Genie: questions in plain words to AI/BI Genie spaces through the Genie Conversation API.
//!
//! Boundary: spaces (list, open, sample questions, favourites), asking and following up
//! (rate-limited client-side, kept in the local outbox so a question survives a restart and
//! is never sent twice), polling a message to its end with plain progress steps, building
//! the answer (sanitized text, SQL, rows as a result the grid reads, follow-ups), conversation
//! history, feedback and re-running an expired query. Tauri and rendering live elsewhere.

pub mod all_rows;
pub mod answer;
mod ask;
pub mod limiter;
pub mod links;
pub mod markdown;
pub mod progress;
pub mod responses;
pub mod rows;
pub mod wire;

use crate::api::Api;
use crate::api_path::segment;
use crate::local::genie::GenieStore;
use crate::sql::runs::Runs;
use crate::{ErrorCode, ErrorInfo};
use answer::{Answer, QueryAnswer, Rating};
use progress::Step;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use wire::{MessageStatus, WireMessage};

/// A space as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Space {
    pub space_id: String,
    pub title: String,
    pub description: Option<String>,
    /// From the space's settings; only people who can edit the space get them from the API.
    pub sample_questions: Vec<String>,
    /// The SQL warehouse the space's queries run on (`GenieSpace.warehouse_id`).
    pub warehouse_id: Option<String>,
}

/// A past conversation.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub conversation_id: String,
    pub title: String,
    pub created_at_ms: f64,
    /// When it last changed, if the server says.
    pub updated_at_ms: Option<f64>,
    /// Started in Agent mode (`agent_type: GENIE_CONVERSATION_TYPE_AGENT`): opened through its
    /// items, continued in Agent mode only.
    pub agent_mode: bool,
}

/// What happens to a question, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum GenieEvent {
    /// Waiting for the question budget; `position` 1 is next.
    Queued {
        question_id: u32,
        position: u32,
    },
    Sent {
        question_id: u32,
        conversation_id: String,
        message_id: String,
    },
    Progress {
        question_id: u32,
        status: MessageStatus,
        step: Step,
    },
    Answered {
        question_id: u32,
        answer: Box<Answer>,
    },
    Failed {
        question_id: u32,
        error: ErrorInfo,
    },
}

pub struct Genie {
    store: GenieStore,
    limiter: limiter::Limiter,
    runs: Arc<Runs>,
    /// Outbox ids being driven now (a resume must not drive one twice).
    active: Mutex<HashSet<u32>>,
}

impl std::fmt::Debug for Genie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Genie").finish_non_exhaustive()
    }
}

/// The largest chart picture accepted from Genie.
const VISUALIZATION_BYTES: usize = 8 * 1024 * 1024;

fn spaces_path(space: &str) -> String {
    format!("/api/2.0/genie/spaces/{}", segment(space))
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Pages a list endpoint to its end: each call repeats `path` with the previous answer's
/// `next_page_token` as `page_token`; an absent or empty token ends the list (the API's
/// paging rule). At most 100 pages, so a server that never stops cannot hang the app.
async fn pages<P: serde::de::DeserializeOwned, T>(
    api: &Api,
    path: &str,
    split: impl Fn(P) -> (Vec<T>, Option<String>),
) -> Result<Vec<T>, ErrorInfo> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let url = match &token {
            Some(t) => {
                let joiner = if path.contains('?') { '&' } else { '?' };
                format!("{path}{joiner}page_token={}", encode(t))
            }
            None => path.to_owned(),
        };
        let (page, next) = split(api.get(&url).await?);
        items.extend(page);
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}

/// `GET /api/2.0/genie/agents` in its full view, every page: the agents with their sample
/// questions (`definition.config.sample_questions[].question`). The ids are the spaces' ids.
/// An agent the page names in `unreachable` ("to see why, get the Genie Agent by name",
/// databricks-sdk-py 0.162) is read on its own, in the basic view if the full one fails
/// again, so it is never dropped.
async fn agents(api: &Api) -> Result<Vec<Space>, ErrorInfo> {
    let path = "/api/2.0/genie/agents?view=GENIE_AGENT_VIEW_FULL&page_size=50";
    let unreachable = std::sync::Mutex::new(Vec::new());
    let mut listed = pages(api, path, |page: wire::AgentsPage| {
        unreachable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(page.unreachable);
        (page.genie_agents, page.next_page_token)
    })
    .await?;
    let unreachable = unreachable.into_inner().unwrap_or_else(|p| p.into_inner());
    for name in unreachable.iter().take(100) {
        let Some(id) = name.strip_prefix("agents/").filter(|id| !id.is_empty()) else {
            continue;
        };
        let one = format!("/api/2.0/genie/agents/{}", segment(id));
        let agent = match api
            .get::<wire::WireAgent>(&format!("{one}?view=GENIE_AGENT_VIEW_FULL"))
            .await
        {
            Ok(agent) => Ok(agent),
            Err(_) => api.get::<wire::WireAgent>(&one).await,
        };
        match agent {
            Ok(agent) => listed.push(agent),
            Err(error) => tracing::info!(error = %error.message, "a Genie agent could not be read"),
        }
    }
    Ok(listed
        .into_iter()
        .filter_map(|agent| {
            let id = agent.name.strip_prefix("agents/").unwrap_or(&agent.name);
            let questions = agent
                .definition
                .as_ref()
                .map(|d| sample_questions_of(&d["config"]["sample_questions"]))
                .unwrap_or_default();
            (!id.is_empty()).then(|| Space {
                space_id: id.to_owned(),
                title: agent.display_name,
                description: agent.description.filter(|d| !d.trim().is_empty()),
                sample_questions: questions,
                warehouse_id: agent.warehouse_id.filter(|w| !w.is_empty()),
            })
        })
        .collect())
}

/// A pasted Genie link (`https://<host>/genie/rooms/<id>?o=…`) or a bare space id.
pub fn space_id_from(input: &str) -> Option<String> {
    let input = input.trim();
    let id = match input.find("/rooms/") {
        Some(at) => input[at + "/rooms/".len()..]
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default(),
        None => input,
    };
    (id.len() >= 8 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| id.to_owned())
}

fn sample_questions(serialized: Option<&str>) -> Vec<String> {
    let Some(value) = serialized.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
    else {
        return Vec::new();
    };
    sample_questions_of(&value["config"]["sample_questions"])
}

/// `[{id, question}]`, the question a string (Genie Agents) or a list of strings (a space's
/// export).
fn sample_questions_of(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| match &q["question"] {
            serde_json::Value::Array(parts) => parts.first().and_then(|p| p.as_str()),
            serde_json::Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .map(str::to_owned)
        .collect()
}

fn denied_space(error: ErrorInfo) -> ErrorInfo {
    match error.code {
        ErrorCode::PermissionDenied | ErrorCode::NotFound => ErrorInfo::new(
            error.code,
            format!(
                "You cannot open this Genie agent (a Genie space): it does not exist or you have \
                 no access to it. Ask its owner to share it with you (\"Can view\"), and for SELECT on its \
                 tables. (Databricks said: {})",
                error.message.trim_end_matches('.')
            ) + ".",
        ),
        _ => error,
    }
}

impl Genie {
    /// `per_minute` questions per workspace per minute (Databricks documents 5).
    pub fn new(store: GenieStore, runs: Arc<Runs>, per_minute: u32) -> Self {
        Self::with_limiter(store, runs, limiter::Limiter::new(per_minute))
    }

    pub fn with_limiter(store: GenieStore, runs: Arc<Runs>, limiter: limiter::Limiter) -> Self {
        Self {
            store,
            limiter,
            runs,
            active: Mutex::new(HashSet::new()),
        }
    }

    /// The rows of answers (for the grid, Copy and export).
    pub fn runs(&self) -> &Arc<Runs> {
        &self.runs
    }

    pub fn store(&self) -> &GenieStore {
        &self.store
    }

    /// The spaces the user can use, with sample questions where the API gives them: from the
    /// Genie Agents list in one request a page where the workspace has it, else from the
    /// spaces list and one request per space.
    pub async fn spaces(&self, api: &Api) -> Result<Vec<Space>, ErrorInfo> {
        let listed_spaces = || {
            pages(api, "/api/2.0/genie/spaces", |page: wire::SpacesPage| {
                (page.spaces, page.next_page_token)
            })
        };
        match agents(api).await {
            // The agents list never shows agents made from a dashboard (databricks-sdk-py
            // 0.162 `list_genie_agents`); the spaces list does: they are added from it.
            Ok(mut found) => {
                match listed_spaces().await {
                    Ok(spaces) => {
                        let missing: Vec<Space> = spaces
                            .into_iter()
                            .filter(|s| {
                                !s.space_id.is_empty()
                                    && !found.iter().any(|f| f.space_id == s.space_id)
                            })
                            .map(|s| Space {
                                space_id: s.space_id,
                                title: s.title,
                                description: s.description.filter(|d| !d.trim().is_empty()),
                                sample_questions: Vec::new(),
                                warehouse_id: s.warehouse_id.filter(|w| !w.is_empty()),
                            })
                            .collect();
                        found.extend(missing);
                    }
                    Err(error) => {
                        tracing::info!(error = %error.message, "the Genie spaces list failed");
                    }
                }
                return Ok(found);
            }
            Err(error) => tracing::info!(
                error = %error.message,
                "no Genie Agents list here; listing Genie spaces"
            ),
        }
        let spaces = listed_spaces().await?;
        let details = spaces.iter().map(|s| self.space(api, &s.space_id));
        let details = futures_util::future::join_all(details).await;
        Ok(spaces
            .into_iter()
            .zip(details)
            .map(|(listed, detail)| {
                detail.unwrap_or(Space {
                    space_id: listed.space_id,
                    title: listed.title,
                    description: listed.description,
                    sample_questions: Vec::new(),
                    warehouse_id: listed.warehouse_id,
                })
            })
            .collect())
    }

    /// One space; a denial explains what access is missing.
    pub async fn space(&self, api: &Api, space_id: &str) -> Result<Space, ErrorInfo> {
        let path = spaces_path(space_id);
        let with_questions: Result<wire::WireSpace, _> = api
            .get(&format!("{path}?include_serialized_space=true"))
            .await;
        let space = match with_questions {
            Ok(space) => space,
            // Only editors may read the settings; viewers still see the space.
            Err(error) if error.code == ErrorCode::PermissionDenied => {
                api.get(&path).await.map_err(denied_space)?
            }
            Err(error) => return Err(denied_space(error)),
        };
        Ok(Space {
            sample_questions: sample_questions(space.serialized_space.as_deref()),
            space_id: space.space_id,
            title: space.title,
            description: space.description,
            warehouse_id: space.warehouse_id.filter(|id| !id.is_empty()),
        })
    }

    /// Past conversations in a space, chat and Agent mode, most recently updated first.
    ///
    /// The server's order is kept (Databricks lists them most recent first; the summary has
    /// no update time in the reference); a list whose every entry has `last_updated_timestamp`
    /// is ordered by it.
    pub async fn conversations(
        &self,
        api: &Api,
        space_id: &str,
    ) -> Result<Vec<ConversationSummary>, ErrorInfo> {
        let conversations = pages(
            api,
            &format!("{}/conversations?page_size=100", spaces_path(space_id)),
            |page: wire::ConversationsPage| (page.conversations, page.next_page_token),
        )
        .await
        .map_err(denied_space)?;
        let mut list: Vec<ConversationSummary> = conversations
            .into_iter()
            .map(|c| ConversationSummary {
                agent_mode: c.agent_type.as_deref() == Some("GENIE_CONVERSATION_TYPE_AGENT"),
                conversation_id: c.conversation_id,
                title: if c.title.is_empty() {
                    "Untitled conversation".into()
                } else {
                    c.title
                },
                created_at_ms: c.created_timestamp.unwrap_or_default() as f64,
                updated_at_ms: c.last_updated_timestamp.map(|t| t as f64),
            })
            .collect();
        if list.iter().all(|c| c.updated_at_ms.is_some()) {
            // Stable: equal times keep the server's order.
            list.sort_by(|a, b| {
                b.updated_at_ms
                    .unwrap_or_default()
                    .total_cmp(&a.updated_at_ms.unwrap_or_default())
            });
        }
        Ok(list)
    }

    /// A conversation's messages as answers, oldest first.
    pub async fn conversation(
        &self,
        api: &Api,
        space_id: &str,
        conversation_id: &str,
    ) -> Result<Vec<Answer>, ErrorInfo> {
        let mut messages = pages(
            api,
            &format!(
                "{}/conversations/{}/messages?page_size=100",
                spaces_path(space_id),
                segment(conversation_id)
            ),
            |page: wire::MessagesPage| (page.messages, page.next_page_token),
        )
        .await?;
        messages.sort_by_key(|m| m.created_timestamp.unwrap_or_default());
        let mut answers = Vec::with_capacity(messages.len());
        for message in &messages {
            answers.push(answer::build(api, &self.runs, message).await);
        }
        Ok(answers)
    }

    pub async fn delete_conversation(
        &self,
        api: &Api,
        space_id: &str,
        conversation_id: &str,
    ) -> Result<(), ErrorInfo> {
        api.delete(&format!(
            "{}/conversations/{}",
            spaces_path(space_id),
            segment(conversation_id)
        ))
        .await
        .map(drop)
    }

    pub async fn feedback(
        &self,
        api: &Api,
        answer: &MessageRef,
        rating: Rating,
    ) -> Result<(), ErrorInfo> {
        let _: serde_json::Value = api
            .post(
                &format!("{}/feedback", answer.path()),
                &serde_json::json!({ "rating": rating }),
            )
            .await?;
        Ok(())
    }

    /// The PNG of a chart Genie drew (`GET …/attachments/{id}/download-visualization`,
    /// databricks-sdk-py 0.162 `download_message_attachment_visualization`; Beta), checked to be
    /// a PNG before the UI sees it.
    pub async fn visualization(
        &self,
        api: &Api,
        answer: &MessageRef,
        attachment_id: &str,
    ) -> Result<Vec<u8>, ErrorInfo> {
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
        let path = format!(
            "{}/attachments/{}/download-visualization",
            answer.path(),
            segment(attachment_id)
        );
        let bytes = api
            .get_bytes(&path, "application/octet-stream", VISUALIZATION_BYTES)
            .await?;
        if !bytes.starts_with(PNG) {
            return Err(ErrorInfo::new(
                ErrorCode::Server,
                "Genie's chart did not come as a picture Brickdesk can show.",
            ));
        }
        Ok(bytes.to_vec())
    }

    /// Runs an expired answer's query again; its fresh rows.
    pub async fn run_again(
        &self,
        api: &Api,
        answer: &MessageRef,
        attachment_id: &str,
    ) -> Result<QueryAnswer, ErrorInfo> {
        let message: WireMessage = api.get(&answer.path()).await?;
        let (run_id, summary) =
            rows::fetch_rows(api, &self.runs, &message, attachment_id, true).await?;
        let mut query = answer::query_of(&message).ok_or_else(|| {
            ErrorInfo::new(
                ErrorCode::NotFound,
                "This answer has no query to run again.",
            )
        })?;
        query.truncated |= summary.truncated;
        query.run_id = Some(run_id);
        query.result = Some(summary);
        Ok(query)
    }
}

/// Which message an action is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub space_id: String,
    pub conversation_id: String,
    pub message_id: String,
}

impl MessageRef {
    fn path(&self) -> String {
        format!(
            "{}/conversations/{}/messages/{}",
            spaces_path(&self.space_id),
            segment(&self.conversation_id),
            segment(&self.message_id)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_genie_link_or_id_names_the_space() {
        assert_eq!(
            space_id_from(
                "https://adb-1.azuredatabricks.net/genie/rooms/01f0c0ffee0000000000000000000002?o=1"
            )
            .as_deref(),
            Some("01f0c0ffee0000000000000000000002")
        );
        assert_eq!(
            space_id_from(" 01f0c0ffee0000000000000000000002 ").as_deref(),
            Some("01f0c0ffee0000000000000000000002")
        );
        assert_eq!(space_id_from("not a space"), None);
        assert_eq!(space_id_from("../../etc"), None);
    }

    #[test]
    fn sample_questions_come_from_the_space_settings() {
        let serialized =
            r#"{"config":{"sample_questions":[{"id":"1","question":["How many trips?"]}]}}"#;
        assert_eq!(sample_questions(Some(serialized)), ["How many trips?"]);
        assert!(sample_questions(Some("not json")).is_empty());
        assert!(sample_questions(None).is_empty());
    }
}
