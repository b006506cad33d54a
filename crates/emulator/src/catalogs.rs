//! Unity Catalog listings for the SQL editor's catalog and schema pickers:
//! `GET /api/2.1/unity-catalog/catalogs` and `GET /api/2.1/unity-catalog/schemas`. The one
//! catalog is `samples`, as in a workspace's sample data.

use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

const CATALOG: &str = "samples";

/// `GET /api/2.1/unity-catalog/catalogs`
pub async fn list_catalogs() -> Response {
    json_ok(json!({
        "catalogs": [{
            "name": CATALOG,
            "full_name": CATALOG,
            "comment": "Sample datasets (read-only)",
            "catalog_type": "SYSTEM_CATALOG",
            "owner": "System user",
        }]
    }))
}

#[derive(Debug, Deserialize)]
pub struct SchemasQuery {
    catalog_name: Option<String>,
}

/// `GET /api/2.1/unity-catalog/schemas?catalog_name=…`
pub async fn list_schemas(
    State(shared): State<Shared>,
    Query(query): Query<SchemasQuery>,
) -> Result<Response, ApiError> {
    let Some(catalog) = query.catalog_name.filter(|c| !c.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PARAMETER_VALUE",
            "Missing required field: catalog_name",
        ));
    };
    if catalog != CATALOG {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "CATALOG_DOES_NOT_EXIST",
            format!("Catalog '{catalog}' does not exist."),
        ));
    }
    let schemas: Vec<_> = shared
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
    Ok(json_ok(json!({ "schemas": schemas })))
}
