import { afterAll, beforeAll, expect, it } from 'vitest'
import { freshDatabase, startTemplateCluster, type TestDatabase } from '../../../test/util/pg-databases.ts'
import type { TestPostgres } from '../../../test/util/postgres.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { appendTimeline } from './alarm-writes.ts'
import { type PgDb, openPostgres } from './db.ts'
import { alarmTimeline } from './schema.ts'

/**
 * The alarm stream resumes "after timeline id N" (alarm-changes.ts): ids must commit in id order,
 * or a client resuming between two commits passes over the entry committed second for good.
 * PostgreSQL takes identity ids at insert; LOCKS.alarmTimeline (tx.ts) makes a second appender
 * wait for the first one's commit. Without that lock this test sees id 2 committed while 1 is not.
 */
let server: TestPostgres
let database: TestDatabase
let db: PgDb

beforeAll(async () => {
  server = await startTemplateCluster()
  database = await freshDatabase(server.url)
  db = await openPostgres({ url: database.url, max: 4 })
}, 120_000)
afterAll(async () => {
  await db?.$client.end({ timeout: 5 })
  await server?.stop()
})

const entry = (action: 'raise' | 'recover') => ({ at: 1, actor: 'system', action, detail: {} })
const committedIds = async () => (await db.select({ id: alarmTimeline.id }).from(alarmTimeline)).map((r) => r.id)

it('a second transaction appending to the timeline waits for the first one to commit', async () => {
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  const first = db.transaction(async (tx) => {
    await appendTimeline(tx, 1, entry('raise'))
    await held
  })
  await waitFor(async () =>
    (await db.$client`select 1 from pg_locks where locktype = 'advisory' and granted`).length > 0 ? true : null,
  )
  const second = db.transaction((tx) => appendTimeline(tx, 1, entry('recover')))
  await waitFor(
    async () =>
      (await db.$client`select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)
        .length === 1
        ? true
        : null,
    { timeoutMs: 30_000 },
  )
  // The second appender is blocked before its insert: nothing of either is visible yet.
  expect(await committedIds()).toEqual([])
  release()
  await Promise.all([first, second])
  const rows = await db.select({ id: alarmTimeline.id, action: alarmTimeline.action }).from(alarmTimeline)
  expect(rows.sort((a, b) => a.id - b.id).map((r) => r.action)).toEqual(['raise', 'recover'])
})
