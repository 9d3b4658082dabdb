import { type SQL, sql } from 'drizzle-orm'

/**
 * Many rows as ONE statement parameter (issue 15, "multi-row or COPY on PostgreSQL"): the rows as
 * a JSON array, spread back into typed columns by `jsonb_to_recordset`. A multi-row VALUES list of
 * 1 000 rows binds 8 000 parameters, which drizzle builds and PostgreSQL parses and binds one by
 * one (≈ ¾ of a batch's ingest time, measured); this is one text parameter of the same values.
 * Numbers keep their value (JSON.stringify writes the shortest exact form, float8 reads it back
 * exactly); `columns` names each row key with its PostgreSQL type.
 */
export function jsonRows<T extends object>(rows: readonly T[], columns: { [K in keyof T]?: string }): SQL {
  const spec = Object.entries(columns)
    .map(([key, type]) => `"${key}" ${type}`)
    .join(', ')
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(${sql.raw(spec)})`
}
