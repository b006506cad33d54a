//! What the rule-based analyst knows about each sample dataset: the table, its time column,
//! the measures and breakdowns a business user asks for, and the words they use for them.
//!
//! Every SQL fragment here is Databricks SQL that also runs on the emulator's engine, so a
//! query Genie "writes" can be pasted into a real workspace's SQL editor.

/// A number users ask for.
#[derive(Debug)]
pub struct Measure {
    /// Phrases that select it, most specific first across the dataset (see `Dataset::measures`).
    pub phrases: &'static [&'static str],
    pub expr: &'static str,
    pub alias: &'static str,
    /// "average fare", as in "the average fare by month".
    pub label: &'static str,
    /// The one-value answer; `{v}` is the value and `{scope}` the filter (" in 2016").
    pub sentence: &'static str,
    /// Prefix for values in answers ("$" for money).
    pub unit: &'static str,
    /// The suggested follow-up that switches to this measure; the analyst must understand it.
    pub follow_up: &'static str,
}

/// How a time breakdown is charted: a time axis (line chart) or categories (bar chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Time,
    Category,
}

/// A breakdown ("by month", "per pickup zip").
#[derive(Debug)]
pub struct Dimension {
    pub phrases: &'static [&'static str],
    pub expr: &'static str,
    pub alias: &'static str,
    /// "pickup month", as in "trips by pickup month".
    pub label: &'static str,
    pub axis: Axis,
    /// Ranked breakdowns are ordered by the measure and cut to the top rows; the others are
    /// ordered by the key.
    pub top: Option<u32>,
    /// Extra joins this breakdown needs.
    pub joins: &'static str,
}

/// Rows asked for one by one ("list the order lines"): no aggregate, in a fixed order.
#[derive(Debug)]
pub struct Listing {
    /// What the rows are called; a question lists them when it also says "list" or "show all".
    pub phrases: &'static [&'static str],
    pub columns: &'static str,
    pub from: &'static str,
    /// The column year and month filters apply to.
    pub time_column: &'static str,
    pub order_by: &'static str,
    /// "order lines", as in "Here are the order lines in 1995".
    pub label: &'static str,
}

#[derive(Debug)]
pub struct Dataset {
    pub name: &'static str,
    /// "NYC taxi trips", as in "I can answer questions about NYC taxi trips".
    pub topic: &'static str,
    pub from: &'static str,
    /// The column year and month filters apply to.
    pub time_column: &'static str,
    /// The years the data covers, so "only 2016" can be checked against it.
    pub years: (i32, i32),
    /// Checked in order: put specific phrases ("average fare") before general ones ("fare").
    pub measures: &'static [Measure],
    pub dimensions: &'static [Dimension],
    pub listing: Listing,
    pub tables: &'static [&'static str],
}

impl Dataset {
    pub fn by_name(name: &str) -> Option<&'static Dataset> {
        [&NYCTAXI, &TPCH].into_iter().find(|d| d.name == name)
    }
}

