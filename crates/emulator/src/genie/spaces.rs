//! `GET /api/2.0/genie/spaces` and `GET /api/2.0/genie/spaces/{space_id}`, and the access check
//! every other Genie route starts with.

use super::SpaceConfig;
use super::datasets::Dataset;
use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// The space, if it exists and the caller may use it: `404` for an unknown id, `403
/// PERMISSION_DENIED` for a space shared with others but not with the caller.
pub fn accessible<'a>(
    shared: &'a Shared,
    caller: &Caller,
    space_id: &str,
) -> Result<&'a SpaceConfig, ApiError> {
    let Some(space) = shared.config.spaces.iter().find(|s| s.space_id == space_id) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            format!("Genie space {space_id} does not exist."),
        ));
    };
    if shared.config.is_denied(&caller.subject, space_id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            format!(
                "User {} does not have access to the Genie space \"{}\". Ask its owner to share it \
                 with you.",
                caller.subject.name(),
                space.title
            ),
        ));
    }
    Ok(space)
}

pub fn dataset_of(space: &SpaceConfig) -> &'static Dataset {
    // Config validation guarantees a known dataset; fall back to the taxi data regardless.
    Dataset::by_name(&space.dataset).unwrap_or(&super::datasets::NYCTAXI)
}

fn space_json(space: &SpaceConfig) -> Value {
    json!({
        "space_id": space.space_id,
        "title": space.title,
        "description": space.description,
        "warehouse_id": space.warehouse_id,
        "create_time": space.create_time,
        "update_time": space.update_time,
    })
}

/// The space's export, as `include_serialized_space=true` returns it (a JSON document in a
/// string): its sample questions and tables.
fn serialized_space(space: &SpaceConfig) -> String {
    let questions: Vec<Value> = space
        .sample_questions
        .iter()
        .enumerate()
        .map(
            |(i, q)| json!({ "id": format!("{}{:04}", &space.space_id[..28], i), "question": [q] }),
        )
        .collect();
    let tables: Vec<Value> = dataset_of(space)
        .tables
        .iter()
        .map(|t| json!({ "identifier": t }))
        .collect();
    json!({
        "version": 1,
        "config": { "sample_questions": questions },
        "data_sources": { "tables": tables },
    })
    .to_string()
}

#[derive(Debug, Deserialize)]
pub struct Page {
    pub page_size: Option<usize>,
    pub page_token: Option<String>,
}

impl Page {
    /// `(offset, size)`; a token is the offset the previous page ended at.
    pub fn window(&self, default: usize, max: usize) -> Result<(usize, usize), ApiError> {
        let offset = match self.page_token.as_deref().filter(|t| !t.is_empty()) {
            None => 0,
            Some(token) => token.parse().map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_PARAMETER_VALUE",
                    "page_token is not a token from a previous page.",
                )
            })?,
        };
        let size = match self.page_size {
            None | Some(0) => default,
            Some(n) => n,
        }
        .clamp(1, max.max(1));
        Ok((offset, size))
    }
}

/// One page of `items` as `{<key>: [...], next_page_token}`.
pub fn paged(key: &str, items: Vec<Value>, (offset, size): (usize, usize)) -> Response {
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(size).collect();
    let mut body = json!({ key: page });
    if offset + size < total {
        body["next_page_token"] = json!((offset + size).to_string());
    }
    json_ok(body)
}

/// `GET /api/2.0/genie/spaces`: only the spaces the caller can use.
pub async fn list(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Query(page): Query<Page>,
) -> Result<Response, ApiError> {
    let window = page.window(100, shared.config.genie.max_page_size)?;
    let spaces = shared
        .config
        .spaces
        .iter()
        .filter(|s| !shared.config.is_denied(&caller.subject, &s.space_id))
        .map(space_json)
        .collect();
    Ok(paged("spaces", spaces, window))
}

#[derive(Debug, Deserialize)]
pub struct GetSpace {
    #[serde(default)]
    include_serialized_space: bool,
}

/// `GET /api/2.0/genie/spaces/{space_id}`
pub async fn get(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(space_id): Path<String>,
    Query(query): Query<GetSpace>,
) -> Result<Response, ApiError> {
    let space = accessible(&shared, &caller, &space_id)?;
    let mut body = space_json(space);
    if query.include_serialized_space {
        let editor = space
            .editors
            .iter()
            .any(|e| e.eq_ignore_ascii_case(caller.subject.name()));
        if !editor {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "include_serialized_space requires CAN EDIT on the space.",
            ));
        }
        body["serialized_space"] = json!(serialized_space(space));
    }
    Ok(json_ok(body))
}
