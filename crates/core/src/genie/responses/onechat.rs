//! Genie One's other stream dialect, read into the shapes [`super::view`] reads.
//!
//! The API reference marks progress and the answer with `phase`; the only Databricks-written
//! client of the same engine (databricks/cli `libs/genie/adapter.go`, fixture
//! `acceptance/genie/ask`) reads another dialect, and a client must not lose an answer to
//! either:
//! - assistant messages with `metadata.ui_type` `THOUGHT` (progress) or `FINAL_RESPONSE`;
//! - an answer delivered as a `function_call` named `output_final_response` (`arguments.
//!   response`), shown only if no message already says it (the CLI's rule);
//! - a question back as `ask_user_questions` (`arguments.questions[{question, type,
//!   choices[{label, description}]}]`);
//! - `execute_sql_query` calls (`{query, thought}`) beside `execute_sql` (`{sql, title}`);
//! - query previews as `function_call_output.metadata` (`ui_type: QUERY_EXECUTION`,
//!   `statement_id`, `result_data{columns, preview_rows}`) and charts as `ui_type: VIZ` whose
//!   `sql_id` names the preview, referenced in the text as `![title](#viz_1)`: each chart
//!   becomes a supporting table (the grid charts it), and the reference leaves the text.

use serde_json::{Value, json};

/// What the dialect adds to a rendering: whether the answer is a question back.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    pub asks_back: bool,
}

