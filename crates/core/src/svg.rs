//! A chart's SVG made safe to save: parsed and written again with only the elements a drawn
//! chart uses, no event handler, no link and no reference outside the document.
//!
//! The web view draws the chart and sends its SVG; the file goes to the user's disk and on to
//! colleagues, where a viewer (a browser, an editor with a preview) may run what it holds. So
//! what the web view sent is input: a script, an `onload`, a `javascript:` link or an image
//! from the network must not reach the file, however it is spelled. Elements outside the
//! allow-list go with everything inside them; attributes that act or fetch are dropped;
//! styles that fetch (`@import`, `url(…)` other than `url(#…)`) drop their element.

use quick_xml::events::{BytesStart, Event};

/// The elements Observable Plot (the UI's charts) draws, and their plain SVG relatives.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "path",
    "rect",
    "line",
    "polyline",
    "polygon",
    "circle",
    "ellipse",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "clipPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "style",
    "marker",
    "symbol",
    "pattern",
    "mask",
];

/// The largest document accepted (the UI's charts are far smaller).
const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Deeper than any chart: a document nested deeper is not one.
const MAX_DEPTH: usize = 256;

/// Whether a value (an attribute's, or a style's text) can act or fetch.
fn acts(value: &str) -> bool {
    let folded: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    folded.contains("javascript:")
        || folded.contains("vbscript:")
        || folded.contains("@import")
        || folded.contains("expression(")
        || folded.contains("\\")
        || folded.match_indices("url(").any(|(at, _)| {
            !folded[at + 4..]
                .trim_start_matches(['"', '\''])
                .starts_with('#')
        })
}

/// Whether an attribute named `name` may stay.
fn attribute_allowed(name: &str) -> bool {
    let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
    !(local.starts_with("on")
        || local == "href"
        || local == "src"
        || local == "base"
        || name.eq_ignore_ascii_case("xml:base"))
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// `<name attr="…" …` for a kept element (without its closing `>`), or `None` when the
/// element is not allowed.
fn open_tag(element: &BytesStart<'_>) -> Result<Option<String>, String> {
    let name = std::str::from_utf8(element.name().as_ref())
        .map_err(|_| "an element name is not text".to_owned())?
        .to_owned();
    if !ELEMENTS.contains(&name.as_str()) {
        return Ok(None);
    }
    let mut tag = format!("<{name}");
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| format!("an attribute is malformed ({e})"))?;
        let key = std::str::from_utf8(attribute.key.as_ref())
            .map_err(|_| "an attribute name is not text".to_owned())?;
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("an attribute value is malformed ({e})"))?;
        if !attribute_allowed(key) || acts(&value) {
            continue;
        }
        tag.push(' ');
        tag.push_str(key);
        tag.push_str("=\"");
        escape(&value, &mut tag);
        tag.push('"');
    }
    Ok(Some(tag))
}

