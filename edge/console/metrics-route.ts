import type { Context, Hono } from 'hono'
import type { Registry } from 'prom-client'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes } from '../../shared/errors.ts'
import { bearerMatches } from '../../shared/prom.ts'
import type { LoginGuard } from './auth.ts'

/**
 * GET /metrics on the console's listener (issue 16), under the console's rules: a logged-in
 * session (the cookie), or `Authorization: Bearer <scrape token>` (the variable
 * console.metricsTokenEnv names). A wrong token counts against the same lock as a wrong
 * password, and while it holds a token is answered 429.
 */
// biome-ignore lint/suspicious/noExplicitAny: the console app's variables are its own (app.ts Env)
export function mountMetrics<E extends { Variables: any }>(
  app: Hono<E>,
  o: {
    registry: Registry
    scrapeToken?: string
    guard: LoginGuard
    clock: Clock
    authed(c: Context<E>): boolean
  },
): void {
  app.get('/metrics', async (c) => {
    const now = o.clock.now()
    const bearer = c.req.header('authorization')
    if (bearer !== undefined && !o.authed(c)) {
      const wait = o.guard.lockedFor(now)
      if (wait > 0)
        return c.json(
          refusal(ErrorCodes.TOO_MANY_REQUESTS, `locked after wrong tokens: retry in ${Math.ceil(wait / 1000)} s`),
          429,
        )
      if (!bearerMatches(bearer, o.scrapeToken)) {
        o.guard.failed(now)
        return c.json(refusal(ErrorCodes.UNAUTHENTICATED, 'wrong scrape token'), 401)
      }
    } else if (!o.authed(c)) return c.json(refusal(ErrorCodes.UNAUTHENTICATED, 'no credentials for /metrics'), 401)
    return c.body(await o.registry.metrics(), 200, { 'Content-Type': o.registry.contentType })
  })
}

function refusal(code: string, message: string) {
  return {
    error: {
      code,
      message,
      hint: 'send "Authorization: Bearer <token>" with the token in the variable console.metricsTokenEnv names, or log in first',
    },
  }
}
