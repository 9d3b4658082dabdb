import type { Context } from 'hono'
import type { z } from 'zod'
import { badRequest } from './errors.ts'

/** A JSON request body, validated with zod; anything else is a 400 that says what to send. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S, hint: string): Promise<z.infer<S>> {
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw badRequest('the body is not JSON', hint)
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success)
    throw badRequest(
      `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`,
      hint,
    )
  return parsed.data
}

/** A positive integer id from the path (`/:id`). */
export function idParam(c: Context, what: string): number {
  const id = Number(c.req.param('id'))
  if (!Number.isSafeInteger(id) || id <= 0)
    throw badRequest(`"${c.req.param('id')}" is not ${what} id`, 'ids are positive integers')
  return id
}

/** 409: the step does not fit the record's state; the record, as it is now, goes with the error. */
export function stateConflict(c: Context, message: string, key: string, current: unknown) {
  const error = { code: 'PL_STATE_CONFLICT', message, hint: `the current state is in \`${key}\`` }
  return c.json(current === undefined ? { error } : { error, [key]: current }, 409)
}
