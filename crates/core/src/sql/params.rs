//! Named parameters (`:name`) of a SQL statement: finding the markers, the types a user can
//! pick, checking values before anything is sent, and the wire form the Statement Execution
//! API takes. Values are always sent as parameters, never spliced into the SQL text.

use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};

/// The SQL types a parameter can have (the Statement Execution API casts the string value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ParamType {
    String,
    Int,
    BigInt,
    Double,
    Decimal { precision: u8, scale: u8 },
    Date,
    Timestamp,
    Boolean,
}

impl ParamType {
    /// The `type` string on the wire: `INT`, `DECIMAL(10,2)`, ….
    pub fn sql(self) -> String {
        match self {
            Self::String => "STRING".into(),
            Self::Int => "INT".into(),
            Self::BigInt => "BIGINT".into(),
            Self::Double => "DOUBLE".into(),
            Self::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
            Self::Date => "DATE".into(),
            Self::Timestamp => "TIMESTAMP".into(),
            Self::Boolean => "BOOLEAN".into(),
        }
    }
}

/// A parameter as the user set it; `value: None` is SQL NULL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ParamType,
    pub value: Option<String>,
}

/// The wire form: `{"name", "value"?, "type"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireParameter {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
}

fn invalid(name: &str, what: &str) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::InvalidInput,
        format!("The value of :{name} is not {what}."),
    )
}

impl Parameter {
    /// Checks the value against the type and returns the wire form, normalised (`TRUE` →
    /// `true`, `2024-1-5` is refused rather than guessed).
    pub fn to_wire(&self) -> Result<WireParameter, ErrorInfo> {
        let name = self.name.as_str();
        let value = match &self.value {
            None => None,
            Some(raw) => Some(normalise(name, self.ty, raw)?),
        };
        Ok(WireParameter {
            name: name.to_owned(),
            value,
            ty: self.ty.sql(),
        })
    }
}

fn normalise(name: &str, ty: ParamType, raw: &str) -> Result<String, ErrorInfo> {
    let v = raw.trim();
    match ty {
        ParamType::String => Ok(raw.to_owned()),
        ParamType::Int => v
            .parse::<i32>()
            .map(|n| n.to_string())
            .map_err(|_| invalid(name, "a whole number between -2147483648 and 2147483647")),
        ParamType::BigInt => v
            .parse::<i64>()
            .map(|n| n.to_string())
            .map_err(|_| invalid(name, "a whole number (BIGINT)")),
        ParamType::Double => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(v.to_owned()),
            _ => Err(invalid(name, "a number such as 3.14")),
        },
        ParamType::Decimal { precision, scale } => decimal(v, precision, scale).ok_or_else(|| {
            invalid(
                name,
                &format!(
                    "a decimal with at most {} digits before the point and {scale} after",
                    precision.saturating_sub(scale)
                ),
            )
        }),
        ParamType::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .filter(|_| v.len() == 10)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or_else(|| invalid(name, "a date written as YYYY-MM-DD")),
        ParamType::Timestamp => timestamp(v)
            .ok_or_else(|| invalid(name, "a date and time written as YYYY-MM-DD HH:MM:SS")),
        ParamType::Boolean => match v.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err(invalid(name, "true or false")),
        },
    }
}

fn decimal(v: &str, precision: u8, scale: u8) -> Option<String> {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let int_len = int.trim_start_matches('0').len();
    let ok = !(int.is_empty() && frac.is_empty())
        && all_digits(int)
        && all_digits(frac)
        && int_len <= usize::from(precision.saturating_sub(scale))
        && frac.len() <= usize::from(scale);
    ok.then(|| v.trim_start_matches('+').to_owned())
}

fn timestamp(v: &str) -> Option<String> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.f").to_string())
}

/// The `:name` markers of `sql`, in order of first use, ignoring string literals, quoted
/// identifiers, comments and `::` casts.
pub fn markers(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\'' | '"' | '`' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    // Databricks SQL strings allow backslash escapes.
                    if chars[i] == '\\' && c != '`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            '-' if next == Some('-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            ':' if next == Some(':') => i += 2,
            ':' if next.is_some_and(|n| n.is_ascii_alphabetic() || n == '_') => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if !found.contains(&name) {
                    found.push(name);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(ty: ParamType, value: &str) -> Result<String, String> {
        Parameter {
            name: "p".into(),
            ty,
            value: Some(value.into()),
        }
        .to_wire()
        .map(|w| format!("{}={}", w.ty, w.value.unwrap_or_default()))
        .map_err(|e| e.message)
    }

    #[test]
    fn every_type_is_checked_and_encoded() {
        let dec = ParamType::Decimal {
            precision: 10,
            scale: 2,
        };
        let cases: [(ParamType, &str, Result<&str, &str>); 17] = [
            (ParamType::String, " it's ", Ok("STRING= it's ")),
            (ParamType::Int, "42", Ok("INT=42")),
            (ParamType::Int, "3000000000", Err("whole number")),
            (ParamType::BigInt, "3000000000", Ok("BIGINT=3000000000")),
            (ParamType::BigInt, "1.5", Err("whole number")),
            (ParamType::Double, "3.14", Ok("DOUBLE=3.14")),
            (ParamType::Double, "NaN", Err("a number")),
            (dec, "12345678.90", Ok("DECIMAL(10,2)=12345678.90")),
            (dec, "123456789.0", Err("at most 8 digits")),
            (dec, "1.234", Err("2 after")),
            (ParamType::Date, "2016-01-15", Ok("DATE=2016-01-15")),
            (ParamType::Date, "2016-1-5", Err("YYYY-MM-DD")),
            (ParamType::Date, "2016-02-30", Err("YYYY-MM-DD")),
            (
                ParamType::Timestamp,
                "2016-01-15T08:30",
                Ok("TIMESTAMP=2016-01-15 08:30:00"),
            ),
            (ParamType::Timestamp, "yesterday", Err("date and time")),
            (ParamType::Boolean, "TRUE", Ok("BOOLEAN=true")),
            (ParamType::Boolean, "yes", Err("true or false")),
        ];
        for (ty, value, expected) in cases {
            match (wire(ty, value), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{ty:?} {value:?}"),
                (Err(got), Err(want)) => {
                    assert!(got.contains(want), "{ty:?} {value:?}: {got}");
                    assert!(got.contains(":p"), "names the parameter: {got}");
                }
                (got, want) => panic!("{ty:?} {value:?}: got {got:?}, want {want:?}"),
            }
        }
        let null = Parameter {
            name: "p".into(),
            ty: ParamType::Date,
            value: None,
        }
        .to_wire()
        .expect("NULL is valid");
        assert_eq!(
            serde_json::to_value(null).expect("json"),
            serde_json::json!({"name": "p", "type": "DATE"})
        );
    }

    #[test]
    fn markers_skip_strings_comments_and_casts() {
        let sql = "SELECT ':not', `a:b`, \"x:y\", 'it\\'s :no', amount::DOUBLE -- :comment\n\
                   FROM t /* :block */ WHERE day >= :since AND city = :city OR day < :since";
        assert_eq!(markers(sql), ["since", "city"]);
        assert_eq!(markers("SELECT :_a1, :2x"), ["_a1"]);
        assert!(markers("SELECT 1").is_empty());
    }
}
