//! End-to-end Genie: the real app signed in to the demo workspace (the emulator). A question
//! with its progress steps, answer text, SQL, table and chart; a suggested follow-up in the
//! same conversation; "Open in SQL runner"; a thumbs-up the emulator records; an answer in
//! flight when the app quits, arriving after the restart; "Get all rows" on an answer Genie
//! cut at 5,000 of 50,000 rows, through Genie's download and through a re-run; and bob, who
//! gets a clear message for the space he cannot use.

use anyhow::Result;
use brickdesk_e2e::ui::{self, answer, ask};
use brickdesk_e2e::{AppSession, Options, WebDriver, run, run_with, wait_until};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
const SALES_SPACE: &str = "01f0c0ffee0000000000000000000002";

fn open_genie<'a>(app: &'a AppSession, user: &str) -> Result<&'a WebDriver> {
    ui::open_genie(&app.driver, user)?;
    Ok(&app.driver)
}

/// POSTs the emulator logged to paths ending in `path_part`, with their statuses.
fn genie_posts(app: &AppSession, path_part: &str) -> Result<Vec<u64>> {
    Ok(app
        .emulator_requests("/api/2.0/genie/")?
        .into_iter()
        .filter(|(method, path, _)| method == "POST" && path.ends_with(path_part))
        .map(|(_, _, status)| status)
        .collect())
}

#[test]
fn a_question_is_answered_with_steps_text_sql_table_and_chart_then_followed_up() -> Result<()> {
    run("genie-answer", |app| {
        let d = open_genie(app, "alice@example.com")?;
        ask(d, "How many trips were there?")?;
        let first = answer(d, 0)?;
        assert!(
            first.contains("21,932") || first.contains("21932"),
            "{first}"
        );
        let steps = d.texts("[data-testid=genie-turn] [data-testid=genie-step]")?;
        assert!(steps.len() >= 2, "at least two progress steps: {steps:?}");
        assert!(steps.iter().any(|s| s.contains("Asking AI")), "{steps:?}");
        let sql = d.execute_async(
            "done(document.querySelector('[data-testid=genie-sql] code').textContent)",
        )?;
        assert!(
            sql.as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("count"),
            "{sql}"
        );
        // The chart (a single number is a counter), then the table.
        let kind = d
            .wait_for("[data-testid=genie-chart]", WAIT)?
            .attribute("data-kind")?;
        assert_eq!(kind.as_deref(), Some("counter"));
        d.click("[data-testid=show-table]", WAIT)?;
        d.wait_for_text(
            "[data-testid=genie-table] [data-testid=result-row]",
            "21932",
            WAIT,
        )?;
        app.screenshot("answer")?;

        // Provenance: the statement id shown is the one the emulator ran for Genie.
        let sql = app.shown_statement_sql()?;
        assert!(sql.to_lowercase().contains("count"), "{sql}");
        let line = d.texts("[data-testid=provenance] summary")?.concat();
        assert!(
            line.contains("alice@example.com") && line.contains("1 row"),
            "{line}"
        );

        // Thumbs up: sent to the workspace, and shown when the conversation is reopened.
        d.click("[data-testid=thumbs-up]", WAIT)?;
        d.wait_for_text("[data-testid=feedback-state]", "feedback was sent", WAIT)?;
        assert_eq!(genie_posts(app, "/feedback")?, [200]);

        // A suggested follow-up, answered in the same conversation.
        let suggestion = d.texts("[data-testid=genie-suggestion]")?;
        assert!(!suggestion.is_empty(), "suggested follow-ups");
        d.click("[data-testid=genie-suggestion]", WAIT)?;
        let second = answer(d, 1)?;
        assert!(second.contains(&suggestion[0]), "{second}");
        assert_eq!(genie_posts(app, "start-conversation")?.len(), 1);
        assert_eq!(
            genie_posts(app, "/messages")?.len(),
            1,
            "a follow-up, not a new conversation"
        );
        wait_until("one conversation in the list", WAIT, || {
            Ok((d.find_all("[data-testid=genie-conversation]")?.len() == 1).then_some(()))
        })?;
        // A fresh thread first, so what shows next comes from the API, not from this session.
        new_conversation(d)?;
        d.click("[data-testid=genie-conversation]", WAIT)?;
        wait_until("the reopened conversation with the thumbs-up", WAIT, || {
            let pressed = d.execute_async(
                "const b = document.querySelector('[data-testid=thumbs-up]'); \
                 done(b && b.getAttribute('aria-pressed'));",
            )?;
            Ok((pressed == "true").then_some(()))
        })?;

        // "Open in SQL runner": a new SQL tab with the statement, run on the warehouse.
        // The first answer's SQL, opened and scrolled into view (the thread shows the end).
        d.execute_async(
            "const s = document.querySelector('[data-testid=genie-sql]'); s.open = true; \
             s.scrollIntoView({block: 'center'}); done(0);",
        )?;
        d.click("[data-testid=open-in-sql]", WAIT)?;
        wait_until("the SQL in a new tab", WAIT, || {
            let editor = d
                .texts("[data-testid=sql-view] [data-testid=sql-editor]")?
                .join(" ");
            Ok(editor.to_lowercase().contains("count").then_some(()))
        })?;
        d.click("[data-testid=run-statement]", WAIT)?;
        let status = d.wait_for_text("[data-testid=run-status]", "row", Duration::from_secs(60))?;
        assert!(status.contains("1 row"), "{status}");
        app.screenshot("sql-from-genie")?;
        Ok(())
    })
}

