//! The web view gets exactly Brickdesk's own commands and event listening: no `core:default`,
//! no event emitting (a page that emits `deep-link://new-url` forges a sign-in link), no
//! plugin command. The end-to-end test `the_web_view_cannot_forge_a_link_…` shows the same
//! against the running app.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The permissions every capability file grants.
fn granted() -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("capabilities")).expect("capabilities") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read capability");
        let json: serde_json::Value = serde_json::from_str(&text).expect("capability JSON");
        for permission in json["permissions"].as_array().expect("permissions") {
            all.insert(
                permission
                    .as_str()
                    .expect("permissions are plain identifiers")
                    .to_owned(),
            );
        }
    }
    all
}

/// The app's commands, as the generated bindings call them.
fn commands() -> BTreeSet<String> {
    let bindings = std::fs::read_to_string(root().join("../ui/src/bindings.ts")).expect("bindings");
    bindings
        .split("__TAURI_INVOKE")
        .skip(2) // the import
        .map(|rest| {
            let name = rest.split_once("(\"").expect("a quoted command name").1;
            name.split('"').next().expect("name").to_owned()
        })
        .collect()
}

#[test]
fn the_web_view_gets_its_commands_and_event_listening_only() {
    let expected: BTreeSet<String> = commands()
        .iter()
        .map(|command| format!("allow-{}", command.replace('_', "-")))
        .chain([
            "core:event:allow-listen".into(),
            "core:event:allow-unlisten".into(),
        ])
        .collect();
    let granted = granted();
    let extra: Vec<_> = granted.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&granted).collect();
    assert!(
        extra.is_empty(),
        "granted beyond what the UI uses: {extra:?}"
    );
    assert!(
        missing.is_empty(),
        "commands the UI calls but may not: {missing:?}"
    );
    assert!(
        granted
            .iter()
            .all(|p| !p.contains("emit") && !p.ends_with(":default"))
    );
}
