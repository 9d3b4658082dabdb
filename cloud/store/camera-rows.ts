import { sql, type Column, type SQL } from 'drizzle-orm'
import { placementOf } from '../registry/placement.ts'
import type { CameraRecord, CameraStatusEvent, SnapshotRecord } from './repos/cameras.ts'
import type { PendingSnapshot, SnapshotFiles } from './snapshot-files.ts'

/**
 * The cameras' and snapshots' row mapping and the conditions their reads share, engine-neutral:
 * both engines (cloud/store/sqlite/cameras.ts, camera-history.ts; cloud/store/postgres/cameras.ts,
 * camera-history.ts, snapshots.ts) build their answers with these, so the cameras page cannot
 * mean different things on them. The tables have the same names and columns on both schemas.
 */

type CameraRow = Omit<CameraRecord, 'x' | 'y' | 'lon' | 'lat'> & {
  planX: number | null
  planY: number | null
  lon: number | null
  lat: number | null
}

/** A camera row as the API shows it: the placement columns as the fields that are set. */
export const toCameraRecord = ({ planX, planY, lon, lat, ...rest }: CameraRow): CameraRecord => ({
  ...rest,
  ...placementOf({ planX, planY, lon, lat }),
})

export const toSnapshotRecord = (r: SnapshotRecord): SnapshotRecord => ({
  id: r.id,
  camera: r.camera,
  event: r.event,
  alarm: r.alarm,
  ts: r.ts,
  bytes: r.bytes,
  sha256: r.sha256,
  receivedAt: r.receivedAt,
})

/** The snapshot row of a split snapshot completed after its event (linked to `alarm`, if it exists). */
export const completedSnapshotRow = (p: PendingSnapshot, alarm: number | null, receivedAt: number) => ({
  id: p.snapshot.id,
  camera: p.camera,
  event: p.event,
  alarm,
  ts: p.snapshot.ts,
  bytes: p.snapshot.bytes,
  sha256: p.snapshot.sha256,
  receivedAt,
})

/** The snapshot whose ts is its camera's newest (ties: several rows; `newestPerCamera` keeps one). */
export const newestSnapshotOfCamera = (s: { ts: Column; camera: Column }): SQL =>
  sql`${s.ts} = (select max(s2.ts) from snapshots s2 where s2.camera = ${s.camera})`

/**
 * Of rows ordered by camera, then id descending: the first per camera (the newest snapshot,
 * ties broken by the larger id).
 */
export function newestPerCamera<T extends { camera: string }>(rows: readonly T[]): T[] {
  const seen = new Set<string>()
  return rows.filter((r) => !seen.has(r.camera) && seen.add(r.camera))
}

/** A camera's status transitions (camera_events of type `status` with a state). */
export const statusEventOf = (e: { type: Column; online: Column }): SQL =>
  sql`${e.type} = 'status' and ${e.online} is not null`

/** The status event that is its camera's last one before `from` (its state when the period began). */
export const lastStatusBefore = (e: { ts: Column; camera: Column }, from: number): SQL =>
  sql`${e.ts} < ${from} and ${e.ts} = (select max(e2.ts) from camera_events e2 where e2.camera = ${e.camera} and e2.type = 'status' and e2.online is not null and e2.ts < ${from})`

/** The state at `from` and the transitions inside the period, oldest first per camera. */
export function statusTimeline(
  before: ReadonlyArray<{ camera: string; ts: number; online: boolean | null }>,
  inside: ReadonlyArray<{ camera: string; ts: number; online: boolean | null }>,
): CameraStatusEvent[] {
  return [...before, ...inside]
    .map((r) => ({ camera: r.camera, ts: r.ts, online: r.online === true }))
    .sort((a, b) => a.camera.localeCompare(b.camera) || a.ts - b.ts)
}

/** A snapshot found inside the scope, with its JPEG; null when not found or its file is gone. */
export function withBody(
  snapshot: SnapshotRecord | null,
  files: Pick<SnapshotFiles, 'read'>,
): { snapshot: SnapshotRecord; body: Buffer } | null {
  const body = snapshot ? files.read(snapshot.id) : null
  return snapshot && body ? { snapshot, body } : null
}
