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

export const PriorityMatrix = z.record(PointClass, z.record(z.enum(['HH', 'H', 'L', 'LL']), Priority))
export type PriorityMatrix = z.infer<typeof PriorityMatrix>

export const defaultPriorityMatrix: PriorityMatrix = Object.freeze({
  // Abnormal-condition authorised points: any alarm is S.
  authorised: { HH: 'S', H: 'S', L: 'S', LL: 'S' },
  // Major hazard source and hazardous-process points: HH / H → S / A.
  mhs: { HH: 'S', H: 'A', LL: 'B', L: 'C' },
  process: { HH: 'S', H: 'A', LL: 'B', L: 'C' },
  // Gas detection points: HH / H → A / B.
  gas: { HH: 'A', H: 'B', LL: 'B', L: 'C' },
  // General process points: HH / H → A / B; any LL / L → B / C.
  general: { HH: 'A', H: 'B', LL: 'B', L: 'C' },
}) as PriorityMatrix

export function priorityOf(kind: LimitKind, pointClass: PointClass, matrix: PriorityMatrix = defaultPriorityMatrix): Priority {
  return matrix[pointClass]?.[kind] ?? defaultPriorityMatrix[pointClass]?.[kind] ?? 'C'
}
