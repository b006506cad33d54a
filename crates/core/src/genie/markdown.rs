//! Genie's answers are Markdown written by a model, so they are untrusted: they are rendered
//! to HTML here with only the tags Markdown itself produces. Raw HTML in the text is shown as
//! text, links keep only `http`, `https` and `mailto` targets (others become plain text),
//! images become their alt text, and every text is escaped by the renderer. The UI inserts
//! the result as-is and asks before opening any link in the system browser.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    // Control characters and whitespace inside a scheme are a classic bypass ("java\tscript:").
    if url.chars().any(|c| c.is_control()) {
        return false;
    }
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Sanitized HTML for `markdown`.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // Links that were dropped: their closing tag is dropped too.
    let mut dropped_links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            // Autolinked e-mail addresses get "mailto:" from the renderer itself.
            let keep = match link_type {
                LinkType::Email => !dest_url.contains(':'),
                _ => safe_url(&dest_url),
            };
            dropped_links.push(!keep);
            // Titles are dropped: nothing the model wrote goes into an attribute but the URL.
            let _ = title;
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title: "".into(),
                id,
            }))
        }
        Event::End(TagEnd::Link) => {
            let dropped = dropped_links.pop().unwrap_or(true);
            (!dropped).then_some(Event::End(TagEnd::Link))
        }
        // An image's alt text stays, as text; nothing is loaded.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::InlineMath(text) | Event::DisplayMath(text) => Some(Event::Code(text)),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Payloads that must never produce markup that runs code or loads content.
    const CORPUS: &[&str] = &[
        "<script>alert(1)</script>",
        "Hi <script src=https://evil.example/x.js></script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)><circle/></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "[x]: javascript:alert(1)\n\n[ref][x]",
        "<javascript:alert(1)>",
        "![x](https://evil.example/track.png)",
        "![x](javascript:alert(1))",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "**bold** <b onclick=alert(1)>b</b>",
        "[a](https://ok.example \"title\\\" onmouseover=\\\"alert(1)\")",
        "<details open ontoggle=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<object data=javascript:alert(1)>",
        "<embed src=javascript:alert(1)>",
        "<form action=javascript:alert(1)><input type=submit>",
        "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
        "`<script>alert(1)</script>`",
        "```html\n<script>alert(1)</script>\n```",
    ];

    /// Tags the renderer may produce; anything else in the output is a failure.
    const ALLOWED: &[&str] = &[
        "p",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ];

    /// Every tag in `html` with its attributes, as (name, attribute text).
    fn tags(html: &str) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after.find('>').unwrap_or(after.len());
            let inside = after[..end].trim_start_matches('/');
            let name: String = inside
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            found.push((name.to_ascii_lowercase(), inside[name.len()..].to_owned()));
            rest = &after[end..];
        }
        found
    }

    #[test]
    fn no_payload_survives_as_markup() {
        for payload in CORPUS {
            let html = to_html(payload);
            for (name, attributes) in tags(&html) {
                assert!(
                    ALLOWED.contains(&name.as_str()),
                    "{payload:?} gave <{name}>: {html}"
                );
                let lower = attributes.to_ascii_lowercase();
                assert!(
                    !lower.contains(" on"),
                    "{payload:?} gave an event handler: {html}"
                );
                assert!(!lower.contains("style"), "{payload:?} gave a style: {html}");
                if name == "a" && !attributes.trim().is_empty() {
                    let href = lower
                        .split("href=\"")
                        .nth(1)
                        .and_then(|h| h.split('"').next())
                        .unwrap_or_default();
                    assert!(
                        href.starts_with("https://")
                            || href.starts_with("http://")
                            || href.starts_with("mailto:"),
                        "{payload:?} gave a link to {href:?}: {html}"
                    );
                }
            }
            assert!(!html.contains("<img"), "{payload:?}: {html}");
        }
    }

    #[test]
    fn ordinary_markdown_still_renders() {
        assert_eq!(
            to_html("There were **21,932** trips."),
            "<p>There were <strong>21,932</strong> trips.</p>\n"
        );
        let html = to_html("See [the docs](https://docs.databricks.com/genie) or <b>this</b>.");
        assert!(html.contains("<a href=\"https://docs.databricks.com/genie\">the docs</a>"));
        assert!(
            html.contains("&lt;b&gt;this&lt;/b&gt;"),
            "raw HTML shows as text: {html}"
        );
        let table = to_html("| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(
            table.contains("<table>") && table.contains("<td>1</td>"),
            "{table}"
        );
        assert_eq!(
            to_html("[click](javascript:alert(1))"),
            "<p>click</p>\n",
            "an unsafe link keeps its text"
        );
        assert_eq!(
            to_html("![chart](https://x.example/a.png)"),
            "<p>chart</p>\n"
        );
    }
}
