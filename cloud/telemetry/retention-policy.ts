import { z } from 'zod'

/**
 * How long each kind of telemetry is kept (issue 15): raw samples, 1-min rollups, 1-h rollups.
 * Alarms, their timelines and the audit log are kept forever (nothing here deletes them). The
 * cloud config's `store.retention` (cloud/config.ts); the job: cloud/telemetry/retention-job.ts.
 */
export const DAY_MS = 86_400_000
export const RETENTION_KINDS = ['raw', 'rollup_1m', 'rollup_1h'] as const
export type RetentionKind = (typeof RETENTION_KINDS)[number]

/** The longest rollup period each kind feeds: raw samples and 1-min rows both feed the 1-h answer. */
const FEEDS: Record<
  RetentionKind,
  { key: 'rawDays' | 'rollup1mDays' | 'rollup1hDays'; periodMs: number; what: string }
> = {
  raw: { key: 'rawDays', periodMs: 3_600_000, what: 'the raw samples feed the 1-min and 1-h rollups' },
  rollup_1m: { key: 'rollup1mDays', periodMs: 3_600_000, what: 'the 1-min rollups fill the edges of the 1-h ones' },
  rollup_1h: { key: 'rollup1hDays', periodMs: 3_600_000, what: 'a 1-h rollup covers an hour' },
}

const days = (fallback: number) => z.number().positive('must be a positive number of days').default(fallback)

export const RetentionConfig = z
  .strictObject({
    /** Raw samples (default 1 year). */
    rawDays: days(365),
    /** 1-min rollups (default 3 years). */
    rollup1mDays: days(1095),
    /** 1-h rollups (default 10 years). */
    rollup1hDays: days(3650),
    /** The job runs this often (the first run 1 min after start). */
    everyHours: z.number().int().min(1).max(168).default(24),
  })
  .superRefine((r, ctx) => {
    for (const kind of RETENTION_KINDS) {
      const f = FEEDS[kind]
      if (r[f.key] * DAY_MS < f.periodMs)
        ctx.addIssue({
          code: 'custom',
          path: [f.key],
          message: `${r[f.key]} days is shorter than the ${f.periodMs / 3_600_000} h rollup period it feeds (${f.what}): keep at least ${f.periodMs / DAY_MS} days`,
        })
    }
    if (!(r.rawDays <= r.rollup1mDays && r.rollup1mDays <= r.rollup1hDays))
      ctx.addIssue({
        code: 'custom',
        path: ['rollup1mDays'],
        message: `rawDays (${r.rawDays}) ≤ rollup1mDays (${r.rollup1mDays}) ≤ rollup1hDays (${r.rollup1hDays}) is required: a finer kind must not outlive the coarser one made from it`,
      })
  })
export type RetentionConfig = z.infer<typeof RetentionConfig>
export const defaultRetention: RetentionConfig = RetentionConfig.parse({})

/** Per kind: everything older than this is removed (samples by time, rollups by bucket start). */
export type RetentionCutoffs = Record<RetentionKind, number>

/** Rollup cutoffs are on the rollup's grid: only buckets wholly older than the retention go. */
const onGrid = (t: number, width: number) => t - (((t % width) + width) % width)

export function cutoffsAt(now: number, r: RetentionConfig): RetentionCutoffs {
  return {
    raw: Math.floor(now - r.rawDays * DAY_MS),
    rollup_1m: onGrid(Math.floor(now - r.rollup1mDays * DAY_MS), 60_000),
    rollup_1h: onGrid(Math.floor(now - r.rollup1hDays * DAY_MS), 3_600_000),
  }
}

/** What one run removed of one kind (schema.ts retention_runs). */
export interface RetentionRun {
  at: number
  kind: RetentionKind
  cutoff: number
  removed: number
}
