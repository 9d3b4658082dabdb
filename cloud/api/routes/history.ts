import type { Context } from 'hono'
import { z } from 'zod'
import { MAX_BUCKETS, fillBuckets, parseStep, planBuckets } from '../../telemetry/buckets.ts'
import { toCsv } from '../../telemetry/csv.ts'
import type { PointRecord } from '../../store/store.ts'
import { scope } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { badRequest } from '../errors.ts'
import { intParam, TimeParam } from '../params.ts'

export const HISTORY_DEFAULT_SPAN_MS = 3_600_000
export const HISTORY_DEFAULT_LIMIT = 10_000
export const HISTORY_MAX_LIMIT = 100_000

export const HistoryQuery = z.strictObject({
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  limit: intParam(HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT),
  cursor: z
    .string()
    .regex(/^\d{1,15}\.\d{1,15}$/, 'the `next` of the previous page')
    .transform((c) => ({ ts: Number(c.split('.')[0]), row: Number(c.split('.')[1]) }))
    .optional(),
  step: z
    .string()
    .transform(
      (text, ctx) =>
        parseStep(text) ??
        (ctx.addIssue({ code: 'custom', message: 'a duration such as 30s, 5m, 1h, 1d (or ms)' }), z.NEVER),
    )
    .optional(),
  buckets: z
    .string()
    .regex(/^\d{1,6}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_BUCKETS))
    .optional(),
  format: z.enum(['json', 'csv']).default('json'),
})
export const HISTORY_HINT = `from, to: epoch ms or ISO-8601 with a zone (default: the last hour); raw samples: limit 1–${HISTORY_MAX_LIMIT} (default ${HISTORY_DEFAULT_LIMIT}) and cursor (the previous page's next); aggregated: step (30s, 5m, 1h …) or buckets (1–${MAX_BUCKETS}) for min/max/avg/last/count per bucket; format: json or csv`

const cursorText = (c: { ts: number; row: number } | null) => (c ? `${c.ts}.${c.row}` : null)
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * GET /api/v1/points/:id/history: raw samples (oldest first, paged by cursor) or, with `step` or
 * `buckets`, server-side aggregation per bucket of [from, to); JSON or CSV (format=csv). The JSON
 * answers list the gap records (data the edge dropped) overlapping the range, and `unevaluated`:
 * samples stored but not evaluated by the alarm rules (late, clock_skew), with the reason.
 */
export function historyHandler(deps: ApiDeps, findPoint: (c: Context, id: string) => Promise<PointRecord>) {
  return async (c: Context) => {
    // Validated by the route's declaration (routes/points.ts): the parsed query, transforms applied.
    const q = (c.req as unknown as { valid(target: 'query'): z.output<typeof HistoryQuery> }).valid('query')
    const point = await findPoint(c, c.req.param('id')!)
    const to = q.to ?? (q.from === undefined ? deps.clock.now() : Math.max(deps.clock.now(), q.from))
    const from = q.from ?? to - HISTORY_DEFAULT_SPAN_MS
    if (from > to) throw badRequest(`from (${from}) is after to (${to})`, HISTORY_HINT)
    const csv = (name: string, header: string[], rows: unknown[][]) => {
      c.header('content-disposition', `attachment; filename="${point.id}-${name}.csv"`)
      return c.body(toCsv(header, rows), 200, { 'content-type': 'text/csv; charset=utf-8' })
    }

    // Completeness: what the edge dropped in this range (GET /api/v1/gaps has the detail).
    const gaps = async () =>
      (await deps.store.listGaps({ point: point.id, from, to, limit: 100 })).map((g) => ({
        from: g.from,
        to: g.to,
        samples: g.samples,
        reason: g.reason,
      }))
    // Samples stored in this range but not evaluated by the alarm rules (late, clock_skew), with why (issue 14).
    const unevaluated = async () =>
      (await deps.store.listUnevaluated(point.id, { from, to, limit: 100 })).map((u) => ({
        from: u.from,
        to: u.to,
        samples: u.samples,
        reason: u.reason,
        evaluatedThrough: u.evaluatedThrough,
        edge: u.edge,
        seq: u.seq,
        receivedAt: u.receivedAt,
      }))

    if (q.step !== undefined || q.buckets !== undefined) {
      const plan = planBuckets({
        from,
        to,
        ...(q.step === undefined ? {} : { step: q.step }),
        ...(q.buckets === undefined ? {} : { buckets: q.buckets }),
      })
      if ('problem' in plan) throw badRequest(plan.problem, HISTORY_HINT)
      const buckets = fillBuckets(plan, await deps.store.historyBuckets(point.id, plan, scope(c)))
      if (q.format === 'csv')
        return csv(
          'buckets',
          ['start', 'end', 'count', 'min', 'max', 'avg', 'last', 'last_ts', 'not_good'],
          buckets.map((b) => [
            iso(b.start),
            iso(b.end),
            b.count,
            b.min,
            b.max,
            b.avg,
            b.last,
            iso(b.lastTs),
            b.notGood,
          ]),
        )
      return c.json({
        point: point.id,
        unit: point.unit,
        from,
        to,
        step: plan.step,
        buckets,
        gaps: await gaps(),
        unevaluated: await unevaluated(),
      })
    }

    const page = await deps.store.historyPage(
      point.id,
      { from, to, limit: q.limit, ...(q.cursor ? { after: q.cursor } : {}) },
      scope(c),
    )
    if (q.format === 'csv') {
      if (page.next) c.header('x-next-cursor', cursorText(page.next)!)
      return csv(
        'samples',
        ['ts', 'time', 'value', 'quality', 'reason'],
        page.samples.map((s) => [s.ts, iso(s.ts), s.value, s.quality, s.reason ?? null]),
      )
    }
    return c.json({
      point: point.id,
      from,
      to,
      limit: q.limit,
      truncated: page.next !== null,
      next: cursorText(page.next),
      samples: page.samples,
      gaps: await gaps(),
      unevaluated: await unevaluated(),
    })
  }
}
