//! Unity Catalog listings for the SQL editor's catalog and schema pickers:
//! `GET /api/2.1/unity-catalog/catalogs` and `GET /api/2.1/unity-catalog/schemas`. The one
//! catalog is `samples`, as in a workspace's sample data.
//!
//! Paging follows databricks-sdk-py's `CatalogsAPI.list`/`SchemasAPI.list` and the API
//! reference: `max_results=0` lets the server choose the page size, a positive value asks for
//! at most that many (capped at 1,000), and the list goes on while `next_page_token` is
//! present. Without `max_results` everything comes at once, which Databricks says "will soon
//! be unsupported" (`unity_catalog.unpaginated_allowed: false` refuses it).

use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

const CATALOG: &str = "samples";
/// The documented cap on `max_results`.
const MAX_RESULTS: usize = 1_000;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    catalog_name: Option<String>,
    max_results: Option<i64>,
    page_token: Option<String>,
}

fn invalid(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE", message)
}

/// One page of `items` under `key`, as the request's paging asks.
fn page(
    shared: &Shared,
    key: &str,
    items: Vec<Value>,
    query: &ListQuery,
) -> Result<Response, ApiError> {
    let size = match query.max_results {
        None if shared.config.unity_catalog.unpaginated_allowed => items.len().max(1),
        None => {
            return Err(invalid(
                "Unpaginated requests are not supported. Set max_results (0 lets the server \
                 choose the page size).",
            ));
        }
        Some(n) if n < 0 => return Err(invalid("max_results must be at least 0.")),
        Some(0) => shared.config.unity_catalog.page_size.max(1),
        Some(n) => usize::try_from(n).unwrap_or(MAX_RESULTS).min(MAX_RESULTS),
    };
    let offset = match query.page_token.as_deref().filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| invalid("page_token is not a token from a previous page."))?,
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(size).collect();
    let mut body = json!({ key: page });
    if offset + size < total {
        body["next_page_token"] = json!((offset + size).to_string());
    }
    Ok(json_ok(body))
}

/// `GET /api/2.1/unity-catalog/catalogs`
pub async fn list_catalogs(
    State(shared): State<Shared>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let catalogs = vec![json!({
        "name": CATALOG,
        "full_name": CATALOG,
        "comment": "Sample datasets (read-only)",
        "catalog_type": "SYSTEM_CATALOG",
        "owner": "System user",
    })];
    page(&shared, "catalogs", catalogs, &query)
}

/// `GET /api/2.1/unity-catalog/schemas?catalog_name=…`
pub async fn list_schemas(
    State(shared): State<Shared>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let Some(catalog) = query.catalog_name.clone().filter(|c| !c.is_empty()) else {
        return Err(invalid("Missing required field: catalog_name"));
    };
    if catalog != CATALOG {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "CATALOG_DOES_NOT_EXIST",
            format!("Catalog '{catalog}' does not exist."),
        ));
    }
    let schemas: Vec<Value> = shared
        .engine
        .schema_names()
        .into_iter()
        .map(|name| {
            json!({
                "name": name,
                "catalog_name": CATALOG,
                "full_name": format!("{CATALOG}.{name}"),
            })
        })
        .collect();
    page(&shared, "schemas", schemas, &query)
}
