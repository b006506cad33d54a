//! `GET /api/2.0/genie/agents` and `GET /api/2.0/genie/agents/{id}`: the Genie Agents service
//! (databricks-sdk-py 0.162 `service/genieagents.py`), the new name of Genie spaces over the
//! same ids. `view=GENIE_AGENT_VIEW_FULL` adds each agent's definition with its sample
//! questions; the default basic view has none.

use super::SpaceConfig;
use super::spaces::{Page, accessible, dataset_of};
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/2.0/genie/agents", get(list))
        .route("/api/2.0/genie/agents/{agent_id}", get(get_one))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page_size: Option<i64>,
    page_token: Option<String>,
    view: Option<String>,
}

/// `true` for the full view; an unknown view is refused as the API refuses unknown enum values.
fn full_view(view: Option<&str>) -> Result<bool, ApiError> {
    match view {
        None | Some("GENIE_AGENT_VIEW_UNSPECIFIED" | "GENIE_AGENT_VIEW_BASIC") => Ok(false),
        Some("GENIE_AGENT_VIEW_FULL") => Ok(true),
        Some(other) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER_VALUE",
            format!("Unknown view {other}."),
        )),
    }
}

/// `GenieAgent`: `name` is `agents/{id}`; times are RFC 3339 (protobuf Timestamps).
fn agent_json(space: &SpaceConfig, full: bool) -> Value {
    let mut agent = json!({
        "name": format!("agents/{}", space.space_id),
        "display_name": space.title,
        "description": space.description,
        "warehouse_id": space.warehouse_id,
        "create_time": space.create_time,
        "update_time": space.update_time,
    });
    if full {
        let mut questions: Vec<Value> = space
            .sample_questions
            .iter()
            .enumerate()
            .map(|(i, q)| json!({ "id": format!("{}{:04}", &space.space_id[..28], i), "question": q }))
            .collect();
        // "sorted by id" (GenieAgentDefinition.config.sample_questions).
        questions.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        let tables: Vec<Value> = dataset_of(space)
            .tables
            .iter()
            .map(|t| json!({ "identifier": t }))
            .collect();
        agent["definition"] = json!({
            "config": { "sample_questions": questions },
            "data_sources": { "tables": tables },
        });
        agent["parent_path"] = json!("/Workspace/Shared/Genie");
        agent["effective_parent_path"] = json!("/Workspace/Shared/Genie");
        agent["etag"] = json!(format!("\"{}\"", &space.space_id[24..]));
    }
    agent
}

/// `GET /api/2.0/genie/agents`: the agents the caller may use, 20 a page by default (100 at
/// most, fewer with the full view), a negative size refused.
async fn list(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let full = full_view(query.view.as_deref())?;
    let page_size = match query.page_size {
        Some(n) if n < 0 => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_PARAMETER_VALUE",
                "page_size must not be negative.",
            ));
        }
        other => other.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    let page = Page {
        page_size,
        page_token: query.page_token,
    };
    let max = if full { 50 } else { 100 }.min(shared.config.genie.max_page_size);
    let window = page.window(20, max)?;
    let listed: Vec<&SpaceConfig> = shared
        .config
        .spaces
        .iter()
        .filter(|s| !s.from_dashboard && !shared.config.is_denied(&caller.subject, &s.space_id))
        .collect();
    let (offset, size) = window;
    let on_page = listed.iter().skip(offset).take(size);
    let (unreachable, readable): (Vec<&&SpaceConfig>, Vec<&&SpaceConfig>) =
        on_page.partition(|s| full && s.unreachable_in_list);
    let mut body = json!({
        "genie_agents": readable.iter().map(|s| agent_json(s, full)).collect::<Vec<_>>(),
    });
    if !unreachable.is_empty() {
        body["unreachable"] = json!(
            unreachable
                .iter()
                .map(|s| format!("agents/{}", s.space_id))
                .collect::<Vec<_>>()
        );
    }
    if offset + size < listed.len() {
        body["next_page_token"] = json!((offset + size).to_string());
    }
    Ok(json_ok(body))
}

#[derive(Debug, Deserialize)]
pub struct GetQuery {
    view: Option<String>,
}

/// `GET /api/2.0/genie/agents/{id}`, with the same access rule as the space.
async fn get_one(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(agent_id): Path<String>,
    Query(query): Query<GetQuery>,
) -> Result<Response, ApiError> {
    let full = full_view(query.view.as_deref())?;
    let space = accessible(&shared, &caller, &agent_id)?;
    Ok(json_ok(agent_json(space, full)))
}
