import type { CameraEvent } from '../../shared/wire/camera.ts'
import type { GapRecord } from '../../shared/wire/gap.ts'
import type { DataBatch, StatusBirth } from '../../shared/wire/messages.ts'
import type { RefusedReason } from '../metrics.ts'
import type { Verdict } from './ownership.ts'
import type { SnapshotRequests } from './snapshot-requests.ts'

/** What was taken out of a message, by reason: refused id → how many items (samples, alarms, gaps, events, birth entries) named it. */
export type Refusals = Record<RefusedReason, Map<string, number>>

/** What the edge may write and what it claims by writing it. */
export interface Screened<T> {
  message: T
  refused: Refusals
  claims: { points: string[]; cameras: string[] }
}

export const noRefusals = (): Refusals => ({
  foreign_point: new Map(),
  foreign_camera: new Map(),
  unrequested_snapshot: new Map(),
})
export const refusedCount = (r: Refusals): number =>
  Object.values(r).reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0)
const note = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1)
/** `allowed`, noting `id` as refused when it is not. */
function refuseUnless(allowed: boolean, refusals: Map<string, number>, id: string): boolean {
  if (!allowed) note(refusals, id)
  return allowed
}

/** The point and camera ids a batch names (what ownership must judge). */
export function batchIds(batch: DataBatch): { points: string[]; cameras: string[] } {
  const points = new Set<string>()
  for (const s of batch.samples) points.add(s.point)
  for (const a of batch.alarms ?? []) points.add(a.point)
  for (const g of batch.gaps ?? []) if (g.points !== 'all') g.points.forEach((p) => points.add(p))
  return { points: [...points], cameras: [...new Set((batch.events ?? []).map((e) => e.camera))] }
}

/**
 * A batch with only what the edge owns (or may claim): samples, its own alarm changes, gaps and
 * camera events of its points and cameras. A snapshot event is kept only when it answers a
 * request the cloud sent to this edge (issue 13). The batch stays one batch (its seq is acked
 * whatever was taken out), possibly with no samples left.
 */
export function screenBatch(batch: DataBatch, verdict: Verdict, requests: SnapshotRequests): Screened<DataBatch> {
  const refused = noRefusals()
  const mayPoint = (id: string) => refuseUnless(verdict.point(id) !== 'foreign', refused.foreign_point, id)
  const samples = batch.samples.filter((s) => mayPoint(s.point))
  const alarms = batch.alarms?.filter((a) => mayPoint(a.point))
  const gaps = batch.gaps && screenGaps(batch.gaps, verdict, refused)
  const events = batch.events?.filter((e: CameraEvent) => {
    if (!refuseUnless(verdict.camera(e.camera) !== 'foreign', refused.foreign_camera, e.camera)) return false
    return (
      e.type !== 'snapshot' ||
      refuseUnless(requests.answers(batch.edge, e), refused.unrequested_snapshot, `${e.camera}@alarm:${e.alarm}`)
    )
  })
  const message: DataBatch = {
    ...batch,
    samples,
    ...(alarms ? { alarms } : {}),
    ...(gaps ? { gaps } : {}),
    ...(events ? { events } : {}),
  }
  return {
    message,
    refused,
    claims: {
      points: [...new Set(samples.map((s) => s.point))].filter((id) => verdict.point(id) === 'claim'),
      cameras: [...new Set((events ?? []).map((e) => e.camera))].filter((id) => verdict.camera(id) === 'claim'),
    },
  }
}

/** Gap records with only the edge's own points ("all" is the edge's own by definition); a record left with none is dropped. */
export function screenGaps(gaps: readonly GapRecord[], verdict: Verdict, refused: Refusals): GapRecord[] {
  return gaps.flatMap((g): GapRecord[] => {
    if (g.points === 'all') return [g]
    const own = g.points.filter((id) => refuseUnless(verdict.point(id) !== 'foreign', refused.foreign_point, id))
    return own.length === 0 ? [] : [{ ...g, points: own }]
  })
}

/**
 * A birth with only the points (and cameras) the edge owns or may claim: a birth never
 * re-homes a point, never changes another edge's point's range or source limits, and never
 * registers or moves another edge's camera (issue 13).
 */
export function screenBirth(birth: StatusBirth, verdict: Verdict): Screened<StatusBirth> {
  const refused = noRefusals()
  const points: StatusBirth['points'] = []
  for (const p of birth.points) {
    if (verdict.point(p.id) === 'foreign') {
      note(refused.foreign_point, p.id)
      continue
    }
    if (p.camera && p.device && verdict.camera(p.device) === 'foreign') {
      note(refused.foreign_camera, p.device)
      const { camera: _, ...rest } = p
      points.push(rest)
      continue
    }
    points.push(p)
  }
  return {
    message: { ...birth, points },
    refused,
    claims: {
      points: points.map((p) => p.id).filter((id) => verdict.point(id) === 'claim'),
      cameras: points.flatMap((p) => (p.camera && p.device && verdict.camera(p.device) === 'claim' ? [p.device] : [])),
    },
  }
}

/** The point and camera ids a birth names. */
export function birthIds(birth: StatusBirth): { points: string[]; cameras: string[] } {
  return {
    points: birth.points.map((p) => p.id),
    cameras: birth.points.flatMap((p) => (p.camera && p.device ? [p.device] : [])),
  }
}
