import { z } from 'zod'
import type { LimitKind } from './threshold.ts'

/**
 * Alarm priority from a configurable matrix (brief §5, 001:L6795ff). The default is the
 * park's S/A/B/C/D table; a second scheme (001:L7766) is expressed by configuration alone.
 */
export const Priority = z.enum(['S', 'A', 'B', 'C', 'D'])
export type Priority = z.infer<typeof Priority>

/** What kind of alarm unit a point belongs to. */
export const PointClass = z.enum(['authorised', 'mhs', 'process', 'gas', 'general'])
export type PointClass = z.infer<typeof PointClass>

/**
 * What raised the alarm: a limit (HH/H/L/LL), a rate of change (ROC), a digital state (DIGITAL,
 * e.g. a high-high level switch), or no good data for too long (STALE: comm loss).
 */
export const RuleKind = z.enum(['HH', 'H', 'L', 'LL', 'ROC', 'DIGITAL', 'STALE'])
export type RuleKind = z.infer<typeof RuleKind>

/**
 * Rows by point class, each mapping rule kinds to a priority; `*` in a row covers the kinds it
 * does not name, and `default` covers the classes and kinds no row names. Partial rows are fine.
 */
export const PriorityMatrix = z.strictObject({
  rows: z.partialRecord(PointClass, z.partialRecord(z.union([RuleKind, z.literal('*')]), Priority)),
  default: Priority,
})
export type PriorityMatrix = z.infer<typeof PriorityMatrix>

const freezeDeep = <T>(o: T): T => {
  if (typeof o === 'object' && o !== null) for (const v of Object.values(o)) freezeDeep(v)
  return Object.freeze(o)
}

/** Brief §5 (001:L6795ff). Not in the table, chosen here: ROC ranks like H, DIGITAL like HH, STALE (comm loss) is C. */
export const defaultPriorityMatrix: PriorityMatrix = freezeDeep({
  rows: {
    // Abnormal-condition authorised points: any alarm is S.
    authorised: { '*': 'S' },
    // Major hazard source and hazardous-process points: HH / H → S / A.
    mhs: { HH: 'S', H: 'A', ROC: 'A', DIGITAL: 'S', LL: 'B', L: 'C', STALE: 'C' },
    process: { HH: 'S', H: 'A', ROC: 'A', DIGITAL: 'S', LL: 'B', L: 'C', STALE: 'C' },
    // Gas detection points: HH / H → A / B.
    gas: { HH: 'A', H: 'B', ROC: 'B', DIGITAL: 'A', LL: 'B', L: 'C', STALE: 'C' },
    // General process points: HH / H → A / B; any LL / L → B / C.
    general: { HH: 'A', H: 'B', ROC: 'B', DIGITAL: 'A', LL: 'B', L: 'C', STALE: 'C' },
  },
  default: 'C',
})

export function priorityOf(
  kind: RuleKind | LimitKind,
  pointClass: PointClass,
  matrix: PriorityMatrix = defaultPriorityMatrix,
): Priority {
  const row = matrix.rows[pointClass]
  return row?.[kind] ?? row?.['*'] ?? matrix.default
}
