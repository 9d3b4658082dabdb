import { randomBytes } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { getConnInfo } from '@hono/node-server/conninfo'
import { z } from 'zod'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes } from '../../shared/errors.ts'
import { createLoginGuard, createSessions, passwordMatches } from './auth.ts'
import { labels, pickLang } from './i18n.ts'
import { dashboardPage, loginPage } from './page.ts'
import type { ConsoleView } from './view.ts'
import { consoleBodyLimit } from './limits.ts'
import { IMPORT_PATH, mountConfigure } from './configure/routes.ts'
import type { ConfigEditor } from './configure/types.ts'
import type { Registry } from 'prom-client'
import { mountMetrics } from './metrics-route.ts'

/**
 * The local console as a Hono app (tests call app.request()): a login form, the dashboard and
 * its JSON (GET /api/status). Everything but /login needs the session cookie. With a config
 * editor (main.ts), the devices-and-points pages (/config, configure/routes.ts) change the edge's
 * config through the supervisor's validate-apply-rollback path; nothing ever writes to the plant.
 */
export interface ConsoleDeps {
  password: string
  clock: Clock
  sessionMs: number
  /** Served over HTTPS: the session cookie is marked Secure. */
  secure?: boolean
  view(): ConsoleView
  /** Logins and wrong passwords are logged with the client's address (an audit trail; failures show under recent events). */
  onLogin?(info: { remote: string | null }): void
  onLoginFailure?(info: { locked: boolean; remote: string | null }): void
  /** Request bodies above this are refused with 413 (default 64 KiB). */
  maxBodyBytes?: number
  /** A viewer token for the live view of one camera of this edge (edge/live/admission.ts); null: no such camera. Absent: no live view. */
  liveToken?(camera: string): Promise<{ token: string; expiresAt: number } | null>
  /** The config editor behind /config; absent: the console is read-only. */
  configure?: ConfigEditor
  /** Cap of a table upload (default 4 MiB); every other body keeps maxBodyBytes. */
  maxUploadBytes?: number
  /** GET /metrics (issue 16, ./metrics.ts): the edge's Prometheus registry and the scrape token (console.metricsTokenEnv). Absent: no /metrics. */
  metrics?: { registry: Registry; scrapeToken?: string }
}

const COOKIE = 'parklink_console'
const LoginForm = z.object({
  password: z.string().max(1024),
  lang: z.string().optional(),
  /** Who logs in, for the change log (the password is the console's one role; the name is the person's). */
  name: z
    .string()
    .max(256)
    .transform((n) =>
      n
        .replace(/[^\p{L}\p{N} ._-]/gu, '')
        .trim()
        .slice(0, 32),
    )
    .optional(),
})
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024
type Env = { Variables: { nonce: string } }

/** The client's address; null when the app is called without a socket (tests' app.request). */
function remoteOf(c: Context<Env>): string | null {
  try {
    return getConnInfo(c).remote.address ?? null
  } catch {
    return null
  }
}

export function createConsoleApp(deps: ConsoleDeps): Hono<Env> {
  const sessions = createSessions(deps.sessionMs)
  const guard = createLoginGuard()
  const app = new Hono<Env>()
  const authed = (c: Context<Env>) => sessions.valid(getCookie(c, COOKIE), deps.clock.now())

  app.use('*', async (c, next) => {
    const nonce = randomBytes(16).toString('base64')
    c.set('nonce', nonce)
    await next()
    c.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    )
    c.header('X-Frame-Options', 'DENY')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'no-referrer')
    c.header('Cache-Control', 'no-store')
  })
  const tooLarge = (c: Context) => {
    const lang = pickLang(c.req.query('lang'))
    return c.html(loginPage(lang, (c as Context<Env>).get('nonce'), labels(lang).tooLarge), 413)
  }
  const bodyCap = consoleBodyLimit(deps.maxBodyBytes, tooLarge)
  const uploadCap = consoleBodyLimit(deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES, tooLarge)
  app.use('*', (c, next) => (deps.configure && c.req.path === IMPORT_PATH ? uploadCap : bodyCap)(c, next))

  app.get('/login', (c) => c.html(loginPage(pickLang(c.req.query('lang')), c.get('nonce'))))
  app.post('/login', async (c) => {
    const form = LoginForm.safeParse(await c.req.parseBody().catch(() => ({})))
    const lang = pickLang(form.success ? form.data.lang : undefined)
    const t = labels(lang)
    const now = deps.clock.now()
    const wait = guard.lockedFor(now)
    if (wait > 0) return c.html(loginPage(lang, c.get('nonce'), `${t.locked}${Math.ceil(wait / 1000)}`), 429)
    if (!form.success || !passwordMatches(form.data.password, deps.password)) {
      guard.failed(now)
      deps.onLoginFailure?.({ locked: guard.lockedFor(now) > 0, remote: remoteOf(c) })
      return c.html(loginPage(lang, c.get('nonce'), t.wrongPassword), 401)
    }
    guard.succeeded()
    deps.onLogin?.({ remote: remoteOf(c) })
    setCookie(c, COOKIE, sessions.issue(now, form.data.name ?? ''), {
      httpOnly: true,
      secure: deps.secure ?? false,
      sameSite: 'Strict',
      path: '/',
      maxAge: Math.floor(deps.sessionMs / 1000),
    })
    return c.redirect(`/?lang=${lang}`, 303)
  })
  app.post('/logout', async (c) => {
    const form = LoginForm.partial().safeParse(await c.req.parseBody().catch(() => ({})))
    deleteCookie(c, COOKIE, { path: '/' })
    return c.redirect(`/login?lang=${pickLang(form.success ? form.data.lang : undefined)}`, 303)
  })

  app.get('/', (c) => {
    const lang = pickLang(c.req.query('lang'))
    if (!authed(c)) return c.redirect(`/login?lang=${lang}`, 303)
    return c.html(dashboardPage(lang, c.get('nonce'), deps.configure !== undefined))
  })
  app.get('/api/status', (c) => {
    if (!authed(c))
      return c.json(
        {
          error: {
            code: ErrorCodes.UNAUTHENTICATED,
            message: 'log in first',
            hint: 'open / and log in with the console password',
          },
        },
        401,
      )
    return c.json(deps.view())
  })
  // The technician's viewer token (60 s, one camera) for the live view relay; the session cookie is SameSite=Strict.
  app.post('/api/live-token/:camera', async (c) => {
    if (!authed(c))
      return c.json(
        {
          error: {
            code: ErrorCodes.UNAUTHENTICATED,
            message: 'log in first',
            hint: 'open / and log in with the console password',
          },
        },
        401,
      )
    const issued = deps.liveToken ? await deps.liveToken(c.req.param('camera')) : null
    if (!issued)
      return c.json(
        {
          error: {
            code: ErrorCodes.NOT_FOUND,
            message: `no live view of camera "${c.req.param('camera')}" on this edge`,
            hint: 'configure live: and the camera in the edge config',
          },
        },
        404,
      )
    return c.json({ camera: c.req.param('camera'), ...issued })
  })
  if (deps.metrics) mountMetrics(app, { ...deps.metrics, guard, clock: deps.clock, authed })
  if (deps.configure)
    mountConfigure(app, {
      editor: deps.configure,
      who: (c) => {
        const user = sessions.user(getCookie(c, COOKIE), deps.clock.now())
        return user === null ? null : { user: user || 'console', remote: remoteOf(c) }
      },
    })
  app.notFound((c) => c.text('not found', 404))
  return app
}
