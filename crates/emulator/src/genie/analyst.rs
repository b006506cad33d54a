//! The emulator's stand-in for Genie's language model: a deterministic, rule-based analyst.
//!
//! A question is read as a *plan* (a measure, an optional breakdown, optional year and month
//! filters) over one sample dataset. A follow-up starts from the previous plan and changes only
//! what it mentions, so "now by month" and "only 2016" work in context. A question it cannot
//! map gets a clarifying text-only answer. The plan becomes Databricks SQL; the answer text is
//! written from the statement's real result rows.

use super::datasets::{Axis, Dataset};
use serde_json::Value;

/// What a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub measure: usize,
    pub dimension: Option<usize>,
    pub year: Option<i32>,
    pub month: Option<u32>,
}

/// A query answer before it runs.
#[derive(Debug, Clone)]
pub struct Query {
    pub plan: Plan,
    pub title: String,
    pub description: String,
    pub sql: String,
    /// `(thought_type, Markdown)`.
    pub thoughts: Vec<(&'static str, String)>,
    /// A clarifying question Genie asks beside its answer (a second text attachment).
    pub follow_up: Option<String>,
    /// The rows themselves, not a measure: the answer text describes them instead of a value.
    pub listing: bool,
}

#[derive(Debug, Clone)]
pub enum Answer {
    Query(Query),
    /// Genie asks the user to rephrase; a text attachment with purpose `FOLLOW_UP_QUESTION`.
    Clarify {
        text: String,
        suggestions: Vec<String>,
    },
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Lower case, words separated by single spaces, padded so `" by month "` matches whole words.
fn normalize(question: &str) -> String {
    let words: Vec<String> = question
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    format!(" {} ", words.join(" "))
}

fn mentions(text: &str, phrase: &str) -> bool {
    text.contains(&format!(" {phrase} "))
}

fn find_year(text: &str) -> Option<i32> {
    text.split(' ')
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1900..=2100).contains(y))
}

fn find_month(text: &str) -> Option<u32> {
    MONTHS.iter().zip(1u32..).find_map(|(name, number)| {
        let named = if *name == "may" {
            // "may" is usually the verb; only "in May", "only May", "of May" name the month.
            ["in may", "only may", "of may", "during may"]
                .iter()
                .any(|p| mentions(text, p))
        } else {
            mentions(text, name) || (name.len() > 4 && mentions(text, &name[..3]))
        };
        named.then_some(number)
    })
}

fn clears_filters(text: &str) -> bool {
    [
        "whole period",
        "all time",
        "all dates",
        "every month",
        "no filter",
        "all years",
    ]
    .iter()
    .any(|p| mentions(text, p))
}

fn drops_breakdown(text: &str) -> bool {
    [
        "in total",
        "overall",
        "altogether",
        "no breakdown",
        "grand total",
    ]
    .iter()
    .any(|p| mentions(text, p))
}

/// Reads `question`, in the context of the previous plan of the conversation if any.
pub fn answer(
    dataset: &Dataset,
    question: &str,
    context: Option<&Plan>,
    samples: &[String],
) -> Answer {
    let text = normalize(question);
    let measure = dataset
        .measures
        .iter()
        .position(|m| m.phrases.iter().any(|p| mentions(&text, p)));
    let dimension = dataset
        .dimensions
        .iter()
        .position(|d| d.phrases.iter().any(|p| mentions(&text, p)));
    let (year, month) = (find_year(&text), find_month(&text));
    if lists_rows(dataset, &text) {
        return Answer::Query(write_listing(dataset, year, month));
    }
    let (clear, overall) = (clears_filters(&text), drops_breakdown(&text));
    let understood = measure.is_some()
        || dimension.is_some()
        || year.is_some()
        || month.is_some()
        || ((clear || overall) && context.is_some());
    if !understood {
        return clarify(dataset, context.is_some(), samples);
    }
    let base = context.copied().unwrap_or(Plan {
        measure: dataset.measures.len() - 1,
        dimension: None,
        year: None,
        month: None,
    });
    let mut plan = Plan {
        measure: measure.unwrap_or(base.measure),
        dimension: if overall {
            None
        } else {
            dimension.or(base.dimension)
        },
        year: if clear { None } else { base.year },
        month: if clear { None } else { base.month },
    };
    if year.is_some() {
        plan.year = year;
    }
    if month.is_some() {
        plan.month = month;
    }
    let mut query = write_query(dataset, plan, context.is_some());
    if plan.year.is_none() && plan.month.is_none() && vague_about_time(&text) {
        query.follow_up = Some(
            "Which period do you mean by that? I used all the data. Ask again with a month or a \
             year, for example \"only January 2016\"."
                .into(),
        );
    }
    Answer::Query(query)
}

