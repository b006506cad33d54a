//! SQL on Databricks SQL warehouses through the Statement Execution API.
//!
//! Boundary: everything between "run this SQL with these parameters on this warehouse" and
//! rows in Arrow record batches: [`warehouses`] (list, start), [`params`] (markers, typed
//! values), [`execute`] (submit, poll, cancel), [`fetch`] (chunks, links, retries) and
//! [`result_set`] (the rows, read a window at a time), and [`runs`] (the statements the UI
//! started, by run id). Tauri and the grid live elsewhere.

pub mod execute;
pub mod fetch;
mod inline;
pub mod params;
pub mod result_set;
pub mod runs;
pub mod warehouses;
pub mod wire;

pub use execute::{Cancel, Disposition, Progress, StatementRequest};
pub use result_set::{ResultSet, ResultSummary, RowWindow, SharedResult};
pub use wire::{Column, StatementState};
