//! INTERVAL values as Databricks' own clients show them.
//!
//! Over Arrow a day-time interval arrives as `Duration(µs)` and a year-month interval as
//! `Interval(YearMonth)` (months), with no qualifier in the schema (databricks-jdbc's
//! recordings of `testintervaltypes`). Arrow's own display would write `PT259200S` for three
//! days. The JDBC driver renders them as Spark's Hive style does (`IntervalConverter`,
//! Spark `SparkIntervalUtils` HIVE_STYLE): day-time `D HH:MM:SS.nnnnnnnnn` whatever the
//! qualifier (`INTERVAL '3' DAY` is `3 00:00:00.000000000`, `INTERVAL '27' HOUR` is
//! `1 03:00:00.000000000`), year-month `Y-M` (`INTERVAL '100' YEAR` is `100-0`).

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// A day-time interval of `nanos` nanoseconds, Hive style.
pub fn day_time(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let total = nanos.unsigned_abs();
    let second = NANOS_PER_SECOND.unsigned_abs();
    let (seconds, fraction) = (total / second, total % second);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    format!(
        "{sign}{days} {:02}:{:02}:{:02}.{fraction:09}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A year-month interval of `months` months, Hive style.
pub fn year_month(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let total = months.unsigned_abs();
    format!("{sign}{}-{}", total / 12, total % 12)
}

/// Nanoseconds in one unit of a `Duration` column.
pub fn nanos_per(unit: arrow_schema::TimeUnit) -> i128 {
    match unit {
        arrow_schema::TimeUnit::Second => NANOS_PER_SECOND,
        arrow_schema::TimeUnit::Millisecond => 1_000_000,
        arrow_schema::TimeUnit::Microsecond => 1_000,
        arrow_schema::TimeUnit::Nanosecond => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values databricks-jdbc's integration test expects from the recorded interval
    /// table, and its unit tests' edge cases.
    #[test]
    fn as_the_jdbc_driver_renders_them() {
        let micros = |us: i128| day_time(us * 1_000);
        assert_eq!(micros(259_200_000_000), "3 00:00:00.000000000");
        assert_eq!(micros(275_420_123_000), "3 04:30:20.123000000");
        assert_eq!(micros(97_200_000_000), "1 03:00:00.000000000");
        assert_eq!(micros(5_430_500_000), "0 01:30:30.500000000");
        assert_eq!(micros(45_789_000), "0 00:00:45.789000000");
        assert_eq!(micros(-1), "-0 00:00:00.000001000");
        assert_eq!(day_time(123), "0 00:00:00.000000123");
        assert_eq!(year_month(1200), "100-0");
        assert_eq!(year_month(14), "1-2");
        assert_eq!(year_month(-14), "-1-2");
        assert_eq!(year_month(-11), "-0-11");
        assert_eq!(year_month(i32::MIN), "-178956970-8");
        assert!(day_time(i128::from(i64::MIN) * 1_000).starts_with("-106751991 "));
    }
}
