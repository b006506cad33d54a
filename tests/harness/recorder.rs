//! Recording everything the web UI receives from Rust: every IPC callback (command results,
//! errors, events, channel messages) passes through Tauri's callback table, which the
//! recorder wraps, including the listeners registered before it was installed.

use crate::webdriver::WebDriver;
use anyhow::{Result, bail};

const INSTALL: &str = r#"
const internals = window.__TAURI_INTERNALS__;
const table = internals && internals.callbacks;
if (!(table instanceof Map)) { done("no callback table"); return; }
const received = (window.__brickdeskReceived = window.__brickdeskReceived || []);
const wrap = (callback) => (data) => {
  try { received.push(typeof data === "string" ? data : JSON.stringify(data)); } catch (e) { received.push(String(data)); }
  return callback(data);
};
for (const [id, callback] of table) Map.prototype.set.call(table, id, wrap(callback));
table.set = function (id, callback) { return Map.prototype.set.call(this, id, wrap(callback)); };
done("ok");
"#;

const READ: &str = r#"
done(JSON.stringify(window.__brickdeskReceived || null));
"#;

/// Starts recording in the current page.
pub fn install(driver: &WebDriver) -> Result<()> {
    let outcome = driver.execute_async(INSTALL)?;
    if outcome != "ok" {
        bail!("could not install the IPC recorder: {outcome}");
    }
    Ok(())
}

/// Everything received since [`install`], one entry per callback.
pub fn received(driver: &WebDriver) -> Result<Vec<String>> {
    let raw = driver.execute_async(READ)?;
    let Some(text) = raw.as_str() else {
        bail!("the recorder returned {raw}");
    };
    match serde_json::from_str::<Option<Vec<String>>>(text)? {
        Some(entries) => Ok(entries),
        None => bail!("the recorder is not installed in this page"),
    }
}
