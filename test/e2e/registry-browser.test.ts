import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../cloud/api/app.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { systemClock } from '../../shared/clock.ts'
import { LEVEL, TEST_PASSWORD, captureLogger, tempStore, testAuth } from '../cloud/helpers.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { ensureDashboardBuilt, logIn, serveApp } from '../util/dashboard.ts'

/** The 登记 page in Chromium: the park admin sees the thresholds, a bad file's rows, and a good file applied. */
describe.skipIf(!HAS_CHROMIUM)('the registry page in Chromium (skipped: /usr/bin/chromium is not installed)', () => {
  let dir: string
  let env: Awaited<ReturnType<typeof tempStore>>
  let server: Awaited<ReturnType<typeof serveApp>> | undefined
  let context: BrowserContext
  let page: Page
  let origin: string

  beforeAll(async () => {
    ensureDashboardBuilt('#/registry')
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-registry-browser-'))
    env = await tempStore()
    const auth = testAuth(env.store, systemClock)
    await auth.accounts.createUser(
      { username: 'admin-wang', role: 'park_admin', password: TEST_PASSWORD },
      'test',
      Date.now(),
    )
    const app = createApp({
      store: env.store,
      clock: systemClock,
      metrics: createMetrics(Date.now()),
      log: captureLogger().log,
      ...auth,
    })
    server = await serveApp(app)
    origin = server.origin
    context = await launchBrowser(dir)
    page = context.pages()[0] ?? (await context.newPage())
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    await server?.close()
    await env?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('lists thresholds, reports a bad row without importing, applies a good file', async () => {
    await logIn(page, origin, 'admin-wang')
    await page.click('header nav a[href="#/registry"]')
    const row = page.locator(`tr[data-point="${LEVEL}"]`)
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('1 / 2 / 9.5 / 10.5')

    const header =
      '点位编号,点位名称,企业,类别,单位,一级阈值上限/高报,二级阈值上限/高高报,一级阈值下限/低报,二级阈值下限/低低报'
    const upload = async (text: string) => {
      await page.setInputFiles('[data-testid=import-file]', {
        name: 'points.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`\uFEFF${text}`),
      })
      await page.click('form button[type=submit]')
    }
    await upload(`${header}\n${LEVEL},液氨储罐TK-101液位,shilian,mhs,m,九,10.5,2,1\n`)
    await expect
      .poll(() => page.textContent('[data-testid=import-result]'), { timeout: 10_000 })
      .toMatch(/行 2 · 列 一级阈值上限\/高报: "九" is not a number/)

    await page.locator('form input[type=checkbox]').uncheck()
    await upload(`${header}\n${LEVEL},液氨储罐TK-101液位,shilian,mhs,m,9,10.5,2,1\n`)
    await expect
      .poll(() => page.textContent('[data-testid=import-result]'), { timeout: 10_000 })
      .toMatch(/已导入: 1 · 变更 1/)
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('1 / 2 / 9 / 10.5')
  })
})