pub static NYCTAXI: Dataset = Dataset {
    name: "nyctaxi",
    topic: "NYC taxi trips (January and February 2016): trip counts, fares and distances",
    from: "samples.nyctaxi.trips",
    time_column: "tpep_pickup_datetime",
    years: (2016, 2016),
    measures: &[
        Measure {
            phrases: &[
                "average fare",
                "avg fare",
                "mean fare",
                "typical fare",
                "fare on average",
            ],
            expr: "ROUND(AVG(fare_amount), 2)",
            alias: "avg_fare",
            label: "average fare",
            sentence: "The average fare{scope} was **{v}**.",
            unit: "$",
            follow_up: "What about the average fare?",
        },
        Measure {
            phrases: &[
                "total fare",
                "revenue",
                "fares",
                "earnings",
                "total amount",
                "money",
            ],
            expr: "ROUND(SUM(fare_amount), 2)",
            alias: "total_fares",
            label: "total fares",
            sentence: "Fares{scope} added up to **{v}**.",
            unit: "$",
            follow_up: "What about total fares?",
        },
        Measure {
            phrases: &["longest", "maximum distance", "max distance"],
            expr: "MAX(trip_distance)",
            alias: "longest_trip_miles",
            label: "longest trip (miles)",
            sentence: "The longest trip{scope} was **{v}** miles.",
            unit: "",
            follow_up: "What was the longest trip?",
        },
        Measure {
            phrases: &[
                "average distance",
                "avg distance",
                "distance",
                "how far",
                "miles",
            ],
            expr: "ROUND(AVG(trip_distance), 2)",
            alias: "avg_distance_miles",
            label: "average distance (miles)",
            sentence: "The average trip{scope} was **{v}** miles long.",
            unit: "",
            follow_up: "What about the average distance?",
        },
        Measure {
            phrases: &[
                "latest trip",
                "last trip",
                "most recent trip",
                "latest pickup",
                "last pickup",
            ],
            expr: "MAX(tpep_pickup_datetime)",
            alias: "latest_pickup",
            label: "latest pickup time",
            sentence: "The latest trip{scope} started at **{v}**.",
            unit: "",
            follow_up: "When did the latest trip start?",
        },
        Measure {
            phrases: &[
                "how many",
                "number of",
                "count",
                "trips",
                "rides",
                "volume",
                "busiest",
            ],
            expr: "COUNT(*)",
            alias: "trips",
            label: "trips",
            sentence: "There were **{v}** trips{scope}.",
            unit: "",
            follow_up: "How many trips were there?",
        },
    ],
    dimensions: &[
        Dimension {
            phrases: &[
                "by day",
                "per day",
                "daily",
                "each day",
                "by date",
                "over time",
                "trend",
            ],
            expr: "CAST(tpep_pickup_datetime AS DATE)",
            alias: "pickup_date",
            label: "day",
            axis: Axis::Time,
            top: None,
            joins: "",
        },
        Dimension {
            phrases: &["by month", "per month", "monthly", "each month"],
            expr: "date_trunc('MONTH', tpep_pickup_datetime)",
            alias: "pickup_month",
            label: "month",
            axis: Axis::Time,
            top: None,
            joins: "",
        },
        Dimension {
            phrases: &["by hour", "per hour", "hourly", "each hour", "time of day"],
            expr: "hour(tpep_pickup_datetime)",
            alias: "pickup_hour",
            label: "hour of day",
            axis: Axis::Category,
            top: None,
            joins: "",
        },
        Dimension {
            phrases: &["dropoff", "drop-off", "drop off", "destination"],
            expr: "dropoff_zip",
            alias: "dropoff_zip",
            label: "drop-off zip code",
            axis: Axis::Category,
            top: Some(10),
            joins: "",
        },
        Dimension {
            phrases: &[
                "pickup zip",
                "by zip",
                "per zip",
                "zip code",
                "each zip",
                "pickup area",
            ],
            expr: "pickup_zip",
            alias: "pickup_zip",
            label: "pickup zip code",
            axis: Axis::Category,
            top: Some(10),
            joins: "",
        },
    ],
    listing: Listing {
        phrases: &["trips", "rides", "trip"],
        columns: "tpep_pickup_datetime, tpep_dropoff_datetime, trip_distance, fare_amount, pickup_zip, dropoff_zip",
        from: "samples.nyctaxi.trips",
        time_column: "tpep_pickup_datetime",
        order_by: "tpep_pickup_datetime",
        label: "trips",
    },
    tables: &["samples.nyctaxi.trips"],
};

const CUSTOMER_JOIN: &str = "\n  JOIN samples.tpch.customer c ON o.o_custkey = c.c_custkey";
const NATION_JOIN: &str = "\n  JOIN samples.tpch.customer c ON o.o_custkey = c.c_custkey\n  JOIN samples.tpch.nation n ON c.c_nationkey = n.n_nationkey";
const REGION_JOIN: &str = "\n  JOIN samples.tpch.customer c ON o.o_custkey = c.c_custkey\n  JOIN samples.tpch.nation n ON c.c_nationkey = n.n_nationkey\n  JOIN samples.tpch.region r ON n.n_regionkey = r.r_regionkey";

