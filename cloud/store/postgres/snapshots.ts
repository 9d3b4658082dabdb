import { eq } from 'drizzle-orm'
import { completedSnapshotRow } from '../camera-rows.ts'
import type { PendingSnapshot } from '../snapshot-files.ts'
import type { PgDb } from './db.ts'
import { alarms, cameraEvents, snapshots } from './schema.ts'

/**
 * A split snapshot completed after its event was stored (cloud/store/snapshot-intake.ts), on
 * PostgreSQL as cloud/store/sqlite/cameras.ts has it: linked to the alarm its event was linked
 * to, and the event's "incomplete" note cleared, in one transaction. Nothing when the event is
 * not stored (its batch failed: the resend links it as usual). Called by ingest after the batch
 * carrying the last part is stored; a second call (a resent part) changes nothing.
 */
export async function linkCompletedSnapshot(db: PgDb, p: PendingSnapshot, receivedAt: number): Promise<void> {
  await db.transaction(async (tx) => {
    // The event's row is locked until commit: its alarm link cannot change under us.
    const [event] = await tx
      .select({ alarm: cameraEvents.alarm })
      .from(cameraEvents)
      .where(eq(cameraEvents.id, p.event))
      .for('update')
    if (!event) return
    // A requested snapshot names an alarm that may not exist here: linked only to one that does.
    const [known] =
      event.alarm === null ? [] : await tx.select({ id: alarms.id }).from(alarms).where(eq(alarms.id, event.alarm))
    await tx
      .insert(snapshots)
      .values(completedSnapshotRow(p, known?.id ?? null, receivedAt))
      .onConflictDoNothing()
    await tx.update(cameraEvents).set({ snapshotError: null }).where(eq(cameraEvents.id, p.event))
  })
}