/// "List the order lines", "show all trips": the rows themselves.
fn lists_rows(dataset: &Dataset, text: &str) -> bool {
    let asks_for_rows = [
        "list",
        "show all",
        "show me all",
        "show every",
        "show me every",
        "give me all",
        "all rows",
    ]
    .iter()
    .any(|p| mentions(text, p));
    asks_for_rows && dataset.listing.phrases.iter().any(|p| mentions(text, p))
}

/// The SQL for the listed rows, filtered to a year and month when the question names them.
fn write_listing(dataset: &Dataset, year: Option<i32>, month: Option<u32>) -> Query {
    let listing = &dataset.listing;
    let plan = Plan {
        measure: dataset.measures.len() - 1,
        dimension: None,
        year,
        month,
    };
    let mut sql = format!("SELECT\n  {}\nFROM {}", listing.columns, listing.from);
    let mut filters = Vec::new();
    if let Some(year) = year {
        filters.push(format!("year({}) = {year}", listing.time_column));
    }
    if let Some(month) = month {
        filters.push(format!("month({}) = {month}", listing.time_column));
    }
    if !filters.is_empty() {
        sql.push_str(&format!("\nWHERE {}", filters.join("\n  AND ")));
    }
    sql.push_str(&format!("\nORDER BY {}", listing.order_by));
    let scope = scope(&plan);
    let description = format!("Lists the {}{scope} from {}.", listing.label, listing.from);
    Query {
        plan,
        title: format!("{}{scope}", capitalize(listing.label)),
        thoughts: vec![
            ("THOUGHT_TYPE_DESCRIPTION", description.clone()),
            (
                "THOUGHT_TYPE_UNDERSTANDING",
                format!(
                    "You asked for the **{}**{scope} themselves, one row each.",
                    listing.label
                ),
            ),
            (
                "THOUGHT_TYPE_DATA_SOURCING",
                format!("Using `{}`.", listing.from),
            ),
        ],
        description,
        sql,
        follow_up: None,
        listing: true,
    }
}

/// The answer text for listed rows.
pub fn summarize_listing(dataset: &Dataset, plan: &Plan, rows: u64, truncated: bool) -> String {
    let scope = scope(plan);
    let label = dataset.listing.label;
    if rows == 0 {
        return format!("No {label} matched{scope}.");
    }
    if truncated {
        format!(
            "Here are the {label}{scope}, ordered by {}. The table holds the first {} of them.",
            dataset.listing.order_by,
            group_thousands(&rows.to_string())
        )
    } else {
        format!(
            "Here are the **{}** {label}{scope}, ordered by {}.",
            group_thousands(&rows.to_string()),
            dataset.listing.order_by
        )
    }
}

/// "recently", "lately": Genie answers for all the data and asks which period was meant.
fn vague_about_time(text: &str) -> bool {
    ["recently", "lately", "these days", "nowadays"]
        .iter()
        .any(|p| mentions(text, p))
}

fn clarify(dataset: &Dataset, in_context: bool, samples: &[String]) -> Answer {
    let text = if in_context {
        "I'm not sure what to change in the previous answer. You can ask for another breakdown \
         (\"now by month\"), another measure, or a filter (\"only January\")."
            .to_owned()
    } else {
        format!(
            "I can only answer questions about {}. Could you rephrase your question? For example: \
             \"{}\"",
            dataset.topic,
            samples
                .first()
                .map_or("How many are there?", String::as_str)
        )
    };
    Answer::Clarify {
        text,
        suggestions: samples.iter().take(3).cloned().collect(),
    }
}

