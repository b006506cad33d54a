//! The steps many end-to-end tests take through the UI, as a user would: sign in, pick a
//! warehouse, type and run SQL, export, ask Genie. They know the UI only by `data-testid`.

use crate::{WebDriver, wait_until};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Chooses `value` in the `<select>` at `css`, as a user picking from the list.
pub fn set_select(d: &WebDriver, css: &str, value: &str) -> Result<()> {
    let script = format!(
        "const el = document.querySelector({}); el.value = {}; \
         el.dispatchEvent(new Event('change', {{bubbles: true}})); done(el.value);",
        serde_json::to_string(css)?,
        serde_json::to_string(value)?
    );
    let set = d.execute_async(&script)?;
    if set != value {
        bail!("could not choose {value} in {css}: {set}");
    }
    Ok(())
}

/// Clicks "Sign in" on the active workspace and waits for "Signed in as <user>".
pub fn sign_in(d: &WebDriver, user: &str) -> Result<()> {
    d.click("[data-testid=sign-in-button]", WAIT)?;
    d.wait_for_text("[data-testid=signed-in-user]", user, WAIT)
        .with_context(|| format!("signing in as {user}"))?;
    Ok(())
}

/// Opens the Add workspace dialog. A click in the first moments after start-up, while the
/// workspace list first renders, can land on a button that is being replaced; it is tried
/// again until the dialog is open.
pub fn open_add_dialog(d: &WebDriver) -> Result<()> {
    wait_until("the Add workspace dialog to open", WAIT, || {
        d.click("[data-testid=add-workspace]", WAIT)?;
        let opened = wait_until("the dialog", Duration::from_secs(3), || {
            Ok((!d.find_all("dialog[open] input[name=name]")?.is_empty()).then_some(()))
        });
        Ok(opened.ok())
    })
}

/// Adds a workspace signing in through the app connection `client_id` (its defaults: the
/// Brickdesk link, everything), and waits until it is the active one.
pub fn add_app_connection(d: &WebDriver, name: &str, host: &str, client_id: &str) -> Result<()> {
    open_add_dialog(d)?;
    d.wait_for("dialog[open] input[name=name]", WAIT)?
        .send_keys(name)?;
    d.find("dialog[open] input[name=host]")?.send_keys(host)?;
    set_select(d, "dialog[open] select[name=method]", "appConnection")?;
    d.wait_for("dialog[open] input[name=clientId]", WAIT)?
        .send_keys(client_id)?;
    submit_add_dialog(d, name)
}

/// Submits the Add workspace dialog and waits until the workspace `name` is the active one.
pub fn submit_add_dialog(d: &WebDriver, name: &str) -> Result<()> {
    d.click("dialog[open] button[type=submit]", WAIT)?;
    d.wait_for_text(
        "[data-testid=workspace-item][aria-current=true] .workspace-label",
        name,
        WAIT,
    )?;
    Ok(())
}

/// Signs in as alice and opens the SQL runner on the Starter warehouse.
pub fn open_sql(d: &WebDriver) -> Result<()> {
    sign_in(d, "alice@example.com")?;
    d.click("[data-testid=nav-sql]", WAIT)?;
    choose_warehouse(d, "Starter")
}

/// Picks the warehouse whose name starts with `name` in the picker, once it is loaded.
pub fn choose_warehouse(d: &WebDriver, name: &str) -> Result<()> {
    let script = format!(
        "const s = document.querySelector('[data-testid=warehouse-select]'); \
         const o = s && [...s.options].find(o => o.text.startsWith({name:?})); \
         if (o) {{ s.value = o.value; s.dispatchEvent(new Event('change', {{bubbles: true}})); }} \
         done(o ? s.value : null);"
    );
    wait_until(&format!("the {name} warehouse in the picker"), WAIT, || {
        Ok(d.execute_async(&script)?.as_str().map(str::to_owned))
    })?;
    Ok(())
}

/// Replaces the editor's text as a user pasting would: Ctrl+A in the editor, then the text
/// inserted at the selection (typing it key by key makes WebKitWebDriver time out on
/// CodeMirror's completion popups).
pub fn type_sql(d: &WebDriver, sql: &str) -> Result<()> {
    d.click("[data-testid=sql-editor]", WAIT)?;
    d.find("[data-testid=sql-editor]")?.send_keys("\u{E009}a")?;
    let inserted = d.execute_async(&format!(
        "document.querySelector('[data-testid=sql-editor]').focus(); \
         done(document.execCommand('insertText', false, {}));",
        serde_json::to_string(sql)?
    ))?;
    anyhow::ensure!(inserted == true, "the editor did not take the text");
    wait_until("the editor to show the new SQL", WAIT, || {
        let text = d.texts("[data-testid=sql-editor]")?.join("\n");
        Ok(text.contains(sql).then_some(()))
    })
}

