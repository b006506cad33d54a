//! What the local store keeps of a finished response, and how it is shown again.
//!
//! The stored form is the response's own output items (Genie's Markdown and their metadata)
//! beside the view they rendered to; on load the view's text, steps and citations are
//! rendered again from the items through the same sanitizing renderer. So what reaches the
//! web view is never HTML read back from disk, where anything that can write the user's
//! files could have put a script. Records from before the items were kept have their HTML
//! brought down to plain text.

use super::state::{Ending, ResponseState};
use super::view::{self, ResponseView, TableData};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Record {
    pub view: ResponseView,
    pub tables: Vec<TableData>,
    /// The response's output items, rendered again on load.
    #[serde(default)]
    pub output: Option<Vec<Value>>,
}

impl Record {
    /// The view as it is shown again: rendered from the kept items, never from kept HTML.
    pub fn shown(mut self) -> (ResponseView, Vec<TableData>) {
        match self.output.take() {
            Some(output) => {
                let mut state = ResponseState::default();
                state.output = output;
                // Kept only once finished: its steps read as over.
                state.ending = Some(Ending::Completed);
                let rendered = view::render(&state);
                self.view.steps = rendered.steps;
                self.view.text_html = rendered.text_html;
                self.view.citations = rendered.citations;
                self.view.asks_back = rendered.asks_back;
                self.view.text_streaming = false;
            }
            None => {
                self.view.text_html = plain(&self.view.text_html);
                for step in &mut self.view.steps {
                    step.detail_html = step.detail_html.as_deref().map(plain);
                }
            }
        }
        (self.view, self.tables)
    }
}

/// Kept HTML without its tags, rendered again as text: safe whatever the file held.
fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let escaped: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(|c| match c {
            // Markdown would read these as markup: the text stays text.
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' => {
                vec!['\\', c]
            }
            c => vec![c],
        })
        .collect();
    crate::genie::markdown::to_html(&escaped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view_with(html: &str) -> Value {
        json!({
            "id": 1, "surface": {"kind": "askAnything"}, "question": "q", "conversationId": null,
            "responseId": null, "status": "completed", "steps": [], "textHtml": html,
            "textStreaming": false, "asksBack": false, "citations": [], "tables": [],
            "problem": null, "createdAtMs": 0.0
        })
    }

    #[test]
    fn a_kept_answer_is_rendered_again_from_its_items_not_its_html() {
        let record: Record = serde_json::from_value(json!({
            "view": view_with("<img src=x onerror=alert(1)>"),
            "tables": [],
            "output": [{"type": "message", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": "Revenue **rose** <script>x</script>"}]}]
        }))
        .expect("a record");
        let (view, _) = record.shown();
        assert!(
            view.text_html.contains("<strong>rose</strong>"),
            "{}",
            view.text_html
        );
        assert!(
            !view.text_html.contains("<img") && !view.text_html.contains("<script"),
            "{}",
            view.text_html
        );
    }

    #[test]
    fn an_older_record_without_items_shows_its_text_only() {
        let record: Record = serde_json::from_value(json!({
            "view": view_with("<p>Revenue &amp; cost</p><img src=x onerror=alert(1)><a href=\"javascript:x\">[click](javascript:y)</a>"),
            "tables": []
        }))
        .expect("an old record");
        let (view, _) = record.shown();
        assert!(
            view.text_html.contains("Revenue &amp; cost"),
            "{}",
            view.text_html
        );
        for gone in ["<img", "onerror=", "<a", "href"] {
            assert!(!view.text_html.contains(gone), "{gone}: {}", view.text_html);
        }
    }
}