/// Starts a new conversation and waits for the empty thread.
fn new_conversation(d: &WebDriver) -> Result<()> {
    d.click("[data-testid=genie-new-conversation]", WAIT)?;
    wait_until("an empty thread", WAIT, || {
        Ok(d.find_all("[data-testid=genie-turn]")?
            .is_empty()
            .then_some(()))
    })
}

/// Switches to the Sales (TPC-H) agent.
fn open_sales(d: &WebDriver) -> Result<()> {
    d.execute_async(
        "const b = [...document.querySelectorAll('[data-testid=genie-space]')] \
         .find(e => e.innerText.includes('Sales')); b.click(); done(0);",
    )?;
    d.wait_for_text("[data-testid=genie-space-title]", "Sales", WAIT)?;
    Ok(())
}

/// Asks the Sales agent for every order line (50,000; Genie's answer holds 5,000), gets all
/// rows, and returns what the note then says.
fn all_order_lines(app: &AppSession) -> Result<String> {
    let d = &app.driver;
    ask(d, "List the order lines")?;
    let text = answer(d, 0)?;
    assert!(text.contains("first 5,000"), "{text}");
    d.click("[data-testid=genie-get-all-rows]", WAIT)?;
    let done = d.wait_for_text(
        "[data-testid=genie-all-rows-done]",
        "50,000",
        Duration::from_secs(120),
    )?;
    // The provenance names the statement that brought all rows, one the emulator ran.
    let sql = app.shown_statement_sql()?;
    assert!(sql.contains("samples.tpch.lineitem"), "{sql}");
    let line = d.texts("[data-testid=provenance] summary")?.concat();
    assert!(line.contains("50,000 rows"), "{line}");
    assert!(!line.to_lowercase().contains("truncated"), "{line}");
    Ok(done)
}

#[test]
fn a_capped_answer_gets_all_its_rows_by_download_and_by_re_run() -> Result<()> {
    run("genie-all-rows", |app| {
        let d = open_genie(app, "alice@example.com")?;
        open_sales(d)?;
        let done = all_order_lines(app)?;
        assert!(done.contains("Genie's full download"), "{done}");
        app.screenshot("all-rows")?;

        // A workspace without the download: the SQL runs again on the agent's warehouse.
        ureq::post(&format!("{}/__emulator/faults", app.emulator.base_url)).send_json(
            serde_json::json!([{"method": "POST",
                "path": "/api/2.0/genie/spaces/*/conversations/*/messages/*/attachments/*/downloads",
                "fault": {"kind": "status", "status": 404}, "count": 1}]),
        )?;
        new_conversation(d)?;
        let done = all_order_lines(app)?;
        assert!(done.contains("running the SQL again"), "{done}");
        assert_eq!(genie_posts(app, "/downloads")?, [200, 404]);
        Ok(())
    })
}

