import type { GasAlarmFact } from '../../../shared/rules/gas-warning.ts'
import type { GasWarningRecord } from '../../alarms/gas/model.ts'
import type { PlannedGasPush } from '../../alarms/gas/pushes.ts'
import type { Scope } from '../../auth/roles.ts'
import type { Delivery, DeliveryOutcome } from './deliveries.ts'

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
  /** Writes the warning and the pushes its step calls for in one transaction (a crash between them loses nothing). */
  insertGasWarning(warning: Omit<GasWarningRecord, 'id'>, pushes?: readonly PlannedGasPush[]): Promise<GasWarningRecord>
  saveGasWarning(warning: GasWarningRecord, pushes?: readonly PlannedGasPush[]): Promise<void>
  /** The warnings' pushes due by `now` (cloud/notify/gas-sender.ts), and each attempt's outcome. */
  dueGasPushes(now: number, limit: number): Promise<GasDelivery[]>
  /** The due pushes claimed for `leaseMs`, as DeliveryRepo.claimPushes. */
  claimGasPushes(now: number, limit: number, leaseMs: number): Promise<GasDelivery[]>
  /** Final once finished, as DeliveryRepo.recordPush. */
  recordGasPush(id: number, outcome: DeliveryOutcome): Promise<void>
  /** A warning's pushes (null: no such warning in the scope). */
  gasWarningDeliveries(id: number, scope: Scope): Promise<GasDelivery[] | null>
  getGasWarning(id: number, scope: Scope): Promise<GasWarningRecord | null>
  listGasWarnings(filter: { scope: Scope; state?: 'open' | 'cleared'; limit: number }): Promise<GasWarningRecord[]>
}

/** One push of a gas-leak warning's step, as the ledger holds it. */
export interface GasDelivery
  extends Pick<
    Delivery,
    'id' | 'recipient' | 'channel' | 'dueAt' | 'nextAt' | 'attempts' | 'status' | 'lastError' | 'doneAt'
  > {
  warning: number
  step: number
  action: PlannedGasPush['action']
  colour: PlannedGasPush['colour']
}
