//! The SQL engine: Apache DataFusion over the `samples` catalog.
//!
//! Statements use the Databricks dialect (backticks, three-part names). Named parameter
//! markers `:name` become DataFusion placeholders and are bound as typed values; parameter
//! text is never spliced into SQL. `range(n)` yields a BIGINT column `id`, as on Databricks.

use super::data;
use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::catalog::{
    CatalogProvider, MemoryCatalogProvider, MemorySchemaProvider, SchemaProvider,
    TableFunctionArgs, TableFunctionImpl, TableProvider,
};
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::{SessionConfig, SessionContext};
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::sync::Arc;

/// Largest `range(n)`: larger results would only exhaust memory on a laptop.
pub const MAX_RANGE_ROWS: i64 = 50_000_000;
/// Rows per batch that `range(n)` produces.
const RANGE_BATCH_ROWS: i64 = 65_536;

/// A named, typed parameter of the Statement Execution API.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Parameter {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, rename = "type")]
    pub sql_type: Option<String>,
}

/// A statement's rows as they are read.
pub type Batches =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<RecordBatch, SqlError>> + Send>>;

/// A statement that failed: the message a workspace would give, and its SQLSTATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub message: String,
    pub sql_state: &'static str,
}

impl SqlError {
    fn new(sql_state: &'static str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            sql_state,
        }
    }
}

/// The engine: the sample catalog, built once, shared by every statement.
#[derive(Debug)]
pub struct Engine {
    samples: Arc<MemoryCatalogProvider>,
    /// The session time zone TIMESTAMP results are tagged with.
    time_zone: Arc<str>,
}

impl Engine {
    pub fn new(seed: u64, time_zone: &str) -> Self {
        let samples = MemoryCatalogProvider::new();
        let nyctaxi = MemorySchemaProvider::new();
        register(&nyctaxi, "trips", data::trips(seed));
        let tpch = MemorySchemaProvider::new();
        for (name, batch) in data::tpch(seed) {
            register(&tpch, name, batch);
        }
        let _ = samples.register_schema("nyctaxi", Arc::new(nyctaxi));
        let _ = samples.register_schema("tpch", Arc::new(tpch));
        let _ = samples.register_schema("default", Arc::new(MemorySchemaProvider::new()));
        Self {
            samples: Arc::new(samples),
            time_zone: time_zone.into(),
        }
    }

    /// The sample catalog's schemas, sorted.
    pub fn schema_names(&self) -> Vec<String> {
        use datafusion::catalog::CatalogProvider as _;
        let mut names = self.samples.schema_names();
        names.sort();
        names
    }

    /// The tables of `schema` in the sample catalog, sorted, with their Arrow schemas; `None`
    /// when there is no such schema.
    pub async fn tables(&self, schema: &str) -> Option<Vec<(String, SchemaRef)>> {
        let provider = self.samples.schema(schema)?;
        let mut names = provider.table_names();
        names.sort();
        let mut tables = Vec::with_capacity(names.len());
        for name in names {
            if let Ok(Some(table)) = provider.table(&name).await {
                tables.push((name, table.schema()));
            }
        }
        Some(tables)
    }