/// " in January 2016", " in 2016", " in January", or "".
fn scope(plan: &Plan) -> String {
    let month = plan.month.map(|m| capitalize(MONTHS[(m - 1) as usize]));
    match (month, plan.year) {
        (Some(m), Some(y)) => format!(" in {m} {y}"),
        (Some(m), None) => format!(" in {m}"),
        (None, Some(y)) => format!(" in {y}"),
        (None, None) => String::new(),
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The SQL, title, description and thoughts for `plan`.
pub fn write_query(dataset: &Dataset, plan: Plan, follow_up: bool) -> Query {
    let measure = &dataset.measures[plan.measure];
    let dimension = plan.dimension.map(|d| &dataset.dimensions[d]);
    let mut sql = String::from("SELECT\n");
    if let Some(d) = dimension {
        sql.push_str(&format!("  {} AS {},\n", d.expr, d.alias));
    }
    sql.push_str(&format!("  {} AS {}\n", measure.expr, measure.alias));
    sql.push_str(&format!(
        "FROM {}{}",
        dataset.from,
        dimension.map_or("", |d| d.joins)
    ));
    let mut filters = Vec::new();
    if let Some(year) = plan.year {
        filters.push(format!("year({}) = {year}", dataset.time_column));
    }
    if let Some(month) = plan.month {
        filters.push(format!("month({}) = {month}", dataset.time_column));
    }
    if !filters.is_empty() {
        sql.push_str(&format!("\nWHERE {}", filters.join("\n  AND ")));
    }
    if let Some(d) = dimension {
        sql.push_str(&format!("\nGROUP BY {}", d.expr));
        match d.top {
            Some(n) => sql.push_str(&format!(
                "\nORDER BY {} DESC, {}\nLIMIT {n}",
                measure.alias, d.alias
            )),
            None => sql.push_str(&format!("\nORDER BY {}", d.alias)),
        }
    }
    let scope = scope(&plan);
    let per = dimension.map_or(String::new(), |d| match d.top {
        Some(n) => format!(" for the top {n} by {}", d.label),
        None => format!(" by {}", d.label),
    });
    let title = format!("{}{per}{scope}", capitalize(measure.label));
    let description = format!(
        "Computes the {}{per} from {}{}.",
        measure.label,
        dataset.tables.join(", "),
        if scope.is_empty() {
            String::new()
        } else {
            format!(", for rows{scope}")
        }
    );
    let mut understanding = format!("You asked for the **{}**{per}{scope}.", measure.label);
    if follow_up {
        understanding.push_str(" I kept everything else from the previous question.");
    }
    Query {
        plan,
        title,
        thoughts: vec![
            ("THOUGHT_TYPE_DESCRIPTION", description.clone()),
            ("THOUGHT_TYPE_UNDERSTANDING", understanding),
            (
                "THOUGHT_TYPE_DATA_SOURCING",
                format!("Using `{}`.", dataset.tables.join("`, `")),
            ),
        ],
        description,
        sql,
        follow_up: None,
        listing: false,
    }
}

/// `1234567.5` → `1,234,567.5`; a timestamp (`2016-02-29T18:58:00.000-05:00`) as its
/// wall-clock time (`2016-02-29 18:58`); anything else as it is.
fn group_thousands(value: &str) -> String {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(value) {
        return at.format("%Y-%m-%d %H:%M").to_string();
    }
    let (sign, digits) = value
        .strip_prefix('-')
        .map_or(("", value), |rest| ("-", rest));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return value.to_owned();
    }
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A result key as a reader wants it: a month as "January 2016", a date without a time.
fn format_key(value: &Value, alias: &str) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => return "(none)".into(),
        other => other.to_string(),
    };
    if alias.ends_with("_month")
        && let (Some(year), Some(month)) = (text.get(0..4), text.get(5..7))
        && let Ok(month) = month.parse::<usize>()
        && (1..=12).contains(&month)
    {
        return format!("{} {year}", capitalize(MONTHS[month - 1]));
    }
    // A timestamp shows its date only; other keys ("UNITED STATES") stay whole.
    let is_timestamp = text.len() > 10
        && text.as_bytes()[10] == b'T'
        && text[..10].bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if is_timestamp {
        text[..10].to_owned()
    } else {
        text
    }
}