pub static TPCH: Dataset = Dataset {
    name: "tpch",
    topic: "orders and revenue of the TPC-H sample company (1992–1998), by region, country, market segment and priority",
    from: "samples.tpch.orders o",
    time_column: "o.o_orderdate",
    years: (1992, 1998),
    measures: &[
        Measure {
            phrases: &["average order", "avg order", "order value", "basket"],
            expr: "ROUND(AVG(o.o_totalprice), 2)",
            alias: "avg_order_value",
            label: "average order value",
            sentence: "The average order{scope} was worth **{v}**.",
            unit: "$",
            follow_up: "What about the average order value?",
        },
        Measure {
            phrases: &[
                "revenue",
                "sales",
                "total price",
                "turnover",
                "how much",
                "income",
            ],
            expr: "SUM(o.o_totalprice)",
            alias: "revenue",
            label: "revenue",
            sentence: "Revenue{scope} was **{v}**.",
            unit: "$",
            follow_up: "What about revenue?",
        },
        Measure {
            phrases: &["customers", "buyers", "clients"],
            expr: "COUNT(DISTINCT o.o_custkey)",
            alias: "customers",
            label: "customers",
            sentence: "**{v}** customers placed orders{scope}.",
            unit: "",
            follow_up: "How many customers ordered?",
        },
        Measure {
            phrases: &["how many", "number of", "count", "orders", "volume"],
            expr: "COUNT(*)",
            alias: "orders",
            label: "orders",
            sentence: "There were **{v}** orders{scope}.",
            unit: "",
            follow_up: "How many orders were there?",
        },
    ],
    dimensions: &[
        Dimension {
            phrases: &["region"],
            expr: "r.r_name",
            alias: "region",
            label: "region",
            axis: Axis::Category,
            top: None,
            joins: REGION_JOIN,
        },
        Dimension {
            phrases: &["nation", "country", "countries"],
            expr: "n.n_name",
            alias: "nation",
            label: "country",
            axis: Axis::Category,
            top: Some(10),
            joins: NATION_JOIN,
        },
        Dimension {
            phrases: &["segment"],
            expr: "c.c_mktsegment",
            alias: "market_segment",
            label: "market segment",
            axis: Axis::Category,
            top: None,
            joins: CUSTOMER_JOIN,
        },
        Dimension {
            phrases: &["priority", "priorities"],
            expr: "o.o_orderpriority",
            alias: "order_priority",
            label: "order priority",
            axis: Axis::Category,
            top: None,
            joins: "",
        },
        Dimension {
            phrases: &[
                "by month",
                "per month",
                "monthly",
                "each month",
                "over time",
                "trend",
            ],
            expr: "date_trunc('MONTH', o.o_orderdate)",
            alias: "order_month",
            label: "month",
            axis: Axis::Time,
            top: None,
            joins: "",
        },
        Dimension {
            phrases: &["by year", "per year", "yearly", "annual", "each year"],
            expr: "year(o.o_orderdate)",
            alias: "order_year",
            label: "year",
            axis: Axis::Category,
            top: None,
            joins: "",
        },
    ],
    listing: Listing {
        phrases: &[
            "order lines",
            "line items",
            "lineitems",
            "order line",
            "lineitem",
        ],
        columns: "l_orderkey, l_linenumber, l_quantity, l_extendedprice, l_discount, l_shipdate, l_shipmode",
        from: "samples.tpch.lineitem",
        time_column: "l_shipdate",
        order_by: "l_orderkey, l_linenumber",
        label: "order lines",
    },
    tables: &[
        "samples.tpch.orders",
        "samples.tpch.customer",
        "samples.tpch.nation",
        "samples.tpch.region",
    ],
};
