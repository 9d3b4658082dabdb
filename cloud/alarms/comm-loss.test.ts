import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  LEVEL,
  NH3,
  T0,
  batch,
  birth,
  captureLogger,
  death,
  good,
  manualClock,
  tempStore,
} from '../../test/cloud/helpers.ts'
import { startCommLossWatcher, type CommLossWatcher } from './comm-loss.ts'

const MIN = 60_000
const meta = { site: 'huaian', receivedAt: T0 }
let env: Awaited<ReturnType<typeof tempStore>>
let watcher: CommLossWatcher
const clock = manualClock()

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  watcher = startCommLossWatcher({
    store: env.store,
    clock,
    log: captureLogger().log,
    staleAfterMs: 10 * MIN,
    edgeOfflineAfterMs: MIN,
    intervalMs: 3_600_000,
  })
})
afterEach(async () => {
  watcher.stop()
  await env.dispose()
})

const rows = async () =>
  (await env.store.listAlarms({ scope: 'all', state: 'all', limit: 20 })).map((a) => [
    a.point,
    a.kind,
    a.priority,
    a.state,
    (a.raisedAt - T0) / MIN,
  ])

describe('communication loss', () => {
  it('a point without GOOD data for too long is STALE (bad samples do not count); the next good sample recovers it', async () => {
    await env.store.recordBirth('huaian', birth('s1'), T0)
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0, 7), good(NH3, T0, 1)]), meta)
    clock.set(T0 + 5 * MIN)
    await env.store.ingestBatch(
      batch(2, [
        { point: LEVEL, ts: T0 + 5 * MIN, value: null, quality: 'bad', reason: 'timeout' },
        good(NH3, T0 + 5 * MIN, 1),
      ]),
      { ...meta, receivedAt: T0 + 5 * MIN },
    )
    await env.store.recordState(
      'huaian',
      {
        v: 1,
        kind: 'state',
        edge: 'shilian-01',
        session: 's1',
        ts: T0 + 11 * MIN,
        outbox: { samples: 0, batches: 0, bytes: 0, oldestTs: null, evicted: 0 },
        drivers: [],
      },
      T0 + 11 * MIN,
    )
    clock.set(T0 + 11 * MIN)
    expect(await watcher.runOnce()).toEqual({ raised: 1, recovered: 0 })
    // Raised at the moment the point went silent for 10 min; MHS comm loss is C.
    expect(await rows()).toEqual([[LEVEL, 'STALE', 'C', 'active', 10]])
    expect(await watcher.runOnce()).toEqual({ raised: 0, recovered: 0 }) // once, not every round
    await env.store.ingestBatch(batch(3, [good(LEVEL, T0 + 12 * MIN, 7.1)]), { ...meta, receivedAt: T0 + 12 * MIN })
    clock.set(T0 + 12 * MIN)
    expect(await watcher.runOnce()).toMatchObject({ recovered: 1 })
    expect((await rows())[0]).toEqual([LEVEL, 'STALE', 'C', 'recovered', 10])
  })

  it('an edge silent for too long, or dead, is OFFLINE; back, it recovers', async () => {
    await env.store.recordBirth('huaian', birth('s1'), T0)
    clock.set(T0 + 2 * MIN)
    await watcher.runOnce()
    expect(await rows()).toContainEqual(['edge:shilian-01', 'OFFLINE', 'C', 'active', 1])
    await env.store.recordBirth('huaian', birth('s2'), T0 + 3 * MIN)
    clock.set(T0 + 3 * MIN)
    await watcher.runOnce()
    expect((await rows()).find((r) => r[0] === 'edge:shilian-01')).toEqual([
      'edge:shilian-01',
      'OFFLINE',
      'C',
      'recovered',
      1,
    ])
    await env.store.recordDeath(death('s2'), T0 + 4 * MIN)
    clock.set(T0 + 4 * MIN)
    await watcher.runOnce()
    expect((await rows()).filter((r) => r[0] === 'edge:shilian-01' && r[3] === 'active')).toEqual([
      ['edge:shilian-01', 'OFFLINE', 'C', 'active', 4],
    ])
  })
})
