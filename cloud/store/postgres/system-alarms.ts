import { systemRaiseWrite, systemRecoverWrite, type SystemRaise } from '../../alarms/engine/system.ts'
import type { AlarmChange, SystemAlarmKind } from '../../alarms/model.ts'
import type { AlarmChangeSinks } from './alarms.ts'
import { saveAlarm } from './alarm-writes.ts'
import type { PgDb } from './db.ts'

/**
 * Comm-loss and clock alarms, raised and recovered by watchers (cloud/alarms/comm-loss.ts), as
 * cloud/store/sqlite/alarms.ts saves them. No lock is needed: the raise is one INSERT … ON
 * CONFLICT DO NOTHING on the one-active-alarm-per-(point, kind) index (a concurrent raise waits
 * for the first to commit, then skips), the recover one UPDATE of the active row (a concurrent
 * recover waits, then finds it recovered). True: this call raised (recovered) it.
 */
export async function raiseSystemAlarm(db: PgDb, a: SystemRaise, sinks: AlarmChangeSinks): Promise<boolean> {
  const changes: AlarmChange[] = []
  const id = await db.transaction(async (tx) => {
    const id = await saveAlarm(tx, systemRaiseWrite(a), changes)
    // Its pushes, committed with it.
    await sinks.planInTx(tx, changes)
    return id
  })
  for (const c of changes) sinks.emit(c)
  return id !== null
}

export async function recoverSystemAlarm(
  db: PgDb,
  r: { point: string; kind: SystemAlarmKind; ts: number; value: number },
  sinks: AlarmChangeSinks,
): Promise<boolean> {
  const changes: AlarmChange[] = []
  const id = await db.transaction((tx) => saveAlarm(tx, systemRecoverWrite(r.point, r.kind, r.ts, r.value), changes))
  for (const c of changes) sinks.emit(c)
  return id !== null
}
