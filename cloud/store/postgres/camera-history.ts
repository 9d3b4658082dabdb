import { and, asc, desc, eq, gte, lt, type SQL } from 'drizzle-orm'
import type { Scope } from '../../auth/roles.ts'
import {
  lastStatusBefore,
  newestPerCamera,
  newestSnapshotOfCamera,
  statusEventOf,
  statusTimeline,
} from '../camera-rows.ts'
import type { CameraStatusEvent } from '../repos/cameras.ts'
import { inScope } from '../sql-scope.ts'
import type { PgDb } from './db.ts'
import { cameraEvents, cameras, snapshots } from './schema.ts'
import { byteOrder, type Q } from './tx.ts'

/**
 * What the cameras page reads besides the camera list on PostgreSQL (issue 17), as
 * cloud/store/sqlite/camera-history.ts: each camera's newest snapshot, and the online/offline
 * transitions its edge reported, for the offline statistics per enterprise (001:L4541).
 */
export function pgCameraHistory(db: PgDb) {
  const statusRows = (q: Q, where: SQL | undefined) =>
    q
      .select({ camera: cameraEvents.camera, ts: cameraEvents.ts, online: cameraEvents.online })
      .from(cameraEvents)
      .innerJoin(cameras, eq(cameras.id, cameraEvents.camera))
      .where(where)
  return {
    async latestSnapshots(scope: Scope): Promise<Array<{ camera: string; id: string; ts: number }>> {
      // The newest per camera: the row whose ts is its camera's max (ties: the larger id, byte-wise as SQLite).
      const rows = await db
        .select({ camera: snapshots.camera, id: snapshots.id, ts: snapshots.ts })
        .from(snapshots)
        .innerJoin(cameras, eq(cameras.id, snapshots.camera))
        .where(and(newestSnapshotOfCamera(snapshots), inScope(scope, cameras.enterprise)))
        .orderBy(asc(byteOrder(snapshots.camera)), desc(byteOrder(snapshots.id)))
      return newestPerCamera(rows)
    },

    async statusHistory(range: { from: number; to: number }, scope: Scope): Promise<CameraStatusEvent[]> {
      const status = and(statusEventOf(cameraEvents), inScope(scope, cameras.enterprise))
      // Both reads from one snapshot (READ COMMITTED would take one per statement).
      return db.transaction(
        async (tx) => {
          const inside = await statusRows(
            tx,
            and(status, gte(cameraEvents.ts, range.from), lt(cameraEvents.ts, range.to)),
          )
          // Each camera's state when the period began: its last transition before `from`.
          const before = await statusRows(tx, and(status, lastStatusBefore(cameraEvents, range.from)))
          return statusTimeline(before, inside)
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      )
    },
  }
}
