//! axe-core, the accessibility engine, run inside the app's real WebKit window: the script
//! comes from the UI's own `node_modules` (a pinned dev dependency), is injected once per page,
//! and reports the violations of the screen as it is now.

use crate::WebDriver;
use anyhow::{Context, Result};

/// One rule broken on the screen: axe's id, its impact, what it asks and where.
#[derive(Debug)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.id,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

fn script() -> Result<String> {
    let path = crate::paths::workspace_root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("{} (run npm ci in ui/)", path.display()))
}

/// The serious and critical violations on the screen now (WCAG 2.1 A and AA rules, and
/// axe's best practices).
pub fn serious_violations(d: &WebDriver) -> Result<Vec<Violation>> {
    let loaded = d.execute_async("done(typeof window.axe === 'object')")?;
    if loaded != true {
        d.execute_async(&format!("{}\n;done(true);", script()?))?;
    }
    let found = d.execute_async(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
           .filter(v => v.impact === 'serious' || v.impact === 'critical') \
           .map(v => ({ id: v.id, impact: v.impact, help: v.help, \
                        targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })))) \
         .catch(e => done({ error: String(e) }));",
    )?;
    if let Some(error) = found.get("error") {
        anyhow::bail!("axe-core could not run: {error}");
    }
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    Ok(found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| Violation {
            id: text(v, "id"),
            impact: text(v, "impact"),
            help: text(v, "help"),
            targets: v["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
        })
        .collect())
}
