import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { createAlarmFeed } from '../../cloud/alarms/feed.ts'
import { GasWarningsConfig } from '../../cloud/alarms/gas/model.ts'
import { startGasWarnings } from '../../cloud/alarms/gas/service.ts'
import { createApp } from '../../cloud/api/app.ts'
import type { Role } from '../../cloud/auth/roles.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { systemClock } from '../../shared/clock.ts'
import { TEST_PASSWORD, captureLogger, tempStore, testAuth } from '../cloud/helpers.ts'
import { launchBrowser } from './browser.ts'
import { ensureDashboardBuilt, serveApp } from './dashboard.ts'

export interface BrowserEnv {
  env: Awaited<ReturnType<typeof tempStore>>
  origin: string
  page: Page
  close(): Promise<void>
}

/**
 * For a dashboard browser test: a real SQLite store (the test registry), the given accounts (the
 * test password), the real cloud app with a live alarm feed on a free loopback port, and Chromium
 * at 1600×900 with a fresh profile. `mustContain`: a text of the page under test's code (a build
 * without it is rebuilt). `close` ends them all and removes the temp dir.
 */
export async function startBrowserEnv(o: {
  prefix: string
  mustContain: string
  accounts: Array<[username: string, role: Role, enterprise?: string]>
  /** Run the gas-leak warnings service on the alarm feed (its timer hourly: the test drives it by alarms). */
  gasWarnings?: boolean
}): Promise<BrowserEnv> {
  ensureDashboardBuilt(o.mustContain)
  const dir = mkdtempSync(path.join(tmpdir(), o.prefix))
  const feed = createAlarmFeed()
  const env = await tempStore(undefined, (change) => feed.publish(change))
  const auth = testAuth(env.store, systemClock)
  for (const [username, role, enterprise] of o.accounts)
    await auth.accounts.createUser(
      { username, role, password: TEST_PASSWORD, ...(enterprise ? { enterprise } : {}) },
      'test',
      Date.now(),
    )
  const gasWarnings = o.gasWarnings
    ? startGasWarnings({
        store: env.store,
        feed,
        clock: systemClock,
        config: GasWarningsConfig.parse({}),
        recipients: [],
        log: captureLogger().log,
        intervalMs: 3_600_000,
      })
    : undefined
  const server = await serveApp(
    createApp({
      store: env.store,
      clock: systemClock,
      metrics: createMetrics(Date.now()),
      log: captureLogger().log,
      alarmFeed: feed,
      ...auth,
      ...(gasWarnings ? { gasWarnings } : {}),
    }),
  )
  let context: BrowserContext | undefined
  try {
    context = await launchBrowser(dir)
  } catch (err) {
    gasWarnings?.stop()
    await server.close()
    await env.dispose()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const page = context.pages()[0] ?? (await context.newPage())
  await page.setViewportSize({ width: 1600, height: 900 })
  return {
    env,
    origin: server.origin,
    page,
    close: async () => {
      await context?.close()
      gasWarnings?.stop()
      await server.close()
      await env.dispose()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