#[test]
fn an_answer_exports_to_excel_with_its_about_sheet_and_a_native_chart() -> Result<()> {
    use calamine::Reader as _;
    run("genie-export-answer", |app| {
        let d = open_genie(app, "alice@example.com")?;
        open_sales(d)?;
        ask(d, "What is the revenue by region?")?;
        answer(d, 0)?;
        d.wait_for("[data-testid=genie-chart]", WAIT)?;
        // Genie's own chart beside ours: the picture the workspace drew (the emulator's bars).
        d.wait_for("[data-testid=genie-viz-image]", WAIT)?;
        let width = d.execute_async(
            "const i = document.querySelector('[data-testid=genie-viz-image]'); \
             i.decode().then(() => done(i.naturalWidth), () => done(0));",
        )?;
        assert_eq!(width, 480, "Genie's chart picture is shown");
        app.screenshot("chart")?;
        d.click("[data-testid=export-answer]", WAIT)?;
        let saved = d.wait_for_text("[data-testid=answer-export-message]", ".xlsx", WAIT)?;
        let path = std::fs::read_dir(app.world.exports_dir())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
            .ok_or_else(|| anyhow::anyhow!("no workbook saved: {saved}"))?;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path)?;
        assert_eq!(book.sheet_names(), ["About", "Data"]);
        let about: Vec<String> = book
            .worksheet_range("About")?
            .cells()
            .map(|(_, _, c)| c.to_string())
            .collect();
        assert!(
            about.iter().any(|c| c == "What is the revenue by region?"),
            "{about:?}"
        );
        assert!(
            about.iter().any(|c| c.contains("alice@example.com")),
            "{about:?}"
        );
        let data = book.worksheet_range("Data")?;
        assert_eq!(data.height(), 6, "a header and the five regions");
        // A zip keeps its member names uncompressed: the workbook holds one native chart.
        let bytes = std::fs::read(&path)?;
        let has = |name: &str| bytes.windows(name.len()).any(|w| w == name.as_bytes());
        assert!(has("xl/charts/chart1.xml") && !has("xl/charts/chart2.xml"));

        // The chart as a picture: on the clipboard (read back as the image it is), and saved.
        d.click("[data-testid=copy-chart]", WAIT)?;
        d.wait_for_text("[data-testid=chart-message]", "copied", WAIT)?;
        let image = arboard::Clipboard::new()?.get_image()?;
        assert!(
            image.width >= 600 && image.height >= 300,
            "the chart at twice its size: {}×{}",
            image.width,
            image.height
        );
        let first = &image.bytes[..4];
        assert!(
            image.bytes.chunks(4).any(|pixel| pixel != first),
            "the picture is not blank"
        );
        d.click("[data-testid=save-chart-svg]", WAIT)?;
        d.wait_for_text("[data-testid=chart-message]", ".svg", WAIT)?;
        let svg = std::fs::read_to_string(app.world.exports_dir().join("Revenue by region.svg"))?;
        assert!(
            svg.starts_with("<svg") && svg.contains("EUROPE"),
            "{}",
            &svg[..200.min(svg.len())]
        );
        Ok(())
    })
}

#[test]
fn an_answer_in_flight_when_the_app_quits_arrives_after_the_restart() -> Result<()> {
    run("genie-restart", |app| {
        let d = open_genie(app, "alice@example.com")?;
        ask(d, "How many trips were there?")?;
        d.wait_for("[data-testid=genie-step]", WAIT)?;
        // Quit while Genie is still working (each of its steps takes 0.7 s in the demo).
        app.restart()?;
        let d = &app.driver;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        let text = answer(d, 0)?;
        assert!(text.contains("21,932") || text.contains("21932"), "{text}");
        assert_eq!(
            genie_posts(app, "start-conversation")?.len(),
            1,
            "asked once"
        );
        Ok(())
    })
}

#[test]
fn a_space_bob_cannot_use_explains_itself() -> Result<()> {
    let options = Options {
        user: "bob@example.com",
        ..Options::default()
    };
    run_with("genie-bob", options, |app| {
        let d = open_genie(app, "bob@example.com")?;
        let spaces = d.texts("[data-testid=genie-space]")?;
        assert!(
            spaces.iter().all(|s| !s.contains("Sales")),
            "not listed: {spaces:?}"
        );
        d.find("[data-testid=genie-link]")?.send_keys(&format!(
            "{}/genie/rooms/{SALES_SPACE}?o=1",
            app.emulator.base_url
        ))?;
        d.click("[data-testid=genie-open-link]", WAIT)?;
        let message = d.wait_for_text("[data-testid=genie-view-error]", "Ask its owner", WAIT)?;
        assert!(message.contains("no access"), "{message}");
        app.screenshot("denied")?;
        Ok(())
    })
}
