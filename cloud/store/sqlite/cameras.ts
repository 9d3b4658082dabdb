import { and, eq, isNull, lte, or, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { CameraAlarmEvent, CameraEvent } from '../../../shared/wire/camera.ts'
import type { StatusBirth } from '../../../shared/wire/messages.ts'
import type { AlarmChange, CameraRecord, IngestResult, Scope, SnapshotRecord } from '../store.ts'
import type { PendingSnapshot } from '../snapshot-files.ts'
import { inScope } from './scope.ts'
import type { Db } from './db.ts'
import { alarms, cameraEvents, cameras, snapshots } from './schema.ts'
import { cameraAlarmPoint, videoEventWrite } from '../../alarms/engine/video.ts'
import { createAlarmWrites } from './alarm-writes.ts'
import { birthCameraUpsert, birthCameras } from '../edge-rows.ts'
import { completedSnapshotRow, toCameraRecord, toSnapshotRecord } from '../camera-rows.ts'
import { cameraEventRow } from '../camera-event-row.ts'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export { cameraAlarmPoint }

/** Cameras announced in a birth (points that carry `camera`): registry entries, online state kept. */
export function upsertCameras(tx: Tx, site: string, birth: StatusBirth): void {
  for (const { id, entry } of birthCameras(site, birth))
    tx.insert(cameras)
      .values({ id, ...entry })
      .onConflictDoUpdate(birthCameraUpsert(cameras, birth.edge, entry))
      .run()
}

/**
 * A batch's camera events, inside its transaction; each event once (its uuid). Status events
 * move the camera's online state (never backwards in time); analytics events raise (or clear)
 * an alarm on `camera:{id}` whose kind is the provincial video code, and link their snapshot.
 */
export function recordCameraEvents(
  db: Db,
  edge: string,
  site: string,
  events: readonly CameraEvent[],
  receivedAt: number,
  result: IngestResult,
  changes: AlarmChange[],
  log: Logger,
): void {
  for (const e of events) {
    // Parts of a large snapshot are files (cloud/store/snapshot-files.ts), not events.
    if (e.type === 'part') continue
    const fresh = db.insert(cameraEvents).values(cameraEventRow(edge, e)).onConflictDoNothing().run()
    if (fresh.changes === 0) continue
    // A camera seen in events before any birth (an old edge): known by id until its birth comes.
    db.insert(cameras).values({ id: e.camera, edge, site, area: '', host: '', port: 0 }).onConflictDoNothing().run()
    if (e.type === 'status') {
      db.update(cameras)
        .set({ online: e.online, since: e.ts, reason: e.online ? null : (e.reason ?? null) })
        .where(and(eq(cameras.id, e.camera), or(isNull(cameras.since), lte(cameras.since, e.ts))))
        .run()
      continue
    }
    if (e.type === 'snapshot') {
      // Asked for by the park for one of its alarms (any kind): linked to it when it exists.
      const alarm = db.select({ id: alarms.id }).from(alarms).where(eq(alarms.id, e.alarm)).get()?.id ?? null
      if (e.snapshot)
        db.insert(snapshots)
          .values({
            id: e.snapshot.id,
            camera: e.camera,
            event: e.id,
            alarm,
            ts: e.snapshot.ts,
            bytes: e.snapshot.bytes,
            sha256: e.snapshot.sha256,
            receivedAt,
          })
          .onConflictDoNothing()
          .run()
      else log.warn({ camera: e.camera, alarm: e.alarm, reason: e.snapshotError }, 'requested snapshot not taken')
      continue
    }
    const alarm = applyVideoEvent(db, e, result, changes)
    db.update(cameraEvents).set({ alarm }).where(eq(cameraEvents.id, e.id)).run()
    db.update(cameras)
      .set({ lastEventAt: sql`max(coalesce(${cameras.lastEventAt}, 0), ${e.ts})` })
      .where(eq(cameras.id, e.camera))
      .run()
    if (e.snapshot) {
      const s = e.snapshot
      db.insert(snapshots)
        .values({
          id: s.id,
          camera: e.camera,
          event: e.id,
          alarm,
          ts: s.ts,
          bytes: s.bytes,
          sha256: s.sha256,
          receivedAt,
        })
        .onConflictDoNothing()
        .run()
    } else if (e.type !== 'clear')
      log.warn({ camera: e.camera, event: e.id, reason: e.snapshotError }, 'video alarm without a snapshot')
  }
}

/**
 * A split snapshot completed after its event was stored (cloud/store/snapshot-intake.ts): linked
 * to the alarm its event was linked to, and the event's "incomplete" note cleared. Nothing when
 * the event is not stored (its batch failed: the resend links it as usual).
 */
export function linkCompletedSnapshot(db: Db, p: PendingSnapshot, receivedAt: number): void {
  db.transaction((tx) => {
    const event = tx.select({ alarm: cameraEvents.alarm }).from(cameraEvents).where(eq(cameraEvents.id, p.event)).get()
    if (!event) return
    // A requested snapshot names an alarm that may not exist here: linked only to one that does.
    const alarm =
      event.alarm === null
        ? null
        : (tx.select({ id: alarms.id }).from(alarms).where(eq(alarms.id, event.alarm)).get()?.id ?? null)
    tx.insert(snapshots)
      .values(completedSnapshotRow(p, alarm, receivedAt))
      .onConflictDoNothing()
      .run()
    tx.update(cameraEvents).set({ snapshotError: null }).where(eq(cameraEvents.id, p.event)).run()
  })
}

/** A video analytics event as the engine decides it (cloud/alarms/engine/video.ts): the alarm it raised, cleared or joined. */
function applyVideoEvent(db: Db, e: CameraAlarmEvent, result: IngestResult, changes: AlarmChange[]): number | null {
  const writes = createAlarmWrites(db)
  const w = videoEventWrite(e)
  const id = writes.save(w, changes)
  if (w.type !== 'raise') {
    if (id !== null) result.recovered++
    return id
  }
  // Already active (a detector that keeps firing): the event and its picture join that alarm.
  if (id === null) return writes.active(cameraAlarmPoint(e.camera), e.code)?.id ?? null
  result.raised++
  if (w.andThen) result.recovered++
  return id
}

export function createCameraQueries(db: Db) {
  return {
    list: (scope: Scope): CameraRecord[] =>
      db.select().from(cameras).where(inScope(scope, cameras.enterprise)).orderBy(cameras.id).all().map(toCameraRecord),
    alarmSnapshots(alarm: number): SnapshotRecord[] | null {
      if (!db.select({ id: alarms.id }).from(alarms).where(eq(alarms.id, alarm)).get()) return null
      return db
        .select()
        .from(snapshots)
        .where(eq(snapshots.alarm, alarm))
        .orderBy(snapshots.ts, snapshots.id)
        .all()
        .map(toSnapshotRecord)
    },
    /** A snapshot inside the scope: its camera's enterprise must be the scope's. */
    snapshot(id: string, scope: Scope): SnapshotRecord | null {
      const r = db
        .select({ s: snapshots })
        .from(snapshots)
        .leftJoin(cameras, eq(cameras.id, snapshots.camera))
        .where(and(eq(snapshots.id, id), inScope(scope, cameras.enterprise)))
        .get()
      return r ? toSnapshotRecord(r.s) : null
    },
  }
}
