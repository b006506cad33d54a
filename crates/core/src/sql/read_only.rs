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

/// The words of `statement` outside literals, quoted names and comments, upper-cased, with
/// `;` kept as a word (to see a second statement).
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
            ';' => {
                flush(&mut current, &mut words);
                words.push(";".into());
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
    let Some(first) = words.first() else {
        return false;
    };
    QUERY_STARTS.contains(&first.as_str())
        && !words
            .iter()
            .any(|w| w == ";" || CHANGES.contains(&w.as_str()))
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
        ] {
            assert!(!is_read_only(sql), "{sql}");
        }
    }
}
