//! Reading a response back after its stream ended early (a dropped connection, a proxy that
//! gave up, Brickdesk restarted), without asking the question again: a repeated POST would
//! start a second answer.
//!
//! Genie One has a documented read: `GET /api/2.0/genie/one/conversations/{c}/responses/{r}`,
//! polled while it says `in_progress`. Agent mode has none for one response; its conversation's
//! items (`GET /api/2.0/genie/agents/{a}/conversations/{c}/items`) hold the question
//! (`{response_id}_input`) and then the response's items, the report last.

use super::items;
use super::state::ResponseState;
use super::view::Surface;
use crate::api::Api;
use crate::api_path::segment;
use crate::genie::progress;
use crate::sql::execute::Cancel;
use crate::{ErrorCode, ErrorInfo};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a response is read back for: agent mode's server-side limit is 30 minutes.
const RECOVERY_LIMIT: Duration = Duration::from_secs(31 * 60);
/// Failed reads in a row after which reading back is given up.
const MAX_FAILURES: u32 = 6;

/// Why a response could not be read back.
pub enum Lost {
    Stopped,
    Failed(ErrorInfo),
}

/// Polls until the response has ended; its final output and ending are in `state`.
pub async fn recover(
    api: &Api,
    surface: &Surface,
    state: &mut ResponseState,
    cancel: &Cancel,
) -> Result<(), Lost> {
    let (Some(conversation), Some(response)) =
        (state.conversation_id.clone(), state.response_id.clone())
    else {
        return Err(Lost::Failed(ErrorInfo::new(
            ErrorCode::Server,
            "The connection to Genie ended before it confirmed the question. Ask again.",
        )));
    };
    let started = Instant::now();
    let (mut attempt, mut failures) = (0usize, 0u32);
    loop {
        let read = match surface {
            Surface::AskAnything => read_one(api, &conversation, &response, state).await,
            Surface::AgentMode { agent_id } => {
                read_items(api, agent_id, &conversation, &response, state).await
            }
        };
        match read {
            Ok(()) if state.is_over() => return Ok(()),
            Ok(()) => failures = 0,
            Err(error) if !transient(&error) => return Err(Lost::Failed(cannot_read(error))),
            Err(error) => {
                failures += 1;
                if failures >= MAX_FAILURES {
                    return Err(Lost::Failed(cannot_read(error)));
                }
            }
        }
        if started.elapsed() > RECOVERY_LIMIT {
            return Err(Lost::Failed(ErrorInfo::new(
                ErrorCode::Server,
                "Genie did not finish this answer within 30 minutes. Ask again later.",
            )));
        }
        let wait = if failures > 0 {
            progress::failure_delay(failures)
        } else {
            progress::poll_delay(attempt)
        };
        attempt += 1;
        tokio::select! {
            () = cancel.cancelled() => return Err(Lost::Stopped),
            () = tokio::time::sleep(wait) => {}
        }
    }
}

fn transient(error: &ErrorInfo) -> bool {
    matches!(
        error.code,
        ErrorCode::Network | ErrorCode::RateLimited | ErrorCode::Server
    )
}

fn cannot_read(error: ErrorInfo) -> ErrorInfo {
    ErrorInfo::new(
        error.code,
        format!(
            "The connection to Genie dropped and the answer could not be read back ({}). Ask \
             again.",
            error.message.trim_end_matches('.')
        ),
    )
}

async fn read_one(
    api: &Api,
    conversation: &str,
    response: &str,
    state: &mut ResponseState,
) -> Result<(), ErrorInfo> {
    let path = format!(
        "/api/2.0/genie/one/conversations/{}/responses/{}",
        segment(conversation),
        segment(response)
    );
    let snapshot: Value = api.get(&path).await?;
    state.take_snapshot(&snapshot);
    Ok(())
}

async fn read_items(
    api: &Api,
    agent: &str,
    conversation: &str,
    response: &str,
    state: &mut ResponseState,
) -> Result<(), ErrorInfo> {
    let all = items::all(api, agent, conversation).await?;
    if let Some(turn) = items::turns(&all)
        .into_iter()
        .find(|t| t.response_id.as_deref() == Some(response))
    {
        items::state_of(&turn, state);
    }
    Ok(())
}
