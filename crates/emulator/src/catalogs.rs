//! Unity Catalog listings for the SQL editor's pickers and schema browser:
//! `GET /api/2.1/unity-catalog/catalogs`, `/schemas`, `/tables` and `/tables/{full_name}`
//! (databricks-sdk-py `CatalogsAPI`, `SchemasAPI`, `TablesAPI`; answers shaped as its
//! `ListCatalogsResponse`, `ListSchemasResponse`, `ListTablesResponse` and `TableInfo`). The
//! one catalog is `samples`, as in a workspace's sample data.
//!
//! Paging follows databricks-sdk-py's `CatalogsAPI.list`/`SchemasAPI.list` and the API
//! reference: `max_results=0` lets the server choose the page size, a positive value asks for
//! at most that many (capped at 1,000), and the list goes on while `next_page_token` is
//! present. Without `max_results` everything comes at once, which Databricks says "will soon
//! be unsupported" (`unity_catalog.unpaginated_allowed: false` refuses it).

use crate::errors::{ApiError, json_ok};
use crate::server::Shared;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use datafusion::arrow::datatypes::Schema;
use serde::Deserialize;
use serde_json::{Value, json};

const CATALOG: &str = "samples";
/// The documented cap on `max_results`.
const MAX_RESULTS: usize = 1_000;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    catalog_name: Option<String>,
    schema_name: Option<String>,
    #[serde(default)]
    omit_columns: Option<bool>,
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

fn no_catalog(catalog: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "CATALOG_DOES_NOT_EXIST",
        format!("Catalog '{catalog}' does not exist."),
    )
}

/// A `TableInfo`: every sample table is a managed Delta table owned by the system; columns
/// are `ColumnInfo`s with Unity Catalog's type names (`type_text` lower-case, as the API
/// reference's examples write it).
fn table_info(schema: &str, name: &str, columns: Option<&Schema>) -> Value {
    let mut info = json!({
        "name": name,
        "catalog_name": CATALOG,
        "schema_name": schema,
        "full_name": format!("{CATALOG}.{schema}.{name}"),
        "table_type": "MANAGED",
        "data_source_format": "DELTA",
        "owner": "System user",
    });
    if let Some(comment) = crate::sql::data::table_comment(schema, name) {
        info["comment"] = json!(comment);
    }
    if let Some(columns) = columns {
        let columns: Vec<Value> = columns
            .fields()
            .iter()
            .enumerate()
            .map(|(position, field)| {
                let (type_name, type_text) = crate::sql::render::databricks_type(field.data_type());
                let mut column = json!({
                    "name": field.name(),
                    "position": position,
                    "type_name": type_name,
                    "type_text": type_text.to_ascii_lowercase(),
                    "nullable": field.is_nullable(),
                });
                if let Some(comment) = crate::sql::data::column_comment(schema, name, field.name())
                {
                    column["comment"] = json!(comment);
                }
                column
            })
            .collect();
        info["columns"] = json!(columns);
    }
    info
}

/// `GET /api/2.1/unity-catalog/tables?catalog_name=…&schema_name=…`
pub async fn list_tables(
    State(shared): State<Shared>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let (Some(catalog), Some(schema)) = (
        query.catalog_name.clone().filter(|c| !c.is_empty()),
        query.schema_name.clone().filter(|s| !s.is_empty()),
    ) else {
        return Err(invalid(
            "Missing required fields: catalog_name and schema_name",
        ));
    };
    if catalog != CATALOG {
        return Err(no_catalog(&catalog));
    }
    let Some(tables) = shared.engine.tables(&schema).await else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "SCHEMA_DOES_NOT_EXIST",
            format!("Schema '{catalog}.{schema}' does not exist."),
        ));
    };
    let with_columns = !query.omit_columns.unwrap_or(false);
    let tables: Vec<Value> = tables
        .iter()
        .map(|(name, columns)| table_info(&schema, name, with_columns.then_some(&**columns)))
        .collect();
    page(&shared, "tables", tables, &query)
}

/// `GET /api/2.1/unity-catalog/tables/{full_name}`
pub async fn get_table(
    State(shared): State<Shared>,
    Path(full_name): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "TABLE_DOES_NOT_EXIST",
            format!("Table '{full_name}' does not exist."),
        )
    };
    let parts: Vec<&str> = full_name.split('.').collect();
    let [catalog, schema, name] = parts[..] else {
        return Err(invalid("full_name must be catalog.schema.table"));
    };
    if catalog != CATALOG {
        return Err(no_catalog(catalog));
    }
    let tables = shared.engine.tables(schema).await.ok_or_else(missing)?;
    let (_, columns) = tables.iter().find(|(n, _)| n == name).ok_or_else(missing)?;
    Ok(json_ok(table_info(schema, name, Some(columns))))
}
