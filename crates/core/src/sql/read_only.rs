//! Whether a statement provably only reads, so that running it a second time (the INLINE
//! fallback when cloud storage is unreachable) cannot change data. Anything not provably
//! read-only is never re-submitted automatically.
//!
//! The statement is split into words outside string literals, quoted identifiers and
//! comments. It must start with a query keyword (`SELECT`, `WITH`, `VALUES`, `SHOW`,
//! `DESCRIBE`, `EXPLAIN`, `TABLE`, or Spark's `FROM t SELECT …`), hold one statement, and name
//! no data-changing keyword anywhere: `WITH x AS (…) INSERT …` and `FROM t INSERT INTO …` write.
//! A column that happens to be called `update` makes a query look like a write: it is then not
//! re-run, which is the safe mistake.
//!
//! A query can act through the functions it calls, too: `http_request` sends a request,
//! `ai_query` bills a model, and a user-defined function (`main.ops.notify(…)`) can do
//! anything. So every call must be one of [`FUNCTIONS`], built-in functions that only compute,
//! and not a qualified name; a call to anything else makes the statement not provably
//! read-only.

/// Words that start a query.
const QUERY_STARTS: [&str; 9] = [
    "SELECT", "WITH", "VALUES", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "TABLE", "FROM",
];

/// Words that change data, metadata or the session, wherever they stand.
const CHANGES: [&str; 33] = [
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE",
    "REPLACE", "COPY", "OPTIMIZE", "VACUUM", "GRANT", "REVOKE", "DENY", "REFRESH", "CACHE",
    "UNCACHE", "SET", "RESET", "USE", "CALL", "EXECUTE", "ANALYZE", "MSCK", "RESTORE", "LOAD",
    "PUT", "REMOVE", "GET", "REPAIR", "APPLY",
];

/// Words that may stand before `(` without calling a function.
const NOT_CALLS: [&str; 24] = [
    "AS", "IN", "EXISTS", "VALUES", "OVER", "FROM", "JOIN", "USING", "ON", "AND", "OR", "NOT",
    "WHERE", "SELECT", "HAVING", "BY", "WHEN", "THEN", "ELSE", "CASE", "ALL", "ANY", "SOME",
    "WITHIN",
];

