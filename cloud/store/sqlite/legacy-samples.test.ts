import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { LEVEL, NH3, OUTBOX, T0, tempDir } from '../../../test/cloud/helpers.ts'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import { createLogger } from '../../log.ts'
import { openSqliteStore } from './store.ts'

/**
 * A database of the row-per-sample layout opened by the historian (issue 15): its sample rows
 * become blocks once, in arrival order, and a batch still waiting for evaluation gets its
 * samples back; the rows are gone afterwards.
 */
const EDGE = 'shilian-01'
let tmp: ReturnType<typeof tempDir> | null = null
afterEach(() => tmp?.remove())

const open = (file: string) =>
  openSqliteStore({ file, evaluate: createEvaluator(), log: createLogger({ level: 'silent' }) })

describe('legacy sample rows', () => {
  it('move into blocks at startup, ties kept in arrival order, a deferred batch keeps its samples', async () => {
    tmp = tempDir()
    const file = path.join(tmp.dir, 'cloud.db')
    await open(file).close()
    const db = new Database(file)
    const batchRow = db.prepare(
      'INSERT INTO batches (edge, outbox, seq, session, floor, received_at, sample_count, evaluated) VALUES (?, ?, ?, ?, 0, ?, ?, ?)',
    )
    batchRow.run(EDGE, OUTBOX, 1, 's', T0, 3, 1)
    batchRow.run(EDGE, OUTBOX, 3, 's', T0 + 5, 1, 0)
    const row = db.prepare(
      'INSERT INTO samples (edge, seq, point, ts, value, value_text, quality, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    row.run(EDGE, 1, LEVEL, T0, 1.5, null, 'good', null)
    row.run(EDGE, 1, NH3, T0, 1, 'true', 'good', null)
    row.run(EDGE, 1, LEVEL, T0 + 1_000, null, null, 'bad', 'timeout')
    row.run(EDGE, 3, LEVEL, T0, 2.5, null, 'good', null)
    db.close()

    const store = open(file)
    try {
      expect(await store.history(LEVEL, { from: T0, to: T0 + 2_000, limit: 10 }, 'all')).toEqual([
        { ts: T0, value: 1.5, quality: 'good' },
        { ts: T0, value: 2.5, quality: 'good' },
        { ts: T0 + 1_000, value: null, quality: 'bad', reason: 'timeout' },
      ])
      expect(await store.history(NH3, { from: T0, to: T0, limit: 10 }, 'all')).toEqual([
        { ts: T0, value: true, quality: 'good' },
      ])
      // The deferred batch is evaluated from the samples it got back.
      expect((await store.evaluateThrough(EDGE, 3, T0 + 10, OUTBOX)).samples).toBe(1)
      await store.compactSamples(Number.MAX_SAFE_INTEGER)
      expect(await store.history(LEVEL, { from: T0, to: T0, limit: 10 }, 'all')).toHaveLength(2)
    } finally {
      await store.close()
    }
    const after = new Database(file, { readonly: true })
    expect(after.prepare('SELECT COUNT(*) AS n FROM samples').get()).toEqual({ n: 0 })
    after.close()
  })
})
