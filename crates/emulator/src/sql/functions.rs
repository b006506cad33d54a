//! Databricks SQL function names that DataFusion lacks: `year(d)`, `month(d)`, `day(d)`,
//! `dayofmonth(d)`, `hour(ts)`, `minute(ts)`, `quarter(d)`, `weekofyear(d)`. Each is
//! DataFusion's `date_part('<part>', d)` under the Databricks name, so business SQL such as
//! `GROUP BY year(order_date), month(order_date)` runs unchanged. The date functions with
//! their own logic are in `date_functions`.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// (Databricks name, `date_part` part).
const ALIASES: &[(&str, &str)] = &[
    ("year", "year"),
    ("month", "month"),
    ("day", "day"),
    ("dayofmonth", "day"),
    ("hour", "hour"),
    ("minute", "minute"),
    ("quarter", "quarter"),
    ("weekofyear", "week"),
];

/// The UDFs to register on every session (these and the date functions).
pub fn databricks_functions() -> Vec<ScalarUDF> {
    let aliases = ALIASES.iter().map(|(name, part)| {
        ScalarUDF::new_from_impl(DatePartAlias {
            name,
            part,
            signature: Signature::any(1, Volatility::Immutable),
        })
    });
    aliases
        .chain(super::date_functions::date_functions())
        .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct DatePartAlias {
    name: &'static str,
    part: &'static str,
    signature: Signature,
}

impl ScalarUDFImpl for DatePartAlias {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mut inner_args = vec![ColumnarValue::Scalar(ScalarValue::Utf8(Some(
            self.part.to_owned(),
        )))];
        inner_args.extend(args.args);
        let mut arg_fields = vec![Arc::new(Field::new("part", DataType::Utf8, false))];
        arg_fields.extend(args.arg_fields);
        datafusion::functions::datetime::date_part().invoke_with_args(ScalarFunctionArgs {
            args: inner_args,
            arg_fields,
            number_rows: args.number_rows,
            return_field: args.return_field,
            config_options: args.config_options,
        })
    }
}
