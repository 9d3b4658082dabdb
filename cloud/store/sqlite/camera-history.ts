import { and, desc, eq, gte, isNotNull, lt, sql } from 'drizzle-orm'
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
        .where(
          and(
            sql`${snapshots.ts} = (select max(s2.ts) from snapshots s2 where s2.camera = ${snapshots.camera})`,
            inScope(scope, cameras.enterprise),
          ),
        )
        .orderBy(snapshots.camera, desc(snapshots.id))
        .all()
      const seen = new Set<string>()
      return rows.filter((r) => !seen.has(r.camera) && seen.add(r.camera))
    },
    statusHistory(range: { from: number; to: number }, scope: Scope): CameraStatusEvent[] {
      const status = and(
        eq(cameraEvents.type, 'status'),
        isNotNull(cameraEvents.online),
        inScope(scope, cameras.enterprise),
      )
      const inside = statusRows(and(status, gte(cameraEvents.ts, range.from), lt(cameraEvents.ts, range.to))).all()
      // Each camera's state when the period began: its last transition before `from`.
      const before = statusRows(
        and(
          status,
          lt(cameraEvents.ts, range.from),
          sql`${cameraEvents.ts} = (select max(e2.ts) from camera_events e2 where e2.camera = ${cameraEvents.camera} and e2.type = 'status' and e2.online is not null and e2.ts < ${range.from})`,
        ),
      ).all()
      return [...before, ...inside]
        .map((r) => ({ camera: r.camera, ts: r.ts, online: r.online === true }))
        .sort((a, b) => a.camera.localeCompare(b.camera) || a.ts - b.ts)
    },
  }
}
