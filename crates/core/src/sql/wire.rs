//! The Statement Execution API's JSON, as far as Brickdesk reads it. Everything optional that
//! the reference says may be absent is `Option` or defaulted; unknown fields are ignored; int64
//! counts may arrive as numbers or as decimal strings (protobuf JSON), as the SDK accepts.

use crate::Sensitive;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A count that may arrive as a JSON number or a decimal string; absent or unreadable is 0.
fn count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(maybe_count(d)?.unwrap_or_default())
}

/// [`count`], keeping "absent" apart.
fn maybe_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Either>::deserialize(d)? {
        Some(Either::Number(n)) => Some(n),
        Some(Either::Text(t)) => t.trim().parse().ok(),
        Some(Either::Other(_)) | None => None,
    })
}

/// `status.state`. Unknown future states read as `Other` and are treated as still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatementState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Canceled,
    Closed,
    #[serde(other)]
    Other,
}

impl StatementState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::Canceled | Self::Closed
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatementError {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatementStatus {
    pub state: StatementState,
    #[serde(default)]
    pub error: Option<StatementError>,
    #[serde(default)]
    pub sql_state: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StatementResponse {
    pub statement_id: String,
    pub status: StatementStatus,
    #[serde(default)]
    pub manifest: Option<Manifest>,
    #[serde(default)]
    pub result: Option<ResultData>,
}

/// A result column as the UI shows it (deserialized only from Brickdesk's own records; the
/// wire's columns come through `WireColumn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: String,
    /// The full SQL type, e.g. `DECIMAL(18,2)`.
    pub type_text: String,
    /// The type family (`INT`, `DATE`, `STRING`, …) the UI aligns and formats by.
    pub type_name: String,
    /// For a TIMESTAMP column, the time zone its values are shown in (the session zone the
    /// workspace tagged them with, e.g. `America/New_York`, or a UTC offset); `None` for
    /// TIMESTAMP_NTZ and other types. Known once the first rows arrive.
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct WireColumn {
    name: String,
    #[serde(default)]
    type_text: Option<String>,
    #[serde(default)]
    type_name: Option<String>,
}

impl From<WireColumn> for Column {
    fn from(wire: WireColumn) -> Self {
        let type_name = wire.type_name.unwrap_or_else(|| "STRING".into());
        Self {
            name: wire.name,
            type_text: wire.type_text.unwrap_or_else(|| type_name.clone()),
            type_name,
            time_zone: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Schema {
    #[serde(default, deserialize_with = "columns")]
    pub columns: Vec<Column>,
}

fn columns<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Column>, D::Error> {
    Ok(Vec::<WireColumn>::deserialize(d)?
        .into_iter()
        .map(Column::from)
        .collect())
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChunkInfo {
    #[serde(default, deserialize_with = "count")]
    pub chunk_index: u64,
    #[serde(default, deserialize_with = "count")]
    pub row_offset: u64,
    #[serde(default, deserialize_with = "count")]
    pub row_count: u64,
    #[serde(default, deserialize_with = "maybe_count")]
    pub byte_count: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Manifest {
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub schema: Schema,
    #[serde(default, deserialize_with = "count")]
    pub total_chunk_count: u64,
    #[serde(default, deserialize_with = "count")]
    pub total_row_count: u64,
    #[serde(default, deserialize_with = "maybe_count")]
    pub total_byte_count: Option<u64>,
    #[serde(default)]
    pub chunks: Vec<ChunkInfo>,
    #[serde(default)]
    pub truncated: bool,
    /// `LZ4_FRAME` when the chunks are LZ4 frames. The answer decides, not the request: a
    /// warehouse may ignore the request (databricks-jdbc's recordings have both).
    #[serde(default)]
    pub result_compression: Option<String>,
}

impl Manifest {
    /// Whether the chunks come as LZ4 frames.
    pub fn is_lz4(&self) -> bool {
        self.result_compression
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("LZ4_FRAME"))
    }
}

/// A pre-signed download: never logged, never given a Databricks credential.
#[derive(Deserialize)]
pub struct ExternalLink {
    #[serde(default, deserialize_with = "count")]
    pub chunk_index: u64,
    #[serde(default, deserialize_with = "count")]
    pub row_count: u64,
    pub external_link: Sensitive<String>,
    /// The download's size, which bounds how much is read from it.
    #[serde(default, deserialize_with = "maybe_count")]
    pub byte_count: Option<u64>,
    #[serde(default)]
    pub expiration: Option<String>,
    #[serde(default)]
    pub http_headers: BTreeMap<String, Sensitive<String>>,
}

impl std::fmt::Debug for ExternalLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalLink")
            .field("chunk_index", &self.chunk_index)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

impl ExternalLink {
    /// Whether `expiration` has passed (with a few seconds' margin for the download itself).
    pub fn is_expired(&self) -> bool {
        self.expiration
            .as_deref()
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
            .is_some_and(|at| {
                at.timestamp_millis() - 5_000 <= chrono::Utc::now().timestamp_millis()
            })
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResultData {
    #[serde(default, deserialize_with = "maybe_count")]
    pub chunk_index: Option<u64>,
    #[serde(default, deserialize_with = "maybe_count")]
    pub row_offset: Option<u64>,
    #[serde(default)]
    pub data_array: Option<Vec<Vec<Option<String>>>>,
    #[serde(default)]
    pub external_links: Option<Vec<ExternalLink>>,
    #[serde(default, deserialize_with = "maybe_count")]
    pub next_chunk_index: Option<u64>,
    /// The chunk itself, base64 Arrow (LZ4 frames when the manifest says so), in answers to
    /// `INLINE_OR_EXTERNAL_LINKS` (databricks-jdbc's recordings; sdk-py `ResultData.
    /// attachment`): read as it is, never fetched again.
    #[serde(default)]
    pub attachment: Option<String>,
}

impl ResultData {
    /// The attached chunk's bytes, if there is one.
    pub fn attached(&self) -> Result<Option<bytes::Bytes>, crate::ErrorInfo> {
        use base64::Engine as _;
        let Some(text) = self.attachment.as_deref().filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(|b| Some(b.into()))
            .map_err(|e| {
                crate::ErrorInfo::new(
                    crate::ErrorCode::Server,
                    format!("A result chunk's attachment is not valid base64 ({e})."),
                )
            })
    }
}
