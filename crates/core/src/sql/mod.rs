//! SQL on Databricks SQL warehouses through the Statement Execution API.
//!
//! Boundary: everything between "run this SQL with these parameters on this warehouse" and
//! rows in Arrow record batches: [`warehouses`] (list, start), [`params`] (markers, typed
//! values), [`execute`] (submit, poll, cancel), [`fetch`] (chunks, links, retries) and
//! [`lz4`] (compressed chunks), [`result_set`] (the rows, read a window at a time, spilled to
//! disk past a limit by [`spill`]; [`intervals`] shown as Databricks shows them), [`view`] (sort and filter), [`export`] (CSV, Excel; [`formulas`] keeps data
//! from running as spreadsheet formulas), [`catalogs`] (the
//! pickers), and [`runs`] (the statements the UI started, by run id). History and editor tabs
//! are stored by [`crate::local`]. Tauri and the grid live elsewhere.

pub mod catalogs;
pub mod execute;
pub mod export;
mod external_sort;
pub mod fetch;
pub mod formulas;
pub(crate) mod inline;
pub mod intervals;
pub mod lz4;
pub mod params;
pub mod read_only;
pub mod result_set;
pub mod runs;
pub mod spill;
pub mod view;
pub mod warehouses;
pub mod wire;
pub mod workbook;

pub use execute::{Cancel, Disposition, Progress, StatementRequest};
pub use result_set::{ResultSet, ResultSummary, RowWindow, SharedResult};
pub use wire::{Column, StatementState};
