//! An Agent-mode conversation opened from the history: one started in Databricks (a
//! dashboard's companion Genie uses Agent mode) or on another machine, read back through its
//! items ([`super::items`]; databricks-sdk-py 0.162 `list_conversation_messages` says agent-mode
//! messages are only projections and points to the items for the whole research).
//!
//! Boundary: turning the conversation's turns into the same views a streamed answer ends as,
//! with their supporting tables registered as results. Nothing is kept in the local store and
//! nothing is asked: the views are read-only, and a follow-up in Agent mode continues the
//! conversation on the server like any other.

use super::state::ResponseState;
use super::view::{self, ResponseStatus, ResponseView, Surface};
use super::{Responses, items};
use crate::api::Api;
use crate::{ErrorCode, ErrorInfo};

impl Responses {
    /// The conversation's answers, oldest first.
    pub async fn agent_conversation(
        &self,
        api: &Api,
        agent_id: &str,
        conversation_id: &str,
    ) -> Result<Vec<ResponseView>, ErrorInfo> {
        let all = items::all(api, agent_id, conversation_id)
            .await
            .map_err(|error| cannot_open(&error))?;
        let surface = Surface::AgentMode {
            agent_id: agent_id.to_owned(),
        };
        let mut views = Vec::new();
        for turn in items::turns(&all) {
            let mut state =
                ResponseState::resumed(Some(conversation_id.to_owned()), turn.response_id.clone());
            items::state_of(&turn, &mut state);
            let (status, problem) = match &state.ending {
                Some(ending) => view::outcome(ending, &surface),
                None => (
                    ResponseStatus::Stopped,
                    Some(ErrorInfo::new(
                        ErrorCode::Unavailable,
                        "Agent mode is still researching this in Databricks. Open the \
                         conversation again later to read the report.",
                    )),
                ),
            };
            let rendered = view::render(&state);
            let (mut tables, data): (Vec<_>, Vec<_>) = if status == ResponseStatus::Completed {
                view::tables(&state).into_iter().unzip()
            } else {
                (Vec::new(), Vec::new())
            };
            self.adopt_tables(api, &mut tables, &data);
            views.push(ResponseView {
                id: 0,
                surface: surface.clone(),
                question: turn.question,
                conversation_id: Some(conversation_id.to_owned()),
                response_id: turn.response_id,
                status,
                steps: rendered.steps,
                text_html: rendered.text_html,
                text_streaming: false,
                asks_back: rendered.asks_back,
                citations: rendered.citations,
                tables,
                problem,
                created_at_ms: 0.0,
            });
        }
        Ok(views)
    }
}

fn cannot_open(error: &ErrorInfo) -> ErrorInfo {
    match error.code {
        ErrorCode::NotFound | ErrorCode::PermissionDenied => ErrorInfo::new(
            error.code,
            format!(
                "This Agent-mode conversation cannot be opened: it was deleted, or it is not \
                 yours. (Databricks said: {}.)",
                error.message.trim_end_matches('.')
            ),
        ),
        _ => error.clone(),
    }
}