/// Built-in functions that only compute from their arguments (Databricks SQL's function
/// reference): the ones business queries and Genie's SQL use. Anything else is not provably
/// read-only; that only means it is not re-run by itself.
const FUNCTIONS: &[&str] = &[
    // Aggregates and windows.
    "COUNT",
    "SUM",
    "AVG",
    "MEAN",
    "MIN",
    "MAX",
    "MEDIAN",
    "PERCENTILE",
    "PERCENTILE_APPROX",
    "PERCENTILE_CONT",
    "PERCENTILE_DISC",
    "APPROX_PERCENTILE",
    "APPROX_COUNT_DISTINCT",
    "STDDEV",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "VARIANCE",
    "VAR_POP",
    "VAR_SAMP",
    "CORR",
    "COVAR_POP",
    "COVAR_SAMP",
    "FIRST",
    "FIRST_VALUE",
    "LAST",
    "LAST_VALUE",
    "ANY_VALUE",
    "COLLECT_LIST",
    "COLLECT_SET",
    "ARRAY_AGG",
    "COUNT_IF",
    "SUM_IF",
    "BOOL_AND",
    "BOOL_OR",
    "EVERY",
    "MAX_BY",
    "MIN_BY",
    "MODE",
    "ROW_NUMBER",
    "RANK",
    "DENSE_RANK",
    "PERCENT_RANK",
    "CUME_DIST",
    "NTILE",
    "LAG",
    "LEAD",
    "NTH_VALUE",
    "GROUPING",
    "GROUPING_ID",
    // Conditionals and conversions.
    "COALESCE",
    "NULLIF",
    "NVL",
    "NVL2",
    "IFNULL",
    "IF",
    "IFF",
    "IIF",
    "DECODE",
    "GREATEST",
    "LEAST",
    "CAST",
    "TRY_CAST",
    "ISNULL",
    "ISNOTNULL",
    "ISNAN",
    "NANVL",
    "ZEROIFNULL",
    "NULLIFZERO",
    "TYPEOF",
    "STRUCT",
    "NAMED_STRUCT",
    "ARRAY",
    "MAP",
    "ROW",
    // Numbers.
    "ABS",
    "ROUND",
    "BROUND",
    "CEIL",
    "CEILING",
    "FLOOR",
    "TRUNC",
    "SIGN",
    "SIGNUM",
    "SQRT",
    "POW",
    "POWER",
    "EXP",
    "LN",
    "LOG",
    "LOG10",
    "LOG2",
    "MOD",
    "PMOD",
    "DIV",
    "TRY_DIVIDE",
    "TRY_ADD",
    "TRY_SUBTRACT",
    "TRY_MULTIPLY",
    "TRY_SUM",
    "TRY_AVG",
    "FORMAT_NUMBER",
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
    "INT",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "STRING",
    "BOOLEAN",
    "VARCHAR",
    "WIDTH_BUCKET",
    "PI",
    "E",
    // Text.
    "CONCAT",
    "CONCAT_WS",
    "LENGTH",
    "CHAR_LENGTH",
    "CHARACTER_LENGTH",
    "LEN",
    "LOWER",
    "UPPER",
    "LCASE",
    "UCASE",
    "INITCAP",
    "TRIM",
    "LTRIM",
    "RTRIM",
    "BTRIM",
    "SUBSTR",
    "SUBSTRING",
    "SUBSTRING_INDEX",
    "LEFT",
    "RIGHT",
    "LPAD",
    "RPAD",
    "INSTR",
    "LOCATE",
    "POSITION",
    "CHARINDEX",
    "CONTAINS",
    "STARTSWITH",
    "ENDSWITH",
    "LIKE",
    "ILIKE",
    "RLIKE",
    "REGEXP",
    "REGEXP_LIKE",
    "REGEXP_EXTRACT",
    "REGEXP_REPLACE",
    "REGEXP_COUNT",
    "SPLIT",
    "SPLIT_PART",
    "TRANSLATE",
    "REVERSE",
    "REPEAT",
    "FORMAT_STRING",
    "PRINTF",
    "MD5",
    "SHA1",
    "SHA2",
    "HASH",
    "XXHASH64",
    "ASCII",
    "CHR",
    "CHAR",
    "SPACE",
    "COLLATE",
    // Dates and times.
    "CURRENT_DATE",
    "CURRENT_TIMESTAMP",
    "NOW",
    "CURRENT_TIMEZONE",
    "DATE",
    "TIMESTAMP",
    "TO_DATE",
    "TO_TIMESTAMP",
    "TRY_TO_TIMESTAMP",
    "DATE_TRUNC",
    "DATE_FORMAT",
    "DATE_ADD",
    "DATE_SUB",
    "DATEADD",
    "DATEDIFF",
    "TIMESTAMPADD",
    "TIMESTAMPDIFF",
    "ADD_MONTHS",
    "MONTHS_BETWEEN",
    "LAST_DAY",
    "NEXT_DAY",
    "YEAR",
    "QUARTER",
    "MONTH",
    "WEEKOFYEAR",
    "WEEKDAY",
    "DAY",
    "DAYOFMONTH",
    "DAYOFWEEK",
    "DAYOFYEAR",
    "HOUR",
    "MINUTE",
    "SECOND",
    "EXTRACT",
    "DATE_PART",
    "DATEPART",
    "MAKE_DATE",
    "MAKE_TIMESTAMP",
    "FROM_UTC_TIMESTAMP",
    "TO_UTC_TIMESTAMP",
    "FROM_UNIXTIME",
    "UNIX_TIMESTAMP",
    "UNIX_DATE",
    "UNIX_SECONDS",
    "UNIX_MILLIS",
    "TIMESTAMP_SECONDS",
    "TIMESTAMP_MILLIS",
    "CONVERT_TIMEZONE",
    "INTERVAL",
    "MAKE_INTERVAL",
    "WINDOW",
    // Collections and JSON.
    "SIZE",
    "CARDINALITY",
    "ARRAY_CONTAINS",
    "ARRAY_DISTINCT",
    "ARRAY_JOIN",
    "ARRAY_MAX",
    "ARRAY_MIN",
    "ARRAY_SIZE",
    "ARRAY_SORT",
    "SORT_ARRAY",
    "ELEMENT_AT",
    "EXPLODE",
    "EXPLODE_OUTER",
    "POSEXPLODE",
    "INLINE",
    "FLATTEN",
    "SEQUENCE",
    "SLICE",
    "MAP_KEYS",
    "MAP_VALUES",
    "GET_JSON_OBJECT",
    "JSON_TUPLE",
    "FROM_JSON",
    "TO_JSON",
    "SCHEMA_OF_JSON",
    "PARSE_JSON",
    "TRY_PARSE_JSON",
    "VARIANT_GET",
    "TRY_VARIANT_GET",
    "RANGE",
];

