//! Catalogs and schemas for the editor's pickers. From Unity Catalog's REST API
//! (`/api/2.1/unity-catalog/catalogs`, `/schemas`) in its paginated form: `max_results=0`
//! lets the server choose the page size, pages may be empty, and only an absent
//! `next_page_token` ends the list (databricks-sdk-py `CatalogsAPI.list`; Databricks says
//! unpaginated calls "will soon be unsupported"). Those calls need the `unity-catalog` scope;
//! a `sql`-only sign-in lists the same names with `SHOW CATALOGS` / `SHOW SCHEMAS` on the
//! chosen warehouse instead. Only names are kept.

use super::wire::{ResultData, StatementResponse};
use crate::api::{Api, is_scope_refusal};
use crate::api_path::segment;
use crate::{ErrorCode, ErrorInfo};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
}

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    catalogs: Vec<Named>,
    #[serde(default)]
    schemas: Vec<Named>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// Pages fetched at most (a workspace with more catalogs than this is typed into the box).
const MAX_PAGES: usize = 50;

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn names(
    api: &Api,
    base: &str,
    pick: fn(Page) -> (Vec<Named>, Option<String>),
) -> Result<Vec<String>, ErrorInfo> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let separator = if base.contains('?') { '&' } else { '?' };
    for _ in 0..MAX_PAGES {
        let path = match &token {
            Some(t) => format!("{base}{separator}max_results=0&page_token={}", encode(t)),
            None => format!("{base}{separator}max_results=0"),
        };
        let (items, next) = pick(api.get::<Page>(&path).await?);
        names.extend(items.into_iter().map(|n| n.name));
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(tidy(names))
}

fn tidy(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

/// The first column of `statement`'s rows (INLINE), on `warehouse`.
async fn first_column(
    api: &Api,
    warehouse: &str,
    statement: &str,
) -> Result<Vec<String>, ErrorInfo> {
    let body = serde_json::json!({
        "statement": statement,
        "warehouse_id": warehouse,
        "disposition": "INLINE",
        "format": "JSON_ARRAY",
        "wait_timeout": "30s",
        "on_wait_timeout": "CANCEL",
    });
    let response: StatementResponse = api.post("/api/2.0/sql/statements", &body).await?;
    if response.status.state != super::StatementState::Succeeded {
        let said = response
            .status
            .error
            .and_then(|e| e.message)
            .unwrap_or_else(|| "the warehouse did not answer in time".into());
        return Err(ErrorInfo::new(
            ErrorCode::Server,
            format!("The catalog list could not be read through SQL ({said})."),
        ));
    }
    let mut values = Vec::new();
    let mut data = response.result;
    for _ in 0..MAX_PAGES {
        let Some(chunk) = data.take() else { break };
        values.extend(
            chunk
                .data_array
                .unwrap_or_default()
                .into_iter()
                .filter_map(|row| row.into_iter().next().flatten()),
        );
        if let Some(next) = chunk.next_chunk_index {
            let path = format!(
                "/api/2.0/sql/statements/{}/result/chunks/{next}",
                segment(&response.statement_id)
            );
            data = Some(api.get::<ResultData>(&path).await?);
        }
    }
    Ok(tidy(values))
}

/// SQL's backquoted identifier.
fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The catalogs the signed-in user can see; through `warehouse` when the sign-in may not call
/// Unity Catalog's API.
pub async fn catalogs(api: &Api, warehouse: Option<&str>) -> Result<Vec<String>, ErrorInfo> {
    let listed = names(api, "/api/2.1/unity-catalog/catalogs", |p| {
        (p.catalogs, p.next_page_token)
    })
    .await;
    match (listed, warehouse) {
        (Err(error), Some(warehouse)) if is_scope_refusal(&error) => {
            first_column(api, warehouse, "SHOW CATALOGS").await
        }
        (listed, _) => listed,
    }
}

/// The schemas of `catalog`; through `warehouse` as for [`catalogs`].
pub async fn schemas(
    api: &Api,
    catalog: &str,
    warehouse: Option<&str>,
) -> Result<Vec<String>, ErrorInfo> {
    let listed = names(
        api,
        &format!(
            "/api/2.1/unity-catalog/schemas?catalog_name={}",
            encode(catalog)
        ),
        |p| (p.schemas, p.next_page_token),
    )
    .await;
    match (listed, warehouse) {
        (Err(error), Some(warehouse)) if is_scope_refusal(&error) => {
            first_column(
                api,
                warehouse,
                &format!("SHOW SCHEMAS IN {}", quoted(catalog)),
            )
            .await
        }
        (listed, _) => listed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_for_sql() {
        assert_eq!(quoted("samples"), "`samples`");
        assert_eq!(quoted("we`ird"), "`we``ird`");
    }
}
