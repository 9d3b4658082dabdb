import { it } from 'vitest'
import type { AlarmWrite, NewAlarm } from '../../../cloud/alarms/engine/writes.ts'
import type { Registry } from '../../../cloud/config.ts'
import type { PlannedPush } from '../../../cloud/notify/plan.ts'
import type { ChainVerdict } from '../../../cloud/store/audit-chain.ts'
import type { AlarmChange, PushPlanner } from '../../../cloud/store/store.ts'
import type { OnCorrupt } from '../../../cloud/store/historian/corrupt.ts'
import type { DataBatch } from '../../../shared/wire/messages.ts'
import type { Sample } from '../../../shared/wire/sample.ts'

/**
 * What every section of the store conformance suite shares (test/conformance/store/*.suite.ts):
 * the park it runs on, and the handle an engine gives a section. A section is typed on just the
 * repositories it needs, so an engine runs it as soon as it has those (aedes-style sections).
 */
export interface RepoFactoryOptions {
  onAlarmChange?: (change: AlarmChange) => void
  planPushes?: PushPlanner
  /** Told of every historian chunk or block that does not decode (the telemetry section). */
  onCorrupt?: OnCorrupt
}

export interface RepoHandle<R> {
  repos: R
  /** The engine's own walk along the audit hash chain (`parklink cloud audit verify`). */
  verifyAuditChain(): Promise<ChainVerdict>
  dispose(): Promise<void>
}

export interface SectionOptions<R> {
  name: string
  /** A fresh, empty store of its own: no registry applied, no rows. */
  newRepos: (options: RepoFactoryOptions) => Promise<RepoHandle<R>>
  /** Test names an engine opts out of (say why where it is called). */
  skip?: string[]
}

/**
 * An alarm stored by the engine's own alarm writes (a closed episode when `recovered` is set)
 * with `pushes` planned in its ledger, as the push outbox plans them in the alarm's transaction;
 * resolves to its id. For the sections that read alarms (deliveries, gas warnings) without
 * going through the ingest or the AlarmRepo of the engine.
 */
export type SeedAlarm = (alarm: NewAlarm, pushes?: readonly PlannedPush[]) => Promise<number>

/** The write a SeedAlarm saves: a raise, or a closed episode (no timeline entries, nobody told). */
export const seedWrite = (alarm: NewAlarm): AlarmWrite =>
  alarm.recovered ? { type: 'episode', alarm, entries: [], tell: [] } : { type: 'raise', alarm, entries: [], tell: [] }

export type SeededHandle<R> = RepoHandle<R> & { seedAlarm: SeedAlarm }

/** A section that also stores alarms of its own (SeedAlarm). */
export interface SeededSectionOptions<R> extends Omit<SectionOptions<R>, 'newRepos'> {
  newRepos: (options: RepoFactoryOptions) => Promise<SeededHandle<R>>
}

export const sectionTest = (skip: readonly string[] | undefined) => {
  const skipped = new Set(skip ?? [])
  return (name: string, fn: () => Promise<void>) => (skipped.has(name) ? it.skip(name, fn) : it(name, fn))
}

export const T0 = Date.UTC(2025, 0, 31)
export const LEVEL = 'shilian.tk101.level'
export const PRESSURE = 'fuqiang.v201.pressure'
export const EDGE = 'shilian-01'

export const registry: Registry = {
  enterprises: [
    { id: 'shilian', name: '实联化工' },
    { id: 'fuqiang', name: '富强新材料' },
  ],
  points: [
    {
      id: LEVEL,
      name: '液氨储罐TK-101液位',
      unit: 'm',
      enterprise: 'shilian',
      class: 'mhs',
      limitsFromSource: false,
      limits: { hh: 10.5, h: 9.5, l: 2, ll: 1, deadband: 0.1 },
    },
    {
      id: PRESSURE,
      name: '液氯储罐V-201压力',
      unit: 'MPa',
      enterprise: 'fuqiang',
      class: 'mhs',
      limitsFromSource: false,
      limits: { hh: 1.0, h: 0.85, deadband: 0.01 },
    },
  ],
  edges: [],
  claimUnknownPoints: 'open',
}

/** The same park with its edges registered: shilian's own edge (bound to LEVEL) and the park's. */
export const boundRegistry: Registry = {
  ...registry,
  points: registry.points.map((p) => (p.id === LEVEL ? { ...p, edge: EDGE } : p)),
  edges: [
    { id: EDGE, site: 'huaian', enterprise: 'shilian' },
    { id: 'park-01', site: 'huaian' },
  ],
  claimUnknownPoints: 'strict',
}

/** The rejection of a promise (to match its code), or 'resolved'. */
export const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (err: unknown) => err,
  )

/** The edge's outbox in the batches below. */
export const OUTBOX = 'outbox-1a2b3c4d'

export const good = (point: string, ts: number, value: Sample['value']): Sample => ({
  point,
  ts,
  value,
  quality: 'good',
})

/** A data batch of EDGE's OUTBOX. */
export const batch = (seq: number, samples: Sample[], more: Partial<DataBatch> = {}): DataBatch => ({
  v: 1,
  edge: EDGE,
  session: 's-1',
  outbox: OUTBOX,
  seq,
  floor: 1,
  samples,
  ...more,
})
