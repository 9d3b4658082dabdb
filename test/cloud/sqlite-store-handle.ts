import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { createLogger } from '../../cloud/log.ts'
import { verifyAuditChain } from '../../cloud/store/sqlite/audit-chain.ts'
import { createAlarmWrites } from '../../cloud/store/sqlite/alarm-writes.ts'
import { openDatabase } from '../../cloud/store/sqlite/db.ts'
import { createDeliveryOps } from '../../cloud/store/sqlite/deliveries.ts'
import { openSqliteStore } from '../../cloud/store/sqlite/store.ts'
import type { Store } from '../../cloud/store/store.ts'
import { flipMiddleByte } from '../util/damage.ts'
import { createEvaluator } from '../../shared/rules/evaluate.ts'
import type { StoreFactoryOptions as RepoFactoryOptions, StoreHandle } from '../conformance/store.suite.ts'
import { type SeedAlarm, seedWrite } from '../conformance/store/fixtures.ts'

/**
 * A fresh SQLite store in a temp dir for the store conformance suite (runStoreTests), as
 * `wrap` makes it (e.g. compacting after every batch); removed by dispose.
 */
export async function sqliteStoreHandle(
  o: RepoFactoryOptions,
  wrap = (s: Store) => s,
): Promise<StoreHandle & { file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-store-'))
  const file = path.join(dir, 'cloud.db')
  const store = openSqliteStore({ file, evaluate: createEvaluator(), log: createLogger({ level: 'silent' }), ...o })
  return {
    store: wrap(store),
    file,
    // What `parklink cloud audit verify` does: a reader of its own on the file.
    verifyAuditChain: async () => {
      const reader = new Database(file, { readonly: true })
      try {
        return verifyAuditChain(reader)
      } finally {
        reader.close()
      }
    },
    seedAlarm: (alarm, pushes) => seedAlarm(file, alarm, pushes),
    damageChunk: async (point, hour) => {
      const db = new Database(file)
      try {
        const row = db.prepare('SELECT id, data FROM sample_chunks WHERE point = ? AND hour = ?').get(point, hour) as
          | { id: number; data: Buffer }
          | undefined
        if (!row) throw new Error(`no chunk of ${point} at ${hour}`)
        db.prepare('UPDATE sample_chunks SET data = ? WHERE id = ?').run(flipMiddleByte(row.data), row.id)
      } finally {
        db.close()
      }
    },
    dispose: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The conformance suite's SeedAlarm on SQLite: the engine's alarm writes and delivery ledger on a
 * connection of their own to the store's file, in one IMMEDIATE transaction as the store's are.
 */
const seedAlarm = async (file: string, ...[alarm, pushes = []]: Parameters<SeedAlarm>): Promise<number> => {
  const db = openDatabase(file)
  try {
    return db.transaction(
      () => {
        const id = createAlarmWrites(db).save(seedWrite(alarm), [])
        if (id === null) throw new Error(`alarm ${alarm.point} ${alarm.kind} is active already`)
        createDeliveryOps(db).enqueue(id, pushes)
        return id
      },
      { behavior: 'immediate' },
    )
  } finally {
    db.$client.close()
  }
}
