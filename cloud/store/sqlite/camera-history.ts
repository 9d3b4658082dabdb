import { and, desc, eq, gte, lt } from 'drizzle-orm'
import {
  lastStatusBefore,
  newestPerCamera,
  newestSnapshotOfCamera,
  statusEventOf,
  statusTimeline,
} from '../camera-rows.ts'
import type { CameraStatusEvent, Scope } from '../store.ts'
import type { Db } from './db.ts'
import { cameraEvents, cameras, snapshots } from './schema.ts'
import { inScope } from './scope.ts'

/**
 * What the cameras page reads besides the camera list (issue 17): each camera's newest
 * snapshot, and the online/offline transitions its edge reported (camera_events of type
 * `status`, with their state), for the offline statistics per enterprise (001:L4541).
 */
export function createCameraHistory(db: Db) {
  const statusRows = (where: ReturnType<typeof and>) =>
    db
      .select({ camera: cameraEvents.camera, ts: cameraEvents.ts, online: cameraEvents.online })
      .from(cameraEvents)
      .innerJoin(cameras, eq(cameras.id, cameraEvents.camera))
      .where(where)
  return {
    latestSnapshots(scope: Scope): Array<{ camera: string; id: string; ts: number }> {
      // The newest per camera: the row whose ts is its camera's max (ties: the larger id).
      const rows = db
        .select({ camera: snapshots.camera, id: snapshots.id, ts: snapshots.ts })
        .from(snapshots)
        .innerJoin(cameras, eq(cameras.id, snapshots.camera))
        .where(and(newestSnapshotOfCamera(snapshots), inScope(scope, cameras.enterprise)))
        .orderBy(snapshots.camera, desc(snapshots.id))
        .all()
      return newestPerCamera(rows)
    },
    statusHistory(range: { from: number; to: number }, scope: Scope): CameraStatusEvent[] {
      const status = and(statusEventOf(cameraEvents), inScope(scope, cameras.enterprise))
      const inside = statusRows(and(status, gte(cameraEvents.ts, range.from), lt(cameraEvents.ts, range.to))).all()
      // Each camera's state when the period began: its last transition before `from`.
      const before = statusRows(and(status, lastStatusBefore(cameraEvents, range.from))).all()
      return statusTimeline(before, inside)
    },
  }
}
