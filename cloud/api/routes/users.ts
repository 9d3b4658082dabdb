import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { NewKeyInput, NewUserInput, userView } from '../../auth/accounts.ts'
import { actorOf, audited } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { idParam, readBody } from '../body.ts'
import { parseQuery } from '../params.ts'

/**
 * /api/v1/users and /api/v1/api-keys: the security administrator's work (and nobody else's).
 * A created API key is shown once, in the answer; only its hash is kept.
 */
export function userRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  const now = () => deps.clock.now()
  const one = (c: Context, user: Awaited<ReturnType<typeof deps.store.auth.getUser>>) => {
    if (!user) throw notFound(`no user ${c.req.param('id')}`, 'GET /api/v1/users lists them')
    return c.json(userView(user))
  }

  app.get('/', async (c) => {
    parseQuery(c, z.strictObject({}), 'no parameters')
    return c.json((await deps.store.auth.listUsers()).map(userView))
  })
  app.post('/', async (c) => {
    const input = await readBody(c, NewUserInput, 'POST {"username", "displayName", "role", "enterprise" (enterprise roles only), "password"}')
    const user = await deps.accounts.createUser(input, actorOf(c), now())
    audited(c, { target: `user:${user.id}`, after: userView(user) })
    return c.json(userView(user), 201)
  })
  for (const change of ['unlock', 'disable', 'enable'] as const) {
    app.post(`/:id/${change}`, async (c) => {
      const id = idParam(c, 'a user')
      const before = await deps.store.auth.getUser(id)
      const after = await deps.accounts.change(id, change, actorOf(c), now())
      audited(c, { target: `user:${id}`, before: before && userView(before), after: after && userView(after) })
      return one(c, after)
    })
  }
  app.post('/:id/password', async (c) => {
    const id = idParam(c, 'a user')
    const b = await readBody(c, z.strictObject({ password: z.string().min(1).max(256) }), 'POST {"password"}: the new password (the user\'s sessions end)')
    audited(c, { target: `user:${id}` })
    return one(c, await deps.accounts.setPassword(id, b.password, actorOf(c), now()))
  })
  return app
}

export function apiKeyRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  app.get('/', async (c) => {
    parseQuery(c, z.strictObject({}), 'no parameters')
    return c.json(await deps.store.auth.listApiKeys())
  })
  app.post('/', async (c) => {
    const input = await readBody(c, NewKeyInput, 'POST {"name", "role", "enterprise" (enterprise roles only)}')
    const { key, record } = await deps.accounts.createApiKey(input, actorOf(c), deps.clock.now())
    audited(c, { target: `key:${record.id}`, after: record })
    return c.json({ ...record, key, hint: 'the key is shown only now: store it in the client\'s secret store; send it as "Authorization: Bearer <key>"' }, 201)
  })
  app.post('/:id/revoke', async (c) => {
    const id = idParam(c, 'an API key')
    const record = await deps.accounts.revokeApiKey(id, actorOf(c), deps.clock.now())
    if (!record) throw notFound(`no API key ${id}`, 'GET /api/v1/api-keys lists them')
    audited(c, { target: `key:${id}`, after: record })
    return c.json(record)
  })
  return app
}