/// `text` (an SVG document) with only what a chart needs, or why it is not one.
pub fn sanitized(text: &str) -> Result<String, String> {
    if text.len() > MAX_BYTES {
        return Err("it is larger than any chart".into());
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = String::with_capacity(text.len());
    // How deep we are, and from which depth on everything is dropped.
    let mut depth = 0usize;
    let mut skipping_from: Option<usize> = None;
    // A `<style>` being read: its text is checked whole before it is kept.
    let mut style: Option<String> = None;
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("it is not well-formed XML ({e})"))?;
        match event {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) if depth == 0 && root_seen => {
                let _ = element;
                return Err("it has more than one root element".into());
            }
            Event::Start(element) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err("it is nested deeper than any chart".into());
                }
                if depth == 1 {
                    root_seen = true;
                    if element.name().as_ref() != b"svg" {
                        return Err("it is not an SVG document".into());
                    }
                }
                if skipping_from.is_some() {
                    continue;
                }
                if style.is_some() {
                    // No element belongs inside a style.
                    skipping_from = Some(depth);
                    continue;
                }
                match open_tag(&element)? {
                    Some(tag) if element.name().as_ref() == b"style" => {
                        style = Some(tag + ">");
                    }
                    Some(tag) => {
                        out.push_str(&tag);
                        out.push('>');
                    }
                    None => skipping_from = Some(depth),
                }
            }
            Event::Empty(element) => {
                if depth == 0 {
                    root_seen = true;
                    if element.name().as_ref() != b"svg" {
                        return Err("it is not an SVG document".into());
                    }
                }
                if skipping_from.is_some() || style.is_some() {
                    continue;
                }
                if let Some(tag) = open_tag(&element)? {
                    out.push_str(&tag);
                    out.push_str("/>");
                }
            }
            Event::End(element) => {
                if skipping_from == Some(depth) {
                    skipping_from = None;
                } else if skipping_from.is_none() {
                    let name = std::str::from_utf8(element.name().as_ref())
                        .map_err(|_| "an element name is not text".to_owned())?
                        .to_owned();
                    match style.take() {
                        Some(kept) if name == "style" => {
                            // The whole style, checked at once: a fetch split across
                            // entity references is still one.
                            let body = kept.split_once('>').map_or("", |(_, b)| b);
                            let mut plain = String::new();
                            let mut reading = quick_xml::Reader::from_str(body);
                            while let Ok(event) = reading.read_event() {
                                match event {
                                    Event::Text(t) => plain.push_str(&String::from_utf8_lossy(&t)),
                                    Event::GeneralRef(r) => {
                                        plain.push_str(&String::from_utf8_lossy(&r))
                                    }
                                    Event::Eof => break,
                                    _ => {}
                                }
                            }
                            if !acts(&plain) {
                                out.push_str(&kept);
                                out.push_str("</style>");
                            }
                        }
                        other => {
                            style = other;
                            out.push_str("</");
                            out.push_str(&name);
                            out.push('>');
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(content) if skipping_from.is_none() && depth > 0 => {
                // Already escaped as it was read; kept as bytes it can only be text.
                let raw = String::from_utf8_lossy(&content).into_owned();
                match &mut style {
                    Some(kept) => kept.push_str(&raw),
                    None => out.push_str(&raw),
                }
            }
            Event::GeneralRef(reference) if skipping_from.is_none() && depth > 0 => {
                // Only the predefined entities and character references: a document type
                // (which could define others) is never kept.
                let name = String::from_utf8_lossy(&reference).into_owned();
                let known = matches!(name.as_str(), "amp" | "lt" | "gt" | "quot" | "apos")
                    || name.starts_with('#')
                        && name[1..]
                            .trim_start_matches(['x', 'X'])
                            .chars()
                            .all(|c| c.is_ascii_hexdigit());
                if known {
                    let entity = format!("&{name};");
                    match &mut style {
                        Some(kept) => kept.push_str(&entity),
                        None => out.push_str(&entity),
                    }
                }
            }
            Event::CData(content) if skipping_from.is_none() && depth > 0 => {
                let mut escaped = String::new();
                escape(&String::from_utf8_lossy(&content), &mut escaped);
                match &mut style {
                    Some(kept) => kept.push_str(&escaped),
                    None => out.push_str(&escaped),
                }
            }
            // Declarations, document types (and their entities), processing instructions
            // and comments: none is part of a picture.
            _ => {}
        }
    }
    if !root_seen {
        return Err("it is not an SVG document".into());
    }
    if depth != 0 {
        return Err("it ends before its elements do".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::sanitized;

    #[test]
    fn a_chart_stays_as_drawn() {
        let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\" \
             class=\"plot-d6a7b5\" style=\"color: rgb(0, 0, 0); font-family: system-ui\">\
             <style>:where(.plot-d6a7b5) { fill: currentColor; }</style>\
             <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
             <g aria-label=\"bar\" fill=\"url(#gradient)\"><rect x=\"1\" y=\"2\" width=\"3\" height=\"4\">\
             <title>EUROPE &amp; ASIA: 731.9M</title></rect></g>\
             <text x=\"5\" dy=\"0.32em\">Revenue &lt;2024&gt;</text></svg>";
        assert_eq!(sanitized(chart).as_deref(), Ok(chart));
    }

    #[test]
    fn whatever_acts_or_fetches_is_dropped() {
        let hostile = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\" \
             xmlns:xlink=\"http://www.w3.org/1999/xlink\">\
             <script>alert(1)</script>\
             <SCRIPT>alert(2)</SCRIPT>\
             <a href=\"javascript:alert(3)\"><rect width=\"1\" height=\"1\"/></a>\
             <image href=\"https://evil.example/track.png\"/>\
             <use xlink:href=\"https://evil.example/sprite.svg#x\"/>\
             <foreignObject><iframe src=\"https://evil.example\"/></foreignObject>\
             <rect width=\"1\" height=\"1\" OnClick=\"alert(4)\" fill=\"url(https://evil.example/x)\" \
               style=\"fill: u&#x72;l(https://evil.example/y)\"/>\
             <style>@import url(https://evil.example/x.css);</style>\
             <animate attributeName=\"href\" to=\"javascript:alert(5)\"/>\
             <text>kept</text></svg>";
        let kept = sanitized(hostile).expect("sanitised");
        for gone in [
            "onload",
            "script",
            "SCRIPT",
            "javascript",
            "evil",
            "<a",
            "image",
            "use",
            "foreignObject",
            "iframe",
            "OnClick",
            "@import",
            "animate",
        ] {
            assert!(!kept.contains(gone), "{gone} is left in {kept}");
        }
        assert!(kept.contains("<text>kept</text>"), "{kept}");
        assert!(kept.contains("<rect width=\"1\" height=\"1\"/>"), "{kept}");
    }

    #[test]
    fn what_is_not_one_svg_document_is_refused() {
        for text in [
            "",
            "<html><svg/></html>",
            "<svg><g></svg>",
            "<svg/><svg/>",
            "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>extra<",
        ] {
            assert!(sanitized(text).is_err(), "{text}");
        }
        let entity = sanitized(
            "<!DOCTYPE svg [<!ENTITY x \"boom\">]><svg xmlns=\"http://www.w3.org/2000/svg\"><text>&x;</text></svg>",
        )
        .expect("a document");
        assert!(!entity.contains("boom") && !entity.contains("&x;") && !entity.contains("DOCTYPE"));
        let deep = format!("<svg>{}{}</svg>", "<g>".repeat(1_000), "</g>".repeat(1_000));
        assert!(sanitized(&deep).is_err());
    }
}
