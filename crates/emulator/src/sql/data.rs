//! Deterministic sample data, as in a workspace's `samples` catalog.
//!
//! `samples.nyctaxi.trips` has the real column names and types and about 22k rows of taxi
//! trips in January and February 2016; `samples.tpch` is a small TPC-H-like set (region,
//! nation, customer, orders, lineitem). The same seed always gives the same rows.

use datafusion::arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// Rows in `samples.nyctaxi.trips` (the real table has 21,932).
pub const TRIP_ROWS: usize = 21_932;

/// A small, fast, seedable generator (SplitMix64): reproducible across platforms.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Manhattan and nearby zip codes, weighted towards the busy ones by repetition.
const ZIPS: &[i32] = &[
    10001, 10001, 10002, 10003, 10003, 10003, 10009, 10010, 10011, 10011, 10012, 10013, 10014,
    10016, 10016, 10017, 10018, 10019, 10019, 10021, 10022, 10023, 10024, 10025, 10028, 10036,
    10038, 10065, 10103, 10110, 10119, 10153, 10162, 10171, 10199, 10280, 11101, 11103, 11201,
    11211, 11215, 11217, 11222, 11371, 11430, 7114,
];

/// 2016-01-01T00:00:00Z in microseconds since the epoch.
const JAN_1_2016_MICROS: i64 = 1_451_606_400_000_000;
/// January and February 2016 (a leap year): 60 days.
const TWO_MONTHS_MICROS: i64 = 60 * 24 * 3600 * 1_000_000;

/// The comment Unity Catalog shows for a sample table, if it has one.
pub fn table_comment(schema: &str, table: &str) -> Option<&'static str> {
    match (schema, table) {
        ("nyctaxi", "trips") => Some("New York City yellow taxi trips, January and February 2016"),
        _ => None,
    }
}

/// The comment of a sample table's column (the NYC TLC data dictionary's wording, shortened).
pub fn column_comment(schema: &str, table: &str, column: &str) -> Option<&'static str> {
    if (schema, table) != ("nyctaxi", "trips") {
        return None;
    }
    Some(match column {
        "tpep_pickup_datetime" => "When the meter was engaged",
        "tpep_dropoff_datetime" => "When the meter was disengaged",
        "trip_distance" => "Trip distance in miles reported by the taximeter",
        "fare_amount" => "Time-and-distance fare calculated by the meter, in USD",
        "pickup_zip" => "ZIP code where the trip started",
        "dropoff_zip" => "ZIP code where the trip ended",
        _ => return None,
    })
}

pub fn trips(seed: u64) -> RecordBatch {
    let mut rng = Rng::new(seed);
    let mut pickups = Vec::with_capacity(TRIP_ROWS);
    for _ in 0..TRIP_ROWS {
        // Whole seconds, like the source data.
        let offset = rng.below(TWO_MONTHS_MICROS as u64 / 1_000_000) as i64 * 1_000_000;
        pickups.push(JAN_1_2016_MICROS + offset);
    }
    pickups.sort_unstable();
    let (mut dropoffs, mut distances, mut fares, mut pickup_zips, mut dropoff_zips) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for pickup in &pickups {
        let distance = (0.3 + rng.unit().powi(2) * 18.0 * 100.0).round() / 100.0;
        let minutes = 3.0 + distance * (2.5 + rng.unit() * 2.5);
        dropoffs.push(pickup + (minutes * 60.0) as i64 * 1_000_000);
        distances.push(distance);
        fares.push(((2.5 + distance * 2.5 + minutes * 0.35) * 2.0).round() / 2.0);
        pickup_zips.push(ZIPS[rng.below(ZIPS.len() as u64) as usize]);
        dropoff_zips.push(ZIPS[rng.below(ZIPS.len() as u64) as usize]);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "tpep_pickup_datetime",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        ),
        Field::new(
            "tpep_dropoff_datetime",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        ),
        Field::new("trip_distance", DataType::Float64, true),
        Field::new("fare_amount", DataType::Float64, true),
        Field::new("pickup_zip", DataType::Int32, true),
        Field::new("dropoff_zip", DataType::Int32, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(TimestampMicrosecondArray::from(pickups)),
        Arc::new(TimestampMicrosecondArray::from(dropoffs)),
        Arc::new(Float64Array::from(distances)),
        Arc::new(Float64Array::from(fares)),
        Arc::new(Int32Array::from(pickup_zips)),
        Arc::new(Int32Array::from(dropoff_zips)),
    ];
    batch(schema, columns)
}

