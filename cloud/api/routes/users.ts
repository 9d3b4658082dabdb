import type { Context } from 'hono'
import type { OpenAPIHono } from '@hono/zod-openapi'
import { NewKeyInput, NewUserInput, userView } from '../../auth/accounts.ts'
import { actorOf, audited } from '../access.ts'
import type { ApiDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { idParam } from '../body.ts'
import { IdParams, REFUSALS, apiRouter, createRoute, hint, json, jsonBody, z } from '../openapi/route.ts'

const NoQuery = z.strictObject({})
const NewPassword = z.strictObject({ password: z.string().min(1).max(256) })
const USERS = ['users']
const KEYS = ['api-keys']
const NOT_FOUND = { 404: json('no such user or key') }
const USER_CHANGE = {
  unlock: 'Unlock after a lockout',
  disable: 'Disable (its sessions end)',
  enable: 'Enable again',
} as const
const routes = {
  users: createRoute({
    method: 'get',
    path: '/',
    tags: USERS,
    summary: 'The accounts',
    request: { query: NoQuery },
    responses: { 200: json('the users'), ...REFUSALS },
  }),
  addUser: createRoute({
    method: 'post',
    path: '/',
    tags: USERS,
    summary: 'Create an account (password policy applies)',
    middleware: [
      hint('POST {"username", "displayName", "role", "enterprise" (enterprise roles only), "password"}'),
    ] as const,
    request: { body: jsonBody(NewUserInput) },
    responses: { 201: json('the user'), ...REFUSALS },
  }),
  password: createRoute({
    method: 'post',
    path: '/{id}/password',
    tags: USERS,
    summary: "Set a user's password (the user's sessions end)",
    middleware: [hint('POST {"password"}: the new password (the user\'s sessions end)')] as const,
    request: { params: IdParams, body: jsonBody(NewPassword) },
    responses: { 200: json('the user'), ...REFUSALS, ...NOT_FOUND },
  }),
  keys: createRoute({
    method: 'get',
    path: '/',
    tags: KEYS,
    summary: 'The API keys (never the keys themselves)',
    request: { query: NoQuery },
    responses: { 200: json('the keys'), ...REFUSALS },
  }),
  addKey: createRoute({
    method: 'post',
    path: '/',
    tags: KEYS,
    summary: 'Create an API key, shown once in the answer',
    middleware: [hint('POST {"name", "role", "enterprise" (enterprise roles only)}')] as const,
    request: { body: jsonBody(NewKeyInput) },
    responses: { 201: json('the key record and the key'), ...REFUSALS },
  }),
  revoke: createRoute({
    method: 'post',
    path: '/{id}/revoke',
    tags: KEYS,
    summary: 'Revoke an API key',
    request: { params: IdParams },
    responses: { 200: json('the key record'), ...REFUSALS, ...NOT_FOUND },
  }),
}

/**
 * /api/v1/users and /api/v1/api-keys: the security administrator's work (and nobody else's).
 * A created API key is shown once, in the answer; only its hash is kept.
 */
export function userRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  const now = () => deps.clock.now()
  const one = (c: Context, user: Awaited<ReturnType<typeof deps.store.auth.getUser>>) => {
    if (!user) throw notFound(`no user ${c.req.param('id')}`, 'GET /api/v1/users lists them')
    return c.json(userView(user), 200)
  }

  app.openapi(routes.users, async (c) => {
    return c.json((await deps.store.auth.listUsers()).map(userView))
  })
  app.openapi(routes.addUser, async (c) => {
    const input = c.req.valid('json')
    const user = await deps.accounts.createUser(input, actorOf(c), now())
    audited(c, { target: `user:${user.id}`, after: userView(user) })
    return c.json(userView(user), 201)
  })
  for (const change of ['unlock', 'disable', 'enable'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/{id}/${change}`,
        tags: USERS,
        summary: USER_CHANGE[change],
        request: { params: IdParams },
        responses: { 200: json('the user'), ...REFUSALS, ...NOT_FOUND },
      }),
      async (c) => {
        const id = idParam(c, 'a user')
        const before = await deps.store.auth.getUser(id)
        const after = await deps.accounts.change(id, change, actorOf(c), now())
        audited(c, { target: `user:${id}`, before: before && userView(before), after: after && userView(after) })
        return one(c, after)
      },
    )
  }
  app.openapi(routes.password, async (c) => {
    const id = idParam(c, 'a user')
    const b = c.req.valid('json')
    audited(c, { target: `user:${id}` })
    return one(c, await deps.accounts.setPassword(id, b.password, actorOf(c), now()))
  })
  return app
}

export function apiKeyRoutes(deps: ApiDeps): OpenAPIHono {
  const app = apiRouter()
  app.openapi(routes.keys, async (c) => {
    return c.json(await deps.store.auth.listApiKeys())
  })
  app.openapi(routes.addKey, async (c) => {
    const input = c.req.valid('json')
    const { key, record } = await deps.accounts.createApiKey(input, actorOf(c), deps.clock.now())
    audited(c, { target: `key:${record.id}`, after: record })
    return c.json(
      {
        ...record,
        key,
        hint: 'the key is shown only now: store it in the client\'s secret store; send it as "Authorization: Bearer <key>"',
      },
      201,
    )
  })
  app.openapi(routes.revoke, async (c) => {
    const id = idParam(c, 'an API key')
    const record = await deps.accounts.revokeApiKey(id, actorOf(c), deps.clock.now())
    if (!record) throw notFound(`no API key ${id}`, 'GET /api/v1/api-keys lists them')
    audited(c, { target: `key:${id}`, after: record })
    return c.json(record)
  })
  return app
}
