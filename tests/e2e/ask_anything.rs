//! End-to-end Ask anything (Genie One) and Agent mode: the real app signed in to the demo
//! workspace (the emulator). A question answered across all of alice's data with its table
//! cited, then followed up; an Agent-mode research whose plan, query steps, streamed text,
//! report, sources and supporting tables appear, and a second one that Stop ends; a stream cut
//! mid-way that still shows the whole report (read back, not asked again); a report in flight
//! when the app quits, finished after the restart; research done on another machine, found in
//! the agent's history and opened from Databricks; and a workspace without the previews, which
//! says so in one line and offers the Genie agents.

use anyhow::Result;
use brickdesk_e2e::ui::{self, ask_anything, response};
use brickdesk_e2e::{AppSession, Options, WebDriver, run, run_with, wait_until};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);
const ASK: &str = "[data-testid=ask-view]";
const GENIE: &str = "[data-testid=genie-view]";

/// Requests the emulator logged under `/api/2.0/genie/`: `(method, path)`.
fn genie_requests(app: &AppSession) -> Result<Vec<(String, String)>> {
    Ok(app
        .emulator_requests("/api/2.0/genie/")?
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect())
}

fn add_fault(app: &AppSession, rule: serde_json::Value) -> Result<()> {
    ureq::post(&format!("{}/__emulator/faults", app.emulator.base_url)).send_json(rule)?;
    Ok(())
}

/// The research was asked once, and read back through the conversation's items.
fn asked_once_then_read_back(app: &AppSession) -> Result<()> {
    let requests = genie_requests(app)?;
    let asked = requests
        .iter()
        .filter(|(m, p)| m == "POST" && p.ends_with("/responses"))
        .count();
    assert_eq!(asked, 1, "not asked again: {requests:?}");
    assert!(
        requests
            .iter()
            .any(|(m, p)| m == "GET" && p.ends_with("/items")),
        "{requests:?}"
    );
    Ok(())
}

/// Opens the Sales agent in Genie with Agent mode on.
fn sales_in_agent_mode(d: &WebDriver) -> Result<()> {
    d.click("[data-testid=nav-genie]", WAIT)?;
    ui::click_containing(d, "[data-testid=genie-space]", "Sales")?;
    d.wait_for_text("[data-testid=genie-space-title]", "Sales (TPC-H)", WAIT)?;
    d.click("[data-testid=agent-mode-toggle]", WAIT)?;
    Ok(())
}

fn research(d: &WebDriver, question: &str) -> Result<()> {
    d.find("[data-testid=genie-question]")?
        .send_keys(question)?;
    d.click("[data-testid=genie-ask]", WAIT)
}

#[test]
fn ask_anything_answers_across_the_data_with_its_source_then_follows_up() -> Result<()> {
    run("ask-anything", |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        // A signed-in business user lands here.
        let current = d.find("[data-testid=nav-ask]")?.attribute("aria-current")?;
        assert_eq!(current.as_deref(), Some("page"));
        ask_anything(d, "What is the revenue by region?")?;
        let (text, status) = response(d, ASK, 0)?;
        assert_eq!(status, "completed", "{text}");
        assert!(text.contains("EUROPE"), "{text}");
        assert!(
            text.contains("Sales (TPC-H)"),
            "the agent it came from: {text}"
        );
        let sources = d.texts("[data-testid=response-citation]")?;
        assert!(
            sources
                .iter()
                .any(|s| s.contains("samples.tpch.") && s.contains("Table")),
            "{sources:?}"
        );
        let steps = d.texts("[data-testid=response-step]")?;
        assert!(steps.iter().any(|s| s.contains("Searching")), "{steps:?}");
        app.screenshot("ask-anything")?;

        d.find("[data-testid=ask-question]")?
            .send_keys("now by year")?;
        d.click("[data-testid=ask-submit]", WAIT)?;
        let (text, status) = response(d, ASK, 1)?;
        assert_eq!(status, "completed", "{text}");
        assert!(text.contains("1995"), "{text}");
        let posts: Vec<_> = genie_requests(app)?
            .into_iter()
            .filter(|(m, p)| m == "POST" && p == "/api/2.0/genie/one/responses")
            .collect();
        assert_eq!(posts.len(), 2);
        let history = d.texts("[data-testid=ask-history-item]")?;
        assert!(
            history.iter().any(|h| h.contains("now by year")),
            "{history:?}"
        );
        Ok(())
    })
}

