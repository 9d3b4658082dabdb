import type { Sample, Value } from '../../shared/wire/sample.ts'
import type { DriverReport, PointInfo } from '../../shared/wire/messages.ts'
import type { CameraEvent, Snapshot } from '../../shared/wire/camera.ts'

/**
 * THE driver contract. A driver speaks one protocol to one device: it plans its reads, reads
 * and decodes. It never schedules (the poller owns the timers), never buffers or retries
 * uploads (the outbox and uplink do), and never throws for an unreachable device: that is a
 * status and bad-quality samples.
 */
export type DriverState = DriverReport['state']

export interface DriverStatus {
  state: DriverState
  /** When the state last changed (epoch ms); null before start. */
  since: number | null
  /** The last error, in words a technician can act on; null once reads succeed again. */
  lastError: string | null
  /** Counts a technician reads next to the state (e.g. the HJ 212 listener's refused connections), by name. */
  counters?: Record<string, number>
}

export interface Driver {
  /** The configured device id this driver serves. */
  readonly device: string
  readonly kind: string
  /** The points this driver reads, as announced in the edge's birth message. */
  readonly points: readonly PointInfo[]
  /** For polled protocols: how often the framework should call read() (for all points). */
  readonly pollIntervalMs?: number
  /**
   * For polled protocols whose points run at different cadences (e.g. several slaves on one
   * RS485 bus): the framework runs one loop per schedule, calling read(schedule.points).
   * When present, pollIntervalMs is ignored.
   */
  readonly schedules?: readonly PollSchedule[]
  /** Opens connections. An unreachable device resolves (status says so); only misuse rejects. */
  start(): Promise<void>
  /** Releases every socket and timer; idempotent. */
  stop(): Promise<void>
  status(): DriverStatus
  /**
   * Polled protocols: reads the given points (all when omitted) once. Never rejects for device
   * trouble: every requested point yields a sample, bad with a reason if it could not be read.
   */
  read?(points?: readonly string[]): Promise<Sample[]>
  /**
   * Pushed protocols: delivers samples as they come; returns the unsubscribe function. A driver
   * may have both: the framework then subscribes AND polls (e.g. OPC UA subscriptions with a
   * polled read fallback; read() returns [] while there is nothing to poll).
   */
  subscribe?(on: (samples: Sample[]) => void): () => void
  /**
   * Pushed protocols that can also be asked (OPC UA): reads the given points now, in one request,
   * stamped with the time of that read. The framework calls it for points silent for
   * `refreshIntervalMs` (edge/pipeline/liveness.ts). Never rejects for device trouble: every
   * requested point yields a sample, bad with the reason if its read failed.
   */
  refresh?(points: readonly string[]): Promise<Sample[]>
  /** How long a pushed point may stay silent before the framework asks refresh() for it. */
  readonly refreshIntervalMs?: number
  /**
   * Devices that report events (cameras: analytics alarms with snapshots, online/offline): the
   * framework registers one listener and writes each event to the outbox with its original time.
   */
  onEvents?(listener: (events: CameraEvent[]) => void): () => void
  /** Cameras: a snapshot now (checked JPEG), or why there is none. Never rejects. */
  snapshot?(): Promise<{ snapshot: Snapshot } | { snapshotError: string }>
  /** Cameras: the RTSP URL (with credentials) for the live-view relay; null while unknown. */
  liveSource?(): string | null
  /** Only for points explicitly configured writable; rejects for any other point. */
  write?(point: string, value: Value): Promise<void>
}

export interface PollSchedule {
  /** Names the loop in logs (e.g. "unit-3"). */
  id: string
  pollIntervalMs: number
  points: readonly string[]
}

/** What a driver factory gets from the framework. */
export interface DriverDeps {
  clock: import('../../shared/clock.ts').Clock
  log: import('pino').Logger
  /**
   * A directory the driver may keep durable state in (certificates, baselines), created by the
   * framework: `{edge dataDir}/devices/{device id}`. Absent in unit tests that need none.
   */
  dataDir?: string
  /** Where a driver looks up its password variable (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Seals what the driver keeps in dataDir (camera snapshots) with SM4 when storage.encryption is on (edge/at-rest/). */
  atRest?: import('../at-rest/cipher.ts').AtRestCipher
}

export function driverReport(d: Driver): DriverReport {
  const s = d.status()
  return {
    device: d.device,
    kind: d.kind,
    state: s.state,
    since: s.since,
    lastError: s.lastError,
    ...(s.counters ? { counters: s.counters } : {}),
  }
}
