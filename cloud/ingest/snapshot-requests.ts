import type { Clock } from '../../shared/clock.ts'
import type { CameraSnapshotEvent } from '../../shared/wire/camera.ts'

/**
 * The snapshot requests the cloud sent (issue 13): a `snapshot` camera event is linked to an
 * alarm only when it answers one of them, from the edge it was sent to, for a camera it named.
 * Kept in memory for `ttlMs` (the answer travels through the edge's outbox, so it may come
 * late); a request older than that, or sent before a restart of the cloud, is no longer answered.
 */
export interface SnapshotRequests {
  /** The cloud sent command `id` to `edge`: snapshots of `cameras` for `alarm`. */
  expect(id: string, edge: string, alarm: number, cameras: readonly string[]): void
  /** Does this event, from this edge, answer a request the cloud sent? */
  answers(edge: string, event: CameraSnapshotEvent): boolean
}

export function createSnapshotRequests(clock: Clock, options: { ttlMs?: number; max?: number } = {}): SnapshotRequests {
  const ttl = options.ttlMs ?? 24 * 3_600_000
  const max = options.max ?? 10_000
  const sent = new Map<string, { edge: string; alarm: number; cameras: Set<string>; until: number }>()
  const prune = (now: number) => {
    for (const [id, r] of sent) if (r.until <= now) sent.delete(id)
    // Insertion order is age order: beyond the bound the oldest requests go first.
    for (const id of sent.keys()) {
      if (sent.size < max) break
      sent.delete(id)
    }
  }
  return {
    expect(id, edge, alarm, cameras) {
      const now = clock.now()
      prune(now)
      sent.set(id, { edge, alarm, cameras: new Set(cameras), until: now + ttl })
    },
    answers(edge, e) {
      const r = sent.get(e.request)
      return (
        r !== undefined && r.until > clock.now() && r.edge === edge && r.alarm === e.alarm && r.cameras.has(e.camera)
      )
    },
  }
}
