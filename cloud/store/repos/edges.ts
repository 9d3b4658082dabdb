import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import type {
  DriverReport,
  OutboxReport,
  StatusBirth,
  StatusDeath,
  StatusState,
} from '../../../shared/wire/messages.ts'

/** Edges' presence from their status messages (birth, state, death) and their clocks. */
export interface EdgeRepo {
  /** birth: edge online with this session; points announced (registry fields untouched). */
  recordBirth(site: string, birth: StatusBirth, seenAt: number): Promise<BirthOutcome>
  /**
   * state: heartbeat. Adopts the session when it differs (the birth was missed); ignored when
   * it names the stored session after that session's death (a straggler must not revive it).
   */
  recordState(site: string, state: StatusState, seenAt: number): Promise<{ adopted: boolean; ignored: boolean }>
  /** death: offline ONLY when it names the stored session. */
  recordDeath(death: StatusDeath, seenAt: number | null): Promise<{ applied: boolean; storedSession: string | null }>
  listEdges(): Promise<EdgeRecord[]>
  /** The edge's clock offset as last estimated (cloud/ingest/clock-offset.ts). */
  recordClockOffset(edge: string, offsetMs: number, at: number): Promise<void>
}

export interface EdgeRecord {
  id: string
  site: string
  session: string | null
  /** As last reported by status messages; staleness is applied by the reader. */
  online: boolean
  lastSeen: number | null
  /** The mark of the edge's current outbox. */
  ackedThrough: number
  /** The id of the edge's current outbox (its newest batch's), null before it named one. */
  outboxId: string | null
  outbox: OutboxReport | null
  configHash: string | null
  drivers: DriverReport[]
  /** The edge's clock minus the cloud's, ms (cloud/ingest/clock-offset.ts); null until estimated. */
  clockOffsetMs?: number | null
  clockCheckedAt?: number | null
  /** The edge's live view relay as its last birth announced it (`ws://host:port`); null: none. */
  liveUrl?: string | null
}

/** What a birth changed beyond presence: limits adopted from the source for `limitsFromSource` points. */
export interface BirthOutcome {
  limitsAdopted: Array<{ point: string; from: ThresholdLimits | null; to: ThresholdLimits }>
  limitsRefused: Array<{ point: string; problem: string }>
}
