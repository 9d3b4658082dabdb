import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import { T0, captureLogger, manualClock } from '../../test/cloud/helpers.ts'
import { freshDatabase, startTemplateCluster, type TestDatabase } from '../../test/util/pg-databases.ts'
import type { TestPostgres } from '../../test/util/postgres.ts'
import { NotificationsConfig } from '../notify/config.ts'
import { startDispatcher } from '../notify/dispatcher.ts'
import { pushPlanner } from '../notify/plan.ts'
import { openStore } from '../store/open-store.ts'
import { StoreConfig } from '../store/store-config.ts'
import type { Store } from '../store/store.ts'

/**
 * Issue 16: two dispatchers (two replicas in a leader hand-over's overlap) on one PostgreSQL
 * database, sending at the same moment: each due push reaches the receiver exactly once, because
 * each claims its rows (FOR UPDATE SKIP LOCKED, then a lease) instead of only reading them.
 */
let server: TestPostgres
let db: TestDatabase | null = null
let dir = ''
const stores: Store[] = []
let receiver: http.Server | null = null

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
  if (receiver) await new Promise((resolve) => receiver!.close(resolve))
  receiver = null
  rmSync(dir, { recursive: true, force: true })
})

/** A webhook receiver that answers slowly (so the two dispatchers' rounds overlap) and counts each push. */
async function slowReceiver(): Promise<{ url: string; got: string[] }> {
  const got: string[] = []
  receiver = http.createServer((req, res) => {
    let text = ''
    req.on('data', (c) => (text += c))
    req.on('end', () => {
      const body = JSON.parse(text) as { alarm: { id: number }; recipient: { id: string }; n: number }
      got.push(`${body.alarm.id}/${body.recipient.id}/${body.n}`)
      setTimeout(() => res.writeHead(200).end('ok'), 5)
    })
  })
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, got }
}

describe('two dispatchers on one database', () => {
  it('each due push is sent once, whichever dispatcher claims it', async () => {
    db = await freshDatabase(server.url)
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-dispatch-'))
    const hook = await slowReceiver()
    const config = NotificationsConfig.parse({
      webhook: { url: hook.url },
      recipients: [
        { id: 'duty', name: '值班专员', category: 'special', channels: ['webhook'] },
        { id: 'ops', name: '运维', category: 'safety-officer', channels: ['webhook'] },
      ],
      schedules: {
        special: { priorities: ['S', 'A', 'B', 'C'], pushOn: 'raise' },
        'safety-officer': { priorities: ['S', 'A', 'B', 'C'], pushOn: 'raise' },
      },
    })
    const open = async () => {
      const s = await openStore(
        { store: StoreConfig.parse({ engine: 'postgres', url: db!.url, poolSize: 4 }), dataDir: dir },
        { evaluate: createEvaluator(), log: captureLogger().log, planPushes: pushPlanner(config) },
      )
      stores.push(s)
      return s
    }
    const [a, b] = [await open(), await open()]
    const alarms = 30
    for (let i = 0; i < alarms; i++)
      await a.raiseSystemAlarm({ point: `edge:e${i}`, kind: 'OFFLINE', priority: 'B', ts: T0, value: 60, limit: 60 })
    const clock = manualClock(T0 + 1_000)
    const dispatcher = (store: Store) =>
      startDispatcher({ config, store, clock, log: captureLogger().log, intervalMs: 3_600_000 })
    const [da, db2] = [dispatcher(a), dispatcher(b)]
    try {
      const [sentA, sentB] = await Promise.all([da.runOnce(), db2.runOnce()])
      const due = await a.duePushes(T0 + 10 * 60_000, 1_000)
      // Every push planned at the raise went out, none twice, and each dispatcher's count is its own share.
      expect(hook.got.length).toBe(sentA + sentB)
      expect(new Set(hook.got).size).toBe(hook.got.length)
      expect(hook.got.length).toBeGreaterThanOrEqual(alarms * 2)
      expect(due.filter((d) => d.dueAt <= T0)).toEqual([])
    } finally {
      da.stop()
      db2.stop()
    }
  })
})
