//! End-to-end: what real workspaces do that the everyday tests do not, in the binary built as
//! the installers build it (scripts/test.sh; scripts/lib/feature-guard.sh proves the features
//! match). A workspace whose session time zone is New York shows New York's wall-clock time
//! in the grid, in a Genie answer and in the Excel export; a refresh token the workspace
//! refuses the real way (HTTP 400 `invalid_request` "Refresh token is invalid") leaves the
//! workspace listed and signed out, its keychain entry gone; an app connection without the
//! Brickdesk link registered gets the preflight's offer before any browser opens, and signing
//! in through the offered loopback address works.

use anyhow::Result;
use brickdesk_e2e::ui::{self, answer, ask};
use brickdesk_e2e::{Options, run_with, wait_until};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn admin(base: &str, path: &str) -> Result<()> {
    ureq::post(format!("{base}{path}")).send_empty()?;
    Ok(())
}

#[test]
fn new_york_time_in_the_grid_a_genie_answer_and_the_excel_export() -> Result<()> {
    let options = Options {
        emulator_config: Some(json!({
            "session_time_zone": "America/New_York",
            "timings": { "genie_step_ms": 150 },
        })),
        ..Options::default()
    };
    run_with("real-new-york-time", options, |app| {
        let d = &app.driver;
        ui::open_sql(d)?;
        // 14:07 UTC is 09:07 in New York in January.
        ui::type_sql(d, "SELECT to_timestamp('2016-01-05T14:07:00Z') AS pickup")?;
        ui::run_and_wait(d)?;
        d.wait_for_text("[role=gridcell]", "2016-01-05 09:07:00", WAIT)?;
        let header = d.texts("[data-testid=column-header]")?.join(" ");
        assert!(header.contains("America/New_York"), "{header}");
        app.screenshot("grid")?;

        let exports = app.world.exports_dir();
        let (_, xlsx) = ui::export(d, "export-xlsx", &exports, "Query 1", "xlsx")?;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx)?;
        use calamine::{Data, Reader as _};
        let sheet = book.worksheet_range("Result")?;
        assert_eq!(
            sheet.get_value((0, 0)),
            Some(&Data::String("pickup (America/New_York)".into())),
            "the heading says which zone the times are in"
        );
        match sheet.get_value((1, 0)) {
            // 2016-01-05 is Excel day 42,374; 09:07 is 547 minutes into it.
            Some(Data::DateTime(at)) => {
                let expected = 42_374.0 + 547.0 / 1_440.0;
                assert!((at.as_f64() - expected).abs() < 1e-6, "{}", at.as_f64());
            }
            other => panic!("an Excel date and time, not {other:?}"),
        }

        // The latest pickup, through the SQL runner (Arrow) and through Genie (JSON rows):
        // the same New York time both ways, and not the UTC one.
        ui::type_sql(
            d,
            "SELECT MAX(tpep_pickup_datetime) AS latest, CAST(MAX(tpep_pickup_datetime) AS STRING) AS utc FROM samples.nyctaxi.trips",
        )?;
        ui::run_and_wait(d)?;
        let cells = wait_until("the latest pickup", WAIT, || {
            let cells = d.texts("[role=gridcell]")?;
            Ok((cells.len() >= 2 && cells[0].starts_with("2016-")).then_some(cells))
        })?;
        let (latest, utc) = (cells[0].clone(), cells[1].replace('T', " "));
        assert!(
            !utc.starts_with(&latest[..16]),
            "{latest} is UTC time ({utc})"
        );
        d.click("[data-testid=nav-genie]", WAIT)?;
        d.wait_for_text("[data-testid=genie-space-title]", "NYC Taxi Trips", WAIT)?;
        ask(d, "When did the latest trip start?")?;
        let text = answer(d, 0)?;
        assert!(
            text.contains(&latest[..16]),
            "{text} does not name {latest}"
        );
        d.click("[data-testid=show-table]", WAIT)?;
        let shown = wait_until("the answer's table", WAIT, || {
            let cells = d.texts(".genie-table [role=gridcell]")?;
            Ok(cells.first().cloned())
        })?;
        assert_eq!(shown, latest, "Genie's rows show the session zone's time");
        Ok(())
    })
}

