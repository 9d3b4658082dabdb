import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { T0, birth, captureLogger, manualClock, registry } from '../../test/cloud/helpers.ts'
import { freshDatabase, startTemplateCluster, type TestDatabase } from '../../test/util/pg-databases.ts'
import type { TestPostgres } from '../../test/util/postgres.ts'
import { startCommLossWatcher } from '../alarms/comm-loss.ts'
import { startAlarmReminders } from '../alarms/reminders.ts'
import { openStore } from '../store/open-store.ts'
import { StoreConfig } from '../store/store-config.ts'
import type { Store } from '../store/store.ts'

/**
 * Issue 16: between a leader's death and its session ending, the old and the new leader may run
 * one round each at the same moment. Their writes must not double: two comm-loss watchers raise
 * one alarm per episode, two reminder rounds write one overdue note.
 */
const MIN = 60_000
let server: TestPostgres
let db: TestDatabase | null = null
let dir = ''
const stores: Store[] = []

beforeAll(async () => {
  server = await startTemplateCluster()
}, 120_000)
afterAll(async () => {
  await server?.stop()
})
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  await db?.drop()
  db = null
  rmSync(dir, { recursive: true, force: true })
})

/** Two replicas' stores on one fresh database, the registry applied. */
async function twoStores(): Promise<[Store, Store]> {
  db = await freshDatabase(server.url)
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-overlap-'))
  const open = async () => {
    const s = await openStore(
      { store: StoreConfig.parse({ engine: 'postgres', url: db!.url, poolSize: 4 }), dataDir: dir },
      { evaluate: createEvaluator(), log: captureLogger().log },
    )
    stores.push(s)
    return s
  }
  const a = await open()
  await a.applyRegistry(registry)
  return [a, await open()]
}

describe('two leaders overlapping for a round', () => {
  it('two comm-loss watchers at once: one OFFLINE alarm per silent edge', async () => {
    const [a, b] = await twoStores()
    for (const edge of ['shilian-01', 'fuqiang-01', 'park-01'])
      await a.recordBirth('huaian', birth(`s-${edge}`, { edge }), T0)
    const clock = manualClock(T0 + 10 * MIN)
    const watcher = (store: Store) =>
      startCommLossWatcher({
        store,
        clock,
        log: captureLogger().log,
        staleAfterMs: 10 * MIN,
        edgeOfflineAfterMs: MIN,
        intervalMs: 3_600_000,
      })
    const [wa, wb] = [watcher(a), watcher(b)]
    try {
      const [ra, rb] = await Promise.all([wa.runOnce(), wb.runOnce()])
      const edges = await a.listEdges()
      expect(edges).toHaveLength(3)
      const alarms = await a.listAlarms({ scope: 'all', state: 'active', limit: 100 })
      const offline = alarms.filter((x) => x.kind === 'OFFLINE').map((x) => x.point)
      expect(offline.sort()).toEqual(edges.map((e) => `edge:${e.id}`).sort())
      expect(ra.raised + rb.raised).toBe(offline.length)
    } finally {
      wa.stop()
      wb.stop()
    }
  })

  it('two reminder rounds at once: one overdue note on the alarm', async () => {
    const [a, b] = await twoStores()
    await a.raiseSystemAlarm({ point: 'edge:e1', kind: 'OFFLINE', priority: 'B', ts: T0, value: 61, limit: 60 })
    const [alarm] = await a.listAlarms({ scope: 'all', state: 'open', limit: 10 })
    const clock = manualClock(T0 + 30 * MIN)
    const reminders = (store: Store) =>
      startAlarmReminders({ store, clock, log: captureLogger().log, intervalMs: 3_600_000 })
    const [ra, rb] = [reminders(a), reminders(b)]
    try {
      await Promise.all([ra.runOnce(), rb.runOnce()])
      const timeline = (await a.alarmTimeline(alarm!.id, 'all'))!
      expect(timeline.filter((e) => e.action === 'overdue')).toHaveLength(1)
      // And the next round of either finds nothing left to note.
      expect(await rb.runOnce()).toBe(0)
    } finally {
      ra.stop()
      rb.stop()
    }
  })
})
