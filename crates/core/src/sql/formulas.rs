//! Keeping data from running as spreadsheet formulas (OWASP "CSV injection"): a cell that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and
//! Google Sheets as a formula (`=HYPERLINK(…)`, `=cmd|'/C calc'!A0`). In CSV and copied rows
//! such a cell is written with a leading `'`, which spreadsheets show as plain text. True
//! numbers stay numbers: numeric columns are never touched, and a text cell that is a plain
//! number (`-12.5`) is left as it is. XLSX needs none of this: text cells are typed as text.

/// Whether copies and exports make formula-like cells inert (the default; users may turn it
/// off for data they trust, e.g. to keep real formulas they wrote).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormulaSafety {
    pub protect: bool,
}

impl Default for FormulaSafety {
    fn default() -> Self {
        Self { protect: true }
    }
}

/// Whether a spreadsheet would read `text` as a formula.
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.trim().parse::<f64>().is_err()
}

impl FormulaSafety {
    /// `text` as it should be written to a CSV or TSV cell.
    pub fn cell<'a>(self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.protect && is_formula_like(text) {
            std::borrow::Cow::Owned(format!("'{text}"))
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }
}

/// Whether values of an Arrow type are numbers (never neutralised, whatever their sign).
pub fn is_numeric(data_type: &arrow_schema::DataType) -> bool {
    data_type.is_numeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_made_inert_and_numbers_are_not() {
        let safe = FormulaSafety::default();
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "=cmd|'/C calc'!A0",
            "+1+1",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(safe.cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["-12.5", "+3", "1e5", "plain", "a=b", "", "2016-01-05"] {
            assert_eq!(safe.cell(plain), plain, "{plain:?}");
        }
        let off = FormulaSafety { protect: false };
        assert_eq!(off.cell("=1+1"), "=1+1");
    }
}
