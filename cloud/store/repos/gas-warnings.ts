import type { GasAlarmFact } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningRecord } from '../../alarms/gas/model.ts'
import type { Scope } from '../../auth/roles.ts'

/** A gas point's area as the warnings need it (registry areas; kind `public`: a 三公 area). */
export interface GasArea {
  id: string
  enterprise: string | null
  publicArea: boolean
}

/** Gas-leak warnings per area (issue 18): the alarm facts they are computed from, and the warnings. Scoped in the query (brief §7). */
export interface GasWarningRepo {
  /** The area of a gas-class point (null: not a gas point, or no area). */
  gasAreaOf(point: string): Promise<GasArea | null>
  /** H/HH alarms of the area's gas points that were active at or after `since`. */
  gasAlarmFacts(area: string, since: number): Promise<GasAlarmFact[]>
  openGasWarning(area: string): Promise<GasWarningRecord | null>
  /** Open warnings of every area (the timer re-evaluates them: durations grow with time). */
  openGasWarnings(): Promise<GasWarningRecord[]>
  insertGasWarning(warning: Omit<GasWarningRecord, 'id'>): Promise<GasWarningRecord>
  saveGasWarning(warning: GasWarningRecord): Promise<void>
  getGasWarning(id: number, scope: Scope): Promise<GasWarningRecord | null>
  listGasWarnings(filter: { scope: Scope; state?: 'open' | 'cleared'; limit: number }): Promise<GasWarningRecord[]>
}
