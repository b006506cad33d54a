//! End-to-end: the SQL runner as an analyst uses it. The table list shows the demo
//! workspace's `samples.nyctaxi.trips` with its columns (types and comments from Unity
//! Catalog) and puts a clicked name into the editor; typing a dotted name in the editor offers
//! the next part, an alias offers its table's columns; Format lays a statement out.

use anyhow::Result;
use brickdesk_e2e::ui::{self, type_sql};
use brickdesk_e2e::{WebDriver, run, wait_until};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Opens the node `name` of `kind` (catalog, schema, table) in the table list.
fn expand(d: &WebDriver, kind: &str, name: &str) -> Result<()> {
    d.click(
        &format!("[data-testid=schema-{kind}][data-name='{name}'] > .tree-row > .tree-toggle"),
        WAIT,
    )
}

/// The suggestions the editor's autocomplete shows now.
fn suggestions(d: &WebDriver) -> Result<Vec<String>> {
    d.texts(".cm-tooltip-autocomplete li")
}

#[test]
fn the_table_list_shows_trips_with_its_columns_and_the_editor_completes_names() -> Result<()> {
    run("sql-analyst", |app| {
        let d = &app.driver;
        ui::open_sql(d)?;
        d.wait_for("[data-testid=schema-browser]", WAIT)?;
        expand(d, "catalog", "samples")?;
        expand(d, "schema", "samples.nyctaxi")?;
        expand(d, "table", "samples.nyctaxi.trips")?;
        let columns = wait_until("the columns of trips", WAIT, || {
            let texts = d.texts("[data-testid=schema-table][data-name='samples.nyctaxi.trips'] [data-testid=schema-column]")?;
            Ok((!texts.is_empty()).then_some(texts))
        })?;
        assert!(
            columns
                .iter()
                .any(|c| c.contains("fare_amount") && c.contains("double")),
            "fare_amount with its type: {columns:?}"
        );
        assert!(
            columns
                .iter()
                .any(|c| c.contains("tpep_pickup_datetime") && c.contains("timestamp")),
            "{columns:?}"
        );
        app.screenshot("schema-browser")?;

        // A click on the table's name puts its full name at the cursor.
        type_sql(d, "SELECT * FROM ")?;
        d.click(
            "[data-testid=schema-table][data-name='samples.nyctaxi.trips'] > .tree-row > .tree-name",
            WAIT,
        )?;
        d.wait_for_text(
            "[data-testid=sql-editor]",
            "SELECT * FROM samples.nyctaxi.trips",
            WAIT,
        )?;

        // Typing a catalog and schema offers the schema's tables.
        type_sql(d, "SELECT * FROM samples.nyctaxi")?;
        d.find("[data-testid=sql-editor]")?.send_keys(".")?;
        let offered = wait_until("tables of samples.nyctaxi to be offered", WAIT, || {
            let offered = suggestions(d)?;
            Ok(offered
                .iter()
                .any(|s| s.contains("trips"))
                .then_some(offered))
        })?;
        assert!(
            offered.iter().all(|s| !s.contains("nyctaxi")),
            "tables, not schemas: {offered:?}"
        );
        // Enter takes the suggestion (CodeMirror ignores it for 75 ms after the list opens, so
        // that a keystroke meant for the text is not taken as a choice).
        std::thread::sleep(Duration::from_millis(300));
        d.find("[data-testid=sql-editor]")?.send_keys("\u{E007}")?;
        d.wait_for_text("[data-testid=sql-editor]", "samples.nyctaxi.trips", WAIT)?;

        // A column of the table the statement reads, by its alias.
        type_sql(d, "SELECT  FROM samples.nyctaxi.trips t")?;
        // Home, then right past "SELECT ", then type where a column goes.
        let keys = format!("\u{E011}{}", "\u{E014}".repeat(7));
        d.find("[data-testid=sql-editor]")?.send_keys(&keys)?;
        d.find("[data-testid=sql-editor]")?.send_keys("t.fare")?;
        wait_until("fare_amount to be offered", WAIT, || {
            Ok(suggestions(d)?
                .iter()
                .any(|s| s.contains("fare_amount"))
                .then_some(()))
        })?;
        app.screenshot("autocomplete")?;

        // Format lays the statement out, keywords in capitals.
        type_sql(
            d,
            "select fare_amount from samples.nyctaxi.trips where fare_amount > :min",
        )?;
        d.click("[data-testid=format-sql]", WAIT)?;
        let formatted = wait_until("the statement to be formatted", WAIT, || {
            let text = d.texts("[data-testid=sql-editor]")?.concat();
            Ok(text.contains("WHERE").then_some(text))
        })?;
        let lines: Vec<&str> = formatted.lines().map(str::trim_end).collect();
        assert_eq!(
            lines,
            [
                "SELECT",
                "  fare_amount",
                "FROM",
                "  samples.nyctaxi.trips",
                "WHERE",
                "  fare_amount > :min"
            ],
            "{formatted:?}"
        );
        Ok(())
    })
}
