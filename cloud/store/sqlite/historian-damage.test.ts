import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  LEVEL,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  registry,
  signedIn,
  tempDir,
  testAuth,
  testKey,
} from '../../../test/cloud/helpers.ts'
import { createEvaluator } from '../../../shared/rules/evaluate.ts'
import { createApp } from '../../api/app.ts'
import { createMetrics } from '../../metrics.ts'
import type { Store } from '../store.ts'
import type { CorruptPart } from './corrupt.ts'
import { openSqliteStore } from './store.ts'

/**
 * Disk damage in the historian (issue 15 "bad input"): a chunk or block that does not decode is
 * reported by point and time range, counted in /api/v1/health and skipped; every read still
 * answers with what is readable, and the compaction neither loses nor overwrites it.
 */
const HOUR = 3_600_000
const MIN = 60_000
const meta = (receivedAt: number) => ({ site: 'huaian', receivedAt })

let tmp: ReturnType<typeof tempDir>
let file: string
let store: Store
let reports: CorruptPart[]
let metrics: ReturnType<typeof createMetrics>

beforeEach(async () => {
  tmp = tempDir()
  file = path.join(tmp.dir, 'cloud.db')
  reports = []
  metrics = createMetrics(T0)
  store = openSqliteStore({
    file,
    evaluate: createEvaluator(),
    log: captureLogger().log,
    // As cloud/service.ts wires it: reported and counted.
    onCorrupt: (part) => {
      reports.push(part)
      metrics.historian.corrupt++
    },
  })
  await store.applyRegistry(registry)
  // Three hours of one sample every 10 minutes, then sealed: three chunks.
  const samples = Array.from({ length: 18 }, (_, i) => good(LEVEL, T0 + i * 10 * MIN, i))
  await store.ingestBatch(batch(1, samples), meta(T0 + 3 * HOUR))
  expect((await store.compactSamples(T0 + 4 * HOUR)).chunks).toBe(3)
})
afterEach(async () => {
  await store.close()
  tmp.remove()
})

/** Flips one byte in the middle of a stored blob, as a bad sector would. */
function damage(table: 'sample_chunks' | 'sample_blocks', where: string): void {
  const db = new Database(file)
  const row = db.prepare(`SELECT id, data FROM ${table} WHERE ${where}`).get() as { id: number; data: Buffer }
  const data = Buffer.from(row.data)
  const at = Math.floor(data.length / 2)
  data[at] = (data[at] as number) ^ 0xff
  db.prepare(`UPDATE ${table} SET data = ? WHERE id = ?`).run(data, row.id)
  db.close()
}

const values = async (from = T0, to = T0 + 3 * HOUR) =>
  (await store.history(LEVEL, { from, to, limit: 100 }, 'all')).map((s) => s.value)

describe('a damaged historian chunk', () => {
  it('is reported by point and time range and skipped: history, pages, buckets and completeness answer the rest', async () => {
    damage('sample_chunks', `point = '${LEVEL}' AND hour = ${T0 + HOUR}`)
    expect(await values()).toEqual([0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17])
    expect(reports.at(-1)).toMatchObject({
      kind: 'chunk',
      point: LEVEL,
      from: T0 + HOUR,
      to: T0 + HOUR + 50 * MIN,
    })
    const page = await store.historyPage(LEVEL, { from: T0, to: T0 + 3 * HOUR, limit: 100 }, 'all')
    expect(page.samples).toHaveLength(12)
    // Whole hours come from the 1-h rollups, which the damage did not touch.
    const hourly = await store.historyBuckets(LEVEL, { from: T0, to: T0 + 3 * HOUR, step: HOUR }, 'all')
    expect(hourly.map((b) => [b.i, b.count])).toEqual([
      [0, 6],
      [1, 6],
      [2, 6],
    ])
    // A plan of partial minutes (90 s) is answered from the samples: the damaged hour's are skipped.
    const raw = await store.historyBuckets(LEVEL, { from: T0, to: T0 + 3 * HOUR, step: 90_000 }, 'all')
    expect(raw.reduce((n, b) => n + b.count, 0)).toBe(12)
    const level = (await store.completenessIntervals({ from: T0, to: T0 + 3 * HOUR, step: HOUR }, 'all')).find(
      (p) => p.point === LEVEL,
    )
    expect(level).toMatchObject({ received: 2 })
    expect(metrics.historian.corrupt).toBeGreaterThanOrEqual(4)
  })

  it('shows in /api/v1/health', async () => {
    damage('sample_chunks', `point = '${LEVEL}' AND hour = ${T0}`)
    const clock = manualClock(T0 + 4 * HOUR)
    const auth = testAuth(store, clock)
    const app = signedIn(
      createApp({ store, clock, metrics, log: captureLogger().log, ...auth }),
      await testKey(auth.accounts, 'park_admin'),
    )
    const res = await app.request(`/api/v1/points/${LEVEL}/history?from=${T0}&to=${T0 + 3 * HOUR}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { samples: unknown[] }).samples).toHaveLength(12)
    const health = (await (await app.request('/api/v1/health')).json()) as { historian: { corrupt: number } }
    expect(health.historian.corrupt).toBe(1)
  })

  it('is kept, not overwritten, when the compaction seals newer samples of its hour beside it', async () => {
    damage('sample_chunks', `point = '${LEVEL}' AND hour = ${T0}`)
    await store.ingestBatch(batch(2, [good(LEVEL, T0 + 5 * MIN, 99)]), meta(T0 + 5 * HOUR))
    await store.compactSamples(T0 + 6 * HOUR)
    expect(await values(T0, T0 + HOUR - 1)).toEqual([99])
    const db = new Database(file, { readonly: true })
    expect(db.prepare('SELECT COUNT(*) AS n FROM sample_chunks WHERE hour = ?').get(T0)).toEqual({ n: 2 })
    db.close()
  })
})

describe('a damaged block', () => {
  it('is reported and skipped by reads, and left in place by the compaction while the others are sealed', async () => {
    await store.ingestBatch(batch(2, [good(LEVEL, T0 + 3 * HOUR + MIN, 100)]), meta(T0 + 5 * HOUR))
    await store.ingestBatch(batch(3, [good(LEVEL, T0 + 3 * HOUR + 2 * MIN, 101)]), meta(T0 + 5 * HOUR))
    damage('sample_blocks', 'seq = 2')
    expect(await values(T0 + 3 * HOUR, T0 + 4 * HOUR)).toEqual([101])
    expect(reports.at(-1)).toMatchObject({ kind: 'block', point: null, from: T0 + 3 * HOUR + MIN })
    expect(await store.compactSamples(T0 + 6 * HOUR)).toMatchObject({ blocks: 1, samples: 1, corrupt: 1 })
    expect(await values(T0 + 3 * HOUR, T0 + 4 * HOUR)).toEqual([101])
  })
})