const REGIONS: &[&str] = &["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"];
const NATIONS: &[(&str, i64)] = &[
    ("ALGERIA", 0),
    ("ARGENTINA", 1),
    ("BRAZIL", 1),
    ("CANADA", 1),
    ("EGYPT", 4),
    ("ETHIOPIA", 0),
    ("FRANCE", 3),
    ("GERMANY", 3),
    ("INDIA", 2),
    ("INDONESIA", 2),
    ("IRAN", 4),
    ("IRAQ", 4),
    ("JAPAN", 2),
    ("JORDAN", 4),
    ("KENYA", 0),
    ("MOROCCO", 0),
    ("MOZAMBIQUE", 0),
    ("PERU", 1),
    ("CHINA", 2),
    ("ROMANIA", 3),
    ("SAUDI ARABIA", 4),
    ("VIETNAM", 2),
    ("RUSSIA", 3),
    ("UNITED KINGDOM", 3),
    ("UNITED STATES", 1),
];
const SEGMENTS: &[&str] = &[
    "AUTOMOBILE",
    "BUILDING",
    "FURNITURE",
    "HOUSEHOLD",
    "MACHINERY",
];
const PRIORITIES: &[&str] = &["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"];
const CUSTOMERS: i64 = 1_500;
const ORDERS: i64 = 15_000;
/// Rows in `samples.tpch.lineitem`: TPC-H's one to seven lines per order, cut at a round
/// number so a Genie answer over it is ten times Genie's 5,000-row cap.
pub const LINEITEM_ROWS: usize = 50_000;
const SHIP_MODES: &[&str] = &["AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"];

/// The `samples.tpch` tables: (name, rows).
pub fn tpch(seed: u64) -> Vec<(&'static str, RecordBatch)> {
    let mut rng = Rng::new(seed.wrapping_add(7));
    let region = batch(
        Arc::new(Schema::new(vec![
            Field::new("r_regionkey", DataType::Int64, false),
            Field::new("r_name", DataType::Utf8, false),
        ])),
        vec![
            Arc::new(Int64Array::from_iter_values(0..REGIONS.len() as i64)),
            Arc::new(StringArray::from_iter_values(REGIONS.iter())),
        ],
    );
    let nation = batch(
        Arc::new(Schema::new(vec![
            Field::new("n_nationkey", DataType::Int64, false),
            Field::new("n_name", DataType::Utf8, false),
            Field::new("n_regionkey", DataType::Int64, false),
        ])),
        vec![
            Arc::new(Int64Array::from_iter_values(0..NATIONS.len() as i64)),
            Arc::new(StringArray::from_iter_values(
                NATIONS.iter().map(|(n, _)| *n),
            )),
            Arc::new(Int64Array::from_iter_values(
                NATIONS.iter().map(|(_, r)| *r),
            )),
        ],
    );
    let customer_nations: Vec<i64> = (0..CUSTOMERS)
        .map(|_| rng.below(NATIONS.len() as u64) as i64)
        .collect();
    let customer = batch(
        Arc::new(Schema::new(vec![
            Field::new("c_custkey", DataType::Int64, false),
            Field::new("c_name", DataType::Utf8, false),
            Field::new("c_nationkey", DataType::Int64, false),
            Field::new("c_acctbal", DataType::Decimal128(18, 2), false),
            Field::new("c_mktsegment", DataType::Utf8, false),
        ])),
        vec![
            Arc::new(Int64Array::from_iter_values(1..=CUSTOMERS)),
            Arc::new(StringArray::from_iter_values(
                (1..=CUSTOMERS).map(|k| format!("Customer#{k:09}")),
            )),
            Arc::new(Int64Array::from(customer_nations)),
            Arc::new(decimal(
                (0..CUSTOMERS).map(|_| rng.below(1_099_999) as i128 - 99_999),
                18,
                2,
            )),
            Arc::new(StringArray::from_iter_values(
                (0..CUSTOMERS).map(|_| SEGMENTS[rng.below(5) as usize]),
            )),
        ],
    );
    // Orders between 1992-01-01 (day 8035) and 1998-08-02 (day 10440).
    let orders = batch(
        Arc::new(Schema::new(vec![
            Field::new("o_orderkey", DataType::Int64, false),
            Field::new("o_custkey", DataType::Int64, false),
            Field::new("o_orderstatus", DataType::Utf8, false),
            Field::new("o_totalprice", DataType::Decimal128(18, 2), false),
            Field::new("o_orderdate", DataType::Date32, false),
            Field::new("o_orderpriority", DataType::Utf8, false),
        ])),
        vec![
            Arc::new(Int64Array::from_iter_values((1..=ORDERS).map(|k| k * 4))),
            Arc::new(Int64Array::from_iter_values(
                (0..ORDERS).map(|_| 1 + rng.below(CUSTOMERS as u64) as i64),
            )),
            Arc::new(StringArray::from_iter_values(
                (0..ORDERS).map(|_| ["F", "O", "P"][rng.below(3) as usize]),
            )),
            Arc::new(decimal(
                (0..ORDERS).map(|_| 90_000 + rng.below(50_000_000) as i128),
                18,
                2,
            )),
            Arc::new(Date32Array::from_iter_values(
                (0..ORDERS).map(|_| 8035 + rng.below(2406) as i32),
            )),
            Arc::new(StringArray::from_iter_values(
                (0..ORDERS).map(|_| PRIORITIES[rng.below(5) as usize]),
            )),
        ],
    );
    let lineitem = lineitem(&orders, seed);
    vec![
        ("region", region),
        ("nation", nation),
        ("customer", customer),
        ("orders", orders),
        ("lineitem", lineitem),
    ]
}