#[test]
fn agent_mode_shows_its_plan_steps_report_and_sources_and_stop_ends_it() -> Result<()> {
    run("agent-mode", |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        sales_in_agent_mode(d)?;
        research(d, "How has revenue developed, and where does it come from?")?;
        // The steps tick off live: a query step is seen running before it is done.
        wait_until("a running query step", WAIT, || {
            let running =
                d.find_all("[data-testid=response-step][data-kind=query][data-done=false]")?;
            Ok((!running.is_empty()).then_some(()))
        })?;
        let (text, status) = response(d, GENIE, 0)?;
        assert_eq!(status, "completed", "{text}");
        let steps = d.texts("[data-testid=response-step]")?;
        assert!(steps[0].contains("steps"), "the plan first: {steps:?}");
        let queries = d
            .find_all("[data-testid=response-step][data-kind=query][data-done=true]")?
            .len();
        assert!((2..=4).contains(&queries), "{steps:?}");
        let report = d.texts("[data-testid=response-text]")?.concat();
        assert!(report.contains("[1]") && report.contains("[2]"), "{report}");
        let sources = d.texts("[data-testid=response-citation]")?;
        assert_eq!(sources.len(), queries, "{sources:?}");
        assert!(sources[0].starts_with("[1]"), "{sources:?}");
        d.wait_for(
            "[data-testid=response-table] [data-testid=result-row]",
            WAIT,
        )?;
        assert_eq!(d.find_all("[data-testid=response-table]")?.len(), queries);
        app.screenshot("agent-mode-report")?;

        // A second research, stopped once its first query shows.
        research(d, "How has the order count developed?")?;
        let first_query = format!(
            "const c = document.querySelectorAll('{GENIE} [data-testid=response-card]')[1]; \
             done(!!c && !!c.querySelector('[data-testid=response-step][data-kind=query]'))"
        );
        wait_until("the second research's first query", WAIT, || {
            Ok((d.execute_async(&first_query)? == true).then_some(()))
        })?;
        d.click("[data-testid=response-stop]", WAIT)?;
        let (text, status) = response(d, GENIE, 1)?;
        assert_eq!(status, "stopped", "{text}");
        assert!(text.contains("Stopped"), "{text}");
        let cancels = genie_requests(app)?
            .into_iter()
            .filter(|(m, p)| m == "POST" && p.ends_with("/cancel"))
            .count();
        assert_eq!(cancels, 1);
        Ok(())
    })
}

#[test]
fn a_stream_cut_mid_way_still_shows_the_whole_report() -> Result<()> {
    run("agent-mode-cut", |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        add_fault(
            app,
            json!({ "path": "/api/2.0/genie/agents/*/responses", "count": 1,
                    "fault": { "kind": "stream_cut", "after_events": 4, "abrupt": true } }),
        )?;
        sales_in_agent_mode(d)?;
        research(d, "How has revenue developed?")?;
        let (text, status) = response(d, GENIE, 0)?;
        assert_eq!(status, "completed", "{text}");
        assert!(text.contains("[1]"), "{text}");
        assert!(!d.texts("[data-testid=response-citation]")?.is_empty());
        d.wait_for(
            "[data-testid=response-table] [data-testid=result-row]",
            WAIT,
        )?;
        let requests = genie_requests(app)?;
        let asked = requests
            .iter()
            .filter(|(m, p)| m == "POST" && p.ends_with("/responses"))
            .count();
        assert_eq!(asked, 1, "read back, not asked again: {requests:?}");
        assert!(
            requests
                .iter()
                .any(|(m, p)| m == "GET" && p.ends_with("/items")),
            "{requests:?}"
        );
        assert!(app.log()?.contains("reading it back"));
        Ok(())
    })
}

