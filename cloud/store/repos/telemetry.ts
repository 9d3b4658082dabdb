import type { Quality } from '../../../shared/quality.ts'
import type { PointClass } from '../../../shared/rules/priority.ts'
import type { ThresholdLimits } from '../../../shared/rules/threshold.ts'
import type { PointRange, SourceLimits } from '../../../shared/wire/messages.ts'
import type { Value } from '../../../shared/wire/sample.ts'
import type { Scope } from '../../auth/roles.ts'
import type { BucketRow } from '../../telemetry/buckets.ts'
import type { PointIntervals } from '../../telemetry/completeness.ts'

/** Points and their samples: latest values, raw history, buckets, completeness, what the rules did not evaluate. Scoped in the query (brief §7). */
export interface TelemetryRepo {
  /** Points in scope, optionally of one enterprise, hazard source, area or alarm-unit class. */
  listPoints(filter: PointFilter): Promise<PointRecord[]>
  getPoint(id: string, scope: Scope): Promise<PointRecord | null>
  /** Samples of a point with from ≤ ts ≤ to, ascending by ts, at most `limit`. */
  history(point: string, range: { from: number; to: number; limit: number }, scope: Scope): Promise<StoredSample[]>
  /** One page of samples with from ≤ ts ≤ to, after the cursor, ascending; `next` when more follow. */
  historyPage(
    point: string,
    range: { from: number; to: number; limit: number; after?: HistoryCursor },
    scope: Scope,
  ): Promise<{ samples: StoredSample[]; next: HistoryCursor | null }>
  /** min/max/avg/last/count of good samples per bucket of [from, to) (only buckets with samples). */
  historyBuckets(point: string, plan: { from: number; to: number; step: number }, scope: Scope): Promise<BucketRow[]>
  /** Per registered point in scope: the intervals of [from, to) that had a good sample (data completeness). */
  completenessIntervals(range: { from: number; to: number; step: number }, scope: Scope): Promise<PointIntervals[]>
  /** Samples of a point stored but not evaluated (late, clock_skew), overlapping [from, to], newest first. */
  listUnevaluated(point: string, range: { from: number; to: number; limit: number }): Promise<UnevaluatedRecord[]>
  /** Registered points with their newest good sample time (for the comm-loss watcher). */
  commLossCandidates(): Promise<
    Array<{ id: string; class: PointClass | null; lastGoodTs: number | null; edge: string | null }>
  >
  /**
   * Historian compaction (issue 15): the samples of batches received before `receivedBefore`
   * (epoch ms) sealed into per-point hourly chunks. Reads answer the same before and after.
   */
  compactSamples(receivedBefore: number): Promise<CompactionResult>
}

/** What one compaction did (cloud/store/sqlite/compaction.ts). */
export interface CompactionResult {
  /** Batches' blocks sealed into chunks. */
  blocks: number
  samples: number
  /** Chunks written (new, or merged with the hour's chunk). */
  chunks: number
  /** Blocks left in place because they do not decode (reported, skipped by reads). */
  corrupt: number
}

export interface PointFilter {
  scope: Scope
  enterprise?: string
  hazardSource?: string
  area?: string
  class?: PointClass
}

export interface PointRecord {
  id: string
  name: string | null
  unit: string | null
  device: string | null
  enterprise: string | null
  class: PointClass | null
  /** The registry's hazard source and area of the point (ids), where set. */
  hazardSource: string | null
  area: string | null
  edge: string | null
  limits: ThresholdLimits | null
  /** Where `limits` come from: the registry, or the source (control room) for limitsFromSource points. */
  limitsFrom: 'registry' | 'source'
  /** As the source announced them in the edge's birth. */
  range: PointRange | null
  sourceLimits: SourceLimits | null
  registered: boolean
  latest: StoredSample | null
}

/** Where a page of raw history ended: the last sample's time, and its ordinal among that time's samples in arrival order (cloud/store/historian/pages.ts). */
export interface HistoryCursor {
  ts: number
  row: number
}

export interface StoredSample {
  ts: number
  value: Value
  quality: Quality
  reason?: string
}

/** Samples of a point the rules did not evaluate (cloud/store/sqlite/late.ts), per batch and reason. */
export interface UnevaluatedRecord {
  point: string
  edge: string
  seq: number
  reason: 'late' | 'clock_skew' | 'replay_overlap'
  samples: number
  from: number
  to: number
  /** The point's evaluated state was at this source time (late samples are older). */
  evaluatedThrough: number | null
  receivedAt: number
}