/// Clicks Run and waits for the statement to finish; the status line.
pub fn run_and_wait(d: &WebDriver) -> Result<String> {
    d.click("[data-testid=run-statement]", WAIT)?;
    wait_until("the statement to finish", Duration::from_secs(60), || {
        let phase = d
            .find("[data-testid=run-status]")?
            .attribute("data-phase")?;
        Ok(match phase.as_deref() {
            Some("done") => Some(()),
            Some("error") => {
                bail!("the run failed: {:?}", d.texts("[data-testid=run-status]")?)
            }
            _ => None,
        })
    })?;
    Ok(d.texts("[data-testid=run-status]")?.join(" "))
}

/// Clicks an export button and waits for the "Saved … rows" message naming the file; the
/// message and the file's path (`<dir>/<file_stem>.<extension>`).
pub fn export(
    d: &WebDriver,
    button: &str,
    dir: &Path,
    file_stem: &str,
    extension: &str,
) -> Result<(String, PathBuf)> {
    let button = format!("[data-testid={button}]");
    // A disabled button takes the click and does nothing: wait until every row is in.
    wait_until(&format!("{button} to be enabled"), WAIT, || {
        Ok(d.find(&button)?
            .attribute("disabled")?
            .is_none()
            .then_some(()))
    })?;
    d.click(&button, WAIT)?;
    let wanted = format!(".{extension}");
    let message = wait_until(
        &format!("the message that the {extension} export was saved"),
        Duration::from_secs(120),
        || {
            if let Some(error) = d.texts("[data-testid=run-error]")?.into_iter().next() {
                return Ok(Some(Err(error)));
            }
            Ok(d.texts("[data-testid=result-message]")?
                .into_iter()
                .find(|m| m.contains(&wanted))
                .map(Ok))
        },
    )?
    .or_else(|error| bail!("the {extension} export failed: {error}"))?;
    let path = dir.join(format!("{file_stem}.{extension}"));
    anyhow::ensure!(path.is_file(), "{} was not written", path.display());
    Ok((message, path))
}

/// Signs in as `user` and opens Genie on the NYC taxi space.
pub fn open_genie(d: &WebDriver, user: &str) -> Result<()> {
    sign_in(d, user)?;
    d.click("[data-testid=nav-genie]", WAIT)?;
    d.wait_for_text("[data-testid=genie-space-title]", "NYC Taxi Trips", WAIT)?;
    Ok(())
}

/// Types a question and asks it.
pub fn ask(d: &WebDriver, question: &str) -> Result<()> {
    d.find("[data-testid=genie-question]")?
        .send_keys(question)?;
    d.click("[data-testid=genie-ask]", WAIT)
}

/// The text of answer number `index` (0-based), once it is in.
pub fn answer(d: &WebDriver, index: usize) -> Result<String> {
    wait_until(
        &format!("answer {}", index + 1),
        Duration::from_secs(60),
        || {
            // Phases first: once a turn says "answered", its text is on the page too.
            let phases: Vec<Option<String>> = d
                .find_all("[data-testid=genie-turn]")?
                .iter()
                .map(|t| t.attribute("data-phase").ok().flatten())
                .collect();
            let turns = d.texts("[data-testid=genie-turn]")?;
            Ok(match phases.get(index).cloned().flatten().as_deref() {
                Some("answered") => turns.get(index).cloned(),
                Some("failed") => bail!("the question failed: {:?}", turns.get(index)),
                _ => None,
            })
        },
    )
}

/// Asks `question` in Ask anything (where a signed-in user lands).
pub fn ask_anything(d: &WebDriver, question: &str) -> Result<()> {
    d.click("[data-testid=nav-ask]", WAIT)?;
    d.wait_for("[data-testid=ask-view][data-state=ready]", WAIT)?;
    d.find("[data-testid=ask-question]")?.send_keys(question)?;
    d.click("[data-testid=ask-submit]", WAIT)
}

/// The text of streamed answer number `index` (0-based) in `scope` (`[data-testid=ask-view]`
/// or `[data-testid=genie-view]`) once it has ended, and how it ended (`completed`, `stopped`,
/// `failed`).
pub fn response(d: &WebDriver, scope: &str, index: usize) -> Result<(String, String)> {
    let cards = format!("{scope} [data-testid=response-card]");
    wait_until(
        &format!("streamed answer {}", index + 1),
        Duration::from_secs(90),
        || {
            let statuses: Vec<Option<String>> = d
                .find_all(&cards)?
                .iter()
                .map(|c| c.attribute("data-status").ok().flatten())
                .collect();
            let texts = d.texts(&cards)?;
            Ok(match statuses.get(index).cloned().flatten().as_deref() {
                Some(status @ ("completed" | "stopped" | "failed" | "unconfirmed")) => texts
                    .get(index)
                    .cloned()
                    .map(|text| (text, status.to_owned())),
                _ => None,
            })
        },
    )
}

/// Clicks the first element at `css` whose text contains `text` (once there is one).
pub fn click_containing(d: &WebDriver, css: &str, text: &str) -> Result<()> {
    let script = format!(
        "const el = [...document.querySelectorAll({})].find(e => e.innerText.includes({})); \
         if (el) el.click(); done(!!el);",
        serde_json::to_string(css)?,
        serde_json::to_string(text)?
    );
    wait_until(&format!("{css} with {text:?}"), WAIT, || {
        Ok((d.execute_async(&script)? == true).then_some(()))
    })
}