    /// `SHOW CATALOGS` and `SHOW SCHEMAS [IN|FROM catalog]` (also `DATABASES`), which
    /// DataFusion lacks: one STRING column, `catalog` or `databaseName`, as Databricks names
    /// them. Clients that may not call Unity Catalog's REST API (a `sql`-only token) list
    /// catalogs and schemas this way.
    fn show(
        &self,
        sql: &str,
        current_catalog: Option<&str>,
    ) -> Result<Option<(SchemaRef, Vec<RecordBatch>)>, SqlError> {
        let text = sql.trim().trim_end_matches(';');
        let words: Vec<&str> = text.split_whitespace().collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let (column, names) = match upper.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["SHOW", "CATALOGS"] => ("catalog", vec!["samples".to_owned()]),
            ["SHOW", "SCHEMAS" | "DATABASES"]
            | ["SHOW", "SCHEMAS" | "DATABASES", "IN" | "FROM", _] => {
                let catalog = words
                    .get(3)
                    .map(|c| c.trim_matches('`'))
                    .or(current_catalog)
                    .unwrap_or("samples");
                if !catalog.eq_ignore_ascii_case("samples") {
                    return Err(SqlError::new(
                        "42704",
                        format!("[NO_SUCH_CATALOG_EXCEPTION] Catalog '{catalog}' was not found."),
                    ));
                }
                ("databaseName", self.schema_names())
            }
            _ => return Ok(None),
        };
        let schema = Arc::new(Schema::new(vec![Field::new(column, DataType::Utf8, false)]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(datafusion::arrow::array::StringArray::from(names))],
        )
        .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        Ok(Some((schema, vec![batch])))
    }

    /// `SHOW TABLES [IN|FROM [catalog.]schema]` and `DESCRIBE [TABLE] [[catalog.]schema.]table`
    /// in Databricks' shapes (the SQL reference's result columns): `database`, `tableName`,
    /// `isTemporary`; and `col_name`, `data_type`, `comment`. DataFusion has both, with other
    /// columns. How a `sql`-only sign-in browses tables and columns.
    async fn describe(
        &self,
        sql: &str,
        current_catalog: Option<&str>,
        current_schema: Option<&str>,
    ) -> Result<Option<(SchemaRef, Vec<RecordBatch>)>, SqlError> {
        use datafusion::arrow::array::{BooleanArray, StringArray};
        let text = sql.trim().trim_end_matches(';');
        let words: Vec<&str> = text.split_whitespace().collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        let upper: Vec<&str> = upper.iter().map(String::as_str).collect();
        let name = |raw: &str| -> Vec<String> {
            raw.split('.')
                .map(|part| part.trim_matches('`').to_owned())
                .collect()
        };
        let catalog_ok = |catalog: &str| -> Result<(), SqlError> {
            if catalog.eq_ignore_ascii_case("samples") {
                Ok(())
            } else {
                Err(SqlError::new(
                    "42704",
                    format!("[NO_SUCH_CATALOG_EXCEPTION] Catalog '{catalog}' was not found."),
                ))
            }
        };
        let utf8 = |n: &str| Field::new(n, DataType::Utf8, true);
        match upper[..] {
            ["SHOW", "TABLES"] | ["SHOW", "TABLES", "IN" | "FROM", _] => {
                let parts = words.get(3).map(|w| name(w)).unwrap_or_default();
                let (catalog, schema) = match &parts[..] {
                    [] => (
                        current_catalog.unwrap_or("samples").to_owned(),
                        current_schema.unwrap_or("default").to_owned(),
                    ),
                    [schema] => (
                        current_catalog.unwrap_or("samples").to_owned(),
                        schema.clone(),
                    ),
                    [catalog, schema] => (catalog.clone(), schema.clone()),
                    _ => return Ok(None),
                };
                catalog_ok(&catalog)?;
                let Some(tables) = self.tables(&schema).await else {
                    return Err(SqlError::new(
                        "42704",
                        format!(
                            "[SCHEMA_NOT_FOUND] The schema `{catalog}`.`{schema}` cannot be found."
                        ),
                    ));
                };
                let out = Arc::new(Schema::new(vec![
                    utf8("database"),
                    utf8("tableName"),
                    Field::new("isTemporary", DataType::Boolean, true),
                ]));
                let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
                let batch = RecordBatch::try_new(
                    out.clone(),
                    vec![
                        Arc::new(StringArray::from(vec![schema.as_str(); names.len()])),
                        Arc::new(StringArray::from(names.clone())),
                        Arc::new(BooleanArray::from(vec![false; names.len()])),
                    ],
                )
                .map_err(|e| SqlError::new("XX000", e.to_string()))?;
                Ok(Some((out, vec![batch])))
            }
            ["DESCRIBE" | "DESC", "TABLE", _] | ["DESCRIBE" | "DESC", _] => {
                let parts = name(words[words.len() - 1]);
                let (catalog, schema, table) = match &parts[..] {
                    [table] => (
                        current_catalog.unwrap_or("samples").to_owned(),
                        current_schema.unwrap_or("default").to_owned(),
                        table.clone(),
                    ),
                    [schema, table] => (
                        current_catalog.unwrap_or("samples").to_owned(),
                        schema.clone(),
                        table.clone(),
                    ),
                    [catalog, schema, table] => (catalog.clone(), schema.clone(), table.clone()),
                    _ => return Ok(None),
                };
                catalog_ok(&catalog)?;
                let found = self
                    .tables(&schema)
                    .await
                    .and_then(|tables| tables.into_iter().find(|(n, _)| *n == table));
                let Some((_, columns)) = found else {
                    return Err(SqlError::new(
                        "42P01",
                        format!(
                            "[TABLE_OR_VIEW_NOT_FOUND] The table or view `{catalog}`.`{schema}`.`{table}` cannot be found."
                        ),
                    ));
                };
                let out = Arc::new(Schema::new(vec![
                    utf8("col_name"),
                    utf8("data_type"),
                    utf8("comment"),
                ]));
                let fields = columns.fields();
                let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
                let types: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        super::render::databricks_type(f.data_type())
                            .1
                            .to_ascii_lowercase()
                    })
                    .collect();
                let comments: Vec<Option<&str>> = fields
                    .iter()
                    .map(|f| data::column_comment(&schema, &table, f.name()))
                    .collect();
                let batch = RecordBatch::try_new(
                    out.clone(),
                    vec![
                        Arc::new(StringArray::from(names)),
                        Arc::new(StringArray::from(types)),
                        Arc::new(StringArray::from(comments)),
                    ],
                )
                .map_err(|e| SqlError::new("XX000", e.to_string()))?;
                Ok(Some((out, vec![batch])))
            }
            _ => Ok(None),
        }
    }

    /// Runs one statement to completion.
    pub async fn run(
        &self,
        sql: &str,
        parameters: &[Parameter],
        catalog: Option<&str>,
        schema: Option<&str>,
    ) -> Result<(SchemaRef, Vec<RecordBatch>), SqlError> {
        let (schema, mut stream) = self.run_stream(sql, parameters, catalog, schema).await?;
        let mut batches = Vec::new();
        while let Some(batch) = stream.next().await {
            batches.push(batch?);
        }
        Ok((schema, batches))
    }

    /// Runs one statement, its rows a batch at a time as they are read (in wire types).
    pub async fn run_stream(
        &self,
        sql: &str,
        parameters: &[Parameter],
        catalog: Option<&str>,
        schema: Option<&str>,
    ) -> Result<(SchemaRef, Batches), SqlError> {
        let listed = |(schema, batches): (SchemaRef, Vec<RecordBatch>)| -> (SchemaRef, Batches) {
            (
                schema,
                Box::pin(futures_util::stream::iter(batches.into_iter().map(Ok))),
            )
        };
        if let Some(listing) = self.show(sql, catalog)? {
            return Ok(listed(listing));
        }
        if let Some(listing) = self.describe(sql, catalog, schema).await? {
            return Ok(listed(listing));
        }
        let ctx = self.context(catalog, schema)?;
        let (rewritten, markers) = rewrite_markers(sql);
        let mut values = HashMap::new();
        for parameter in parameters {
            values.insert(parameter.name.clone(), parameter_value(parameter)?);
        }
        if let Some(missing) = markers.iter().find(|name| !values.contains_key(*name)) {
            return Err(SqlError::new(
                "42K0F",
                format!(
                    "[UNBOUND_SQL_PARAMETER] Found the unbound parameter: {missing}. Please, fix `args` and provide a mapping of the parameter to a SQL literal."
                ),
            ));
        }
        let frame = ctx.sql(&rewritten).await.map_err(classify)?;
        let frame = if values.is_empty() {
            frame
        } else {
            frame.with_param_values(values).map_err(classify)?
        };
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let stream = frame.execute_stream().await.map_err(classify)?;
        let arrow = |e| {
            classify(datafusion::error::DataFusionError::ArrowError(
                Box::new(e),
                None,
            ))
        };
        let (wire_schema, _) =
            super::wire_types::to_wire_types(schema.clone(), Vec::new(), &self.time_zone)
                .map_err(arrow)?;
        let zone = self.time_zone.clone();
        let batches = stream.map(move |batch| {
            let batch = batch.map_err(classify)?;
            let (_, mut converted) =
                super::wire_types::to_wire_types(schema.clone(), vec![batch], &zone).map_err(
                    |e| {
                        classify(datafusion::error::DataFusionError::ArrowError(
                            Box::new(e),
                            None,
                        ))
                    },
                )?;
            converted
                .pop()
                .ok_or_else(|| SqlError::new("XX000", "a batch was lost converting it"))
        });
        Ok((wire_schema, Box::pin(batches)))
    }

    fn context(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
    ) -> Result<SessionContext, SqlError> {
        let catalog = catalog.unwrap_or("samples");
        if catalog != "samples" {
            return Err(SqlError::new(
                "42704",
                format!("[NO_SUCH_CATALOG_EXCEPTION] Catalog '{catalog}' was not found."),
            ));
        }
        let schema = schema.unwrap_or("default");
        if self.samples.schema(schema).is_none() {
            return Err(SqlError::new(
                "42704",
                format!("[SCHEMA_NOT_FOUND] The schema `{catalog}`.`{schema}` cannot be found."),
            ));
        }
        // One partition: the same query over the same data returns its rows in the same order,
        // run after run, which is what keeps the emulator deterministic.
        let mut config = SessionConfig::new()
            .with_default_catalog_and_schema(catalog, schema)
            .with_information_schema(true)
            .with_target_partitions(1);
        config.options_mut().sql_parser.dialect = datafusion::config::Dialect::Databricks;
        let ctx = SessionContext::new_with_config(config);
        ctx.register_catalog("samples", self.samples.clone());
        ctx.register_udtf("range", Arc::new(RangeFunction));
        for function in super::functions::databricks_functions() {
            ctx.register_udf(function);
        }
        Ok(ctx)
    }
}

