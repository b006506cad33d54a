//! A minimal W3C WebDriver client: just what the tests use, blocking, plain HTTP to loopback.

use crate::wait_until;
use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build(),
    )
}

/// A WebDriver session on the Brickdesk window.
#[derive(Debug)]
pub struct WebDriver {
    base: String,
    agent: ureq::Agent,
}

/// A found element.
#[derive(Debug, Clone)]
pub struct Element<'a> {
    driver: &'a WebDriver,
    id: String,
}

impl WebDriver {
    /// Creates a session, which makes WebKitWebDriver start `application` with `args`.
    pub fn new_session(driver_url: &str, application: &Path, args: &[String]) -> Result<Self> {
        let agent = agent();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "wry",
                "tauri:options": { "application": application.to_string_lossy(), "args": args }
            }}
        });
        let value = call(
            &agent,
            "POST",
            &format!("{driver_url}/session"),
            Some(capabilities),
        )?;
        let session = value["sessionId"]
            .as_str()
            .context("no sessionId in the new-session reply")?;
        Ok(Self {
            base: format!("{driver_url}/session/{session}"),
            agent,
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        call(&self.agent, method, &format!("{}{path}", self.base), body)
    }

    pub fn find(&self, css: &str) -> Result<Element<'_>> {
        let value = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        Ok(Element {
            driver: self,
            id: element_id(&value)?,
        })
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let value = self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        let list = value.as_array().context("elements reply is not a list")?;
        list.iter()
            .map(|v| {
                Ok(Element {
                    driver: self,
                    id: element_id(v)?,
                })
            })
            .collect()
    }

    /// Waits until `css` matches an element.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element<'_>> {
        let id = wait_until(&format!("element {css}"), timeout, || {
            Ok(self.find(css).ok().map(|e| e.id))
        })?;
        Ok(Element { driver: self, id })
    }

    /// Waits for `css` and clicks it, finding it again if the UI re-rendered it in between
    /// (a "stale element" is a timing detail, not a failure).
    pub fn click(&self, css: &str, timeout: Duration) -> Result<()> {
        wait_until(&format!("a click on {css}"), timeout, || {
            Ok(self.find(css).ok().and_then(|e| e.click().ok()))
        })
    }

    /// Waits until some element matching `css` contains `text`; returns its full text.
    pub fn wait_for_text(&self, css: &str, text: &str, timeout: Duration) -> Result<String> {
        wait_until(&format!("{css} containing {text:?}"), timeout, || {
            Ok(self
                .texts(css)?
                .into_iter()
                .find(|found| found.contains(text)))
        })
    }

    /// The rendered text (`innerText`) of every element matching `css`. WebDriver's own
    /// element text is not used: WebKit drops text it considers clipped (ellipsis styles).
    pub fn texts(&self, css: &str) -> Result<Vec<String>> {
        let script = format!(
            "done([...document.querySelectorAll({})].map(e => e.innerText))",
            serde_json::to_string(css)?
        );
        Ok(serde_json::from_value(self.execute_async(&script)?)?)
    }

    /// Runs `script` (an async function body calling `done(result)`) in the page.
    pub fn execute_async(&self, script: &str) -> Result<Value> {
        let body = format!("const done = arguments[arguments.length - 1]; {script}");
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({"script": body, "args": []})),
        )
    }

    /// Calls a Tauri command the way the UI does, returning its JSON result or error.
    pub fn invoke(&self, command: &str, args: Value) -> Result<Value> {
        let script = format!(
            "window.__TAURI_INTERNALS__.invoke({}, {}).then(v => done({{ok: v}}), e => done({{err: e}}));",
            serde_json::to_string(command)?,
            args
        );
        self.execute_async(&script)
    }

    pub fn title(&self) -> Result<String> {
        Ok(self
            .cmd("GET", "/title", None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Resizes the app's window (the display must be at least this large).
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )?;
        // Let the page lay itself out at the new size before anyone looks.
        self.execute_async(
            "requestAnimationFrame(() => requestAnimationFrame(() => done(innerWidth)));",
        )?;
        Ok(())
    }

    pub fn save_screenshot(&self, path: &Path) -> Result<()> {
        // WebKit snapshots the last painted frame: let the page paint what the DOM holds now.
        self.execute_async(
            "const t = setTimeout(done, 1000); \
             requestAnimationFrame(() => requestAnimationFrame(() => { clearTimeout(t); done(); }));",
        )?;
        let value = self.cmd("GET", "/screenshot", None)?;
        let data = value
            .as_str()
            .context("screenshot reply is not base64 text")?;
        let png = base64::engine::general_purpose::STANDARD.decode(data)?;
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
    }

    /// Ends the session, which closes the app.
    pub fn quit(&self) {
        let _ = self.agent.delete(&self.base).call();
    }
}

impl Element<'_> {
    pub fn attribute(&self, name: &str) -> Result<Option<String>> {
        let value = self.driver.cmd(
            "GET",
            &format!("/element/{}/attribute/{name}", self.id),
            None,
        )?;
        Ok(value.as_str().map(str::to_owned))
    }

    pub fn click(&self) -> Result<()> {
        self.driver
            .cmd(
                "POST",
                &format!("/element/{}/click", self.id),
                Some(json!({})),
            )
            .map(|_| ())
    }

    /// Empties an input (WebDriver's Element Clear).
    pub fn clear(&self) -> Result<()> {
        self.driver
            .cmd(
                "POST",
                &format!("/element/{}/clear", self.id),
                Some(json!({})),
            )
            .map(|_| ())
    }

    pub fn send_keys(&self, text: &str) -> Result<()> {
        self.driver
            .cmd(
                "POST",
                &format!("/element/{}/value", self.id),
                Some(json!({"text": text})),
            )
            .map(|_| ())
    }
}

fn element_id(value: &Value) -> Result<String> {
    value[ELEMENT_KEY]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("not an element: {value}"))
}

fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value> {
    let mut response = match (method, body) {
        ("GET", _) => agent.get(url).call()?,
        ("DELETE", _) => agent.delete(url).call()?,
        (_, Some(body)) => agent.post(url).send_json(body)?,
        (_, None) => agent.post(url).send_json(json!({}))?,
    };
    let status = response.status();
    let reply: Value = response
        .body_mut()
        .read_json()
        .context("WebDriver reply is not JSON")?;
    let value = reply.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("WebDriver {method} {url} failed ({status}): {}", value);
    }
    Ok(value)
}
