import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Page } from 'playwright-core'
import { DASHBOARD_DIST } from '../../cloud/api/dashboard.ts'
import { TEST_PASSWORD } from '../cloud/helpers.ts'

/**
 * For browser tests of the cloud's dashboard. `npm test` builds it first; a direct vitest run
 * may find none, or one built before a page it needs (`mustContain`: a text of that page's code).
 */
export function ensureDashboardBuilt(mustContain?: string): void {
  const assets = path.join(DASHBOARD_DIST, 'assets')
  const built =
    existsSync(path.join(DASHBOARD_DIST, 'index.html')) &&
    existsSync(assets) &&
    (mustContain === undefined ||
      readdirSync(assets).some(
        (f) => /\.(js|css)$/.test(f) && readFileSync(path.join(assets, f), 'utf8').includes(mustContain),
      ))
  if (!built) execFileSync('npx', ['vite', 'build', '--config', 'cloud/dashboard/vite.config.ts'], { stdio: 'ignore' })
}

/** The app on a free loopback port: its origin, and how to close it. */
export function serveApp(app: Hono): Promise<{ origin: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
  })
}

/** Logs in through the dashboard's login page (the test users' password). */
export async function logIn(page: Page, origin: string, username: string): Promise<void> {
  await page.goto(`${origin}/#/login`)
  await page.fill('input[name=username]', username)
  await page.fill('input[name=password]', TEST_PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForSelector('[data-testid=who]')
}
