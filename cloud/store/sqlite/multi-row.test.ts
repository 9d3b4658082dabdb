import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from './db.ts'
import { createMultiRowInsert } from './multi-row.ts'

let sqlite: Database.Database
let db: Db

beforeEach(() => {
  sqlite = new Database(':memory:')
  sqlite.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, n INTEGER NOT NULL)')
  db = drizzle(sqlite) as unknown as Db
})
afterEach(() => sqlite.close())

const rowsOf = (n: number, a: string) => Array.from({ length: n }, (_, k) => [k, a, 1])
const stored = () => sqlite.prepare('SELECT k, a, n FROM t ORDER BY k').raw().all()

describe('createMultiRowInsert', () => {
  // Sizes around the 512-row chunk and its powers-of-two remainder.
  it.each([0, 1, 2, 3, 511, 512, 513, 1000, 1537])('writes each of %i rows exactly once', (n) => {
    const insert = createMultiRowInsert(db, 'INSERT INTO t (k, a, n)', 3, 'ON CONFLICT (k) DO UPDATE SET n = t.n + 1')
    insert.run(rowsOf(n, 'x'))
    expect(stored()).toEqual(rowsOf(n, 'x'))
  })

  it('runs the tail for rows already there: an upsert merges, in row order', () => {
    const insert = createMultiRowInsert(
      db,
      'INSERT INTO t (k, a, n)',
      3,
      'ON CONFLICT (k) DO UPDATE SET n = t.n + excluded.n, a = excluded.a',
    )
    insert.run(rowsOf(700, 'x'))
    insert.run([...rowsOf(600, 'y'), [5, 'z', 10]])
    const rows = stored() as Array<[number, string, number]>
    expect(rows).toHaveLength(700)
    expect(rows[5]).toEqual([5, 'z', 12])
    expect(rows[599]).toEqual([599, 'y', 2])
    expect(rows[600]).toEqual([600, 'x', 1])
  })
})
