import { and, eq, isNull, lte, or } from 'drizzle-orm'
import type { Logger } from 'pino'
import { videoEventWrite } from '../../cloud/alarms/engine/video.ts'
import { saveAlarm } from '../../cloud/store/postgres/alarm-writes.ts'
import type { PgDb } from '../../cloud/store/postgres/db.ts'
import { cameraEvents, cameras, snapshots } from '../../cloud/store/postgres/schema.ts'
import { linkCompletedSnapshot } from '../../cloud/store/postgres/snapshots.ts'
import type { PgTx } from '../../cloud/store/postgres/tx.ts'
import type { SnapshotFiles } from '../../cloud/store/snapshot-files.ts'
import { takeSnapshots } from '../../cloud/store/snapshot-intake.ts'
import type { CameraEvent } from '../../shared/wire/camera.ts'

/**
 * What the PostgreSQL ingest will store of a batch's camera events, for the cameras
 * conformance section until that ingest exists: the engine's own pieces (pictures through
 * takeSnapshots, alarms through saveAlarm, split snapshots through linkCompletedSnapshot) and
 * the event rows, for status events and video pulses/raises only (what the section sends).
 * Not product code: the real writer is the PostgreSQL ingest's.
 */
export async function storePgCameraEvents(
  db: PgDb,
  files: SnapshotFiles,
  events: CameraEvent[],
  at: { edge: string; receivedAt: number; log: Logger },
): Promise<void> {
  const batch = { v: 1 as const, edge: at.edge, session: 's-1', outbox: 'o', seq: 1, floor: 1, samples: [], events }
  const taken = takeSnapshots(files, batch, at.log)
  await db.transaction(async (tx) => {
    for (const e of taken.batch.events ?? []) await storeEvent(tx, at.edge, e, at.receivedAt)
  })
  for (const p of taken.completed) await linkCompletedSnapshot(db, p, at.receivedAt)
}

async function storeEvent(tx: PgTx, edge: string, e: CameraEvent, receivedAt: number): Promise<void> {
  if (e.type === 'part' || e.type === 'snapshot' || e.type === 'clear') throw new Error(`not needed here: ${e.type}`)
  const row = { id: e.id, camera: e.camera, edge, type: e.type, ts: e.ts }
  if (e.type === 'status') {
    await tx
      .insert(cameraEvents)
      .values({ ...row, online: e.online })
      .onConflictDoNothing()
    await tx
      .update(cameras)
      .set({ online: e.online, since: e.ts, reason: e.online ? null : (e.reason ?? null) })
      .where(and(eq(cameras.id, e.camera), or(isNull(cameras.since), lte(cameras.since, e.ts))))
    return
  }
  const alarm = await saveAlarm(tx, videoEventWrite(e), [])
  await tx
    .insert(cameraEvents)
    .values({ ...row, topic: e.topic, code: e.code, alarm, snapshotError: e.snapshotError ?? null })
    .onConflictDoNothing()
  if (!e.snapshot) return
  const { id, ts, bytes, sha256 } = e.snapshot
  await tx
    .insert(snapshots)
    .values({ id, camera: e.camera, event: e.id, alarm, ts, bytes, sha256, receivedAt })
    .onConflictDoNothing()
}
