//! Genie's streamed answers: Ask anything (Genie One, across all the data the user may read)
//! and Agent mode (research in one Genie agent: a plan, several queries, a report with
//! citations). Both are Beta previews that answer a POST with Server-Sent Events.
//!
//! Boundary: asking (the request, exactly the documented fields), reading the stream into a
//! view the UI shows as it grows ([`state`], [`view`]), reading a response back when its
//! stream ends early instead of asking twice ([`recover`]), an Agent-mode conversation
//! started elsewhere opened read-only from its items ([`elsewhere`]), Stop (Agent mode's cancel),
//! keeping every response in the local store so one in flight survives a restart and a
//! finished one stays in the history, the supporting tables as results the grid reads, and
//! whether the workspace has each preview ([`features`]). Tokens stay in [`Api`].

mod elsewhere;
pub mod features;
mod items;
mod onechat;
mod record;
mod recover;
pub mod state;
pub mod stream;
pub mod view;

use crate::api::Api;
use crate::api_path::segment;
use crate::local::responses::{ResponseStore, StoredResponse, StoredState};
use crate::sql::execute::Cancel;
use crate::sql::result_set::ResultSet;
use crate::sql::runs::Runs;
use crate::{ErrorCode, ErrorInfo};
use features::{Availability, Feature, Features, GenieFeatures};
use record::Record;
use serde::Serialize;
use serde_json::{Value, json};
use state::ResponseState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stream::Read;
use view::{ResponseStatus, ResponseView, SupportingTable, Surface, TableData};

/// The documented limit on a question: 25,000 UTF-8 bytes.
const MAX_QUESTION_BYTES: usize = 25_000;
/// A stream silent this long is treated as dropped (and read back): agent mode can think for
/// minutes between events.
const IDLE: Duration = Duration::from_secs(10 * 60);
/// How many responses the history lists.
const HISTORY: u32 = 50;

/// A past response, as the history lists it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResponseSummary {
    pub id: u32,
    pub surface: Surface,
    pub question: String,
    pub conversation_id: Option<String>,
    pub status: ResponseStatus,
    pub created_at_ms: f64,
}

pub struct Responses {
    store: ResponseStore,
    runs: Arc<Runs>,
    features: Features,
    /// Stop buttons of the responses being read now.
    active: Mutex<HashMap<u32, Arc<Cancel>>>,
}

impl std::fmt::Debug for Responses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responses").finish_non_exhaustive()
    }
}

/// One response being driven.
struct Driving {
    id: u32,
    surface: Surface,
    question: String,
    created_at_ms: f64,
    state: ResponseState,
    status: ResponseStatus,
    problem: Option<ErrorInfo>,
    tables: Vec<SupportingTable>,
    table_data: Vec<TableData>,
}

impl Driving {
    fn view(&self) -> ResponseView {
        self.view_of(&self.state)
    }

    /// The view of this response in `state` (the stream's, while it is being read).
    fn view_of(&self, state: &ResponseState) -> ResponseView {
        let rendered = view::render(state);
        ResponseView {
            id: self.id,
            surface: self.surface.clone(),
            question: self.question.clone(),
            conversation_id: state.conversation_id.clone(),
            response_id: state.response_id.clone(),
            status: self.status,
            steps: rendered.steps,
            text_html: rendered.text_html,
            text_streaming: rendered.text_streaming && !self.status.is_over(),
            asks_back: rendered.asks_back,
            citations: rendered.citations,
            tables: self.tables.clone(),
            problem: self.problem.clone(),
            created_at_ms: self.created_at_ms,
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn feature_of(surface: &Surface) -> Feature {
    match surface {
        Surface::AskAnything => Feature::AskAnything,
        Surface::AgentMode { .. } => Feature::AgentMode,
    }
}

/// The path and the body with exactly the documented fields ("Unknown request fields return
/// `INVALID_PARAMETER_VALUE`").
fn request(surface: &Surface, question: &str, conversation: Option<&str>) -> (String, Value) {
    let (path, mut body) = match surface {
        Surface::AskAnything => (
            "/api/2.0/genie/one/responses".to_owned(),
            json!({ "input": question }),
        ),
        Surface::AgentMode { agent_id } => (
            format!("/api/2.0/genie/agents/{}/responses", segment(agent_id)),
            json!({ "input": [{ "type": "message", "role": "user",
                                "content": [{ "type": "input_text", "text": question }] }] }),
        ),
    };
    if let Some(conversation) = conversation {
        body["conversation_id"] = json!(conversation);
    }
    (path, body)
}

fn check_question(question: &str) -> Result<&str, ErrorInfo> {
    let question = question.trim();
    if question.is_empty() {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Type a question first.",
        ));
    }
    if question.len() > MAX_QUESTION_BYTES {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            format!(
                "This question is {} KB long; Genie takes at most 25 KB. Shorten it.",
                question.len().div_ceil(1000)
            ),
        ));
    }
    Ok(question)
}