/// The answer text for a finished query, written from its rows (`data_array`).
pub fn summarize(dataset: &Dataset, plan: &Plan, rows: &[Vec<Value>]) -> String {
    let measure = &dataset.measures[plan.measure];
    let scope = scope(plan);
    let value = |v: &Value| match v.as_str() {
        Some(s) => format!("{}{}", measure.unit, group_thousands(s)),
        None => "no value".into(),
    };
    let Some(dimension) = plan.dimension.map(|d| &dataset.dimensions[d]) else {
        return match rows.first().and_then(|r| r.first()) {
            Some(v) if !v.is_null() => measure
                .sentence
                .replace("{v}", &value(v))
                .replace("{scope}", &scope),
            _ => format!("No data matched{scope}."),
        };
    };
    let numeric = |row: &Vec<Value>| {
        row.get(1)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(f64::MIN)
    };
    if rows.is_empty() {
        return format!("No data matched{scope}.");
    }
    let key = |row: &Vec<Value>| format_key(row.first().unwrap_or(&Value::Null), dimension.alias);
    let cell = |row: &Vec<Value>| value(row.get(1).unwrap_or(&Value::Null));
    if dimension.top.is_some() {
        let first = &rows[0];
        let mut text = format!(
            "**{}** has the most {}{scope}: **{}**.",
            key(first),
            measure.label,
            cell(first)
        );
        if let Some(second) = rows.get(1) {
            text.push_str(&format!(" Next is {} with {}.", key(second), cell(second)));
        }
        text.push_str(&format!(
            " The table shows the top {} by {}.",
            rows.len(),
            dimension.label
        ));
        return text;
    }
    let (mut high, mut low) = (&rows[0], &rows[0]);
    for row in rows {
        if numeric(row) > numeric(high) {
            high = row;
        }
        if numeric(row) < numeric(low) {
            low = row;
        }
    }
    let what = if dimension.axis == Axis::Time {
        "over time"
    } else {
        "across the groups"
    };
    format!(
        "The {} by {}{scope} ranges from **{}** ({}) to **{}** ({}), {what} shown in {} rows.",
        measure.label,
        dimension.label,
        cell(low),
        key(low),
        cell(high),
        key(high),
        rows.len()
    )
}

/// Follow-up questions for an answered plan: another breakdown, another measure, a filter.
/// Each is a question [`answer`] understands in the context of `plan`.
pub fn suggestions(dataset: &Dataset, plan: &Plan) -> Vec<String> {
    let dimensions = dataset.dimensions;
    let next_dimension = match plan.dimension {
        None => dimensions.iter().position(|d| d.axis == Axis::Time),
        Some(d) => Some((d + 1) % dimensions.len()),
    };
    let mut out = Vec::new();
    if let Some(d) = next_dimension {
        out.push(format!("Now by {}", dimensions[d].label));
    }
    let next_measure = (plan.measure + 1) % dataset.measures.len();
    out.push(dataset.measures[next_measure].follow_up.to_owned());
    if plan.year.is_some() || plan.month.is_some() {
        out.push("For the whole period".into());
    } else if dataset.years.0 == dataset.years.1 {
        out.push("Only January".into());
    } else {
        out.push(format!("Only {}", dataset.years.1 - 1));
    }
    out
}

/// How well `dataset` matches `question`: its measure phrases count twice, breakdowns and row
/// listings once. Genie One answers from the readable dataset that matches best.
pub fn relevance(dataset: &Dataset, question: &str) -> u32 {
    let text = normalize(question);
    let hits = |phrases: &[&str]| u32::from(phrases.iter().any(|p| mentions(&text, p)));
    let measures: u32 = dataset.measures.iter().map(|m| 2 * hits(m.phrases)).sum();
    let dimensions: u32 = dataset.dimensions.iter().map(|d| hits(d.phrases)).sum();
    measures + dimensions + hits(dataset.listing.phrases)
}