fn arguments(item: &Value) -> Value {
    match &item["arguments"] {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

fn text_message(id: &str, status: &str, text: String, phase: &str) -> Value {
    json!({"type": "message", "id": id, "role": "assistant", "status": status, "phase": phase,
           "content": [{"type": "output_text", "text": text, "annotations": []}]})
}

/// `ask_user_questions` as text a person answers in the box.
fn questions_text(arguments: &Value) -> String {
    let mut lines = Vec::new();
    for question in arguments["questions"].as_array().into_iter().flatten() {
        let Some(text) = question["question"]
            .as_str()
            .filter(|q| !q.trim().is_empty())
        else {
            continue;
        };
        let yes_no = if question["type"] == "confirmation" {
            " (yes or no)"
        } else {
            ""
        };
        lines.push(format!("**{}**{yes_no}", text.trim()));
        for choice in question["choices"].as_array().into_iter().flatten() {
            let Some(label) = choice["label"].as_str() else {
                continue;
            };
            match choice["description"].as_str().filter(|d| !d.is_empty()) {
                Some(description) => lines.push(format!("- {label}: {description}")),
                None => lines.push(format!("- {label}")),
            }
        }
    }
    lines.join("\n\n")
}

/// Removes chart references (`![…](#viz_…)`) and embedded-block markers from answer text.
pub fn strip_chart_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("![") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let reference = after
            .find("](#viz_")
            .filter(|close| !after[2..*close].contains(['\n', ']']))
            .and_then(|close| after[close..].find(')').map(|end| close + end + 1));
        match reference {
            Some(end) => rest = &after[end..],
            None => {
                out.push_str("![");
                rest = &after[2..];
            }
        }
    }
    out.push_str(rest);
    out.lines()
        .filter(|l| {
            let t = l.trim();
            !(t.starts_with("<!-- begin-embedded:") || t.starts_with("<!-- end-embedded:"))
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
}

/// The output with the dialect's items in the phase dialect's shapes; `output` is returned
/// as it is when nothing in it is of the other dialect.
pub fn normalize(output: &[Value]) -> (Vec<Value>, Read) {
    let of_dialect = |i: &Value| {
        i["metadata"]["ui_type"].is_string()
            || matches!(
                i["name"].as_str(),
                Some("output_final_response" | "ask_user_questions" | "execute_sql_query")
            )
    };
    if !output.iter().any(of_dialect) {
        return (output.to_vec(), Read::default());
    }
    let mut read = Read::default();
    let previews: Vec<&Value> = output
        .iter()
        .filter(|i| i["metadata"]["ui_type"] == "QUERY_EXECUTION")
        .collect();
    let said: Vec<String> = output
        .iter()
        .filter(|i| i["type"] == "message" && i["metadata"]["ui_type"] != "THOUGHT")
        .flat_map(|i| i["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["text"].as_str().map(str::to_owned))
        .collect();
    let mut items = Vec::with_capacity(output.len());
    let mut charts = Vec::new();
    for item in output {
        let id = item["id"].as_str().unwrap_or_default();
        let status = item["status"].as_str().unwrap_or("completed");
        match (item["type"].as_str(), item["metadata"]["ui_type"].as_str()) {
            (Some("message"), Some("THOUGHT")) => {
                let mut progress = item.clone();
                progress["phase"] = json!("commentary");
                items.push(progress);
            }
            (Some("message"), Some("FINAL_RESPONSE")) => {
                let mut answer = item.clone();
                answer["phase"] = json!("final_answer");
                items.push(answer);
            }
            (Some("function_call_output"), Some("VIZ")) => charts.push(item),
            (Some("function_call_output"), Some("QUERY_EXECUTION")) => {}
            (Some("function_call"), _) => match item["name"].as_str() {
                Some("output_final_response") => {
                    let response = arguments(item)["response"].as_str().map(str::to_owned);
                    if let Some(text) =
                        response.filter(|t| !said.iter().any(|s| s.contains(t.trim())))
                    {
                        items.push(text_message(id, status, text, "final_answer"));
                    }
                }
                Some("ask_user_questions") => {
                    let text = questions_text(&arguments(item));
                    if !text.is_empty() {
                        read.asks_back = true;
                        items.push(text_message(id, status, text, "final_answer"));
                    }
                }
                Some("execute_sql_query") => {
                    let arguments = arguments(item);
                    let mut call = item.clone();
                    call["arguments"] = json!({
                        "sql": arguments["query"].as_str().or_else(|| item["metadata"]["query"].as_str()),
                        "title": arguments["thought"],
                    })
                    .to_string()
                    .into();
                    items.push(call);
                }
                _ => items.push(item.clone()),
            },
            _ => items.push(item.clone()),
        }
    }
    // A call's preview, as the step's result (the phase dialect's `output` text).
    for preview in &previews {
        let call_id = preview["call_id"].as_str();
        if call_id.is_some()
            && items
                .iter()
                .any(|i| i["type"] == "function_call" && i["call_id"].as_str() == call_id)
        {
            let mut output = (*preview).clone();
            output["output"] = json!(markdown_table(&preview["metadata"]["result_data"]));
            items.push(output);
        }
    }
    // Charts become supporting tables of the answer (the grid draws them).
    let tables: Vec<Value> = charts
        .iter()
        .filter_map(|chart| {
            let metadata = &chart["metadata"];
            let sql_id = metadata["sql_id"]
                .as_str()
                .or_else(|| metadata["statement_id"].as_str())?;
            let preview = previews
                .iter()
                .find(|p| p["metadata"]["statement_id"].as_str() == Some(sql_id))?;
            let definition: Value = metadata["viz_definition"]
                .as_str()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or(Value::Null);
            let title = definition["renderSpec"]["frame"]["title"]
                .as_str()
                .unwrap_or("Chart");
            let data = &preview["metadata"]["result_data"];
            let columns: Vec<Value> = data["columns"]
                .as_array()?
                .iter()
                .map(|c| json!({"name": c["name"], "type": c["type"].as_str().unwrap_or("STRING")}))
                .collect();
            let sql = items
                .iter()
                .find(|i| i["type"] == "function_call" && i["call_id"] == preview["call_id"])
                .and_then(|call| arguments(call)["sql"].as_str().map(str::to_owned));
            Some(
                json!({"type": "output_text", "text": format!("**{title}**"),
                        "metadata": {"columns": columns, "preview_rows": data["preview_rows"],
                                     "sql": sql}}),
            )
        })
        .collect();
    for item in &mut items {
        if item["type"] != "message" || item["phase"] != "final_answer" {
            continue;
        }
        if let Some(parts) = item["content"].as_array_mut() {
            for part in parts.iter_mut() {
                if let Some(text) = part["text"].as_str() {
                    part["text"] = json!(strip_chart_references(text));
                }
            }
            parts.extend(tables.iter().cloned());
        }
    }
    (items, read)
}

/// A `result_data` preview as a Markdown table (at most 20 rows).
fn markdown_table(data: &Value) -> String {
    let names: Vec<String> = data["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["name"].as_str().unwrap_or_default().replace('|', "\\|"))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    let mut text = format!(
        "| {} |\n|{}|\n",
        names.join(" | "),
        vec![" --- "; names.len()].join("|")
    );
    for row in data["preview_rows"]
        .as_array()
        .into_iter()
        .flatten()
        .take(20)
    {
        let cells: Vec<String> = row
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| match c {
                Value::String(s) => s.replace('|', "\\|"),
                Value::Null => "NULL".into(),
                other => other.to_string(),
            })
            .collect();
        text.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_references_and_embedded_markers_leave_the_text() {
        assert_eq!(
            strip_chart_references("Alpha leads.\n\n![Total by Franchise](#viz_1)"),
            "Alpha leads."
        );
        assert_eq!(
            strip_chart_references("a ![x](https://e.example/p.png) b"),
            "a ![x](https://e.example/p.png) b",
            "only chart references go"
        );
        assert_eq!(
            strip_chart_references(
                "<!-- begin-embedded:viz_1 -->\n![C](#viz_1)\n<!-- end-embedded:viz_1 -->\nDone"
            ),
            "\nDone"
        );
    }

    #[test]
    fn questions_read_as_questions() {
        let text = questions_text(&json!({"questions": [
            {"question": "Which region?", "type": "choice",
             "choices": [{"label": "US", "description": "United States"}, {"label": "EU"}]},
            {"question": "Proceed with all regions?", "type": "confirmation"}]}));
        assert_eq!(
            text,
            "**Which region?**\n\n- US: United States\n\n- EU\n\n**Proceed with all regions?** (yes or no)"
        );
    }
}
