import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { passwordExpiresAt } from '../../auth/policy.ts'
import { identityOf } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { readBody } from '../body.ts'

const Login = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })
const Refresh = z.strictObject({ refreshToken: z.string().min(1).max(256) })
const ChangePassword = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) })

/** Where a request came from, for the audit log (behind a reverse proxy: its forwarded header). */
const origin = (c: Context) => ({ ...(c.req.header('x-forwarded-for') ? { forwardedFor: c.req.header('x-forwarded-for') } : {}), ...(c.req.header('user-agent') ? { userAgent: c.req.header('user-agent')!.slice(0, 200) } : {}) })

/**
 * /api/v1/auth: log in (a short-lived access token and a refresh token), refresh (the refresh
 * token is replaced on every use), log out, change an (expired) password, who am I.
 */
export function authRoutes(deps: ApiDeps): Hono {
  const app = new Hono()

  app.post('/login', async (c) => {
    const b = await readBody(c, Login, 'POST {"username", "password"}')
    const { tokens, user } = await deps.auth.login(b.username, b.password, origin(c))
    return c.json({ ...tokens, user: { username: user.username, displayName: user.displayName, role: user.role, enterprise: user.enterprise, passwordExpiresAt: passwordExpiresAt(user.passwordChangedAt, deps.auth.policy) } })
  })

  app.post('/refresh', async (c) => {
    const b = await readBody(c, Refresh, 'POST {"refreshToken"} as returned by login or the previous refresh')
    return c.json(await deps.auth.refresh(b.refreshToken))
  })

  app.post('/logout', async (c) => {
    await deps.auth.logout(identityOf(c))
    return c.json({ loggedOut: true })
  })

  app.post('/password', async (c) => {
    const b = await readBody(c, ChangePassword, 'POST {"username", "password" (the current one), "newPassword"}')
    await deps.auth.changePassword(b.username, b.password, b.newPassword)
    return c.json({ changed: true, hint: 'log in again with the new password' })
  })

  app.get('/me', (c) => {
    const { kind, actor, role, enterprise } = identityOf(c)
    return c.json({ kind, actor, role, enterprise })
  })
  return app
}