#[test]
fn a_workspace_without_the_previews_says_so_and_offers_the_genie_agents() -> Result<()> {
    let options = Options {
        emulator_config: Some(json!({
            "auto_approve": "alice@example.com",
            "genie_previews": { "genie_one_api": false, "agent_mode_api": false }
        })),
        ..Options::default()
    };
    run_with("ask-anything-off", options, |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        let line = d.wait_for_text("[data-testid=ask-unavailable]", "Genie One API", WAIT)?;
        assert!(line.contains("admin"), "{line}");
        assert!(d.find_all("[data-testid=ask-question]")?.is_empty());
        app.screenshot("ask-anything-off")?;
        let offers = d.texts("[data-testid=ask-offer-agent]")?;
        assert_eq!(offers.len(), 2, "{offers:?}");
        ui::click_containing(d, "[data-testid=ask-offer-agent]", "Sales")?;
        d.wait_for_text("[data-testid=genie-space-title]", "Sales (TPC-H)", WAIT)?;
        // Agent mode is not known until it is tried; trying says it is off and turns it off.
        d.click("[data-testid=agent-mode-toggle]", WAIT)?;
        research(d, "How has revenue developed?")?;
        // The question's card ends with the reason.
        let error = d.wait_for_text("[data-testid=response-problem]", "Agent Mode API", WAIT)?;
        assert!(error.contains("Previews"), "{error}");
        assert!(d.find_all("[data-testid=response-stop]")?.is_empty());
        d.wait_for("[data-testid=agent-mode-off]", WAIT)?;
        let toggle = d.find("[data-testid=agent-mode-toggle]")?;
        assert!(toggle.attribute("disabled")?.is_some(), "the switch is off");
        // Genie chat still works.
        ui::ask(d, "How many orders were there per year?")?;
        let answer = ui::answer(d, 0)?;
        assert!(
            answer.contains("1995") || answer.contains("orders"),
            "{answer}"
        );
        Ok(())
    })
}

#[test]
fn a_report_in_flight_when_the_app_quits_is_finished_after_the_restart() -> Result<()> {
    run("agent-mode-restart", |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        sales_in_agent_mode(d)?;
        research(d, "How has revenue developed?")?;
        wait_until("a running query step", WAIT, || {
            let running = d.find_all("[data-testid=response-step][data-kind=query]")?;
            Ok((!running.is_empty()).then_some(()))
        })?;
        // Quit mid-research; the next start reads the report back where the user lands.
        app.restart()?;
        let d = &app.driver;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        let (text, status) = response(d, ASK, 0)?;
        assert_eq!(status, "completed", "{text}");
        assert!(
            text.to_lowercase().contains("agent mode") && text.contains("[1]"),
            "{text}"
        );
        asked_once_then_read_back(app)?;
        Ok(())
    })
}

#[test]
fn research_started_on_another_machine_is_in_the_agents_history_and_opens() -> Result<()> {
    run("agent-mode-elsewhere", |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        sales_in_agent_mode(d)?;
        research(d, "How has revenue developed?")?;
        let (report, status) = response(d, GENIE, 0)?;
        assert_eq!(status, "completed", "{report}");

        // The same user on a machine that never saw this research.
        app.restart_without_local_store()?;
        let d = &app.driver;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        d.click("[data-testid=nav-genie]", WAIT)?;
        ui::click_containing(d, "[data-testid=genie-space]", "Sales")?;
        d.wait_for(
            "[data-testid=genie-conversation][data-agent-mode=true]",
            WAIT,
        )?;
        let history = d.texts("[data-testid=genie-conversation]")?;
        assert!(
            history[0].contains("How has revenue developed?") && history[0].contains("Agent mode"),
            "{history:?}"
        );
        d.click(
            "[data-testid=genie-conversation][data-agent-mode=true]",
            WAIT,
        )?;
        let (opened, status) = response(d, GENIE, 0)?;
        assert_eq!(status, "completed", "{opened}");
        assert!(opened.contains("[1]"), "its citations: {opened}");
        d.wait_for(
            "[data-testid=response-table] [data-testid=result-row]",
            WAIT,
        )?;
        let checked = d.execute_async(
            "done(document.querySelector('[data-testid=agent-mode-toggle]').checked)",
        )?;
        assert_eq!(checked, true, "a follow-up continues it in Agent mode");
        app.screenshot("agent-mode-elsewhere")?;
        asked_once_then_read_back(app)?;
        Ok(())
    })
}
