//! Catalogs, schemas, tables and columns for the editor's pickers, the schema browser and
//! autocomplete. From Unity Catalog's REST API (`/api/2.1/unity-catalog/catalogs`, `/schemas`,
//! `/tables`, `/tables/{full_name}`) in its paginated form: `max_results=0`
//! lets the server choose the page size, pages may be empty, and only an absent
//! `next_page_token` ends the list (databricks-sdk-py `CatalogsAPI.list`; Databricks says
//! unpaginated calls "will soon be unsupported"). Those calls need the `unity-catalog` scope;
//! a `sql`-only sign-in lists the same with `SHOW CATALOGS` / `SHOW SCHEMAS` / `SHOW TABLES` /
//! `DESCRIBE TABLE` on the chosen warehouse instead. Only what the UI shows is kept; unknown
//! table types read as tables.

use super::wire::ResultData;
use crate::ErrorInfo;
use crate::api::{Api, is_scope_refusal};
use crate::api_path::segment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
}

/// A `TableInfo` (and its `ColumnInfo`s) as far as the browser uses it.
#[derive(Debug, Deserialize)]
struct WireTable {
    name: String,
    #[serde(default)]
    table_type: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    columns: Option<Vec<WireColumn>>,
}

#[derive(Debug, Deserialize)]
struct WireColumn {
    name: String,
    #[serde(default)]
    type_text: Option<String>,
    #[serde(default)]
    type_name: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    catalogs: Vec<Named>,
    #[serde(default)]
    schemas: Vec<Named>,
    #[serde(default)]
    tables: Vec<WireTable>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// What a schema holds, as the browser lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TableEntry {
    pub name: String,
    /// A view (any kind: `VIEW`, `MATERIALIZED_VIEW`, `METRIC_VIEW`) or a table.
    pub is_view: bool,
    pub comment: Option<String>,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ColumnEntry {
    pub name: String,
    /// As Databricks writes it (`int`, `decimal(10,2)`); empty when not given.
    pub type_text: String,
    pub comment: Option<String>,
}

impl From<WireTable> for TableEntry {
    fn from(table: WireTable) -> Self {
        Self {
            is_view: table
                .table_type
                .is_some_and(|t| t.to_ascii_uppercase().contains("VIEW")),
            name: table.name,
            comment: table.comment.filter(|c| !c.trim().is_empty()),
        }
    }
}

impl From<WireColumn> for ColumnEntry {
    fn from(column: WireColumn) -> Self {
        Self {
            type_text: column.type_text.or(column.type_name).unwrap_or_default(),
            name: column.name,
            comment: column.comment.filter(|c| !c.trim().is_empty()),
        }
    }
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
    let named = listed(api, base, pick).await?;
    Ok(tidy(named.into_iter().map(|n| n.name).collect()))
}

/// Every page of a list, each item as `pick` takes it out of its page.
async fn listed<T>(
    api: &Api,
    base: &str,
    pick: fn(Page) -> (Vec<T>, Option<String>),
) -> Result<Vec<T>, ErrorInfo> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let separator = if base.contains('?') { '&' } else { '?' };
    for _ in 0..MAX_PAGES {
        let path = match &token {
            Some(t) => format!("{base}{separator}max_results=0&page_token={}", encode(t)),
            None => format!("{base}{separator}max_results=0"),
        };
        let (items, next) = pick(api.get::<Page>(&path).await?);
        names.extend(items);
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(names)
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
    let rows = sql_rows(api, warehouse, statement).await?;
    Ok(tidy(
        rows.into_iter()
            .filter_map(|row| row.into_iter().next().flatten())
            .collect(),
    ))
}

/// `statement`'s rows (INLINE), on `warehouse`: submitted and polled like the SQL runner's
/// statements, so a warehouse that is starting (a Pro or classic one, on the first open of the
/// day) is waited for instead of cancelled after 30 seconds.
async fn sql_rows(
    api: &Api,
    warehouse: &str,
    statement: &str,
) -> Result<Vec<Vec<Option<String>>>, ErrorInfo> {
    let request = super::StatementRequest {
        warehouse_id: warehouse.to_owned(),
        statement: statement.to_owned(),
        catalog: None,
        schema: None,
        parameters: Vec::new(),
        row_limit: None,
        disposition: super::Disposition::InlineJson,
    };
    let done = super::execute::run(api, &request, &super::Cancel::new(), |_| {})
        .await
        .map_err(|e| {
            ErrorInfo::new(
                e.code,
                format!(
                    "The catalog list could not be read through SQL ({}).",
                    e.message
                ),
            )
        })?;
    let mut values = Vec::new();
    let mut data = done.first;
    for _ in 0..MAX_PAGES {
        let Some(chunk) = data.take() else { break };
        values.extend(chunk.data_array.unwrap_or_default());
        if let Some(next) = chunk.next_chunk_index {
            let path = format!(
                "/api/2.0/sql/statements/{}/result/chunks/{next}",
                segment(&done.statement_id)
            );
            data = Some(api.get::<ResultData>(&path).await?);
        }
    }
    Ok(values)
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

/// The tables and views of `catalog.schema`, sorted by name; through `warehouse` as for
/// [`catalogs`] (`SHOW TABLES`, which cannot tell views apart).
pub async fn tables(
    api: &Api,
    catalog: &str,
    schema: &str,
    warehouse: Option<&str>,
) -> Result<Vec<TableEntry>, ErrorInfo> {
    let listed = listed(
        api,
        &format!(
            "/api/2.1/unity-catalog/tables?catalog_name={}&schema_name={}&omit_columns=true&omit_properties=true",
            encode(catalog),
            encode(schema)
        ),
        |p| (p.tables, p.next_page_token),
    )
    .await;
    let mut tables: Vec<TableEntry> = match (listed, warehouse) {
        (Err(error), Some(warehouse)) if is_scope_refusal(&error) => {
            let statement = format!("SHOW TABLES IN {}.{}", quoted(catalog), quoted(schema));
            // Columns: database, tableName, isTemporary.
            sql_rows(api, warehouse, &statement)
                .await?
                .into_iter()
                .filter_map(|row| row.into_iter().nth(1).flatten())
                .map(|name| TableEntry {
                    name,
                    is_view: false,
                    comment: None,
                })
                .collect()
        }
        (listed, _) => listed?.into_iter().map(TableEntry::from).collect(),
    };
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    tables.dedup_by(|a, b| a.name == b.name);
    Ok(tables)
}

/// The columns of `catalog.schema.table`, in table order; through `warehouse` as for
/// [`catalogs`] (`DESCRIBE TABLE`).
pub async fn columns(
    api: &Api,
    catalog: &str,
    schema: &str,
    table: &str,
    warehouse: Option<&str>,
) -> Result<Vec<ColumnEntry>, ErrorInfo> {
    let full_name = format!("{catalog}.{schema}.{table}");
    let got = api
        .get::<WireTable>(&format!(
            "/api/2.1/unity-catalog/tables/{}",
            segment(&full_name)
        ))
        .await;
    match (got, warehouse) {
        (Err(error), Some(warehouse)) if is_scope_refusal(&error) => {
            let statement = format!(
                "DESCRIBE TABLE {}.{}.{}",
                quoted(catalog),
                quoted(schema),
                quoted(table)
            );
            Ok(described(sql_rows(api, warehouse, &statement).await?))
        }
        (got, _) => Ok(got?
            .columns
            .unwrap_or_default()
            .into_iter()
            .map(ColumnEntry::from)
            .collect()),
    }
}

/// `DESCRIBE TABLE`'s rows (`col_name`, `data_type`, `comment`) up to the first blank or `#`
/// row, where Databricks starts its partition and detail sections.
fn described(rows: Vec<Vec<Option<String>>>) -> Vec<ColumnEntry> {
    rows.into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let name = cells.next().flatten().unwrap_or_default();
            let type_text = cells.next().flatten().unwrap_or_default();
            let comment = cells.next().flatten().filter(|c| !c.trim().is_empty());
            ColumnEntry {
                name,
                type_text,
                comment,
            }
        })
        .take_while(|c| !c.name.trim().is_empty() && !c.name.starts_with('#'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_stops_where_the_detail_sections_start() {
        let row = |a: &str, b: &str, c: Option<&str>| {
            vec![Some(a.to_owned()), Some(b.to_owned()), c.map(str::to_owned)]
        };
        let columns = described(vec![
            row("id", "bigint", Some("The key")),
            row("day", "date", Some("")),
            row("", "", None),
            row("# Partition Information", "", None),
            row("day", "date", None),
        ]);
        assert_eq!(
            columns,
            vec![
                ColumnEntry {
                    name: "id".into(),
                    type_text: "bigint".into(),
                    comment: Some("The key".into())
                },
                ColumnEntry {
                    name: "day".into(),
                    type_text: "date".into(),
                    comment: None
                },
            ]
        );
    }

    #[test]
    fn every_kind_of_view_reads_as_a_view_and_anything_else_as_a_table() {
        let entry = |kind: Option<&str>| {
            TableEntry::from(WireTable {
                name: "t".into(),
                table_type: kind.map(str::to_owned),
                comment: None,
                columns: None,
            })
            .is_view
        };
        assert!(
            entry(Some("VIEW")) && entry(Some("MATERIALIZED_VIEW")) && entry(Some("METRIC_VIEW"))
        );
        assert!(!entry(Some("MANAGED")) && !entry(Some("SOMETHING_NEW")) && !entry(None));
    }

    #[test]
    fn identifiers_are_quoted_for_sql() {
        assert_eq!(quoted("samples"), "`samples`");
        assert_eq!(quoted("we`ird"), "`we``ird`");
    }
}
