import type { ThresholdLimits } from '../../shared/rules/threshold.ts'
import { eq, sql, type Column, type SQL } from 'drizzle-orm'
import type { DriverReport, OutboxReport, SourceLimits, StatusBirth, StatusState } from '../../shared/wire/messages.ts'
import { adoptSourceLimits, sameLimits } from '../alarms/source-limits.ts'
import type { BirthOutcome, EdgeRecord } from './repos/edges.ts'

/**
 * The edges' row mapping and birth decisions, engine-neutral: both engines (cloud/store/sqlite/status.ts,
 * cloud/store/postgres/edges.ts) write what these build, so a birth cannot mean different things on them.
 */

/** Births write points in chunks of this many rows (one statement each). */
export const BIRTH_CHUNK = 1000

/** The edge row a birth writes (a new edge; an existing one is updated as each engine's upsert says). */
export const birthEdgeRow = (site: string, birth: StatusBirth, seenAt: number) => ({
  id: birth.edge,
  site,
  session: birth.session,
  online: true,
  lastSeen: seenAt,
  outbox: birth.outbox,
  configHash: birth.configHash,
  drivers: null,
  // Each birth says it again: an edge whose live view was switched off has none.
  liveUrl: birth.live?.url ?? null,
})

/**
 * What a birth changes on an existing edge row (`lastSeen`: each engine's "the later of the two";
 * `e`: either engine's edges table).
 */
export const birthEdgeUpdate = (
  site: string,
  birth: StatusBirth,
  lastSeen: SQL,
  e: { session: Column; drivers: Column },
) => ({
  site,
  session: birth.session,
  online: true,
  lastSeen,
  outbox: sql`excluded.outbox`,
  configHash: birth.configHash,
  // Each birth says it again: an edge whose live view was switched off has none.
  liveUrl: birth.live?.url ?? null,
  // Driver health of an earlier session says nothing about this one.
  drivers: sql`case when ${e.session} = excluded.session then ${e.drivers} else null end`,
})

/** The edge row a heartbeat writes, and what it changes on an existing one (`lastSeen`: each engine's "the later of the two"). */
export const heartbeatEdgeRow = (site: string, state: StatusState, seenAt: number) => ({
  id: state.edge,
  site,
  session: state.session,
  online: true,
  lastSeen: seenAt,
  outbox: state.outbox,
  drivers: state.drivers,
})
export const heartbeatEdgeUpdate = (site: string, state: StatusState, lastSeen: SQL) => ({
  site,
  session: state.session,
  online: true,
  lastSeen,
  outbox: sql`excluded.outbox`,
  drivers: sql`excluded.drivers`,
})

/** The point rows a birth announces, in chunks of BIRTH_CHUNK (registry fields are not among them). */
export function birthPointChunks(birth: StatusBirth) {
  const chunks = []
  for (let i = 0; i < birth.points.length; i += BIRTH_CHUNK) {
    chunks.push(
      birth.points.slice(i, i + BIRTH_CHUNK).map((pt) => ({
        id: pt.id,
        edge: birth.edge,
        name: pt.name ?? null,
        unit: pt.unit ?? null,
        device: pt.device ?? null,
        range: pt.range ?? null,
        sourceLimits: pt.limits ?? null,
      })),
    )
  }
  return chunks
}

/**
 * The conflict clause of a birth's point rows (`p`: either engine's points table): what the
 * birth changes on a point it announces, and on which points at all.
 */
export const birthPointUpsert = <C extends Column>(p: {
  id: C
  edge: Column
  device: Column
  name: Column
  unit: Column
  registered: Column
}) => ({
  target: p.id,
  set: {
    // A birth never re-homes a point (issue 13): it claims an unbound one at most.
    edge: sql`coalesce(${p.edge}, excluded.edge)`,
    device: sql`coalesce(excluded.device, ${p.device})`,
    // The registry is authoritative for registered points' name and unit.
    name: sql`case when ${p.registered} then ${p.name} else coalesce(excluded.name, ${p.name}) end`,
    unit: sql`case when ${p.registered} then ${p.unit} else coalesce(excluded.unit, ${p.unit}) end`,
    // What the source says now: a source that stopped announcing limits has none.
    range: sql`excluded.range`,
    sourceLimits: sql`excluded.source_limits`,
  },
  // Another edge's point is left as it is, whatever this birth says (ingest screens births first; this is the store's own guard).
  setWhere: sql`${p.edge} is null or ${p.edge} = excluded.edge`,
})

/**
 * The conflict clause of a birth's camera row (`c`: either engine's cameras table): the entry
 * the birth announces, on a camera of this edge only. Never moves another edge's camera
 * (issue 13): only the registry API does.
 */
export const birthCameraUpsert = <C extends Column, E>(c: { id: C; edge: Column }, edge: string, entry: E) => ({
  target: c.id,
  set: entry,
  setWhere: eq(c.edge, edge),
})

/** The cameras a birth announces (points with a camera and a device id), as camera rows. */
export function birthCameras(site: string, birth: StatusBirth) {
  return birth.points.flatMap((p) =>
    p.camera && p.device
      ? [
          {
            id: p.device,
            entry: {
              edge: birth.edge,
              site,
              name: p.camera.name ?? null,
              area: p.camera.area,
              enterprise: p.camera.enterprise ?? null,
              host: p.camera.host,
              port: p.camera.port,
            },
          },
        ]
      : [],
  )
}

/**
 * For the edge's `limitsFromSource` points as stored after the birth: the limits each adopts
 * (a change only) and the sets refused; `outcome.limitsAdopted` lists the writes to make.
 */
export function adoptBirthLimits(
  rows: ReadonlyArray<{ id: string; limits: ThresholdLimits | null; sourceLimits: SourceLimits | null }>,
  outcome: BirthOutcome,
): void {
  for (const p of rows) {
    const adopted = adoptSourceLimits(p.sourceLimits, p.limits?.deadband ?? 0)
    if (!adopted.ok) outcome.limitsRefused.push({ point: p.id, problem: adopted.problem })
    else if (!sameLimits(p.limits ?? null, adopted.limits))
      outcome.limitsAdopted.push({ point: p.id, from: p.limits ?? null, to: adopted.limits })
  }
}

type EdgeRow = Omit<EdgeRecord, 'ackedThrough' | 'outbox' | 'drivers'> & {
  ackedThrough: number
  outbox: OutboxReport | null
  drivers: DriverReport[] | null
}

/** The mark shown is the current outbox's (the edge row's own only for an edge that never named one). */
export const toEdgeRecord = (e: EdgeRow, mark: number | null): EdgeRecord => ({
  ...e,
  ackedThrough: mark ?? e.ackedThrough,
  outbox: e.outbox ?? null,
  drivers: e.drivers ?? [],
})
