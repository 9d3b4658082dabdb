import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createLogger } from '../../cloud/log.ts'
import { saveAlarm } from '../../cloud/store/postgres/alarm-writes.ts'
import { type PgDb, openPostgres } from '../../cloud/store/postgres/db.ts'
import { verifyAuditChain } from '../../cloud/store/postgres/repos.ts'
import { notificationDeliveries } from '../../cloud/store/postgres/schema.ts'
import { openPostgresStore } from '../../cloud/store/postgres/store.ts'
import { alarmPushRows } from '../../cloud/store/push-rows.ts'
import type { Store } from '../../cloud/store/store.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { StoreFactoryOptions, StoreHandle } from '../conformance/store.suite.ts'
import { type SeedAlarm, seedWrite } from '../conformance/store/fixtures.ts'
import { freshDatabase } from '../util/pg-databases.ts'
import { damagePgChunk } from '../util/pg-samples.ts'

/**
 * A fresh PostgreSQL store for the store conformance suite (runStoreTests): a database copied
 * from the migrated template of the cluster at `templateUrl` (test/util/pg-databases.ts), as
 * `wrap` makes it, plus a connection of the test's own for what the suite does behind the
 * store's back (disk damage, seeded alarms, the audit walk); dispose closes both and drops it.
 */
export async function pgStoreHandle(
  templateUrl: string,
  o: StoreFactoryOptions,
  wrap = (s: Store) => s,
): Promise<StoreHandle & { db: PgDb }> {
  const database = await freshDatabase(templateUrl)
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-pgstore-'))
  const remove = async () => {
    await database.drop()
    rmSync(dir, { recursive: true, force: true })
  }
  let store: Store
  let db: PgDb
  try {
    store = await openPostgresStore({
      connection: { url: database.url, max: 4 },
      dataDir: dir,
      evaluate: createEvaluator(),
      log: createLogger({ level: 'silent' }),
      ...o,
    })
    db = await openPostgres({ url: database.url, max: 2 })
  } catch (err) {
    await remove()
    throw err
  }
  return {
    store: wrap(store),
    db,
    damageChunk: (point, hour) => damagePgChunk(db, point, hour),
    verifyAuditChain: () => verifyAuditChain(db),
    seedAlarm: (alarm, pushes) => seedAlarm(db, alarm, pushes),
    dispose: async () => {
      await store.close()
      await db.$client.end({ timeout: 5 })
      await remove()
    },
  }
}

/** The suite's SeedAlarm on PostgreSQL: the engine's alarm writes and the ledger rows its push outbox plans. */
async function seedAlarm(db: PgDb, ...[alarm, pushes = []]: Parameters<SeedAlarm>): Promise<number> {
  return db.transaction(async (tx) => {
    const id = await saveAlarm(tx, seedWrite(alarm), [])
    if (id === null) throw new Error(`alarm ${alarm.point} ${alarm.kind} is active already`)
    if (pushes.length > 0)
      await tx.insert(notificationDeliveries).values(alarmPushRows(id, pushes)).onConflictDoNothing()
    return id
  })
}
