import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { accessOf, allows } from '../auth/permissions.ts'
import { scopeOf, type Identity, type Scope } from '../auth/roles.ts'
import type { AuthService } from '../auth/service.ts'
import type { AuthStore } from '../store/auth-store.ts'
import { errorResponse } from './errors.ts'
import { sourceOf } from './source.ts'

/** What a handler adds to the audit entry of its mutation: the target and the record before and after. */
export interface AuditChange {
  target?: string
  before?: unknown
  after?: unknown
}

declare module 'hono' {
  interface ContextVariableMap {
    identity: Identity
    auditChange: AuditChange
  }
}

/**
 * The route that will answer, as registered (`/api/v1/alarms/:id/ack`): the first matched route
 * that is not middleware (`use` registers ALL). Not compared with c.req.method: Hono answers HEAD
 * with the GET handler, so a HEAD must pass the GET route's check. Undefined: no route (→ 404).
 */
function handlerRoute(c: Context): { method: string; path: string } | undefined {
  return matchedRoutes(c).find((r) => r.method !== 'ALL')
}

/**
 * Authentication and authorization for every route, driven by the one table
 * (cloud/auth/permissions.ts): no entry → 403 for everyone; no valid credentials → 401; a role
 * without the permission → 403 (audited: access_denied). Every mutating request that passes is written to the audit log
 * afterwards with its actor, route, target, status, and the before/after a handler attached.
 */
export function accessControl(auth: AuthService, audit: AuthStore['audit'], now: () => number): MiddlewareHandler {
  return async (c, next) => {
    const route = handlerRoute(c)
    if (!route) return next()
    const access = accessOf(route.method, route.path)
    if (access === 'public') return next()
    if (access === undefined)
      return errorResponse(
        c,
        403,
        ErrorCodes.FORBIDDEN,
        `${route.method} ${route.path} has no entry in the access table`,
        'a route must be added to cloud/auth/permissions.ts before anyone may use it',
      )
    const identity = await auth.authenticate(c.req.header('authorization'))
    if (!identity) {
      c.header('WWW-Authenticate', 'Bearer realm="parklink"')
      return errorResponse(
        c,
        401,
        ErrorCodes.UNAUTHENTICATED,
        'no valid credentials',
        'log in with POST /api/v1/auth/login and send "Authorization: Bearer <accessToken>", or send an API key the same way',
      )
    }
    if (!allows(access, identity.role)) {
      // A known identity trying beyond its role is worth an auditor's look (unauthenticated noise is not logged).
      await audit({
        at: now(),
        actor: identity.actor,
        action: 'access_denied',
        target: c.req.path,
        outcome: 'refused',
        detail: { route: `${route.method} ${route.path}`, role: identity.role, needs: access, ...sourceOf(c) },
      })
      return errorResponse(
        c,
        403,
        ErrorCodes.FORBIDDEN,
        `the role ${identity.role} may not ${route.method} ${route.path}`,
        `it needs the permission ${access}; ask a security administrator`,
      )
    }
    c.set('identity', identity)
    await next()
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && access !== 'authenticated') {
      const change = c.get('auditChange') ?? {}
      const status = c.res.status
      await audit({
        at: now(),
        actor: identity.actor,
        action: `${route.method} ${route.path}`,
        target: change.target ?? c.req.path,
        outcome: status < 400 ? 'ok' : status >= 500 ? 'failed' : 'refused',
        before: change.before,
        after: change.after,
        detail: { status, ...sourceOf(c) },
      })
    }
  }
}

/** The authenticated identity (set by accessControl; a route without one is public and must not ask). */
export function identityOf(c: Context): Identity {
  const identity = c.get('identity')
  if (!identity)
    throw new Error(`no identity on ${c.req.method} ${c.req.path}: the route is public in the access table`)
  return identity
}

/** Who acts, for timelines and records: the user name, or `key:NAME` for an API key. */
export const actorOf = (c: Context): string => identityOf(c).actor
/** What the identity may see; every scoped store query takes it. */
export const scope = (c: Context): Scope => scopeOf(identityOf(c))
export const audited = (c: Context, change: AuditChange) => c.set('auditChange', change)

/** An enterprise named in a query or body: an enterprise identity may name only its own (403 otherwise). */
export function ownEnterprise(c: Context, enterprise: string | undefined): void {
  const s = scope(c)
  if (enterprise !== undefined && s !== 'all' && s.enterprise !== enterprise) {
    throw new ParklinkError(ErrorCodes.FORBIDDEN, `this identity sees enterprise ${s.enterprise} only`, {
      hint: `leave out enterprise, or name ${s.enterprise}`,
    })
  }
}