/// Agent mode's research plan for a question: 2 to 4 queries that look at its measure from
/// different sides: the total, over time, by the top category, and the breakdown asked for.
/// `None` when the analyst does not understand the question.
pub fn research(dataset: &Dataset, question: &str, context: Option<&Plan>) -> Option<Vec<Query>> {
    let Answer::Query(asked) = answer(dataset, question, context, &[]) else {
        return None;
    };
    if asked.listing {
        return None;
    }
    let base = asked.plan;
    let time = dataset.dimensions.iter().position(|d| d.axis == Axis::Time);
    let category = dataset
        .dimensions
        .iter()
        .position(|d| d.axis == Axis::Category && d.top.is_some());
    let mut plans = vec![Plan {
        dimension: None,
        ..base
    }];
    for dimension in [time, category, base.dimension] {
        let plan = Plan { dimension, ..base };
        if dimension.is_some() && !plans.contains(&plan) {
            plans.push(plan);
        }
    }
    plans.truncate(4);
    (plans.len() >= 2).then(|| {
        plans
            .into_iter()
            .map(|plan| write_query(dataset, plan, false))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genie::datasets::{NYCTAXI, TPCH};

    fn plan_of(answer: Answer) -> Plan {
        match answer {
            Answer::Query(q) => q.plan,
            Answer::Clarify { text, .. } => panic!("expected a query, got: {text}"),
        }
    }

    fn sql_of(answer: Answer) -> String {
        match answer {
            Answer::Query(q) => q.sql,
            Answer::Clarify { text, .. } => panic!("expected a query, got: {text}"),
        }
    }

    #[test]
    fn keys_keep_their_words_and_timestamps_their_date() {
        let key = |v: &str| format_key(&Value::String(v.into()), "country");
        assert_eq!(key("UNITED STATES"), "UNITED STATES");
        assert_eq!(key("2016-01-05T00:00:00.000Z"), "2016-01-05");
        assert_eq!(key("TOTAL 2016"), "TOTAL 2016");
    }

    #[test]
    fn counting_question_is_a_count() {
        let sql = sql_of(answer(&NYCTAXI, "How many trips were there?", None, &[]));
        assert_eq!(
            sql,
            "SELECT\n  COUNT(*) AS trips\nFROM samples.nyctaxi.trips"
        );
    }

    #[test]
    fn follow_ups_change_only_what_they_mention() {
        let first = plan_of(answer(&NYCTAXI, "What is the average fare?", None, &[]));
        let by_month = plan_of(answer(&NYCTAXI, "now by month", Some(&first), &[]));
        assert_eq!(by_month.measure, first.measure);
        assert_eq!(
            by_month.dimension.map(|d| NYCTAXI.dimensions[d].alias),
            Some("pickup_month")
        );
        let only_2016 = plan_of(answer(&NYCTAXI, "only 2016", Some(&by_month), &[]));
        assert_eq!(only_2016.year, Some(2016));
        assert_eq!(only_2016.dimension, by_month.dimension);
        let sql = sql_of(answer(&NYCTAXI, "only February", Some(&only_2016), &[]));
        assert!(
            sql.contains("year(tpep_pickup_datetime) = 2016")
                && sql.contains("month(tpep_pickup_datetime) = 2"),
            "{sql}"
        );
        let total = plan_of(answer(&NYCTAXI, "overall", Some(&only_2016), &[]));
        assert_eq!(total.dimension, None);
        let cleared = plan_of(answer(
            &NYCTAXI,
            "for the whole period",
            Some(&only_2016),
            &[],
        ));
        assert_eq!((cleared.year, cleared.month), (None, None));
    }

    #[test]
    fn unknown_questions_get_a_clarifying_answer() {
        let samples = vec!["How many trips were there?".to_owned()];
        match answer(&NYCTAXI, "Show me the weather", None, &samples) {
            Answer::Clarify { text, suggestions } => {
                assert!(text.contains("NYC taxi trips"), "{text}");
                assert_eq!(suggestions, samples);
            }
            Answer::Query(q) => panic!("mapped to {}", q.sql),
        }
        let context = plan_of(answer(&NYCTAXI, "How many trips?", None, &[]));
        assert!(matches!(
            answer(&NYCTAXI, "and the weather?", Some(&context), &[]),
            Answer::Clarify { .. }
        ));
    }

    #[test]
    fn may_is_a_month_only_when_it_names_one() {
        assert_eq!(find_month(&normalize("trips in May")), Some(5));
        assert_eq!(find_month(&normalize("May I see trips by day?")), None);
        assert_eq!(find_month(&normalize("only Feb")), Some(2));
    }

    #[test]
    fn every_suggestion_is_understood_in_context() {
        for dataset in [&NYCTAXI, &TPCH] {
            for measure in 0..dataset.measures.len() {
                for dimension in
                    std::iter::once(None).chain((0..dataset.dimensions.len()).map(Some))
                {
                    for year in [None, Some(dataset.years.1)] {
                        let plan = Plan {
                            measure,
                            dimension,
                            year,
                            month: None,
                        };
                        for suggestion in suggestions(dataset, &plan) {
                            let next = plan_of(answer(dataset, &suggestion, Some(&plan), &[]));
                            assert_ne!(next, plan, "{suggestion:?} changes nothing");
                        }
                    }
                }
            }
        }
    }

    /// Every plan the analyst can form is SQL the engine runs: all measures × breakdowns ×
    /// filters of both datasets.
    #[test]
    fn every_plan_runs() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let engine = crate::sql::engine::Engine::new(42, "Etc/UTC");
        for dataset in [&NYCTAXI, &TPCH] {
            for measure in 0..dataset.measures.len() {
                for dimension in
                    std::iter::once(None).chain((0..dataset.dimensions.len()).map(Some))
                {
                    for (year, month) in [(None, None), (Some(dataset.years.0), Some(1))] {
                        let plan = Plan {
                            measure,
                            dimension,
                            year,
                            month,
                        };
                        let sql = write_query(dataset, plan, false).sql;
                        let (_, batches) = runtime
                            .block_on(engine.run(&sql, &[], None, None))
                            .unwrap_or_else(|e| panic!("{sql}\n{}", e.message));
                        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                        assert!(rows > 0, "no rows from\n{sql}");
                    }
                }
            }
        }
    }

    #[test]
    fn summaries_use_the_result() {
        let count = plan_of(answer(&NYCTAXI, "How many trips in January?", None, &[]));
        let text = summarize(&NYCTAXI, &count, &[vec![Value::from("11024")]]);
        assert_eq!(text, "There were **11,024** trips in January.");
        let by_month = plan_of(answer(&NYCTAXI, "average fare by month", None, &[]));
        let rows = vec![
            vec![Value::from("2016-01-01T00:00:00.000"), Value::from("12.5")],
            vec![Value::from("2016-02-01T00:00:00.000"), Value::from("13.25")],
        ];
        let text = summarize(&NYCTAXI, &by_month, &rows);
        assert!(
            text.contains("**$12.5** (January 2016)")
                && text.contains("**$13.25** (February 2016)"),
            "{text}"
        );
        assert_eq!(group_thousands("-1234567.891"), "-1,234,567.891");
        assert_eq!(group_thousands("abc"), "abc");
    }

    /// "List the order lines" lists rows (every one of them when nothing filters them);
    /// "How many trips" stays a count.
    #[test]
    fn listing_questions_list_the_rows() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let engine = crate::sql::engine::Engine::new(42, "Etc/UTC");
        let count = |sql: &str| -> usize {
            let (_, batches) = runtime
                .block_on(engine.run(sql, &[], None, None))
                .unwrap_or_else(|e| panic!("{sql}\n{}", e.message));
            batches.iter().map(|b| b.num_rows()).sum()
        };
        let all = sql_of(answer(&TPCH, "List the order lines", None, &[]));
        assert!(all.starts_with("SELECT\n  l_orderkey"), "{all}");
        assert_eq!(count(&all), crate::sql::data::LINEITEM_ROWS);
        let in_1995 = sql_of(answer(&TPCH, "Show all order lines in 1995", None, &[]));
        let filtered = count(&in_1995);
        assert!(filtered > 0 && filtered < crate::sql::data::LINEITEM_ROWS);
        let trips = sql_of(answer(&NYCTAXI, "Show me all trips in January", None, &[]));
        assert!(count(&trips) > 5_000, "{trips}");
        assert!(
            sql_of(answer(&NYCTAXI, "How many trips were there?", None, &[])).contains("COUNT(*)")
        );
        assert_eq!(
            summarize_listing(
                &TPCH,
                &plan_of(answer(&TPCH, "list order lines", None, &[])),
                5_000,
                true
            ),
            "Here are the order lines, ordered by l_orderkey, l_linenumber. The table holds the first 5,000 of them."
        );
    }
}