/// The order lines of the first orders, shipped 1 to 121 days after the order (TPC-H's
/// rule), from their own generator so the other tables stay as they were.
fn lineitem(orders: &RecordBatch, seed: u64) -> RecordBatch {
    let mut rng = Rng::new(seed.wrapping_add(11));
    let keys = orders
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .map(|a| a.values().to_vec())
        .unwrap_or_default();
    let dates = orders
        .column(4)
        .as_any()
        .downcast_ref::<Date32Array>()
        .map(|a| a.values().to_vec())
        .unwrap_or_default();
    let (mut order_keys, mut numbers, mut ship_dates) = (Vec::new(), Vec::new(), Vec::new());
    'orders: for (key, date) in keys.iter().zip(&dates) {
        for line in 1..=1 + rng.below(7) as i32 {
            if order_keys.len() == LINEITEM_ROWS {
                break 'orders;
            }
            order_keys.push(*key);
            numbers.push(line);
            ship_dates.push(date + 1 + rng.below(121) as i32);
        }
    }
    let rows = order_keys.len();
    let quantities: Vec<i128> = (0..rows)
        .map(|_| 100 + rng.below(50) as i128 * 100)
        .collect();
    let prices: Vec<i128> = quantities
        .iter()
        .map(|q| q * (900 + rng.below(1_100) as i128) / 100)
        .collect();
    batch(
        Arc::new(Schema::new(vec![
            Field::new("l_orderkey", DataType::Int64, false),
            Field::new("l_linenumber", DataType::Int32, false),
            Field::new("l_quantity", DataType::Decimal128(18, 2), false),
            Field::new("l_extendedprice", DataType::Decimal128(18, 2), false),
            Field::new("l_discount", DataType::Decimal128(18, 2), false),
            Field::new("l_shipdate", DataType::Date32, false),
            Field::new("l_shipmode", DataType::Utf8, false),
        ])),
        vec![
            Arc::new(Int64Array::from(order_keys)),
            Arc::new(Int32Array::from(numbers)),
            Arc::new(decimal(quantities.into_iter(), 18, 2)),
            Arc::new(decimal(prices.into_iter(), 18, 2)),
            Arc::new(decimal((0..rows).map(|_| rng.below(11) as i128), 18, 2)),
            Arc::new(Date32Array::from(ship_dates)),
            Arc::new(StringArray::from_iter_values(
                (0..rows).map(|_| SHIP_MODES[rng.below(7) as usize]),
            )),
        ],
    )
}

fn decimal(values: impl Iterator<Item = i128>, precision: u8, scale: i8) -> Decimal128Array {
    Decimal128Array::from_iter_values(values)
        .with_precision_and_scale(precision, scale)
        .unwrap_or_else(|_| Decimal128Array::from(Vec::<i128>::new()))
}

fn batch(schema: Arc<Schema>, columns: Vec<ArrayRef>) -> RecordBatch {
    // The columns above always match their schema; an empty batch is the safe fallback.
    RecordBatch::try_new(schema.clone(), columns).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_are_deterministic_and_in_range() {
        let (a, b) = (trips(42), trips(42));
        assert_eq!(a, b);
        assert_ne!(a, trips(43));
        assert_eq!(a.num_rows(), TRIP_ROWS);
        assert_eq!(a.schema().field(0).name(), "tpep_pickup_datetime");
        let pickups = a
            .column(0)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("timestamps");
        assert!(
            pickups
                .values()
                .iter()
                .all(|t| (JAN_1_2016_MICROS..JAN_1_2016_MICROS + TWO_MONTHS_MICROS).contains(t))
        );
    }

    #[test]
    fn tpch_tables_have_rows() {
        let tables = tpch(1);
        let rows: Vec<(&str, usize)> = tables.iter().map(|(n, b)| (*n, b.num_rows())).collect();
        assert_eq!(
            rows,
            [
                ("region", 5),
                ("nation", 25),
                ("customer", 1500),
                ("orders", 15000),
                ("lineitem", LINEITEM_ROWS)
            ]
        );
    }
}
