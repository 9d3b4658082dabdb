import type { DriverReport } from '../shared/wire/messages.ts'
import type { LocalAlarm } from './alarms/local.ts'
import type { DiskState } from './outbox/disk-guard.ts'
import type { OutboxStats } from './outbox/outbox.ts'
import type { UplinkState } from './uplink/uplink.ts'

/**
 * What the agent reports about itself: the status file (edge/status-file.ts), `parklink edge
 * status` and the local console read it. Its own module so the console depends on the shape,
 * not on the agent that starts the console.
 */
export interface EdgeAgentStatus {
  site: string
  edge: string
  session: string
  configHash: string
  startedAt: number
  drivers: DriverReport[]
  outbox: OutboxStats
  uplink: UplinkState
  /** Alarms active at the edge (local evaluation), newest first. */
  alarms: LocalAlarm[]
  /** When this status was taken, the samples appended per hour lately, and how far behind the oldest held sample is (h). */
  at: number
  samplesPerHour: number
  backlogHours: number
  /**
   * What was not sent because it cannot fit the broker's limit (uplink.maxMessageBytes,
   * PL_MESSAGE_TOO_LARGE): samples and snapshots; and the live view's refused viewers by reason.
   */
  refused?: { tooLarge: number; liveViewers: Partial<Record<string, number>> }
  /** The data directory's disk: free bytes, the outbox's reserve, samples refused while it was full (issue 14). Absent in older status files. */
  disk?: DiskState
}
