import type { AlarmView } from '../types.ts'
import type { WallGasWarning } from './wall-gas.ts'

export type Priority = AlarmView['priority']
export interface PlanEntry {
  id: string
  name: string
  worst: Priority | null
  active: number
  x?: number
  y?: number
}

/** GET /api/v1/wall (cloud/api/routes/wall.ts). */
export interface WallData {
  at: number
  today: { total: number; byPriority: Record<Priority, number>; closed: number; disposalRate: number | null }
  active: number
  overdue: number
  perHour: Array<{ at: number; count: number }>
  topPoints: Array<{ point: string; pointName: string | null; enterprise: string | null; count: number }>
  edges: { online: number; total: number }
  enterprises: { online: number; total: number }
  completenessToday: number | null
  /** Open gas-leak warnings, worst colour first (issue 18). */
  gasWarnings?: WallGasWarning[]
  plan: {
    enterprises: Array<PlanEntry & { online: boolean }>
    hazardSources: Array<PlanEntry & { enterprise: string; level: number }>
    /** Placed cameras only (issue 17); `offline`: its OFFLINE alarm is active. Absent from an older service. */
    cameras?: Array<PlanEntry & { enterprise: string | null; offline: boolean }>
    /** The uploaded plan image (GET /api/v1/plan/image), or null: the generated schematic. */
    image?: { url: string; type: string; sha256: string } | null
  }
}

export const PRIORITIES: readonly Priority[] = ['S', 'A', 'B', 'C', 'D']
