import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { wsOrigin } from './live-view.ts'

/**
 * Security headers on every response, the dashboard's and the API's (Hono's secureHeaders): a
 * Content-Security-Policy that allows only this origin's own scripts, styles and connections
 * (no inline script or style; snapshots are shown as blob: URLs), no framing by anyone
 * (frame-ancestors 'none' and X-Frame-Options: DENY, against clickjacking the workflow buttons),
 * nosniff, no referrer. connect-src adds the edges' live view origins the park lists
 * (`live.dashboardOrigins`, cloud/api/live-view.ts): the player connects there, nowhere else. HSTS without includeSubDomains: it takes effect only where a TLS proxy
 * serves the cloud, and must not bind the park's other hosts. A handler that sets a header of
 * its own keeps it (the API description's stricter CSP, cloud/api/openapi/docs-page.ts).
 */
export function securityHeaders(o: { liveOrigins?: readonly string[] } = {}): MiddlewareHandler {
  // Live view (issue 17): the dashboard's player opens the edges' relays the park lists, no others.
  const live = [...new Set((o.liveOrigins ?? []).map(wsOrigin))]
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'", ...live],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    strictTransportSecurity: 'max-age=15552000',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    overwrite: false,
  })
}

/** API answers hold live, scoped data: never kept by a browser or a proxy cache. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next()
  c.res.headers.set('Cache-Control', 'no-store')
}
