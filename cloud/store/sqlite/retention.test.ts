import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chunkSamples, rawSampleCount } from '../../../test/util/stored-samples.ts'
import { T0, batch, good, tempStore } from '../../../test/cloud/helpers.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { DAY_MS, cutoffsAt, defaultRetention } from '../../telemetry/retention-policy.ts'
import { openDatabase } from './db.ts'

const NOW = T0
const point = 'shilian.ret.level'
let env: Awaited<ReturnType<typeof tempStore>>
let db: ReturnType<typeof openDatabase>
let seq = 0
const ingest = (samples: Sample[]) => env.store.ingestBatch(batch(++seq, samples), { site: 'huaian', receivedAt: NOW })
/** Samples that arrived when they were measured (retention counts from arrival too), each sealed into its chunk. */
const arrived = async (samples: Sample[]) => {
  for (const s of samples) {
    await env.store.ingestBatch(batch(++seq, [s]), { site: 'huaian', receivedAt: s.ts })
    await env.store.compactSamples(Number.MAX_SAFE_INTEGER)
  }
}
const count = (table: string) => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
const starts = (table: string) =>
  (db.$client.prepare(`SELECT start FROM ${table} ORDER BY start`).all() as Array<{ start: number }>).map(
    (r) => r.start,
  )
/** Row counts of every table but the ones retention may touch. */
const others = () =>
  Object.fromEntries(
    (
      db.$client
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('samples', 'sample_blocks', 'sample_chunks', 'rollups_1m', 'rollups_1h', 'retention_runs') AND name NOT LIKE 'sqlite_%'",
        )
        .all() as Array<{ name: string }>
    ).map(({ name }) => [name, count(`"${name}"`)]),
  )

beforeEach(async () => {
  env = await tempStore()
  db = openDatabase(env.file)
})
afterEach(async () => {
  db.$client.close()
  await env.dispose()
})

describe('retention (issue 15): whole buckets and samples older than their kind, nothing else', () => {
  it('removes raw samples > 1 year, 1-min rows > 3 years, 1-h rows > 10 years, and records the run', async () => {
    const ages = [10, 400, 1100, 3700] // days before NOW
    await arrived(ages.map((d) => good(point, NOW - d * DAY_MS, d)))
    // Alarms and the audit log are kept forever, whatever their age.
    await env.store.auth.audit({ at: NOW - 4000 * DAY_MS, actor: 'test', action: 'login', outcome: 'ok' })
    const stale = { point, kind: 'STALE' as const, priority: 'A' as const, value: 0, limit: 0 }
    expect(await env.store.raiseSystemAlarm({ ...stale, ts: NOW - 4000 * DAY_MS })).toBe(true)
    const before = others()
    const cutoffs = cutoffsAt(NOW, defaultRetention)
    const runs = await env.store.applyRetention(cutoffs, NOW)
    expect(runs).toEqual([
      { at: NOW, kind: 'raw', cutoff: NOW - 365 * DAY_MS, removed: 3 },
      { at: NOW, kind: 'rollup_1m', cutoff: cutoffs.rollup_1m, removed: 2 },
      { at: NOW, kind: 'rollup_1h', cutoff: cutoffs.rollup_1h, removed: 1 },
    ])
    expect(rawSampleCount(db.$client)).toBe(1)
    expect(starts('rollups_1m')).toEqual([NOW - 400 * DAY_MS, NOW - 10 * DAY_MS])
    expect(starts('rollups_1h')).toEqual([NOW - 1100 * DAY_MS, NOW - 400 * DAY_MS, NOW - 10 * DAY_MS])
    expect(others()).toEqual(before)
    expect(before.alarms).toBe(1)
    expect(before.audit_log).toBe(1)
    expect(await env.store.listRetentionRuns(10)).toHaveLength(3)
    // Run again: nothing more to remove, recorded as such.
    const again = await env.store.applyRetention(cutoffs, NOW + 1)
    expect(again.map((r) => r.removed)).toEqual([0, 0, 0])
    expect((await env.store.listRetentionRuns(1))[0]).toMatchObject({ at: NOW + 1 })
  })

  it('keeps samples stamped long ago that arrived recently (an edge clock reset a year back): a full period from arrival', async () => {
    await ingest([good(point, NOW - 400 * DAY_MS, 1)]) // arrives NOW, stamped 400 days ago
    await env.store.compactSamples(Number.MAX_SAFE_INTEGER)
    const runs = await env.store.applyRetention(cutoffsAt(NOW, defaultRetention), NOW)
    expect(runs.find((r) => r.kind === 'raw')?.removed).toBe(0)
    expect(rawSampleCount(db.$client)).toBe(1)
    const later = NOW + 366 * DAY_MS
    const again = await env.store.applyRetention(cutoffsAt(later, defaultRetention), later)
    expect(again.find((r) => r.kind === 'raw')?.removed).toBe(1)
  })

  it('keeps what is at the cutoff; a rollup bucket goes only when wholly older than it', async () => {
    const policy = { ...defaultRetention, rawDays: 1, rollup1mDays: 2, rollup1hDays: 3 }
    const cut = NOW - DAY_MS
    await arrived([good(point, cut - 1, 1), good(point, cut, 2)])
    // A 1-h bucket straddling the 1-h cutoff (cutoff 30 min into the hour) stays.
    const at = NOW + 30 * 60_000
    const cutoffs = cutoffsAt(at, policy)
    expect(cutoffs.rollup_1h).toBe(NOW - 3 * DAY_MS)
    await arrived([good(point, NOW - 3 * DAY_MS + 45 * 60_000, 3), good(point, NOW - 3 * DAY_MS - 1, 4)])
    await env.store.applyRetention({ ...cutoffs, raw: cut }, at)
    // cut - 1 ends the hour before cut's: its chunk is wholly older and goes; cut's stays.
    expect(chunkSamples(db.$client, point, 0, NOW).map((s) => s.ts)).toEqual([cut])
    expect(starts('rollups_1h')).toEqual([NOW - 3 * DAY_MS, cut - 3_600_000, cut])
  })
})
