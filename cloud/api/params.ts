import type { Context } from 'hono'
import { z } from 'zod'
import { badRequest } from './errors.ts'

/**
 * Query parameters, validated with zod. Unknown parameters are refused (a typo such as
 * `?stat=all` silently ignored would show the operator the wrong list).
 */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S, hint: string): z.infer<S> {
  const parsed = schema.safeParse(c.req.query())
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
  throw badRequest(`invalid query: ${problems.join('; ')}`, hint)
}

/** A positive integer query parameter with a default and a ceiling. */
export function intParam(defaultValue: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`))
    .default(defaultValue)
}

/** ISO-8601 date-time WITH a zone (a zoneless time is ambiguous between the server and the plant). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

/** A time as epoch milliseconds or ISO-8601 (e.g. 2025-01-31T08:00:00+08:00); parsed to epoch ms. */
export const TimeParam = z
  .string()
  .transform((text, ctx) => {
    if (/^\d{1,15}$/.test(text)) return Number(text)
    const ms = ISO_DATE_TIME.test(text) ? Date.parse(text) : NaN
    if (Number.isFinite(ms)) return ms
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is neither epoch milliseconds nor an ISO-8601 date-time with a zone (2025-01-31T08:00:00+08:00)`,
    })
    return z.NEVER
  })
  .describe('epoch milliseconds, or ISO-8601 with a zone (2025-01-31T08:00:00+08:00)')
