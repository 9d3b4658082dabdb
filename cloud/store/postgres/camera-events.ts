import { and, eq, isNull, lte, or, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { CameraAlarmEvent, CameraEvent } from '../../../shared/wire/camera.ts'
import { cameraAlarmPoint, videoEventWrite } from '../../alarms/engine/video.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import type { IngestResult } from '../repos/ingest.ts'
import { cameraEventRow } from '../camera-event-row.ts'
import { activeAlarm, saveAlarm } from './alarm-writes.ts'
import { alarms, cameraEvents, cameras, snapshots } from './schema.ts'
import type { PgTx } from './tx.ts'

/** Where a batch's camera events came from (its edge, site and arrival). */
export interface CameraEventsAt {
  edge: string
  site: string
  receivedAt: number
}

type SnapshotMeta = { id: string; ts: number; bytes: number; sha256: string }

async function insertSnapshot(
  tx: PgTx,
  s: SnapshotMeta,
  o: { camera: string; event: string; alarm: number | null; receivedAt: number },
) {
  await tx
    .insert(snapshots)
    .values({
      id: s.id,
      camera: o.camera,
      event: o.event,
      alarm: o.alarm,
      ts: s.ts,
      bytes: s.bytes,
      sha256: s.sha256,
      receivedAt: o.receivedAt,
    })
    .onConflictDoNothing()
}

/**
 * A batch's camera events on PostgreSQL, inside its transaction (as cloud/store/sqlite/cameras.ts
 * recordCameraEvents): each event once (its uuid); status events move the camera's online state
 * (never backwards in time); analytics events raise (or clear) an alarm on `camera:{id}` and link
 * their snapshot; a requested snapshot is linked to its alarm when that exists.
 */
export async function recordCameraEvents(
  tx: PgTx,
  at: CameraEventsAt,
  events: readonly CameraEvent[],
  out: { result: IngestResult; changes: AlarmChange[] },
  log: Logger,
): Promise<void> {
  for (const e of events) {
    // Parts of a large snapshot are files (cloud/store/snapshot-files.ts), not events.
    if (e.type === 'part') continue
    if (!(await insertEvent(tx, at.edge, e))) continue
    // A camera seen in events before any birth (an old edge): known by id until its birth comes.
    await tx
      .insert(cameras)
      .values({ id: e.camera, edge: at.edge, site: at.site, area: '', host: '', port: 0 })
      .onConflictDoNothing()
    if (e.type === 'status') {
      await tx
        .update(cameras)
        .set({ online: e.online, since: e.ts, reason: e.online ? null : (e.reason ?? null) })
        .where(and(eq(cameras.id, e.camera), or(isNull(cameras.since), lte(cameras.since, e.ts))))
    } else if (e.type === 'snapshot') {
      const [linked] = await tx.select({ id: alarms.id }).from(alarms).where(eq(alarms.id, e.alarm))
      if (e.snapshot)
        await insertSnapshot(tx, e.snapshot, {
          camera: e.camera,
          event: e.id,
          alarm: linked?.id ?? null,
          receivedAt: at.receivedAt,
        })
      else log.warn({ camera: e.camera, alarm: e.alarm, reason: e.snapshotError }, 'requested snapshot not taken')
    } else await recordVideoEvent(tx, e, at.receivedAt, out, log)
  }
}

/** The event's row; false: stored before (a resend of the event). */
async function insertEvent(tx: PgTx, edge: string, e: Exclude<CameraEvent, { type: 'part' }>): Promise<boolean> {
  const rows = await tx
    .insert(cameraEvents)
    .values(cameraEventRow(edge, e))
    .onConflictDoNothing()
    .returning({ id: cameraEvents.id })
  return rows.length > 0
}

async function recordVideoEvent(
  tx: PgTx,
  e: CameraAlarmEvent,
  receivedAt: number,
  out: { result: IngestResult; changes: AlarmChange[] },
  log: Logger,
): Promise<void> {
  const alarm = await applyVideoEvent(tx, e, out)
  await tx.update(cameraEvents).set({ alarm }).where(eq(cameraEvents.id, e.id))
  await tx
    .update(cameras)
    .set({ lastEventAt: sql`greatest(coalesce(${cameras.lastEventAt}, 0), ${e.ts})` })
    .where(eq(cameras.id, e.camera))
  if (e.snapshot) await insertSnapshot(tx, e.snapshot, { camera: e.camera, event: e.id, alarm, receivedAt })
  else if (e.type !== 'clear')
    log.warn({ camera: e.camera, event: e.id, reason: e.snapshotError }, 'video alarm without a snapshot')
}

/** A video analytics event as the engine decides it (cloud/alarms/engine/video.ts): the alarm it raised, cleared or joined. */
async function applyVideoEvent(
  tx: PgTx,
  e: CameraAlarmEvent,
  out: { result: IngestResult; changes: AlarmChange[] },
): Promise<number | null> {
  const w = videoEventWrite(e)
  const id = await saveAlarm(tx, w, out.changes)
  if (w.type !== 'raise') {
    if (id !== null) out.result.recovered++
    return id
  }
  // Already active (a detector that keeps firing): the event and its picture join that alarm.
  if (id === null) return (await activeAlarm(tx, cameraAlarmPoint(e.camera), e.code))?.id ?? null
  out.result.raised++
  if (w.andThen) out.result.recovered++
  return id
}
