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
  if (!parsed.success) throw badRequest(`invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`, hint)
  return parsed.data
}
