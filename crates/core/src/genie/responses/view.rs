//! What the UI shows of a response, made from its output items: the steps (Genie One's
//! progress messages, Agent mode's plan and reasoning, and each query with its result), the
//! answer or report as sanitized HTML, its citations, and its supporting tables.
//!
//! Genie One cites with `annotations` (title, asset type, identifier). Agent mode cites inline,
//! with links like `\[[1](https://…/genie/rooms/{agent}/chats/{c}?…&gra_focus={call_id})\]`
//! whose `gra_focus` names the query; they become numbered references to that query.

use super::onechat;
use super::state::{Ending, ResponseState};
use crate::ErrorInfo;
use crate::genie::markdown;
use crate::sql::result_set::ResultSummary;
use crate::sql::wire::Column;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a question was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Surface {
    /// Genie One: across all the data the user may read.
    AskAnything,
    /// Agent mode in one Genie agent (a Genie space).
    AgentMode { agent_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ResponseStatus {
    /// Sent; Genie has not confirmed it yet.
    Sending,
    Working,
    /// The stream ended early; the response is being read back.
    Reconnecting,
    Completed,
    Failed,
    Stopped,
    /// Brickdesk closed before Genie confirmed the question: it may not have been asked.
    Unconfirmed,
}

impl ResponseStatus {
    pub fn is_over(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Stopped | Self::Unconfirmed
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum StepKind {
    /// A progress note, the plan, or a reasoning step.
    Note,
    /// A SQL query Genie ran.
    Query,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResponseStep {
    pub id: String,
    pub kind: StepKind,
    /// One line: a query's title, or a note's first line.
    pub title: String,
    /// The rest, sanitized HTML: the plan's list, or a query's result table.
    pub detail_html: Option<String>,
    pub sql: Option<String>,
    pub done: bool,
}

/// A source the answer rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    /// The reference number in the text (`[1]`), for inline citations.
    pub number: Option<u32>,
    pub title: String,
    /// `TABLE`, `NOTEBOOK`, `WEB`, `QUERY`, or whatever Genie names.
    pub asset_type: String,
    /// A table's full name, a URL, …
    pub identifier: Option<String>,
    /// For a query: its SQL.
    pub sql: Option<String>,
    /// Where Databricks shows it (an `https` link), if known.
    pub link: Option<String>,
}

/// A table the report shows, as a result the grid, chart and exports read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SupportingTable {
    pub title: String,
    pub sql: Option<String>,
    /// Rows the query returned in all; more than the preview when Genie cut it.
    pub total_rows: Option<u32>,
    /// The rows here, in the grid (`None` until registered).
    pub run_id: Option<u32>,
    pub summary: Option<ResultSummary>,
}

/// A supporting table's data before it is registered as a result: columns as
/// `(name, type_text)`, cells as Genie sent them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableData {
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl TableData {
    /// The columns as the grid reads them.
    pub fn columns(&self) -> Vec<Column> {
        self.columns
            .iter()
            .map(|(name, type_text)| Column {
                name: name.clone(),
                type_name: type_family(type_text),
                type_text: type_text.clone(),
                time_zone: None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResponseView {
    /// This response's id in Brickdesk (its events carry it).
    pub id: u32,
    pub surface: Surface,
    pub question: String,
    pub conversation_id: Option<String>,
    pub response_id: Option<String>,
    pub status: ResponseStatus,
    pub steps: Vec<ResponseStep>,
    /// The answer or report, sanitized HTML; empty until its text starts.
    pub text_html: String,
    /// The text is still streaming in.
    pub text_streaming: bool,
    /// The text is a question Genie asks back: the reply goes in the box.
    #[serde(default)]
    pub asks_back: bool,
    pub citations: Vec<Citation>,
    pub tables: Vec<SupportingTable>,
    pub problem: Option<ErrorInfo>,
    pub created_at_ms: f64,
}

fn texts(item: &Value) -> Vec<String> {
    item["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["text"].as_str().map(str::to_owned))
        .collect()
}

fn is_done(item: &Value) -> bool {
    !matches!(item["status"].as_str(), Some("in_progress" | "queued"))
}

/// First line as the title, the rest as detail.
fn split_note(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    match text.split_once('\n') {
        Some((first, rest)) if !rest.trim().is_empty() => (
            first.trim().trim_end_matches(':').to_owned(),
            Some(markdown::to_html(rest)),
        ),
        _ => (text.to_owned(), None),
    }
}

/// `execute_sql` arguments: a JSON object encoded in a string (or, tolerated, an object).
fn call_arguments(item: &Value) -> (Option<String>, Option<String>) {
    let arguments = match &item["arguments"] {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or(Value::Null),
        other => other.clone(),
    };
    (
        arguments["title"].as_str().map(str::to_owned),
        arguments["sql"].as_str().map(str::to_owned),
    )
}

/// The output text of a query without its bold title line (the step shows the title).
fn result_markdown(output: &str) -> &str {
    let trimmed = output.trim_start();
    match trimmed.strip_prefix("**") {
        Some(rest) => rest
            .split_once("**")
            .map_or(trimmed, |(_, after)| after.trim_start()),
        None => trimmed,
    }
}

/// The steps, in output order.
/// The steps of `output`; once the response is `over`, a query that never got a result (in
/// recorded Agent-mode streams, one Genie issued again with other arguments) is shown as not
/// run instead of running forever.
fn steps(output: &[Value], over: bool) -> Vec<ResponseStep> {
    // Each call's result by its call id, found once: a report can hold thousands of calls.
    let mut results: std::collections::HashMap<&str, &Value> = std::collections::HashMap::new();
    for o in output {
        if o["type"] == "function_call_output"
            && let Some(call_id) = o["call_id"].as_str()
        {
            results.entry(call_id).or_insert(o);
        }
    }
    let mut steps = Vec::new();
    for item in output {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        match item["type"].as_str() {
            Some("reasoning") => {
                let text = texts(item).join("\n");
                let summary = item["summary"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s["text"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                let text = if text.trim().is_empty() {
                    summary
                } else {
                    text
                };
                if text.trim().is_empty() {
                    continue;
                }
                let (title, detail_html) = split_note(&text);
                steps.push(ResponseStep {
                    id,
                    kind: StepKind::Note,
                    title,
                    detail_html,
                    sql: None,
                    done: is_done(item),
                });
            }
            Some("message") if item["role"] == "assistant" && is_progress(item) => {
                let (title, detail_html) = split_note(&texts(item).join("\n"));
                steps.push(ResponseStep {
                    id,
                    kind: StepKind::Note,
                    title,
                    detail_html,
                    sql: None,
                    done: is_done(item),
                });
            }
            Some("function_call") => {
                let call_id = item["call_id"].as_str().unwrap_or(&id).to_owned();
                let (title, sql) = call_arguments(item);
                let result = results.get(call_id.as_str()).copied();
                let not_run = over && result.is_none();
                let done = result.is_some_and(is_done) || not_run;
                let detail_html = if not_run {
                    Some(NOT_RUN_HTML.to_owned())
                } else {
                    result
                        .filter(|r| is_done(r))
                        .and_then(|r| r["output"].as_str())
                        .map(|o| markdown::to_html(result_markdown(o)))
                };
                steps.push(ResponseStep {
                    id: call_id,
                    kind: StepKind::Query,
                    title: title
                        .unwrap_or_else(|| item["name"].as_str().unwrap_or("A query").to_owned()),
                    detail_html,
                    sql,
                    done,
                });
            }
            _ => {}
        }
    }
    steps
}

/// What a query step that never ran says.
const NOT_RUN_HTML: &str = "<p><em>Not run: Genie went on without this query's result.</em></p>";

/// Genie One's progress messages: an assistant message whose `phase` says it is not the
/// final answer. Agent mode's report has no `phase`.
fn is_progress(item: &Value) -> bool {
    item["phase"]
        .as_str()
        .is_some_and(|phase| phase != "final_answer")
}

/// The answer or report: the final-answer message, else the last assistant message that is
/// not progress.
fn answer_item(output: &[Value]) -> Option<&Value> {
    let assistant = |i: &&Value| i["type"] == "message" && i["role"] == "assistant";
    output
        .iter()
        .filter(assistant)
        .find(|i| i["phase"] == "final_answer")
        .or_else(|| output.iter().filter(assistant).rfind(|i| !is_progress(i)))
}

/// One inline citation in a text: `[n](url)`, with its byte span in the text widened over a
/// wrapping `\[…\]` or `[…]` when there is one.
struct Cited<'t> {
    span: std::ops::Range<usize>,
    number: u32,
    url: &'t str,
}

/// Every `[n](url)` in `text`, left to right, in one pass: a report can hold tens of
/// thousands of citations and stray brackets, and is read again as it streams.
fn cited(text: &str) -> Vec<Cited<'_>> {
    let bytes = text.as_bytes();
    let mut found: Vec<Cited<'_>> = Vec::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find('[') {
        let open = at + offset;
        let digits = bytes[open + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let close = open + 1 + digits;
        at = open + 1;
        if digits == 0 || !text[close..].starts_with("](") {
            continue;
        }
        let Ok(number) = text[open + 1..close].parse::<u32>() else {
            continue;
        };
        let url_start = close + 2;
        let Some(url_len) = text[url_start..].find(')') else {
            // No link ends before the text does: nothing further can.
            break;
        };
        let end = url_start + url_len + 1;
        let mut span = open..end;
        let after_prior = found.last().map_or(0, |c| c.span.end);
        if open >= 2 && bytes[open - 2..open] == *b"\\[" && text[end..].starts_with("\\]") {
            span = open - 2..end + 2;
        } else if open >= 1 && bytes[open - 1] == b'[' && bytes.get(end) == Some(&b']') {
            span = open - 1..end + 1;
        }
        if span.start < after_prior {
            span = open..end;
        }
        at = span.end;
        found.push(Cited {
            span,
            number,
            url: &text[url_start..end - 1],
        });
    }
    found
}

/// `\[[n](url)\]` (and a plain `[n](url)`) cites `url`: found in `text`, with the number.
fn inline_citations(text: &str) -> Vec<(u32, String)> {
    cited(text)
        .into_iter()
        .map(|c| (c.number, c.url.to_owned()))
        .collect()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The text with inline citation links turned into plain `[n]` markers (the list below the
/// text holds the links), rendered to sanitized HTML. One pass, however many citations.
fn report_html(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut copied = 0;
    for citation in cited(text) {
        plain.push_str(&text[copied..citation.span.start]);
        plain.push_str(&format!("\\[{}\\]", citation.number));
        copied = citation.span.end;
    }
    plain.push_str(&text[copied..]);
    markdown::to_html(&plain)
}

fn citations(answer: &Value, steps: &[ResponseStep]) -> Vec<Citation> {
    let mut citations = Vec::new();
    // What is listed already, looked up in constant time: a report can cite 50,000 times.
    let mut annotated = std::collections::HashSet::new();
    let mut numbered = std::collections::HashSet::new();
    let steps: std::collections::HashMap<&str, &ResponseStep> =
        steps.iter().map(|s| (s.id.as_str(), s)).collect();
    for part in answer["content"].as_array().into_iter().flatten() {
        for annotation in part["annotations"].as_array().into_iter().flatten() {
            let title = annotation["title"]
                .as_str()
                .or_else(|| annotation["identifier"].as_str())
                .unwrap_or("A source")
                .to_owned();
            let identifier = annotation["identifier"].as_str().map(str::to_owned);
            let link = identifier
                .as_deref()
                .filter(|i| i.starts_with("https://"))
                .map(str::to_owned);
            let citation = Citation {
                number: None,
                title,
                asset_type: annotation["asset_type"]
                    .as_str()
                    .unwrap_or("SOURCE")
                    .to_owned(),
                identifier,
                sql: None,
                link,
            };
            let key = (
                citation.title.clone(),
                citation.asset_type.clone(),
                citation.identifier.clone(),
            );
            if annotated.insert(key) {
                citations.push(citation);
            }
        }
        if let Some(text) = part["text"].as_str() {
            for (number, url) in inline_citations(text) {
                if !numbered.insert(number) {
                    continue;
                }
                let focus = query_param(&url, "gra_focus");
                let step = focus.as_deref().and_then(|f| steps.get(f).copied());
                citations.push(Citation {
                    number: Some(number),
                    title: step.map_or_else(|| format!("Source {number}"), |s| s.title.clone()),
                    asset_type: if step.is_some() { "QUERY" } else { "WEB" }.to_owned(),
                    identifier: None,
                    sql: step.and_then(|s| s.sql.clone()),
                    link: url.starts_with("https://").then_some(url),
                });
            }
        }
    }
    citations
}

/// A report part's typed preview (`metadata`: `columns`, `preview_rows` of strings,
/// `total_row_count`, `sql`) as a table; `None` for a part without one.
pub fn table_of(part: &Value) -> Option<(SupportingTable, TableData)> {
    let metadata = &part["metadata"];
    let columns: Vec<(String, String)> = metadata["columns"]
        .as_array()?
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["type"].as_str().unwrap_or("STRING").to_ascii_uppercase(),
            )
        })
        .collect();
    if columns.is_empty() {
        return None;
    }
    let rows: Vec<Vec<Option<String>>> = metadata["preview_rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .map(|cell| match cell {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                })
                .collect()
        })
        .collect();
    let text = part["text"].as_str().unwrap_or_default().trim_start();
    let title = text
        .strip_prefix("**")
        .and_then(|t| t.split_once("**"))
        .map_or_else(|| "Supporting table".to_owned(), |(t, _)| t.to_owned());
    let total = metadata["total_row_count"]
        .as_u64()
        .or_else(|| {
            metadata["total_row_count"]
                .as_str()
                .and_then(|s| s.parse().ok())
        })
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    Some((
        SupportingTable {
            title,
            sql: metadata["sql"].as_str().map(str::to_owned),
            total_rows: total,
            run_id: None,
            summary: None,
        },
        TableData { columns, rows },
    ))
}

/// `DECIMAL(27,2)` → `DECIMAL`, `BIGINT` → `LONG`: the family the grid formats by.
fn type_family(type_text: &str) -> String {
    let base = type_text.split('(').next().unwrap_or(type_text).trim();
    match base {
        "BIGINT" => "LONG",
        "SMALLINT" => "SHORT",
        "TINYINT" => "BYTE",
        "INTEGER" => "INT",
        "REAL" => "FLOAT",
        other => other,
    }
    .to_owned()
}

/// The supporting tables of the answer, in order.
pub fn tables(state: &ResponseState) -> Vec<(SupportingTable, TableData)> {
    let (output, _) = onechat::normalize(&state.output);
    answer_item(&output)
        .filter(|a| is_done(a))
        .map(|a| {
            a["content"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(table_of)
                .collect()
        })
        .unwrap_or_default()
}

/// The answer's text parts without the supporting tables (those are shown in the grid).
fn answer_text(answer: &Value) -> String {
    answer["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["columns"].is_null())
        .filter_map(|p| p["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The status a response that ended this way has, and its problem in plain words.
pub fn outcome(ending: &Ending, surface: &Surface) -> (ResponseStatus, Option<ErrorInfo>) {
    let status = match ending {
        Ending::Completed => ResponseStatus::Completed,
        Ending::Cancelled => ResponseStatus::Stopped,
        Ending::Failed { .. } | Ending::Incomplete => ResponseStatus::Failed,
    };
    (status, problem_of(ending, surface))
}

/// The problem an ending stands for, in plain words.
pub fn problem_of(ending: &Ending, surface: &Surface) -> Option<ErrorInfo> {
    use crate::ErrorCode;
    let who = match surface {
        Surface::AskAnything => "Genie",
        Surface::AgentMode { .. } => "Agent mode",
    };
    match ending {
        Ending::Completed => None,
        Ending::Cancelled => Some(ErrorInfo::new(
            ErrorCode::Cancelled,
            format!("Stopped. {who} did not finish this answer."),
        )),
        Ending::Incomplete => Some(ErrorInfo::new(
            ErrorCode::Server,
            format!("{who} ended this answer before it was complete. Ask again to retry."),
        )),
        Ending::Failed { message, .. } => Some(ErrorInfo::new(
            ErrorCode::Server,
            match message.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                Some(m) => format!(
                    "{who} could not answer this (Databricks said: {}). Try again, or rephrase \
                     the question.",
                    m.trim_end_matches('.')
                ),
                None => {
                    format!("{who} could not answer this. Try again, or rephrase the question.")
                }
            },
        )),
    }
}

/// The parts of a view that come from the response's output.
#[derive(Debug)]
pub struct Rendered {
    pub steps: Vec<ResponseStep>,
    pub text_html: String,
    pub text_streaming: bool,
    pub citations: Vec<Citation>,
    /// The text is a question Genie asks back.
    pub asks_back: bool,
}

pub fn render(state: &ResponseState) -> Rendered {
    let (output, read) = onechat::normalize(&state.output);
    let steps = steps(&output, state.ending.is_some());
    let answer = answer_item(&output);
    let (text_html, text_streaming, citations) = match answer {
        Some(answer) => {
            let text = answer_text(answer);
            (
                report_html(&text),
                !is_done(answer),
                if is_done(answer) {
                    citations(answer, &steps)
                } else {
                    Vec::new()
                },
            )
        }
        None => (String::new(), false, Vec::new()),
    };
    Rendered {
        steps,
        text_html,
        text_streaming,
        citations,
        asks_back: read.asks_back,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(output: Value) -> ResponseState {
        let mut state = ResponseState::default();
        state.take_snapshot(&json!({ "id": "r", "status": "completed", "output": output }));
        state
    }

    #[test]
    fn a_query_genie_issued_again_shows_as_not_run_once_the_report_is_over() {
        // As in a recorded Agent-mode stream: two calls with no output, retried.
        let output = json!([
            {"type":"function_call","id":"a","call_id":"a","status":"completed","name":"execute_sql",
             "arguments":"{\"title\":\"First try\",\"sql\":\"SELECT 1\"}"},
            {"type":"reasoning","id":"r","status":"completed",
             "content":[{"type":"reasoning_text","text":"Let me retry that query"}]},
            {"type":"function_call","id":"b","call_id":"b","status":"completed","name":"execute_sql",
             "arguments":"{\"title\":\"Second try\",\"sql\":\"SELECT 1\"}"},
            {"type":"function_call_output","id":"b_output","call_id":"b","status":"completed","output":"**Second try**"}
        ]);
        let mut running = ResponseState::default();
        running.take_snapshot(&json!({ "id": "r", "status": "in_progress", "output": output }));
        let first = &render(&running).steps[0];
        assert!(!first.done, "still running while the response goes on");
        let over = state(output);
        let steps = render(&over).steps;
        assert!(steps.iter().all(|s| s.done));
        assert!(
            steps[0]
                .detail_html
                .as_deref()
                .is_some_and(|d| d.contains("Not run")),
            "{:?}",
            steps[0]
        );
        assert!(
            !steps[2]
                .detail_html
                .as_deref()
                .unwrap_or_default()
                .contains("Not run")
        );
    }

    #[test]
    fn an_agent_report_numbers_its_inline_citations_by_the_queries_they_focus() {
        let link = "https://example.cloud.databricks.com/genie/rooms/s/chats/c?o=1&gra_focus=call1";
        let output = json!([
            {"type":"reasoning","id":"p","status":"completed",
             "content":[{"type":"reasoning_text","text":"I'll research this in 2 steps:\n1. Revenue\n2. By region"}]},
            {"type":"function_call","id":"call1","call_id":"call1","status":"completed","name":"execute_sql",
             "arguments":"{\"title\":\"Revenue by year\",\"sql\":\"SELECT 1\"}"},
            {"type":"function_call_output","id":"call1_output","call_id":"call1","status":"completed",
             "output":"**Revenue by year**\n\n| y | r |\n| --- | --- |\n| 1995 | 10 |"},
            {"type":"function_call","id":"call2","call_id":"call2","status":"completed","name":"execute_sql",
             "arguments":"{\"title\":\"By region\",\"sql\":\"SELECT 2\"}"},
            {"type":"function_call_output","id":"call2_output","call_id":"call2","status":"in_progress","output":"**By region**"},
            {"type":"message","id":"m","role":"assistant","status":"completed","content":[
                {"type":"output_text","text":format!("Revenue peaked in 1995 \\[[1]({link})\\]."),"annotations":[]},
                {"type":"output_text","text":"**Revenue by year**\n\n| y |","annotations":[],
                 "metadata":{"sql":"SELECT 1","columns":[{"name":"y","type":"BIGINT"},{"name":"r","type":"DECIMAL(27,2)"}],
                             "preview_rows":[["1995","10.50"]],"status":"available","total_row_count":7}}
            ]}
        ]);
        let state = state(output);
        let rendered = render(&state);
        assert_eq!(rendered.steps.len(), 3);
        assert_eq!(rendered.steps[0].title, "I'll research this in 2 steps");
        assert!(
            rendered.steps[0]
                .detail_html
                .as_deref()
                .is_some_and(|d| d.contains("<ol>"))
        );
        assert_eq!(rendered.steps[1].title, "Revenue by year");
        assert!(rendered.steps[1].done);
        assert!(
            rendered.steps[1]
                .detail_html
                .as_deref()
                .is_some_and(|d| d.contains("<table>"))
        );
        assert!(!rendered.steps[2].done, "its output is still running");
        assert!(
            rendered.text_html.contains("1995 [1]."),
            "{}",
            rendered.text_html
        );
        assert!(!rendered.text_html.contains("gra_focus"));
        assert!(
            !rendered.text_html.contains("<table>"),
            "the table is in the grid"
        );
        assert_eq!(rendered.citations.len(), 1);
        let citation = &rendered.citations[0];
        assert_eq!(citation.number, Some(1));
        assert_eq!(citation.title, "Revenue by year");
        assert_eq!(citation.sql.as_deref(), Some("SELECT 1"));
        assert_eq!(citation.link.as_deref(), Some(link));
        let tables = tables(&state);
        assert_eq!(tables.len(), 1);
        let (table, data) = &tables[0];
        assert_eq!(table.title, "Revenue by year");
        assert_eq!(table.total_rows, Some(7));
        assert_eq!(data.columns()[0].type_name, "LONG");
        assert_eq!(data.columns()[1].type_name, "DECIMAL");
        assert_eq!(
            data.rows,
            vec![vec![Some("1995".into()), Some("10.50".into())]]
        );
    }

    #[test]
    fn genie_one_progress_is_steps_and_the_final_answer_carries_its_annotations() {
        let output = json!([
            {"type":"message","id":"a","role":"assistant","status":"completed","phase":"commentary",
             "content":[{"type":"output_text","text":"Searching the data you can use."}]},
            {"type":"message","id":"b","role":"assistant","status":"in_progress","phase":"final_answer",
             "content":[{"type":"output_text","text":"Revenue rose 12%","annotations":[]}]}
        ]);
        let streaming = render(&state(output.clone()));
        assert_eq!(streaming.steps.len(), 1);
        assert!(streaming.text_streaming);
        assert!(streaming.text_html.contains("Revenue rose 12%"));
        let mut done = output;
        done[1]["status"] = json!("completed");
        done[1]["content"][0]["annotations"] = json!([
            {"type":"asset","title":"main.sales.orders","asset_type":"TABLE","identifier":"main.sales.orders"},
            {"type":"asset","title":"Pricing page","asset_type":"WEB","identifier":"https://example.com/p"},
            {"type":"asset","title":"Odd","asset_type":"HOLOGRAM"}
        ]);
        let finished = render(&state(done));
        assert!(!finished.text_streaming);
        let kinds: Vec<&str> = finished
            .citations
            .iter()
            .map(|c| c.asset_type.as_str())
            .collect();
        assert_eq!(kinds, ["TABLE", "WEB", "HOLOGRAM"]);
        assert_eq!(finished.citations[0].link, None);
        assert_eq!(
            finished.citations[1].link.as_deref(),
            Some("https://example.com/p")
        );
    }

    #[test]
    fn unknown_items_and_odd_shapes_are_skipped_not_fatal() {
        let output = json!([
            {"type":"web_search_call","id":"w","status":"completed"},
            {"type":"function_call","id":"f","name":"execute_sql","arguments":"not json"},
            {"type":"message","id":"u","role":"user","content":[{"type":"input_text","text":"q"}]},
            {"type":"message","id":"m","role":"assistant","content":"a string, not parts"}
        ]);
        let rendered = render(&state(output));
        assert_eq!(rendered.steps.len(), 1);
        assert_eq!(rendered.steps[0].title, "execute_sql");
        assert_eq!(rendered.text_html, "");
    }

    #[test]
    fn a_report_with_fifty_thousand_citations_and_stray_brackets_reads_whole() {
        let link = |n: u32| format!("https://h.example/genie?gra_focus=call_{n}");
        let mut text = String::from("Revenue [[ rose [ again");
        for n in 1..=50_000u32 {
            text.push_str(&format!(" fact \\[[{n}]({})\\] [[ [x] [", link(n)));
        }
        text.push_str(&"[".repeat(200_000));
        let answer = json!({"type":"message","role":"assistant","status":"completed",
            "content":[{"type":"output_text","text":text,"annotations":[]}]});
        let found = cited(&text);
        assert_eq!(found.len(), 50_000);
        assert_eq!(found[49_999].number, 50_000);
        assert_eq!(found[0].url, link(1));
        let html = report_html(&text);
        assert!(html.contains("[50000]"), "the last marker is there");
        assert!(!html.contains("gra_focus"), "no link stays inline");
        let listed = citations(&answer, &[]);
        assert_eq!(listed.len(), 50_000);
        assert_eq!(listed[123].number, Some(124));
        // The wrapped, bracketed and plain forms all become a plain marker.
        for form in ["\\[[7](https://a)\\]", "[[7](https://a)]", "[7](https://a)"] {
            let html = report_html(&format!("x {form} y"));
            assert!(html.contains("x [7] y"), "{form}: {html}");
        }
    }
}
