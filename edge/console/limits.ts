import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { ErrorCodes } from '../../shared/errors.ts'

/** The console's default body cap: its only form (the login) is a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024

/**
 * Refuses a request body above `maxBytes` with 413 and PL_PAYLOAD_TOO_LARGE. Hono's bodyLimit
 * checks Content-Length before reading anything and counts a chunked body as it streams, so an
 * oversized upload is never held in memory; `Connection: close` tells the client to stop sending
 * (the server drops what is still in flight, RFC 9110 §15.5.14).
 */
export function consoleBodyLimit(
  maxBytes: number = DEFAULT_MAX_BODY_BYTES,
  page?: (c: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      c.header('Connection', 'close')
      // A browser's form gets the page in its language; anything else the JSON with the code.
      if (page && (c.req.header('accept') ?? '').includes('text/html')) return page(c)
      return c.json(
        {
          error: {
            code: ErrorCodes.PAYLOAD_TOO_LARGE,
            message: `the request body is larger than ${maxBytes} bytes`,
            hint: 'the console takes only its login form; nothing large is ever sent to it',
          },
        },
        413,
      )
    },
  })
}
