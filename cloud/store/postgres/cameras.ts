import { and, asc, eq, sql } from 'drizzle-orm'
import { cameraAlarmPoint } from '../../alarms/engine/video.ts'
import { toCameraRecord, toSnapshotRecord } from '../camera-rows.ts'
import type { Scope } from '../../auth/roles.ts'
import type { CameraRecord, SnapshotRecord } from '../repos/cameras.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { alarms, cameras, points, snapshots } from './schema.ts'
import { byteOrder } from './tx.ts'

/**
 * The cameras and their snapshots' metadata on PostgreSQL, as cloud/store/sqlite/cameras.ts
 * (createCameraQueries): the camera list, an alarm's snapshots, one snapshot inside a scope.
 * Reads only; the rows are written by ingest (camera events) and births (postgres/edges.ts).
 */

/**
 * Whether the alarm exists inside the scope (brief §7): its enterprise is its point's, or for a
 * camera's alarm (camera:{id}) its camera's, as the alarms' own reads decide it.
 */
export async function alarmInScope(db: PgDb, id: number, scope: Scope): Promise<boolean> {
  const enterprise = sql`coalesce(${points.enterprise}, ${cameras.enterprise})`
  const rows = await db
    .select({ id: alarms.id })
    .from(alarms)
    .leftJoin(points, eq(points.id, alarms.point))
    .leftJoin(cameras, eq(sql`${cameraAlarmPoint('')} || ${cameras.id}`, alarms.point))
    .where(and(eq(alarms.id, id), inScope(scope, enterprise)))
    .limit(1)
  return rows.length > 0
}

export function pgCameraQueries(db: PgDb) {
  return {
    /** Cameras inside the scope, by id in byte order (as SQLite sorts text). */
    list: async (scope: Scope): Promise<CameraRecord[]> =>
      (
        await db
          .select()
          .from(cameras)
          .where(inScope(scope, cameras.enterprise))
          .orderBy(asc(byteOrder(cameras.id)))
      ).map(toCameraRecord),

    /** An alarm's snapshots, oldest first; null for an alarm unknown or outside the scope (as getAlarm has it). */
    async alarmSnapshots(alarm: number, scope: Scope): Promise<SnapshotRecord[] | null> {
      if (!(await alarmInScope(db, alarm, scope))) return null
      const rows = await db
        .select()
        .from(snapshots)
        .where(eq(snapshots.alarm, alarm))
        .orderBy(asc(snapshots.ts), asc(byteOrder(snapshots.id)))
      return rows.map(toSnapshotRecord)
    },

    /** A snapshot inside the scope: its camera's enterprise must be the scope's. */
    async snapshot(id: string, scope: Scope): Promise<SnapshotRecord | null> {
      const [row] = await db
        .select({ s: snapshots })
        .from(snapshots)
        .leftJoin(cameras, eq(cameras.id, snapshots.camera))
        .where(and(eq(snapshots.id, id), inScope(scope, cameras.enterprise)))
        .limit(1)
      return row ? toSnapshotRecord(row.s) : null
    },
  }
}