impl Responses {
    pub fn new(store: ResponseStore, runs: Arc<Runs>) -> Self {
        Self {
            store,
            runs,
            features: Features::default(),
            active: Mutex::new(HashMap::new()),
        }
    }

    /// Where the supporting tables' rows are.
    pub fn runs(&self) -> &Arc<Runs> {
        &self.runs
    }

    pub fn features(&self) -> &Features {
        &self.features
    }

    /// Which previews the workspace has (Genie One is checked if not known).
    pub async fn check_features(&self, api: &Api, workspace_id: &str) -> GenieFeatures {
        self.features.check(api, workspace_id).await
    }

    /// Asks `question`, sending each new state of the answer to `sink`; the final view.
    pub async fn ask(
        &self,
        api: &Api,
        workspace_id: &str,
        surface: Surface,
        question: &str,
        conversation_id: Option<&str>,
        sink: &(impl Fn(ResponseView) + Sync),
    ) -> Result<ResponseView, ErrorInfo> {
        let question = check_question(question)?;
        if surface == Surface::AskAnything && api.session().is_personal_access_token() {
            return Err(ErrorInfo::new(
                ErrorCode::Unavailable,
                features::needs_oauth(),
            ));
        }
        let surface_json = serde_json::to_string(&surface).unwrap_or_default();
        let id = self.store.add(
            workspace_id,
            &surface_json,
            question,
            conversation_id,
            now_ms(),
        )?;
        let mut driving = Driving {
            id,
            surface: surface.clone(),
            question: question.to_owned(),
            created_at_ms: now_ms() as f64,
            state: ResponseState::default(),
            status: ResponseStatus::Sending,
            problem: None,
            tables: Vec::new(),
            table_data: Vec::new(),
        };
        sink(driving.view());
        let feature = feature_of(&surface);
        let (path, body) = request(&surface, question, conversation_id);
        let cancel = self.register(id);
        let opened = tokio::select! {
            () = cancel.cancelled() => Err(ErrorInfo::new(ErrorCode::Cancelled, "Stopped before Genie had the question.")),
            opened = api.open_stream(&path, &body) => opened,
        };
        let response = match opened {
            Ok(response) => response,
            Err(error) => {
                self.unregister(id);
                // The question was not accepted: nothing to keep.
                self.store.delete(id)?;
                return Err(self.refused(workspace_id, feature, error));
            }
        };
        self.features
            .learn(workspace_id, feature, Availability::Available);
        driving.status = ResponseStatus::Working;
        let view = self
            .drive(
                api,
                workspace_id,
                &mut driving,
                Some(response),
                &cancel,
                sink,
            )
            .await;
        self.unregister(id);
        Ok(view)
    }

    /// A refused question in plain words; a preview that is off is remembered.
    fn refused(&self, workspace_id: &str, feature: Feature, error: ErrorInfo) -> ErrorInfo {
        match features::unavailable_because(feature, &error) {
            Some(reason) => {
                self.features.learn(
                    workspace_id,
                    feature,
                    Availability::Unavailable {
                        reason: reason.clone(),
                    },
                );
                ErrorInfo::new(ErrorCode::Unavailable, reason)
            }
            None => {
                self.features.forget(workspace_id, feature);
                error
            }
        }
    }

    fn register(&self, id: u32) -> Arc<Cancel> {
        let cancel = Cancel::new();
        self.lock_active().insert(id, cancel.clone());
        cancel
    }

