//! Databricks date functions with no DataFusion equivalent under that name or meaning:
//! `date_add(d, n)`, `date_sub(d, n)`, `datediff(end, start)`, `dayofweek(d)` (1 = Sunday),
//! `last_day(d)` and `date_format(ts, pattern)` with Spark datetime patterns (`yyyy-MM-dd`,
//! `MMM`, `EEEE`, …, quoted literals). Arguments may be DATE, TIMESTAMP or date strings, as in
//! Databricks; NULL in, NULL out.

use chrono::{Datelike as _, NaiveDate};
use datafusion::arrow::array::{ArrayRef, AsArray as _, Date32Array, Int32Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `date_add` (+1) and `date_sub` (−1).
    AddDays(i64),
    DateDiff,
    DayOfWeek,
    LastDay,
    Format,
}

const FUNCTIONS: &[(&str, Kind, usize)] = &[
    ("date_add", Kind::AddDays(1), 2),
    ("date_sub", Kind::AddDays(-1), 2),
    ("datediff", Kind::DateDiff, 2),
    ("dayofweek", Kind::DayOfWeek, 1),
    ("last_day", Kind::LastDay, 1),
    ("date_format", Kind::Format, 2),
];

/// The UDFs, to register on every session.
pub fn date_functions() -> Vec<ScalarUDF> {
    FUNCTIONS
        .iter()
        .map(|(name, kind, arity)| {
            ScalarUDF::new_from_impl(DateFunction {
                name,
                kind: *kind,
                signature: Signature::any(*arity, Volatility::Immutable),
            })
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct DateFunction {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

impl ScalarUDFImpl for DateFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::AddDays(_) | Kind::LastDay => DataType::Date32,
            Kind::DateDiff | Kind::DayOfWeek => DataType::Int32,
            Kind::Format => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let result: ArrayRef = match (self.kind, arrays.as_slice()) {
            (Kind::AddDays(sign), [dates, days]) => {
                let days = cast(days, &DataType::Int64)?;
                let days = days.as_primitive::<Int64Type>();
                let dates = to_dates(dates)?;
                Arc::new(
                    dates
                        .iter()
                        .zip(days.iter())
                        .map(|(date, n)| {
                            let shifted = i64::from(date?) + sign * n?;
                            i32::try_from(shifted).ok()
                        })
                        .collect::<Date32Array>(),
                )
            }
            (Kind::DateDiff, [end, start]) => {
                let (end, start) = (to_dates(end)?, to_dates(start)?);
                Arc::new(
                    end.iter()
                        .zip(start.iter())
                        .map(|(end, start)| end?.checked_sub(start?))
                        .collect::<Int32Array>(),
                )
            }
            (Kind::DayOfWeek, [dates]) => Arc::new(
                to_dates(dates)?
                    .iter()
                    .map(|d| {
                        let weekday = naive(d?)?.weekday().num_days_from_sunday();
                        i32::try_from(weekday + 1).ok()
                    })
                    .collect::<Int32Array>(),
            ),
            (Kind::LastDay, [dates]) => Arc::new(
                to_dates(dates)?
                    .iter()
                    .map(|d| last_day(naive(d?)?).map(days_since_epoch))
                    .collect::<Date32Array>(),
            ),
            (Kind::Format, [values, patterns]) => {
                let stamps = cast(values, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
                let stamps = stamps.as_primitive::<TimestampMicrosecondType>();
                let patterns = cast(patterns, &DataType::Utf8)?;
                let patterns = patterns.as_string::<i32>();
                let mut out = Vec::with_capacity(stamps.len());
                for (stamp, pattern) in stamps.iter().zip(patterns.iter()) {
                    out.push(match (stamp, pattern) {
                        (Some(stamp), Some(pattern)) => {
                            let format = match chrono_format(pattern) {
                                Ok(format) => format,
                                Err(message) => return exec_err!("{message}"),
                            };
                            chrono::DateTime::from_timestamp_micros(stamp)
                                .map(|t| t.naive_utc().format(&format).to_string())
                        }
                        _ => None,
                    });
                }
                Arc::new(StringArray::from(out))
            }
            _ => return exec_err!("wrong number of arguments to {}", self.name),
        };
        Ok(ColumnarValue::Array(result))
    }
}

fn to_dates(array: &ArrayRef) -> Result<Date32Array> {
    Ok(cast(array, &DataType::Date32)?
        .as_primitive::<Date32Type>()
        .clone())
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");

fn naive(days: i32) -> Option<NaiveDate> {
    EPOCH.checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?)
}

fn days_since_epoch(date: NaiveDate) -> i32 {
    i32::try_from((date - EPOCH).num_days()).unwrap_or(i32::MAX)
}

fn last_day(date: NaiveDate) -> Option<NaiveDate> {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)?.pred_opt()
}

/// Translates a Spark datetime pattern into a chrono format string.
fn chrono_format(pattern: &str) -> std::result::Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // '' is a quote; 'text' is literal text.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            let end = chars[i + 1..]
                .iter()
                .position(|&q| q == '\'')
                .map(|p| i + 1 + p)
                .ok_or_else(|| format!("Unterminated quote in datetime pattern '{pattern}'."))?;
            for literal in &chars[i + 1..end] {
                push_literal(&mut out, *literal);
            }
            i = end + 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&d| d == c).count();
        i += run;
        let spec = match (c, run) {
            ('y' | 'u', 2) => "%y",
            ('y' | 'u', _) => "%Y",
            ('M' | 'L', 1) => "%-m",
            ('M' | 'L', 2) => "%m",
            ('M' | 'L', 3) => "%b",
            ('M' | 'L', _) => "%B",
            ('d', 1) => "%-d",
            ('d', _) => "%d",
            ('D', _) => "%j",
            ('H', 1) => "%-H",
            ('H', _) => "%H",
            ('h', 1) => "%-I",
            ('h', _) => "%I",
            ('m', 1) => "%-M",
            ('m', _) => "%M",
            ('s', 1) => "%-S",
            ('s', _) => "%S",
            ('S', 1..=3) => "%3f",
            ('S', 4..=6) => "%6f",
            ('S', _) => "%9f",
            ('a', _) => "%p",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            (letter, _) if letter.is_ascii_alphabetic() => {
                return Err(format!(
                    "Unsupported datetime pattern letter '{letter}' in '{pattern}'."
                ));
            }
            (other, _) => {
                for _ in 0..run {
                    push_literal(&mut out, other);
                }
                continue;
            }
        };
        out.push_str(spec);
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_patterns_become_chrono_formats() {
        let cases = [
            ("yyyy-MM-dd", "%Y-%m-%d"),
            ("yyyy-MM-dd HH:mm:ss", "%Y-%m-%d %H:%M:%S"),
            ("MMM yyyy", "%b %Y"),
            ("MMMM d, yy", "%B %-d, %y"),
            ("EEEE", "%A"),
            ("E h:mm a", "%a %-I:%M %p"),
            ("HH:mm:ss.SSS", "%H:%M:%S.%3f"),
            ("'Q' yyyy '100%'", "Q %Y 100%%"),
            ("dd''MM", "%d'%m"),
        ];
        for (spark, chrono) in cases {
            assert_eq!(chrono_format(spark).as_deref(), Ok(chrono), "{spark}");
        }
        assert!(chrono_format("'open").is_err());
        assert!(chrono_format("yyyy-QQ").is_err_and(|e| e.contains("'Q'")));
    }

    #[test]
    fn last_day_of_month_handles_december_and_leap_years() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(last_day(date(2016, 2, 10)), Some(date(2016, 2, 29)));
        assert_eq!(last_day(date(2015, 12, 31)), Some(date(2015, 12, 31)));
        assert_eq!(
            naive(days_since_epoch(date(2016, 1, 1))),
            Some(date(2016, 1, 1))
        );
    }
}
