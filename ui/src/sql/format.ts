// Format SQL: sql-formatter with its Spark dialect (Databricks SQL is Spark SQL), `:name`
// parameters kept as they are, keywords upper-case. Loaded on first use, so the formatter's
// code is not part of start-up.

export type Formatted = { ok: true; sql: string } | { ok: false; message: string };

export async function formatSql(sql: string): Promise<Formatted> {
  const { formatDialect, spark } = await import("sql-formatter");
  try {
    const formatted = formatDialect(sql, {
      dialect: spark,
      keywordCase: "upper",
      paramTypes: { named: [":"] },
      tabWidth: 2,
    });
    return { ok: true, sql: formatted };
  } catch (error) {
    // The formatter stops at what it cannot parse; say where, and leave the text alone.
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, message: `Brickdesk could not format this SQL (${detail}). The text is unchanged.` };
  }
}