/// The words of `statement` outside literals, quoted names and comments, upper-cased, with
/// `;` kept as a word (to see a second statement), and `(` and `.` (to see calls and
/// qualified names).
fn words(statement: &str) -> Vec<String> {
    let chars: Vec<char> = statement.chars().collect();
    let (mut words, mut current) = (Vec::new(), String::new());
    let mut i = 0;
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(current.to_ascii_uppercase());
            current.clear();
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '-' if next == Some('-') => {
                flush(&mut current, &mut words);
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                flush(&mut current, &mut words);
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 1;
            }
            '\'' | '"' | '`' => {
                flush(&mut current, &mut words);
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            ';' | '(' | '.' => {
                flush(&mut current, &mut words);
                words.push(c.to_string());
            }
            c if c.is_alphanumeric() || c == '_' => current.push(c),
            _ => flush(&mut current, &mut words),
        }
        i += 1;
    }
    flush(&mut current, &mut words);
    words
}

/// Whether `statement` only reads (see the module docs).
pub fn is_read_only(statement: &str) -> bool {
    let mut words = words(statement);
    while words.last().is_some_and(|w| w == ";") {
        words.pop();
    }
    let Some(first) = words.iter().find(|w| *w != "(") else {
        return false;
    };
    QUERY_STARTS.contains(&first.as_str())
        && !words
            .iter()
            .any(|w| w == ";" || CHANGES.contains(&w.as_str()))
        && only_computing_calls(&words)
}

/// Whether every call in `words` is to a built-in function that only computes.
fn only_computing_calls(words: &[String]) -> bool {
    words.windows(2).enumerate().all(|(i, pair)| {
        let [name, open] = pair else { return true };
        if open != "(" || !name.chars().next().is_some_and(char::is_alphabetic) {
            return true;
        }
        if NOT_CALLS.contains(&name.as_str()) {
            return true;
        }
        let qualified = i > 0 && words[i - 1] == ".";
        !qualified && FUNCTIONS.contains(&name.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::is_read_only;

    #[test]
    fn only_provable_queries_are_read_only() {
        for sql in [
            "SELECT 1",
            "  with t as (select 1) select * from t",
            "(SELECT 1)",
            "show tables",
            "DESCRIBE x",
            "SELECT 'insert into t' AS note, `delete` FROM t -- DROP TABLE t",
            "/* UPDATE t */ VALUES (1)",
            "SELECT 1;",
            "FROM trips SELECT count(*)",
            "SELECT region, round(sum(revenue) / 1e6, 1) AS m FROM t WHERE (a > 1) AND b IN (1, 2) \
             GROUP BY region",
            "SELECT date_trunc('MONTH', d), coalesce(x, 0) FROM t JOIN u USING (id)",
            "WITH t AS (SELECT 1) SELECT * FROM t",
        ] {
            assert!(is_read_only(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "DELETE FROM t",
            "CREATE TABLE t AS SELECT 1",
            "",
            "-- SELECT\nDROP TABLE t",
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
            "WITH x AS (SELECT 1) MERGE INTO t USING x ON t.a = x.a WHEN MATCHED THEN DELETE",
            "FROM source INSERT INTO target SELECT *",
            "SELECT 1; DROP TABLE t",
            "EXPLAIN INSERT INTO t VALUES (1)",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
            "SET spark.sql.ansi.enabled = false",
            "SELECT http_request(conn => 'slack', method => 'POST', path => '/x')",
            "SELECT ai_query('endpoint', q) FROM questions",
            "SELECT main.ops.upper(name) FROM t",
            "SELECT notify_me(1)",
        ] {
            assert!(!is_read_only(sql), "{sql}");
        }
    }
}
