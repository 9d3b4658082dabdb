import { OpenAPIHono, createRoute, z, type Hook } from '@hono/zod-openapi'
import type { Context, Env, MiddlewareHandler } from 'hono'
import { ErrorCodes } from '../../../shared/errors.ts'
import { errorResponse } from '../errors.ts'

/**
 * Routes are declared with @hono/zod-openapi: the same zod schemas validate the request and
 * describe it in /api/v1/openapi.json. A request that does not fit answers like every other
 * refusal: 400 `{error: {code: PL_BAD_REQUEST, message (naming the field path), hint}}`.
 */
type Issue = { path: PropertyKey[]; message: string }
const where = (i: Issue, empty: string) => (i.path.length ? i.path.map(String).join('.') : empty)

/** `invalid query: limit: must be at most 10` / `invalid body: points.1: …` — as parseQuery and readBody say for routes that are still plain Hono. */
export function describeIssues(target: string, issues: readonly Issue[]): string {
  if (target === 'json') return `invalid body: ${issues.map((i) => `${where(i, '(body)')}: ${i.message}`).join('; ')}`
  const what = target === 'param' ? 'path' : target
  return `invalid ${what}: ${issues.map((i) => (i.path.length ? `${where(i, '')}: ${i.message}` : i.message)).join('; ')}`
}

declare module 'hono' {
  interface ContextVariableMap {
    validationHint: string
  }
}

/**
 * What to send instead, for a route's 400: route middleware (`middleware: hint('…')` in
 * createRoute) runs before the validators, so the shared hook finds it on the context.
 */
export const hint =
  (text: string): MiddlewareHandler =>
  async (c, next) => {
    c.set('validationHint', text)
    await next()
  }

/** The validation hook of every declared route: the route's hint, or where its description is. */
// biome-ignore lint/suspicious/noExplicitAny: one hook serves routes of every input and response type
export const validationHook = (): Hook<any, Env, string, any> => (result, c: Context) => {
  if (result.success) return
  const message = describeIssues(result.target, result.error.issues)
  return errorResponse(
    c,
    400,
    ErrorCodes.BAD_REQUEST,
    message,
    c.get('validationHint') ?? 'the route is described in GET /api/v1/openapi.json (readable at /api/v1/docs)',
  )
}

/** A sub-app whose declared routes validate with the house error shape. */
export const apiRouter = () => new OpenAPIHono({ defaultHook: validationHook() })

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'PL_BAD_REQUEST' }),
      message: z.string(),
      hint: z.string().nullable(),
    }),
  })
  .openapi('Error')

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } })
/** The refusals every protected route can give (cloud/api/access.ts, the body limit, the validators). */
export const REFUSALS = {
  400: error('the query, path or body does not fit; the message names the field'),
  401: error('no valid credentials'),
  403: error('the role may not use this route, or another enterprise was named'),
} as const

/** A JSON answer (the view functions build it; the schema documents its shape where one exists). */
export const json = (description: string, schema: z.ZodType = z.unknown()) => ({
  description,
  content: { 'application/json': { schema } },
})

/** A JSON request body; `required` so a missing or non-JSON body is refused rather than taken as `{}`. */
export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** The `{id}` path parameter (the handler parses it, so a bad id keeps its own message). */
export const IdParams = z.object({
  id: z.string().openapi({
    param: { name: 'id', in: 'path' },
    description:
      'the id as the list of the collection gives it (a number; a point id for points, a uuid for snapshots)',
  }),
})

export { createRoute, z }