#[test]
fn a_refresh_token_refused_the_real_way_signs_out_and_leaves_the_workspace() -> Result<()> {
    run_with("real-refresh-refused", Options::default(), |app| {
        let d = &app.driver;
        ui::sign_in(d, "alice@example.com")?;
        let accounts = app.keychain_accounts()?;
        assert!(
            accounts.iter().any(|a| a.ends_with("/refresh-token")),
            "{accounts:?}"
        );
        let base = app.emulator.base_url.clone();
        admin(&base, "/__emulator/tokens/revoke-refresh")?;
        admin(&base, "/__emulator/tokens/expire-access")?;
        // At start-up the app checks its sign-in: the refresh is refused with HTTP 400
        // invalid_request "Refresh token is invalid", as real workspaces answer.
        app.restart()?;
        let d = &app.driver;
        let reason = d.wait_for_text(
            "[data-testid=sign-in][data-state=signed-out]",
            "Sign in again",
            WAIT,
        )?;
        assert!(reason.contains("expired or was revoked"), "{reason}");
        assert_eq!(
            d.texts("[data-testid=workspace-item]")?.len(),
            1,
            "still listed"
        );
        let accounts = app.keychain_accounts()?;
        assert!(
            !accounts.iter().any(|a| a.ends_with("/refresh-token")),
            "the dead token is gone: {accounts:?}"
        );
        // Signing in again works.
        ui::sign_in(d, "alice@example.com")?;
        Ok(())
    })
}

#[test]
fn an_unregistered_brickdesk_link_gets_the_loopback_offer_before_any_browser() -> Result<()> {
    let options = Options {
        demo: false,
        // The only app connection registers only Brickdesk's loopback address.
        emulator_config: Some(json!({
            "clients": [{
                "client_id": "brickdesk",
                "name": "Brickdesk",
                "redirect_uris": ["http://127.0.0.1:8765/oauth/callback"],
                "single_use_refresh_tokens": true,
            }],
        })),
        ..Options::default()
    };
    run_with("real-preflight-offer", options, |app| {
        let d = &app.driver;
        let host = app.emulator.base_url.clone();
        ui::add_app_connection(d, "Sales", &host, "brickdesk")?;
        d.click("[data-testid=sign-in-button]", WAIT)?;
        let advice = d.wait_for_text(
            "[data-testid=sign-in-advice]",
            "http://127.0.0.1:8765/oauth/callback",
            WAIT,
        )?;
        assert!(
            advice.contains("dev.brickdesk.app:/oauth/callback"),
            "{advice}"
        );
        let browser = app.world.scratch.join("browser.log");
        assert!(
            std::fs::read_to_string(&browser)
                .unwrap_or_default()
                .is_empty(),
            "no browser opened before the offer"
        );
        app.screenshot("offer")?;
        d.click("[data-testid=use-offered-redirect]", WAIT)?;
        d.wait_for_text("[data-testid=signed-in-user]", "alice@example.com", WAIT)?;
        let log = std::fs::read_to_string(&browser).unwrap_or_default();
        assert_eq!(
            log.trim(),
            "loopback",
            "signed in through the loopback address"
        );
        Ok(())
    })
}

/// An account's custom URL serving several workspaces: the workspace pasted as the browser
/// shows it (`?o=<id>`) signs in through the account, lists its own warehouses, runs SQL and
/// answers a Genie question; a second workspace of the same host sits beside it with its own
/// warehouses, and the switcher tells the two apart.
#[test]
fn two_workspaces_of_one_unified_host_sign_in_run_sql_and_ask_genie() -> Result<()> {
    const SALES: &str = "1111111111111111";
    const FINANCE: &str = "2222222222222222";
    let options = Options {
        emulator_config: Some(json!({
            "unified_host": { "workspaces": [
                { "workspace_id": SALES },
                { "workspace_id": FINANCE,
                  "warehouses": [{ "id": "f1f2f3f4f5f6f7f8", "name": "Finance warehouse" }] },
            ]},
            "timings": { "genie_step_ms": 150 },
        })),
        ..Options::default()
    };
    run_with("real-unified-host", options, |app| {
        let d = &app.driver;
        let base = app.emulator.base_url.clone();
        ui::add_app_connection(d, "Sales", &format!("{base}/?o={SALES}"), "brickdesk")?;
        ui::open_sql(d)?;
        ui::type_sql(d, "SELECT 40 + 2 AS answer")?;
        ui::run_and_wait(d)?;
        d.wait_for_text("[role=gridcell]", "42", WAIT)?;
        d.click("[data-testid=nav-genie]", WAIT)?;
        d.wait_for_text("[data-testid=genie-space-title]", "NYC Taxi Trips", WAIT)?;
        ask(d, "How many trips were there?")?;
        let text = answer(d, 0)?;
        assert!(text.contains("21,932"), "{text}");

        ui::add_app_connection(
            d,
            "Finance",
            &format!("{base}/sql/editor?o={FINANCE}"),
            "brickdesk",
        )?;
        ui::sign_in(d, "alice@example.com")?;
        d.click("[data-testid=nav-sql]", WAIT)?;
        ui::choose_warehouse(d, "Finance warehouse")?;
        let places = d
            .texts("[data-testid=workspace-item] .workspace-host")?
            .join(" | ");
        assert!(
            places.contains(&format!("workspace {SALES}"))
                && places.contains(&format!("workspace {FINANCE}")),
            "{places}"
        );
        app.screenshot("two-workspaces")?;
        Ok(())
    })
}
