//! The HTML pages of the sign-in flow: choose a user, then consent. Plain HTML forms with no
//! script, so any browser (or a test following the forms) can drive them.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

/// Hidden inputs carrying the authorization request through the forms.
pub fn hidden_fields(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(name),
                escape(value)
            )
        })
        .collect()
}

pub fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · Databricks (emulator)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font:15px system-ui,sans-serif;background:#f3f4f6;color:#1b2330;display:grid;place-items:center;min-height:100vh;margin:0}}
main{{background:#fff;border:1px solid #d9dee6;border-radius:12px;padding:28px 32px;width:min(420px,92vw);box-shadow:0 8px 24px rgba(0,0,0,.08)}}
h1{{font-size:20px;margin:0 0 6px}} p{{color:#5b6677}} label{{display:flex;gap:10px;align-items:center;padding:10px;border:1px solid #d9dee6;border-radius:8px;margin:8px 0;cursor:pointer}}
button{{font:inherit;padding:9px 16px;border-radius:8px;border:0;background:#1f6feb;color:#fff;font-weight:600;cursor:pointer}}
button.secondary{{background:#e5e7eb;color:#1b2330}} .actions{{display:flex;gap:8px;justify-content:flex-end;margin-top:18px}}
.badge{{font-size:12px;color:#b42318}} ul{{padding-left:20px}}
</style></head><body><main>{body}</main></body></html>"#,
        title = escape(title),
    )
}

/// A page that reports a request we must not redirect (unknown client or redirect URI).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!("<h1>Sign-in failed</h1><p>{}</p>", escape(message));
    (status, Html(page("Sign-in failed", &body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
