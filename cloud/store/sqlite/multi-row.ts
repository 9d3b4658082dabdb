import type { Statement } from 'better-sqlite3'
import type { Db } from './db.ts'

/** Rows per statement at most: 512 rows of 9 columns stay far below SQLite's 32 766 parameters. */
const CHUNK = 512

/**
 * One INSERT … VALUES (…), (…) … statement for many rows (issue 15: "prepared statements on
 * SQLite", a small, fixed number per batch). `head` is the statement up to VALUES, `tail` what
 * follows the rows (an ON CONFLICT clause). Rows go in chunks of 512, the rest in descending
 * powers of two, so a batch of any size takes at most ⌈n/512⌉ + 9 statements, each prepared
 * once. Bound parameters, not JSON read by json_each: extracting a JSON row's fields in SQL
 * cost more than the upsert itself (measured: 1 000 rollup rows ≈ 6–9 ms by json_each, ≈ 2 ms
 * bound).
 */
export function createMultiRowInsert(db: Db, head: string, columns: number, tail: string) {
  const row = `(${Array(columns).fill('?').join(',')})`
  const statements = new Map<number, Statement>()
  const statement = (rows: number) => {
    let s = statements.get(rows)
    if (!s) {
      s = db.$client.prepare(`${head} VALUES ${Array(rows).fill(row).join(',')} ${tail}`)
      statements.set(rows, s)
    }
    return s
  }
  return {
    /** Writes `rows` (each `columns` values long). */
    run(rows: readonly (readonly unknown[])[]): void {
      let at = 0
      while (at < rows.length) {
        const left = rows.length - at
        const size = left >= CHUNK ? CHUNK : 2 ** Math.floor(Math.log2(left))
        // The chunk's values in one array, written in place (slice().flat() copied them twice).
        const values = new Array(size * columns)
        let k = 0
        for (let i = at; i < at + size; i++) {
          const r = rows[i] as readonly unknown[]
          for (let c = 0; c < columns; c++) values[k++] = r[c]
        }
        statement(size).run(values)
        at += size
      }
    },
  }
}
