import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError, type ErrorCode } from '../../shared/errors.ts'

/**
 * The one place that turns errors into HTTP responses. Every error body is
 * `{ error: { code, message, hint } }` with a stable code; internal details (stack, SQL) go to
 * the log, never to the client.
 */
export type ApiErrorCode = ErrorCode | 'PL_INTERNAL'

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; hint: string | null }
}

const statusOf: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  [ErrorCodes.BAD_REQUEST]: 400,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.STATE_CONFLICT]: 409,
  [ErrorCodes.STORE_FAILED]: 503,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.ACCOUNT_LOCKED]: 423,
  [ErrorCodes.PASSWORD_EXPIRED]: 403,
  [ErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCodes.EDGE_UNREACHABLE]: 504,
  [ErrorCodes.TOO_MANY_REQUESTS]: 429,
  [ErrorCodes.TOO_MANY_STREAMS]: 429,
  [ErrorCodes.LIVE_VIEW_UNAVAILABLE]: 409,
}

export function badRequest(message: string, hint?: string): ParklinkError {
  return new ParklinkError(ErrorCodes.BAD_REQUEST, message, hint === undefined ? {} : { hint })
}

export function forbidden(message: string, hint?: string): ParklinkError {
  return new ParklinkError(ErrorCodes.FORBIDDEN, message, hint === undefined ? {} : { hint })
}

export function notFound(message: string, hint?: string): ParklinkError {
  return new ParklinkError(ErrorCodes.NOT_FOUND, message, hint === undefined ? {} : { hint })
}

export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: ApiErrorCode,
  message: string,
  hint: string | null = null,
) {
  const body: ApiErrorBody = { error: { code, message, hint } }
  return c.json(body, status)
}

export function createErrorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof ParklinkError) {
      const status = statusOf[err.code] ?? 500
      if (status >= 500) log.error({ err, path: c.req.path }, 'request failed')
      // A throttled request says when to come back (RFC 9110 §10.2.3).
      if ('retryAfterS' in err && typeof err.retryAfterS === 'number') c.header('Retry-After', String(err.retryAfterS))
      return errorResponse(c, status, err.code, err.message, err.hint ?? null)
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode
      const code = status === 404 ? ErrorCodes.NOT_FOUND : status < 500 ? ErrorCodes.BAD_REQUEST : 'PL_INTERNAL'
      // The validators of a declared route refuse a body that is not JSON (400) or of another type (415) this way: the route's hint says what to send.
      return errorResponse(c, status, code, err.message || 'request refused', c.get('validationHint') ?? null)
    }
    log.error({ err, method: c.req.method, path: c.req.path }, 'unexpected error serving a request')
    return errorResponse(
      c,
      500,
      'PL_INTERNAL',
      'internal error',
      'the cause is in the cloud service log; report it with the time of the request',
    )
  }
}

export function notFoundHandler(c: Context) {
  return errorResponse(
    c,
    404,
    ErrorCodes.NOT_FOUND,
    `no route ${c.req.method} ${c.req.path}`,
    'the API is under /api/v1 (described at /api/v1/docs and /api/v1/openapi.json): health, auth/login, edges, points, points/{id}/history, alarms, board, maintenance-windows, users, api-keys, audit',
  )
}