    fn unregister(&self, id: u32) {
        self.lock_active().remove(&id);
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<u32, Arc<Cancel>>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stop: Agent mode cancels the response; Ask anything stops waiting for it.
    pub fn stop(&self, id: u32) -> Result<(), ErrorInfo> {
        match self.lock_active().get(&id) {
            Some(cancel) => {
                cancel.cancel();
                Ok(())
            }
            None => Err(ErrorInfo::new(
                ErrorCode::NotFound,
                "This answer has already finished.",
            )),
        }
    }

    /// Reads the stream (if any) and then, if it ended early, the response back; finishes.
    async fn drive(
        &self,
        api: &Api,
        workspace_id: &str,
        driving: &mut Driving,
        response: Option<reqwest::Response>,
        cancel: &Cancel,
        sink: &(impl Fn(ResponseView) + Sync),
    ) -> ResponseView {
        let read = match response {
            Some(response) => {
                let store = &self.store;
                let mut state = std::mem::take(&mut driving.state);
                let shown = &*driving;
                let read = stream::read(response, &mut state, IDLE, cancel, |state, created| {
                    if created
                        && let (Some(c), Some(r)) = (&state.conversation_id, &state.response_id)
                        && let Err(error) = store.started(shown.id, c, r)
                    {
                        tracing::warn!(error = %error.message, "a response's ids could not be kept");
                    }
                    sink(shown.view_of(state));
                })
                .await;
                driving.state = state;
                read
            }
            None => Read::Dropped("Brickdesk restarted".into()),
        };
        match read {
            Read::Over => {}
            Read::Stopped => return self.stopped(api, driving, sink).await,
            Read::Dropped(reason) => {
                tracing::warn!(%reason, "a Genie response stream ended early; reading it back");
                driving.status = ResponseStatus::Reconnecting;
                sink(driving.view());
                match recover::recover(api, &driving.surface, &mut driving.state, cancel).await {
                    Ok(()) => {}
                    Err(recover::Lost::Stopped) => return self.stopped(api, driving, sink).await,
                    Err(recover::Lost::Failed(problem)) => {
                        self.features
                            .forget(workspace_id, feature_of(&driving.surface));
                        driving.problem = Some(problem);
                        driving.status = ResponseStatus::Failed;
                        return self.finish(api, driving, sink);
                    }
                }
            }
        }
        match &driving.state.ending {
            Some(ending) => {
                (driving.status, driving.problem) = view::outcome(ending, &driving.surface);
            }
            None => driving.status = ResponseStatus::Failed,
        }
        self.finish(api, driving, sink)
    }

    /// Stop was pressed: Agent mode's response is cancelled on the server (it stops at its
    /// next step); Genie One has no cancel, so Brickdesk only stops waiting.
    async fn stopped(
        &self,
        api: &Api,
        driving: &mut Driving,
        sink: &impl Fn(ResponseView),
    ) -> ResponseView {
        let state = &driving.state;
        let message = match (&driving.surface, &state.conversation_id, &state.response_id) {
            (Surface::AgentMode { agent_id }, Some(c), Some(r)) => {
                let path = format!(
                    "/api/2.0/genie/agents/{}/conversations/{}/responses/{}/cancel",
                    segment(agent_id),
                    segment(c),
                    segment(r)
                );
                match api.post::<_, Value>(&path, &json!({})).await {
                    Ok(_) => "Stopped. Agent mode did not finish this research.".to_owned(),
                    Err(error) => format!(
                        "Brickdesk stopped waiting, but Databricks did not confirm the stop ({}); \
                         the research may still finish in Databricks.",
                        error.message.trim_end_matches('.')
                    ),
                }
            }
            _ => "Stopped waiting. Genie may still finish this answer in Databricks.".to_owned(),
        };
        driving.status = ResponseStatus::Stopped;
        driving.problem = Some(ErrorInfo::new(ErrorCode::Cancelled, message));
        self.finish(api, driving, sink)
    }

    /// The supporting tables become results, the record is kept, the last view is sent.
    fn finish(
        &self,
        api: &Api,
        driving: &mut Driving,
        sink: &impl Fn(ResponseView),
    ) -> ResponseView {
        if driving.status == ResponseStatus::Completed {
            let (tables, data): (Vec<_>, Vec<_>) = view::tables(&driving.state).into_iter().unzip();
            driving.tables = tables;
            driving.table_data = data;
            self.adopt_tables(api, &mut driving.tables, &driving.table_data);
        }
        let view = driving.view();
        let record = Record {
            view: view.clone(),
            tables: driving.table_data.clone(),
            output: Some(driving.state.output.clone()),
        };
        match serde_json::to_string(&record) {
            Ok(json) => {
                if let Err(error) = self.store.finish(driving.id, &json) {
                    tracing::warn!(error = %error.message, "a finished response could not be kept");
                }
            }
            Err(error) => tracing::warn!(%error, "a finished response could not be encoded"),
        }
        sink(view.clone());
        view
    }

    /// Registers each table's rows as a result (the grid, chart and exports read it).
    fn adopt_tables(&self, api: &Api, tables: &mut [SupportingTable], data: &[TableData]) {
        for (table, data) in tables.iter_mut().zip(data) {
            let total = table.total_rows.map_or(data.rows.len() as u64, u64::from);
            let truncated = total > data.rows.len() as u64;
            let columns = data.columns();
            let mut set = ResultSet::new(columns.clone(), data.rows.len() as u64, truncated);
            let batch = crate::sql::inline::batch(&columns, &data.rows);
            match batch.and_then(|b| set.push(b)) {
                Ok(()) => {
                    set.finish();
                    table.summary = Some(set.summary());
                    table.run_id = Some(self.runs.adopt(api.clone(), set));
                }
                Err(error) => {
                    tracing::warn!(error = %error.message, "a supporting table could not be read");
                }
            }
        }
    }

    /// Responses kept from before a restart: a confirmed one is read back (never asked
    /// again); one Genie never confirmed is marked so, to be asked again by the user.
    pub async fn resume(
        &self,
        api: &Api,
        workspace_id: &str,
        sink: &(impl Fn(ResponseView) + Sync),
    ) -> Result<(), ErrorInfo> {
        for kept in self.store.unfinished(workspace_id)? {
            if self.lock_active().contains_key(&kept.id) {
                continue;
            }
            let Ok(surface) = serde_json::from_str::<Surface>(&kept.surface) else {
                self.store.delete(kept.id)?;
                continue;
            };
            let mut driving = Driving {
                id: kept.id,
                surface,
                question: kept.question.clone(),
                created_at_ms: kept.created_at_ms as f64,
                state: ResponseState::resumed(
                    kept.conversation_id.clone(),
                    kept.response_id.clone(),
                ),
                status: ResponseStatus::Reconnecting,
                problem: None,
                tables: Vec::new(),
                table_data: Vec::new(),
            };
            if kept.state == StoredState::Sending || kept.response_id.is_none() {
                driving.status = ResponseStatus::Unconfirmed;
                driving.problem = Some(ErrorInfo::new(
                    ErrorCode::Server,
                    "Brickdesk closed before Genie confirmed this question, so it may not have \
                     been asked. Ask it again.",
                ));
                self.finish(api, &mut driving, sink);
                continue;
            }
            let cancel = self.register(kept.id);
            sink(driving.view());
            self.drive(api, workspace_id, &mut driving, None, &cancel, sink)
                .await;
            self.unregister(kept.id);
        }
        Ok(())
    }

    /// The workspace's responses, newest first.
    pub fn history(&self, workspace_id: &str) -> Result<Vec<ResponseSummary>, ErrorInfo> {
        Ok(self
            .store
            .recent(workspace_id, HISTORY)?
            .into_iter()
            .filter_map(|kept| summary(&kept))
            .collect())
    }

    /// A kept response, whole; its tables are registered again as results.
    pub fn response(
        &self,
        api: &Api,
        workspace_id: &str,
        id: u32,
    ) -> Result<ResponseView, ErrorInfo> {
        let kept = self
            .store
            .get(id)?
            .filter(|k| k.workspace_id == workspace_id)
            .ok_or_else(|| ErrorInfo::new(ErrorCode::NotFound, "This answer is no longer kept."))?;
        let Some(record) = kept.record.as_deref() else {
            return Err(ErrorInfo::new(
                ErrorCode::NotFound,
                "This answer has not finished yet.",
            ));
        };
        let record: Record = serde_json::from_str(record).map_err(|e| {
            ErrorInfo::new(
                ErrorCode::Internal,
                format!("A kept answer could not be read ({e})."),
            )
        })?;
        let (mut view, tables) = record.shown();
        self.adopt_tables(api, &mut view.tables, &tables);
        Ok(view)
    }

    pub fn delete(&self, id: u32) -> Result<(), ErrorInfo> {
        self.store.delete(id)
    }
}

fn summary(kept: &StoredResponse) -> Option<ResponseSummary> {
    let surface = serde_json::from_str::<Surface>(&kept.surface).ok()?;
    let status = kept
        .record
        .as_deref()
        .and_then(|r| serde_json::from_str::<Value>(r).ok())
        .and_then(|r| serde_json::from_value(r["view"]["status"].clone()).ok())
        .unwrap_or(ResponseStatus::Working);
    Some(ResponseSummary {
        id: kept.id,
        surface,
        question: kept.question.clone(),
        conversation_id: kept.conversation_id.clone(),
        status,
        created_at_ms: kept.created_at_ms as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_only_the_documented_fields() {
        let (path, body) = request(&Surface::AskAnything, "Revenue?", None);
        assert_eq!(path, "/api/2.0/genie/one/responses");
        assert_eq!(body, json!({ "input": "Revenue?" }));
        let agent = Surface::AgentMode {
            agent_id: "01f0abc".into(),
        };
        let (path, body) = request(&agent, "Why?", Some("c1"));
        assert_eq!(path, "/api/2.0/genie/agents/01f0abc/responses");
        assert_eq!(body["conversation_id"], "c1");
        assert_eq!(body["input"][0]["content"][0]["text"], "Why?");
        assert_eq!(body.as_object().map(|o| o.len()), Some(2));
    }

    #[test]
    fn questions_are_checked_before_anything_is_sent() {
        assert!(check_question("  ").is_err());
        assert!(
            check_question(&"é".repeat(12_501)).is_err(),
            "bytes, not characters"
        );
        assert_eq!(check_question(" Revenue? ").ok(), Some("Revenue?"));
    }
}
