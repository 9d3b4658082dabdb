import type { Context } from 'hono'

/**
 * The console's write requests must come from its own page (CSRF, OWASP's "verify origin with
 * standard headers" plus a custom request header): the page's fetch sends `X-Parklink-Console`,
 * which a form on another site cannot send (and no CORS preflight is ever answered); an Origin or
 * Sec-Fetch-Site the browser adds must name this same origin. The session cookie is SameSite=Strict too.
 */
export const CSRF_HEADER = 'x-parklink-console'

export function crossSiteReason(c: Context): string | null {
  if (c.req.header(CSRF_HEADER) !== '1') return `the request lacks the ${CSRF_HEADER} header the console page sends`
  const site = c.req.header('sec-fetch-site')
  if (site !== undefined && site !== 'same-origin')
    return `the request comes from another site (Sec-Fetch-Site: ${site})`
  const origin = c.req.header('origin')
  if (origin !== undefined) {
    const own = new URL(c.req.url)
    let from: URL | null = null
    try {
      from = new URL(origin)
    } catch {}
    if (!from || from.host !== own.host) return `the request comes from ${origin}, not from this console`
  }
  return null
}