fn register(schema: &MemorySchemaProvider, name: &str, batch: RecordBatch) {
    if let Ok(table) = MemTable::try_new(batch.schema(), vec![vec![batch]]) {
        let _ = schema.register_table(name.to_owned(), Arc::new(table));
    }
}

/// Maps DataFusion's errors to the workspace's wording and SQLSTATEs where it matters.
fn classify(error: datafusion::error::DataFusionError) -> SqlError {
    let text = error.to_string();
    if let Some(rest) = text
        .split("table '")
        .nth(1)
        .filter(|_| text.contains("not found"))
    {
        let name = rest.split('\'').next().unwrap_or(rest);
        return SqlError::new(
            "42P01",
            format!(
                "[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the spelling and correctness of the schema and catalog."
            ),
        );
    }
    if text.contains("Schema error: No field named") {
        return SqlError::new(
            "42703",
            format!(
                "[UNRESOLVED_COLUMN] {}",
                text.trim_start_matches("Schema error: ")
            ),
        );
    }
    if text.contains("SQL error") || text.contains("ParserError") {
        return SqlError::new(
            "42601",
            format!("[PARSE_SYNTAX_ERROR] Syntax error: {text}"),
        );
    }
    SqlError::new("XX000", text)
}

/// Replaces `:name` parameter markers with `$name` placeholders, outside string literals,
/// quoted identifiers and comments, leaving `::` casts alone. Returns the marker names.
pub fn rewrite_markers(sql: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut names = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' | '`' => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j] == c)
                    .map_or(chars.len(), |j| j + 1);
                out.extend(&chars[i..end]);
                i = end;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                let end = (i..chars.len())
                    .find(|&j| chars[j] == '\n')
                    .unwrap_or(chars.len());
                out.extend(&chars[i..end]);
                i = end;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let end = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                    .map_or(chars.len(), |j| j + 2);
                out.extend(&chars[i..end]);
                i = end;
            }
            ':' if chars.get(i + 1) == Some(&':') => {
                out.push_str("::");
                i += 2;
            }
            ':' if chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_') =>
            {
                let end = (i + 1..chars.len())
                    .find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'))
                    .unwrap_or(chars.len());
                let name: String = chars[i + 1..end].iter().collect();
                out.push('$');
                out.push_str(&name);
                if !names.contains(&name) {
                    names.push(name);
                }
                i = end;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    (out, names)
}

/// Converts a parameter's text to a typed value; the type defaults to STRING.
pub fn parameter_value(parameter: &Parameter) -> Result<ScalarValue, SqlError> {
    let sql_type = parameter
        .sql_type
        .as_deref()
        .unwrap_or("STRING")
        .trim()
        .to_ascii_uppercase();
    let data_type = data_type_of(&sql_type).ok_or_else(|| {
        SqlError::new(
            "22023",
            format!(
                "[INVALID_PARAMETER_VALUE] Parameter {} has an unsupported type {sql_type}.",
                parameter.name
            ),
        )
    })?;
    let Some(text) = &parameter.value else {
        return ScalarValue::try_from(&data_type)
            .map_err(|e| SqlError::new("XX000", e.to_string()));
    };
    let text = if matches!(data_type, DataType::Timestamp(..)) {
        text.trim_end_matches('Z').replace('T', " ")
    } else {
        text.clone()
    };
    ScalarValue::Utf8(Some(text.clone())).cast_to(&data_type).map_err(|_| {
        SqlError::new(
            "22018",
            format!("[CAST_INVALID_INPUT] The value '{text}' of the type \"STRING\" cannot be cast to \"{sql_type}\" because it is malformed (parameter {}).", parameter.name),
        )
    })
}

/// The Arrow type of a Databricks SQL type name, for the types parameters support.
pub fn data_type_of(sql_type: &str) -> Option<DataType> {
    Some(match sql_type {
        "STRING" | "VARCHAR" | "CHAR" => DataType::Utf8,
        "BOOLEAN" => DataType::Boolean,
        "TINYINT" | "BYTE" => DataType::Int8,
        "SMALLINT" | "SHORT" => DataType::Int16,
        "INT" | "INTEGER" => DataType::Int32,
        "BIGINT" | "LONG" => DataType::Int64,
        "FLOAT" | "REAL" => DataType::Float32,
        "DOUBLE" => DataType::Float64,
        "DATE" => DataType::Date32,
        "TIMESTAMP" | "TIMESTAMP_NTZ" => DataType::Timestamp(TimeUnit::Microsecond, None),
        "DECIMAL" => DataType::Decimal128(10, 0),
        other if other.starts_with("DECIMAL(") && other.ends_with(')') => {
            let inner = &other["DECIMAL(".len()..other.len() - 1];
            let (p, s) = inner.split_once(',').unwrap_or((inner, "0"));
            let (precision, scale): (u8, i8) = (p.trim().parse().ok()?, s.trim().parse().ok()?);
            if precision == 0 || precision > 38 || scale < 0 || scale as u8 > precision {
                return None;
            }
            DataType::Decimal128(precision, scale)
        }
        _ => return None,
    })
}

/// Databricks' `range(end)`, `range(start, end)`, `range(start, end, step)`: column `id`.
#[derive(Debug)]
struct RangeFunction;

impl TableFunctionImpl for RangeFunction {
    fn call_with_args(
        &self,
        args: TableFunctionArgs<'_, '_>,
    ) -> datafusion::error::Result<Arc<dyn TableProvider>> {
        let numbers: Vec<i64> = args
            .exprs()
            .iter()
            .map(|expr| match expr {
                Expr::Literal(ScalarValue::Int64(Some(n)), _) => Ok(*n),
                _ => Err(datafusion::error::DataFusionError::Plan(
                    "range() takes integer literals".into(),
                )),
            })
            .collect::<Result<_, _>>()?;
        let (start, end, step) = match numbers.as_slice() {
            [end] => (0, *end, 1),
            [start, end] => (*start, *end, 1),
            [start, end, step] if *step != 0 => (*start, *end, *step),
            _ => {
                return Err(datafusion::error::DataFusionError::Plan(
                    "range() takes 1 to 3 arguments and a non-zero step".into(),
                ));
            }
        };
        let (span, stride) = if step > 0 {
            ((end - start).max(0), step)
        } else {
            ((start - end).max(0), -step)
        };
        let count = (span + stride - 1) / stride;
        if count > MAX_RANGE_ROWS {
            return Err(datafusion::error::DataFusionError::Plan(format!(
                "range() is limited to {MAX_RANGE_ROWS} rows in the emulator"
            )));
        }
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
        let numbers = RangeStream {
            schema: schema.clone(),
            start,
            step,
            count,
        };
        Ok(Arc::new(StreamingTable::try_new(
            schema,
            vec![Arc::new(numbers)],
        )?))
    }
}

/// `range(…)`'s numbers, made a batch at a time as the query reads them, so a range of tens
/// of millions of rows is never held whole.
#[derive(Debug)]
struct RangeStream {
    schema: SchemaRef,
    start: i64,
    step: i64,
    count: i64,
}

impl PartitionStream for RangeStream {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let (schema, start, step, count) = (self.schema.clone(), self.start, self.step, self.count);
        let batches = (0..count)
            .step_by(RANGE_BATCH_ROWS as usize)
            .map(move |done| {
                let rows = (count - done).min(RANGE_BATCH_ROWS);
                let values =
                    Int64Array::from_iter_values((done..done + rows).map(|k| start + k * step));
                RecordBatch::try_new(schema.clone(), vec![Arc::new(values)])
                    .map_err(|e| datafusion::error::DataFusionError::ArrowError(Box::new(e), None))
            });
        Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            futures_util::stream::iter(batches),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_outside_literals_comments_and_casts() {
        let (sql, names) = rewrite_markers(
            "SELECT ':no', `:no`, x::int, :date -- :no\n FROM t WHERE a = :date AND b > :min_fare /* :no */",
        );
        assert_eq!(
            sql,
            "SELECT ':no', `:no`, x::int, $date -- :no\n FROM t WHERE a = $date AND b > $min_fare /* :no */"
        );
        assert_eq!(names, ["date", "min_fare"]);
    }

    #[test]
    fn parameter_types() {
        let p = |value: &str, t: &str| Parameter {
            name: "p".into(),
            value: Some(value.into()),
            sql_type: Some(t.into()),
        };
        assert_eq!(
            parameter_value(&p("42", "INT")),
            Ok(ScalarValue::Int32(Some(42)))
        );
        assert_eq!(
            parameter_value(&p("42", "BIGINT")),
            Ok(ScalarValue::Int64(Some(42)))
        );
        assert_eq!(
            parameter_value(&p("true", "BOOLEAN")),
            Ok(ScalarValue::Boolean(Some(true)))
        );
        assert_eq!(
            parameter_value(&p("12.50", "DECIMAL(10,2)")),
            Ok(ScalarValue::Decimal128(Some(1250), 10, 2))
        );
        assert_eq!(
            parameter_value(&p("2016-02-01", "DATE")),
            Ok(ScalarValue::Date32(Some(16832)))
        );
        assert_eq!(
            parameter_value(&p("2016-02-01T10:00:00Z", "TIMESTAMP")),
            Ok(ScalarValue::TimestampMicrosecond(
                Some(1_454_320_800_000_000),
                None
            ))
        );
        assert_eq!(
            parameter_value(&Parameter {
                name: "p".into(),
                value: Some("x".into()),
                sql_type: None
            }),
            Ok(ScalarValue::Utf8(Some("x".into())))
        );
        assert_eq!(
            parameter_value(&Parameter {
                name: "p".into(),
                value: None,
                sql_type: Some("INT".into())
            }),
            Ok(ScalarValue::Int32(None))
        );
        assert_eq!(
            parameter_value(&p("abc", "INT")).map_err(|e| e.sql_state),
            Err("22018")
        );
        assert_eq!(
            parameter_value(&p("1", "MAP<STRING,INT>")).map_err(|e| e.sql_state),
            Err("22023")
        );
    }
}
