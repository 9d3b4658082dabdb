import type { Context } from 'hono'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { passwordExpiresAt } from '../../auth/policy.ts'
import { identityOf } from '../access.ts'
import { sourceOf } from '../source.ts'
import type { ApiDeps } from '../deps.ts'
import { ErrorBody, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'

const Login = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })
const Refresh = z.strictObject({ refreshToken: z.string().min(1).max(256) })
const ChangePassword = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  newPassword: z.string().min(1).max(256),
})

const TAG = ['auth']
const REFUSED = { 400: REFUSALS[400], 401: json('wrong credentials (or token)', ErrorBody) }
/** Password checks are throttled per address and in all (cloud/auth/throttle.ts). */
const THROTTLED = {
  429: json('too many failed logins from this address (or in all): wait Retry-After seconds', ErrorBody),
}
const routes = {
  login: createRoute({
    method: 'post',
    path: '/login',
    tags: TAG,
    security: [],
    summary: 'Log in: a short-lived access token and a refresh token',
    middleware: [hint('POST {"username", "password"}')] as const,
    request: { body: jsonBody(Login) },
    responses: {
      200: json('tokens and the user'),
      ...REFUSED,
      403: json('the password has expired: change it with POST /auth/password', ErrorBody),
      ...THROTTLED,
    },
  }),
  refresh: createRoute({
    method: 'post',
    path: '/refresh',
    tags: TAG,
    security: [],
    summary: 'New tokens for a refresh token (which is replaced on every use)',
    middleware: [hint('POST {"refreshToken"} as returned by login or the previous refresh')] as const,
    request: { body: jsonBody(Refresh) },
    responses: { 200: json('new tokens'), ...REFUSED },
  }),
  logout: createRoute({
    method: 'post',
    path: '/logout',
    tags: TAG,
    summary: 'End the session',
    responses: { 200: json('{loggedOut: true}'), 401: REFUSALS[401] },
  }),
  password: createRoute({
    method: 'post',
    path: '/password',
    tags: TAG,
    security: [],
    summary: 'Change a (possibly expired) password with the current one',
    middleware: [hint('POST {"username", "password" (the current one), "newPassword"}')] as const,
    request: { body: jsonBody(ChangePassword) },
    responses: { 200: json('changed: log in again'), ...REFUSED, ...THROTTLED },
  }),
  me: createRoute({
    method: 'get',
    path: '/me',
    tags: TAG,
    summary: 'Who the credentials are',
    responses: { 200: json('kind, actor, role, enterprise'), 401: REFUSALS[401] },
  }),
}

/** Where a request came from, for the throttle and the audit log: the socket's address (or a trusted proxy's client, cloud/api/source.ts). */
const origin = (c: Context) => ({
  ...sourceOf(c),
  ...(c.req.header('user-agent') ? { userAgent: c.req.header('user-agent')!.slice(0, 200) } : {}),
})

/**
 * /api/v1/auth: log in (a short-lived access token and a refresh token), refresh (the refresh
 * token is replaced on every use), log out, change an (expired) password, who am I.
 */
export function authRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()

  app.openapi(routes.login, async (c) => {
    const b = c.req.valid('json')
    const { tokens, user } = await deps.auth.login(b.username, b.password, origin(c))
    return c.json(
      {
        ...tokens,
        user: {
          username: user.username,
          displayName: user.displayName,
          role: user.role,
          enterprise: user.enterprise,
          passwordExpiresAt: passwordExpiresAt(user.passwordChangedAt, deps.auth.policy),
        },
      },
      200,
    )
  })

  app.openapi(routes.refresh, async (c) => {
    const b = c.req.valid('json')
    return c.json(await deps.auth.refresh(b.refreshToken), 200)
  })

  app.openapi(routes.logout, async (c) => {
    await deps.auth.logout(identityOf(c))
    return c.json({ loggedOut: true }, 200)
  })

  app.openapi(routes.password, async (c) => {
    const b = c.req.valid('json')
    await deps.auth.changePassword(b.username, b.password, b.newPassword, origin(c))
    return c.json({ changed: true, hint: 'log in again with the new password' }, 200)
  })

  app.openapi(routes.me, (c) => {
    const { kind, actor, role, enterprise } = identityOf(c)
    return c.json({ kind, actor, role, enterprise }, 200)
  })
  return app
}
