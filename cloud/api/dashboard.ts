import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono, type Context, type Next } from 'hono'

/** Where `npm run build` puts the dashboard (cloud/dashboard, built by Vite). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist', import.meta.url))

/**
 * The monitoring center's dashboard at `/`: the built single-page app (its own assets only, no
 * CDN: the park network may have no internet). The page itself is public — it holds no data;
 * everything it shows comes from /api/v1 with the operator's token.
 */
export function dashboardRoutes(dist = DASHBOARD_DIST): Hono {
  const app = new Hono()
  if (!existsSync(`${dist}/index.html`)) {
    app.get('/', (c) => c.text('The dashboard is not built: run `npm run build` (npm start does it for you).', 503))
    return app
  }
  // Hashed file names: an asset never changes, so it is cached for good; the page never is.
  const cache = (value: string) => async (c: Context, next: Next) => {
    await next()
    if (c.res.status === 200) c.res.headers.set('cache-control', value)
  }
  app.use('/assets/*', cache('public, max-age=31536000, immutable'), serveStatic({ root: dist }))
  app.get('/', cache('no-cache'), serveStatic({ root: dist, path: 'index.html' }))
  // The wall display (issue 17): the same page, which opens the kiosk view at this address.
  app.get('/wall', cache('no-cache'), serveStatic({ root: dist, path: 'index.html' }))
  app.get('/favicon.ico', (c) => c.body(null, 204))
  return app
}
