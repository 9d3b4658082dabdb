import { z } from 'zod'

/**
 * Where an enterprise, a major hazard source or a camera is drawn on the park plan (issue 17):
 * `x`, `y` in 0…1 of the plan (0,0 top left; the uploaded plan image or the generated
 * schematic), and optionally `lon`/`lat` (WGS-84, for the record and an exchange; the wall draws
 * by x/y: no map tiles in the park network). Every field optional; null clears it.
 */
const Unit = z.number().finite().min(0).max(1)
export const PlacementFields = {
  x: Unit.nullable().optional(),
  y: Unit.nullable().optional(),
  lon: z.number().finite().min(-180).max(180).nullable().optional(),
  lat: z.number().finite().min(-90).max(90).nullable().optional(),
}
export const Placement = z.strictObject(PlacementFields)
export type Placement = z.infer<typeof Placement>
/** A stored entry's placement: only what is set. */
export interface PlacedAt {
  x?: number
  y?: number
  lon?: number
  lat?: number
}

/** x and y come together (one without the other places nothing): the message says what to send. */
export function placementPairs(p: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const [a, b] of [
    ['x', 'y'],
    ['lon', 'lat'],
  ] as const)
    if ((p[a] === undefined) !== (p[b] === undefined) || (p[a] === null) !== (p[b] === null))
      ctx.addIssue({ code: 'custom', path: [p[a] === undefined ? a : b], message: `send ${a} and ${b} together` })
}

/** The database columns (schema.ts `placement()`) of a placement given in an API body. */
export function placementColumns(p: Record<string, unknown>): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  if (p.x !== undefined) out.planX = p.x as number | null
  if (p.y !== undefined) out.planY = p.y as number | null
  if (p.lon !== undefined) out.lon = p.lon as number | null
  if (p.lat !== undefined) out.lat = p.lat as number | null
  return out
}

/** The API's placement of a row: only the fields that are set (an entry never placed shows none). */
export function placementOf(row: {
  planX?: number | null
  planY?: number | null
  lon?: number | null
  lat?: number | null
}): PlacedAt {
  const out: PlacedAt = {}
  if (row.planX != null && row.planY != null) Object.assign(out, { x: row.planX, y: row.planY })
  if (row.lon != null && row.lat != null) Object.assign(out, { lon: row.lon, lat: row.lat })
  return out
}

/** Splits a body into its placement (as columns) and the rest. */
export function splitPlacement(body: Record<string, unknown>): {
  rest: Record<string, unknown>
  columns: Record<string, number | null>
} {
  const { x, y, lon, lat, ...rest } = body
  return { rest, columns: placementColumns({ x, y, lon, lat }) }
}
